package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import java.nio.file.Path;

/**
 * Parser of the v1 blkio per-device files ({@code blkio.throttle.io_service_bytes_recursive}:
 * bytes, {@code blkio.throttle.io_serviced_recursive}: operations).
 *
 * <pre>
 * 254:0 Read 16777216
 * 254:0 Write 16777216
 * 254:0 Sync 33554432
 * 254:0 Async 0
 * 254:0 Discard 0
 * 254:0 Total 33554432
 * Total 33554432
 * </pre>
 *
 * Each device has one line per operation; the last line sums all devices. A cgroup that did no
 * I/O holds only "Total 0". {@link #next()} yields the Read and Write records and skips the rest.
 */
public final class BlkioRecords {

    private static final byte[] READ = Lines.ascii("Read");
    private static final byte[] WRITE = Lines.ascii("Write");
    private static final byte[] TOTAL = Lines.ascii("Total");

    private final Lines lines = new Lines();
    private long device;
    private boolean read;
    private long value;

    public BlkioRecords reset(Path file, byte[] b, int length) {
        lines.reset(file, b, length);
        return this;
    }

    /** The same for what {@code file} just read ({@link KernelFile#read()} returned {@code length}). */
    public BlkioRecords reset(KernelFile file, int length) {
        lines.reset(file, file.bytes(), length);
        return this;
    }

    /** Moves to the next Read or Write record; false at the end of the file. */
    public boolean next() throws CgroupReadException {
        while (lines.next()) {
            lines.token();
            if (lines.tokenIs(TOTAL)) {
                expectValue();
                continue;
            }
            long dev = lines.tokenDevice();
            if (!lines.token()) {
                throw lines.malformed("not \"major:minor operation value\"");
            }
            boolean isRead = lines.tokenIs(READ);
            boolean isWrite = lines.tokenIs(WRITE);
            long v = expectValue();
            if (isRead || isWrite) {
                device = dev;
                read = isRead;
                value = v;
                return true;
            }
        }
        return false;
    }

    private long expectValue() throws CgroupReadException {
        if (!lines.token()) {
            throw lines.malformed("no value");
        }
        long v = lines.tokenNumber();
        if (lines.token()) {
            throw lines.malformed("not \"major:minor operation value\"");
        }
        return v;
    }

    /** The device of the current record, packed by {@link DeviceIds#pack}. */
    public long device() {
        return device;
    }

    /** True for a Read record, false for a Write record. */
    public boolean isRead() {
        return read;
    }

    public long value() {
        return value;
    }
}
