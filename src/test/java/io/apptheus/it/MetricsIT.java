package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.apptheus.it.support.Scrape.named;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.Tools;

/**
 * The numbers: accuracy against what real workloads did, limits that move their counters, the
 * exposition linted by promtool, placement that keeps a job's limits, and Apptheus's own names.
 */
class MetricsIT {

    private static final Duration READY = Duration.ofSeconds(60);
    /** The workload starts after the master has connected, as Apptainer's container does. */
    private static final Map<String, String> DELAYED = Map.of("FAKESTARTER_START_DELAY_MS", "400");

    @RegisterExtension
    final ItResources it = new ItResources();

    private FakeStarter.Handle start(Map<String, String> env, String... workload) {
        return it.starters().start(it.trustedStarter(), it.socketPath(), env, workload);
    }

    @Test
    void cpuSecondsMatchTheWorkloadsOwnRusage() throws Exception {
        Tools.requireExecutable("/usr/bin/stress-ng", "stress-ng is not installed (.ci/run installs it)");
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(30)).start().awaitReady(READY);
        FakeStarter.Handle h = start(DELAYED, "exec", "stress-ng", "--cpu", "2", "--cpu-method", "int64",
                "--timeout", "4", "--quiet");
        assertEquals(0, h.awaitExit(Duration.ofSeconds(30)));
        String name = "starter_" + h.pid();
        Scrape s = agent.awaitScrape(Duration.ofSeconds(30), x -> x.value("container_processes", named(name)).orElse(-1) == 0);
        double measured = s.value("container_cpu_usage_seconds_total", named(name)).orElseThrow();
        double burned = h.childCpuSeconds();
        System.out.println("MetricsIT.cpuSecondsMatchTheWorkloadsOwnRusage: cgroup " + measured + " s vs rusage " + burned + " s");
        assertTrue(Math.abs(measured - burned) <= 0.05 * burned, "cgroup " + measured + " s vs rusage " + burned + " s");
        double user = s.value("container_cpu_user_seconds_total", named(name)).orElseThrow();
        double system = s.value("container_cpu_system_seconds_total", named(name)).orElseThrow();
        // cgroup2's cpu.stat (also on hybrid hosts) splits the scheduler's time: the parts sum to it
        assertTrue(Math.abs(user + system - measured) <= 0.001 * measured, user + " + " + system + " vs " + measured);
    }

    /**
     * The user/system split is the workload's own: a user-heavy and a system-heavy stress-ng, each
     * part within ±5 % of what rusage says of the same processes (cgroup2's cpu.stat, as rusage,
     * splits the scheduler's exact time in proportion of the ticks; v1's cpuacct.usage_user/_sys
     * are raw tick samples that summed to 69–93 % of the time). A part under a fifth of the
     * total is held to ±5 % of the total: a few ticks decide it. The starter's master is in the
     * container too, and rusage gives only its total: each part may hold up to all of it.
     */
    @Test
    void userAndSystemTimeSplitAsTheWorkloadsOwnRusage() throws Exception {
        Tools.requireExecutable("/usr/bin/stress-ng", "stress-ng is not installed (.ci/run installs it)");
        org.junit.jupiter.api.Assumptions.assumeTrue(
                it.cgroups().hierarchies().contains(io.apptheus.it.support.TestCgroups.UNIFIED), "no cgroup2 here");
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(30)).start().awaitReady(READY);
        FakeStarter.Handle userHeavy = start(DELAYED, "exec", "stress-ng", "--cpu", "1", "--cpu-method", "int64",
                "--timeout", "4", "--quiet");
        FakeStarter.Handle systemHeavy = start(DELAYED, "exec", "stress-ng", "--null", "1", "--timeout", "4", "--quiet");
        for (FakeStarter.Handle h : new FakeStarter.Handle[] {userHeavy, systemHeavy}) {
            assertEquals(0, h.awaitExit(Duration.ofSeconds(60)), h.describe());
            String name = "starter_" + h.pid();
            Scrape s = agent.awaitScrape(Duration.ofSeconds(60),
                    x -> x.value("container_processes", named(name)).orElse(-1) == 0);
            double user = s.value("container_cpu_user_seconds_total", named(name)).orElseThrow();
            double system = s.value("container_cpu_system_seconds_total", named(name)).orElseThrow();
            double total = h.childUserSeconds() + h.childSystemSeconds();
            String what = name + ": cgroup user " + user + " s, system " + system + " s; rusage user "
                    + h.childUserSeconds() + " s, system " + h.childSystemSeconds() + " s";
            System.out.println("MetricsIT.userAndSystemTimeSplitAsTheWorkloadsOwnRusage: " + what);
            what += "; the master's own " + h.selfCpuSeconds() + " s";
            assertPart(user, h.childUserSeconds(), h.selfCpuSeconds(), total, what);
            assertPart(system, h.childSystemSeconds(), h.selfCpuSeconds(), total, what);
        }
        assertTrue(userHeavy.childUserSeconds() > 0.8 * (userHeavy.childUserSeconds() + userHeavy.childSystemSeconds()),
                "--cpu is user-heavy: " + userHeavy.stdout());
        assertTrue(systemHeavy.childSystemSeconds() > 0.5 * (systemHeavy.childUserSeconds() + systemHeavy.childSystemSeconds()),
                "--null is system-heavy: " + systemHeavy.stdout());
    }

    /**
     * A 0.3 s job (0.3 s of CPU time, whatever the load) starts at once, before the agent moves it:
     * its CPU counter includes what its processes used before the move, read from their threads'
     * schedstat at registration and kept with the cgroup (xattr), and ends within ±2 % of rusage
     * (the workload's, plus the starter master's own: it is in the container too).
     */
    @Test
    void aShortJobCountsTheCpuItUsedBeforeTheMove() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(30)).start().awaitReady(READY);
        FakeStarter.Handle h = start(Map.of(), "spin", "0.3", "2"); // then 2 s asleep: the xattr is read meanwhile
        String name = "starter_" + h.pid();
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.has("container_processes", named(name)));
        Map<String, Path> dirs = it.cgroups().dirsOf(it.cgroupParent());
        Path dir = dirs.getOrDefault(io.apptheus.it.support.TestCgroups.UNIFIED, dirs.values().iterator().next()).resolve(name);
        String kept = xattr(dir, "user.apptheus.cpu_before_move_ns");
        assertEquals(0, h.awaitExit(Duration.ofSeconds(120)), h.describe());
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60), x -> x.value("container_processes", named(name)).orElse(-1) == 0);
        double measured = s.value("container_cpu_usage_seconds_total", named(name)).orElseThrow();
        double used = h.childCpuSeconds() + h.selfCpuSeconds();
        double before = kept.isEmpty() ? 0 : Long.parseLong(kept.split(" ")[0]) / 1e9;
        String what = "container " + measured + " s, of which " + before + " s before the move (xattr \"" + kept
                + "\"); rusage " + h.childCpuSeconds() + " s + the master's " + h.selfCpuSeconds() + " s";
        System.out.println("MetricsIT.aShortJobCountsTheCpuItUsedBeforeTheMove: " + what);
        assertTrue(before > 0, "the job ran before it was moved: " + what);
        assertTrue(Math.abs(measured - used) <= 0.02 * used, what);
        double user = s.value("container_cpu_user_seconds_total", named(name)).orElseThrow();
        double system = s.value("container_cpu_system_seconds_total", named(name)).orElseThrow();
        assertTrue(Math.abs(user + system - measured) <= 1e-6 * measured + 2e-6, "user + system = usage: " + what);
    }

    private static String xattr(Path dir, String name) throws Exception {
        var view = Files.getFileAttributeView(dir, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        String key = name.substring("user.".length());
        if (!view.list().contains(key)) {
            return "";
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(view.size(key));
        view.read(key, b);
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    /** {@code cgroup} within the tolerance of the workload's part plus 0 to all of the master's time. */
    private static void assertPart(double cgroup, double rusage, double master, double total, String what) {
        double tolerance = rusage >= 0.2 * total ? 0.05 * rusage : 0.05 * total;
        assertTrue(cgroup >= rusage - tolerance && cgroup <= rusage + master + tolerance, what);
    }

    @Test
    void heldMemoryShowsInUsageAndWorkingSet() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle h = start(DELAYED, "hold", "256", "4");
        String name = "starter_" + h.pid();
        double mib = 1 << 20;
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60),
                x -> x.value("container_memory_usage_bytes", named(name)).orElse(0) > 200 * mib);
        Thread.sleep(1000);
        s = agent.scrape();
        double usage = s.value("container_memory_usage_bytes", named(name)).orElseThrow();
        double ws = s.value("container_memory_working_set_bytes", named(name)).orElseThrow();
        double rss = s.value("container_memory_rss", named(name)).orElseThrow();
        assertTrue(Math.abs(usage - 256 * mib) <= 0.10 * 256 * mib, "usage " + usage / mib + " MiB");
        assertTrue(ws <= usage && ws >= 0.9 * 256 * mib, "working set " + ws / mib + " MiB");
        assertTrue(Math.abs(rss - 256 * mib) <= 0.10 * 256 * mib, "rss " + rss / mib + " MiB");
        assertEquals(Double.POSITIVE_INFINITY, s.value("container_spec_memory_limit_bytes", named(name)).orElseThrow());
        assertTrue(s.value("container_memory_max_usage_bytes", named(name)).orElseThrow() >= usage * 0.99);
    }

    @Test
    void directWritesShowInTheDeviceCounters() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(30)).start().awaitReady(READY);
        Path target = it.tempDir().resolve("odirect.bin");
        FakeStarter.Handle h = start(DELAYED, "write", target.toString(), "64");
        assertEquals(0, h.awaitExit(Duration.ofSeconds(60)));
        assertTrue(h.stderr().isBlank(), "O_DIRECT refused? " + h.stderr());
        String name = "starter_" + h.pid();
        Scrape s = agent.awaitScrape(Duration.ofSeconds(30), x -> x.value("container_processes", named(name)).orElse(-1) == 0);
        double written = s.series("container_fs_writes_bytes_total", named(name)).stream()
                .mapToDouble(Scrape.Sample::value).sum();
        double expected = 64 << 20;
        assertTrue(Math.abs(written - expected) <= 0.10 * expected, "written " + written + " of " + expected
                + " in " + s.series("container_fs_writes_bytes_total", named(name)));
        assertTrue(s.series("container_fs_writes_total", named(name)).stream().mapToDouble(Scrape.Sample::value).sum() >= 64);
    }

    @Test
    void hittingAPidsLimitAndAMemoryLimitMovesTheirCounters() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(30)).start().awaitReady(READY);
        // the workloads start 1.5 s after the fork; the test, as an administrator would, sets limits
        // on the containers' cgroups (made by the agent under this test's own cgroup) meanwhile
        Map<String, String> later = Map.of("FAKESTARTER_START_DELAY_MS", "1500");
        FakeStarter.Handle forks = start(later, "fork", "10", "1");
        FakeStarter.Handle hog = start(later, "hold", "96", "1");
        String f = "starter_" + forks.pid();
        String m = "starter_" + hog.pid();
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.has("container_processes", named(f)) && x.has("container_processes", named(m)));
        Path pidsDir = it.cgroups().dirsOf(it.cgroupParent()).get("pids").resolve(f);
        Files.writeString(pidsDir.resolve("pids.max"), "4");
        Path memDir = it.cgroups().dirsOf(it.cgroupParent()).get("memory").resolve(m);
        Files.writeString(memDir.resolve("memory.limit_in_bytes"), Long.toString(48L << 20));
        forks.awaitExit(Duration.ofSeconds(30));
        hog.awaitExit(Duration.ofSeconds(30));
        Scrape s = agent.awaitScrape(Duration.ofSeconds(30), x -> x.value("container_processes", named(f)).orElse(-1) == 0
                && x.value("container_processes", named(m)).orElse(-1) == 0);
        assertTrue(s.value("container_pids_events_max_total", named(f)).orElseThrow() >= 1, s.series("container_pids_events_max_total").toString());
        assertEquals(4.0, s.value("container_threads_max", named(f)).orElseThrow());
        assertTrue(hog.stderr().contains("killed by signal 9"), "the hog was OOM-killed: " + hog.stderr());
        assertEquals(1.0, s.value("container_oom_events_total", named(m)).orElseThrow());
        assertEquals(48.0 * (1 << 20), s.value("container_spec_memory_limit_bytes", named(m)).orElseThrow());
        assertTrue(s.value("container_memory_failcnt_total", named(m)).orElseThrow() >= 1);
    }

    @Test
    void promtoolAcceptsAFullScrapeWithContainersAndCompatNames() throws Exception {
        Tools.requireExecutable("/usr/bin/promtool", "promtool is not installed (.ci/run installs prometheus)");
        AgentProcess agent = it.agent().flag("--metrics.compat", "apptheus").start().awaitReady(READY);
        FakeStarter.Handle a = start(DELAYED, "burn", "3", "1", "16");
        FakeStarter.Handle b = start(DELAYED, "sleep", "3");
        String name = "starter_" + a.pid();
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60), x -> x.value("cpu_usage_per", Map.of("job", name)).orElse(0) > 5
                && x.has("container_processes", named("starter_" + b.pid())));
        assertTrue(s.value("cpu_usage_per", Map.of("job", name)).orElseThrow() <= 110, "one busy thread is at most 100 %");
        assertEquals(Double.NaN, s.value("memory_usage_per", Map.of("job", name)).orElseThrow(), "no limit: no percentage");
        assertTrue(s.raw().lines().noneMatch(l -> !l.startsWith("#") && l.matches(".*\\} [^ ]+ [0-9]+$")),
                "no sample carries a timestamp");

        Path file = it.tempDir().resolve("scrape.txt");
        Files.writeString(file, s.raw());
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "promtool check metrics:\n" + out);
        assertEquals("", out.strip(), "promtool lint findings");
    }

    @Test
    void nestedPlacementKeepsTheCallersJobLimits() throws Exception {
        // a "job" cgroup under this test's own cgroup in every hierarchy, with a pids limit, holds the starter
        StringBuilder enter = new StringBuilder();
        for (Path parent : it.cgroups().dirsOf(it.cgroupParent()).values()) {
            Path dir = Files.createDirectories(parent.resolve("job"));
            enter.append("echo $$ > ").append(dir.resolve("cgroup.procs")).append(" && ");
        }
        Path job = it.cgroups().dirsOf(it.cgroupParent()).get("pids").resolve("job");
        Files.writeString(job.resolve("pids.max"), "6");
        AgentProcess agent = it.agent().flag("--cgroup.placement", "nested").retainExited(Duration.ofSeconds(30))
                .start().awaitReady(READY);
        Path out = it.tempDir().resolve("nested.out");
        Process starter = new ProcessBuilder("sh", "-c", enter + "exec \"$0\" \"$@\"",
                it.trustedStarter().toString(), it.socketPath().toString(), "fork", "10", "2")
                .redirectOutput(out.toFile()).redirectErrorStream(true)
                .start();
        it.register(() -> starter.destroyForcibly());
        it.register(() -> starter.descendants().forEach(ProcessHandle::destroyForcibly));
        String name = "starter_" + starter.pid();
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60), x -> x.has("container_processes", named(name)));
        String id = s.series("container_processes", named(name)).get(0).labels().get("id");
        assertTrue(id.contains("/" + it.cgroupParent() + "/"), id);
        assertTrue(Files.isDirectory(job.resolve(name)), "the container's pids cgroup is inside the job's");
        assertTrue(starter.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        String events = Files.readString(job.resolve("pids.events"));
        Scrape end = agent.awaitScrape(Duration.ofSeconds(60),
                x -> x.value("container_processes", named(name)).orElse(-1) == 0);
        // v1 counts a refused fork in pids.events of the cgroup that forked: the job's if the workload
        // forked before the agent moved it, the container's (published by the agent) if after
        double refusedInContainer = end.value("container_pids_events_max_total", named(name)).orElse(0);
        long refusedInJob = Long.parseLong(events.replaceAll("(?s).*max (\\d+).*", "$1"));
        assertTrue(refusedInJob + refusedInContainer >= 1, "the job's limit refused forks of the container: job "
                + events.trim() + ", container " + refusedInContainer + "\n" + Files.readString(out));
        assertTrue(!Files.exists(job.resolve(name)), "the container's cgroup is removed, the job's is left alone");
        assertTrue(Files.isDirectory(job));
    }
}
