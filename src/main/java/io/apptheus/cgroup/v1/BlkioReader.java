package io.apptheus.cgroup.v1;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.BlkioRecords;
import io.apptheus.cgroup.fs.CgroupFiles;
import io.apptheus.cgroup.fs.DeviceIds;
import io.apptheus.cgroup.fs.KernelFile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The v1 blkio controller: bytes and operations per block device, this cgroup and its
 * descendants, from the throttle layer's files (the CFQ/BFQ files exist only with that I/O
 * scheduler). Format: see {@link BlkioRecords}.
 *
 * <pre>
 * blkio.throttle.io_service_bytes_recursive   254:0 Read 16777216     bytes
 * blkio.throttle.io_serviced_recursive        254:0 Read 16           operations
 * </pre>
 *
 * Since 6.10 (a3166c51702b, "blk-throttle: delay initialization until configuration") the kernel
 * counts these only for disks on which some cgroup has a throttle rule: elsewhere they stay at
 * "Total 0", as in the 6.18 fixture. Before, every bio was counted.
 */
public final class BlkioReader implements ControllerReader {

    private final CgroupFiles files;
    private final KernelFile bytes;
    private final KernelFile ops;
    private final BlkioRecords records = new BlkioRecords();
    private final DeviceIds devices = new DeviceIds();

    private BlkioReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        this.bytes = files.open("blkio.throttle.io_service_bytes_recursive");
        this.ops = files.open("blkio.throttle.io_serviced_recursive");
    }

    /** The blkio reader of the v1 cgroup {@code dir}; empty when it has neither file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.V1, BlkioReader::new);
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
        if (pass.reads(bytes)) {
            read(bytes, out, true);
        }
        if (pass.reads(ops)) {
            read(ops, out, false);
        }
    }

    private void read(KernelFile file, StatsBuffer out, boolean isBytes) throws CgroupReadException {
        int n = file.read();
        records.reset(file, n);
        while (records.next()) {
            String device = devices.name(records.device());
            if (records.value() == 0 && out.ioIfPresent(device) == null) {
                // A device appears once it saw I/O, as in v2's io.stat. Since 6.10 every disk with a
                // throttle rule is listed, and V1Setup puts a no-op rule on every disk so that they are
                // counted at all: with 10 disks (8 loops here) that was 40 series of zeros per container,
                // two thirds of the exposition (4 -> 12 MB at 1,000 containers) and ~8 KiB of heap each.
                continue;
            }
            StatsBuffer.IoCounters io = out.io(device);
            if (isBytes && records.isRead()) {
                io.readBytes = records.value();
            } else if (isBytes) {
                io.writeBytes = records.value();
            } else if (records.isRead()) {
                io.reads = records.value();
            } else {
                io.writes = records.value();
            }
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
