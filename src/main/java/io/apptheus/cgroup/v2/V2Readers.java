package io.apptheus.cgroup.v2;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.fs.PidsReader;
import io.apptheus.cgroup.fs.ProcessCountReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The one place that lists the readers of a v2 cgroup. */
public final class V2Readers {

    private V2Readers() {
    }

    /** A reader's opener. */
    @FunctionalInterface
    private interface Open {
        java.util.Optional<ControllerReader> open(Path dir) throws CgroupReadException;
    }

    /**
     * Every reader whose files exist in the v2 cgroup {@code dir}: cpu, memory, pids, io,
     * pressure, process count. If one fails to open, those already open are closed.
     */
    public static List<ControllerReader> forCgroup(Path dir) throws CgroupReadException {
        return open(dir, CpuReader::open, MemoryReader::open, d -> PidsReader.open(d, Refresh.Table.UNIFIED),
                IoReader::open, PressureReader::open, d -> ProcessCountReader.open(d, Refresh.Table.UNIFIED));
    }

    /**
     * The readers of the cgroup2 directory of a hybrid host, where the controllers are bound to v1:
     * what cgroup2 has without any controller. Its {@code cpu.stat} is the container's CPU time,
     * user and system included, as the scheduler counts it (user/system split in proportion of the
     * ticks, summing to the total; v1's cpuacct.usage_user/usage_sys are the raw tick samples), its
     * pressure files PSI, its {@code cgroup.procs} the process count.
     */
    public static List<ControllerReader> forHybrid(Path dir) throws CgroupReadException {
        return open(dir, CpuReader::open, PressureReader::open,
                d -> ProcessCountReader.open(d, Refresh.Table.UNIFIED));
    }

    private static List<ControllerReader> open(Path dir, Open... openers) throws CgroupReadException {
        List<ControllerReader> readers = new ArrayList<>();
        try {
            for (Open o : openers) {
                o.open(dir).ifPresent(readers::add);
            }
        } catch (CgroupReadException | RuntimeException e) {
            readers.forEach(ControllerReader::close);
            throw e;
        }
        return List.copyOf(readers);
    }
}
