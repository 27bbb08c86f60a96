package io.apptheus.monitor;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.ProcessCountReader;
import io.apptheus.metrics.PublishedContainer;
import io.apptheus.proc.StarterTitle;

/**
 * One container the agent watches: its cgroup, its open readers, its latest values and series.
 * State changes (sample, end, removal) happen under the object's lock, so the sweep and a closing
 * connection never end a container twice.
 */
public final class MonitoredContainer implements PublishedContainer.Lifecycle {

    public enum State { RUNNING, EXITED }

    private final ContainerCgroup cgroup;
    private final long connectionId;
    private final long pid;
    private final long uid;
    private final StarterTitle title;
    private final double startTimeSeconds;
    // an array, iterated by index, and providesIo computed once: C1 (TieredStopAtLevel=1, no
    // escape analysis) allocated an iterator and a stream per container and sweep
    private final ControllerReader[] readers;
    /** Read apart, and its count set last: see {@link #sample(SampleErrors, double, boolean, BlockDevices)}. */
    private final ProcessCountReader processes;
    private final boolean providesIo;
    private final ReadSchedule schedule;
    private final int slowPhase;
    /** The CPU time and memory usage at the last sample, -1 where not read. */
    private long lastCpuNs = -1;
    private long lastMemoryBytes = -1;
    /** The PSI "some" totals (cpu, memory, io) at their last read. */
    private final long[] lastStall = {-1, -1, -1};
    /** The last sweep of the activity window (see {@link ReadSchedule}). */
    private long activeUntil = Long.MIN_VALUE;
    private final StatsBuffer stats = new StatsBuffer();
    private final SampleHistory history;
    private volatile PublishedContainer series;
    private volatile double lastSeenSeconds;
    private State state = State.RUNNING;
    private long exitedAtNanos;
    private boolean cgroupRemoved;
    private boolean cleanupFailed;
    private boolean jobCgroupRemoved;
    /** Bit per {@link CgroupReadException.Reason} already logged for this container. */
    private int loggedErrors;

    MonitoredContainer(ContainerCgroup cgroup, long connectionId, long pid, long uid, StarterTitle title,
                       double startTimeSeconds, List<ControllerReader> readers, ReadSchedule schedule,
                       int slowPhase) {
        this.schedule = schedule;
        this.slowPhase = slowPhase;
        this.cgroup = cgroup;
        this.connectionId = connectionId;
        this.pid = pid;
        this.uid = uid;
        this.title = title;
        this.startTimeSeconds = startTimeSeconds;
        ProcessCountReader count = null;
        List<ControllerReader> others = new java.util.ArrayList<>();
        boolean io = false;
        for (ControllerReader r : readers) {
            io |= r.providesIo();
            if (count == null && r instanceof ProcessCountReader p) {
                count = p;
            } else {
                others.add(r);
            }
        }
        this.readers = others.toArray(new ControllerReader[0]);
        this.processes = count;
        this.providesIo = io;
        this.history = new SampleHistory(providesIo);
    }

    public String name() {
        return cgroup.name();
    }

    public ContainerCgroup cgroup() {
        return cgroup;
    }

    public long connectionId() {
        return connectionId;
    }

    public long pid() {
        return pid;
    }

    public long uid() {
        return uid;
    }

    /** What the starter's process title said at registration (instance name or plain run). */
    public StarterTitle title() {
        return title;
    }

    public StatsBuffer stats() {
        return stats;
    }

    /** The recent samples, for the agent's own rates and sparklines. */
    public SampleHistory history() {
        return history;
    }

    public synchronized State state() {
        return state;
    }

    synchronized long exitedAtNanos() {
        return exitedAtNanos;
    }

    synchronized boolean cgroupRemoved() {
        return cgroupRemoved;
    }

    synchronized void markCgroupRemoved() {
        cgroupRemoved = true;
    }

    /** A directory adopted from the caller (its Slurm job step's cgroup) was removed by its owner. */
    synchronized void markJobCgroupRemoved() {
        jobCgroupRemoved = true;
    }

    synchronized boolean jobCgroupRemoved() {
        return jobCgroupRemoved;
    }

    /** True the first time only: a busy cgroup is counted once per container. */
    synchronized boolean firstCleanupFailure() {
        return !cleanupFailed && (cleanupFailed = true);
    }

    /**
     * True the first time a read of this container fails for this reason: a file that stays broken
     * is logged once, not at every sweep (every failure is counted).
     */
    synchronized boolean firstErrorOf(CgroupReadException.Reason reason) {
        int bit = 1 << reason.ordinal();
        boolean first = (loggedErrors & bit) == 0;
        loggedErrors |= bit;
        return first;
    }

    void attachSeries(PublishedContainer p) {
        this.series = p;
    }

    /** Its published series; null until {@link Monitor} has published them. */
    PublishedContainer series() {
        return series;
    }

    Set<Stat> provided() {
        Set<Stat> out = EnumSet.noneOf(Stat.class);
        for (ControllerReader r : readers) {
            out.addAll(r.provides());
        }
        if (processes != null) {
            out.addAll(processes.provides());
        }
        return out;
    }

    /** Whether a reader fills per-device IO counters (the io or blkio controller is there). */
    public boolean providesIo() {
        return providesIo;
    }

    /**
     * Reads every file once. Each reader fails alone: the errors are handed to {@code onError} and
     * the others' values still count. Returns true if any value was read.
     */
    synchronized boolean sample(SampleErrors onError, double nowSeconds) {
        return sample(onError, nowSeconds, -1, null);
    }

    /**
     * The first sample: every file, then {@code adjust} on the values read (the CPU time before the
     * move), before anything is recorded or published.
     */
    synchronized void first(SampleErrors onError, double nowSeconds, java.util.function.Consumer<StatsBuffer> adjust) {
        boolean any = read(onError, -1, null);
        adjust.accept(stats);
        moved(); // from the adjusted values on
        if (any) {
            record(nowSeconds);
        }
    }

    /**
     * The sample of sweep number {@code sweep} (negative: read every file): the every-sweep files,
     * then what {@link ReadSchedule} says by what they showed. The process count is read first but
     * set last, and a count of 0 makes the sample read every file: when a scrape shows no process
     * left, every other value (the IO devices' series, registered here through {@code devices} when
     * given, included) is already the final one.
     */
    synchronized boolean sample(SampleErrors onError, double nowSeconds, long sweep, BlockDevices devices) {
        if (state != State.RUNNING) {
            return false;
        }
        boolean any = read(onError, sweep, devices);
        if (any) {
            record(nowSeconds);
        }
        return any;
    }

    private boolean read(SampleErrors onError, long sweep, BlockDevices devices) {
        boolean any = false;
        int count = -1;
        if (processes != null) {
            try {
                count = processes.count();
                any = true;
            } catch (CgroupReadException e) {
                onError.accept(this, e);
                if (e.vanished()) {
                    count = 0; // a removed cgroup holds no process: the container ends
                }
            }
        }
        if (sweep < 0 || count == 0) {
            any |= read(Pass.ALL, onError);
            moved();
        } else {
            any |= read(Pass.EVERY_SWEEP, onError);
            if (moved()) {
                activeUntil = sweep + schedule.activeSweeps() - 1;
            }
            Pass more = schedule.after(sweep, slowPhase, activeUntil);
            if (more != null) {
                any |= read(more, onError);
                if (stalled()) {
                    activeUntil = Math.max(activeUntil, sweep + 1); // a stall goes on: read again
                }
            }
        }
        PublishedContainer published = series;
        if (devices != null && providesIo && published != null) {
            published.registerNewDevices(devices);
        }
        if (count >= 0) {
            stats.set(Stat.PROCESSES, count);
        }
        return any;
    }

    private void record(double nowSeconds) {
        lastSeenSeconds = nowSeconds;
        long now = System.nanoTime();
        history.record(now, stats);
        PublishedContainer published = series;
        if (published != null) {
            published.sampled(now);
        }
    }

    /** Reads what {@code pass} covers of every reader; true if a reader read without error. */
    private boolean read(Pass pass, SampleErrors onError) {
        boolean any = false;
        for (int i = 0; i < readers.length; i++) {
            try {
                readers[i].readInto(stats, pass);
                any = true;
            } catch (CgroupReadException e) {
                onError.accept(this, e);
            }
        }
        return any;
    }

    /**
     * Whether the CPU time or the memory usage differs from the last call's (true without either:
     * then nothing tells an idle container apart).
     */
    private boolean moved() {
        long cpu = stats.has(Stat.CPU_USAGE_NS) ? stats.raw(Stat.CPU_USAGE_NS) : -1;
        long memory = stats.has(Stat.MEMORY_USAGE_BYTES) ? stats.raw(Stat.MEMORY_USAGE_BYTES) : -1;
        boolean moved = cpu != lastCpuNs || memory != lastMemoryBytes || (cpu < 0 && memory < 0);
        lastCpuNs = cpu;
        lastMemoryBytes = memory;
        return moved;
    }

    private static final Stat[] STALLS = {Stat.PSI_CPU_SOME_NS, Stat.PSI_MEMORY_SOME_NS, Stat.PSI_IO_SOME_NS};

    /** Whether a PSI "some" total moved since its last read: some task of the container is stalled. */
    private boolean stalled() {
        boolean moved = false;
        for (int i = 0; i < STALLS.length; i++) {
            long v = stats.has(STALLS[i]) ? stats.raw(STALLS[i]) : -1;
            moved |= lastStall[i] >= 0 && v != lastStall[i];
            lastStall[i] = v;
        }
        return moved;
    }

    /** Takes the final sample and marks the container ended; false if it had ended already. */
    synchronized boolean end(SampleErrors onError, double nowSeconds, long nowNanos, BlockDevices devices) {
        if (state != State.RUNNING) {
            return false;
        }
        sample(onError, nowSeconds, -1, devices);
        state = State.EXITED;
        exitedAtNanos = nowNanos;
        for (ControllerReader r : readers) {
            r.close();
        }
        if (processes != null) {
            processes.close();
        }
        return true;
    }

    @Override
    public double startTimeSeconds() {
        return startTimeSeconds;
    }

    @Override
    public double lastSeenSeconds() {
        return lastSeenSeconds;
    }

    /** Where a failed read goes. */
    @FunctionalInterface
    interface SampleErrors {
        void accept(MonitoredContainer container, CgroupReadException error);
    }
}
