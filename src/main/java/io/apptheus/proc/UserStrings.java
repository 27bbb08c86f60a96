package io.apptheus.proc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Strings a local user controls (a starter's process title, its environment, the path of the
 * executable an untrusted caller runs): read with a bound, cut with one rule, escaped for logs.
 * Every other place (labels, the JSON API, the status page, {@code apptheus ps}) gets them already
 * cut, so that all of them show the same value; each escapes it by its own rules.
 */
public final class UserStrings {

    /** Longest value kept of an instance name, a title's user or a Slurm job id: --label.max-value-bytes. */
    public static final int DEFAULT_VALUE_BYTES = 128;
    /** Bytes read of a title (/proc/PID/cmdline) and kept of an executable's path: --proc.max-read-bytes. */
    public static final int DEFAULT_READ_BYTES = 4096;
    /** Bytes of /proc/PID/environ searched for a variable: --proc.max-environ-bytes. */
    public static final int DEFAULT_ENVIRON_BYTES = 128 * 1024;

    private UserStrings() {
    }

    /** The bounds, set by flags (see the DEFAULT_ constants). */
    public record Limits(int valueBytes, int readBytes, int environBytes) {

        public static final Limits DEFAULTS = new Limits(DEFAULT_VALUE_BYTES, DEFAULT_READ_BYTES, DEFAULT_ENVIRON_BYTES);

        public Limits {
            if (valueBytes < 1 || readBytes < 1 || environBytes < 1) {
                throw new IllegalArgumentException("limits must be positive: " + valueBytes + ", " + readBytes + ", "
                        + environBytes);
            }
        }
    }

    /**
     * {@code s} cut to at most {@code maxBytes} bytes of UTF-8, at a character boundary (a
     * surrogate pair is never split): the one cut of every user-controlled value.
     */
    public static String cut(String s, int maxBytes) {
        if (s.length() * 3L <= maxBytes) {
            return s; // fits whatever the characters (3 bytes per UTF-16 unit at most)
        }
        int bytes = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) {
                return s.substring(0, i);
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return s;
    }

    /** At most {@code max} bytes from the start of {@code file}; a longer file is cut there. */
    static byte[] readAtMost(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(max);
        }
    }

    /**
     * Bytes as UTF-8 text, invalid sequences as U+FFFD; a multi-byte character cut by the read bound
     * at the end is dropped rather than shown as U+FFFD.
     */
    static String utf8(byte[] b, int off, int len) {
        int end = off + len;
        int back = 0;
        while (back < 3 && end - back - 1 >= off && (b[end - back - 1] & 0xC0) == 0x80) {
            back++;
        }
        if (end - back - 1 >= off) {
            int lead = b[end - back - 1] & 0xFF;
            int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
            if (need > back) {
                end = end - back - 1; // an incomplete last character
            }
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /**
     * {@code s} as one double-quoted token for a log line: backslash and double quote escaped,
     * every control character (C0, DEL, C1) and the line and paragraph separators written as
     * {@code \n}, {@code \t}, {@code \r} or {@code \}{@code u00XX}; so a value never ends its line
     * or fakes another field, whatever the log format.
     */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        escapeInto(s, b);
        return b.append('"').toString();
    }

    /** The escapes of {@link #quote}, without the quotes. */
    public static void escapeInto(String s, StringBuilder b) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (isControl(c)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
    }

    /**
     * C0 controls, DEL, C1 controls (U+0080-U+009F: a terminal may take U+009B as CSI), the line
     * and paragraph separators and the bidirectional overrides and isolates, which reorder what a
     * terminal or a browser shows ("Trojan Source").
     */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
