package io.apptheus.it;

import static io.apptheus.it.support.Scrape.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Procs;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.SlurmCluster;
import io.apptheus.it.support.TestCgroups;

/** What the Slurm end-to-end tests share: the cluster, the agent as they run it, the end of a container. */
final class SlurmSupport {

    static final Duration READY = Duration.ofSeconds(90);
    static final Duration JOB = Duration.ofSeconds(180);
    static final Duration RETAIN = Duration.ofSeconds(10);

    private SlurmSupport() {
    }

    /**
     * One Slurm for a test class ({@code @RegisterExtension static}): started before its first
     * test, its jobs cancelled after each, stopped after the last.
     */
    static final class PerClass implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

        private SlurmCluster cluster;

        SlurmCluster cluster() {
            return cluster;
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            cluster = startCluster();
        }

        @Override
        public void afterEach(ExtensionContext context) {
            if (cluster != null) {
                cluster.cancelAll();
            }
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** A cluster, or the reason there is none: an abort, or under CI=true (.ci/run) a failure. */
    static SlurmCluster startCluster() {
        String missing = SlurmCluster.missing();
        if (!missing.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true and Slurm cannot run here (.ci/run installs slurm-wlm and munge);"
                        + " missing: " + missing);
            }
            Assumptions.abort("Slurm cannot run here; missing: " + missing);
        }
        return SlurmCluster.start(TestCgroups.current());
    }

    /**
     * An agent as a Slurm node runs it: slurm_job_id labels, a short retention. The system property
     * {@code apptheus.slurm.artifact} runs another agent jar (bench/slurm-jobs.sh --artifact).
     */
    static AgentProcess agent(ItResources it, String placement, String... jvmArgs) {
        AgentProcess.Builder b = it.agent().flag("--cgroup.placement", placement).flag("--label.slurm", "true")
                .retainExited(RETAIN).jvmArgs(jvmArgs);
        String other = System.getProperty("apptheus.slurm.artifact", "");
        if (!other.isBlank()) {
            b.launcher(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", other);
        }
        return b.start().awaitReady(READY);
    }

    /** The command a job runs: {@code <starter> <socket> WORKLOAD...}, as it would run Apptainer. */
    static List<String> starter(ItResources it, String... workload) {
        List<String> cmd = new ArrayList<>(List.of(it.trustedStarter().toString(), it.socketPath().toString()));
        cmd.addAll(List.of(workload));
        return cmd;
    }

    /** The same as one line of a batch script, each word single-quoted. */
    static String starterLine(ItResources it, String... workload) {
        return starter(it, workload).stream().map(w -> "'" + w.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    /** A shell line that waits until the agent has moved this shell: its cgroups name a container. */
    static final String AWAIT_MOVED = "while ! grep -q starter_ /proc/self/cgroup; do sleep 0.05; done";

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Completed sweeps, from the sweep timer's count. */
    static long sweeps(Scrape s) {
        return (long) s.value("apptheus_sweep_duration_seconds_count").orElseThrow();
    }

    static boolean ended(Scrape s, String name) {
        return s.value("container_processes", named(name)).orElse(-1) == 0;
    }

    /** Every process of the container (the starter, its workload and the workload's children) while it runs. */
    static Set<Long> processesOf(SlurmCluster.Ready r) {
        Set<Long> out = new java.util.LinkedHashSet<>(List.of(r.pid(), r.child()));
        ProcessHandle.of(r.child()).ifPresent(h -> h.descendants().forEach(d -> out.add(d.pid())));
        return out;
    }

    static boolean gone(Collection<Long> pids) {
        return pids.stream().noneMatch(p -> ProcessHandle.of(p).map(Procs::isRunning).orElse(false));
    }

    /**
     * Once every process of the container is gone: how many sweeps the agent completed between
     * the moment this test saw them gone and its first scrape showing the container ended (0 when
     * it was shown ended at once). A sweep that was running when the last process went may not
     * have seen it, so "within one sweep" allows 2. Returns the scrape that shows the end, or,
     * on a machine so loaded that this test looked only after the retention, none of its series.
     */
    static Scrape awaitEndedWithinOneSweep(AgentProcess agent, String name, Collection<Long> pids) {
        long deadline = System.nanoTime() + JOB.toNanos();
        while (!gone(pids)) {
            assertTrue(System.nanoTime() < deadline, "processes " + pids + " of " + name + " still run");
            SlurmSupport.pause(20);
        }
        Scrape first = agent.scrape();
        if (ended(first, name) || !first.has("container_processes", named(name))) {
            return first; // ended already (its series may even be gone: the retention is over)
        }
        Scrape end = agent.awaitScrape(JOB, s -> ended(s, name) || !s.has("container_processes", named(name)));
        long late = sweeps(end) - sweeps(first);
        assertTrue(late <= 2, name + " reported ended " + late + " sweeps after its processes were gone");
        return end;
    }

    /** Waits for the container's series to go (the retention is over). */
    static void awaitSeriesGone(AgentProcess agent, String name) {
        agent.awaitScrape(JOB, s -> s.series("container_processes", named(name)).isEmpty()
                && s.series("container_cpu_usage_seconds_total", named(name)).isEmpty());
    }

    /**
     * A step's CPU time from {@code sstat --parsable2 --format=JobID,AveCPU,...}: AveCPU, the mean over
     * its tasks (one task here), in Slurm's {@code [D-][HH:]MM:SS[.mmm]}.
     */
    static double stepCpuSeconds(String sstat, String step) {
        for (String line : sstat.split("\n")) {
            String[] f = line.split("\\|");
            if (f.length >= 2 && f[0].equals(step)) {
                return slurmSeconds(f[1]);
            }
        }
        throw new AssertionError("no step " + step + " in sstat's output: " + sstat);
    }

    /** Slurm's elapsed-time format: {@code [D-][HH:]MM:SS[.mmm]} → seconds. */
    static double slurmSeconds(String t) {
        String rest = t.strip();
        double days = 0;
        int dash = rest.indexOf('-');
        if (dash > 0) {
            days = Double.parseDouble(rest.substring(0, dash));
            rest = rest.substring(dash + 1);
        }
        double seconds = 0;
        for (String part : rest.split(":")) {
            seconds = seconds * 60 + Double.parseDouble(part);
        }
        return days * 86400 + seconds;
    }

    /**
     * Slurm removed the job's cgroups in every hierarchy (polled: slurmstepd removes them just
     * after the job's end is reported) and slurmd's log (debug2, DebugFlags=CGROUP) never said one
     * of them was not empty.
     */
    static void assertSlurmRemovedItsCgroups(SlurmCluster slurm, String jobId) {
        long deadline = System.nanoTime() + JOB.toNanos();
        while (!slurm.jobCgroups(jobId).isEmpty() && System.nanoTime() < deadline) {
            SlurmSupport.pause(100);
        }
        assertEquals(Map.of(), slurm.jobCgroups(jobId), "job " + jobId + "'s cgroups left behind");
        java.util.regex.Pattern job = java.util.regex.Pattern.compile("/job_" + jobId + "[/)]");
        assertEquals(List.of(), slurm.slurmdLogLines("not empty").stream().filter(l -> job.matcher(l).find())
                .toList(), "slurmd.log");
    }
}
