package io.apptheus.cgroup;

/**
 * When a memory reader re-reads its cold files (memory.stat, peak, limits, events) before their
 * period is over: when the usage it reads every sweep has moved by more than 1/64 of what it was at
 * the last full read and by more than 1 MiB. A container whose memory holds still (most of a job's
 * life) costs nothing more; one that grows or shrinks shows its rss, cache and peak within a sweep.
 */
public final class MemoryMoved {

    static final long MIN_BYTES = 1 << 20;

    private MemoryMoved() {
    }

    /** @param atFull the usage at the last full read, negative if none */
    public static boolean since(long atFull, long now) {
        if (atFull < 0) {
            return true;
        }
        long delta = Math.abs(now - atFull);
        return delta > MIN_BYTES && delta > atFull / 64;
    }

    /**
     * What a hot read sets when the memory held still: the usage, the working set from it and
     * {@code inactiveFile} of the last full read (negative if unknown), and a peak no lower than
     * the usage seen now. Shared by the v1 and v2 memory readers.
     */
    public static void setFromUsage(StatsBuffer out, long used, long inactiveFile) {
        out.set(Stat.MEMORY_USAGE_BYTES, used);
        if (inactiveFile >= 0) {
            out.set(Stat.MEMORY_WORKING_SET_BYTES, Math.max(0, used - inactiveFile));
        }
        if (out.has(Stat.MEMORY_MAX_USAGE_BYTES) && used > out.raw(Stat.MEMORY_MAX_USAGE_BYTES)) {
            out.set(Stat.MEMORY_MAX_USAGE_BYTES, used); // the peak is at least the usage seen now
        }
    }
}
