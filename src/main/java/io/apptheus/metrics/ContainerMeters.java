package io.apptheus.metrics;

import java.util.HashSet;
import java.util.Set;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

/**
 * The series of one container. They show the container's {@link StatsBuffer} at scrape time, so a
 * scrape never touches a cgroup file. A series is published only for a Stat whose source file
 * exists; all of them go together when the container's retention ends.
 *
 * <p>They are not Micrometer meters: {@link ContainerSeries} writes them straight from the
 * buffers, with each container's labels encoded once. Forty-odd Micrometer meters per container
 * cost ~30 KiB of heap each container, a global lock per registration, and ~30 MB of garbage per
 * scrape at 1,000 containers (measured: bench/).
 */
public final class ContainerMeters {

    private final ContainerSeries series;
    private final StatsBuffer stats;
    private final Tags tags;
    private final byte[] textLabels;
    private final byte[] openMetricsLabels;
    private final Set<String> deviceIds = new HashSet<>();
    private volatile Device[] devices = new Device[0];
    private volatile long provided;
    private volatile Lifecycle lifecycle;
    private volatile boolean registered;

    public ContainerMeters(ContainerSeries series, StatsBuffer stats, Tags tags) {
        this.series = series;
        this.stats = stats;
        this.tags = tags;
        this.textLabels = labels(tags, true);
        this.openMetricsLabels = labels(tags, false);
    }

    /** Publishes the table's series for the Stats the readers provide, and the lifecycle gauges. */
    public void register(Set<Stat> provides, Lifecycle lifecycle) {
        long mask = 0;
        for (Stat s : provides) {
            mask |= 1L << s.ordinal();
        }
        this.provided = mask;
        this.lifecycle = lifecycle;
        this.registered = true;
        series.add(this);
    }

    /**
     * Adds the per-device IO series of devices that appeared since the last call: from the sweep,
     * and once more after a container's final sample (which may run on another thread).
     */
    public synchronized void registerNewDevices(BlockDevices names) {
        if (stats.deviceCount() == deviceIds.size()) {
            return; // the usual case, every sweep: no copy of the device list
        }
        for (StatsBuffer.IoCounters io : stats.devices()) {
            if (deviceIds.add(io.majMin())) {
                Tags t = tags.and("device", names.name(io.majMin()));
                Device[] now = java.util.Arrays.copyOf(devices, devices.length + 1);
                now[now.length - 1] = new Device(io, labels(t, true), labels(t, false));
                devices = now;
            }
        }
    }

    public synchronized void removeAll() {
        series.remove(this);
        registered = false;
        deviceIds.clear();
        devices = new Device[0];
    }

    /** How many series this container publishes. */
    public int size() {
        if (!registered) {
            return 0;
        }
        int n = 2; // start time, last seen
        for (java.util.List<ContainerMetric> group : ContainerMetricTable.ALL) {
            for (ContainerMetric m : group) {
                n += provides(m.stat()) ? 1 : 0;
            }
        }
        return n + 4 * devices.length;
    }

    boolean provides(Stat stat) {
        return (provided & (1L << stat.ordinal())) != 0;
    }

    StatsBuffer stats() {
        return stats;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    Device[] devices() {
        return devices;
    }

    /** {@code {id="...",name="...",}} (text 0.0.4, with the trailing comma the Prometheus client
     *  writes) or without the last comma (OpenMetrics); tags in key order, as Micrometer sorts them. */
    byte[] labels(boolean text) {
        return text ? textLabels : openMetricsLabels;
    }

    static byte[] labels(Tags tags, boolean text) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        for (Tag t : tags) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append(t.getKey()).append("=\"");
            escape(t.getValue(), sb);
            sb.append('"');
        }
        if (text && !first) {
            sb.append(',');
        }
        return ExpositionWriter.ascii(sb.append("} ").toString());
    }

    /** Label value escapes of both formats: backslash, double quote, line feed. */
    private static void escape(String v, StringBuilder sb) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    /** One block device of the container: its counters and its labels (device included). */
    record Device(StatsBuffer.IoCounters io, byte[] textLabels, byte[] openMetricsLabels) {
        byte[] labels(boolean text) {
            return text ? textLabels : openMetricsLabels;
        }
    }

    /** When the container started and was last sampled, in seconds since the epoch. */
    public interface Lifecycle {
        double startTimeSeconds();

        double lastSeenSeconds();
    }
}
