package io.apptheus.registration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Hierarchy;
import io.apptheus.cgroup.Placement;
import io.apptheus.config.ApptheusConfig;
import io.apptheus.metrics.SelfMetrics;
import io.apptheus.monitor.ContainerRegistry;
import io.apptheus.monitor.Monitor;
import io.apptheus.monitor.MonitoredContainer;
import io.apptheus.proc.ProcReader;
import io.apptheus.proc.UserStrings;
import io.apptheus.registration.contract.Addresses;
import io.apptheus.registration.contract.Peer;
import io.apptheus.registration.contract.Result;
import io.apptheus.verify.TrustPolicy;
import io.apptheus.verify.Verdict;
import io.quarkus.vertx.ConsumeEvent;

/**
 * The event-bus consumer of registrations: verifies the caller, makes its container's cgroup,
 * moves the caller and every process it already forked into it, and starts monitoring it.
 * Runs on a worker thread; any failure refuses that caller alone.
 */
@Singleton
public class Registrar {

    private static final Logger LOG = Logger.getLogger(Registrar.class);
    /** Rounds of "move every descendant not moved yet"; a tree that still grows after that is odd. */
    private static final int MAX_MOVE_ROUNDS = 50;

    private final TrustPolicy trust;
    private final ProcReader proc;
    private final CgroupManager cgroups;
    private final Monitor monitor;
    private final ContainerRegistry registry;
    private final SelfMetrics self;
    private final int maxContainers;
    private final Placement placement;
    /**
     * Processes (PID and start time: a reused PID is another process) whose registration runs
     * now: a second connection of the same process waits for none.
     */
    private final Set<Claim> registering = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private record Claim(long pid, long startTime) {
    }

    Registrar(TrustPolicy trust, ProcReader proc, CgroupManager cgroups, Monitor monitor, ContainerRegistry registry,
              SelfMetrics self, ApptheusConfig config) {
        this.trust = trust;
        this.proc = proc;
        this.cgroups = cgroups;
        this.monitor = monitor;
        this.registry = registry;
        this.self = self;
        this.maxContainers = config.monitor().maxContainers();
        this.placement = Placement.valueOf(config.cgroup().placement().name());
    }

    @ConsumeEvent(value = Addresses.REGISTRATION, blocking = true, ordered = false)
    public Result register(Peer peer) {
        Verdict verdict = trust.verify(peer);
        if (verdict instanceof Verdict.Rejected r) {
            // the path is the caller's choice (any name, newlines included): quoted and escaped
            LOG.warnf("refused pid %d uid %d gid %d exe %s: %s", peer.pid(), peer.uid(), peer.gid(),
                    UserStrings.quote(r.exe()), r.reason());
            self.registration(r.result());
            return r.result();
        }
        // from the trusted entry, not from the path the caller ran it by (a bind mount names it at will)
        String name = ((Verdict.Trusted) verdict).containerName();
        Claim claim = new Claim(peer.pid(), peer.startTime());
        if (!registering.add(claim)) {
            return alreadyMonitored(name, peer, "is being registered already");
        }
        try {
            if (isMonitored(peer)) {
                return alreadyMonitored(name, peer, "is monitored already");
            }
            if (registry.size() >= maxContainers) {
                LOG.warnf("container %s: pid %d uid %d refused: %d containers are monitored already"
                        + " (--monitor.max-containers)", name, peer.pid(), peer.uid(), maxContainers);
                self.registration(Result.REFUSED_LIMIT);
                return Result.REFUSED_LIMIT;
            }
            return attach(name, peer);
        } finally {
            registering.remove(claim);
        }
    }

    /**
     * Whether this very process (PID and start time) is a running container already: it connected
     * again, or code that connected exec'd the trusted starter, which then connects itself (exec
     * keeps the PID and the start time).
     */
    private boolean isMonitored(Peer peer) {
        double start = -1;
        for (MonitoredContainer c : registry.all()) {
            if (c.pid() == peer.pid() && c.state() == MonitoredContainer.State.RUNNING) {
                if (start < 0) {
                    start = monitor.startSeconds(peer.pid());
                }
                if (c.startTimeSeconds() == start) {
                    return true;
                }
            }
        }
        return false;
    }

    private Result alreadyMonitored(String name, Peer peer, String why) {
        LOG.debugf("container %s: pid %d uid %d %s; connection %d closed", name, peer.pid(), peer.uid(), why,
                peer.connectionId());
        self.registration(Result.ALREADY_MONITORED);
        return Result.ALREADY_MONITORED;
    }

    private Result attach(String name, Peer peer) {
        Attempt a = new Attempt(name, peer);
        try {
            a.original = cgroups.dirsOf(proc.cgroup(peer.pid()));
            a.cgroup = cgroups.create(name, a.original, placement);
            moveTree(a);
            if (a.moved.isEmpty()) {
                return refuse(a, Result.GONE, "exited during registration");
            }
            if (proc.stat(peer.pid()).startTime() != peer.startTime()) {
                return refuse(a, Result.RACED, "PID now names another process; move undone");
            }
            List<ControllerReader> readers = cgroups.openReaders(a.cgroup);
            monitor.start(a.cgroup, peer, readers);
            self.registration(Result.ACCEPTED);
            LOG.infof("container %s: monitoring pid %d uid %d and %d more processes in %s%s", name, peer.pid(),
                    peer.uid(), a.moved.size() - (a.moved.contains(peer.pid()) ? 1 : 0), a.cgroup.id(),
                    a.cgroup.adopted().isEmpty() ? "" : "; inside its job's cgroups " + adoptedDirs(a.cgroup));
            return Result.ACCEPTED;
        } catch (IOException e) {
            if (ProcReader.isGone(e)) {
                return refuse(a, Result.GONE, "exited during registration");
            }
            return fail(a, e);
        } catch (RuntimeException e) {
            return fail(a, e);
        }
    }

    /** What one registration has done so far, so that a failure can undo exactly that. */
    private static final class Attempt {
        final String name;
        final Peer peer;
        Map<Hierarchy, Path> original = Map.of();
        ContainerCgroup cgroup;
        /** Processes written into the container's cgroup in at least one hierarchy. */
        final Set<Long> moved = new LinkedHashSet<>();

        Attempt(String name, Peer peer) {
            this.name = name;
            this.peer = peer;
        }
    }

    private Result fail(Attempt a, Exception e) {
        LOG.errorf("container %s: pid %d uid %d: registration failed: %s", a.name, a.peer.pid(), a.peer.uid(),
                e.getMessage());
        self.registration(Result.ERROR);
        undo(a);
        return Result.ERROR;
    }

    private Result refuse(Attempt a, Result result, String why) {
        LOG.infof("container %s: pid %d uid %d %s", a.name, a.peer.pid(), a.peer.uid(), why);
        self.registration(result);
        undo(a);
        return result;
    }

    /**
     * Puts every process moved so far back into the cgroups it came from (a caller refused or
     * failed half-way keeps its processes where its job put them), then removes the cgroup.
     */
    private void undo(Attempt a) {
        if (!a.moved.isEmpty()) {
            cgroups.restore(a.original, a.cgroup, a.moved);
        }
        removeQuietly(a.cgroup);
    }

    /**
     * Moves the caller, then every descendant not moved yet, until a walk of the tree finds none:
     * children forked before a move stay behind, and new ones may appear while we move. Processes
     * forked by an already-moved process are born in the new cgroup. Leaves {@code moved} empty if
     * the caller is gone.
     *
     * <p>In a Slurm job (the cgroup has directories adopted from the caller) the caller, which is the
     * job step's task, stays where Slurm put it and only what it forked moves: the agent's own
     * cgroups are then empty as soon as the container's processes are gone, while the starter still
     * cleans up, so the final sample (taken when it hangs up) still finds Slurm's task cgroup, which
     * Slurm removes right after the task exits.
     */
    private void moveTree(Attempt a) throws IOException {
        long pid = a.peer.pid();
        boolean moveCaller = a.cgroup.adopted().isEmpty();
        if (moveCaller) {
            a.moved.add(pid); // before the move: a write refused half-way is undone too
            if (!cgroups.move(a.cgroup, pid)) {
                a.moved.clear();
                return;
            }
        }
        for (int round = 0; round < MAX_MOVE_ROUNDS; round++) {
            boolean found = false;
            for (long p : proc.tree(pid)) {
                if (p != pid && a.moved.add(p)) {
                    found = true;
                    cgroups.move(a.cgroup, p); // false: it exited meanwhile, nothing to move
                }
            }
            if (!found) {
                return;
            }
        }
        LOG.warnf("container %s: process tree of pid %d still growing after %d rounds", a.name, pid,
                MAX_MOVE_ROUNDS);
    }

    private static java.util.Collection<Path> adoptedDirs(ContainerCgroup cg) {
        return cg.dirs().entrySet().stream().filter(e -> cg.adopted().contains(e.getKey())).map(Map.Entry::getValue)
                .distinct().toList();
    }

    private void removeQuietly(ContainerCgroup cg) {
        if (cg != null && !cgroups.destroy(cg).isEmpty()) {
            monitor.removeLater(cg);
        }
    }
}
