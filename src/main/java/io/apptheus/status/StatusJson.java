package io.apptheus.status;

import java.util.List;

import io.apptheus.monitor.SampleHistory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The status API's JSON, written with Vert.x's JsonObject (Jackson core, no databind reflection).
 * Pure: views in, JSON out. A key is left out when the agent does not measure that value (no PSI
 * on a v1-only host, rates before the second sample, rates of an exited container); a limit of
 * {@code null} means no limit. Times are RFC 3339 in UTC, rates are per second.
 */
public final class StatusJson {

    /** Seconds between sparkline points. */
    static final double STEP_SECONDS = SampleHistory.STEP_NANOS / 1e9;

    private StatusJson() {
    }

    /** {@code GET /api/v1/containers}: the agent, the node and every container, busiest CPU first. */
    public static JsonObject list(AgentInfo agent, NodeInfo node, double now, List<ContainerView> containers,
                                  boolean history) {
        JsonArray arr = new JsonArray();
        for (ContainerView c : containers) {
            arr.add(container(c, now, history));
        }
        return new JsonObject()
                .put("time", time(now))
                .put("agent", new JsonObject()
                        .put("version", agent.version())
                        .put("revision", agent.revision())
                        .put("interval_seconds", agent.intervalSeconds())
                        .put("retain_exited_seconds", agent.retainExitedSeconds()))
                .put("node", new JsonObject()
                        .put("hostname", node.hostname())
                        .put("cpus", node.cpus())
                        .put("memory_bytes", node.memoryBytes()))
                .put("containers", arr);
    }

    /** Not found, or another error: {@code {"error": "..."}}. */
    public static JsonObject error(String message) {
        return new JsonObject().put("error", message);
    }

    /** One container, its history's points placed in seconds before {@code now}. */
    public static JsonObject container(ContainerView c, double now, boolean history) {
        SampleHistory.Rates r = c.rates();
        JsonObject o = new JsonObject()
                .put("id", c.id())
                .put("name", c.name())
                .put("pid", c.pid())
                .put("uid", c.uid())
                .put("user", c.user())
                .put("launch", c.title().kind().label())
                .put("instance", c.title().instance().isEmpty() ? null : c.title().instance())
                .put("state", c.state())
                .put("start_time", time(c.startTime()))
                .put("uptime_seconds", round(c.uptimeSeconds(), 1))
                .put("last_seen", time(c.lastSeen()));
        JsonObject cpu = new JsonObject();
        number(cpu, "cores", r.cpuCores(), 3);
        number(cpu, "usage_seconds_total", c.cpuUsageSeconds(), 3);
        JsonObject mem = new JsonObject();
        bytes(mem, "working_set_bytes", c.memoryWorkingSetBytes());
        bytes(mem, "usage_bytes", c.memoryUsageBytes());
        bytes(mem, "limit_bytes", c.memoryLimitBytes());
        JsonObject io = new JsonObject();
        bytes(io, "read_bytes_per_second", r.ioReadBytesPerSecond());
        bytes(io, "write_bytes_per_second", r.ioWriteBytesPerSecond());
        bytes(io, "read_bytes_total", c.ioReadBytes());
        bytes(io, "write_bytes_total", c.ioWriteBytes());
        JsonObject tasks = new JsonObject();
        bytes(tasks, "processes", c.processes());
        bytes(tasks, "threads", c.threads());
        JsonObject psi = new JsonObject();
        number(psi, "cpu_waiting", r.cpuWaiting(), 3);
        number(psi, "memory_waiting", r.memoryWaiting(), 3);
        number(psi, "io_waiting", r.ioWaiting(), 3);
        o.put("cpu", cpu).put("memory", mem).put("io", io).put("tasks", tasks).put("pressure", psi);
        if (history) {
            o.put("history", history(c.history(), now));
        }
        return o;
    }

    private static JsonObject history(SampleHistory.Snapshot h, double now) {
        JsonArray ago = new JsonArray();
        JsonArray cpu = new JsonArray();
        JsonArray mem = new JsonArray();
        for (int i = 0; i < h.times().length; i++) {
            ago.add(round(Math.max(0, now - h.times()[i]), 1));
            cpu.add(Double.isNaN(h.cpuCores()[i]) ? null : round(h.cpuCores()[i], 3));
            double m = h.memoryWorkingSetBytes()[i];
            mem.add(Double.isNaN(m) ? null : (Object) Math.round(m));
        }
        return new JsonObject().put("step_seconds", STEP_SECONDS).put("seconds_ago", ago).put("cpu_cores", cpu)
                .put("memory_working_set_bytes", mem);
    }

    /** A whole number (bytes, counts): left out if NaN, null if infinite (no limit). */
    private static void bytes(JsonObject o, String key, double v) {
        if (Double.isNaN(v)) {
            return;
        }
        o.put(key, Double.isInfinite(v) ? null : (Object) Math.round(v));
    }

    private static void number(JsonObject o, String key, double v, int decimals) {
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
            o.put(key, round(v, decimals));
        }
    }

    /** RFC 3339 in UTC to the millisecond: "2025-11-24T16:00:00.123Z". */
    static String time(double epochSeconds) {
        return java.time.Instant.ofEpochMilli(Math.round(epochSeconds * 1000)).toString();
    }

    static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    /** What the API says of the agent itself. */
    public record AgentInfo(String version, String revision, double intervalSeconds, double retainExitedSeconds) {
    }
}
