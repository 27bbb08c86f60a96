package io.apptheus.cgroup.v1;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.fs.PidsReader;
import io.apptheus.cgroup.fs.ProcessCountReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The one place that maps a v1 controller name, as in {@code /proc/self/cgroup}, to its reader.
 * Each v1 controller has its own hierarchy (cpu and cpuacct are often co-mounted as
 * "cpu,cpuacct"; then both readers take the same directory).
 */
public final class V1Readers {

    /** The v1 controllers Apptheus reads. */
    public static final List<String> CONTROLLERS = List.of("cpu", "cpuacct", "memory", "pids", "blkio");

    private V1Readers() {
    }

    /**
     * The reader of {@code controller} for the cgroup directory {@code dir} in that controller's
     * hierarchy; empty when the directory has none of its files.
     *
     * @throws IllegalArgumentException when {@code controller} is not one of {@link #CONTROLLERS}
     */
    public static Optional<ControllerReader> forController(String controller, Path dir)
            throws CgroupReadException {
        return switch (controller) {
            case "cpu" -> CpuReader.open(dir);
            case "cpuacct" -> CpuacctReader.open(dir);
            case "memory" -> MemoryReader.open(dir);
            case "pids" -> PidsReader.open(dir, Refresh.Table.V1);
            case "blkio" -> BlkioReader.open(dir);
            default -> throw new IllegalArgumentException(
                    "no v1 reader for controller \"" + controller + "\"; known: " + CONTROLLERS);
        };
    }

    /** The process count of the v1 cgroup {@code dir} (any hierarchy), for a host without cgroup2. */
    public static Optional<ControllerReader> processCount(Path dir) throws CgroupReadException {
        return ProcessCountReader.open(dir, Refresh.Table.V1);
    }
}
