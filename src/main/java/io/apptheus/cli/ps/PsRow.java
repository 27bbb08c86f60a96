package io.apptheus.cli.ps;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One container as {@code apptheus ps} shows it, read from the status API's JSON. NaN where the
 * API left a value out (not measured, or no rate yet); +Inf for a memory limit of {@code null}
 * (no limit).
 */
public record PsRow(String name, String user, String instance, String launch, long pid, double cpuCores,
                    double memoryWorkingSetBytes, double memoryLimitBytes, double ioReadBytesPerSecond,
                    double ioWriteBytesPerSecond, double threads, double startTime, double uptimeSeconds,
                    String state) {

    /**
     * The containers of a {@code GET /api/v1/containers} answer.
     *
     * @throws IllegalArgumentException if the text is not that JSON
     */
    public static List<PsRow> parseList(String json) {
        Object root = Json.parse(json);
        if (!(root instanceof Map<?, ?> m) || !(m.get("containers") instanceof List<?> arr)) {
            throw new IllegalArgumentException("no \"containers\" list");
        }
        List<PsRow> out = new ArrayList<>();
        for (Object o : arr) {
            if (!(o instanceof Map<?, ?> c)) {
                throw new IllegalArgumentException("a container is not an object: " + o);
            }
            out.add(of(c));
        }
        return out;
    }

    static PsRow of(Map<?, ?> c) {
        try {
            Map<?, ?> mem = obj(c, "memory");
            double limit = mem.containsKey("limit_bytes")
                    ? (mem.get("limit_bytes") == null ? Double.POSITIVE_INFINITY : num(mem, "limit_bytes"))
                    : Double.NaN;
            return new PsRow(str(c, "name", "?"), str(c, "user", "?"), str(c, "instance", ""), str(c, "launch", ""),
                    (long) num(c, "pid"), num(obj(c, "cpu"), "cores"), num(mem, "working_set_bytes"), limit,
                    num(obj(c, "io"), "read_bytes_per_second"), num(obj(c, "io"), "write_bytes_per_second"),
                    num(obj(c, "tasks"), "threads"), time(c.get("start_time")), num(c, "uptime_seconds"),
                    str(c, "state", "?"));
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("container " + c.get("name") + ": a value of the wrong type", e);
        }
    }

    private static Map<?, ?> obj(Map<?, ?> o, String key) {
        Object v = o.get(key);
        return v != null ? (Map<?, ?>) v : Map.of();
    }

    private static String str(Map<?, ?> o, String key, String absent) {
        Object v = o.get(key);
        return v != null ? (String) v : absent;
    }

    private static double num(Map<?, ?> o, String key) {
        Object v = o.get(key);
        return v != null ? ((Number) v).doubleValue() : Double.NaN;
    }

    /** Seconds since the epoch of an RFC 3339 time; NaN if absent. */
    private static double time(Object v) {
        if (v == null) {
            return Double.NaN;
        }
        try {
            return Instant.parse((String) v).toEpochMilli() / 1000.0;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("start_time \"" + v + "\" is not an RFC 3339 time", e);
        }
    }
}
