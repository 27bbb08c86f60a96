package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.ItResources;

/** The packaged agent's command line: usage errors exit 2, a non-root user exits 1, one line each. */
class CommandLineIT {

    @RegisterExtension
    final ItResources it = new ItResources();

    private int exitOf(AgentProcess agent) {
        return agent.awaitExit(Duration.ofSeconds(30));
    }

    @Test
    void unknownFlagExits2NamingIt() {
        AgentProcess agent = it.register(AgentProcess.builder().args("--no.such=1").start());
        assertEquals(2, exitOf(agent));
        assertTrue(agent.log().strip().equals("apptheus: unknown flag --no.such (see --help)"), agent.log());
    }

    @Test
    void badValueExits2NamingTheFlag() {
        AgentProcess agent = it.register(AgentProcess.builder().args("--monitor.interval=fast").start());
        assertEquals(2, exitOf(agent));
        assertTrue(agent.log().contains("--monitor.interval"), agent.log());
        assertEquals(1, agent.log().strip().lines().count(), agent.log());
    }

    @Test
    void helpAndVersionExit0() {
        AgentProcess help = it.register(AgentProcess.builder().args("--help").start());
        assertEquals(0, exitOf(help));
        assertTrue(help.log().contains("--trust.path"), help.log());
        AgentProcess version = it.register(AgentProcess.builder().args("--version").start());
        assertEquals(0, exitOf(version));
        assertTrue(version.log().startsWith("apptheus "), version.log());
    }

    @Test
    void notRootExits1() {
        AgentProcess agent = it.register(AgentProcess.builder()
                .launcher("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
                .args("--web.listen-address=127.0.0.1:0").start());
        assertEquals(1, exitOf(agent));
        assertTrue(agent.log().contains("must run as root"), agent.log());
    }
}
