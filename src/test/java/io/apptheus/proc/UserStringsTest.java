package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one cut, the bounded reads and the log escapes of user-controlled strings. */
class UserStringsTest {

    @Test
    void cutsAtTheByteBoundOnWholeCharacters() {
        assertEquals("abc", UserStrings.cut("abc", 128));
        assertEquals("x".repeat(128), UserStrings.cut("x".repeat(960_000), 128));
        // é is 2 bytes: 3 of them (6 bytes) fit in 7, the 4th does not
        assertEquals("ééé", UserStrings.cut("éééé", 7));
        // a 4-byte character (a surrogate pair) is kept whole or dropped whole
        assertEquals("a", UserStrings.cut("a\uD83D\uDE00", 4));
        assertEquals("a\uD83D\uDE00", UserStrings.cut("a\uD83D\uDE00", 5));
        assertTrue(UserStrings.cut("€".repeat(100), 128).getBytes(StandardCharsets.UTF_8).length <= 128);
    }

    @Test
    void readsNoMoreThanTheBound(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("big"), new byte[1 << 20]);
        assertEquals(4096, UserStrings.readAtMost(f, 4096).length);
        assertEquals(1 << 20, UserStrings.readAtMost(f, 8 << 20).length);
    }

    @Test
    void aCharacterCutByTheReadBoundIsDropped() {
        byte[] b = "aé€".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 bytes
        assertEquals("aé€", UserStrings.utf8(b, 0, 6));
        assertEquals("aé", UserStrings.utf8(b, 0, 5));
        assertEquals("aé", UserStrings.utf8(b, 0, 4));
        assertEquals("a", UserStrings.utf8(b, 0, 2));
        assertEquals("", UserStrings.utf8(new byte[] {(byte) 0xc3}, 0, 1));
    }

    @Test
    void quotesForALogLineThatStaysOneLine() {
        String forged = "x\n2026-01-01T00:00:00.000Z INFO  [Registrar] container starter_1: monitoring pid 1 uid 0 FORGED";
        String q = UserStrings.quote(forged);
        assertFalse(q.contains("\n"), q);
        assertEquals("\"x\\n2026-01-01T00:00:00.000Z INFO  [Registrar] container starter_1: monitoring pid 1 uid 0"
                + " FORGED\"", q);
        assertEquals("\"a\\\"b\\\\c\\u001b[2J\\u009b\\u202e\\t\\r\"", UserStrings.quote("a\"b\\c\033[2J\u009b\u202e\t\r"));
        assertEquals("\"/usr/libexec/apptainer/bin/starter\"", UserStrings.quote("/usr/libexec/apptainer/bin/starter"));
    }

    @Test
    void controlCharacters() {
        for (char c : new char[] {0, '\n', 0x1b, 0x7f, 0x80, 0x9b, 0x9f, '\u2028', '\u202e', '\u2066', '\u2069'}) {
            assertTrue(UserStrings.isControl(c), Integer.toHexString(c));
        }
        for (char c : new char[] {' ', 'a', '~', 0xa0, 'é', '€', '\u202f'}) {
            assertFalse(UserStrings.isControl(c), Integer.toHexString(c));
        }
    }
}
