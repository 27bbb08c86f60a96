package io.apptheus.cgroup.fs;

import static io.apptheus.cgroup.fs.ParseSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatKeyedTest {

    private static final Path FILE = Path.of("/sys/fs/cgroup/memory/x/memory.stat");

    /** v2 cpu.stat of cpu_burn, kernel 6.12 (nice_usec is new). */
    private static final String CPU_STAT_612 = """
            usage_usec 1522980
            user_usec 1519024
            system_usec 3955
            nice_usec 0
            nr_periods 35
            nr_throttled 30
            throttled_usec 1500452
            nr_bursts 0
            burst_usec 0
            """;

    private static FlatKeyed parse(String text, String... keys) throws CgroupReadException {
        FlatKeyed parser = new FlatKeyed(keys);
        byte[] b = bytes(text);
        parser.parse(FILE, b, b.length);
        return parser;
    }

    @Test
    void findsKeysWhereverTheyAre() throws CgroupReadException {
        FlatKeyed p = parse(CPU_STAT_612, "throttled_usec", "usage_usec", "nr_throttled");
        assertEquals(1500452L, p.get(0));
        assertEquals(1522980L, p.get(1));
        assertEquals(30L, p.get(2));
    }

    @Test
    void missingKeyIsNotSet() throws CgroupReadException {
        FlatKeyed p = parse("usage_usec 1\nuser_usec 1\nsystem_usec 0\n", "usage_usec", "nr_periods");
        assertTrue(p.has(0));
        assertFalse(p.has(1));
    }

    @Test
    void aKeyIsMatchedWhole() throws CgroupReadException {
        FlatKeyed p = parse("total_inactive_file 7\ninactive_file 3\n", "inactive_file");
        assertEquals(3L, p.get(0));
    }

    @Test
    void foundKeysAreForgottenOnTheNextParse() throws CgroupReadException {
        FlatKeyed p = parse("max 6\n", "max");
        byte[] empty = new byte[0];
        p.parse(FILE, empty, 0);
        assertFalse(p.has(0));
    }

    @Test
    void emptyFileSetsNothing() throws CgroupReadException {
        assertFalse(parse("", "oom_kill").has(0));
    }

    @Test
    void valuesOfKeysNotAskedForAreNotParsed() throws CgroupReadException {
        assertEquals(1L, parse("weird 1.5\noom_kill 1\n", "oom_kill").get(0));
    }

    @Test
    void lineWithoutValueNamesFileAndLine() {
        CgroupReadException e = assertThrows(CgroupReadException.class,
                () -> parse("cache 7413760\nrss 69951488\nfoo\n", "rss"));
        assertEquals("cannot read /sys/fs/cgroup/memory/x/memory.stat: line 3 \"foo\": not \"key value\"",
                e.getMessage());
        assertEquals("malformed", e.reason());
    }

    @Test
    void lineWithTwoValuesIsMalformed() {
        CgroupReadException e = assertThrows(CgroupReadException.class, () -> parse("rss 1 2\n", "cache"));
        assertEquals("cannot read " + FILE + ": line 1 \"rss 1 2\": not \"key value\"", e.getMessage());
    }

    @Test
    void wantedValueNotANumberIsMalformed() {
        CgroupReadException e = assertThrows(CgroupReadException.class, () -> parse("rss x1\n", "rss"));
        assertEquals("cannot read " + FILE + ": line 1 \"rss x1\": \"x1\" is not an integer", e.getMessage());
    }

    /**
     * 6.12 inserts pgdemote_*, pgpromote_success, pgscan_khugepaged, swpin_zero... between 6.1's
     * keys: pgfault is line 41 of fs_write's memory.stat on 6.1 and line 47 on 6.12.
     */
    @Test
    void memoryStatOf61And612ByKeyNotLine() throws IOException {
        String[] keys = {"anon", "file", "inactive_file", "pgscan", "pgfault", "zswpin", "thp_fault_alloc"};
        for (String capture : new String[] {Fixtures.V2_61, Fixtures.V2_612}) {
            Path file = Fixtures.v2Leaf(capture, "fs_write").resolve("memory.stat");
            byte[] b = Files.readAllBytes(file);
            FlatKeyed p = new FlatKeyed(keys);
            p.parse(file, b, b.length);
            Map<String, Long> oracle = naive(Files.readString(file));
            for (int k = 0; k < keys.length; k++) {
                assertTrue(p.has(k), capture + " " + keys[k]);
                assertEquals(oracle.get(keys[k]), p.get(k), capture + " " + keys[k]);
            }
            assertEquals(284L, p.get(4), capture);
        }
    }

    private static Map<String, Long> naive(String text) {
        Map<String, Long> values = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] kv = line.split(" ");
            values.put(kv[0], Long.parseLong(kv[1]));
        }
        return values;
    }

    @Test
    void atMost64Keys() {
        assertThrows(IllegalArgumentException.class, () -> new FlatKeyed(new String[65]));
    }
}
