package io.apptheus.cgroup.v2;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.MemoryMoved;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.CgroupFiles;
import io.apptheus.cgroup.fs.CgroupFiles.ColdFiles;
import io.apptheus.cgroup.fs.FlatKeyed;
import io.apptheus.cgroup.fs.KernelFile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * v2 memory. The root cgroup has only {@code memory.stat}; the other files need the memory
 * controller.
 *
 * <pre>
 * memory.current        67350528     bytes, this cgroup and descendants
 * memory.max            max          or bytes
 * memory.peak           67362816     since 5.19
 * memory.swap.current   0
 * memory.swap.max       max
 * memory.stat           anon 67162112          6.12 adds keys between 6.1's: read by key
 *                       file 0
 *                       inactive_file 0
 * memory.events         low 0 / high 0 / max 35 / oom 1 / oom_kill 1 / oom_group_kill 0
 * </pre>
 *
 * memory.events counts include descendants (unless mounted with memory_localevents). "oom" may be
 * raised by an ancestor's limit; "oom_kill" counts processes killed in this subtree. Working set =
 * memory.current − inactive_file, floored at 0.
 */
public final class MemoryReader implements ControllerReader {

    private static final int ANON = 0;
    private static final int FILE = 1;
    private static final int INACTIVE_FILE = 2;
    private static final int HIGH = 0;
    private static final int MAX = 1;
    private static final int OOM_KILL = 2;

    private final CgroupFiles files;
    private final KernelFile current;
    private final KernelFile max;
    private final KernelFile peak;
    private final KernelFile swapCurrent;
    private final KernelFile swapMax;
    private final KernelFile stat;
    private final KernelFile events;
    private long usedAtFull = -1;
    private final FlatKeyed statKeys = new FlatKeyed("anon", "file", "inactive_file");
    private final FlatKeyed eventKeys = new FlatKeyed("high", "max", "oom_kill");

    private MemoryReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        current = files.open("memory.current", Stat.MEMORY_USAGE_BYTES);
        max = files.openCold("memory.max", Stat.MEMORY_LIMIT_BYTES);
        peak = files.openCold("memory.peak", Stat.MEMORY_MAX_USAGE_BYTES);
        swapCurrent = files.openCold("memory.swap.current", Stat.MEMORY_SWAP_BYTES);
        swapMax = files.openCold("memory.swap.max", Stat.MEMORY_SWAP_LIMIT_BYTES);
        stat = files.openCold("memory.stat", Stat.MEMORY_RSS_BYTES, Stat.MEMORY_CACHE_BYTES);
        events = files.openCold("memory.events",
                Stat.MEMORY_EVENTS_HIGH, Stat.MEMORY_EVENTS_MAX, Stat.OOM_KILLS);
        if (current != null && stat != null) {
            files.provide(Stat.MEMORY_WORKING_SET_BYTES);
        }
    }

    /** The memory reader of the v2 cgroup {@code dir}; empty when it has no memory file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, MemoryReader::new);
    }

    /** The same, with the cold files kept open or not as {@code cold} says. */
    public static Optional<ControllerReader> open(Path dir, ColdFiles cold) throws CgroupReadException {
        return CgroupFiles.reader(dir, cold, MemoryReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out) throws CgroupReadException {
        long used = -1;
        if (current != null) {
            used = current.readValue();
            out.set(Stat.MEMORY_USAGE_BYTES, used);
        }
        usedAtFull = used;
        readValue(max, out, Stat.MEMORY_LIMIT_BYTES);
        readValue(peak, out, Stat.MEMORY_MAX_USAGE_BYTES);
        readValue(swapCurrent, out, Stat.MEMORY_SWAP_BYTES);
        readValue(swapMax, out, Stat.MEMORY_SWAP_LIMIT_BYTES);
        if (stat != null) {
            stat.readKeyed(statKeys);
            statKeys.copy(ANON, out, Stat.MEMORY_RSS_BYTES);
            statKeys.copy(FILE, out, Stat.MEMORY_CACHE_BYTES);
            if (used >= 0 && statKeys.has(INACTIVE_FILE)) {
                out.set(Stat.MEMORY_WORKING_SET_BYTES, Math.max(0, used - statKeys.get(INACTIVE_FILE)));
            }
        }
        if (events != null) {
            events.readKeyed(eventKeys);
            eventKeys.copy(HIGH, out, Stat.MEMORY_EVENTS_HIGH);
            eventKeys.copy(MAX, out, Stat.MEMORY_EVENTS_MAX);
            eventKeys.copy(OOM_KILL, out, Stat.OOM_KILLS);
        }
    }

    /**
     * memory.current, and the working set from it and the inactive file pages of the last full
     * read of memory.stat: the working set follows usage every sweep, the slowly moving page-cache
     * part is at most one full-read period old. When usage has moved (see {@link MemoryMoved})
     * every file is read again at once.
     */
    @Override
    public void readHotInto(StatsBuffer out) throws CgroupReadException {
        if (current == null) {
            return;
        }
        long used = current.readValue();
        if (MemoryMoved.since(usedAtFull, used)) {
            readInto(out); // the memory moved: its breakdown, peak and events now, not at the period's end
            return;
        }
        MemoryMoved.setFromUsage(out, used,
                stat != null && statKeys.has(INACTIVE_FILE) ? statKeys.get(INACTIVE_FILE) : -1);
    }

    private static void readValue(KernelFile file, StatsBuffer out, Stat stat) throws CgroupReadException {
        if (file != null) {
            out.set(stat, file.readValue());
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
