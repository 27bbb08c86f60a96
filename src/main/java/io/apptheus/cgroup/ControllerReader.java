package io.apptheus.cgroup;

import java.util.Set;

/**
 * Reads the counters of one cgroup controller (or one v2 resource) of one cgroup.
 *
 * <p>A reader keeps its files open for its whole life: each sample is a positional re-read of an
 * already open file, not an open-read-close. Its cold files, those only full samples read
 * ({@link #readInto}, not {@link #readHotInto}), may instead be opened at each read (see
 * {@code CgroupFiles.ColdFiles}). It is used by one thread at a time (the sweep).
 */
public interface ControllerReader extends AutoCloseable {

    /** The Stats whose source files exist for this cgroup. */
    Set<Stat> provides();

    /** True when {@link #readInto} fills per-device counters through {@link StatsBuffer#io}. */
    default boolean providesIo() {
        return false;
    }

    /**
     * Re-reads this reader's files and sets the values found in {@code out}. A key missing from a
     * file is left unset. On failure the values set before the failing file stay set.
     */
    void readInto(StatsBuffer out) throws CgroupReadException;

    /**
     * Re-reads only the hot files, those whose values move from one sweep to the next (CPU time,
     * memory usage, tasks, processes), and leaves the values of the others (limits, settings, rare
     * events, memory.stat, PSI, IO) as the last {@link #readInto} set them. A reader whose files
     * are all hot reads them all.
     */
    default void readHotInto(StatsBuffer out) throws CgroupReadException {
        readInto(out);
    }

    /** Closes the files kept open; never throws, may be called twice. */
    @Override
    void close();
}
