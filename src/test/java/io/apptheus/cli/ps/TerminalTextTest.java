package io.apptheus.cli.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What {@code apptheus ps} prints of users' strings: no control character reaches the terminal. */
class TerminalTextTest {

    static final String HOSTILE = "web\033]0;pwned\007\033[2J\nstarter_9   root   x   1   99.00   forged\r\u009b31m"
            + "\u202eevil\\";

    @Test
    void escapesEveryControlCharacterVisibly() {
        assertEquals("web\\e]0;pwned\\x07\\e[2J\\nstarter_9   root   x   1   99.00   forged\\r\\x9b31m\\u202eevil\\\\",
                TerminalText.escape(HOSTILE));
        assertEquals("plain-name_1.2", TerminalText.escape("plain-name_1.2"));
        assertEquals("é€", TerminalText.escape("é€"), "printable non-ASCII stays");
    }

    @Test
    void aForgedRowStaysInItsCell() {
        PsRow r = new PsRow("starter_1", "nobody", HOSTILE, "instance", 1, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, "running");
        String table = PsTable.format(List.of(r), PsArgs.Sort.CPU);
        assertEquals(2, table.lines().count(), table);
        for (char c : table.toCharArray()) {
            assertTrue(c == '\n' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f) && c != '\u202e'),
                    "control character " + (int) c + " in\n" + table);
        }
    }

    @Test
    void jsonStaysTheSameValuesInAscii() {
        String json = "{\"containers\":[{\"name\":\"starter_1\",\"instance\":\"" + HOSTILE.replace("\\", "\\\\")
                .replace("\n", "\\n").replace("\r", "\\r").replace("\033", "\\u001b").replace("\007", "\\u0007")
                + "\",\"user\":\"é\"}]}";
        String ascii = TerminalText.asciiJson(json);
        for (char c : ascii.toCharArray()) {
            assertTrue(c >= 0x20 && c < 0x7f, "not printable ASCII: " + (int) c + " in " + ascii);
        }
        Map<?, ?> c = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(ascii)).get("containers")).get(0);
        assertEquals(HOSTILE, c.get("instance"));
        assertEquals("é", c.get("user"));
        assertEquals(Json.parse(json), Json.parse(ascii));
    }
}
