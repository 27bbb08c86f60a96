package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Where each placement puts a container, per hierarchy, for callers in and out of Slurm jobs. */
class PlacementTest {

    private static final Path CG = Path.of("/sys/fs/cgroup");
    /** A hybrid host like CI's: the agent's own memory cgroup is nested, the others are the roots. */
    private static final Hierarchy CPU = v1("cpu", "/");
    private static final Hierarchy CPUACCT = v1("cpuacct", "/");
    private static final Hierarchy MEMORY = v1("memory", "/process_api/b05");
    private static final Hierarchy PIDS = v1("pids", "/");
    private static final Hierarchy UNIFIED = new Hierarchy(CG.resolve("unified"), true, Set.of(), "/",
            CG.resolve("unified"));
    private static final List<Hierarchy> HYBRID = List.of(CPU, CPUACCT, MEMORY, PIDS, UNIFIED);

    private static Hierarchy v1(String controller, String own) {
        Path mount = CG.resolve(controller);
        return new Hierarchy(mount, false, Set.of(controller), "/", own.equals("/") ? mount : mount.resolve(own.substring(1)));
    }

    /** The agent's relative parent, under its own cgroup. */
    private static Map<Hierarchy, Path> parents(List<Hierarchy> hs) {
        Map<Hierarchy, Path> out = new LinkedHashMap<>();
        hs.forEach(h -> out.put(h, h.resolveParent("apptheus")));
        return out;
    }

    /** The caller's cgroups: {@code paths} per hierarchy in the order of {@code hs}. */
    private static Map<Hierarchy, Path> caller(List<Hierarchy> hs, String... paths) {
        Map<Hierarchy, Path> out = new LinkedHashMap<>();
        for (int i = 0; i < hs.size(); i++) {
            out.put(hs.get(i), hs.get(i).dirOf(paths[i]));
        }
        return out;
    }

    private static final String TASK = "/process_api/b05/slurmtest/slurm_vm/uid_1000/job_7/step_0/task_0";

    /** A step of the Slurm test cluster: memory and cpuacct are Slurm's, the rest are at the roots. */
    private static Map<Hierarchy, Path> inSlurmStep() {
        return caller(HYBRID, "/", "/slurmtest/slurm_vm/uid_1000/job_7/step_0/task_0", TASK, "/", "/");
    }

    @Test
    void rootPutsEveryCgroupUnderTheParentEvenInASlurmJob() {
        Map<Hierarchy, Placement.Spot> plan = Placement.ROOT.plan("starter_9", parents(HYBRID), inSlurmStep());
        for (Hierarchy h : HYBRID) {
            assertEquals(new Placement.Spot(h.resolveParent("apptheus").resolve("starter_9"), true), plan.get(h));
        }
    }

    @Test
    void autoUsesSlurmsTaskCgroupsAsTheyAreAndTheParentWhereSlurmIsNot() {
        Map<Hierarchy, Path> caller = inSlurmStep();
        Map<Hierarchy, Placement.Spot> plan = Placement.AUTO.plan("starter_9", parents(HYBRID), caller);
        assertEquals(new Placement.Spot(caller.get(MEMORY), false), plan.get(MEMORY));
        assertEquals(new Placement.Spot(caller.get(CPUACCT), false), plan.get(CPUACCT));
        for (Hierarchy h : List.of(CPU, PIDS, UNIFIED)) {
            assertEquals(new Placement.Spot(h.resolveParent("apptheus").resolve("starter_9"), true), plan.get(h));
        }
        assertEquals(plan, Placement.NESTED.plan("starter_9", parents(HYBRID), caller));
    }

    @Test
    void inASlurmJobTheHierarchiesSlurmDoesNotUseGetTheParentNotSlurmdsServiceCgroup() {
        // a production hybrid node: slurmd started by systemd, its jobs in its service cgroup outside Slurm's tree
        String task = "/slurm/uid_1000/job_5/step_batch/task_0";
        Map<Hierarchy, Path> caller = caller(HYBRID, "/system.slice/slurmd.service", task, task,
                "/system.slice/slurmd.service", "/system.slice/slurmd.service");
        Map<Hierarchy, Placement.Spot> plan = Placement.AUTO.plan("starter_9", parents(HYBRID), caller);
        assertFalse(plan.get(MEMORY).made());
        assertEquals(UNIFIED.resolveParent("apptheus").resolve("starter_9"), plan.get(UNIFIED).dir());
        assertEquals(PIDS.resolveParent("apptheus").resolve("starter_9"), plan.get(PIDS).dir());
    }

    @Test
    void autoIsRootOutsideSlurmJobs() {
        Map<Hierarchy, Path> caller = caller(HYBRID, "/", "/", "/user.slice/user-1000.slice/session-2.scope", "/",
                "/user.slice/user-1000.slice/session-2.scope");
        assertEquals(Placement.ROOT.plan("starter_9", parents(HYBRID), caller),
                Placement.AUTO.plan("starter_9", parents(HYBRID), caller));
    }

    @Test
    void nestedOutsideSlurmMakesTheCgroupInsideTheCallersUnlessTheCallerSitsAtTheRootOrAboveTheAgent() {
        Map<Hierarchy, Path> caller = caller(HYBRID, "/", "/", "/process_api", "/",
                "/user.slice/user-1000.slice/session-2.scope");
        Map<Hierarchy, Placement.Spot> plan = Placement.NESTED.plan("starter_9", parents(HYBRID), caller);
        assertEquals(new Placement.Spot(caller.get(UNIFIED).resolve("starter_9"), true), plan.get(UNIFIED));
        // at the root (cpu) or in an ancestor of the agent's own cgroup (memory): nothing to keep there
        assertEquals(new Placement.Spot(CPU.resolveParent("apptheus").resolve("starter_9"), true), plan.get(CPU));
        assertEquals(new Placement.Spot(MEMORY.resolveParent("apptheus").resolve("starter_9"), true),
                plan.get(MEMORY));
    }

    @Test
    void aPureV2SlurmNodeHasTheWholeCgroupAdopted() {
        Hierarchy v2 = new Hierarchy(CG, true, Set.of(), "/", CG.resolve("system.slice/apptheus.service/agent"));
        String task = "/system.slice/slurmstepd.scope/job_12/step_extern/user/task_special";
        Map<Hierarchy, Placement.Spot> plan = Placement.AUTO.plan("starter_9", parents(List.of(v2)),
                caller(List.of(v2), task));
        assertEquals(Map.of(v2, new Placement.Spot(CG.resolve(task.substring(1)), false)), plan);
    }

    @Test
    void slurmStepCgroupsAreRecognisedByTheirJobAndStepDirectories() {
        for (String yes : List.of("/slurm/uid_0/job_1/step_0", "/slurm_node1/uid_1000/job_123/step_batch/task_0",
                "/slurm/uid_5/job_9/step_extern", "/system.slice/slurmstepd.scope/job_4/step_interactive/user/task_0",
                "/a/b/job_77/step_3/user/task_0/inner")) {
            assertTrue(Placement.inSlurmStep(MEMORY, MEMORY.dirOf(yes)), yes);
        }
        for (String no : List.of("/", "/slurm/uid_0/job_1", "/system.slice/myjob_1/step_0",
                "/system.slice/job_1.service/step_0.scope", "/user.slice/job_x/step_0")) {
            assertFalse(Placement.inSlurmStep(MEMORY, MEMORY.dirOf(no)), no);
        }
    }
}
