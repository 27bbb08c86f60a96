package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Controller delegation on a fake v2 tree (regular files stand in for cgroupfs). */
class V2ControllersTest {

    @TempDir
    Path root;

    private Path cgroup(Path dir, String controllers, String subtree, String procs) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), subtree + "\n");
        Files.writeString(dir.resolve("cgroup.procs"), procs);
        return dir;
    }

    @Test
    void aDelegatedAgentMovesIntoALeafThenEnablesControllersBelowItsOwnCgroup() throws Exception {
        cgroup(root, "cpuset cpu io memory pids", "cpu io memory pids", "1\n");
        Path slice = cgroup(root.resolve("system.slice"), "cpu io memory pids", "cpu memory", "");
        Path unit = cgroup(slice.resolve("apptheus.service"), "cpu io memory pids", "", "4242\n");
        Path parent = cgroup(unit.resolve("metric_gateway"), "cpu io memory pids", "", "");
        cgroup(unit.resolve("agent"), "", "", "");
        Hierarchy h = new Hierarchy(root, true, Set.of(), "/", unit);

        new V2Controllers().enableBelow(h, parent, 4242);

        assertEquals("4242", Files.readString(unit.resolve("agent/cgroup.procs")).trim(), "the agent moved to its leaf");
        assertEquals("+cpu +memory +io +pids", Files.readString(unit.resolve("cgroup.subtree_control")).trim());
        assertEquals("+cpu +memory +io +pids", Files.readString(parent.resolve("cgroup.subtree_control")).trim());
        assertEquals("cpu memory", Files.readString(slice.resolve("cgroup.subtree_control")).trim(),
                "a cgroup above the agent's own is never changed");
    }

    @Test
    void anAgentSharingItsCgroupLeavesEverythingAsItWas() throws Exception {
        cgroup(root, "cpu io memory pids", "cpu io memory pids", "1\n");
        Path scope = cgroup(root.resolve("session-3.scope"), "cpu io memory pids", "", "4242\n777\n");
        Path parent = cgroup(scope.resolve("metric_gateway"), "cpu io memory pids", "", "");
        Hierarchy h = new Hierarchy(root, true, Set.of(), "/", scope);

        new V2Controllers().enableBelow(h, parent, 4242);

        assertEquals("", Files.readString(scope.resolve("cgroup.subtree_control")).trim());
        assertEquals("4242\n777\n", Files.readString(scope.resolve("cgroup.procs")), "no process of another is moved");
    }

    @Test
    void anAbsoluteParentEnablesOnlyWhatIsMissingAtTheRoot() throws Exception {
        cgroup(root, "cpu io memory pids", "cpu memory", "1\n");
        Path parent = cgroup(root.resolve("metric_gateway"), "cpu io memory pids", "", "");
        Hierarchy h = new Hierarchy(root, true, Set.of(), "/", root);

        new V2Controllers().enableBelow(h, parent, 4242);

        assertEquals("+io +pids", Files.readString(root.resolve("cgroup.subtree_control")).trim());
        assertEquals("+cpu +memory +io +pids", Files.readString(parent.resolve("cgroup.subtree_control")).trim());
    }
}
