package io.apptheus.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The values given in the READMEs of the two v2 captures, read through V2Readers. */
class V2CaptureTest {

    /** Per-kernel values from the README tables; the rest is the same on both kernels. */
    record Capture(String name, long usageUsec, long userUsec, long systemUsec, long throttled,
            long throttledUsec, long psiCpuSome, long psiCpuFull, long memHoldPeak, long memHoldAnon) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Capture> captures() {
        return Stream.of(
                new Capture(Fixtures.V2_61, 1559122, 1503009, 56112, 31, 1518526, 3057153, 1520984,
                        67362816, 67162112),
                new Capture(Fixtures.V2_612, 1522980, 1519024, 3955, 30, 1500452, 3008959, 1498942,
                        67366912, 67166208));
    }

    private static StatsBuffer sample(Capture c, String leaf) throws CgroupReadException {
        Path dir = Fixtures.v2Leaf(c.name(), leaf);
        StatsBuffer out = new StatsBuffer();
        List<ControllerReader> readers = V2Readers.forCgroup(dir);
        try {
            for (ControllerReader reader : readers) {
                reader.readInto(out);
            }
        } finally {
            readers.forEach(ControllerReader::close);
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("captures")
    void cpuBurn(Capture c) throws CgroupReadException {
        StatsBuffer out = sample(c, "cpu_burn");
        assertEquals(c.usageUsec() * 1000, out.raw(Stat.CPU_USAGE_NS));
        assertEquals(c.userUsec() * 1000, out.raw(Stat.CPU_USER_NS));
        assertEquals(c.systemUsec() * 1000, out.raw(Stat.CPU_SYSTEM_NS));
        assertEquals(35, out.raw(Stat.CPU_PERIODS));
        assertEquals(c.throttled(), out.raw(Stat.CPU_THROTTLED_PERIODS));
        assertEquals(c.throttledUsec() * 1000, out.raw(Stat.CPU_THROTTLED_NS));
        assertEquals(50000, out.raw(Stat.CPU_QUOTA_US));
        assertEquals(100000, out.raw(Stat.CPU_PERIOD_US));
        assertEquals(2597, out.raw(Stat.CPU_SHARES));
        assertEquals(c.psiCpuSome() * 1000, out.raw(Stat.PSI_CPU_SOME_NS));
        assertEquals(c.psiCpuFull() * 1000, out.raw(Stat.PSI_CPU_FULL_NS));
        assertEquals(0, out.raw(Stat.PROCESSES));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void memHold(Capture c) throws CgroupReadException {
        StatsBuffer out = sample(c, "mem_hold");
        assertEquals(67350528, out.raw(Stat.MEMORY_USAGE_BYTES));
        assertEquals(67350528, out.raw(Stat.MEMORY_WORKING_SET_BYTES));
        assertEquals(c.memHoldAnon(), out.raw(Stat.MEMORY_RSS_BYTES));
        assertEquals(0, out.raw(Stat.MEMORY_CACHE_BYTES));
        assertEquals(c.memHoldPeak(), out.raw(Stat.MEMORY_MAX_USAGE_BYTES));
        assertEquals(StatsBuffer.UNLIMITED, out.raw(Stat.MEMORY_LIMIT_BYTES));
        assertEquals(Double.POSITIVE_INFINITY, out.get(Stat.MEMORY_LIMIT_BYTES));
        assertEquals(0, out.raw(Stat.MEMORY_SWAP_BYTES));
        assertEquals(StatsBuffer.UNLIMITED, out.raw(Stat.MEMORY_SWAP_LIMIT_BYTES));
        assertEquals(0, out.raw(Stat.OOM_KILLS));
        assertEquals(1, out.raw(Stat.PROCESSES));
        assertEquals(1, out.raw(Stat.THREADS));
        assertEquals(StatsBuffer.UNLIMITED, out.raw(Stat.THREADS_MAX));
        assertEquals(0, out.raw(Stat.CPU_THROTTLED_PERIODS));
        assertEquals(StatsBuffer.UNLIMITED, out.raw(Stat.CPU_QUOTA_US));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void memOom(Capture c) throws CgroupReadException {
        StatsBuffer out = sample(c, "mem_oom");
        assertEquals(1, out.raw(Stat.OOM_KILLS));
        assertEquals(35, out.raw(Stat.MEMORY_EVENTS_MAX));
        assertEquals(0, out.raw(Stat.MEMORY_EVENTS_HIGH));
        assertEquals(33554432, out.raw(Stat.MEMORY_LIMIT_BYTES));
        assertEquals(33554432, out.raw(Stat.MEMORY_MAX_USAGE_BYTES));
        assertEquals(0, out.raw(Stat.MEMORY_USAGE_BYTES));
    }

    @ParameterizedTest
    @MethodSource("captures")
    void ioDirect(Capture c) throws CgroupReadException {
        StatsBuffer.IoCounters[] devices = sample(c, "io_direct").devices();
        assertEquals(1, devices.length);
        assertEquals("254:0", devices[0].majMin());
        assertEquals(16777216, devices[0].readBytes);
        assertEquals(16777216, devices[0].writeBytes);
        assertEquals(16, devices[0].reads);
        assertEquals(17, devices[0].writes);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void fsWrite(Capture c) throws CgroupReadException {
        StatsBuffer.IoCounters[] devices = sample(c, "fs_write").devices();
        assertEquals(1, devices.length);
        assertEquals("254:16", devices[0].majMin());
        assertEquals(2048, devices[0].readBytes);
        assertEquals(8388608, devices[0].writeBytes);
        assertEquals(2, devices[0].reads);
        assertEquals(8, devices[0].writes);
    }

    @ParameterizedTest
    @MethodSource("captures")
    void pidsLimit(Capture c) throws CgroupReadException {
        StatsBuffer out = sample(c, "pids_limit");
        assertEquals(6, out.raw(Stat.PIDS_EVENTS_MAX));
        assertEquals(5, out.raw(Stat.THREADS_MAX));
        assertEquals(0, out.raw(Stat.THREADS));
        assertEquals(0, sample(c, "cpu_burn").devices().length, "empty io.stat sets no device");
    }
}
