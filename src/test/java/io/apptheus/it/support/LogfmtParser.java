package io.apptheus.it.support;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A logfmt decoder written from the format's description (go-logfmt's): space-separated
 * {@code key=value} pairs, a key being any characters but space, '=' and '"'; a value bare (up to
 * the next space) or double-quoted with Go's escapes ({@code \" \\ \n \r \t} and {@code \}{@code
 * uXXXX}). Throws on anything else: a log line that does not parse fails the test.
 */
public final class LogfmtParser {

    private LogfmtParser() {
    }

    public static Map<String, String> parse(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            if (line.charAt(i) == ' ') {
                i++;
                continue;
            }
            int k = i;
            while (i < n && line.charAt(i) != '=' && line.charAt(i) != ' ' && line.charAt(i) != '"') {
                i++;
            }
            if (i == k || i >= n || line.charAt(i) != '=') {
                throw new IllegalArgumentException("no key=value at " + k + ": " + line);
            }
            String key = line.substring(k, i++);
            StringBuilder v = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                i = quoted(line, i + 1, key, v);
                if (i < n && line.charAt(i) != ' ') {
                    throw new IllegalArgumentException("garbage after the value of " + key + ": " + line);
                }
            } else {
                while (i < n && line.charAt(i) != ' ') {
                    char c = line.charAt(i++);
                    if (c == '"' || c == '=' || c < 0x20) {
                        throw new IllegalArgumentException("bad bare value of " + key + ": " + line);
                    }
                    v.append(c);
                }
            }
            if (out.put(key, v.toString()) != null) {
                throw new IllegalArgumentException("key " + key + " twice: " + line);
            }
        }
        return out;
    }

    /** Reads a quoted value's content from {@code i} (after the opening quote); returns the index after the closing one. */
    private static int quoted(String line, int i, String key, StringBuilder v) {
        int n = line.length();
        for (;;) {
            if (i >= n) {
                throw new IllegalArgumentException("unterminated value of " + key + ": " + line);
            }
            char c = line.charAt(i++);
            if (c == '"') {
                return i;
            }
            if (c < 0x20) {
                throw new IllegalArgumentException("control character in " + key + ": " + line);
            }
            if (c != '\\') {
                v.append(c);
                continue;
            }
            if (i >= n) {
                throw new IllegalArgumentException("unterminated escape in " + key + ": " + line);
            }
            char e = line.charAt(i++);
            switch (e) {
                case '"', '\\' -> v.append(e);
                case 'n' -> v.append('\n');
                case 'r' -> v.append('\r');
                case 't' -> v.append('\t');
                case 'u' -> {
                    v.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e + " in " + key + ": " + line);
            }
        }
    }
}
