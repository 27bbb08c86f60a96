package io.apptheus.metrics;

import io.apptheus.cgroup.Stat;

/**
 * One row of the metric table: a Prometheus name (cAdvisor's), its help, whether it is a counter,
 * the Stat it shows and the factor from the Stat's unit to the metric's (1e-9 for ns → seconds).
 */
record ContainerMetric(String name, String help, boolean counter, Stat stat, double scale) {

    static ContainerMetric counter(String name, String help, Stat stat, double scale) {
        return new ContainerMetric(name, help, true, stat, scale);
    }

    static ContainerMetric gauge(String name, String help, Stat stat) {
        return new ContainerMetric(name, help, false, stat, 1);
    }
}
