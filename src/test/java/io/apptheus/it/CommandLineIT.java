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

    /** What the agent printed, without the harness's "# command" header. */
    private static String output(AgentProcess agent) {
        return agent.log().lines().filter(l -> !l.startsWith("# ")).collect(java.util.stream.Collectors.joining("\n"));
    }

    @Test
    void unknownFlagExits2NamingIt() {
        AgentProcess agent = it.register(AgentProcess.builder().args("--no.such=1").start());
        assertEquals(2, exitOf(agent));
        assertEquals("apptheus: unknown flag --no.such (see --help)", output(agent).strip());
    }

    @Test
    void badValueExits2NamingTheFlag() {
        AgentProcess agent = it.register(AgentProcess.builder().args("--monitor.interval=fast").start());
        assertEquals(2, exitOf(agent));
        assertTrue(agent.log().contains("--monitor.interval"), agent.log());
        assertEquals(1, output(agent).strip().lines().count(), agent.log());
    }

    @Test
    void helpAndVersionExit0() {
        AgentProcess help = it.register(AgentProcess.builder().args("--help").start());
        assertEquals(0, exitOf(help));
        assertTrue(help.log().contains("--trust.path"), help.log());
        AgentProcess version = it.register(AgentProcess.builder().args("--version").start());
        assertEquals(0, exitOf(version));
        assertTrue(output(version).startsWith("apptheus "), version.log());
    }

    @Test
    void notRootExits1() {
        AgentProcess agent = it.register(AgentProcess.builder()
                .wrappedBy("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups").start());
        assertEquals(1, exitOf(agent));
        assertTrue(agent.log().contains("must run as root"), agent.log());
    }
}
