package io.apptheus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.ProcessCountReader;
import io.apptheus.cgroup.v1.V1Readers;
import io.apptheus.cgroup.v2.V2Readers;
import io.apptheus.it.support.GoldenExposition;
import io.apptheus.it.support.Tools;
import io.apptheus.proc.ProcReader;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * The whole exposition, in both formats, against checked-in files (node_exporter's e2e-output
 * style): the agent's own meters, the standard process metrics of a captured /proc/self, and the
 * containers of the real kernel captures in src/test/resources/fixtures (v2 on 6.1, v1 hybrid on
 * 6.18), with the compat names, read through the same readers, series and scrape as the agent.
 * A change in a name, help text, type, label, value or format shows as a diff. After a wanted
 * change: {@code ./mvnw test -Dtest=ExpositionGoldenTest -Dgolden.update=true}, and review the diff.
 *
 * <p>The running agent, JVM or native executable, on a captured tree: AgentOnFixturesIT.
 */
class ExpositionGoldenTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    static final PublishedContainer.Lifecycle LIFECYCLE = new PublishedContainer.Lifecycle() {
        @Override
        public double startTimeSeconds() {
            return 1796456402.25;
        }

        @Override
        public double lastSeenSeconds() {
            return 1796459284.5;
        }
    };

    private final List<ControllerReader> opened = new ArrayList<>();
    private PrometheusMeterRegistry registry;
    private PrometheusExposition exposition;

    @BeforeEach
    void agentOnFixtures() throws Exception {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new SelfMetrics(registry);
        ContainerSeries series = new ContainerSeries(registry, true);
        exposition = new PrometheusExposition(registry, series,
                new ProcessSeries(new ProcReader(Fixtures.path("proc-self", ""))));
        exposition.register();
        ContainerLabels.Switches defaults = new ContainerLabels.Switches(true, true, false); // the flags' defaults
        long pid = 4242;
        for (String leaf : List.of("cpu_burn", "io_direct", "mem_hold")) {
            List<ControllerReader> readers = V2Readers.forCgroup(Fixtures.v2Leaf(Fixtures.V2_61, leaf));
            publish(series, readers, ContainerLabels.of(defaults, "/metric_gateway/" + leaf, "starter-suid_" + pid, pid,
                    1000, "alice", leaf.equals("mem_hold") ? "web1" : "", "77"), Fixtures.V2_61);
            pid++;
        }
        List<ControllerReader> v1 = new ArrayList<>();
        for (String c : V1Readers.CONTROLLERS) {
            V1Readers.forController(c, Fixtures.v1(c)).ifPresent(v1::add);
        }
        io.apptheus.cgroup.v2.PressureReader.open(Fixtures.v1("unified")).ifPresent(v1::add);
        ProcessCountReader.open(Fixtures.v1("unified"), io.apptheus.cgroup.Refresh.Table.UNIFIED).ifPresent(v1::add);
        publish(series, v1, ContainerLabels.of(defaults, "/process_api/readers_fixture", "starter-suid_" + pid, pid,
                0, "root", "", ""), Fixtures.V1_HYBRID);
    }

    private void publish(ContainerSeries series, List<ControllerReader> readers, ContainerLabels labels,
                         String capture) throws Exception {
        opened.addAll(readers);
        StatsBuffer stats = new StatsBuffer();
        Set<Stat> provides = EnumSet.noneOf(Stat.class);
        for (ControllerReader r : readers) {
            r.readInto(stats);
            provides.addAll(r.provides());
        }
        PublishedContainer p = series.publish(stats, labels, provides, LIFECYCLE);
        p.registerNewDevices(new BlockDevices(Fixtures.path(capture, "sys")));
        p.sampled(1_000_000_000L);
    }

    @AfterEach
    void close() {
        opened.forEach(ControllerReader::close);
        registry.close();
    }

    @Test
    void text004() throws IOException {
        assertGolden("exposition-0.0.4.txt", scrape(TEXT));
    }

    @Test
    void openMetrics100() throws IOException {
        String om = scrape(OPENMETRICS);
        assertTrue(om.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        assertGolden("exposition-openmetrics-1.0.0.txt", om);
    }

    /** Prometheus' own linter finds nothing in the whole text exposition, containers and compat names included. */
    @Test
    void promtoolAcceptsTheWholeExposition() throws Exception {
        Tools.requireExecutable("/usr/bin/promtool", "promtool is not installed (.ci/run installs prometheus)");
        Path file = Files.createTempFile("exposition", ".txt");
        try {
            Files.writeString(file, scrape(TEXT));
            Process p = new ProcessBuilder("/usr/bin/promtool", "check", "metrics").redirectInput(file.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "promtool check metrics:\n" + out);
            assertEquals("", out.strip(), "promtool lint findings");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The route's negotiation is the client's: OpenMetrics only when the Accept header names it. */
    @Test
    void formatNegotiation() {
        assertEquals(TEXT, PrometheusExposition.contentType(null));
        assertEquals(TEXT, PrometheusExposition.contentType("text/plain;version=0.0.4;q=1,*/*;q=0.1"));
        assertEquals(OPENMETRICS, PrometheusExposition.contentType(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
    }

    /** The route's writer, in chunks far smaller than a line, gives the same bytes as one String. */
    @Test
    void chunkedOutputIsTheSameBytes() throws IOException {
        for (String type : List.of(TEXT, OPENMETRICS)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            List<Integer> sizes = new ArrayList<>();
            try (ChunkedWriter w = new ChunkedWriter((b, n) -> {
                bytes.write(b, 0, n);
                sizes.add(n);
            }, 64)) {
                exposition.scrape(w, type);
                w.write("é€😀"); // two, three and four UTF-8 bytes
            }
            assertEquals(scrape(type) + "é€😀", bytes.toString(StandardCharsets.UTF_8));
            assertTrue(sizes.size() > 100 && sizes.stream().allMatch(n -> n <= 64), "chunks of at most 64 bytes");
        }
    }

    /** A container goes away with every series it had, compat names included. */
    @Test
    void anUnpublishedContainerLeavesNoSeries() throws IOException {
        StatsBuffer stats = new StatsBuffer();
        stats.set(Stat.CPU_USAGE_NS, 1_500_000_000L);
        PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ContainerSeries series = new ContainerSeries(own, true);
        PrometheusExposition e = new PrometheusExposition(own, series, new ProcessSeries(new ProcReader(
                Fixtures.path("proc-self", ""))));
        e.register();
        PublishedContainer q = series.publish(stats, ContainerLabels.of(new ContainerLabels.Switches(false, false,
                false), "/y", "y_2", 2, 1, "", "", ""), EnumSet.of(Stat.CPU_USAGE_NS), LIFECYCLE);
        StringWriter w = new StringWriter();
        e.scrape(w, TEXT);
        assertTrue(w.toString().contains("container_cpu_usage_seconds_total{id=\"/y\",name=\"y_2\",pid=\"2\",uid=\"1\",} 1.5\n"),
                w.toString());
        assertTrue(w.toString().contains("cpu_usage_per{job=\"y_2\",}"), w.toString());
        series.unpublish(q);
        w = new StringWriter();
        e.scrape(w, TEXT);
        assertTrue(!w.toString().contains("y_2") && !w.toString().contains("container_"), w.toString());
        assertTrue(w.toString().contains("process_cpu_seconds_total 4.18\n"));
        own.close();
    }

    private String scrape(String type) throws IOException {
        StringWriter w = new StringWriter();
        exposition.scrape(w, type);
        return w.toString();
    }

    private static void assertGolden(String file, String scrape) throws IOException {
        String actual = GoldenExposition.normalise(scrape);
        Path golden = GOLDEN.resolve(file);
        if (Boolean.getBoolean("golden.update")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, actual);
        }
        assertEquals(Files.readString(golden), actual, "exposition differs from " + golden
                + " (-Dgolden.update=true rewrites it)");
    }
}
