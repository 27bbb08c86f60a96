package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Launcher;
import io.apptheus.it.support.Scrape;

/**
 * Scrapes that pile up: the agent's heap does not grow with what clients have not taken yet. Before
 * the scrape's write window, 200 parallel scrapes of 200 containers (1 MB each) queued their chunks
 * in Vert.x's write tasks faster than the event loop sent them, and the launcher's 96 MB heap ran
 * out (docs/security.md).
 */
class ScrapeFloodIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Pattern RESULT = Pattern.compile("scrapes ok=(\\d+) busy=(\\d+) failed=(\\d+) bytes=(\\d+)");

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void twoHundredParallelScrapesOfTwoHundredContainersNeverKillTheAgent() throws Exception {
        // every scrape answered at once (no 503, none refused at accept, all from one address): the
        // write window alone must bound the heap
        AgentProcess agent = it.agent().jvmArgs(Launcher.jvmFlags().toArray(new String[0]))
                .flag("--web.max-requests", "200").flag("--web.max-connections-per-address", "256")
                .start().awaitReady(READY);
        it.start(it.trustedStarter(), it.socketPath(), "lifecycles", "200", "200", "600000");
        awaitContainers(agent, 200, Duration.ofSeconds(240));
        int size = agent.get("/metrics").body().length();
        for (String stallMillis : new String[] {"0", "5000"}) { // read at once; read nothing for 5 s first
            FakeStarter.Handle flood = it.starters().startAs(Launcher.NOBODY, it.trustedStarter(), it.socketPath(),
                    Map.of(), "scrapes", "200", "127.0.0.1", Integer.toString(agent.port()), "/metrics", stallMillis);
            assertEquals(0, flood.awaitExit(Duration.ofMinutes(4)), flood.describe());
            Matcher m = RESULT.matcher(flood.stdout());
            assertTrue(m.find(), flood.describe());
            assertTrue(agent.isAlive(), "the agent died (stall " + stallMillis + " ms)\n" + agent.describe());
            assertEquals(200, Integer.parseInt(m.group(1)), flood.stdout());
            assertTrue(Long.parseLong(m.group(4)) >= 200L * size * 9 / 10, flood.stdout() + " answers of ~" + size);
        }
        Scrape s = agent.scrape();
        assertEquals(200.0, s.value("apptheus_containers").orElse(0));
        assertEquals(0.0, s.registrations("error"));
    }

    /**
     * Polls until {@code n} containers are monitored. A scrape during a burst of registrations may
     * wait for a worker thread longer than the harness's 5 s (they share the pool): retried.
     */
    private static void awaitContainers(AgentProcess agent, int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            try {
                if (agent.scrape().value("apptheus_containers").orElse(0) == n) {
                    return;
                }
            } catch (AssertionError e) {
                if (!agent.isAlive()) {
                    throw e;
                }
            }
            assertTrue(System.nanoTime() < deadline, n + " containers not monitored after " + timeout);
            Thread.sleep(500);
        }
    }
}
