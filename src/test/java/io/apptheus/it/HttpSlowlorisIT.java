package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.apptheus.it.support.Scrape.named;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.Hostile;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;

/**
 * Issue 13, item 2: an unprivileged user (uid 65534) holds half-sent HTTP requests from 127.0.0.1,
 * past both connection bounds, in two processes: one trickles a header line every half second,
 * the other sends nothing more. Meanwhile a client on 127.0.0.2 (Prometheus, an admin) scrapes,
 * probes and reads the API, a starter registers and a container is sampled. The agent runs with
 * the launcher's heap (-Xmx96m, exit on OutOfMemoryError).
 */
class HttpSlowlorisIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final int MAX_CONNECTIONS = 200;
    private static final int PER_ADDRESS = 50;
    private static final int ATTACKER_CONNECTIONS = 1000;
    private static final String OTHER = "127.0.0.2";

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void halfSentRequestsFromOneAddressNeitherBlindNorStarveTheAgent() throws Exception {
        AgentProcess agent = it.agent().jvmArgs("-XX:+UseSerialGC", "-Xmx96m", "-XX:+ExitOnOutOfMemoryError")
                .flag("--web.max-connections", Integer.toString(MAX_CONNECTIONS))
                .flag("--web.max-connections-per-address", Integer.toString(PER_ADDRESS))
                .flag("--web.read-header-timeout", "2s").flag("--web.idle-timeout", "5s")
                .start().awaitReady(READY);
        FakeStarter.Handle before = it.start(it.trustedStarter(), it.socketPath(), "burn", "40");
        agent.awaitScrape(Duration.ofSeconds(30), s -> s.has("container_processes", named("starter_" + before.pid())));
        long baseFds = fds(agent);
        double errorsBefore = sampleErrors(agent.scrape());

        Hostile hostile = it.register(new Hostile(it.tempDir()));
        Duration attack = Duration.ofSeconds(30);
        List<Hostile.Attack> attackers = List.of(
                hostile.httpSlowloris("127.0.0.1", agent.port(), "127.0.0.1", ATTACKER_CONNECTIONS, attack, 500),
                hostile.httpSlowloris("127.0.0.1", agent.port(), "127.0.0.1", ATTACKER_CONNECTIONS, attack, 0));
        // the attack is on: connections refused at the per-address bound, heads timed out
        Scrape first = awaitFrom(agent, Duration.ofSeconds(60), s -> counter(s, "apptheus_http_connections_refused_total",
                "limit", "address") > 0 && counter(s, "apptheus_http_connections_timed_out_total", "timeout", "header") > 0);
        assertTrue(first.value("apptheus_http_connections_open").orElseThrow() <= MAX_CONNECTIONS);

        FakeStarter.Handle during = it.start(it.trustedStarter(), it.socketPath(), "sleep", "10");
        long maxFds = 0;
        int scrapes = 0;
        boolean registered = false;
        while (attackers.stream().anyMatch(Hostile.Attack::isAlive)) {
            Curl metrics = curlFrom(agent, "/metrics");
            assertEquals("200", metrics.status(), "scrape from " + OTHER + " during the attack: " + metrics);
            Scrape s = Scrape.parse(metrics.body());
            registered |= s.has("container_processes", named("starter_" + during.pid()));
            assertEquals("200", curlFrom(agent, "/q/health/live").status(), "liveness from " + OTHER);
            assertEquals("200", curlFrom(agent, "/api/v1/containers").status(), "API from " + OTHER);
            maxFds = Math.max(maxFds, fds(agent));
            scrapes++;
            assertTrue(agent.isAlive(), agent.describe());
            Thread.sleep(500);
        }
        for (Hostile.Attack a : attackers) {
            Map<String, Long> f = a.await(Duration.ofSeconds(30));
            assertTrue(f.get("closed_by_server") > 0, a + ": " + f);
        }
        assertTrue(scrapes >= 3, "scraped " + scrapes + " times during the attack");
        assertTrue(registered, "the starter that came during the attack was registered");
        // the HTTP side held at most its bound: the core kept its file descriptors
        assertTrue(maxFds <= baseFds + MAX_CONNECTIONS + 20, "fds " + baseFds + " -> " + maxFds);

        Scrape after = awaitFrom(agent, Duration.ofSeconds(30),
                s -> s.value("apptheus_http_connections_open").orElse(99) <= 1);
        assertEquals(errorsBefore, sampleErrors(after), "no sample failed during the attack");
        assertEquals(0.0, after.registrations("error"));
        assertTrue(counter(after, "apptheus_http_connections_timed_out_total", "timeout", "header") >= PER_ADDRESS);
        assertTrue(agent.isAlive(), agent.describe());
        assertTrue(before.isAlive(), "the container sampled meanwhile still runs");
    }

    private static double counter(Scrape s, String name, String label, String value) {
        return s.value(name, Map.of(label, value)).orElse(0);
    }

    private static double sampleErrors(Scrape s) {
        return s.series("apptheus_sample_errors_total").stream().mapToDouble(Scrape.Sample::value).sum();
    }

    private static long fds(AgentProcess agent) throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(agent.pid()), "fd"))) {
            return s.count();
        }
    }

    private static Scrape awaitFrom(AgentProcess agent, Duration timeout, java.util.function.Predicate<Scrape> until)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            Curl c = curlFrom(agent, "/metrics");
            if (c.status().equals("200")) {
                Scrape s = Scrape.parse(c.body());
                if (until.test(s)) {
                    return s;
                }
            }
            assertTrue(System.nanoTime() < deadline, "condition not met after " + timeout + "; last: " + c.status()
                    + "\n" + agent.describe());
            Thread.sleep(200);
        }
    }

    private record Curl(int exit, String status, String body) {
    }

    /** GET from 127.0.0.2, the address the attacker does not use; 20 s at most. */
    private static Curl curlFrom(AgentProcess agent, String path) throws Exception {
        List<String> cmd = List.of("curl", "-sS", "--interface", OTHER, "--max-time", "20", "-w", "\n%{http_code}",
                "http://127.0.0.1:" + agent.port() + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not return: " + cmd);
        }
        int nl = out.lastIndexOf('\n');
        return new Curl(p.exitValue(), out.substring(nl + 1).strip(), nl < 0 ? "" : out.substring(0, nl));
    }
}
