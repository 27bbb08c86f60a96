package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Launcher;
import io.apptheus.it.support.Scrape;

/** Scrapes that pile up: the agent's heap does not grow with what slow clients have not read yet. */
class ScrapeFloodIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void twoHundredParallelScrapesOfTwoHundredContainersNeverKillTheAgent() throws Exception {
        AgentProcess agent = it.agent().jvmArgs(Launcher.jvmFlags().toArray(new String[0])).start().awaitReady(READY);
        it.start(it.trustedStarter(), it.socketPath(), "lifecycles", "200", "200", "600000");
        agent.awaitScrape(Duration.ofSeconds(120), s -> s.value("apptheus_containers").orElse(0) == 200);
        for (int round = 0; round < 3; round++) {
            FakeStarter.Handle flood = it.starters().startAs(Launcher.NOBODY, it.trustedStarter(), it.socketPath(),
                    Map.of(), "scrapes", "200", "127.0.0.1", Integer.toString(agent.port()), "/metrics", "5000");
            assertEquals(0, flood.awaitExit(Duration.ofMinutes(3)), flood.describe());
            System.out.println("round " + round + ": " + flood.stdout().strip());
            assertTrue(agent.isAlive(), "the agent died in round " + round + "\n" + agent.describe());
        }
        Scrape s = agent.scrape();
        assertEquals(200.0, s.value("apptheus_containers").orElse(0));
    }
}
