package io.apptheus.cgroup;

import java.util.Set;

/**
 * Reads the counters of one cgroup controller (or one v2 resource) of one cgroup.
 *
 * <p>A reader opens its files once; which of them a read covers, and which stay open between
 * reads, is decided by {@link Refresh}, per file: a read re-reads the files its {@link Pass}
 * covers (a positional re-read of a file kept open, or an open-read-close) and leaves the values
 * of the others as they were. It is used by one thread at a time (the sweep).
 */
public interface ControllerReader extends AutoCloseable {

    /** The Stats whose source files exist for this cgroup. */
    Set<Stat> provides();

    /** True when a read fills per-device counters through {@link StatsBuffer#io}. */
    default boolean providesIo() {
        return false;
    }

    /**
     * Re-reads the files that {@code pass} covers and sets the values found in {@code out}. A key
     * missing from a file is left unset. On failure the values set before the failing file stay
     * set. A value derived from files of two refreshes (the working set) is set when its slower
     * file is read, from the latest value of the other.
     */
    void readInto(StatsBuffer out, Pass pass) throws CgroupReadException;

    /** Re-reads every file. */
    default void readInto(StatsBuffer out) throws CgroupReadException {
        readInto(out, Pass.ALL);
    }

    /** Closes the files kept open; never throws, may be called twice. */
    @Override
    void close();
}
