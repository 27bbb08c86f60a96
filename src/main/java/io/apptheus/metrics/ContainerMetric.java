package io.apptheus.metrics;

import io.apptheus.cgroup.Stat;

/**
 * One row of the metric table: a Prometheus name (cAdvisor's; a counter's without "_total"), its
 * help, whether it is a counter, the Stat it shows and the divisor from the Stat's unit to the
 * metric's (1e9 for ns → seconds: a division of two exact doubles is the double nearest the true
 * quotient, where a multiplication by 1e-9, itself inexact, can be one unit off).
 */
record ContainerMetric(String name, String help, boolean counter, Stat stat, double divisor) {

    static ContainerMetric counter(String name, String help, Stat stat, double divisor) {
        return new ContainerMetric(name, help, true, stat, divisor);
    }

    static ContainerMetric gauge(String name, String help, Stat stat) {
        return new ContainerMetric(name, help, false, stat, 1);
    }
}
