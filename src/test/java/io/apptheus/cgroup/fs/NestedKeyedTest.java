package io.apptheus.cgroup.fs;

import static io.apptheus.cgroup.fs.ParseSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.CgroupReadException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NestedKeyedTest {

    private static final Path IO_STAT = Path.of("/sys/fs/cgroup/metric_gateway/io.stat");
    private static final Path CPU_PRESSURE = Path.of("/sys/fs/cgroup/metric_gateway/cpu_burn/cpu.pressure");

    /** metric_gateway/io.stat, kernel 6.1: the parent sums both leaves' devices. */
    private static final String IO_STAT_61 = """
            254:16 rbytes=2048 wbytes=8388608 rios=2 wios=8 dbytes=0 dios=0
            254:0 rbytes=16777216 wbytes=16777216 rios=16 wios=17 dbytes=0 dios=0
            """;

    /** cpu_burn/cpu.pressure, kernel 6.1. */
    private static final String PSI_61 = """
            some avg10=19.25 avg60=5.11 avg300=1.13 total=3057153
            full avg10=9.57 avg60=2.54 avg300=0.56 total=1520984
            """;

    private static NestedKeyed parser(Path file, String text, String... subKeys) {
        byte[] b = bytes(text);
        return new NestedKeyed(subKeys).reset(file, b, b.length);
    }

    @Test
    void ioStatLinesByDevice() throws CgroupReadException {
        NestedKeyed p = parser(IO_STAT, IO_STAT_61, "rbytes", "wbytes", "rios", "wios");
        assertTrue(p.next());
        assertEquals(DeviceIds.pack(254, 16), p.device());
        assertEquals(2048L, p.get(0));
        assertEquals(8388608L, p.get(1));
        assertEquals(2L, p.get(2));
        assertEquals(8L, p.get(3));
        assertTrue(p.next());
        assertEquals(DeviceIds.pack(254, 0), p.device());
        assertEquals(16777216L, p.get(1));
        assertEquals(17L, p.get(3));
        assertFalse(p.next());
    }

    @Test
    void psiTotalsOfSomeAndFull() throws CgroupReadException {
        byte[] some = bytes("some");
        byte[] full = bytes("full");
        NestedKeyed p = parser(CPU_PRESSURE, PSI_61, "total");
        assertTrue(p.next());
        assertTrue(p.keyIs(some));
        assertFalse(p.keyIs(full));
        assertEquals(3057153L, p.get(0));
        assertTrue(p.next());
        assertTrue(p.keyIs(full));
        assertEquals(1520984L, p.get(0));
        assertFalse(p.next());
    }

    @Test
    void decimalsOfSubKeysNotAskedForAreNotParsed() throws CgroupReadException {
        String iocost = "8:0 rbytes=90 wbytes=0 rios=1 wios=0 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=1.5\n";
        NestedKeyed p = parser(IO_STAT, iocost, "rbytes");
        assertTrue(p.next());
        assertEquals(90L, p.get(0));
    }

    @Test
    void missingSubKeyIsNotSet() throws CgroupReadException {
        NestedKeyed p = parser(IO_STAT, "8:0 rbytes=1\n", "rbytes", "wios");
        assertTrue(p.next());
        assertTrue(p.has(0));
        assertFalse(p.has(1));
    }

    @Test
    void emptyIoStatHasNoLine() throws CgroupReadException {
        assertFalse(parser(IO_STAT, "", "rbytes").next());
    }

    @Test
    void pairWithoutEqualsIsMalformed() {
        NestedKeyed p = parser(IO_STAT, "254:0 rbytes=1\n254:16 rbytes 2\n", "rbytes");
        CgroupReadException e = assertThrows(CgroupReadException.class, () -> {
            p.next();
            p.next();
        });
        assertEquals("cannot read " + IO_STAT + ": line 2 \"254:16 rbytes 2\": not \"key subkey=value ...\"",
                e.getMessage());
    }

    @Test
    void badDeviceIsMalformed() throws CgroupReadException {
        NestedKeyed p = parser(IO_STAT, "vda rbytes=1\n", "rbytes");
        assertTrue(p.next());
        CgroupReadException e = assertThrows(CgroupReadException.class, p::device);
        assertEquals("cannot read " + IO_STAT + ": line 1 \"vda rbytes=1\": \"vda\" is not a device \"major:minor\"",
                e.getMessage());
    }
}
