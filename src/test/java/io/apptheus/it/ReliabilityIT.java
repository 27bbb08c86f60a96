package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.apptheus.it.support.Scrape.named;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;

/** Hostile callers, faults and restarts, on the packaged agent with real sockets and cgroups. */
class ReliabilityIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Map<String, String> DELAYED = Map.of("FAKESTARTER_START_DELAY_MS", "300");
    /** The agent under test is a native executable (-Dapptheus.native, see AgentProcess). */
    private static final boolean NATIVE = !System.getProperty("apptheus.native", "").isBlank();

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void afterKill9TheNextStartAdoptsRunningContainersWithTheirCounters() throws Exception {
        AgentProcess first = it.agent().start().awaitReady(READY);
        List<FakeStarter.Handle> starters = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            starters.add(it.starters().start(it.trustedStarter(), it.socketPath(), DELAYED,
                    // they live until the test ends them: on a loaded box two agent starts take many seconds
                    i < 2 ? new String[] {"spin", "0.5", "120"} : new String[] {"sleep", "120"}));
        }
        Scrape before = first.awaitScrape(Duration.ofSeconds(60), s -> starters.stream()
                .allMatch(h -> s.has("container_processes", named("starter_" + h.pid())))
                && starters.subList(0, 2).stream().allMatch(h ->
                        s.value("container_cpu_usage_seconds_total", named("starter_" + h.pid())).orElse(0) > 0.3));
        first.kill9();
        first.awaitExit(Duration.ofSeconds(10));
        assertTrue(Files.exists(it.socketPath()), "kill -9 leaves a stale socket behind");

        AgentProcess second = it.agent().start().awaitReady(READY);
        Scrape after = second.awaitScrape(Duration.ofSeconds(60),
                s -> starters.stream().allMatch(h -> s.has("container_processes", named("starter_" + h.pid()))));
        for (FakeStarter.Handle h : starters) {
            String name = "starter_" + h.pid();
            double was = before.value("container_cpu_usage_seconds_total", named(name)).orElseThrow();
            double now = after.value("container_cpu_usage_seconds_total", named(name)).orElseThrow();
            assertTrue(now >= was, name + " went backwards: " + was + " -> " + now);
            assertEquals(Long.toString(h.pid()), after.series("container_processes", named(name)).get(0).labels().get("pid"));
        }
        assertTrue(second.log().contains("adopted from an earlier run"), second.logTail(30));
        for (FakeStarter.Handle h : starters) {
            h.child().ifPresent(ProcessHandle::destroyForcibly); // the containers end
            assertEquals(0, h.awaitExit(Duration.ofSeconds(30)));
        }
        second.awaitScrape(Duration.ofSeconds(60), s -> starters.stream()
                .allMatch(h -> s.value("container_processes", named("starter_" + h.pid())).orElse(-1) == 0));
        assertEquals(List.of(), it.cgroups().leftovers(it.cgroupParent()).stream()
                .filter(p -> p.getFileName().toString().startsWith("starter_")).toList(), "cgroups cleaned up");
    }

    @Test
    void sigtermKeepsContainersForTheNextStart() throws Exception {
        AgentProcess first = it.agent().start().awaitReady(READY);
        FakeStarter.Handle h = it.starters().start(it.trustedStarter(), it.socketPath(), DELAYED, "sleep", "120");
        String name = "starter_" + h.pid();
        first.awaitScrape(Duration.ofSeconds(60), s -> s.has("container_processes", named(name)));
        first.sigterm();
        assertEquals(0, first.awaitExit(Duration.ofSeconds(5)));
        assertTrue(it.cgroups().cgroupOf(h.childPid()).get("cpuacct").endsWith("/" + name),
                "the container stays in its cgroup: " + it.cgroups().cgroupOf(h.childPid()));
        AgentProcess second = it.agent().start().awaitReady(READY);
        second.awaitScrape(Duration.ofSeconds(60), s -> s.value("container_processes", named(name)).orElse(0) >= 1);
        h.child().ifPresent(ProcessHandle::destroyForcibly); // the container ends
        assertEquals(0, h.awaitExit(Duration.ofSeconds(20)));
        second.awaitScrape(Duration.ofSeconds(60), s -> s.value("container_processes", named(name)).orElse(-1) == 0);
    }

    @Test
    void sigtermWhileHundredsOfContainersEndExitsQuietlyWithinFiveSeconds() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle many = it.start(it.trustedStarter(), it.socketPath(), "lifecycles", "500", "500", "60000");
        agent.awaitScrape(Duration.ofSeconds(90), x -> x.value("apptheus_containers").orElse(0) == 500);
        // every container ends at once (their close events and the sweep's ends are queued) as the agent stops
        many.handle().descendants().forEach(ProcessHandle::destroyForcibly);
        agent.sigterm();
        assertEquals(0, agent.awaitExit(Duration.ofSeconds(5)));
        String log = agent.log();
        assertFalse(log.contains("Exception") || log.contains("Error Occurred After Shutdown"),
                "nothing is handed to a bean after shutdown: " + agent.logTail(30));
        assertFalse(Files.exists(it.socketPath()), "the socket is removed");
    }

    @Test
    void aCallerWhoseExecutableWasReplacedIsRefusedAndTheNewOneIsTrusted() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        Path trusted = it.trustedStarter();
        FakeStarter.Handle old = it.starters().start(trusted, it.socketPath(),
                Map.of("FAKESTARTER_CONNECT_DELAY_MS", "1500"), "sleep", "3");
        FakeStarter.copyTo(trusted); // an upgrade replaces the file (a new inode) while the old one runs
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60), x -> x.registrations("untrusted") == 1);
        assertEquals(0.0, s.registrations("accepted"));
        // the path is quoted in the message (a caller names its file as it likes), the message in the logfmt line
        assertTrue(agent.log().lines().filter(l -> l.startsWith("ts=")).map(io.apptheus.it.support.LogfmtParser::parse)
                .anyMatch(kv -> kv.get("msg").contains("refused pid " + old.pid() + " uid 0 gid 0 exe \"" + trusted
                        + " (deleted)\"")), agent.logTail(10));
        assertEquals(0, old.awaitExit(Duration.ofSeconds(20)), "a refused container still runs");

        FakeStarter.Handle upgraded = it.start(trusted, it.socketPath(), "sleep", "1");
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.registrations("accepted") == 1
                && x.has("container_processes", named("starter_" + upgraded.pid())));
        assertEquals(0, upgraded.awaitExit(Duration.ofSeconds(20)));
    }

    @Test
    void aPidReusedWhileItsCallerWaitsToBeVerifiedIsRefusedAsRaced() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        double expected = 0;
        for (int attempt = 1; ; attempt++) {
            // 300 starters queue registrations; caller A connects and exits; B takes A's PID
            FakeStarter.Handle h = it.start(it.trustedStarter(), it.socketPath(), "pidreuse", "300", "3000", "20");
            assertEquals(0, h.awaitExit(Duration.ofMinutes(2)), h.stderr());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("pidreuse pid=(\\d+) reused=1 tries=(\\d+)")
                    .matcher(h.stdout());
            assertTrue(m.find(), "no PID could be reused: " + h.stdout() + h.stderr());
            String pid = m.group(1);
            String holder = h.stdout().lines().filter(l -> l.contains("pidreuse-holder pid=" + pid + " "))
                    .findFirst().orElseThrow();
            expected += 301.0 * Long.parseLong(m.group(2)); // each try: the burst and A
            double all = expected;
            Scrape s = agent.awaitScrape(Duration.ofSeconds(30), x -> x.registrations("accepted")
                    + x.registrations("gone") + x.registrations("raced") == all);
            assertEquals(0.0, s.registrations("error"));
            String verdict = agent.log().lines().filter(l -> l.contains(" pid " + pid + " ")).findFirst().orElse("");
            // whatever A's outcome, B (the process now holding A's PID) is never taken for A
            assertFalse(holder.contains("/starter_" + pid + ";"), "B was not moved: " + holder + "; A: " + verdict);
            if (s.registrations("raced") >= 1) {
                assertTrue(verdict.contains("PID"), "A's refusal is logged: " + verdict);
                assertFalse(s.has("container_processes", named("starter_" + pid)), "the reused PID is not monitored");
                break;
            }
            // A was verified before it exited (accepted), or its connection closed with it before its
            // turn came (gone, never verified: the admission queue drops it): the race did not happen
            // this time. The registrar's own check is RegistrarTest.aReusedPidIsRefusedAsRaced.
            if (attempt == 3) {
                break;
            }
        }
        agent.awaitScrape(Duration.ofSeconds(60), x -> it.cgroups().leftovers(it.cgroupParent()).stream()
                .noneMatch(p -> p.getFileName().toString().startsWith("starter_")));
    }

    /** The dials of a driver ("connects ok=N failed=M"): all 10,000 made, N of them connected. */
    private static long dialled(FakeStarter.Handle h, String driver) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(driver + " ok=(\\d+) failed=(\\d+)").matcher(h.stdout());
        assertTrue(m.find(), h.describe());
        long ok = Long.parseLong(m.group(1));
        assertEquals(10_000, ok + Long.parseLong(m.group(2)), h.stdout());
        assertTrue(ok >= 1, h.stdout());
        return ok;
    }

    @Test
    void floodsOfUntrustedAndShortLivedCallersLeaveNothingBehind() throws Exception {
        AgentProcess agent = heapDumps(it.agent()).retainExited(Duration.ofSeconds(20)).start().awaitReady(READY);
        Thread.sleep(2000);
        long fdsBefore = fds(agent);
        double heapBefore = heapAfterGc(agent);

        FakeStarter.Handle real = it.starters().start(it.trustedStarter(), it.socketPath(), DELAYED, "burn", "4");
        FakeStarter.Handle untrusted = it.start(it.untrustedStarter(), it.socketPath(), "connects", "10000");
        FakeStarter.Handle shortLived = it.start(it.trustedStarter(), it.socketPath(), "flood", "10000", "50");
        assertEquals(0, real.awaitExit(Duration.ofSeconds(120)));

        // the real container's final values, read while the floods go on (on a loaded machine they
        // outlast its retention)
        String name = "starter_" + real.pid();
        Scrape ended = agent.awaitScrape(Duration.ofSeconds(60),
                x -> x.value("container_processes", named(name)).orElse(-1) == 0);
        double measured = ended.value("container_cpu_usage_seconds_total", named(name)).orElseThrow();
        assertTrue(measured >= 0.8 * real.childCpuSeconds(), measured + " of " + real.childCpuSeconds());

        assertEquals(0, untrusted.awaitExit(Duration.ofMinutes(5)));
        assertEquals(0, shortLived.awaitExit(Duration.ofMinutes(5)));
        // the dial is non-blocking, as Apptainer's: while the untrusted uid backs off, its
        // connections wait and the listen backlog may fill, and a dial then fails at once (EAGAIN)
        long untrustedOk = dialled(untrusted, "connects");
        long floodOk = dialled(shortLived, "flood");

        // every connection the agent accepted has exactly one counted outcome
        long all = 1 + untrustedOk + floodOk;
        Scrape s = agent.awaitScrape(Duration.ofSeconds(120), x -> x.registrations("untrusted")
                + x.registrations("accepted") + x.registrations("gone") + x.registrations("raced")
                + x.registrations("refused_limit") + x.registrations("refused_uid_limit") == all);
        assertEquals(0.0, s.registrations("error"));
        assertTrue(s.registrations("accepted") >= 1, "the real container was accepted");

        // one scrape is not one instant: the containers' series are written first, the agent's own
        // gauges after, so a container whose retention ends in between shows in the one and not the
        // other (the gauge drops before the series go). A series that stays (a leak) fails the wait.
        Scrape settled = agent.awaitScrape(Duration.ofSeconds(120), x -> x.value("apptheus_containers").orElse(-1) == 0
                && x.value("apptheus_connections_open").orElse(-1) == 0
                && x.series("container_cpu_usage_seconds_total").isEmpty());
        assertTrue(settled.series("container_cpu_usage_seconds_total").isEmpty(), "no container series left");
        long fdsAfter = fds(agent);
        double heapAfter = heapAfterGc(agent);
        assertTrue(fdsAfter <= fdsBefore + 8, "fds " + fdsBefore + " -> " + fdsAfter);
        assertTrue(heapAfter <= heapBefore + 16e6, "heap " + heapBefore + " -> " + heapAfter);
        assertTrue(agent.isAlive());
        assertEquals(List.of(), it.cgroups().leftovers(it.cgroupParent()).stream()
                .filter(p -> p.getFileName().toString().startsWith("starter_")).toList());
    }

    @Test
    void clientsThatSpamOrHalfCloseCostNothingLasting() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle spam = it.start(it.trustedStarter(), it.socketPath(), "spam", "4096", "3");
        FakeStarter.Handle half = it.start(it.trustedStarter(), it.socketPath(), "halfclose", "3");
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60), x -> x.has("container_processes", named("starter_" + spam.pid()))
                && x.has("container_processes", named("starter_" + half.pid())));
        Thread.sleep(1000);
        s = agent.scrape();
        assertEquals(2.0, s.value("container_processes", named("starter_" + half.pid())).orElseThrow(),
                "a half-closed connection does not end a container whose processes run (master and child)");
        assertEquals(0, spam.awaitExit(Duration.ofSeconds(20)));
        assertEquals(0, half.awaitExit(Duration.ofSeconds(20)));
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.value("container_processes", named("starter_" + spam.pid())).orElse(-1) == 0
                && x.value("container_processes", named("starter_" + half.pid())).orElse(-1) == 0);
        assertTrue(agent.isAlive());
    }

    @Test
    void pastTheContainerLimitCallersAreRefusedWithACountedReason() throws Exception {
        AgentProcess agent = it.agent().flag("--monitor.max-containers", "2").start().awaitReady(READY);
        List<FakeStarter.Handle> hs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            hs.add(it.start(it.trustedStarter(), it.socketPath(), "sleep", "3"));
            agent.awaitScrape(Duration.ofSeconds(60), x -> x.registrations("accepted") + x.registrations("refused_limit")
                    == hs.size());
        }
        Scrape s = agent.scrape();
        assertEquals(2.0, s.registrations("accepted"));
        assertEquals(1.0, s.registrations("refused_limit"));
        assertTrue(agent.log().contains("--monitor.max-containers"), agent.logTail(10));
        for (FakeStarter.Handle h : hs) {
            assertEquals(0, h.awaitExit(Duration.ofSeconds(20)), "a refused container still runs");
        }
    }

    @Test
    void soak2000LifecyclesLeaveNoCgroupNoMeterAndKeepEveryFinalValue() throws Exception {
        // retention: the first containers' final values must outlast the whole soak on a loaded box
        AgentProcess agent = heapDumps(it.agent()).retainExited(Duration.ofSeconds(120)).start().awaitReady(READY);
        Thread.sleep(2000);
        long fdsBefore = fds(agent);
        double heapBefore = heapAfterGc(agent);
        // 2,000 starters, 200 alive at once, each living 6 s: long enough to be verified on a loaded box
        FakeStarter.Handle soak = it.start(it.trustedStarter(), it.socketPath(), "lifecycles", "2000", "200", "6000");
        assertEquals(0, soak.awaitExit(Duration.ofMinutes(5)));
        assertTrue(soak.stdout().contains("lifecycles ok=2000 failed=0"), soak.stdout());

        // every lifecycle is accounted: accepted, or gone/raced/refused_limit with a counted reason
        Scrape done = agent.awaitScrape(Duration.ofSeconds(60), x -> x.registrations("accepted")
                + x.registrations("gone") + x.registrations("raced") + x.registrations("refused_limit") == 2000
                && x.series("container_processes").stream().allMatch(p -> p.value() == 0));
        Map<String, Double> cpu = new HashMap<>();
        done.series("container_cpu_usage_seconds_total").forEach(x -> cpu.put(x.labels().get("name"), x.value()));
        assertEquals((int) done.registrations("accepted"), cpu.size(), "every accepted container has its final CPU counter");
        // which of them the agent verified in time depends on the machine's load (the rest are
        // counted as gone); what may not depend on it: each is accounted, each accepted keeps its values
        assertTrue(done.registrations("accepted") >= 1000, "accepted " + done.registrations("accepted"));
        assertEquals(0.0, done.registrations("error"));
        assertEquals(List.of(), it.cgroups().leftovers(it.cgroupParent()).stream()
                .filter(p -> p.getFileName().toString().startsWith("starter_")).toList(), "no cgroup left");

        Scrape after = agent.awaitScrape(Duration.ofSeconds(200), x -> x.value("apptheus_containers").orElse(-1) == 0
                && x.series("container_cpu_usage_seconds_total").isEmpty()); // see the flood test
        assertTrue(after.series("container_cpu_usage_seconds_total").isEmpty(), "no meter left after the retention");
        long fdsAfter = fds(agent);
        double heapAfter = heapAfterGc(agent);
        assertTrue(fdsAfter <= fdsBefore + 8, "fds " + fdsBefore + " -> " + fdsAfter);
        assertTrue(heapAfter <= heapBefore + 16e6, "heap " + heapBefore + " -> " + heapAfter);
    }

    private static long fds(AgentProcess agent) throws Exception {
        try (var s = Files.list(Path.of("/proc", Long.toString(agent.pid()), "fd"))) {
            return s.count();
        }
    }

    /** A native agent writes the heap dumps of {@link #heapAfterGc} into the test's temporary directory. */
    private AgentProcess.Builder heapDumps(AgentProcess.Builder agent) {
        return NATIVE ? agent.args("-XX:HeapDumpPath=" + heapDumpDir()) : agent;
    }

    private Path heapDumpDir() {
        Path dir = it.tempDir().resolve("heapdumps");
        try {
            return Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Heap in use right after a full GC asked of the agent: of its JVM with jcmd; of a native
     * executable, which has no jcmd, by SIGUSR1, which makes it collect the heap and then write a
     * heap dump (Quarkus builds native executables with --enable-monitoring=heapdump). The dump
     * goes to the test's temporary directory and is deleted once complete.
     */
    private double heapAfterGc(AgentProcess agent) throws Exception {
        if (NATIVE) {
            Path dir = heapDumpDir();
            new ProcessBuilder("kill", "-USR1", Long.toString(agent.pid())).inheritIO().start().waitFor();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long lastSize = -1;
            for (;;) {
                List<Path> dumps;
                try (var s = Files.list(dir)) {
                    dumps = s.filter(p -> p.toString().endsWith(".hprof")).toList();
                }
                long size = 0;
                for (Path d : dumps) {
                    size += Files.size(d);
                }
                if (!dumps.isEmpty() && size > 0 && size == lastSize) {
                    for (Path d : dumps) {
                        Files.delete(d);
                    }
                    break;
                }
                assertTrue(System.nanoTime() < deadline, "no heap dump of agent " + agent.pid() + " in " + dir);
                lastSize = size;
                Thread.sleep(500);
            }
        } else {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(agent.pid()), "GC.run")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
        }
        return agent.scrape().series("jvm_memory_used_bytes").stream()
                .filter(x -> "heap".equals(x.labels().get("area"))).mapToDouble(Scrape.Sample::value).sum();
    }
}
