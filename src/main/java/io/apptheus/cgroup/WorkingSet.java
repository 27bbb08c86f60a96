package io.apptheus.cgroup;

/**
 * cAdvisor's working set: usage − inactive file pages, floored at 0; the inactive file pages are
 * v1's {@code total_inactive_file}, v2's {@code inactive_file} of memory.stat. Usage is read at
 * every sweep, memory.stat while the container is active (see {@link Refresh}): the working set is
 * set when memory.stat is read, from the usage of the same sample. While the container is idle
 * neither moves, so the last value stays true.
 */
public final class WorkingSet {

    private WorkingSet() {
    }

    /**
     * Sets {@link Stat#MEMORY_WORKING_SET_BYTES} from {@code used} (negative: not read) and
     * {@code inactiveFile} (negative: not in memory.stat); sets nothing if either is unknown.
     */
    public static void set(StatsBuffer out, long used, long inactiveFile) {
        if (used >= 0 && inactiveFile >= 0) {
            out.set(Stat.MEMORY_WORKING_SET_BYTES, Math.max(0, used - inactiveFile));
        }
    }
}
