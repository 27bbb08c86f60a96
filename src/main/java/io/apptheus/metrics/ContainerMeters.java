package io.apptheus.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToDoubleFunction;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The meters of one container. They read the container's {@link StatsBuffer} at scrape time, so a
 * scrape never touches a cgroup file. A meter is registered only for a Stat whose source file
 * exists; all of them are removed together when the container's retention ends.
 */
public final class ContainerMeters {

    private final MeterRegistry registry;
    private final StatsBuffer stats;
    private final Tags tags;
    private final List<Meter> meters = new ArrayList<>();
    private final Set<String> devices = new HashSet<>();

    public ContainerMeters(MeterRegistry registry, StatsBuffer stats, Tags tags) {
        this.registry = registry;
        this.stats = stats;
        this.tags = tags;
    }

    /** Registers the table's meters for the Stats the readers provide, and the lifecycle gauges. */
    public void register(Set<Stat> provided, Lifecycle lifecycle) {
        for (List<ContainerMetric> group : ContainerMetricTable.ALL) {
            for (ContainerMetric m : group) {
                if (provided.contains(m.stat())) {
                    add(m.name(), m.help(), m.counter(), s -> s.get(m.stat()) * m.scale());
                }
            }
        }
        meters.add(Gauge.builder("container_start_time_seconds", lifecycle, Lifecycle::startTimeSeconds)
                .description("Start time of the container since unix epoch in seconds").tags(tags)
                .strongReference(true).register(registry));
        meters.add(Gauge.builder("container_last_seen", lifecycle, Lifecycle::lastSeenSeconds)
                .description("Last time a container was seen by the exporter").tags(tags)
                .strongReference(true).register(registry));
    }

    /** Adds the per-device IO meters of devices that appeared since the last call. */
    public void registerNewDevices(BlockDevices names) {
        if (stats.deviceCount() == devices.size()) {
            return; // the usual case, every sweep: no copy of the device list
        }
        for (StatsBuffer.IoCounters io : stats.devices()) {
            if (devices.add(io.majMin())) {
                Tags t = tags.and("device", names.name(io.majMin()));
                addIo("container_fs_reads_bytes", "Cumulative count of bytes read", t, io, c -> c.readBytes);
                addIo("container_fs_writes_bytes", "Cumulative count of bytes written", t, io, c -> c.writeBytes);
                addIo("container_fs_reads", "Cumulative count of reads completed", t, io, c -> c.reads);
                addIo("container_fs_writes", "Cumulative count of writes completed", t, io, c -> c.writes);
            }
        }
    }

    public void removeAll() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
        devices.clear();
    }

    public int size() {
        return meters.size();
    }

    private void add(String name, String help, boolean counter, ToDoubleFunction<StatsBuffer> value) {
        if (counter) {
            meters.add(FunctionCounter.builder(name, stats, value).description(help).tags(tags).register(registry));
        } else {
            meters.add(Gauge.builder(name, stats, value).description(help).tags(tags).strongReference(true)
                    .register(registry));
        }
    }

    private void addIo(String name, String help, Tags t, StatsBuffer.IoCounters io,
                       ToDoubleFunction<StatsBuffer.IoCounters> value) {
        meters.add(FunctionCounter.builder(name, io, value).description(help).tags(t).register(registry));
    }

    /** When the container started and was last sampled, in seconds since the epoch. */
    public interface Lifecycle {
        double startTimeSeconds();

        double lastSeenSeconds();
    }
}
