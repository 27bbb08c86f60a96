package io.apptheus.status;

import io.apptheus.proc.Passwd;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.monitor.MonitoredContainer;
import io.apptheus.monitor.SampleHistory;
import io.apptheus.proc.StarterTitle;

/**
 * One container as the status API and page show it, taken at one instant. Values are in the
 * units of {@link Stat} converted to seconds and bytes; NaN where not measured, +Inf for "no
 * limit".
 *
 * @param uptimeSeconds     since registration; for an exited container, until its last sample
 * @param cpuUsageSeconds   cumulative CPU time
 * @param memoryLimitBytes  +Inf when unlimited
 */
public record ContainerView(String id, String name, long pid, long uid, String user, StarterTitle title,
                            boolean running, double startTime, double lastSeen, double uptimeSeconds,
                            double cpuUsageSeconds, double memoryWorkingSetBytes, double memoryUsageBytes,
                            double memoryLimitBytes, double ioReadBytes, double ioWriteBytes, double processes,
                            double threads, SampleHistory.Snapshot history) {

    /** Busiest CPU first (no rate yet: last), then by name: the API's and the page's order. */
    public static final java.util.Comparator<ContainerView> BY_CPU = java.util.Comparator
            .comparingDouble((ContainerView c) -> Double.isNaN(c.rates().cpuCores()) ? -1 : c.rates().cpuCores())
            .reversed().thenComparing(ContainerView::name);

    public static final String RUNNING = "running";
    public static final String EXITED = "exited-retained";

    public String state() {
        return running ? RUNNING : EXITED;
    }

    /** The rates of a running container; an exited one has none (nothing runs). */
    public SampleHistory.Rates rates() {
        return running ? history.rates() : NO_RATES;
    }

    private static final SampleHistory.Rates NO_RATES =
            new SampleHistory.Rates(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** Reads {@code c} now; {@code nowNanos} and {@code nowEpochSeconds} are read together by the caller. */
    public static ContainerView of(MonitoredContainer c, Passwd users, long nowNanos, double nowEpochSeconds) {
        boolean running = c.state() == MonitoredContainer.State.RUNNING;
        StatsBuffer s = c.stats();
        double ioRead = Double.NaN;
        double ioWrite = Double.NaN;
        StatsBuffer.IoCounters[] devices = s.devices();
        if (c.providesIo()) {
            ioRead = 0;
            ioWrite = 0;
            for (StatsBuffer.IoCounters d : devices) {
                ioRead += d.readBytes;
                ioWrite += d.writeBytes;
            }
        }
        double start = c.startTimeSeconds();
        double end = running ? nowEpochSeconds : c.lastSeenSeconds();
        return new ContainerView(c.cgroup().id(), c.name(), c.pid(), c.uid(), users.nameOf(c.uid()), c.title(),
                running, start, c.lastSeenSeconds(), Math.max(0, end - start),
                s.get(Stat.CPU_USAGE_NS) / 1e9, s.get(Stat.MEMORY_WORKING_SET_BYTES),
                s.get(Stat.MEMORY_USAGE_BYTES), s.get(Stat.MEMORY_LIMIT_BYTES), ioRead, ioWrite,
                s.get(Stat.PROCESSES), s.get(Stat.THREADS), c.history().snapshot(nowNanos, nowEpochSeconds));
    }
}
