package io.apptheus.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

import jakarta.inject.Singleton;

import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;

/**
 * Every container's series, written family by family straight from the containers' buffers in the
 * text format 0.0.4 or OpenMetrics 1.0, with the names, help texts, types and label order that
 * Micrometer's Prometheus registry gave them. Each family is written once, with one line per
 * container that has it; a family no container has is left out.
 */
@Singleton
public class ContainerSeries {

    private static final ContainerMeters[] NONE = new ContainerMeters[0];
    private static final List<Family> TABLE = new ArrayList<>();
    private static final Family START_TIME = Family.gauge("container_start_time_seconds",
            "Start time of the container since unix epoch in seconds");
    private static final Family LAST_SEEN = Family.gauge("container_last_seen",
            "Last time a container was seen by the exporter");
    private static final List<IoFamily> IO = List.of(
            new IoFamily(Family.counter("container_fs_reads_bytes", "Cumulative count of bytes read"),
                    io -> io.readBytes),
            new IoFamily(Family.counter("container_fs_writes_bytes", "Cumulative count of bytes written"),
                    io -> io.writeBytes),
            new IoFamily(Family.counter("container_fs_reads", "Cumulative count of reads completed"),
                    io -> io.reads),
            new IoFamily(Family.counter("container_fs_writes", "Cumulative count of writes completed"),
                    io -> io.writes));

    static {
        for (List<ContainerMetric> group : ContainerMetricTable.ALL) {
            for (ContainerMetric m : group) {
                Family f = m.counter() ? Family.counter(m.name(), m.help()) : Family.gauge(m.name(), m.help());
                TABLE.add(f.of(m));
            }
        }
    }

    private final Set<ContainerMeters> published = ConcurrentHashMap.newKeySet();

    void add(ContainerMeters m) {
        published.add(m);
    }

    void remove(ContainerMeters m) {
        published.remove(m);
    }

    /** Containers whose series are published now. */
    public int size() {
        return published.size();
    }

    /** Writes every family that some container has. */
    void write(ExpositionWriter out, boolean text) {
        ContainerMeters[] all = published.toArray(NONE);
        if (all.length == 0) {
            return;
        }
        for (Family f : TABLE) {
            boolean started = false;
            for (ContainerMeters c : all) {
                if (!c.provides(f.metric.stat())) {
                    continue;
                }
                if (!started) {
                    out.write(f.header(text));
                    started = true;
                }
                out.write(f.sample);
                out.write(c.labels(text));
                writeValue(out, c.stats(), f.metric);
                out.writeByte('\n');
            }
        }
        writeLifecycle(out, all, START_TIME, text, true);
        writeLifecycle(out, all, LAST_SEEN, text, false);
        for (IoFamily f : IO) {
            boolean started = false;
            for (ContainerMeters c : all) {
                for (ContainerMeters.Device d : c.devices()) {
                    if (!started) {
                        out.write(f.family.header(text));
                        started = true;
                    }
                    out.write(f.family.sample);
                    out.write(d.labels(text));
                    out.writeLong(f.value.applyAsLong(d.io()));
                    out.writeByte('\n');
                }
            }
        }
    }

    private static void writeLifecycle(ExpositionWriter out, ContainerMeters[] all, Family f, boolean text,
                                       boolean start) {
        out.write(f.header(text));
        for (ContainerMeters c : all) {
            ContainerMeters.Lifecycle l = c.lifecycle();
            double seconds = l == null ? Double.NaN : start ? l.startTimeSeconds() : l.lastSeenSeconds();
            out.write(f.sample);
            out.write(c.labels(text));
            if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                out.writeDouble(seconds);
            } else {
                out.writeFixed(Math.round(seconds * 1000), 3); // epoch seconds, ms precision
            }
            out.writeByte('\n');
        }
    }

    /** The Stat's value in the metric's unit: ns → s exactly, limits "max" as +Inf. */
    private static void writeValue(ExpositionWriter out, StatsBuffer stats, ContainerMetric m) {
        if (!stats.has(m.stat())) {
            out.writeNaN();
            return;
        }
        long v = stats.raw(m.stat());
        if (v == StatsBuffer.UNLIMITED) {
            out.writeInf();
        } else if (m.scale() == 1) {
            out.writeLong(v);
        } else if (m.scale() == 1e-9) {
            out.writeFixed(v, 9);
        } else {
            out.writeDouble(v * m.scale());
        }
    }

    /** A metric family's lines, encoded once: the headers of both formats and the sample name. */
    private static final class Family {
        final byte[] textHeader;
        final byte[] openMetricsHeader;
        final byte[] sample;
        ContainerMetric metric;

        private Family(String family, String sample, String type, String help) {
            // 0.0.4: HELP then TYPE, named as the samples (Micrometer appends _total to counters);
            // OpenMetrics: TYPE then HELP, a counter family named without _total
            this.textHeader = ExpositionWriter.ascii("# HELP " + sample + " " + help + "\n# TYPE " + sample + " "
                    + type + "\n");
            this.openMetricsHeader = ExpositionWriter.ascii("# TYPE " + family + " " + type + "\n# HELP " + family
                    + " " + help + "\n");
            this.sample = ExpositionWriter.ascii(sample);
        }

        static Family counter(String name, String help) {
            return new Family(name, name + "_total", "counter", help);
        }

        static Family gauge(String name, String help) {
            return new Family(name, name, "gauge", help);
        }

        Family of(ContainerMetric m) {
            this.metric = m;
            return this;
        }

        byte[] header(boolean text) {
            return text ? textHeader : openMetricsHeader;
        }
    }

    private record IoFamily(Family family, ToLongFunction<StatsBuffer.IoCounters> value) {
    }
}
