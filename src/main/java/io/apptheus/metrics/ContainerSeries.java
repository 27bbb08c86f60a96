package io.apptheus.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.config.ApptheusConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Every published container, and their series built from their buffers at scrape time: one family
 * per row of the table that some container provides, with one sample per such container, then the
 * start and last-seen times, then the block devices' IO. No meter per series: a container costs
 * its buffer and two label lists, shared by all its samples; a family no container has is left
 * out. Containers appear in the order they were published.
 */
@Singleton
public class ContainerSeries {

    private static final PublishedContainer[] NONE = new PublishedContainer[0];
    private static final String[] SAMPLE_NAMES = ContainerMetricTable.ROWS.stream()
            .map(m -> m.counter() ? m.name() + "_total" : m.name()).toArray(String[]::new);
    private static final String START_TIME = "container_start_time_seconds";
    private static final String START_TIME_HELP = "Start time of the container since unix epoch in seconds";
    private static final String LAST_SEEN = "container_last_seen";
    private static final String LAST_SEEN_HELP = "Last time a container was seen by the exporter";
    private static final List<IoFamily> IO = List.of(
            new IoFamily("container_fs_reads_bytes", "Cumulative count of bytes read", io -> io.readBytes),
            new IoFamily("container_fs_writes_bytes", "Cumulative count of bytes written", io -> io.writeBytes),
            new IoFamily("container_fs_reads", "Cumulative count of reads completed", io -> io.reads),
            new IoFamily("container_fs_writes", "Cumulative count of writes completed", io -> io.writes));

    private final ConcurrentSkipListMap<Long, PublishedContainer> published = new ConcurrentSkipListMap<>();
    private final AtomicLong next = new AtomicLong();
    private final MeterRegistry compatRegistry;
    private final boolean compat;

    @Inject
    ContainerSeries(MeterRegistry registry, ApptheusConfig config) {
        this(registry, "apptheus".equals(config.metrics().compat()));
    }

    /** @param compat also publish the original Apptheus's names ({@code --metrics.compat=apptheus}) */
    ContainerSeries(MeterRegistry registry, boolean compat) {
        this.compatRegistry = registry;
        this.compat = compat;
    }

    /**
     * Publishes a container's series: those of the table's rows whose Stat the container's readers
     * provide, its start and last-seen times, and the IO of each device it reads or writes.
     */
    public PublishedContainer publish(StatsBuffer stats, ContainerLabels labels, Set<Stat> provides,
                                      PublishedContainer.Lifecycle lifecycle) {
        ApptheusCompatMeters c = compat ? new ApptheusCompatMeters(compatRegistry, stats, labels.containerName())
                : null;
        PublishedContainer p = new PublishedContainer(next.getAndIncrement(), stats, labels, provides, lifecycle, c);
        published.put(p.order(), p);
        return p;
    }

    /** Removes every series of the container. */
    public void unpublish(PublishedContainer p) {
        if (published.remove(p.order(), p)) {
            p.removeCompat();
        }
    }

    /** Containers whose series are published now. */
    public int size() {
        return published.size();
    }

    /** Every family this class may publish, without samples (the registry checks names with it). */
    void describe(FamilySink sink) {
        for (ContainerMetric m : ContainerMetricTable.ROWS) {
            sink.family(m.name(), m.counter() ? FamilySink.Type.COUNTER : FamilySink.Type.GAUGE, m.help());
        }
        sink.family(START_TIME, FamilySink.Type.GAUGE, START_TIME_HELP);
        sink.family(LAST_SEEN, FamilySink.Type.GAUGE, LAST_SEEN_HELP);
        for (IoFamily f : IO) {
            sink.family(f.name, FamilySink.Type.COUNTER, f.help);
        }
    }

    /**
     * The families of one scrape, of the containers published when it begins: those of the rows
     * that some container provides, the start and last-seen times, and the IO families if some
     * container has a device. Each writes its samples from the buffers as they are when the
     * exposition reaches it, not before: a family's samples (one per container) are garbage by
     * the next family, where a scrape built whole held all of them (~31,000 at 1,000 containers,
     * ~3 MB) across the young collections it caused, which promoted them and so brought full
     * collections (~40 ms pauses) into the scrapes and the sweeps.
     */
    List<FamilySink.Source> families() {
        PublishedContainer[] all = published.values().toArray(NONE);
        if (all.length == 0) {
            return List.of();
        }
        List<FamilySink.Source> out = new ArrayList<>();
        List<ContainerMetric> rows = ContainerMetricTable.ROWS;
        for (int r = 0; r < rows.size(); r++) {
            if (anyProvides(all, rows.get(r).stat())) {
                int row = r;
                out.add(sink -> row(sink, all, row));
            }
        }
        out.add(sink -> lifecycle(sink, all, true));
        out.add(sink -> lifecycle(sink, all, false));
        if (anyDevice(all)) { // devices are only ever added: each family will have a sample
            for (IoFamily f : IO) {
                out.add(sink -> io(sink, all, f));
            }
        }
        return out;
    }

    private static boolean anyProvides(PublishedContainer[] all, Stat stat) {
        for (PublishedContainer c : all) {
            if (c.provides(stat)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyDevice(PublishedContainer[] all) {
        for (PublishedContainer c : all) {
            if (c.devices().length > 0) {
                return true;
            }
        }
        return false;
    }

    private static void row(FamilySink sink, PublishedContainer[] all, int r) {
        ContainerMetric m = ContainerMetricTable.ROWS.get(r);
        sink.family(m.name(), m.counter() ? FamilySink.Type.COUNTER : FamilySink.Type.GAUGE, m.help());
        for (PublishedContainer c : all) {
            if (c.provides(m.stat())) {
                sink.sample(SAMPLE_NAMES[r], c.labels(), value(c.stats(), m));
            }
        }
    }

    private static void io(FamilySink sink, PublishedContainer[] all, IoFamily f) {
        sink.family(f.name, FamilySink.Type.COUNTER, f.help);
        for (PublishedContainer c : all) {
            for (PublishedContainer.Device d : c.devices()) {
                sink.sample(f.sample, d.labels(), f.value.applyAsLong(d.io()));
            }
        }
    }

    private static void lifecycle(FamilySink sink, PublishedContainer[] all, boolean start) {
        String name = start ? START_TIME : LAST_SEEN;
        sink.family(name, FamilySink.Type.GAUGE, start ? START_TIME_HELP : LAST_SEEN_HELP);
        for (PublishedContainer c : all) {
            PublishedContainer.Lifecycle l = c.lifecycle();
            double seconds = start ? l.startTimeSeconds() : l.lastSeenSeconds();
            if (!Double.isNaN(seconds) && !Double.isInfinite(seconds)) {
                seconds = Math.round(seconds * 1000) / 1000.0; // epoch seconds, ms precision
            }
            sink.sample(name, c.labels(), seconds);
        }
    }

    /** The Stat's value in the metric's unit: ns → s, a limit of "max" as +Inf, NaN if not read yet. */
    static double value(StatsBuffer stats, ContainerMetric m) {
        if (!stats.has(m.stat())) {
            return Double.NaN;
        }
        long v = stats.raw(m.stat());
        if (v == StatsBuffer.UNLIMITED) {
            return Double.POSITIVE_INFINITY;
        }
        return m.divisor() == 1 ? v : v / m.divisor();
    }

    /** A per-device counter family: its name (without "_total"), help, and value. */
    private record IoFamily(String name, String sample, String help, ToLongFunction<StatsBuffer.IoCounters> value) {
        IoFamily(String name, String help, ToLongFunction<StatsBuffer.IoCounters> value) {
            this(name, name + "_total", help, value);
        }
    }
}
