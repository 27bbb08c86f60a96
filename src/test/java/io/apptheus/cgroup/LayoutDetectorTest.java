package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class LayoutDetectorTest {

    private static CgroupLayout layout(String name) throws Exception {
        Path dir = Path.of("src/test/resources/layouts");
        return LayoutDetector.detect(dir.resolve(name + "-mountinfo.txt"), dir.resolve(name + "-cgroup.txt"));
    }

    private static List<String> labels(CgroupLayout l) {
        return l.hierarchies().stream().map(Hierarchy::label).toList();
    }

    @Test
    void hybridWithUnified() throws Exception {
        CgroupLayout l = layout("hybrid-debian12");
        assertEquals(CgroupLayout.Mode.HYBRID, l.mode());
        // cpuset, devices, freezer and name=systemd are never used
        assertEquals(List.of("cpu", "cpuacct", "memory", "blkio", "pids", "unified"), labels(l));
        assertEquals(Path.of("/sys/fs/cgroup/memory/process_api/eed9cf92f9b41a8468f7e67848fc3f68"),
                l.v1("memory").orElseThrow().ownDir());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), l.unified().orElseThrow().ownDir());
        assertEquals(Path.of("/sys/fs/cgroup/memory/process_api/eed9cf92f9b41a8468f7e67848fc3f68/metric_gateway"),
                l.v1("memory").orElseThrow().resolveParent("metric_gateway"));
        assertEquals(Path.of("/sys/fs/cgroup/memory/metric_gateway"),
                l.v1("memory").orElseThrow().resolveParent("/metric_gateway"));
    }

    @Test
    void pureV2() throws Exception {
        CgroupLayout l = layout("v2-debian12-6.1");
        assertEquals(CgroupLayout.Mode.V2, l.mode());
        assertEquals(List.of("unified"), labels(l));
        assertEquals(Path.of("/sys/fs/cgroup"), l.unified().orElseThrow().ownDir());
        // a process in /metric_gateway/mem_hold sees its own cgroup there
        CgroupLayout inLeaf = LayoutDetector.parse(
                java.nio.file.Files.readString(Path.of("src/test/resources/layouts/v2-debian12-6.1-mountinfo.txt")),
                java.nio.file.Files.readString(Path.of("src/test/resources/layouts/v2-debian12-6.1-pid120-cgroup.txt")));
        assertEquals(Path.of("/sys/fs/cgroup/metric_gateway/mem_hold"), inLeaf.unified().orElseThrow().ownDir());
    }

    @Test
    void v1WithCoMountedCpuAndCpuacct() throws Exception {
        CgroupLayout l = layout("v1-rhel7");
        assertEquals(CgroupLayout.Mode.V1, l.mode());
        assertEquals(List.of("cpu,cpuacct", "memory", "blkio", "pids"), labels(l));
        Hierarchy cpu = l.v1("cpuacct").orElseThrow();
        assertEquals(Set.of("cpu", "cpuacct"), cpu.controllers());
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct/system.slice/apptheus.service"), cpu.ownDir());
    }

    @Test
    void containerViewOfV1MountsTheContainerCgroupAtTheMountPoint() throws Exception {
        CgroupLayout l = layout("container-v1");
        assertEquals(CgroupLayout.Mode.V1, l.mode(), "no cgroup2 mounted, whatever 0:: says");
        assertEquals(Path.of("/sys/fs/cgroup/memory"), l.v1("memory").orElseThrow().ownDir());
    }

    @Test
    void containerWithCgroupNamespaceOnV2() throws Exception {
        CgroupLayout l = layout("container-v2");
        assertEquals(CgroupLayout.Mode.V2, l.mode());
        assertEquals(Path.of("/sys/fs/cgroup"), l.unified().orElseThrow().ownDir());
    }

    @Test
    void escapedMountPointAndNamedHierarchyIgnored() throws Exception {
        CgroupLayout l = layout("odd-mountpoint");
        assertEquals(CgroupLayout.Mode.V2, l.mode());
        assertEquals(Path.of("/run/my cgroup/user.slice/user-1000.slice/session-3.scope"),
                l.unified().orElseThrow().ownDir());
    }

    @Test
    void nothingMounted() {
        CgroupLayout l = LayoutDetector.parse("22 27 0:21 / /proc rw,relatime - proc proc rw\n", "0::/\n");
        assertTrue(l.hierarchies().isEmpty());
    }
}
