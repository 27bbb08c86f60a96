package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
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
        this.max = files.open("pids.max", Stat.THREADS_MAX);
        this.events = files.open("pids.events", Stat.PIDS_EVENTS_MAX);
    }

    /**
     * The pids reader of cgroup {@code dir}, in a hierarchy of kind {@code table}; empty when the
     * pids controller has no file there.
     */
    public static Optional<ControllerReader> open(Path dir, Refresh.Table table) throws CgroupReadException {
        return CgroupFiles.reader(dir, table, PidsReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        if (pass.reads(current)) {
            out.set(Stat.THREADS, current.readValue());
        }
        if (pass.reads(max)) {
            out.set(Stat.THREADS_MAX, max.readValue());
        }
        if (pass.reads(events)) {
            events.readKeyed(eventKeys);
            eventKeys.copy(MAX, out, Stat.PIDS_EVENTS_MAX);
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
