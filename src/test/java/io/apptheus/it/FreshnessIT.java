package io.apptheus.it;

import static io.apptheus.it.support.Scrape.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.TestCgroups;

/**
 * Every counter a dashboard or a recording rule rates is at most one sweep old: what a sample
 * publishes is at least what the kernel file held before that sample started. Checked against the
 * kernel files themselves, read by the test, never against wall time: a check pairs a kernel value
 * read before time t0 with the first scrapes of a sample that started after t0 (its
 * {@code container_last_seen}), so a loaded machine only makes the checks fewer, never wrong.
 */
class FreshnessIT {

    private static final Duration READY = Duration.ofSeconds(60);
    /** The checks go on at least this long, and until each probe has enough, for at most {@link #WATCH_MAX}. */
    private static final Duration WATCH = Duration.ofSeconds(10);
    private static final Duration WATCH_MAX = Duration.ofSeconds(120);
    /** Enough checks after a move of the kernel's value for a stale agent to have failed. */
    private static final int MEANINGFUL = 3;
    /** Reads of a gauge closer than this show whether it held still between them (see {@link #watch}). */
    private static final long STILL_GAP_MS = 300;

    @RegisterExtension
    final ItResources it = new ItResources();

    /**
     * Five containers keep every rated counter moving: a CPU burner half in the kernel under a CPU
     * quota (usage, user, system, CFS periods and throttling, CPU pressure), O_DIRECT IO (and IO
     * pressure), forks against a pids
     * limit (processes, threads, refused forks), children OOM-killed by a memory limit, and memory
     * held in steps (usage, working set). The test reads the kernel files and scrapes every 0.1 s
     * until each counter was checked at least three times after its kernel value moved (10 s at
     * least, 120 s at most).
     */
    @Test
    void everyRatedCounterIsAtMostOneSweepOld() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(60)).start().awaitReady(READY);
        Kernel k = new Kernel(it);
        Map<String, String> later = Map.of("FAKESTARTER_START_DELAY_MS", "1500"); // limits first
        FakeStarter.Handle cpu = start(later, "mix", "300");
        FakeStarter.Handle io = start(later, "ioloop", it.tempDir().resolve("io.bin").toString(), "64", "150", "300");
        FakeStarter.Handle forks = start(later, "forkloop", "700", "1500", "300");
        FakeStarter.Handle oom = start(later, "oomloop", "64", "600", "300");
        FakeStarter.Handle steps = start(later, "steps", "16", "1300", "300");
        List<FakeStarter.Handle> all = List.of(cpu, io, forks, oom, steps);
        agent.awaitScrape(Duration.ofSeconds(20), s -> all.stream().allMatch(h -> s.has("container_processes", named(name(h)))));
        // The quota once the burner runs: a quota written on a group with no task running starts the
        // kernel's period timer by itself, and v1's cpu.stat then counts a period or two while the
        // container is idle (documented in docs/metrics.md: shown at the next slow read).
        Probe burnt = k.cpuStat(name(cpu), "container_cpu_usage_seconds_total", "usage_usec");
        double idle = burnt.kernel();
        long running = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (burnt.kernel() < idle + 0.05) {
            assertTrue(System.nanoTime() < running, "the burner did not start: " + cpu.describe());
            pause(20);
        }
        k.limit(name(cpu), "cpu", "cpu.cfs_quota_us", "1000", "cpu.max", "1000 100000"); // throttled even on a busy machine
        k.limit(name(forks), "pids", "pids.max", "3", "pids.max", "3");
        k.limit(name(oom), "memory", "memory.limit_in_bytes", Long.toString(32L << 20), "memory.max", Long.toString(32L << 20));
        k.limitIfPresent(name(oom), "memory", "memory.memsw.limit_in_bytes", Long.toString(32L << 20), "memory.swap.max", "0");

        List<Probe> probes = new ArrayList<>();
        String c = name(cpu);
        probes.add(k.cpuStat(c, "container_cpu_usage_seconds_total", "usage_usec"));
        probes.add(k.cpuStat(c, "container_cpu_user_seconds_total", "user_usec"));
        probes.add(k.cpuStat(c, "container_cpu_system_seconds_total", "system_usec"));
        probes.add(k.throttling(c, "container_cpu_cfs_periods_total", "nr_periods"));
        probes.add(k.throttling(c, "container_cpu_cfs_throttled_periods_total", "nr_throttled"));
        probes.add(k.throttling(c, "container_cpu_cfs_throttled_seconds_total", "throttled"));
        probes.add(k.pressure(c, "container_pressure_cpu_waiting_seconds_total", "cpu.pressure", "some"));
        String d = name(io);
        for (String series : List.of("container_fs_reads_bytes_total", "container_fs_writes_bytes_total",
                "container_fs_reads_total", "container_fs_writes_total")) {
            probes.add(k.io(d, series));
        }
        probes.add(k.pressure(d, "container_pressure_io_waiting_seconds_total", "io.pressure", "some"));
        String f = name(forks);
        probes.add(k.processes(f));
        probes.add(k.value(f, "container_threads", "pids", "pids.current", true));
        probes.add(k.keyed(f, "container_pids_events_max_total", "pids", "pids.events", "max", 1));
        String o = name(oom);
        probes.add(k.v1OrV2Keyed(o, "container_oom_events_total", "memory", "memory.oom_control", "memory.events", "oom_kill"));
        String m = name(steps);
        probes.add(k.memoryUsage(m));
        probes.add(k.workingSet(m));

        watch(agent, probes);
    }

    /**
     * A container idle for longer than the activity window does O_DIRECT writes 4 s apart (its
     * workload first waits on a FIFO, using no CPU, until 4 s after it was registered): each
     * write is on the first sample that starts after the kernel counted it. A check counts as
     * strict when the test saw the sample before that one start before the write was counted.
     */
    @Test
    void ioOfAnIdleContainerShowsAtTheFirstSampleAfterEachWrite() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(60)).start().awaitReady(READY);
        Kernel k = new Kernel(it);
        Path fifo = it.tempDir().resolve("go.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        FakeStarter.Handle h = start(Map.of("FAKESTARTER_START_FIFO", fifo.toString()), "ioloop",
                it.tempDir().resolve("first.bin").toString(), "256", "4000", "300");
        String name = name(h);
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.has("container_processes", named(name)));
        Probe writes = k.io(name, "container_fs_writes_bytes_total");
        pause(4000);
        assertEquals(0, writes.kernel(), "nothing written before the FIFO opens");
        Files.writeString(fifo, "go"); // opens, writes and closes: the workload starts
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        double counted = 0;
        int strict = 0;
        while (strict < 2) {
            double v;
            while ((v = writes.kernel()) == counted) {
                assertTrue(System.nanoTime() < deadline, strict + " strict checks; no new write counted: " + h.describe());
                pause(20);
            }
            long t0 = System.currentTimeMillis();
            counted = v;
            Sample first = firstSampleAfter(agent, name, t0);
            assertTrue(writes.published(first.scrape) >= v, "the sample of " + first.startMillis + " ms published "
                    + writes.published(first.scrape) + " bytes written, the kernel had counted " + v + " before "
                    + t0 + " ms\n" + first.scrape.series("container_fs_writes_bytes_total"));
            strict += first.strict ? 1 : 0;
            System.out.println("FreshnessIT: " + (long) v + " bytes counted by the kernel before " + t0
                    + " ms; the sample of " + first.startMillis + " ms published " + (long) writes.published(first.scrape)
                    + (first.strict ? " (the first sample to start after it)" : ""));
        }
    }

    /** A scrape of a sample; strict when that sample is the first to start after the time asked for. */
    private record Sample(Scrape scrape, long startMillis, boolean strict) {
    }

    /**
     * The second of two scrapes showing the same sample that started after {@code t0} (epoch ms):
     * that sample had been written whole before this scrape began. Strict when a scrape taken
     * after t0 showed the sample before it, less than one and a half sweeps earlier (0.5 s sweeps).
     */
    private static Sample firstSampleAfter(AgentProcess agent, String container, long t0) {
        long previous = -1;
        long before = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Scrape s = agent.scrape();
            long seen = lastSeenMillis(s, container);
            if (seen <= t0) {
                before = Math.max(before, seen);
            } else if (seen == previous) {
                return new Sample(s, seen, before > 0 && seen - before < 750);
            }
            previous = seen;
            pause(20);
        }
        throw new AssertionError("no sample of " + container + " after " + t0 + "\n" + agent.describe());
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private FakeStarter.Handle start(Map<String, String> env, String... workload) {
        return it.starters().start(it.trustedStarter(), it.socketPath(), env, workload);
    }

    private static String name(FakeStarter.Handle h) {
        return "starter_" + h.pid();
    }

    private static long lastSeenMillis(Scrape s, String container) {
        return Math.round(s.value("container_last_seen", named(container)).orElse(0) * 1000);
    }

    /**
     * Reads the kernel and scrapes every 0.1 s for {@link #WATCH}; checks each probe as it goes.
     *
     * <p>A counter read from the kernel before t0 is at most what any sample that started after t0
     * publishes. A gauge is checked only where the test saw it hold still: every read from before
     * t0 until after the scrape that showed the sample found the same value, less than
     * {@link #STILL_GAP_MS} apart (the workloads move their gauges at most every 0.6 s, so no move
     * and move back fits between two reads); the sample must then publish exactly that value.
     */
    private static void watch(AgentProcess agent, List<Probe> probes) {
        record Pending(int probe, double value, int iteration, long t0) {
        }
        record Seen(int probe, double value, int iteration, long sample, double published) {
        }
        List<Pending> pending = new ArrayList<>();
        List<Seen> gauges = new ArrayList<>();
        List<double[]> reads = new ArrayList<>();
        List<Long> readTimes = new ArrayList<>();
        Map<String, Long> previousSeen = new HashMap<>();
        List<TreeMap<Long, Double>> published = new ArrayList<>();
        int[] meaningful = new int[probes.size()];
        probes.forEach(p -> published.add(new TreeMap<>()));
        long start = System.nanoTime();
        for (int iteration = 0; ; iteration++) {
            long elapsed = System.nanoTime() - start;
            if (elapsed > WATCH_MAX.toNanos()
                    || elapsed > WATCH.toNanos() && java.util.Arrays.stream(meaningful).allMatch(n -> n >= MEANINGFUL)) {
                break;
            }
            double[] values = new double[probes.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = probes.get(i).kernel();
            }
            long t0 = System.currentTimeMillis(); // every value above was read before t0
            reads.add(values);
            readTimes.add(t0);
            for (var it = gauges.iterator(); it.hasNext(); ) { // the reads after the scrape that showed them
                Seen g = it.next();
                it.remove();
                boolean still = true;
                for (int r = g.iteration; r <= iteration && still; r++) {
                    still = reads.get(r)[g.probe] == g.value
                            && (r == g.iteration || readTimes.get(r) - readTimes.get(r - 1) < STILL_GAP_MS);
                }
                if (!still) {
                    continue;
                }
                if (g.published != g.value) {
                    fail(probes.get(g.probe) + ": the sample of " + g.sample + " ms published " + g.published
                            + ", the kernel held " + g.value + " from before it until after it\n" + agent.describe());
                }
                count(meaningful, published, g.probe, g.value, readTimes.get(g.iteration));
            }
            for (int i = 0; i < values.length; i++) {
                pending.add(new Pending(i, values[i], iteration, t0));
            }
            Scrape s = agent.scrape();
            Map<String, Long> stable = new HashMap<>();
            for (int i = 0; i < probes.size(); i++) {
                String c = probes.get(i).container();
                long seen = lastSeenMillis(s, c);
                if (seen > 0 && Long.valueOf(seen).equals(previousSeen.get(c))) {
                    stable.put(c, seen);
                    published.get(i).put(seen, probes.get(i).published(s));
                }
            }
            probes.forEach(p -> previousSeen.put(p.container(), lastSeenMillis(s, p.container())));
            for (var it = pending.iterator(); it.hasNext(); ) {
                Pending x = it.next();
                Probe p = probes.get(x.probe);
                Long seen = stable.get(p.container());
                if (seen == null || seen <= x.t0) {
                    continue;
                }
                it.remove();
                double now = p.published(s);
                if (p.gauge()) {
                    gauges.add(new Seen(x.probe, x.value, x.iteration, seen, now));
                    continue;
                }
                if (now < x.value * (1 - 1e-12)) {
                    fail(p + ": the sample of " + seen + " ms published " + now + ", the kernel had " + x.value
                            + " before " + x.t0 + " ms\n" + agent.describe());
                }
                count(meaningful, published, x.probe, x.value, x.t0);
            }
            pause(100);
        }
        StringBuilder summary = new StringBuilder("FreshnessIT: checks after the kernel's value moved, per probe, in "
                + (System.nanoTime() - start) / 1_000_000 + " ms:");
        for (int i = 0; i < probes.size(); i++) {
            summary.append("\n  ").append(probes.get(i)).append(": ").append(meaningful[i]);
        }
        System.out.println(summary);
        for (int i = 0; i < probes.size(); i++) {
            assertTrue(meaningful[i] >= MEANINGFUL, probes.get(i) + ": only " + meaningful[i]
                    + " checks after the kernel's value had moved: " + java.util.Arrays.toString(meaningful));
        }
    }

    /** Counts a check made after the kernel's value moved from what the last sample before t0 published. */
    private static void count(int[] meaningful, List<TreeMap<Long, Double>> published, int probe, double value, long t0) {
        var before = published.get(probe).floorEntry(t0);
        if (before != null && before.getValue() != value) {
            meaningful[probe]++;
        }
    }

    /** One published series and the kernel file it comes from. */
    interface Probe {
        String container();

        boolean gauge();

        /** The kernel's value, in the published unit. */
        double kernel();

        double published(Scrape s);
    }

    /** Reads the containers' kernel files where the agent made them, on this host's layout. */
    static final class Kernel {
        private final Map<String, Path> parents;
        private final boolean unified;
        private final boolean v1;

        Kernel(ItResources it) {
            this.parents = it.cgroups().dirsOf(it.cgroupParent());
            this.unified = parents.containsKey(TestCgroups.UNIFIED);
            this.v1 = parents.containsKey("memory");
        }

        Path dir(String hierarchy, String container) {
            Path p = parents.get(v1 || hierarchy.equals(TestCgroups.UNIFIED) ? hierarchy : TestCgroups.UNIFIED);
            return p.resolve(container);
        }

        static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        static double key(String text, String key) {
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals(key)) {
                    return Double.parseDouble(f[1]);
                }
            }
            return 0;
        }

        /** Sets a limit as an administrator would: the v1 file where v1 has the controller, else v2's. */
        void limit(String container, String controller, String v1File, String v1Value, String v2File, String v2Value)
                throws IOException {
            Path d = dir(controller, container);
            Files.writeString(d.resolve(v1 ? v1File : v2File), v1 ? v1Value : v2Value);
        }

        void limitIfPresent(String container, String controller, String v1File, String v1Value, String v2File,
                            String v2Value) throws IOException {
            Path file = dir(controller, container).resolve(v1 ? v1File : v2File);
            if (Files.exists(file)) {
                Files.writeString(file, v1 ? v1Value : v2Value);
            }
        }

        Probe probe(String container, String series, boolean gauge, java.util.function.DoubleSupplier kernel) {
            return new Probe() {
                public String container() {
                    return container;
                }

                public boolean gauge() {
                    return gauge;
                }

                public double kernel() {
                    return kernel.getAsDouble();
                }

                public double published(Scrape s) {
                    return s.series(series, named(container)).stream().mapToDouble(Scrape.Sample::value).sum();
                }

                @Override
                public String toString() {
                    return series + "{name=\"" + container + "\"}";
                }
            };
        }

        /** CPU time, from cgroup2's cpu.stat where it is mounted (the agent's source there). */
        Probe cpuStat(String container, String series, String key) {
            Path file = dir(TestCgroups.UNIFIED, container).resolve("cpu.stat");
            return probe(container, series, false, () -> key(read(file), key) / 1e6);
        }

        /** CFS bandwidth counters: v1's cpu.stat where v1 has the cpu controller, else v2's. */
        Probe throttling(String container, String series, String key) {
            Path file = dir("cpu", container).resolve("cpu.stat");
            return probe(container, series, false, () -> {
                String text = read(file);
                return switch (key) {
                    case "throttled" -> v1 ? key(text, "throttled_time") / 1e9 : key(text, "throttled_usec") / 1e6;
                    default -> key(text, key);
                };
            });
        }

        /** Per-device IO summed over the devices: v1's blkio throttle files, v2's io.stat. */
        Probe io(String container, String series) {
            boolean bytes = series.contains("bytes");
            boolean reads = series.contains("reads");
            return probe(container, series, false, () -> {
                double sum = 0;
                if (v1) {
                    Path file = dir("blkio", container).resolve(bytes ? "blkio.throttle.io_service_bytes_recursive"
                            : "blkio.throttle.io_serviced_recursive");
                    for (String line : read(file).split("\n")) {
                        String[] f = line.trim().split(" ");
                        if (f.length == 3 && f[1].equals(reads ? "Read" : "Write")) {
                            sum += Double.parseDouble(f[2]);
                        }
                    }
                } else {
                    String key = (reads ? "r" : "w") + (bytes ? "bytes=" : "ios=");
                    for (String line : read(dir(TestCgroups.UNIFIED, container).resolve("io.stat")).split("\n")) {
                        for (String kv : line.trim().split(" ")) {
                            if (kv.startsWith(key)) {
                                sum += Double.parseDouble(kv.substring(key.length()));
                            }
                        }
                    }
                }
                return sum;
            });
        }

        /** PSI: the total= (µs) of the "some" or "full" line of a cgroup2 pressure file. */
        Probe pressure(String container, String series, String file, String line) {
            Path path = dir(TestCgroups.UNIFIED, container).resolve(file);
            return probe(container, series, false, () -> {
                for (String l : read(path).split("\n")) {
                    if (l.startsWith(line + " ")) {
                        return Double.parseDouble(l.substring(l.indexOf("total=") + 6).trim()) / 1e6;
                    }
                }
                return 0;
            });
        }

        /** Processes: lines of cgroup.procs in cgroup2 where it is mounted (as the agent counts them). */
        Probe processes(String container) {
            Path file = dir(unified ? TestCgroups.UNIFIED : "memory", container).resolve("cgroup.procs");
            return probe(container, "container_processes", true, () -> read(file).lines().filter(l -> !l.isBlank()).count());
        }

        Probe value(String container, String series, String controller, String file, boolean gauge) {
            Path path = dir(controller, container).resolve(file);
            return probe(container, series, gauge, () -> Double.parseDouble(read(path).trim()));
        }

        Probe keyed(String container, String series, String controller, String file, String key, double scale) {
            Path path = dir(controller, container).resolve(file);
            return probe(container, series, false, () -> key(read(path), key) * scale);
        }

        Probe v1OrV2Keyed(String container, String series, String controller, String v1File, String v2File, String key) {
            return keyed(container, series, controller, v1 ? v1File : v2File, key, 1);
        }

        Probe memoryUsage(String container) {
            return value(container, "container_memory_usage_bytes", "memory",
                    v1 ? "memory.usage_in_bytes" : "memory.current", true);
        }

        /** usage − inactive file pages, as cAdvisor and the agent compute it. */
        Probe workingSet(String container) {
            Path d = dir("memory", container);
            return probe(container, "container_memory_working_set_bytes", true, () -> {
                double usage = Double.parseDouble(read(d.resolve(v1 ? "memory.usage_in_bytes" : "memory.current")).trim());
                double inactive = key(read(d.resolve("memory.stat")), v1 ? "total_inactive_file" : "inactive_file");
                return Math.max(0, usage - inactive);
            });
        }
    }
}
