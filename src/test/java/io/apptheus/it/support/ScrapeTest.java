package io.apptheus.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ScrapeTest {
    // shaped like Micrometer's Prometheus registry output, plus the edge cases of format 0.0.4
    private static final String SAMPLE = """
            # HELP apptheus_build_info A metric with a constant '1' value labeled by version.
            # TYPE apptheus_build_info gauge
            apptheus_build_info{branch="",version="0.1.0",} 1.0
            # HELP container_cpu_usage_seconds_total Cumulative CPU time\\nin seconds \\\\ all CPUs.
            # TYPE container_cpu_usage_seconds_total counter
            container_cpu_usage_seconds_total{job="starter_1234",name="run \\"a\\" \\\\ b\\nc"} 1.25 1700000000000
            container_cpu_usage_seconds_total{job="starter_99"} 2.5e+00
            # TYPE container_memory_limit_bytes gauge
            container_memory_limit_bytes{job="starter_1234"} +Inf
            container_memory_limit_bytes{job="starter_99"} 1.8446744073709552E19
            container_memory_swap_per{job="starter_1234"} NaN
            container_spec_cpu_quota{job="starter_1234"} -Inf
            # a plain comment
            # TYPE http_server_requests_seconds histogram
            http_server_requests_seconds_bucket{le="0.005",uri="/metrics"} 3
            http_server_requests_seconds_bucket{le="+Inf",uri="/metrics"} 4
            http_server_requests_seconds_count{uri="/metrics"} 4
            http_server_requests_seconds_sum{uri="/metrics"} 0.0123
              up   1

            """;

    @Test
    void parsesSamplesLabelsAndValues() {
        Scrape s = Scrape.parse(SAMPLE);
        assertEquals(12, s.samples().size());
        assertEquals(Set.of("apptheus_build_info", "container_cpu_usage_seconds_total", "container_memory_limit_bytes",
                "container_memory_swap_per", "container_spec_cpu_quota", "http_server_requests_seconds_bucket",
                "http_server_requests_seconds_count", "http_server_requests_seconds_sum", "up"), s.names());

        Scrape.Sample cpu = s.series("container_cpu_usage_seconds_total", Map.of("job", "starter_1234")).get(0);
        assertEquals("run \"a\" \\ b\nc", cpu.labels().get("name"));
        assertEquals(List.of("job", "name"), List.copyOf(cpu.labels().keySet()));
        assertEquals(1.25, cpu.value());
        assertEquals(OptionalLong.of(1700000000000L), cpu.timestampMillis());

        assertEquals(OptionalDouble.of(2.5), s.value("container_cpu_usage_seconds_total", Map.of("job", "starter_99")));
        assertEquals(OptionalDouble.of(Double.POSITIVE_INFINITY),
                s.value("container_memory_limit_bytes", Map.of("job", "starter_1234")));
        assertEquals(1.8446744073709552E19,
                s.value("container_memory_limit_bytes", Map.of("job", "starter_99")).getAsDouble());
        assertTrue(Double.isNaN(s.value("container_memory_swap_per").getAsDouble()));
        assertEquals(OptionalDouble.of(Double.NEGATIVE_INFINITY), s.value("container_spec_cpu_quota"));
        assertEquals(OptionalDouble.of(4), s.value("http_server_requests_seconds_bucket", Map.of("le", "+Inf")));
        assertEquals(OptionalDouble.of(1), s.value("up"));
        assertEquals(OptionalDouble.of(1), s.value("apptheus_build_info", Map.of("branch", "")));
        assertEquals(OptionalDouble.empty(), s.value("container_cpu_usage_seconds_total", Map.of("job", "nope")));
        assertEquals(OptionalDouble.empty(), s.value("missing"));
        assertTrue(s.series("container_cpu_usage_seconds_total").size() == 2);
    }

    @Test
    void readsTypeAndHelp() {
        Scrape s = Scrape.parse(SAMPLE);
        assertEquals("counter", s.type("container_cpu_usage_seconds_total").orElseThrow());
        assertEquals("histogram", s.type("http_server_requests_seconds").orElseThrow());
        assertEquals("Cumulative CPU time\nin seconds \\ all CPUs.",
                s.help("container_cpu_usage_seconds_total").orElseThrow());
        assertTrue(s.type("up").isEmpty());
        assertEquals(SAMPLE, s.raw());
    }

    @Test
    void anAmbiguousLookupFails() {
        Scrape s = Scrape.parse(SAMPLE);
        assertThrows(IllegalStateException.class, () -> s.value("container_cpu_usage_seconds_total"));
    }

    @Test
    void malformedLinesFailWithTheirNumber() {
        for (String bad : List.of("m{a=\"x} 1", "m{a=\"x\\t\"} 1", "m{a=\"x\"} 1 2 3", "m 1x", "m{a=\"1\",a=\"2\"} 1",
                "9m 1", "m{1a=\"x\"} 1", "m", "m{a=\"x\" b=\"y\"} 1", "m 0x10", "m Infinity")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Scrape.parse("ok 1\n" + bad + "\n"), bad);
            assertTrue(e.getMessage().startsWith("line 2: "), e.getMessage());
        }
    }

    @Test
    void acceptsOpenMetricsEof() {
        Scrape s = Scrape.parse("# TYPE a counter\na_total 3\n# EOF\n");
        assertEquals(OptionalDouble.of(3), s.value("a_total"));
    }
}
