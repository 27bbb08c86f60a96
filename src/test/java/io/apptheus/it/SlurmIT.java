package io.apptheus.it;

import static io.apptheus.it.SlurmSupport.JOB;
import static io.apptheus.it.SlurmSupport.READY;
import static io.apptheus.it.SlurmSupport.agent;
import static io.apptheus.it.SlurmSupport.assertSlurmRemovedItsCgroups;
import static io.apptheus.it.SlurmSupport.awaitEndedWithinOneSweep;
import static io.apptheus.it.SlurmSupport.processesOf;
import static io.apptheus.it.SlurmSupport.starter;
import static io.apptheus.it.SlurmSupport.starterLine;
import static io.apptheus.it.support.Scrape.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.SlurmCluster;
import io.apptheus.it.support.TestCgroups;

/**
 * The agent on a real one-node Slurm (slurm-wlm 22.05: proctrack/cgroup, task/cgroup with
 * ConstrainRAMSpace and ConstrainCores, jobacct_gather/cgroup, the cgroup/v1 plugin), with the fake
 * starter started by srun, by an sbatch script and inside an salloc allocation, as Apptainer would
 * be. In the default placement (auto) a container keeps its job's memory limit, cpuset and
 * accounting, and its labels name the job and the user; in placement root it escapes the job's
 * memory limit (and Slurm's freezer still kills it). {@link SlurmCluster} keeps Slurm's whole
 * cgroup tree under this test's own cgroups.
 */
class SlurmIT {

    private static final long MIB = 1 << 20;
    @RegisterExtension
    static final SlurmSupport.PerClass SLURM = new SlurmSupport.PerClass();

    @RegisterExtension
    final ItResources it = new ItResources();

    private static SlurmCluster slurm() {
        return SLURM.cluster();
    }

    private Map<String, String> readyEnv(String tag) {
        return Map.of("FAKESTARTER_READY_FILE", slurm().readyFile(tag).toString());
    }

    /** {@code FAKESTARTER_READY_FILE=<file> '<starter>' '<socket>' WORKLOAD...}: a batch script's line. */
    private String starterInScript(String tag, String... workload) {
        return "FAKESTARTER_READY_FILE='" + slurm().readyFile(tag) + "' " + starterLine(it, workload);
    }

    private Process launch(String tag, List<String> command) {
        Process p = slurm().launch(slurm().shared().resolve(tag + ".out"), readyEnv(tag), command.toArray(String[]::new));
        it.register(p::destroyForcibly);
        return p;
    }

    private static List<String> cmd(List<String> slurmCommand, List<String> starter) {
        List<String> out = new ArrayList<>(slurmCommand);
        out.addAll(starter);
        return out;
    }

    private static String read(Path file) throws Exception {
        return Files.readString(file).strip();
    }

    /** The container's cgroup path per hierarchy key, as /proc/PID/cgroup names it. */
    private Map<String, String> cgroupsOf(long pid) {
        return it.cgroups().cgroupOf(pid);
    }

    private void assertLabelsNameTheJob(Scrape s, SlurmCluster.Ready r, String user) {
        Map<String, String> labels = s.series("container_processes", named(r.name())).get(0).labels();
        assertEquals(r.jobId(), labels.get("slurm_job_id"), labels.toString());
        assertEquals(user, labels.get("user"), labels.toString());
        assertTrue(slurm().job(r.jobId()).get("UserId").startsWith(user + "("), slurm().job(r.jobId()).toString());
    }

    @Test
    void srunContainerStaysInItsStepWithinTheJobsMemoryLimitAndCpuset() throws Exception {
        AgentProcess agent = agent(it, "auto");
        Process srun = launch("srun", cmd(List.of("srun", "--uid=nobody", "--mem=96M", "--cpus-per-task=1"),
                starter(it, "hold", "16", "600")));
        SlurmCluster.Ready r = slurm().awaitReady("srun", READY);
        Scrape s = agent.awaitScrape(READY,
                x -> x.value("container_memory_usage_bytes", named(r.name())).orElse(0) >= 16 * MIB);
        assertLabelsNameTheJob(s, r, "nobody");

        Map<String, String> child = cgroupsOf(r.child());
        Map<String, String> starter = cgroupsOf(r.pid());
        String step = "/job_" + r.jobId() + "/step_0";
        // memory and cpuacct: Slurm's task cgroup itself, the starter's and its container's
        for (String h : List.of("memory", "cpuacct")) {
            assertTrue(child.get(h).endsWith(step + "/task_0"), h + ": " + child);
            assertEquals(starter.get(h), child.get(h), h);
        }
        // cpuset and freezer: the step's; the agent never touches them
        for (String h : List.of("cpuset", "freezer")) {
            assertTrue(child.get(h).endsWith(step), h + ": " + child);
        }
        // where Slurm is not, the agent's own cgroups hold the container's processes (not the starter)
        for (String h : List.of("cpu", "pids", TestCgroups.UNIFIED)) {
            if (child.containsKey(h) && it.cgroups().hierarchies().contains(h)) {
                assertEquals(it.cgroups().dirsOf(it.cgroupParent()).get(h).resolve(r.name()),
                        it.cgroups().dirFor(h, child.get(h)), h);
                assertFalse(starter.get(h).contains(r.name()), h + ": the starter stays where its job put it");
            }
        }
        Map<String, Path> job = slurm().jobCgroups(r.jobId());
        assertEquals(96 * MIB, Long.parseLong(read(job.get("memory").resolve("memory.limit_in_bytes"))),
                "the job's limit, --mem");
        assertTrue(it.cgroups().dirFor("memory", child.get("memory")).startsWith(job.get("memory")),
                "the job's memory limit applies to the container");
        String cpus = read(job.get("cpuset").resolve("step_0/cpuset.cpus"));
        String status = Files.readString(Path.of("/proc", Long.toString(r.child()), "status"));
        assertTrue(status.contains("Cpus_allowed_list:\t" + cpus + "\n"), "runs on the job's CPUs " + cpus + ":\n"
                + status);
        assertTrue(cpus.matches("[0-9]+"), "--cpus-per-task=1 is one CPU: " + cpus);

        var pids = processesOf(r);
        slurm().check("scancel", r.jobId());
        assertEquals("CANCELLED", slurm().awaitJobEnd(r.jobId(), JOB));
        awaitEndedWithinOneSweep(agent, r.name(), pids);
        assertTrue(srun.waitFor(JOB.toSeconds(), TimeUnit.SECONDS));
        assertSlurmRemovedItsCgroups(slurm(), r.jobId());
    }

    @Test
    void anAgentRestartedDuringTheJobFindsTheContainersTaskCgroupsAgain() throws Exception {
        AgentProcess first = agent(it, "auto");
        Process srun = launch("restart", cmd(List.of("srun", "--mem=96M", "--cpus-per-task=1"),
                starter(it, "hold", "16", "600")));
        SlurmCluster.Ready r = slurm().awaitReady("restart", READY);
        first.awaitScrape(READY, x -> x.value("container_memory_usage_bytes", named(r.name())).orElse(0) >= 16 * MIB);
        first.sigterm();
        assertEquals(0, first.awaitExit(JOB));

        AgentProcess second = agent(it, "auto");
        Scrape s = second.awaitScrape(READY,
                x -> x.value("container_memory_usage_bytes", named(r.name())).orElse(0) >= 16 * MIB);
        assertEquals(r.jobId(), s.series("container_processes", named(r.name())).get(0).labels().get("slurm_job_id"));
        assertTrue(second.log().contains("container " + r.name() + ": adopted from an earlier run"), second.logTail(20));
        var pids = processesOf(r);
        slurm().check("scancel", r.jobId());
        assertEquals("CANCELLED", slurm().awaitJobEnd(r.jobId(), JOB));
        awaitEndedWithinOneSweep(second, r.name(), pids);
        assertTrue(srun.waitFor(JOB.toSeconds(), TimeUnit.SECONDS));
        assertSlurmRemovedItsCgroups(slurm(), r.jobId());
    }

    @Test
    void sbatchContainerTouchingMoreThanTheJobsMemoryIsKilledByItAndCounted() throws Exception {
        AgentProcess agent = agent(it, "auto");
        Path done = slurm().shared().resolve("oom.done");
        // the container's biggest process (dd's 256 MiB buffer) is killed; its shell lives on until told
        String id = slurm().sbatch(starterInScript("oom", "exec", "sh", "-c",
                "dd if=/dev/zero of=/dev/null bs=256M count=1; while [ ! -e " + done + " ]; do sleep 0.2; done"),
                "--uid=nobody", "--mem=64M", "--cpus-per-task=1");
        SlurmCluster.Ready r = slurm().awaitReady("oom", READY);
        assertEquals(id, r.jobId());
        // memory.oom_control is read in full samples (every 30 s) and at the end
        Scrape s = agent.awaitScrape(JOB, x -> x.value("container_oom_events_total", named(r.name())).orElse(0) >= 1);
        assertLabelsNameTheJob(s, r, "nobody");
        assertTrue(cgroupsOf(r.child()).get("memory").endsWith("/job_" + id + "/step_batch/task_0"),
                cgroupsOf(r.child()).toString());
        assertEquals(64 * MIB, Long.parseLong(read(slurm().jobCgroups(id).get("memory").resolve("memory.limit_in_bytes"))));

        var pids = processesOf(r);
        Files.writeString(done, "");
        assertEquals("OUT_OF_MEMORY", slurm().awaitJobEnd(id, JOB), slurm().job(id) + "\n" + slurm().output(id));
        Scrape end = awaitEndedWithinOneSweep(agent, r.name(), pids);
        assertEquals(1.0, end.value("container_oom_events_total", named(r.name())).orElseThrow());
        assertSlurmRemovedItsCgroups(slurm(), id);
    }

    @Test
    void sallocContainersAreTheAllocationsInsideAStepAndOutsideTheJobInSallocsOwnShell() throws Exception {
        AgentProcess agent = agent(it, "auto");
        Path done = slurm().shared().resolve("salloc.done");
        String container = SlurmSupport.AWAIT_MOVED + "; while [ ! -e " + done + " ]; do sleep 0.2; done";
        // srun inside the allocation: a job step, its cgroups are the job's
        Process salloc = launch("salloc", cmd(List.of("salloc", "--uid=nobody", "--mem=64M", "--cpus-per-task=1",
                "srun"), starter(it, "exec", "sh", "-c", container)));
        SlurmCluster.Ready r = slurm().awaitReady("salloc", READY);
        Scrape s = agent.awaitScrape(READY, x -> x.has("container_processes", named(r.name())));
        assertLabelsNameTheJob(s, r, "nobody");
        assertTrue(cgroupsOf(r.child()).get("memory").endsWith("/job_" + r.jobId() + "/step_0/task_0"),
                cgroupsOf(r.child()).toString());
        // salloc's own command runs where salloc was called, outside the job's cgroups: nothing of the
        // job applies to it, so auto places it at the root; the label still names the allocation
        Process shell = launch("shell", cmd(List.of("salloc", "--uid=nobody", "--mem=64M", "--cpus-per-task=1"),
                starter(it, "exec", "sh", "-c", container)));
        SlurmCluster.Ready d = slurm().awaitReady("shell", READY);
        Scrape t = agent.awaitScrape(READY, x -> x.has("container_processes", named(d.name())));
        assertLabelsNameTheJob(t, d, "nobody");
        assertFalse(cgroupsOf(d.child()).get("memory").contains("/job_"), cgroupsOf(d.child()).toString());
        assertEquals(it.cgroups().dirsOf(it.cgroupParent()).get("memory").resolve(d.name()),
                it.cgroups().dirOf(d.child(), "memory"));

        var pids = processesOf(r);
        var shellPids = processesOf(d);
        Files.writeString(done, "");
        assertTrue(salloc.waitFor(JOB.toSeconds(), TimeUnit.SECONDS), Files.readString(slurm().shared().resolve("salloc.out")));
        assertEquals("COMPLETED", slurm().awaitJobEnd(r.jobId(), JOB));
        awaitEndedWithinOneSweep(agent, r.name(), pids);
        assertSlurmRemovedItsCgroups(slurm(), r.jobId());
        assertTrue(shell.waitFor(JOB.toSeconds(), TimeUnit.SECONDS));
        awaitEndedWithinOneSweep(agent, d.name(), shellPids);
    }

    /**
     * Slurm's own figure for the step: sstat, i.e. jobacct_gather/cgroup polling the task's
     * cpuacct.stat (in USER_HZ ticks) and printing whole seconds. So the step burns until Slurm
     * counts 20 s, where a second of truncation is within the 5 %.
     */
    @Test
    void containerCpuSecondsAgreeWithSlurmsFigureForTheStep() throws Exception {
        AgentProcess agent = agent(it, "auto");
        Path done = slurm().shared().resolve("cpu.done");
        // a burner inside the container (the fake starter again, its socket unreachable: 2 threads)
        // without the job's ready file: it would write its own pid there and be taken for the container
        String burner = "env -u FAKESTARTER_READY_FILE " + it.trustedStarter() + " /nonexistent/sock burn 3600 2 >/dev/null 2>&1";
        Process srun = launch("cpu", cmd(List.of("srun", "--uid=nobody", "--mem=64M", "--cpus-per-task=2"),
                starter(it, "exec", "sh", "-c", burner + " & while [ ! -e " + done + " ]; do sleep 0.2; done")));
        SlurmCluster.Ready r = slurm().awaitReady("cpu", READY);
        String step = r.jobId() + ".0";
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (SlurmSupport.stepCpuSeconds(sstat(r.jobId()), step) < 20) {
            assertTrue(System.nanoTime() < deadline, "the step never reached 20 s of CPU: " + sstat(r.jobId()));
            SlurmSupport.pause(1000);
        }
        // stop the burner, let the agent sample twice, then ask both
        List<ProcessHandle> burners = ProcessHandle.of(r.child()).orElseThrow().descendants()
                .filter(h -> h.info().command().map(c -> c.endsWith("/starter")).orElse(false)).toList();
        assertFalse(burners.isEmpty());
        burners.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle b : burners) {
            b.onExit().get(60, TimeUnit.SECONDS);
        }
        long after = SlurmSupport.sweeps(agent.scrape()) + 2;
        Scrape s = agent.awaitScrape(JOB, x -> SlurmSupport.sweeps(x) >= after);
        double agentCpu = s.value("container_cpu_usage_seconds_total", named(r.name())).orElseThrow();
        String sstat = sstat(r.jobId());
        double slurmCpu = SlurmSupport.stepCpuSeconds(sstat, step);
        // jobacct_gather/cgroup's source: the task cgroup's cpuacct.stat, "user N\nsystem N" in ticks of 10 ms
        String stat = read(slurm().jobCgroups(r.jobId()).get("cpuacct").resolve("step_0/task_0/cpuacct.stat"));
        double ticks = java.util.Arrays.stream(stat.split("\n")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .sum();
        System.out.printf("slurm-cpu: job %s agent %.3f s, sstat %.0f s, task cpuacct.stat %.2f s (load %s)%n",
                r.jobId(), agentCpu, slurmCpu, ticks / 100, SlurmCluster.loadAverage());
        assertTrue(Math.abs(agentCpu - slurmCpu) <= 0.05 * slurmCpu,
                "agent " + agentCpu + " s vs Slurm's " + slurmCpu + " s: " + sstat);
        assertTrue(Math.abs(agentCpu - ticks / 100) <= 0.05 * agentCpu,
                "agent " + agentCpu + " s vs the task's cpuacct.stat " + stat);
        Files.writeString(done, "");
        assertTrue(srun.waitFor(JOB.toSeconds(), TimeUnit.SECONDS));
        assertEquals("COMPLETED", slurm().awaitJobEnd(r.jobId(), JOB));
    }

    private String sstat(String jobId) {
        return slurm().check("sstat", "--noheader", "--parsable2", "--allsteps", "--jobs=" + jobId,
                "--format=JobID,AveCPU,TRESUsageInTot");
    }

    @Test
    void rootPlacementLetsTheContainerEscapeTheJobsMemoryLimitButScancelStillKillsIt() throws Exception {
        AgentProcess agent = agent(it, "root");
        // the container waits for its move, then a holder it forks (born in the container's cgroup)
        // touches 160 MiB in a job of --mem=64M
        String holder = "env -u FAKESTARTER_READY_FILE " + it.trustedStarter() + " /nonexistent/sock hold 160 600 >/dev/null 2>&1";
        String id = slurm().sbatch(starterInScript("root", "exec", "sh", "-c",
                SlurmSupport.AWAIT_MOVED + "; " + holder), "--uid=nobody", "--mem=64M", "--cpus-per-task=1");
        SlurmCluster.Ready r = slurm().awaitReady("root", READY);
        Scrape s = agent.awaitScrape(JOB,
                x -> x.value("container_memory_usage_bytes", named(r.name())).orElse(0) >= 160 * MIB);
        assertEquals(it.cgroups().dirsOf(it.cgroupParent()).get("memory").resolve(r.name()),
                it.cgroups().dirOf(r.child(), "memory"), "the container's memory cgroup is the agent's, not the job's");
        Path jobMemory = slurm().jobCgroups(id).get("memory");
        long jobMax = Long.parseLong(read(jobMemory.resolve("memory.max_usage_in_bytes")));
        assertTrue(jobMax < 64 * MIB, "the job's cgroup never saw the 160 MiB: " + jobMax);
        assertEquals("RUNNING", slurm().job(id).get("JobState"), "no OOM: the job's limit does not reach the container");
        System.out.printf("slurm-root: container %.0f MiB, job max %d MiB, --mem=64M%n",
                s.value("container_memory_usage_bytes", named(r.name())).orElseThrow() / MIB, jobMax / MIB);

        // the freezer: the agent never moves processes there, so Slurm's proctrack/cgroup still
        // finds (freezes and kills) every process of the step, the container's included
        var pids = processesOf(r);
        assertTrue(cgroupsOf(r.child()).get("freezer").endsWith("/job_" + id + "/step_batch"));
        slurm().check("scancel", id);
        assertEquals("CANCELLED", slurm().awaitJobEnd(id, JOB));
        awaitEndedWithinOneSweep(agent, r.name(), pids);
        assertSlurmRemovedItsCgroups(slurm(), id);
    }
}
