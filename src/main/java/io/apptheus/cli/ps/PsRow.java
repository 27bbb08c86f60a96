package io.apptheus.cli.ps;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
        JsonObject root;
        try {
            root = new JsonObject(json);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (!(root.getValue("containers") instanceof JsonArray arr)) {
            throw new IllegalArgumentException("no \"containers\" list");
        }
        List<PsRow> out = new ArrayList<>();
        for (Object o : arr) {
            if (!(o instanceof JsonObject c)) {
                throw new IllegalArgumentException("a container is not an object: " + o);
            }
            out.add(of(c));
        }
        return out;
    }

    static PsRow of(JsonObject c) {
        try {
            JsonObject mem = obj(c, "memory");
            double limit = mem.containsKey("limit_bytes")
                    ? (mem.getValue("limit_bytes") == null ? Double.POSITIVE_INFINITY : num(mem, "limit_bytes"))
                    : Double.NaN;
            String instance = c.getString("instance");
            return new PsRow(c.getString("name", "?"), c.getString("user", "?"), instance == null ? "" : instance,
                    c.getString("launch", ""), c.getLong("pid", 0L), num(obj(c, "cpu"), "cores"),
                    num(mem, "working_set_bytes"), limit, num(obj(c, "io"), "read_bytes_per_second"),
                    num(obj(c, "io"), "write_bytes_per_second"), num(obj(c, "tasks"), "threads"),
                    time(c.getValue("start_time")), num(c, "uptime_seconds"), c.getString("state", "?"));
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("container " + c.getValue("name") + ": " + e.getMessage(), e);
        }
    }

    private static JsonObject obj(JsonObject o, String key) {
        JsonObject v = o.getJsonObject(key);
        return v != null ? v : new JsonObject();
    }

    /** Seconds since the epoch of an RFC 3339 time; NaN if absent. */
    private static double time(Object v) {
        if (v == null) {
            return Double.NaN;
        }
        try {
            return java.time.Instant.parse((String) v).toEpochMilli() / 1000.0;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("start_time \"" + v + "\" is not an RFC 3339 time", e);
        }
    }

    private static double num(JsonObject o, String key) {
        Number n = (Number) o.getValue(key);
        return n == null ? Double.NaN : n.doubleValue();
    }
}
