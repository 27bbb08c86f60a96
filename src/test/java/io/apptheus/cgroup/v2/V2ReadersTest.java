package io.apptheus.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.PidsReader;
import io.apptheus.cgroup.fs.ProcessCountReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class V2ReadersTest {

    @TempDir
    Path tmp;

    private static List<Class<?>> classes(List<ControllerReader> readers) {
        return readers.stream().<Class<?>>map(Object::getClass).toList();
    }

    @Test
    void leafHasEveryReader() throws CgroupReadException {
        List<ControllerReader> readers = V2Readers.forCgroup(Fixtures.v2Leaf(Fixtures.V2_612, "mem_hold"));
        assertEquals(List.of(CpuReader.class, MemoryReader.class, PidsReader.class, IoReader.class,
                PressureReader.class, ProcessCountReader.class), classes(readers));
        readers.forEach(ControllerReader::close);
    }

    /** The root has cpu.stat and memory.stat but no cpu.max, memory.current or pids.*. */
    @Test
    void rootCgroupProvidesOnlyWhatItsFilesFeed() throws CgroupReadException {
        Path root = Fixtures.path(Fixtures.V2_61, "sys/fs/cgroup");
        try (ControllerReader cpu = CpuReader.open(root).orElseThrow();
                ControllerReader memory = MemoryReader.open(root).orElseThrow()) {
            assertEquals(EnumSet.of(Stat.CPU_USAGE_NS, Stat.CPU_USER_NS, Stat.CPU_SYSTEM_NS), cpu.provides());
            assertEquals(EnumSet.of(Stat.MEMORY_RSS_BYTES, Stat.MEMORY_CACHE_BYTES), memory.provides());
            StatsBuffer out = new StatsBuffer();
            memory.readInto(out);
            assertEquals(67293184, out.raw(Stat.MEMORY_RSS_BYTES));
            assertFalse(out.has(Stat.MEMORY_WORKING_SET_BYTES));
        }
        assertTrue(PidsReader.open(root, Refresh.Table.UNIFIED).isEmpty());
    }

    /** Hybrid host: the cgroup2 side has cpu.stat and PSI only (fixture of this host, 6.18). */
    @Test
    void hybridUnifiedDirectory() throws CgroupReadException {
        Path unified = Fixtures.v1("unified");
        List<ControllerReader> readers = V2Readers.forHybrid(unified);
        assertEquals(List.of(CpuReader.class, PressureReader.class, ProcessCountReader.class), classes(readers));
        StatsBuffer out = new StatsBuffer();
        for (ControllerReader reader : readers) {
            reader.readInto(out);
            reader.close();
        }
        assertEquals(1681691000L, out.raw(Stat.CPU_USAGE_NS));
        assertFalse(out.has(Stat.CPU_THROTTLED_PERIODS));
        assertEquals(2378020000L, out.raw(Stat.PSI_CPU_SOME_NS));
        assertEquals(2113022000L, out.raw(Stat.PSI_CPU_FULL_NS));
        assertEquals(10947000L, out.raw(Stat.PSI_MEMORY_FULL_NS));
        assertEquals(43290000L, out.raw(Stat.PSI_IO_SOME_NS));
        assertEquals(1550707000L, out.raw(Stat.CPU_USER_NS));
        assertEquals(130984000L, out.raw(Stat.CPU_SYSTEM_NS));
        assertEquals(out.raw(Stat.CPU_USAGE_NS), out.raw(Stat.CPU_USER_NS) + out.raw(Stat.CPU_SYSTEM_NS),
                "cgroup2 scales the tick-sampled split to the scheduler's time");
        assertEquals(1, out.raw(Stat.PROCESSES));
        try (ControllerReader psi = PressureReader.open(unified).orElseThrow()) {
            assertEquals(EnumSet.range(Stat.PSI_CPU_SOME_NS, Stat.PSI_IO_FULL_NS), psi.provides());
        }
    }

    @Test
    void noFileNoReader() throws CgroupReadException {
        assertEquals(List.of(), V2Readers.forCgroup(tmp));
        assertEquals(List.of(), V2Readers.forHybrid(tmp));
    }

    @Test
    void optionalFilesMissing() throws IOException {
        Fixtures.write(tmp, "memory.current", "4096\n");
        Fixtures.write(tmp, "memory.stat", "anon 0\nfile 4096\ninactive_file 8192\n");
        try (ControllerReader memory = MemoryReader.open(tmp).orElseThrow()) {
            assertEquals(EnumSet.of(Stat.MEMORY_USAGE_BYTES, Stat.MEMORY_RSS_BYTES, Stat.MEMORY_CACHE_BYTES,
                    Stat.MEMORY_WORKING_SET_BYTES), memory.provides());
            StatsBuffer out = new StatsBuffer();
            memory.readInto(out);
            assertEquals(0, out.raw(Stat.MEMORY_WORKING_SET_BYTES), "floored at 0");
            assertFalse(out.has(Stat.MEMORY_MAX_USAGE_BYTES), "memory.peak is 5.19+");
        }
    }

    /** One bad file fails the sample, naming file and line; what was read before stays. */
    @Test
    void malformedMemoryStatNamesFileAndLine() throws IOException {
        Path dir = Fixtures.copyDir(Fixtures.v2Leaf(Fixtures.V2_61, "mem_hold"), tmp.resolve("mem_hold"));
        Path stat = dir.resolve("memory.stat");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(stat));
        lines.set(2, "foo");
        Files.write(stat, lines);
        try (ControllerReader memory = MemoryReader.open(dir).orElseThrow()) {
            StatsBuffer out = new StatsBuffer();
            CgroupReadException e = assertThrows(CgroupReadException.class, () -> memory.readInto(out));
            assertEquals("cannot read " + stat + ": line 3 \"foo\": not \"key value\"", e.getMessage());
            assertEquals("malformed", e.reason());
            assertEquals(stat, e.file());
            assertEquals(67350528, out.raw(Stat.MEMORY_USAGE_BYTES));
        }
    }

    @Test
    void weightAsShares() {
        assertEquals(2, CpuReader.shares(1));
        assertEquals(2597, CpuReader.shares(100));
        assertEquals(998, CpuReader.shares(39));
        assertEquals(262144, CpuReader.shares(10000));
    }
}
