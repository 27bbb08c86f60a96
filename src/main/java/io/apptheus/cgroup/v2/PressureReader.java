package io.apptheus.cgroup.v2;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.CgroupFiles;
import io.apptheus.cgroup.fs.KernelFile;
import io.apptheus.cgroup.fs.NestedKeyed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Pressure stall information (PSI, since 4.20) of a v2 cgroup: the total time in which some
 * (or all non-idle) tasks of the cgroup were stalled on CPU, memory or I/O. The files exist
 * without any controller enabled, so this reader also serves hybrid hosts, pointed at the
 * container's directory under the cgroup2 mount. They are absent when PSI is off (psi=0, or 0
 * written to cgroup.pressure since 6.5).
 *
 * <pre>
 * some avg10=19.25 avg60=5.11 avg300=1.13 total=3057153     total= is µs → ns; avg* not read
 * full avg10=9.57 avg60=2.54 avg300=0.56 total=1520984
 * </pre>
 *
 * cpu.pressure has a "full" line since 5.13 (all zeros at the root).
 */
public final class PressureReader implements ControllerReader {

    private static final byte[] SOME = "some".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FULL = "full".getBytes(StandardCharsets.US_ASCII);
    private static final int TOTAL = 0;
    private static final long NS_PER_US = 1000;

    private final CgroupFiles files;
    private final KernelFile cpu;
    private final KernelFile memory;
    private final KernelFile io;
    private final NestedKeyed lines = new NestedKeyed("total");

    private PressureReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        cpu = files.open("cpu.pressure", Stat.PSI_CPU_SOME_NS, Stat.PSI_CPU_FULL_NS);
        memory = files.open("memory.pressure", Stat.PSI_MEMORY_SOME_NS, Stat.PSI_MEMORY_FULL_NS);
        io = files.open("io.pressure", Stat.PSI_IO_SOME_NS, Stat.PSI_IO_FULL_NS);
    }

    /** The PSI reader of the v2 cgroup {@code dir}; empty when it has no pressure file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.UNIFIED, PressureReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        read(pass, cpu, out, Stat.PSI_CPU_SOME_NS, Stat.PSI_CPU_FULL_NS);
        read(pass, memory, out, Stat.PSI_MEMORY_SOME_NS, Stat.PSI_MEMORY_FULL_NS);
        read(pass, io, out, Stat.PSI_IO_SOME_NS, Stat.PSI_IO_FULL_NS);
    }

    private void read(Pass pass, KernelFile file, StatsBuffer out, Stat some, Stat full) throws CgroupReadException {
        if (!pass.reads(file)) {
            return;
        }
        int n = file.read();
        lines.reset(file, n);
        while (lines.next()) {
            if (!lines.has(TOTAL)) {
                throw lines.malformed("no total=");
            }
            if (lines.keyIs(SOME)) {
                out.set(some, lines.get(TOTAL) * NS_PER_US);
            } else if (lines.keyIs(FULL)) {
                out.set(full, lines.get(TOTAL) * NS_PER_US);
            }
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
