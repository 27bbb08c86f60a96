package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.quarkus.runtime.logging.LogRuntimeConfig;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.smallrye.config.SmallRyeConfig;

/**
 * The packaged agent as Quarkus' own integration-test support runs it: {@code @QuarkusIntegrationTest}
 * launches whichever artifact the build produced ({@code target/quarkus-artifact.properties}: the
 * fast-jar, or the native executable of {@code -Dnative}) and passes configuration to it as
 * {@code -D} system properties. One agent serves the tests of this class, in order: a trusted
 * starter registered, measured and cleaned up; the scrape and the health endpoints; SIGTERM.
 *
 * <p>What {@code @QuarkusIntegrationTest} cannot do, and why the {@code AgentProcess}-based ITs stay
 * the main suite: it passes no program arguments to the artifact, so the agent's flags and their
 * parser (exit codes, messages, {@code --web.listen-address}) are not exercised here; the agent is
 * configured through the properties every flag stands for ({@code --socket.path} is
 * {@code apptheus.socket.path}), set by {@link Setup}. It keeps the process to itself: SIGTERM goes
 * to the child process found by its {@code -Dapptheus.socket.path} argument, and the exit code is
 * not visible ({@code PipelineIT} checks it is 0). It starts one agent per class, so no test can
 * restart it. And it closes the test resources before it stops the agent, so {@link Setup#stop}
 * stops the agent itself before it removes the cgroups.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = PackagedAgentIT.Setup.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedAgentIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The agent's socket, trust list and relative cgroup parent, and their removal. */
    public static class Setup implements QuarkusTestResourceLifecycleManager {
        static volatile ItResources it;
        static volatile Path socket;

        @Override
        public Map<String, String> start() {
            it = new ItResources();
            socket = it.socketPath();
            return Map.of("apptheus.socket.path", socket.toString(),
                    "apptheus.trust.path", it.trustedStarter().toString(),
                    "apptheus.cgroup.parent", it.cgroupParent(),
                    "apptheus.metrics.retain-exited", "2s");
        }

        /** The launched agent: the child process of this JVM with this run's socket path. */
        static Optional<ProcessHandle> agent() {
            String arg = "-Dapptheus.socket.path=" + socket;
            return ProcessHandle.current().children()
                    .filter(p -> p.info().arguments().map(a -> List.of(a).contains(arg)).orElse(false))
                    .findFirst();
        }

        @Override
        public void stop() {
            try {
                agent().ifPresent(p -> {
                    p.destroy();
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        p.destroyForcibly();
                    }
                });
            } finally {
                it.close();
            }
        }
    }

    private static String baseUrl() {
        String url = System.getProperty("test.url");
        return url != null ? url : ConfigProvider.getConfig().getValue("test.url", String.class);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(30)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Scrape awaitScrape(Duration timeout, Predicate<Scrape> until) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            HttpResponse<String> r = get("/metrics");
            assertEquals(200, r.statusCode(), r.body());
            Scrape s = Scrape.parse(r.body());
            if (until.test(s)) {
                return s;
            }
            assertTrue(System.nanoTime() < deadline, "condition not met after " + timeout + "; last scrape:\n" + s.raw());
            Thread.sleep(100);
        }
    }

    @Test
    @Order(1)
    void aTrustedStarterIsMeasuredAndCleanedUp() throws Exception {
        ItResources it = Setup.it;
        FakeStarter.Handle starter = it.starters().start(it.trustedStarter(), Setup.socket,
                Map.of("FAKESTARTER_START_DELAY_MS", "300"), "burn", "3");
        String name = "starter_" + starter.pid();
        Map<String, String> labels = Map.of("name", name);

        // seen as soon as the container holds both processes: a loaded machine gives the 3 s burn
        // little CPU, so waiting for CPU seconds could outlast the workload
        Scrape running = awaitScrape(Duration.ofSeconds(30),
                s -> s.value("container_processes", labels).orElse(0) >= 2);
        Map<String, String> series = running.series("container_cpu_usage_seconds_total", labels).get(0).labels();
        assertEquals(Long.toString(starter.pid()), series.get("pid"));
        assertEquals("0", series.get("uid"));
        assertTrue(series.get("id").endsWith("/" + it.cgroupParent() + "/" + name), series.toString());
        assertTrue(it.cgroups().cgroupOf(starter.childPid()).values().stream()
                        .anyMatch(p -> p.endsWith("/" + it.cgroupParent() + "/" + name)),
                "the workload forked before the connect is in the container's cgroup: "
                        + it.cgroups().cgroupOf(starter.childPid()));

        assertEquals(0, starter.awaitExit(Duration.ofSeconds(30)));
        Scrape ended = awaitScrape(Duration.ofSeconds(60),
                s -> s.value("container_processes", labels).orElse(-1) == 0);
        assertTrue(ended.value("container_cpu_usage_seconds_total", labels).orElseThrow() >= 0.8 * starter.childCpuSeconds(),
                ended.series("container_cpu_usage_seconds_total", labels) + " of " + starter.childCpuSeconds() + " s");
        assertTrue(it.cgroups().leftovers(it.cgroupParent()).stream().noneMatch(p -> p.endsWith(name)),
                "the container's cgroup is removed: " + it.cgroups().leftovers(it.cgroupParent()));
        Scrape after = awaitScrape(Duration.ofSeconds(60), s -> !s.raw().contains(name));
        assertEquals(1.0, after.value("apptheus_registrations_total", Map.of("result", "accepted")).orElseThrow());
        assertEquals(0.0, after.value("apptheus_containers").orElseThrow());
    }

    @Test
    @Order(2)
    void servesTheScrapeAndTheHealthChecks() throws Exception {
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                metrics.headers().toString());
        Scrape s = Scrape.parse(metrics.body());
        assertTrue(s.has("apptheus_build_info", Map.of()), "build info");
        assertFalse(s.series("apptheus_build_info").get(0).labels().get("version").equals("unknown"),
                "the build stamp (apptheus-build.properties) is in the artifact: " + s.series("apptheus_build_info"));
        assertTrue(s.value("apptheus_connections_open").isPresent(), "self metrics");

        HttpResponse<String> live = get("/q/health/live");
        assertEquals(200, live.statusCode(), live.body());
        assertTrue(live.body().contains("gateway socket") && live.body().contains(Setup.socket.toString()), live.body());
        HttpResponse<String> ready = get("/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("cgroup parent"), ready.body());
        assertEquals(404, get("/no/such/path").statusCode());
    }

    @Test
    @Order(3)
    void sigtermRemovesTheSocketAndTheCgroupParent() throws Exception {
        ItResources it = Setup.it;
        ProcessHandle agent = Setup.agent().orElseThrow(() -> new AssertionError("no agent process with "
                + Setup.socket + " among " + ProcessHandle.current().children().map(p -> p.info().toString()).toList()));
        assertTrue(Files.exists(Setup.socket));
        assertFalse(it.cgroups().leftovers(it.cgroupParent()).isEmpty(), "the agent made its cgroup parent");

        agent.destroy(); // SIGTERM
        agent.onExit().get(10, TimeUnit.SECONDS);

        assertFalse(Files.exists(Setup.socket), "socket removed");
        assertEquals(List.of(), it.cgroups().leftovers(it.cgroupParent()), "the empty cgroup parent is removed");
        Path log = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class).getConfigMapping(LogRuntimeConfig.class)
                .file().path().toPath();
        String text = Files.readString(log);
        assertTrue(text.contains("SIGTERM: stopping") && text.contains("stopped in"), "graceful stop, log " + log);
    }
}
