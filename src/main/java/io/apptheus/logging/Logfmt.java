package io.apptheus.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One log record as one logfmt line, as go-kit's logger writes Apptheus's:
 *
 * <pre>
 * ts=2026-01-01T12:00:00.000Z level=warn logger=Registrar msg="refused pid 42 uid 1000 gid 1000 exe \"/tmp/x\\n\": ..." pid=815
 * ts=2026-01-01T12:00:01.000Z level=error logger=Monitor msg="container starter_7: sweep failed" pid=815 err="java.lang.IllegalStateException: boom" stack="java.lang.IllegalStateException: boom\n\tat ..."
 * </pre>
 *
 * Keys are fixed words; every value that is not a bare number or word is double-quoted, with
 * backslash, double quote and every control character escaped ({@code \n}, {@code \t},
 * {@code \r}, {@code \}{@code u00XX}): whatever a message carries, the record stays one line and a
 * value never reads as another key. Pure.
 */
public final class Logfmt {

    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Logfmt() {
    }

    /** The line, without its line feed. {@code thrown} may be null. */
    public static String line(Instant ts, String level, String logger, String msg, long pid, Throwable thrown) {
        StringBuilder b = new StringBuilder(96 + msg.length());
        b.append("ts=").append(TS.format(ts));
        b.append(" level=").append(level);
        b.append(" logger=");
        value(b, logger);
        b.append(" msg=");
        quoted(b, msg);
        b.append(" pid=").append(pid);
        if (thrown != null) {
            b.append(" err=");
            quoted(b, String.valueOf(thrown));
            StringWriter trace = new StringWriter();
            thrown.printStackTrace(new PrintWriter(trace));
            b.append(" stack=");
            quoted(b, trace.toString().stripTrailing());
        }
        return b.toString();
    }

    /**
     * logfmt's level names, as go-kit writes them: debug, info, warn, error; JBoss's TRACE is
     * debug, FATAL error, and java.util.logging's FINE/FINER/FINEST debug, CONFIG info, WARNING
     * warn, SEVERE error.
     */
    public static String level(String name) {
        return switch (name) {
            case "TRACE", "DEBUG", "FINE", "FINER", "FINEST", "ALL" -> "debug";
            case "WARN", "WARNING" -> "warn";
            case "ERROR", "SEVERE", "FATAL" -> "error";
            default -> "info";
        };
    }

    /** The last part of a logger's name ({@code io.apptheus.registration.Registrar} → Registrar). */
    public static String shortName(String logger) {
        if (logger == null || logger.isEmpty()) {
            return "root";
        }
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    /** A value bare if it is a plain word (letters, digits, {@code . _ - : / @ +}), else quoted. */
    static void value(StringBuilder b, String v) {
        if (v.isEmpty()) {
            b.append("\"\"");
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == ':' || c == '/' || c == '@' || c == '+';
            if (!plain) {
                quoted(b, v);
                return;
            }
        }
        b.append(v);
    }

    /** {@code "v"} with logfmt's escapes (those of Go's strconv.Quote for what a log carries). */
    static void quoted(StringBuilder b, String v) {
        b.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
