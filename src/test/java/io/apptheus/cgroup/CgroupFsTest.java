package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupFsTest {

    @TempDir
    Path tmp;

    @Test
    void pidsOfCgroupProcs() throws IOException {
        Files.writeString(tmp.resolve("cgroup.procs"), "120\n121\n");
        assertEquals(List.of(120L, 121L), CgroupFs.processes(tmp));
        assertEquals(2, CgroupFs.processCount(tmp));
    }

    /** Kept as a user xattr (on a cgroup directory since 5.7; on the test's file system here). */
    @Test
    void numbersKeptAsAnAttributeComeBack() {
        assumeTrue(CgroupFs.setAttribute(tmp, "apptheus.probe", 1), "no user xattrs on " + tmp);
        assertTrue(CgroupFs.setAttribute(tmp, "apptheus.t", 40_000_000, 30_000_000, 10_000_000));
        assertArrayEquals(new long[] {40_000_000, 30_000_000, 10_000_000},
                CgroupFs.attribute(tmp, "apptheus.t", 3).orElseThrow());
        assertEquals(Optional.empty(), CgroupFs.attribute(tmp, "apptheus.t", 2), "not what was asked for");
        assertEquals(Optional.empty(), CgroupFs.attribute(tmp, "apptheus.none", 3));
        assertEquals(Optional.empty(), CgroupFs.attribute(tmp.resolve("gone"), "apptheus.t", 3));
    }
}
