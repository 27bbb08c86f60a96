package io.apptheus.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.apptheus.cgroup.CgroupLayout;
import io.apptheus.cgroup.Hierarchy;

/** The cgroup layout read from mountinfo, moved under another sysfs root (apptheus.path.sysfs). */
class AgentBeansTest {

    private static final CgroupLayout HYBRID = new CgroupLayout(List.of(
            new Hierarchy(Path.of("/sys/fs/cgroup/memory"), false, Set.of("memory"), "/",
                    Path.of("/sys/fs/cgroup/memory/user.slice")),
            new Hierarchy(Path.of("/sys/fs/cgroup/unified"), true, Set.of(), "/",
                    Path.of("/sys/fs/cgroup/unified/user.slice")),
            // a mount outside /sys (seen in containers that mount cgroups elsewhere) stays where it is
            new Hierarchy(Path.of("/cgroups/pids"), false, Set.of("pids"), "/", Path.of("/cgroups/pids/job"))));

    @Test
    void theHostsSysfsKeepsTheLayoutAsDetected() {
        assertSame(HYBRID, AgentBeans.underSysfs(HYBRID, Path.of("/sys")));
    }

    @Test
    void anotherSysfsGetsEveryMountPointAndOwnDirectoryUnderIt() {
        CgroupLayout moved = AgentBeans.underSysfs(HYBRID, Path.of("/tmp/capture/sys"));
        assertEquals(List.of(Path.of("/tmp/capture/sys/fs/cgroup/memory"), Path.of("/tmp/capture/sys/fs/cgroup/unified"),
                Path.of("/cgroups/pids")), moved.hierarchies().stream().map(Hierarchy::mountPoint).toList());
        assertEquals(List.of(Path.of("/tmp/capture/sys/fs/cgroup/memory/user.slice"),
                Path.of("/tmp/capture/sys/fs/cgroup/unified/user.slice"), Path.of("/cgroups/pids/job")),
                moved.hierarchies().stream().map(Hierarchy::ownDir).toList());
        // what the kernel said about each hierarchy is kept
        for (int i = 0; i < HYBRID.hierarchies().size(); i++) {
            Hierarchy before = HYBRID.hierarchies().get(i);
            Hierarchy after = moved.hierarchies().get(i);
            assertEquals(before.unified(), after.unified());
            assertEquals(before.controllers(), after.controllers());
            assertEquals(before.mountRoot(), after.mountRoot());
        }
    }
}
