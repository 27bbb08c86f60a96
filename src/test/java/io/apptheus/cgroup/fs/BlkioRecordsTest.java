package io.apptheus.cgroup.fs;

import static io.apptheus.cgroup.fs.ParseSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.CgroupReadException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BlkioRecordsTest {

    private static final Path FILE = Path.of("/sys/fs/cgroup/blkio/x/blkio.throttle.io_service_bytes_recursive");

    /** The layout blkg_rwstat prints: Read, Write, Sync, Async, Discard, Total per device, then Total. */
    static final String TWO_DEVICES = """
            254:16 Read 2048
            254:16 Write 8388608
            254:16 Sync 8390656
            254:16 Async 0
            254:16 Discard 0
            254:16 Total 8390656
            254:0 Read 16777216
            254:0 Write 16777216
            254:0 Sync 33554432
            254:0 Async 0
            254:0 Discard 0
            254:0 Total 33554432
            Total 41945088
            """;

    private static BlkioRecords parser(String text) {
        byte[] b = bytes(text);
        return new BlkioRecords().reset(FILE, b, b.length);
    }

    @Test
    void readAndWriteRecordsOnly() throws CgroupReadException {
        BlkioRecords r = parser(TWO_DEVICES);
        assertTrue(r.next());
        assertEquals(DeviceIds.pack(254, 16), r.device());
        assertTrue(r.isRead());
        assertEquals(2048L, r.value());
        assertTrue(r.next());
        assertFalse(r.isRead());
        assertEquals(8388608L, r.value());
        assertTrue(r.next());
        assertEquals(DeviceIds.pack(254, 0), r.device());
        assertEquals(16777216L, r.value());
        assertTrue(r.next());
        assertEquals(16777216L, r.value());
        assertFalse(r.next());
    }

    /** What 6.18 prints for a cgroup that did no throttled I/O (fixture cgroup-v1-hybrid). */
    @Test
    void totalZeroOnlyHasNoRecord() throws CgroupReadException {
        assertFalse(parser("Total 0\n").next());
        assertFalse(parser("").next());
    }

    @Test
    void missingValueIsMalformed() {
        CgroupReadException e = assertThrows(CgroupReadException.class, () -> parser("8:0 Read\n").next());
        assertEquals("cannot read " + FILE + ": line 1 \"8:0 Read\": no value", e.getMessage());
    }

    @Test
    void lineThatIsNoDeviceIsMalformed() {
        CgroupReadException e = assertThrows(CgroupReadException.class, () -> parser("sda Read 1\n").next());
        assertEquals("cannot read " + FILE + ": line 1 \"sda Read 1\": \"sda\" is not a device \"major:minor\"",
                e.getMessage());
    }
}
