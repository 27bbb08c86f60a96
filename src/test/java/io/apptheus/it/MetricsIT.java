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
        Scrape s = agent.awaitScrape(Duration.ofSeconds(5), x -> x.value("container_processes", named(name)).orElse(-1) == 0);
        double measured = s.value("container_cpu_usage_seconds_total", named(name)).orElseThrow();
        double burned = h.childCpuSeconds();
        assertTrue(Math.abs(measured - burned) <= 0.05 * burned, "cgroup " + measured + " s vs rusage " + burned + " s");
        double user = s.value("container_cpu_user_seconds_total", named(name)).orElseThrow();
        double system = s.value("container_cpu_system_seconds_total", named(name)).orElseThrow();
        // user and system come from tick-sampled times (cpuacct.usage_user/_sys, cpu.stat user_usec),
        // usage from the scheduler's exact runtime: they agree only roughly
        assertTrue(Math.abs(user + system - measured) <= 0.15 * measured, user + " + " + system + " vs " + measured);
    }

    @Test
    void heldMemoryShowsInUsageAndWorkingSet() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle h = start(DELAYED, "hold", "256", "4");
        String name = "starter_" + h.pid();
        double mib = 1 << 20;
        Scrape s = agent.awaitScrape(Duration.ofSeconds(10),
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
        Scrape s = agent.awaitScrape(Duration.ofSeconds(5), x -> x.value("container_processes", named(name)).orElse(-1) == 0);
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
        agent.awaitScrape(Duration.ofSeconds(10), x -> x.has("container_processes", named(f)) && x.has("container_processes", named(m)));
        Path pidsDir = it.cgroups().dirsOf(it.cgroupParent()).get("pids").resolve(f);
        Files.writeString(pidsDir.resolve("pids.max"), "4");
        Path memDir = it.cgroups().dirsOf(it.cgroupParent()).get("memory").resolve(m);
        Files.writeString(memDir.resolve("memory.limit_in_bytes"), Long.toString(48L << 20));
        forks.awaitExit(Duration.ofSeconds(30));
        hog.awaitExit(Duration.ofSeconds(30));
        Scrape s = agent.awaitScrape(Duration.ofSeconds(5), x -> x.value("container_processes", named(f)).orElse(-1) == 0
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
        Scrape s = agent.awaitScrape(Duration.ofSeconds(10), x -> x.value("cpu_usage_per", Map.of("job", name)).orElse(0) > 5
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
        Scrape s = agent.awaitScrape(Duration.ofSeconds(10), x -> x.has("container_processes", named(name)));
        String id = s.series("container_processes", named(name)).get(0).labels().get("id");
        assertTrue(id.contains("/" + it.cgroupParent() + "/"), id);
        assertTrue(Files.isDirectory(job.resolve(name)), "the container's pids cgroup is inside the job's");
        assertTrue(starter.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        String events = Files.readString(job.resolve("pids.events"));
        Scrape end = agent.awaitScrape(Duration.ofSeconds(10),
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
