package io.apptheus.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.ProcessCountReader;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** The values in the README of cgroup-v1-hybrid-6.18.44-fc-v669, read through V1Readers. */
class V1CaptureTest {

    private static StatsBuffer sample(String controller) throws CgroupReadException {
        StatsBuffer out = new StatsBuffer();
        try (ControllerReader reader = V1Readers.forController(controller, Fixtures.v1(controller)).orElseThrow()) {
            reader.readInto(out);
        }
        return out;
    }

    @Test
    void cpu() throws CgroupReadException {
        StatsBuffer out = sample("cpu");
        assertEquals(40, out.raw(Stat.CPU_PERIODS));
        assertEquals(26, out.raw(Stat.CPU_THROTTLED_PERIODS));
        assertEquals(1521903251L, out.raw(Stat.CPU_THROTTLED_NS));
        assertEquals(50000, out.raw(Stat.CPU_QUOTA_US));
        assertEquals(100000, out.raw(Stat.CPU_PERIOD_US));
        assertEquals(512, out.raw(Stat.CPU_SHARES));
    }

    @Test
    void cpuacct() throws CgroupReadException {
        StatsBuffer out = sample("cpuacct");
        assertEquals(1681691404L, out.raw(Stat.CPU_USAGE_NS));
        assertEquals(1751866261L, out.raw(Stat.CPU_USER_NS));
        assertEquals(147975684L, out.raw(Stat.CPU_SYSTEM_NS));
    }

    @Test
    void memory() throws CgroupReadException {
        StatsBuffer out = sample("memory");
        assertEquals(77623296, out.raw(Stat.MEMORY_USAGE_BYTES));
        assertEquals(77623296 - 5537792, out.raw(Stat.MEMORY_WORKING_SET_BYTES));
        assertEquals(69951488, out.raw(Stat.MEMORY_RSS_BYTES));
        assertEquals(7413760, out.raw(Stat.MEMORY_CACHE_BYTES));
        assertEquals(0, out.raw(Stat.MEMORY_SWAP_BYTES));
        assertEquals(100663296, out.raw(Stat.MEMORY_LIMIT_BYTES));
        assertEquals(134217728 - 100663296, out.raw(Stat.MEMORY_SWAP_LIMIT_BYTES));
        assertEquals(100663296, out.raw(Stat.MEMORY_MAX_USAGE_BYTES));
        assertEquals(1787, out.raw(Stat.MEMORY_FAILCNT));
        assertEquals(1, out.raw(Stat.OOM_KILLS));
    }

    @Test
    void memoryProvides() throws CgroupReadException {
        try (ControllerReader memory = MemoryReader.open(Fixtures.v1("memory")).orElseThrow()) {
            assertEquals(EnumSet.of(Stat.MEMORY_USAGE_BYTES, Stat.MEMORY_WORKING_SET_BYTES, Stat.MEMORY_RSS_BYTES,
                    Stat.MEMORY_CACHE_BYTES, Stat.MEMORY_SWAP_BYTES, Stat.MEMORY_MAX_USAGE_BYTES,
                    Stat.MEMORY_FAILCNT, Stat.OOM_KILLS, Stat.MEMORY_LIMIT_BYTES, Stat.MEMORY_SWAP_LIMIT_BYTES),
                    memory.provides());
        }
    }

    @Test
    void pids() throws CgroupReadException {
        StatsBuffer out = sample("pids");
        assertEquals(1, out.raw(Stat.THREADS));
        assertEquals(8, out.raw(Stat.THREADS_MAX));
        assertEquals(4, out.raw(Stat.PIDS_EVENTS_MAX));
    }

    /** 6.18 counts v1 blkio.throttle.* only on disks with a throttle rule: "Total 0". */
    @Test
    void blkioWithoutThrottleRuleIsTotalZero() throws CgroupReadException {
        try (ControllerReader blkio = V1Readers.forController("blkio", Fixtures.v1("blkio")).orElseThrow()) {
            assertTrue(blkio.providesIo());
            assertEquals(EnumSet.noneOf(Stat.class), blkio.provides());
            StatsBuffer out = new StatsBuffer();
            blkio.readInto(out);
            assertEquals(0, out.devices().length);
        }
    }

    @Test
    void processCountInAnyHierarchy() throws CgroupReadException {
        for (String controller : V1Readers.CONTROLLERS) {
            try (ControllerReader procs = V1Readers.processCount(Fixtures.v1(controller)).orElseThrow()) {
                StatsBuffer out = new StatsBuffer();
                procs.readInto(out);
                assertEquals(1, out.raw(Stat.PROCESSES), controller);
            }
        }
    }

    @Test
    void rootOfAHierarchyHasNoPidsFiles() throws CgroupReadException {
        assertFalse(V1Readers.forController("pids", Fixtures.path(Fixtures.V1_HYBRID, "sys/fs/cgroup/pids")).isPresent());
    }

    @Test
    void unknownControllerIsAProgrammingError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> V1Readers.forController("freezer", Fixtures.v1("cpu")));
        assertEquals("no v1 reader for controller \"freezer\"; known: [cpu, cpuacct, memory, pids, blkio]",
                e.getMessage());
    }
}
