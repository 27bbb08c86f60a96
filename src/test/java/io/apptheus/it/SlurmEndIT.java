package io.apptheus.it;

import static io.apptheus.it.SlurmSupport.JOB;
import static io.apptheus.it.SlurmSupport.READY;
import static io.apptheus.it.SlurmSupport.agent;
import static io.apptheus.it.SlurmSupport.assertSlurmRemovedItsCgroups;
import static io.apptheus.it.SlurmSupport.awaitEndedWithinOneSweep;
import static io.apptheus.it.SlurmSupport.awaitSeriesGone;
import static io.apptheus.it.SlurmSupport.processesOf;
import static io.apptheus.it.SlurmSupport.starterLine;
import static io.apptheus.it.support.Scrape.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.SlurmCluster;

/**
 * The job's end is the container's end, on a real one-node Slurm (see {@link SlurmIT}): a job that
 * ends normally, is cancelled, runs out of time or out of memory takes every process of its
 * container with it; the agent reports the container ended within one sweep with its last values,
 * drops its series after the retention, and Slurm removes every cgroup of the job in every
 * hierarchy, with no "not empty" in slurmd.log (debug2, DebugFlags=CGROUP) — also over many short
 * jobs in a row ({@code -Dapptheus.slurm.jobs}, 24 by default; bench/slurm-jobs.sh runs 200).
 */
class SlurmEndIT {

    @RegisterExtension
    static final SlurmSupport.PerClass SLURM = new SlurmSupport.PerClass();

    @RegisterExtension
    final ItResources it = new ItResources();

    private static SlurmCluster slurm() {
        return SLURM.cluster();
    }

    private String starterInScript(String tag, String... workload) {
        return "FAKESTARTER_READY_FILE='" + slurm().readyFile(tag) + "' " + starterLine(it, workload);
    }

    /** Waits for the container's end and what follows it; returns its last scrape before the end. */
    private Scrape assertEndedCleanly(AgentProcess agent, SlurmCluster.Ready r, Set<Long> pids, String state) {
        assertEquals(state, slurm().awaitJobEnd(r.jobId(), JOB), slurm().job(r.jobId()) + "\n" + slurm().output(r.jobId()));
        Scrape end = awaitEndedWithinOneSweep(agent, r.name(), pids);
        assertSlurmRemovedItsCgroups(slurm(), r.jobId());
        awaitSeriesGone(agent, r.name());
        return end;
    }

    @Test
    void everyWayAJobEndsEndsItsContainerAndLeavesSlurmNothingToTripOn() throws Exception {
        AgentProcess agent = agent(it, "nested");
        // the time limit: slurmctld checks limits every 30 s, so this one runs while the others do
        String timeout = slurm().sbatch(starterInScript("timeout", "sleep", "600"), "--time=0:10", "--mem=32M",
                "--cpus-per-task=1");
        SlurmCluster.Ready t = slurm().awaitReady("timeout", READY);
        agent.awaitScrape(READY, x -> x.has("container_processes", named(t.name())));
        Set<Long> timeoutPids = processesOf(t);

        // normal end: the final CPU time is the workload's, up to the last sweep's worth
        String normal = slurm().sbatch(starterInScript("normal", "burn", "1.5"), "--mem=32M", "--cpus-per-task=1");
        SlurmCluster.Ready n = slurm().awaitReady("normal", READY);
        agent.awaitScrape(READY, x -> x.has("container_processes", named(n.name())));
        Scrape end = assertEndedCleanly(agent, n, processesOf(n), "COMPLETED");
        Matcher cpu = Pattern.compile("child_cpu_seconds=([0-9.]+)").matcher(slurm().output(normal));
        assertTrue(cpu.find(), slurm().output(normal));
        double workload = Double.parseDouble(cpu.group(1));
        double reported = end.value("container_cpu_usage_seconds_total", named(n.name())).orElseThrow();
        System.out.printf("slurm-end: normal job %s workload %.3f s, final %.3f s%n", normal, workload, reported);
        assertTrue(reported >= workload - 0.6 && reported <= workload + 0.2,
                "final CPU " + reported + " s for a workload of " + workload + " s");

        // scancel
        String cancelled = slurm().sbatch(starterInScript("cancel", "sleep", "600"), "--mem=32M", "--cpus-per-task=1");
        SlurmCluster.Ready c = slurm().awaitReady("cancel", READY);
        agent.awaitScrape(READY, x -> x.has("container_processes", named(c.name())));
        Set<Long> cancelPids = processesOf(c);
        slurm().check("scancel", cancelled);
        assertEndedCleanly(agent, c, cancelPids, "CANCELLED");

        // out of memory: the container's only process is killed by the job's limit
        String oom = slurm().sbatch(starterInScript("oom", "exec", "sh", "-c",
                SlurmSupport.AWAIT_MOVED + "; exec dd if=/dev/zero of=/dev/null bs=256M count=1"), "--mem=48M",
                "--cpus-per-task=1");
        SlurmCluster.Ready o = slurm().awaitReady("oom", READY);
        assertEquals(oom, o.jobId());
        assertEndedCleanly(agent, o, Set.of(o.pid(), o.child()), "OUT_OF_MEMORY");

        assertEquals(timeout, t.jobId());
        assertEndedCleanly(agent, t, timeoutPids, "TIMEOUT");
        assertEquals(List.of(), slurm().leftoverCgroups());
        assertEquals(List.of(), slurm().notEmptyJobCgroups());
    }

    @Test
    void manyShortJobsInARowLeaveNoCgroupBehind() throws Exception {
        int jobs = Integer.getInteger("apptheus.slurm.jobs", 24);
        String placement = System.getProperty("apptheus.slurm.placement", "auto");
        // the monitor's debug lines say when a final sample found Slurm's task cgroup removed
        AgentProcess agent = agent(it, placement, "-Dquarkus.log.category.\"io.apptheus.monitor\".level=DEBUG");
        long start = System.nanoTime();
        String uptimeBefore = SlurmCluster.loadAverage();
        Map<String, String> kinds = new LinkedHashMap<>();
        for (int i = 0; i < jobs; i++) {
            // three in four end by themselves shortly after the agent moved them; every fourth is
            // cancelled from inside once moved (scancel of its own job, as a user would)
            boolean cancel = i % 4 == 3;
            String container = cancel
                    ? SlurmSupport.AWAIT_MOVED + "; scancel $SLURM_JOB_ID; sleep 600"
                    : SlurmSupport.AWAIT_MOVED + "; sleep 0.2";
            String id = slurm().sbatch(starterLine(it, "exec", "sh", "-c", container), "--mem=32M", "--cpus-per-task=1",
                    "--uid=" + (i % 2 == 0 ? "root" : "nobody"));
            kinds.put(id, cancel ? "CANCELLED" : "COMPLETED");
        }
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : kinds.entrySet()) {
            String state = slurm().awaitJobEnd(e.getKey(), Duration.ofMinutes(10));
            if (!state.equals(e.getValue())) {
                wrong.add(e.getKey() + "=" + state);
            }
        }
        // every caller answered (accepted or not) and every accepted container ended
        Scrape s = agent.awaitScrape(JOB, x -> x.series("apptheus_registrations_total").stream()
                .mapToDouble(Scrape.Sample::value).sum() >= jobs
                && x.series("container_processes").stream().allMatch(p -> p.value() == 0));
        // Slurm removes a job's cgroups just after it reports the job's end: poll for the last ones
        long deadline = System.nanoTime() + JOB.toNanos();
        while (!slurm().leftoverCgroups().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        List<Path> left = slurm().leftoverCgroups();
        List<String> notEmpty = slurm().notEmptyJobCgroups();
        String log = agent.log();
        long jobsLeft = left.stream().map(p -> p.toString().replaceAll(".*/(job_[0-9]+).*|.*", "$1"))
                .filter(j -> !j.isEmpty()).distinct().count();
        System.out.printf("slurm-jobs: placement=%s jobs=%d cancelled=%d accepted=%.0f jobs_left=%d leftover_dirs=%d"
                        + " not_empty_lines=%d ended_at_hangup=%d ended_at_sweep=%d ended_at_step_removal=%d"
                        + " task_cgroup_gone_at_final_sample=%d seconds=%.1f load_before=%s load_after=%s%n",
                placement, jobs, kinds.values().stream().filter("CANCELLED"::equals).count(),
                s.registrations("accepted"), jobsLeft, left.size(), notEmpty.size(), count(log, "ended (starter closed"),
                count(log, "ended (no process left)"), count(log, "ended (its job step's cgroup was removed"),
                log.lines().filter(l -> l.contains("(its job step ended)")).map(l -> l.replaceAll(".*container (\\S+):.*", "$1"))
                        .distinct().count(),
                (System.nanoTime() - start) / 1e9, uptimeBefore, SlurmCluster.loadAverage());
        assertEquals(List.of(), wrong, "jobs that did not end as they should");
        assertEquals(jobs, s.registrations("accepted"));
        assertEquals(List.of(), left, "cgroup directories left in Slurm's tree");
        assertEquals(List.of(), notEmpty, "slurmd.log");
    }

    private static long count(String text, String what) {
        return text.lines().filter(l -> l.contains(what)).count();
    }
}
