package io.apptheus.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.apptheus.it.support.LogfmtParser;

/** {@link Logfmt}, read back with a logfmt parser written from the format's description ({@link LogfmtParser}). */
class LogfmtTest {

    private static final Instant TS = Instant.parse("2026-01-01T12:00:00.123Z");

    @Test
    void aRecordIsKeyValuePairs() {
        String line = Logfmt.line(TS, "info", "Registrar", "container starter_42: monitoring pid 42 uid 1000", 815, null);
        assertEquals("ts=2026-01-01T12:00:00.123Z level=info logger=Registrar"
                + " msg=\"container starter_42: monitoring pid 42 uid 1000\" pid=815", line);
        assertEquals(Map.of("ts", "2026-01-01T12:00:00.123Z", "level", "info", "logger", "Registrar",
                "msg", "container starter_42: monitoring pid 42 uid 1000", "pid", "815"), parse(line));
    }

    @Test
    void aForgedLineStaysInsideItsMessage() {
        String exe = "x\n2026-01-01T00:00:00.000Z INFO  [Registrar] container starter_1: monitoring pid 1 uid 0 FORGED";
        String msg = "refused pid 7 uid 65534 gid 65534 exe " + exe + ": executable is not a trusted path";
        String line = Logfmt.line(TS, "warn", "Registrar", msg, 815, null);
        assertFalse(line.contains("\n"), line);
        Map<String, String> kv = parse(line);
        assertEquals(msg, kv.get("msg"), "the parser gets the message back exactly");
        assertEquals("815", kv.get("pid"));
        assertEquals(5, kv.size());
    }

    @Test
    void quotesBackslashesAndControlCharactersAndFakeKeys() {
        String msg = "a \"quoted\" word, a \\ backslash, \033[2J a screen clear, \u009b CSI, \t tab, level=error pid=1";
        String line = Logfmt.line(TS, "warn", "Startup", msg, 1, null);
        for (char c : line.toCharArray()) {
            assertTrue(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f), "control character in " + line);
        }
        Map<String, String> kv = parse(line);
        assertEquals(msg, kv.get("msg"));
        assertEquals("warn", kv.get("level"), "a key=value inside the message is not a field");
    }

    @Test
    void anExceptionIsFoldedIntoTheLine() {
        String line = Logfmt.line(TS, "error", "Monitor", "container c: sweep failed", 9,
                new IllegalStateException("boom\nsecond line"));
        assertFalse(line.contains("\n"));
        Map<String, String> kv = parse(line);
        assertEquals("java.lang.IllegalStateException: boom\nsecond line", kv.get("err"));
        assertTrue(kv.get("stack").startsWith("java.lang.IllegalStateException: boom\nsecond line\n\tat "), kv.get("stack"));
    }

    @Test
    void levelsAndLoggers() {
        assertEquals("warn", Logfmt.level("WARN"));
        assertEquals("warn", Logfmt.level("WARNING"));
        assertEquals("error", Logfmt.level("SEVERE"));
        assertEquals("error", Logfmt.level("FATAL"));
        assertEquals("debug", Logfmt.level("TRACE"));
        assertEquals("info", Logfmt.level("INFO"));
        assertEquals("Registrar", Logfmt.shortName("io.apptheus.registration.Registrar"));
        assertEquals("root", Logfmt.shortName(""));
        StringBuilder b = new StringBuilder();
        Logfmt.value(b, "io.quarkus");
        Logfmt.value(b, "a b");
        Logfmt.value(b, "");
        assertEquals("io.quarkus\"a b\"\"\"", b.toString());
    }

    private static Map<String, String> parse(String line) {
        return LogfmtParser.parse(line);
    }
}
