package io.apptheus.metrics;

import java.util.Set;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * Keeps the runtime's own meters within Prometheus' naming rules and free of duplicates, so that
 * {@code promtool check metrics} passes on the whole scrape. Dropped: Micrometer's
 * {@code process.cpu.time} (nanoseconds, published as {@code process_cpu_time_ns_total}), since
 * the standard {@code process_cpu_seconds_total} serves; {@code process.start.time}, whose
 * Prometheus name {@code process_start_time_seconds} {@link ProcessSeries} publishes from
 * /proc/self; {@code process.files.open} and {@code process.files.max}, which it publishes under
 * the same names from the same read. {@code system.cpu.count} would end in "_count", which
 * Prometheus reserves for histograms and summaries: it is published as {@code system_cpus}.
 */
@Singleton
class LintCleanNames {

    static final Set<String> DENIED = Set.of("process.cpu.time", "process.start.time", "process.files.open",
            "process.files.max");

    @Produces
    @Singleton
    MeterFilter lintClean() {
        return new MeterFilter() {
            @Override
            public MeterFilterReply accept(Meter.Id id) {
                return DENIED.contains(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
            }

            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
            }
        };
    }
}
