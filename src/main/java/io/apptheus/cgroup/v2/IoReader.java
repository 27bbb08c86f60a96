package io.apptheus.cgroup.v2;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.CgroupFiles;
import io.apptheus.cgroup.fs.DeviceIds;
import io.apptheus.cgroup.fs.KernelFile;
import io.apptheus.cgroup.fs.NestedKeyed;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * v2 {@code io.stat}: bytes and operations per block device, this cgroup and its descendants.
 * Needs the io controller, except at the root. Empty until the cgroup does block I/O; buffered
 * writes are charged to the cgroup that dirtied the pages when writeback happens.
 *
 * <pre>
 * 254:0 rbytes=16777216 wbytes=16777216 rios=16 wios=17 dbytes=0 dios=0
 * 254:16 rbytes=2048 wbytes=8388608 rios=2 wios=8 dbytes=0 dios=0
 * </pre>
 */
public final class IoReader implements ControllerReader {

    private static final int RBYTES = 0;
    private static final int WBYTES = 1;
    private static final int RIOS = 2;
    private static final int WIOS = 3;

    private final CgroupFiles files;
    private final KernelFile stat;
    private final NestedKeyed lines = new NestedKeyed("rbytes", "wbytes", "rios", "wios");
    private final DeviceIds devices = new DeviceIds();

    private IoReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        this.stat = files.open("io.stat");
    }

    /** The io.stat reader of the v2 cgroup {@code dir}; empty when it has no io.stat. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.UNIFIED, IoReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public boolean providesIo() {
        return true;
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        if (!pass.reads(stat)) {
            return;
        }
        int n = stat.read();
        lines.reset(stat, n);
        while (lines.next()) {
            StatsBuffer.IoCounters io = out.io(devices.name(lines.device()));
            if (lines.has(RBYTES)) {
                io.readBytes = lines.get(RBYTES);
            }
            if (lines.has(WBYTES)) {
                io.writeBytes = lines.get(WBYTES);
            }
            if (lines.has(RIOS)) {
                io.reads = lines.get(RIOS);
            }
            if (lines.has(WIOS)) {
                io.writes = lines.get(WIOS);
            }
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
