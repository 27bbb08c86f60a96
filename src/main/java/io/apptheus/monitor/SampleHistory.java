package io.apptheus.monitor;

import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;

/**
 * The recent samples of one container, from which the agent computes its own rates for the status
 * API and {@code apptheus ps} (Prometheus computes its own from the counters on /metrics).
 *
 * <p>Two rings of preallocated arrays: the last {@link #RECENT} samples, for "now" rates over the
 * last {@link #RATE_WINDOW_NANOS}; and one point per {@link #STEP_NANOS} (downsampled from the
 * sweep interval) for sparklines over the last {@code (POINTS - 1) * STEP} = 5 minutes. Recording
 * allocates nothing, except a new copy of the device list when a block device first appears.
 *
 * <p>One per container, so its size counts (bench/RESULTS.md: 11.7 KiB per container when both
 * rings kept 8 columns of longs, the largest per-container heap item). The recent ring keeps exact
 * longs, as rates over a few samples need them; a point keeps only what the sparklines show, 12
 * bytes: its time (int milliseconds since a base), the CPU cores over the step that ends there and
 * the memory working set (floats: a working set is a whole number of pages, which a float holds
 * exactly up to 64 GiB). About 3 KiB in all.
 *
 * <p>The sweep records under this object's lock; HTTP threads take a {@link #snapshot} under it.
 * Times are {@link System#nanoTime()} values, so a clock step never makes a rate negative.
 */
public final class SampleHistory {

    public static final int RECENT = 16;
    public static final int POINTS = 151;
    public static final long STEP_NANOS = 2_000_000_000L;
    /** A point is taken once this much of a step has passed, so a late-by-jitter sample still counts. */
    static final long STEP_TOLERANCE_NANOS = STEP_NANOS / 10;
    /** "Now" rates span the recent samples at most this old (at least the last two samples). */
    public static final long RATE_WINDOW_NANOS = 3_000_000_000L;
    /** A point's time is kept as int milliseconds since {@link #baseNanos}, moved on by this much when needed. */
    static final long REBASE_MILLIS = 1L << 30; // 12.4 days

    // the columns of the recent ring
    static final int T = 0;
    static final int CPU_NS = 1;
    static final int WORKING_SET = 2;
    static final int IO_READ = 3;
    static final int IO_WRITE = 4;
    static final int PSI_CPU = 5;
    static final int PSI_MEMORY = 6;
    static final int PSI_IO = 7;
    private static final int COLUMNS = 8;
    private static final Stat[] SOURCE = {null, Stat.CPU_USAGE_NS, Stat.MEMORY_WORKING_SET_BYTES, null, null,
        Stat.PSI_CPU_SOME_NS, Stat.PSI_MEMORY_SOME_NS, Stat.PSI_IO_SOME_NS};

    private final boolean io;
    private StatsBuffer.IoCounters[] devices = new StatsBuffer.IoCounters[0];
    /** Bit per column: present in the latest sample. */
    private int present;

    /** The recent ring: row {@code slot} at {@code recent[slot * COLUMNS ...]}; the oldest at {@link #recentStart}. */
    private final long[] recent = new long[RECENT * COLUMNS];
    private int recentStart;
    private int recentSize;

    /*
     * The points ring: the point before the first one kept gives it its CPU rate, so one point
     * fewer than POINTS is kept; the newest point's time and CPU counter are kept exactly apart.
     */
    private final int[] pointMillis = new int[POINTS - 1];
    private final float[] pointCpuCores = new float[POINTS - 1];
    private final float[] pointWorkingSet = new float[POINTS - 1];
    private int pointStart;
    private int pointSize;
    private boolean anyPoint;
    private long baseNanos;
    private long lastPointNanos;
    private long lastPointCpuNs;
    private boolean lastPointHasCpu;

    /** @param io whether the container's readers fill per-device IO counters */
    public SampleHistory(boolean io) {
        this.io = io;
    }

    /** Records the values of one sample taken at {@code nanos} ({@link System#nanoTime()}). */
    public synchronized void record(long nanos, StatsBuffer stats) {
        int slot;
        if (recentSize < RECENT) {
            slot = (recentStart + recentSize) % RECENT;
            recentSize++;
        } else {
            slot = recentStart;
            recentStart = (recentStart + 1) % RECENT;
        }
        int row = slot * COLUMNS;
        int previous = (slot + RECENT - 1) % RECENT * COLUMNS; // a value not read keeps the previous one
        int mask = 1 << T;
        recent[row + T] = nanos;
        for (int c = 1; c < COLUMNS; c++) {
            Stat s = SOURCE[c];
            if (s != null && stats.has(s)) {
                recent[row + c] = stats.raw(s);
                mask |= 1 << c;
            } else {
                recent[row + c] = recent[previous + c];
            }
        }
        if (io) {
            if (stats.deviceCount() != devices.length) {
                devices = stats.devices();
            }
            long read = 0;
            long write = 0;
            for (StatsBuffer.IoCounters d : devices) {
                read += d.readBytes;
                write += d.writeBytes;
            }
            recent[row + IO_READ] = read;
            recent[row + IO_WRITE] = write;
            mask |= 1 << IO_READ | 1 << IO_WRITE;
        }
        present = mask;
        if (!anyPoint || nanos - lastPointNanos >= STEP_NANOS - STEP_TOLERANCE_NANOS) {
            addPoint(nanos, stats);
        }
    }

    private void addPoint(long nanos, StatsBuffer stats) {
        boolean hasCpu = stats.has(Stat.CPU_USAGE_NS);
        long cpu = stats.raw(Stat.CPU_USAGE_NS);
        if (!anyPoint) {
            anyPoint = true;
            baseNanos = nanos;
        } else {
            long millis = Math.floorDiv(nanos - baseNanos, 1_000_000L);
            if (millis >= REBASE_MILLIS) { // once in 12 days: no int overflow for the next 12
                baseNanos += REBASE_MILLIS * 1_000_000L;
                millis -= REBASE_MILLIS;
                for (int i = 0; i < pointMillis.length; i++) {
                    pointMillis[i] = (int) Math.max(Integer.MIN_VALUE, pointMillis[i] - REBASE_MILLIS);
                }
            }
            int slot;
            if (pointSize < pointMillis.length) {
                slot = (pointStart + pointSize) % pointMillis.length;
                pointSize++;
            } else {
                slot = pointStart;
                pointStart = (pointStart + 1) % pointMillis.length;
            }
            pointMillis[slot] = (int) millis;
            long dt = nanos - lastPointNanos;
            long dv = cpu - lastPointCpuNs;
            pointCpuCores[slot] = hasCpu && lastPointHasCpu && dt > 0 && dv >= 0 ? (float) ((double) dv / dt) : Float.NaN;
            pointWorkingSet[slot] = stats.has(Stat.MEMORY_WORKING_SET_BYTES)
                    ? (float) stats.raw(Stat.MEMORY_WORKING_SET_BYTES) : Float.NaN;
        }
        lastPointNanos = nanos;
        lastPointCpuNs = cpu;
        lastPointHasCpu = hasCpu;
    }

    /**
     * The rates now and the sparkline series, with times converted to seconds since the epoch by
     * the pair ({@code nowNanos}, {@code nowEpochSeconds}) read together by the caller.
     */
    public synchronized Snapshot snapshot(long nowNanos, double nowEpochSeconds) {
        Rates rates = Rates.NONE;
        int n = recentSize;
        if (n >= 2) {
            int last = n - 1;
            int first = last - 1;
            while (first > 0 && recent(last, T) - recent(first - 1, T) <= RATE_WINDOW_NANOS) {
                first--;
            }
            rates = new Rates(rate(first, last, CPU_NS, 1e-9), rate(first, last, IO_READ, 1),
                    rate(first, last, IO_WRITE, 1), rate(first, last, PSI_CPU, 1e-9),
                    rate(first, last, PSI_MEMORY, 1e-9), rate(first, last, PSI_IO, 1e-9));
        }
        int m = pointSize;
        double[] times = new double[m];
        double[] cpu = new double[m];
        double[] memory = new double[m];
        for (int i = 0; i < m; i++) {
            int slot = (pointStart + i) % pointMillis.length;
            long t = baseNanos + pointMillis[slot] * 1_000_000L;
            times[i] = nowEpochSeconds - (nowNanos - t) / 1e9;
            cpu[i] = pointCpuCores[slot];
            memory[i] = pointWorkingSet[slot];
        }
        return new Snapshot(rates, times, cpu, memory);
    }

    /** Samples kept in the recent ring. */
    synchronized int recentSize() {
        return recentSize;
    }

    /** Points taken and kept, the one before the first kept included (it gave that one its rate). */
    synchronized int pointsSize() {
        return anyPoint ? pointSize + 1 : 0;
    }

    private long recent(int index, int column) {
        return recent[(recentStart + index) % RECENT * COLUMNS + column];
    }

    /** Per second between recent rows {@code a} and {@code b}; NaN if unmeasured, no time passed or a counter went back. */
    private double rate(int a, int b, int column, double scale) {
        long dt = recent(b, T) - recent(a, T);
        long dv = recent(b, column) - recent(a, column);
        if ((present & (1 << column)) == 0 || dt <= 0 || dv < 0) {
            return Double.NaN;
        }
        return dv * scale / (dt / 1e9);
    }

    /**
     * Rates over the last samples, per second; NaN where not measured or not enough samples yet.
     *
     * @param cpuCores         CPU seconds per second: cores in use
     * @param cpuWaiting       PSI "some" seconds per second: the share of time at least one task waited
     */
    public record Rates(double cpuCores, double ioReadBytesPerSecond, double ioWriteBytesPerSecond,
                        double cpuWaiting, double memoryWaiting, double ioWaiting) {
        static final Rates NONE = new Rates(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /**
     * Rates now, and one point per step, oldest first: its time (seconds since the epoch), CPU cores
     * over the step that ends there, and the memory working set (bytes) there. NaN where unknown.
     */
    public record Snapshot(Rates rates, double[] times, double[] cpuCores, double[] memoryWorkingSetBytes) {
    }
}
