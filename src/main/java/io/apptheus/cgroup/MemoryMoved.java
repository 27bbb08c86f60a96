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
}
