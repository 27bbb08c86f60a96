package io.apptheus.monitor;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.config.ApptheusConfig;
import io.apptheus.registration.contract.Addresses;
import io.apptheus.metrics.ContainerLabels;
import io.apptheus.metrics.ContainerSeries;
import io.apptheus.metrics.PublishedContainer;
import io.apptheus.metrics.SelfMetrics;
import io.apptheus.proc.Passwd;
import io.apptheus.proc.ProcReader;
import io.apptheus.proc.StarterTitle;
import io.apptheus.registration.contract.Peer;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The single scheduled sweep over every container, and the end of a container's life: when its
 * cgroup holds no process (seen by the sweep, or checked at once when its starter hangs up), the
 * final values are sampled and kept for the retention, the cgroup is removed and the connection
 * closed; when the retention is over, its series go.
 */
@Singleton
public class Monitor {

    private static final Logger LOG = Logger.getLogger(Monitor.class);

    private final ContainerRegistry registry;
    private final CgroupManager cgroups;
    private final ContainerSeries series;
    private final BlockDevices devices;
    private final SelfMetrics self;
    private final Vertx vertx;
    private final ProcReader proc;
    private final long retainNanos;
    private final ContainerLabels.Switches labels;
    private final Passwd users;
    private final java.util.Set<ContainerCgroup> busyCgroups = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Which of a container's files each sweep reads (see {@link io.apptheus.cgroup.Refresh}). */
    private final ReadSchedule schedule;
    private final AtomicInteger phases = new AtomicInteger();
    private long sweeps;
    private final MonitoredContainer.SampleErrors sampleErrors = this::sampleError; // made once, not per sample
    /** Containers a sweep thread takes at a time: few enough to share a sweep evenly, enough to share it cheaply. */
    static final int SHARE = 16;
    private static final MonitoredContainer[] NO_CONTAINERS = new MonitoredContainer[0];
    /** The threads that help the scheduler's thread with each sweep; null with --monitor.sweep-threads=1. */
    private final ExecutorService sweepHelpers;
    private final int sweepHelperCount;
    private volatile MessageConsumer<Long> closedConnections;

    Monitor(ContainerRegistry registry, CgroupManager cgroups, ContainerSeries series,
            BlockDevices devices, SelfMetrics self, Vertx vertx, ProcReader proc, Passwd users, ApptheusConfig config) {
        this.registry = registry;
        this.cgroups = cgroups;
        this.series = series;
        this.devices = devices;
        this.self = self;
        this.vertx = vertx;
        this.proc = proc;
        this.retainNanos = config.metrics().retainExited().toNanos();
        this.labels = new ContainerLabels.Switches(config.label().user(), config.label().instance(),
                config.label().slurm());
        this.users = users;
        this.schedule = new ReadSchedule(config.monitor().interval(), config.monitor().slowInterval());
        this.sweepHelperCount = config.monitor().sweepThreads() - 1;
        this.sweepHelpers = sweepHelperCount < 1 ? null : Executors.newFixedThreadPool(sweepHelperCount, sweepThread());
    }

    /** Daemon threads named apptheus-sweep-N: idle between sweeps, never in the way of the JVM's exit. */
    private static ThreadFactory sweepThread() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "apptheus-sweep-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Starts monitoring a registered container whose processes were just moved into {@code cg};
     * its CPU counters count from their start (see {@link CpuBeforeMove}).
     */
    public void start(ContainerCgroup cg, Peer peer, List<ControllerReader> readers) {
        long[] before = CpuBeforeMove.atRegistration(cgroups, proc, cg, readers); // before the first sample
        start(cg, peer.connectionId(), peer.pid(), peer.uid(), startSeconds(peer.pid()), readers, before);
    }

    /**
     * Starts monitoring a container adopted at start (its starter's connection belonged to an
     * earlier run: {@code connectionId} is negative), with the CPU time before its move that the
     * earlier run kept with its cgroup.
     */
    public void start(ContainerCgroup cg, long connectionId, long pid, long uid, double startSeconds,
               List<ControllerReader> readers) {
        start(cg, connectionId, pid, uid, startSeconds, readers, CpuBeforeMove.kept(cgroups, cg));
    }

    /** First sample, then series; {@code cpuBeforeMove}: {total, user, system} ns, or null. */
    private void start(ContainerCgroup cg, long connectionId, long pid, long uid, double startSeconds,
               List<ControllerReader> readers, long[] cpuBeforeMove) {
        registry.byName(cg.name()).ifPresent(this::forget); // a retained namesake (PID reused)
        StarterTitle title = title(pid);
        MonitoredContainer c = new MonitoredContainer(cg, connectionId, pid, uid, title, startSeconds, readers,
                schedule, Math.floorMod(phases.getAndIncrement(), schedule.slowEvery()));
        c.first(this::sampleError, nowSeconds(), stats -> {
            if (cpuBeforeMove != null) {
                CpuBeforeMove.apply(stats, cpuBeforeMove);
            }
        });
        ContainerLabels tags = ContainerLabels.of(labels, cg.id(), cg.name(), pid, uid,
                labels.user() ? users.nameOf(uid) : "", title.instance(), labels.slurm() ? slurmJobId(pid) : "");
        PublishedContainer published = series.publish(c.stats(), tags, c.provided(), c);
        published.registerNewDevices(devices);
        c.attachSeries(published);
        registry.add(c);
    }

    @Scheduled(identity = "sweep", every = "${apptheus.monitor.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep(ScheduledExecution execution) {
        long start = System.nanoTime();
        long late = System.currentTimeMillis() - execution.getScheduledFireTime().toEpochMilli();
        self.sweepLate(late);
        sweepAll(nowSeconds(), start, sweeps++); // sweeps never overlap (SKIP)
        if (!busyCgroups.isEmpty()) {
            retryBusyCgroups();
        }
        self.sweepTook(System.nanoTime() - start);
    }

    /**
     * Samples every container, on this thread and the sweep's helpers, each taking the next
     * {@link #SHARE} containers until none is left: a container's work is under its own lock and
     * touches nothing of another's, so the order does not matter.
     */
    private void sweepAll(double now, long nowNanos, long sweep) {
        if (sweepHelpers == null) { // the default: no list to share, so none is copied
            for (MonitoredContainer c : registry.all()) {
                sweepOneAlone(c, now, nowNanos, sweep);
            }
            return;
        }
        MonitoredContainer[] all = registry.all().toArray(NO_CONTAINERS);
        AtomicInteger next = new AtomicInteger();
        Runnable share = () -> {
            for (int from; (from = next.getAndAdd(SHARE)) < all.length; ) {
                for (int i = from, to = Math.min(all.length, from + SHARE); i < to; i++) {
                    sweepOneAlone(all[i], now, nowNanos, sweep);
                }
            }
        };
        int helping = Math.min(sweepHelperCount, all.length / SHARE);
        Future<?>[] helped = new Future<?>[helping];
        for (int h = 0; h < helping; h++) {
            helped[h] = sweepHelpers.submit(share);
        }
        share.run();
        for (Future<?> f : helped) {
            awaitHelper(f);
        }
    }

    private static void awaitHelper(Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutting down: the helper ends its share alone
        } catch (ExecutionException e) {
            LOG.errorf(e.getCause(), "sweep helper failed");
        }
    }

    /** One container; a failure of its own is logged and counted, and the sweep goes on. */
    private void sweepOneAlone(MonitoredContainer c, double now, long nowNanos, long sweep) {
        try {
            sweepOne(c, now, nowNanos, sweep);
        } catch (RuntimeException e) {
            LOG.errorf(e, "container %s: sweep failed", c.name());
            self.sampleError("internal");
        }
    }

    private void sweepOne(MonitoredContainer c, double now, long nowNanos, long sweep) {
        switch (c.state()) {
            case RUNNING -> {
                c.sample(sampleErrors, now, sweep, devices); // registers new IO devices too
                if (c.stats().has(io.apptheus.cgroup.Stat.PROCESSES)
                        && c.stats().raw(io.apptheus.cgroup.Stat.PROCESSES) == 0) {
                    end(c, "no process left");
                } else if (c.jobCgroupRemoved()) {
                    end(c, "its job step's cgroup was removed: the step is over");
                }
            }
            case EXITED -> {
                if (!c.cgroupRemoved()) {
                    removeCgroup(c);
                }
                if (nowNanos - c.exitedAtNanos() >= retainNanos) {
                    forget(c);
                    if (!c.cgroupRemoved()) {
                        busyCgroups.add(c.cgroup()); // its series go, the removal goes on
                    }
                }
            }
        }
    }

    /**
     * Listens for starters hanging up. A plain Vert.x consumer, not @ConsumeEvent, unregistered at
     * shutdown: close events still queued then (the connections of every container closing at
     * once) must not reach Quarkus's invoker after the CDI container is gone.
     */
    void listen(@Observes StartupEvent event) {
        closedConnections = vertx.eventBus().<Long>localConsumer(Addresses.CONNECTION_CLOSED,
                m -> vertx.executeBlocking(() -> {
                    connectionClosed(m.body());
                    return null;
                }, false));
    }

    void stopListening(@Observes ShutdownEvent event) {
        MessageConsumer<Long> c = closedConnections;
        if (c != null) {
            c.unregister();
        }
        if (sweepHelpers != null) {
            sweepHelpers.shutdown();
        }
    }

    /** The starter hung up: the container ends now if no process is left, else the sweep goes on. */
    void connectionClosed(Long connectionId) {
        registry.byConnection(connectionId).ifPresent(c -> {
            try {
                if (cgroups.processCount(c.cgroup()) == 0) {
                    end(c, "starter closed its connection and no process is left");
                }
            } catch (java.io.IOException e) {
                LOG.debugf("container %s: %s", c.name(), e.getMessage());
            }
        });
    }

    private void end(MonitoredContainer c, String why) {
        if (!c.end(this::sampleError, nowSeconds(), System.nanoTime(), devices)) {
            return;
        }
        LOG.infof("container %s: ended (%s), pid %d uid %d; final values kept for %s", c.name(), why, c.pid(),
                c.uid(), Duration.ofNanos(retainNanos));
        removeCgroup(c);
        if (c.connectionId() >= 0) {
            vertx.eventBus().send(Addresses.CLOSE_CONNECTION, c.connectionId());
        }
        if (retainNanos == 0) {
            forget(c);
            if (!c.cgroupRemoved()) {
                busyCgroups.add(c.cgroup()); // its series go, the removal goes on
            }
        }
    }

    /** One rmdir per hierarchy; a busy cgroup is counted and logged once, then retried every sweep. */
    private void removeCgroup(MonitoredContainer c) {
        List<java.nio.file.Path> busy = cgroups.destroy(c.cgroup());
        if (busy.isEmpty()) {
            c.markCgroupRemoved();
        } else if (c.firstCleanupFailure()) {
            self.cleanupFailure();
            LOG.warnf("container %s: pid %d uid %d: cgroup still busy, retrying at every sweep: %s", c.name(), c.pid(),
                    c.uid(), busy);
        }
    }

    /** Hands over a cgroup that could not be removed yet; the sweep retries it. */
    public void removeLater(ContainerCgroup cg) {
        self.cleanupFailure();
        busyCgroups.add(cg);
    }

    /** Cgroups of forgotten containers that were still busy; retried at every sweep. */
    private void retryBusyCgroups() {
        busyCgroups.removeIf(cg -> cgroups.destroy(cg).isEmpty());
    }

    private void forget(MonitoredContainer c) {
        registry.remove(c);
        PublishedContainer p = c.series();
        if (p != null) {
            series.unpublish(p);
        }
    }

    private void sampleError(MonitoredContainer c, CgroupReadException e) {
        if (e.vanished() && c.cgroup().isAdopted(e.file())) {
            // the job step's own cgroup, removed by Slurm once the step's last process was gone: the
            // end of the container, not an error; its values stay those of the last sample
            c.markJobCgroupRemoved();
            LOG.debugf("container %s: pid %d: %s (its job step ended)", c.name(), c.pid(), e.getMessage());
            return;
        }
        self.sampleError(e.reason());
        if (c.firstErrorOf(e.kind())) {
            LOG.warnf("container %s: pid %d uid %d: %s (counted in apptheus_sample_errors_total{reason=\"%s\"};"
                    + " logged once per container and reason)", c.name(), c.pid(), c.uid(), e.getMessage(), e.reason());
        } else {
            LOG.debugf("container %s: pid %d: %s", c.name(), c.pid(), e.getMessage());
        }
    }

    /** SLURM_JOB_ID from the starter's environment: srun and sbatch set it for the job's processes. */
    private String slurmJobId(long pid) {
        try {
            return proc.environ(pid, "SLURM_JOB_ID").orElse("");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The starter's process title, read once: a title we cannot read only loses the instance name. */
    private StarterTitle title(long pid) {
        try {
            return proc.starterTitle(pid); // read and cut with --proc.max-read-bytes, --label.max-value-bytes
        } catch (java.io.IOException e) {
            LOG.debugf("pid %d: cannot read its cmdline: %s", pid, e.getMessage());
            return StarterTitle.UNKNOWN;
        }
    }

    /** When the starter process started, in seconds since the epoch; now if it cannot be read. */
    public double startSeconds(long pid) {
        try {
            return proc.startSeconds(pid);
        } catch (java.io.IOException | RuntimeException e) {
            return nowSeconds();
        }
    }

    private static double nowSeconds() {
        return System.currentTimeMillis() / 1000.0;
    }
}
