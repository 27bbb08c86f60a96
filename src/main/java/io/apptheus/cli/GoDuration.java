package io.apptheus.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Apptheus (Go's time.ParseDuration) writes them: "0.5s", "500ms", "1m30s", "2h".
 * Units: ns, us (µs), ms, s, m, h. A bare "0" is zero.
 */
public final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    public static Duration parse(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(s);
        int pos = 0;
        double nanos = 0;
        while (pos < s.length()) {
            if (!m.find(pos) || m.start() != pos) {
                throw new IllegalArgumentException("\"" + text + "\" is not a duration (e.g. 0.5s, 500ms, 1m)");
            }
            nanos += Double.parseDouble(m.group(1)) * unitNanos(m.group(2));
            pos = m.end();
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** A form Quarkus' Duration converter and the scheduler both accept (ISO-8601). */
    public static String toConfig(Duration d) {
        return d.toString();
    }

    private static double unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1;
            case "us", "µs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
    }
}
