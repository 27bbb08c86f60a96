package io.apptheus.cgroup.fs;

import static io.apptheus.cgroup.fs.ParseSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.StatsBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SingleValueTest {

    private static final Path FILE = Path.of("/sys/fs/cgroup/metric_gateway/mem_hold/memory.current");

    private static long parse(String text) throws CgroupReadException {
        byte[] b = bytes(text);
        return SingleValue.parse(FILE, b, b.length);
    }

    private static CgroupReadException fails(String text) {
        return assertThrows(CgroupReadException.class, () -> parse(text));
    }

    @Test
    void integer() throws CgroupReadException {
        assertEquals(67350528L, parse("67350528\n"));
        assertEquals(0L, parse("0\n"));
        assertEquals(5L, parse("5"));
    }

    @Test
    void maxIsUnlimited() throws CgroupReadException {
        assertEquals(StatsBuffer.UNLIMITED, parse("max\n"));
    }

    @Test
    void negativeStaysANumber() throws CgroupReadException {
        assertEquals(-1L, parse("-1\n"));
    }

    @Test
    void v1NoLimitFitsInALong() throws CgroupReadException {
        assertEquals(9223372036854771712L, parse("9223372036854771712\n"));
    }

    @Test
    void onlyTheLengthGivenIsRead() throws CgroupReadException {
        byte[] b = bytes("12\n999999");
        assertEquals(12L, SingleValue.parse(FILE, b, 3));
    }

    @Test
    void cpuMaxFields() throws CgroupReadException {
        byte[] limited = bytes("50000 100000\n");
        assertEquals(50000L, SingleValue.parse(FILE, limited, limited.length, 0, 2));
        assertEquals(100000L, SingleValue.parse(FILE, limited, limited.length, 1, 2));
        byte[] unlimited = bytes("max 100000\n");
        assertEquals(StatsBuffer.UNLIMITED, SingleValue.parse(FILE, unlimited, unlimited.length, 0, 2));
    }

    @Test
    void emptyIsMalformed() {
        CgroupReadException e = fails("");
        assertEquals("malformed", e.reason());
        assertEquals("cannot read " + FILE + ": empty file", e.getMessage());
    }

    @Test
    void notANumberNamesFileAndLine() {
        assertEquals("cannot read " + FILE + ": line 1 \"12a\": \"12a\" is not an integer",
                fails("12a\n").getMessage());
        assertEquals("cannot read " + FILE + ": line 1 \"-\": \"-\" is not an integer",
                fails("-\n").getMessage());
    }

    @Test
    void overflowIsMalformed() {
        assertEquals("cannot read " + FILE + ": line 1 \"9223372036854775808\": \"9223372036854775808\" is out of range",
                fails("9223372036854775808\n").getMessage());
    }

    @Test
    void extraValueOrLineIsMalformed() {
        assertEquals("cannot read " + FILE + ": line 1 \"1 2\": not a single value", fails("1 2\n").getMessage());
        assertEquals("cannot read " + FILE + ": line 2 \"2\": not a single value", fails("1\n2\n").getMessage());
        byte[] one = bytes("max\n");
        CgroupReadException e = assertThrows(CgroupReadException.class,
                () -> SingleValue.parse(FILE, one, one.length, 0, 2));
        assertEquals("cannot read " + FILE + ": line 1 \"max\": not 2 values", e.getMessage());
    }
}
