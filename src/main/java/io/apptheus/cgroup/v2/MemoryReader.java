package io.apptheus.cgroup.v2;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.WorkingSet;
import io.apptheus.cgroup.fs.CgroupFiles;
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
    /** The usage of the latest read of memory.current, -1 before the first. */
    private long used = -1;
    private final FlatKeyed statKeys = new FlatKeyed("anon", "file", "inactive_file");
    private final FlatKeyed eventKeys = new FlatKeyed("high", "max", "oom_kill");

    private MemoryReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        current = files.open("memory.current", Stat.MEMORY_USAGE_BYTES);
        max = files.open("memory.max", Stat.MEMORY_LIMIT_BYTES);
        peak = files.open("memory.peak", Stat.MEMORY_MAX_USAGE_BYTES);
        swapCurrent = files.open("memory.swap.current", Stat.MEMORY_SWAP_BYTES);
        swapMax = files.open("memory.swap.max", Stat.MEMORY_SWAP_LIMIT_BYTES);
        stat = files.open("memory.stat", Stat.MEMORY_RSS_BYTES, Stat.MEMORY_CACHE_BYTES);
        events = files.open("memory.events",
                Stat.MEMORY_EVENTS_HIGH, Stat.MEMORY_EVENTS_MAX, Stat.OOM_KILLS);
        if (current != null && stat != null) {
            files.provide(Stat.MEMORY_WORKING_SET_BYTES);
        }
    }

    /** The memory reader of the v2 cgroup {@code dir}; empty when it has no memory file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.UNIFIED, MemoryReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        if (pass.reads(current)) {
            used = current.readValue();
            out.set(Stat.MEMORY_USAGE_BYTES, used);
        }
        readValue(pass, max, out, Stat.MEMORY_LIMIT_BYTES);
        readValue(pass, peak, out, Stat.MEMORY_MAX_USAGE_BYTES);
        readValue(pass, swapCurrent, out, Stat.MEMORY_SWAP_BYTES);
        readValue(pass, swapMax, out, Stat.MEMORY_SWAP_LIMIT_BYTES);
        if (pass.reads(stat)) {
            stat.readKeyed(statKeys);
            statKeys.copy(ANON, out, Stat.MEMORY_RSS_BYTES);
            statKeys.copy(FILE, out, Stat.MEMORY_CACHE_BYTES);
            WorkingSet.set(out, used, statKeys.has(INACTIVE_FILE) ? statKeys.get(INACTIVE_FILE) : -1);
        }
        if (pass.reads(events)) {
            events.readKeyed(eventKeys);
            eventKeys.copy(HIGH, out, Stat.MEMORY_EVENTS_HIGH);
            eventKeys.copy(MAX, out, Stat.MEMORY_EVENTS_MAX);
            eventKeys.copy(OOM_KILL, out, Stat.OOM_KILLS);
        }
    }

    private static void readValue(Pass pass, KernelFile file, StatsBuffer out, Stat stat) throws CgroupReadException {
        if (pass.reads(file)) {
            out.set(stat, file.readValue());
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
