package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.apptheus.it.support.Scrape.named;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.Hostile;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;

/**
 * Issue 13, item 1: an unprivileged user (uid 65534) floods the starters' socket with connections
 * and reconnects each one the agent closes, while trusted starters of another user (root) come.
 * The attacker holds more connections than its uid may have waiting, so the bound is reached and
 * the surplus churns at accept.
 */
class SocketFloodIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final int PER_UID = 300;
    private static final int ATTACKER_CONNECTIONS = 1500;
    private static final int STARTERS = 40;
    private static final Duration BACKOFF = Duration.ofMillis(100);

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void oneUsersConnectionChurnCostsAnotherUsersStartersNothing() throws Exception {
        AgentProcess agent = it.agent().flag("--socket.max-waiting-per-uid", Integer.toString(PER_UID))
                .flag("--socket.max-waiting", Integer.toString(2 * PER_UID))
                .flag("--socket.untrusted-backoff", BACKOFF.toMillis() + "ms").start().awaitReady(READY);
        Hostile hostile = it.register(new Hostile(it.tempDir()));
        long attackStart = System.nanoTime();
        Hostile.Attack churn = hostile.socketChurn(it.socketPath(), ATTACKER_CONNECTIONS, Duration.ofSeconds(40));
        // the attacker's uid has all it may have waiting, and its surplus is refused at accept
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.registrations("refused_uid_limit") > 0
                && s.value("apptheus_connections_waiting").orElse(0) >= PER_UID);

        List<FakeStarter.Handle> starters = new ArrayList<>();
        for (int i = 0; i < STARTERS; i++) {
            starters.add(it.start(it.trustedStarter(), it.socketPath(), "sleep", "20"));
        }
        for (FakeStarter.Handle h : starters) {
            h.awaitConnectAttempt(Duration.ofSeconds(60));
            assertTrue(h.connected(), "a trusted starter's dial failed (backlog full?): " + h.describe());
        }
        Scrape during = agent.awaitScrape(Duration.ofSeconds(90), s -> starters.stream()
                .allMatch(h -> s.has("container_processes", named("starter_" + h.pid()))));
        assertTrue(churn.isAlive(), "the attack lasted the whole burst");
        double elapsed = (System.nanoTime() - attackStart) / 1e9;

        assertEquals(STARTERS, (int) during.registrations("accepted"), "every trusted starter registered");
        assertEquals(0.0, during.registrations("error"));
        assertEquals(0.0, during.registrations("refused_limit"), "the bound of all uids was never reached");
        assertTrue(during.registrations("refused_uid_limit") > 0, "the attacker's surplus was refused at accept");
        // the attacker's waiting connections are verified one at a time per back-off, not as fast as
        // it reconnects: at most what was in flight at once plus one per back-off period
        double untrusted = during.registrations("untrusted");
        assertTrue(untrusted >= 1, "the attacker's connections get their turn too");
        assertTrue(untrusted <= 32 + elapsed / (BACKOFF.toMillis() / 1000.0) + 1,
                untrusted + " untrusted verdicts in " + elapsed + " s");

        Map<String, Long> figures = churn.await(Duration.ofSeconds(90));
        assertTrue(figures.get("closed_by_agent") > 0, figures.toString());
        // when the attacker is gone, nothing of it is left waiting
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.value("apptheus_connections_waiting").orElse(-1) == 0);
        for (FakeStarter.Handle h : starters) {
            assertEquals(0, h.awaitExit(Duration.ofSeconds(60)), h.describe());
        }
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.value("apptheus_connections_open").orElse(-1) == 0);
        assertTrue(agent.isAlive());
    }
}
