package io.apptheus.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** AgentProcess and ItResources against {@link FakeAgentMain}, a stand-in for the real agent. */
class AgentProcessTest {
    private static final Duration T = Duration.ofSeconds(30);

    @RegisterExtension
    final ItResources it = new ItResources();

    private static String[] fakeAgent() throws Exception {
        Path classes = Path.of(FakeAgentMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return new String[] {Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
            "-cp", classes.toString(), FakeAgentMain.class.getName()};
    }

    @Test
    void startsWithTheFlagsServesAndStops() throws Exception {
        Path untrusted = it.untrustedStarter();
        AgentProcess agent = it.agent().launcher(fakeAgent())
                .trustPaths(it.trustedStarter(), Path.of("/opt/other starter"))
                .monitorInterval(Duration.ofMillis(200)).retainExited(Duration.ofSeconds(5)).start()
                .awaitReady(T);
        agent.awaitLog("fake agent: ready", T);
        String log = agent.log();
        assertTrue(log.contains(AgentProcess.FLAG_SOCKET_PATH + "=" + it.socketPath()), log);
        assertTrue(log.contains(AgentProcess.FLAG_TRUST_PATH + "=" + it.trustedStarter() + ";/opt/other starter"), log);
        assertTrue(log.contains(AgentProcess.FLAG_CGROUP_PARENT + "=" + it.cgroupParent()), log);
        assertTrue(it.cgroupParent().startsWith("apptheus-it-"));
        assertTrue(log.contains(AgentProcess.FLAG_MONITOR_INTERVAL + "=200ms"), log);
        assertTrue(log.contains(AgentProcess.FLAG_RETAIN_EXITED + "=5000ms"), log);
        assertTrue(log.contains(AgentProcess.FLAG_LISTEN_ADDRESS + "=127.0.0.1:" + agent.port()), log);

        FakeStarter.Handle a = it.start(it.trustedStarter(), it.socketPath(), "sleep", "1");
        FakeStarter.Handle b = it.start(untrusted, it.socketPath(), "sleep", "30");
        assertTrue(a.connected() && b.connected());
        Map<String, String> sock = Map.of("socket", it.socketPath().toString());
        Scrape s = agent.awaitScrape(T, x -> x.value("fake_open_connections", sock).orElse(0) == 2);
        assertEquals(OptionalDouble.of(2), s.value("fake_connections_total"));
        assertEquals("counter", s.type("fake_connections_total").orElseThrow());

        a.awaitExit(T);
        agent.awaitScrape(T, x -> x.value("fake_open_connections", sock).orElse(0) == 1);
        b.kill();
        assertFalse(b.isAlive());
        agent.awaitScrape(T, x -> x.value("fake_open_connections", sock).orElse(0) == 0);

        agent.sigterm();
        int code = agent.awaitExit(T);
        assertTrue(code == 143 || code == 0, "exit " + code);
        assertTrue(agent.log().contains("fake agent: stopping"), agent.log());
        assertFalse(Files.exists(it.socketPath()));
    }

    @Test
    void awaitReadyFailsWithTheLogWhenTheAgentDies() throws Exception {
        AgentProcess agent = it.agent().launcher(fakeAgent()).args("--fail").start();
        AssertionError e = assertThrows(AssertionError.class, () -> agent.awaitReady(T));
        assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
        assertTrue(e.getMessage().contains("fake agent: failing at start"), e.getMessage());
        assertEquals(3, agent.awaitExit(T));
    }

    @Test
    void kill9() throws Exception {
        AgentProcess agent = it.agent().launcher(fakeAgent()).start().awaitReady(T);
        agent.kill9();
        assertEquals(137, agent.awaitExit(T));
    }

    @Test
    void closeRemovesAgentsStartersCgroupsAndTheTempDir() throws Exception {
        ItResources own = new ItResources();
        AgentProcess agent = own.agent().launcher(fakeAgent()).start().awaitReady(T);
        FakeStarter.Handle s = own.start(own.trustedStarter(), own.socketPath(), "fork", "2", "60");
        long child = s.childPid();
        List<ProcessHandle> tree = ProcessHandle.of(child).orElseThrow().descendants().toList();
        String parent = own.cgroupParent();
        Map<String, Path> dirs = own.cgroups().dirsOf(parent);
        Process stray = new ProcessBuilder("sleep", "60").start();
        for (Path d : dirs.values()) {
            Files.createDirectories(d.resolve("starter_1"));
            TestCgroups.attach(stray.pid(), d.resolve("starter_1"));
        }
        Path tmp = own.tempDir();

        own.close();

        assertFalse(agent.isAlive());
        assertFalse(s.isAlive());
        assertFalse(ProcessHandle.of(child).map(Procs::isRunning).orElse(false), "child " + child);
        tree.forEach(p -> assertFalse(Procs.isRunning(p), "grandchild " + p.pid()));
        assertTrue(stray.waitFor(10, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(List.of(), own.cgroups().leftovers(parent));
        assertFalse(Files.exists(tmp));
    }
}
