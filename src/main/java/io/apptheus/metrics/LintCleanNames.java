package io.apptheus.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Keeps the runtime's own meters within Prometheus' naming rules, so that
 * {@code promtool check metrics} passes on the whole scrape: Micrometer's
 * {@code process.cpu.time} (nanoseconds, published as {@code process_cpu_time_ns_total}) is dropped,
 * since {@code process_cpu_usage} and the containers' own CPU counters serve, and
 * {@code system.cpu.count} would end in "_count", which Prometheus reserves for histograms and
 * summaries: it is published as {@code system_cpus}.
 */
@Singleton
class LintCleanNames {

    @Produces
    @Singleton
    MeterFilter lintClean() {
        return new MeterFilter() {
            @Override
            public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
                return id.getName().equals("process.cpu.time")
                        ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
                        : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        };
    }
}
