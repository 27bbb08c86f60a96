package io.apptheus.metrics;

import io.micrometer.core.instrument.MeterRegistry;

/** The metrics beans for unit tests of other packages, on a registry the test owns. */
public final class MetricsForTests {

    private MetricsForTests() {
    }

    public static SelfMetrics selfMetrics(MeterRegistry registry) {
        return new SelfMetrics(registry);
    }

    public static ContainerSeries containerSeries(MeterRegistry registry) {
        return new ContainerSeries(registry, false);
    }
}
