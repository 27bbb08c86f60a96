package io.apptheus.metrics;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;

/**
 * One container whose series are published: its {@link StatsBuffer}, read at scrape time (so a
 * scrape never touches a cgroup file), its labels, which of the table's Stats its readers provide,
 * and its block devices. Holds no meter: {@link ContainerSeries} builds its samples at each scrape.
 */
public final class PublishedContainer {

    private final long order;
    private final StatsBuffer stats;
    private final ContainerLabels labels;
    private final long provided;
    private final Lifecycle lifecycle;
    private final ApptheusCompatMeters compat;
    private final Set<String> deviceIds = new HashSet<>();
    private volatile Device[] devices = new Device[0];

    PublishedContainer(long order, StatsBuffer stats, ContainerLabels labels, Set<Stat> provides,
                       Lifecycle lifecycle, ApptheusCompatMeters compat) {
        long mask = 0;
        for (Stat s : provides) {
            mask |= 1L << s.ordinal();
        }
        this.order = order;
        this.stats = stats;
        this.labels = labels;
        this.provided = mask;
        this.lifecycle = lifecycle;
        this.compat = compat;
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
                Device[] now = Arrays.copyOf(devices, devices.length + 1);
                now[now.length - 1] = new Device(io, labels.withDevice(names.name(io.majMin())));
                devices = now;
            }
        }
    }

    /** Called by the sweep after each sample of this container (the compat CPU percentage). */
    public void sampled(long nowNanos) {
        if (compat != null) {
            compat.sampled(nowNanos);
        }
    }

    /** How many series this container publishes. */
    public int size() {
        int n = 2; // start time, last seen
        for (ContainerMetric m : ContainerMetricTable.ROWS) {
            n += provides(m.stat()) ? 1 : 0;
        }
        return n + 4 * devices.length;
    }

    long order() {
        return order;
    }

    boolean provides(Stat stat) {
        return (provided & (1L << stat.ordinal())) != 0;
    }

    StatsBuffer stats() {
        return stats;
    }

    ContainerLabels labels() {
        return labels;
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    Device[] devices() {
        return devices;
    }

    void removeCompat() {
        if (compat != null) {
            compat.removeAll();
        }
    }

    /** One block device of the container: its counters and its labels ({@code device} included). */
    record Device(StatsBuffer.IoCounters io, ContainerLabels labels) {
    }

    /** When the container started and was last sampled, in seconds since the epoch. */
    public interface Lifecycle {
        double startTimeSeconds();

        double lastSeenSeconds();
    }
}
