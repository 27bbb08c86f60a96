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

    // the columns of both rings
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
    private final Ring recent = new Ring(RECENT);
    private final Ring points = new Ring(POINTS);
    private final long[] row = new long[COLUMNS];
    private StatsBuffer.IoCounters[] devices = new StatsBuffer.IoCounters[0];
    /** Bit per column: present in the latest sample. */
    private int present;

    /** @param io whether the container's readers fill per-device IO counters */
    public SampleHistory(boolean io) {
        this.io = io;
    }

    /** Records the values of one sample taken at {@code nanos} ({@link System#nanoTime()}). */
    public synchronized void record(long nanos, StatsBuffer stats) {
        int mask = 1 << T;
        row[T] = nanos;
        for (int c = 1; c < COLUMNS; c++) {
            Stat s = SOURCE[c];
            if (s != null && stats.has(s)) {
                row[c] = stats.raw(s);
                mask |= 1 << c;
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
            row[IO_READ] = read;
            row[IO_WRITE] = write;
            mask |= 1 << IO_READ | 1 << IO_WRITE;
        }
        present = mask;
        recent.add(row);
        if (points.size == 0 || nanos - points.get(points.size - 1, T) >= STEP_NANOS - STEP_TOLERANCE_NANOS) {
            points.add(row);
        }
    }

    /**
     * The rates now and the sparkline series, with times converted to seconds since the epoch by
     * the pair ({@code nowNanos}, {@code nowEpochSeconds}) read together by the caller.
     */
    public synchronized Snapshot snapshot(long nowNanos, double nowEpochSeconds) {
        Rates rates = Rates.NONE;
        int n = recent.size;
        if (n >= 2) {
            int last = n - 1;
            int first = last - 1;
            while (first > 0 && recent.get(last, T) - recent.get(first - 1, T) <= RATE_WINDOW_NANOS) {
                first--;
            }
            rates = new Rates(rate(recent, first, last, CPU_NS, 1e-9), rate(recent, first, last, IO_READ, 1),
                    rate(recent, first, last, IO_WRITE, 1), rate(recent, first, last, PSI_CPU, 1e-9),
                    rate(recent, first, last, PSI_MEMORY, 1e-9), rate(recent, first, last, PSI_IO, 1e-9));
        }
        int m = Math.max(0, points.size - 1);
        double[] times = new double[m];
        double[] cpu = new double[m];
        double[] memory = new double[m];
        for (int i = 0; i < m; i++) {
            times[i] = nowEpochSeconds - (nowNanos - points.get(i + 1, T)) / 1e9;
            cpu[i] = rate(points, i, i + 1, CPU_NS, 1e-9);
            memory[i] = has(WORKING_SET) ? points.get(i + 1, WORKING_SET) : Double.NaN;
        }
        return new Snapshot(rates, times, cpu, memory);
    }

    /** Samples recorded so far (both rings count them, the points ring downsampled). */
    synchronized int recentSize() {
        return recent.size;
    }

    synchronized int pointsSize() {
        return points.size;
    }

    private boolean has(int column) {
        return (present & (1 << column)) != 0;
    }

    /** Per second between rows {@code a} and {@code b}; NaN if unmeasured, no time passed or a counter went back. */
    private double rate(Ring ring, int a, int b, int column, double scale) {
        long dt = ring.get(b, T) - ring.get(a, T);
        long dv = ring.get(b, column) - ring.get(a, column);
        if (!has(column) || dt <= 0 || dv < 0) {
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

    /** A ring of rows of {@link #COLUMNS} longs; index 0 is the oldest kept. */
    private static final class Ring {
        private final long[][] columns;
        private final int capacity;
        private int start;
        private int size;

        Ring(int capacity) {
            this.capacity = capacity;
            this.columns = new long[COLUMNS][capacity];
        }

        void add(long[] row) {
            int slot;
            if (size < capacity) {
                slot = (start + size) % capacity;
                size++;
            } else {
                slot = start;
                start = (start + 1) % capacity;
            }
            for (int c = 0; c < COLUMNS; c++) {
                columns[c][slot] = row[c];
            }
        }

        long get(int index, int column) {
            return columns[column][(start + index) % capacity];
        }
    }
}
