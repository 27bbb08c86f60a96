package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.CgroupFiles.ColdFiles;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The pids controller, whose files are the same in v1 and v2 (and absent from the root cgroup).
 *
 * <pre>
 * pids.current   1        tasks (threads, not processes) in this cgroup and its descendants
 * pids.max       max      or a number: the limit on pids.current
 * pids.events    max 6    forks refused by pids.max
 * </pre>
 *
 * pids.events "max": in v1, and in v2 before 6.11, it counts the forks that failed in this cgroup
 * because a limit in it or an ancestor was hit. Since 6.11 v2 counts the times this cgroup's own
 * limit was hit, hierarchically, and adds pids.events.local (present in the 6.12 fixture only).
 */
public final class PidsReader implements ControllerReader {

    private static final int MAX = 0;

    private final CgroupFiles files;
    private final KernelFile current;
    private final KernelFile max;
    private final KernelFile events;
    private final FlatKeyed eventKeys = new FlatKeyed("max");

    private PidsReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        this.current = files.open("pids.current", Stat.THREADS);
        this.max = files.openCold("pids.max", Stat.THREADS_MAX);
        this.events = files.openCold("pids.events", Stat.PIDS_EVENTS_MAX);
    }

    /** The pids reader of cgroup {@code dir}; empty when the pids controller has no file there. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, PidsReader::new);
    }

    /** The same, with the cold files kept open or not as {@code cold} says. */
    public static Optional<ControllerReader> open(Path dir, ColdFiles cold) throws CgroupReadException {
        return CgroupFiles.reader(dir, cold, PidsReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out) throws CgroupReadException {
        if (current != null) {
            out.set(Stat.THREADS, current.readValue());
        }
        if (max != null) {
            out.set(Stat.THREADS_MAX, max.readValue());
        }
        if (events != null) {
            events.readKeyed(eventKeys);
            eventKeys.copy(MAX, out, Stat.PIDS_EVENTS_MAX);
        }
    }

    /** Tasks only; the limit and its events are cold. */
    @Override
    public void readHotInto(StatsBuffer out) throws CgroupReadException {
        if (current != null) {
            out.set(Stat.THREADS, current.readValue());
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
