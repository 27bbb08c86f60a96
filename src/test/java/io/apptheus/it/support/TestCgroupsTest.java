package io.apptheus.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class TestCgroupsTest {
    // this machine: Debian 12 on firecracker, kernel 6.18, hybrid layout, memory cgroup not the root
    private static final String HYBRID_MOUNTINFO = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
            37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
            38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    private static final String HYBRID_CGROUP = """
            9:name=systemd:/
            8:pids:/
            7:blkio:/
            6:freezer:/
            5:devices:/
            4:memory:/process_api/2c533867eedfc8bf1b8eb676f90c7658
            3:cpuset:/
            2:cpuacct:/
            1:cpu:/
            0::/
            """;

    @Test
    void parsesTheHybridLayout() {
        TestCgroups c = TestCgroups.parse(HYBRID_MOUNTINFO, HYBRID_CGROUP);
        Map<String, Path> dirs = c.dirsOf("apptheus-it-x");
        assertEquals(List.of("cpu", "cpuacct", "memory", "pids", "blkio", "unified"), List.copyOf(dirs.keySet()));
        assertEquals(Path.of("/sys/fs/cgroup/memory/process_api/2c533867eedfc8bf1b8eb676f90c7658/apptheus-it-x"),
                dirs.get("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu/apptheus-it-x"), dirs.get("cpu"));
        assertEquals(Path.of("/sys/fs/cgroup/unified/apptheus-it-x"), dirs.get("unified"));
        assertEquals(Path.of("/sys/fs/cgroup/systemd"), c.ownDir("name=systemd"));
    }

    @Test
    void parsesCoMountedV1AndMountRootsAndV2Only() {
        // systemd hybrid host with cpu,cpuacct together, and a container whose mount root is its own cgroup
        TestCgroups c = TestCgroups.parse("""
                25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
                26 24 0:23 /docker/abc /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
                27 24 0:24 / /sys/fs/cgroup/with\\040space rw - cgroup cgroup rw,pids
                """, """
                5:pids:/user.slice
                4:memory:/docker/abc
                3:cpu,cpuacct:/user.slice/session-1.scope
                """);
        Map<String, Path> dirs = c.dirsOf("p/q");
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct/user.slice/session-1.scope/p/q"), dirs.get("cpu"));
        assertEquals(dirs.get("cpu"), dirs.get("cpuacct"));
        assertEquals(Path.of("/sys/fs/cgroup/memory/p/q"), dirs.get("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/with space/user.slice/p/q"), dirs.get("pids"));

        TestCgroups v2 = TestCgroups.parse("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n",
                "0::/system.slice/apptheus.service\n");
        assertEquals(Map.of("unified", Path.of("/sys/fs/cgroup/system.slice/apptheus.service/agent")),
                v2.dirsOf("agent"));
    }

    @Test
    void refusesParentsThatAreNotRelative() {
        TestCgroups c = TestCgroups.parse(HYBRID_MOUNTINFO, HYBRID_CGROUP);
        for (String bad : List.of("", "/metric_gateway", "../x", "a/../../b", "a//b", "./a")) {
            assertThrows(IllegalArgumentException.class, () -> c.dirsOf(bad), bad);
        }
    }

    @Test
    void removeTreeKillsWhatIsInsideAndLeavesNothing() throws Exception {
        TestCgroups c = TestCgroups.current();
        String parent = TestCgroups.uniqueRelativeParent();
        String sibling = TestCgroups.uniqueRelativeParent();
        Process sleep = null;
        try {
            Map<String, Path> dirs = c.dirsOf(parent);
            assertTrue(dirs.keySet().containsAll(List.of("memory", "pids", "unified")), dirs.toString());
            for (Path d : dirs.values()) {
                Files.createDirectories(d.resolve("a/b"));
                Files.createDirectories(d.resolve("c"));
            }
            c.dirsOf(sibling).values().forEach(d -> ItPaths.mkdirs(d));
            // a threaded cgroup (CgroupFaultIT makes one): its cgroup.procs cannot be read (EOPNOTSUPP)
            Path threaded = Files.createDirectories(dirs.get("unified").resolve("c/threads"));
            Files.writeString(threaded.resolve("cgroup.type"), "threaded");

            sleep = new ProcessBuilder("sleep", "60").start();
            long pid = sleep.pid();
            for (Path d : dirs.values()) {
                TestCgroups.attach(pid, d.resolve("a/b"));
            }
            Map<String, String> where = c.cgroupOf(pid);
            for (String h : dirs.keySet()) {
                assertEquals(dirs.get(h).resolve("a/b"), c.dirOf(pid, h), h + ": " + where);
                assertEquals(List.of(pid), TestCgroups.procs(dirs.get(h).resolve("a/b")));
            }
            assertFalse(c.leftovers(parent).isEmpty());

            c.removeTree(parent);

            assertEquals(List.of(), c.leftovers(parent));
            assertTrue(sleep.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "sleep not killed");
            assertEquals(137, sleep.exitValue());
            for (Path d : c.dirsOf(sibling).values()) {
                assertTrue(Files.isDirectory(d), "sibling removed: " + d);
            }
        } finally {
            if (sleep != null) {
                sleep.destroyForcibly();
            }
            c.removeTree(parent, Duration.ofSeconds(10));
            c.removeTree(sibling, Duration.ofSeconds(10));
        }
        assertEquals(List.of(), c.leftovers(sibling));
    }
}
