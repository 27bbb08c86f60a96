package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Stat#PROCESSES}: the number of lines of {@code cgroup.procs}, one PID per line. Works in
 * any v1 hierarchy and in v2. The file lists this cgroup's own processes, not its descendants';
 * v1 sorts and de-duplicates it (pidlist), v2 lists each thread-group leader once. Empty when no
 * process is left, which is a count of 0, not an error.
 *
 * <pre>
 * 120
 * 121
 * </pre>
 */
public final class ProcessCountReader implements ControllerReader {

    private final CgroupFiles files;
    private final KernelFile procs;
    /** v1: the file read afresh at each count (its path kept: it is read every sweep); null in v2. */
    private final Path reopen;

    private ProcessCountReader(CgroupFiles files, boolean reopen) throws CgroupReadException {
        this.files = files;
        this.procs = files.open("cgroup.procs", Stat.PROCESSES);
        this.reopen = reopen && procs != null ? procs.path() : null;
    }

    /** The process count of cgroup {@code dir} (v2 semantics); empty when it has no cgroup.procs. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, f -> new ProcessCountReader(f, false));
    }

    /**
     * The same for a v1 hierarchy, whose cgroup.procs must be opened afresh for each read: a v1
     * pid list is built at the first read of an open file and served again to later reads of it
     * until a second passes without a read (cgroup_pidlist_start, CGROUP_PIDLIST_DESTROY_DELAY),
     * so a file kept open and read every 0.5 s would show the first list forever.
     */
    public static Optional<ControllerReader> openV1(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, f -> new ProcessCountReader(f, true));
    }

    /** The number of non-blank lines of {@code b[0, length)}. */
    public static int countLines(byte[] b, int length) {
        int count = 0;
        boolean blank = true;
        for (int i = 0; i < length; i++) {
            if (b[i] == '\n') {
                count += blank ? 0 : 1;
                blank = true;
            } else if (b[i] != ' ') {
                blank = false;
            }
        }
        return blank ? count : count + 1;
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out) throws CgroupReadException {
        out.set(Stat.PROCESSES, count());
    }

    /** Reads the number of processes without setting it anywhere. */
    public int count() throws CgroupReadException {
        if (reopen != null) {
            try {
                byte[] b = java.nio.file.Files.readAllBytes(reopen);
                return countLines(b, b.length);
            } catch (java.io.IOException e) {
                throw CgroupReadException.of(reopen, e);
            }
        }
        int n = procs.read();
        return countLines(procs.bytes(), n);
    }

    @Override
    public void close() {
        files.close();
    }
}
