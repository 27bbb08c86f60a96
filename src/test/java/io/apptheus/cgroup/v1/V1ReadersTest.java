package io.apptheus.cgroup.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** v1 readers on fake cgroup trees: the cases the capture did not produce. */
class V1ReadersTest {

    @TempDir
    Path tmp;

    @Test
    void blkioPerDevice() throws IOException {
        String bytes = """
                254:16 Read 2048
                254:16 Write 8388608
                254:16 Sync 8390656
                254:16 Async 0
                254:16 Discard 0
                254:16 Total 8390656
                254:0 Read 16777216
                254:0 Write 16777216
                254:0 Sync 33554432
                254:0 Async 0
                254:0 Discard 0
                254:0 Total 33554432
                Total 41945088
                """;
        Fixtures.write(tmp, "blkio.throttle.io_service_bytes_recursive", bytes);
        Fixtures.write(tmp, "blkio.throttle.io_serviced_recursive",
                bytes.replace("2048", "2").replace("8388608", "8").replace("16777216", "16"));
        StatsBuffer out = new StatsBuffer();
        try (ControllerReader blkio = BlkioReader.open(tmp).orElseThrow()) {
            blkio.readInto(out);
        }
        StatsBuffer.IoCounters vdb = out.io("254:16");
        assertEquals(2048, vdb.readBytes);
        assertEquals(8388608, vdb.writeBytes);
        assertEquals(2, vdb.reads);
        assertEquals(8, vdb.writes);
        assertEquals(16777216, out.io("254:0").writeBytes);
        assertEquals(2, out.devices().length);
    }

    /** Before 4.7 there is no cpuacct.usage_user/usage_sys: cpuacct.stat in USER_HZ ticks. */
    @Test
    void cpuacctFallsBackToTicks() throws IOException {
        Fixtures.write(tmp, "cpuacct.usage", "1681691404\n");
        Fixtures.write(tmp, "cpuacct.stat", "user 155\nsystem 13\n");
        StatsBuffer out = new StatsBuffer();
        try (ControllerReader cpuacct = CpuacctReader.open(tmp).orElseThrow()) {
            assertEquals(EnumSet.of(Stat.CPU_USAGE_NS, Stat.CPU_USER_NS, Stat.CPU_SYSTEM_NS), cpuacct.provides());
            cpuacct.readInto(out);
        }
        assertEquals(1_550_000_000L, out.raw(Stat.CPU_USER_NS));
        assertEquals(130_000_000L, out.raw(Stat.CPU_SYSTEM_NS));
    }

    @Test
    void unlimitedCpuQuota() throws IOException {
        Fixtures.write(tmp, "cpu.cfs_quota_us", "-1\n");
        StatsBuffer out = new StatsBuffer();
        try (ControllerReader cpu = CpuReader.open(tmp).orElseThrow()) {
            assertEquals(EnumSet.of(Stat.CPU_QUOTA_US), cpu.provides());
            cpu.readInto(out);
        }
        assertEquals(StatsBuffer.UNLIMITED, out.raw(Stat.CPU_QUOTA_US));
    }

    /**
     * With a CFS quota the bandwidth timer counts periods while no task runs: cpu.stat is read at
     * every sweep (once, in its every-sweep pass); without one only while the container is active.
     */
    @Test
    void aQuotaMakesCpuStatAnEverySweepRead() throws IOException {
        Fixtures.write(tmp, "cpu.stat", "nr_periods 2\nnr_throttled 0\nthrottled_time 0\n");
        Fixtures.write(tmp, "cpu.cfs_quota_us", "-1\n");
        try (ControllerReader cpu = CpuReader.open(tmp).orElseThrow()) {
            cpu.readInto(new StatsBuffer(), Pass.ALL);
            StatsBuffer idle = new StatsBuffer();
            cpu.readInto(idle, Pass.EVERY_SWEEP);
            assertFalse(idle.has(Stat.CPU_PERIODS), "no quota: not read while idle");

            Fixtures.write(tmp, "cpu.cfs_quota_us", "50000\n");
            cpu.readInto(new StatsBuffer(), Pass.SLOW); // the slow period learns the quota
            StatsBuffer limited = new StatsBuffer();
            cpu.readInto(limited, Pass.EVERY_SWEEP);
            assertEquals(2, limited.raw(Stat.CPU_PERIODS));
            StatsBuffer active = new StatsBuffer();
            cpu.readInto(active, Pass.ACTIVE);
            assertFalse(active.has(Stat.CPU_PERIODS), "read once per sweep, in its every-sweep pass");
        }
    }

    /** No swap accounting (swapaccount=0): no memsw files, no swap Stats. */
    @Test
    void memoryWithoutSwapAccountingAndNoLimit() throws IOException {
        Fixtures.write(tmp, "memory.usage_in_bytes", "4096\n");
        Fixtures.write(tmp, "memory.limit_in_bytes", "9223372036854771712\n");
        Fixtures.write(tmp, "memory.stat", "total_rss 4096\ntotal_cache 0\ntotal_inactive_file 0\n");
        StatsBuffer out = new StatsBuffer();
        try (ControllerReader memory = MemoryReader.open(tmp).orElseThrow()) {
            assertFalse(memory.provides().contains(Stat.MEMORY_SWAP_BYTES));
            assertFalse(memory.provides().contains(Stat.MEMORY_SWAP_LIMIT_BYTES));
            memory.readInto(out);
        }
        assertEquals(StatsBuffer.UNLIMITED, out.raw(Stat.MEMORY_LIMIT_BYTES));
        assertEquals(4096, out.raw(Stat.MEMORY_WORKING_SET_BYTES));
        assertFalse(out.has(Stat.MEMORY_SWAP_LIMIT_BYTES));
    }

    /** A cgroup without a limit of its own inside a job's (a Slurm task cgroup): the job's limit applies. */
    @Test
    void theLimitIsTheLowestOfTheCgroupAndItsAncestors() throws IOException {
        Fixtures.write(tmp, "memory.usage_in_bytes", "4096\n");
        Fixtures.write(tmp, "memory.limit_in_bytes", "9223372036854771712\n");
        Fixtures.write(tmp, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        Fixtures.write(tmp, "memory.stat", "total_rss 4096\ntotal_cache 0\ntotal_inactive_file 0\n"
                + "hierarchical_memory_limit 67108864\nhierarchical_memsw_limit 9223372036854771712\n");
        StatsBuffer out = new StatsBuffer();
        try (ControllerReader memory = MemoryReader.open(tmp).orElseThrow()) {
            memory.readInto(out);
        }
        assertEquals(67108864, out.raw(Stat.MEMORY_LIMIT_BYTES));
        assertEquals(StatsBuffer.UNLIMITED, out.raw(Stat.MEMORY_SWAP_LIMIT_BYTES));
    }

    @Test
    void noLimitWithAnyPageSize() {
        assertEquals(StatsBuffer.UNLIMITED, MemoryReader.limit(0x7FFFFFFFFFFFF000L));
        assertEquals(StatsBuffer.UNLIMITED, MemoryReader.limit(0x7FFFFFFFFFFF0000L));
        assertEquals(100663296, MemoryReader.limit(100663296));
        assertEquals(StatsBuffer.UNLIMITED, MemoryReader.swapLimit(StatsBuffer.UNLIMITED, 100663296));
        assertEquals(StatsBuffer.UNLIMITED, MemoryReader.swapLimit(134217728, StatsBuffer.UNLIMITED));
        assertEquals(33554432, MemoryReader.swapLimit(134217728, 100663296));
    }

    @Test
    void emptyDirectoryHasNoReader() throws CgroupReadException {
        for (String controller : V1Readers.CONTROLLERS) {
            assertTrue(V1Readers.forController(controller, tmp).isEmpty(), controller);
        }
    }
}
