package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.v1.V1Readers;
import io.apptheus.cgroup.v2.V2Readers;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The refresh table at work on real kernel files: which Stats each pass sets, which files stay
 * open, and the working set from the usage of the same sample.
 */
class RefreshTest {

    /** What the files read at every sweep feed, on any host. */
    private static final Set<Stat> EVERY_SWEEP = EnumSet.of(Stat.CPU_USAGE_NS, Stat.MEMORY_USAGE_BYTES,
            Stat.PROCESSES);
    /** What only the slow period reads: limits and settings. */
    private static final Set<Stat> SLOW = EnumSet.of(Stat.CPU_QUOTA_US, Stat.CPU_PERIOD_US, Stat.CPU_SHARES,
            Stat.MEMORY_LIMIT_BYTES, Stat.MEMORY_SWAP_LIMIT_BYTES, Stat.THREADS_MAX);

    @TempDir
    Path tmp;

    private final List<ControllerReader> readers = new ArrayList<>();

    @AfterEach
    void close() {
        readers.forEach(ControllerReader::close);
    }

    private Set<Stat> provided() {
        Set<Stat> out = EnumSet.noneOf(Stat.class);
        readers.forEach(r -> out.addAll(r.provides()));
        return out;
    }

    private Set<Stat> read(Pass pass) throws CgroupReadException {
        StatsBuffer out = new StatsBuffer();
        for (ControllerReader r : readers) {
            r.readInto(out, pass);
        }
        Set<Stat> set = EnumSet.noneOf(Stat.class);
        for (Stat s : Stat.values()) {
            if (out.has(s)) {
                set.add(s);
            }
        }
        return set;
    }

    private static Set<Stat> only(Set<Stat> a, Set<Stat> b) {
        Set<Stat> out = EnumSet.copyOf(a);
        out.retainAll(b);
        return out;
    }

    private static Set<Stat> without(Set<Stat> a, Set<Stat> b) {
        Set<Stat> out = EnumSet.copyOf(a);
        out.removeAll(b);
        return out;
    }

    /** A v2 leaf (6.12, every controller): every Stat in exactly the passes its file's refresh says. */
    @Test
    void eachPassOfAV2LeafSetsTheStatsOfItsFiles() throws CgroupReadException {
        readers.addAll(V2Readers.forCgroup(Fixtures.v2Leaf(Fixtures.V2_612, "io_direct")));
        Set<Stat> all = provided();
        Set<Stat> cpuStat = EnumSet.of(Stat.CPU_USER_NS, Stat.CPU_SYSTEM_NS, Stat.CPU_PERIODS,
                Stat.CPU_THROTTLED_PERIODS, Stat.CPU_THROTTLED_NS); // in v2's cpu.stat with the usage
        Set<Stat> every = EnumSet.copyOf(only(all, EVERY_SWEEP));
        every.addAll(only(all, cpuStat));
        assertEquals(every, read(Pass.EVERY_SWEEP));
        // the working set with memory.stat, from the usage the every-sweep pass read
        assertEquals(without(without(all, every), SLOW), read(Pass.ACTIVE));
        assertEquals(without(all, every), read(Pass.SLOW));
        assertEquals(all, read(Pass.ALL));
        assertTrue(all.containsAll(SLOW), "the 6.12 leaf has every limit: " + all);
    }

    /** This hybrid host: CPU time and its split from cgroup2, throttling and the rest from v1. */
    @Test
    void eachPassOfAHybridContainer() throws CgroupReadException {
        readers.addAll(V2Readers.forHybrid(Fixtures.v1("unified")));
        for (String c : List.of("cpu", "memory", "pids", "blkio")) {
            V1Readers.forController(c, Fixtures.v1(c)).ifPresent(readers::add);
        }
        Set<Stat> all = provided();
        Set<Stat> every = EnumSet.copyOf(only(all, EVERY_SWEEP));
        every.addAll(EnumSet.of(Stat.CPU_USER_NS, Stat.CPU_SYSTEM_NS)); // cgroup2's cpu.stat
        assertEquals(every, read(Pass.EVERY_SWEEP));
        Set<Stat> active = without(without(all, every), SLOW);
        assertTrue(active.containsAll(EnumSet.of(Stat.CPU_PERIODS, Stat.CPU_THROTTLED_PERIODS, Stat.CPU_THROTTLED_NS,
                Stat.OOM_KILLS, Stat.MEMORY_FAILCNT, Stat.THREADS, Stat.PIDS_EVENTS_MAX, Stat.PSI_IO_SOME_NS)),
                active.toString());
        assertEquals(active, read(Pass.ACTIVE));
        assertEquals(without(all, every), read(Pass.SLOW));
    }

    /** The files read at every sweep stay open; the others are opened at each read. */
    @Test
    void onlyTheEverySweepFilesStayOpen() throws IOException {
        Path leaf = Fixtures.v2Leaf(Fixtures.V2_612, "io_direct");
        readers.addAll(V2Readers.forCgroup(leaf));
        Set<String> open = new java.util.TreeSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(leaf.toRealPath())) {
                        open.add(target.getFileName().toString());
                    }
                } catch (IOException e) {
                    // an fd closed meanwhile (the directory stream's own)
                }
            }
        }
        assertEquals(Set.of("cpu.stat", "memory.current", "io.stat", "cgroup.procs"), open);
    }

    /** Usage moves at every sweep, memory.stat while active: the working set is of one sample. */
    @Test
    void theWorkingSetIsTheUsageOfTheSameSampleMinusInactiveFile() throws IOException {
        Path dir = Fixtures.copyDir(Fixtures.v2Leaf(Fixtures.V2_61, "mem_hold"), tmp.resolve("mem_hold"));
        Fixtures.write(dir, "memory.current", "100000000\n");
        Fixtures.write(dir, "memory.stat", "anon 90000000\nfile 10000000\ninactive_file 4000000\n");
        readers.add(io.apptheus.cgroup.v2.MemoryReader.open(dir).orElseThrow());
        StatsBuffer out = new StatsBuffer();
        readers.get(0).readInto(out);
        assertEquals(96000000, out.raw(Stat.MEMORY_WORKING_SET_BYTES));
        Fixtures.write(dir, "memory.current", "120000000\n");
        readers.get(0).readInto(out, Pass.EVERY_SWEEP);
        assertEquals(120000000, out.raw(Stat.MEMORY_USAGE_BYTES));
        assertEquals(96000000, out.raw(Stat.MEMORY_WORKING_SET_BYTES), "memory.stat not read yet");
        Fixtures.write(dir, "memory.stat", "anon 90000000\nfile 30000000\ninactive_file 24000000\n");
        readers.get(0).readInto(out, Pass.ACTIVE);
        assertEquals(96000000, out.raw(Stat.MEMORY_WORKING_SET_BYTES), "120 MB − 24 MB of inactive cache");
        assertEquals(30000000, out.raw(Stat.MEMORY_CACHE_BYTES));
    }

    @Test
    void aFileWithoutARuleIsAProgrammingError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Refresh.Table.UNIFIED.rule("memory.numa_stat"));
        assertEquals("no refresh decided for UNIFIED file memory.numa_stat", e.getMessage());
        assertFalse(Refresh.Table.V1.rule("cgroup.procs").keptOpen(), "v1 pid lists are cached per open file");
        for (Refresh.Table t : Refresh.Table.values()) {
            t.rules().forEach((file, rule) -> assertEquals(rule.refresh() == Refresh.EVERY_SWEEP && !file.equals(
                    "cgroup.procs") || t == Refresh.Table.UNIFIED && file.equals("cgroup.procs"), rule.keptOpen(), file));
        }
    }
}
