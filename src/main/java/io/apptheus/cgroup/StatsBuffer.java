package io.apptheus.cgroup;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values read from one container's cgroup in one sample, reused from sample to sample so that
 * a steady-state sweep allocates nothing. Units are those written on {@link Stat}.
 *
 * <p>Only the sweep thread writes; readers on other threads (the scrape) see each long atomically
 * enough for monitoring (a value is at worst one sample old).
 */
public final class StatsBuffer {

    /** A limit the kernel reports as "max": no limit. Published as +Inf. */
    public static final long UNLIMITED = Long.MAX_VALUE;

    private final long[] values = new long[Stat.ALL.length];
    /** Added to what the kernel files say, per Stat; null while there is none (most containers). */
    private volatile long[] offsets;
    private volatile long present;
    private final Map<String, IoCounters> io = new LinkedHashMap<>();

    public void set(Stat stat, long value) {
        values[stat.ordinal()] = value;
        present |= 1L << stat.ordinal();
    }

    public boolean has(Stat stat) {
        return (present & (1L << stat.ordinal())) != 0;
    }

    /** The value of {@code stat}; NaN when it was never read. */
    public double get(Stat stat) {
        if (!has(stat)) {
            return Double.NaN;
        }
        long v = raw(stat);
        return v == UNLIMITED ? Double.POSITIVE_INFINITY : v;
    }

    /** What was set for {@code stat}, plus its offset. */
    public long raw(Stat stat) {
        long[] o = offsets;
        return values[stat.ordinal()] + (o == null ? 0 : o[stat.ordinal()]);
    }

    /**
     * Adds {@code delta} to every value of {@code stat}, set before or after: for a counter that
     * counts more than its kernel file (the CPU time of a container's processes before they moved
     * into its cgroup). Set before the container is published, so that no reader sees it jump.
     */
    public void addOffset(Stat stat, long delta) {
        long[] o = offsets == null ? new long[Stat.ALL.length] : offsets.clone();
        o[stat.ordinal()] += delta;
        offsets = o;
    }

    /** The offset of {@code stat} (see {@link #addOffset}). */
    public long offset(Stat stat) {
        long[] o = offsets;
        return o == null ? 0 : o[stat.ordinal()];
    }

    /** The per-device IO counters of device {@code majMin} ("8:0"), created on first use. */
    public IoCounters io(String majMin) {
        IoCounters c = io.get(majMin);
        if (c == null) {
            c = new IoCounters(majMin);
            synchronized (io) {
                io.put(majMin, c);
            }
        }
        return c;
    }

    /** The counters of device {@code majMin} if it has some already, else null (nothing is created). */
    public IoCounters ioIfPresent(String majMin) {
        return io.get(majMin);
    }

    /** How many devices {@link #devices()} would return; allocation-free, to refresh a cached copy. */
    public int deviceCount() {
        synchronized (io) {
            return io.size();
        }
    }

    /** A copy of the devices seen so far, safe to iterate from another thread. */
    public IoCounters[] devices() {
        synchronized (io) {
            return io.values().toArray(new IoCounters[0]);
        }
    }

    public void clear() {
        Arrays.fill(values, 0);
        offsets = null;
        present = 0;
        synchronized (io) {
            io.clear();
        }
    }

    /** Cumulative IO of one block device in this cgroup. */
    public static final class IoCounters {
        private final String majMin;
        public volatile long readBytes;
        public volatile long writeBytes;
        public volatile long reads;
        public volatile long writes;

        IoCounters(String majMin) {
            this.majMin = majMin;
        }

        public String majMin() {
            return majMin;
        }
    }
}
