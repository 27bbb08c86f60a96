package io.apptheus.cgroup.v2;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.fs.CgroupFiles.ColdFiles;
import io.apptheus.cgroup.fs.PidsReader;
import io.apptheus.cgroup.fs.ProcessCountReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The one place that lists the readers of a v2 cgroup. */
public final class V2Readers {

    private V2Readers() {
    }

    /**
     * Every reader whose files exist in the v2 cgroup {@code dir}: cpu, memory, pids, io,
     * pressure, process count. If one fails to open, those already open are closed.
     */
    public static List<ControllerReader> forCgroup(Path dir) throws CgroupReadException {
        return forCgroup(dir, ColdFiles.KEEP_OPEN);
    }

    /** The same, with the cold files kept open or not as {@code cold} says. */
    public static List<ControllerReader> forCgroup(Path dir, ColdFiles cold) throws CgroupReadException {
        List<ControllerReader> readers = new ArrayList<>();
        try {
            CpuReader.open(dir, cold).ifPresent(readers::add);
            MemoryReader.open(dir, cold).ifPresent(readers::add);
            PidsReader.open(dir, cold).ifPresent(readers::add);
            IoReader.open(dir, cold).ifPresent(readers::add);
            PressureReader.open(dir, cold).ifPresent(readers::add);
            ProcessCountReader.open(dir).ifPresent(readers::add);
        } catch (CgroupReadException | RuntimeException e) {
            readers.forEach(ControllerReader::close);
            throw e;
        }
        return List.copyOf(readers);
    }

    /** The PSI reader of {@code dir}, also for a hybrid host's cgroup2 directory. */
    public static Optional<ControllerReader> pressure(Path dir) throws CgroupReadException {
        return PressureReader.open(dir);
    }

    /** The same, with the PSI files kept open or not as {@code cold} says. */
    public static Optional<ControllerReader> pressure(Path dir, ColdFiles cold) throws CgroupReadException {
        return PressureReader.open(dir, cold);
    }
}
