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

    private ProcessCountReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        this.procs = files.open("cgroup.procs", Stat.PROCESSES);
    }

    /**
     * The process count of cgroup {@code dir}, in a hierarchy of kind {@code table}; empty when it
     * has no cgroup.procs. In v1 the file is opened afresh for each read (see {@link Refresh.Table#V1}).
     */
    public static Optional<ControllerReader> open(Path dir, Refresh.Table table) throws CgroupReadException {
        return CgroupFiles.reader(dir, table, ProcessCountReader::new);
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
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        if (pass.reads(procs)) {
            out.set(Stat.PROCESSES, count());
        }
    }

    /** Reads the number of processes without setting it anywhere. */
    public int count() throws CgroupReadException {
        int n = procs.read();
        return countLines(procs.bytes(), n);
    }

    @Override
    public void close() {
        files.close();
    }
}
