package io.apptheus.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

/**
 * The original Apptheus's metric names, for dashboards built on them ({@code --metrics.compat=apptheus}),
 * labelled {@code job="<exe>_<pid>"} as it did, but computed correctly: the CPU percentage from the
 * previous sample of the same container (Apptheus re-created its state every tick), blkio from
 * bytes (it read a queue depth). Percentages are NaN where the limit is unlimited.
 */
final class ApptheusCompatMeters {

    private final MeterRegistry registry;
    private final StatsBuffer stats;
    private final List<Meter> meters = new ArrayList<>();
    private long lastCpuNs = -1;
    private long lastNanos;
    private volatile double cpuPercent = Double.NaN;

    ApptheusCompatMeters(MeterRegistry registry, StatsBuffer stats, String job) {
        this.registry = registry;
        this.stats = stats;
        Tags tags = Tags.of("job", job);
        gauge("cpu_usage_per", "CPU used since the previous sample, in percent of one CPU", tags, s -> cpuPercent);
        gauge("memory_usage", "Memory usage in bytes", tags, s -> s.get(Stat.MEMORY_USAGE_BYTES));
        gauge("memory_limit", "Memory limit in bytes (+Inf: no limit)", tags, s -> s.get(Stat.MEMORY_LIMIT_BYTES));
        gauge("memory_usage_per", "Memory usage in percent of the limit", tags,
                s -> percent(s, Stat.MEMORY_USAGE_BYTES, Stat.MEMORY_LIMIT_BYTES));
        gauge("memory_swap", "Swap usage in bytes", tags, s -> s.get(Stat.MEMORY_SWAP_BYTES));
        gauge("memory_swap_limit", "Swap limit in bytes (+Inf: no limit)", tags, s -> s.get(Stat.MEMORY_SWAP_LIMIT_BYTES));
        gauge("memory_swap_usage_per", "Swap usage in percent of the limit", tags,
                s -> percent(s, Stat.MEMORY_SWAP_BYTES, Stat.MEMORY_SWAP_LIMIT_BYTES));
        gauge("pid_usage", "Tasks in the container", tags, s -> s.get(Stat.THREADS));
        gauge("pid_limit", "Task limit (+Inf: no limit)", tags, s -> s.get(Stat.THREADS_MAX));
        gauge("pid_usage_per", "Tasks in percent of the limit", tags, s -> percent(s, Stat.THREADS, Stat.THREADS_MAX));
        gauge("blkio_read", "Bytes read from block devices", tags, s -> ioSum(s, true));
        gauge("blkio_write", "Bytes written to block devices", tags, s -> ioSum(s, false));
    }

    /** Called by the sweep after each sample of this container. */
    void sampled(long nowNanos) {
        if (!stats.has(Stat.CPU_USAGE_NS)) {
            return;
        }
        long cpu = stats.raw(Stat.CPU_USAGE_NS);
        if (lastCpuNs >= 0 && nowNanos > lastNanos) {
            cpuPercent = 100.0 * Math.max(0, cpu - lastCpuNs) / (nowNanos - lastNanos);
        }
        lastCpuNs = cpu;
        lastNanos = nowNanos;
    }

    void removeAll() {
        meters.forEach(registry::remove);
        meters.clear();
    }

    static double percent(StatsBuffer s, Stat used, Stat limit) {
        double l = s.get(limit);
        return Double.isInfinite(l) || l <= 0 ? Double.NaN : 100.0 * s.get(used) / l;
    }

    private static double ioSum(StatsBuffer s, boolean read) {
        double sum = 0;
        for (StatsBuffer.IoCounters c : s.devices()) {
            sum += read ? c.readBytes : c.writeBytes;
        }
        return sum;
    }

    private void gauge(String name, String help, Tags tags, ToDoubleFunction<StatsBuffer> f) {
        meters.add(Gauge.builder(name, stats, f).description(help).tags(tags).strongReference(true).register(registry));
    }
}
