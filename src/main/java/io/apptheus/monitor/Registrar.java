package io.apptheus.monitor;

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
import io.apptheus.config.ApptheusConfig;
import io.apptheus.gateway.Addresses;
import io.apptheus.metrics.SelfMetrics;
import io.apptheus.proc.ProcReader;
import io.apptheus.verify.Peer;
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
    private final boolean nested;

    Registrar(TrustPolicy trust, ProcReader proc, CgroupManager cgroups, Monitor monitor, ContainerRegistry registry,
              SelfMetrics self, ApptheusConfig config) {
        this.trust = trust;
        this.proc = proc;
        this.cgroups = cgroups;
        this.monitor = monitor;
        this.registry = registry;
        this.self = self;
        this.maxContainers = config.monitor().maxContainers();
        this.nested = config.cgroup().placement() == ApptheusConfig.Placement.NESTED;
    }

    @ConsumeEvent(value = Addresses.REGISTRATION, blocking = true, ordered = false)
    public String register(Peer peer) {
        Verdict verdict = trust.verify(peer);
        if (verdict instanceof Verdict.Rejected r) {
            LOG.warnf("refused pid %d uid %d gid %d exe %s: %s", peer.pid(), peer.uid(), peer.gid(), r.exe(), r.reason());
            self.registration(r.result());
            return r.result();
        }
        String name = Path.of(((Verdict.Trusted) verdict).exe()).getFileName() + "_" + peer.pid();
        if (registry.size() >= maxContainers) {
            LOG.warnf("container %s: pid %d uid %d refused: %d containers are monitored already (--monitor.max-containers)",
                    name, peer.pid(), peer.uid(), maxContainers);
            self.registration(SelfMetrics.REFUSED_LIMIT);
            return SelfMetrics.REFUSED_LIMIT;
        }
        return attach(name, peer);
    }

    private String attach(String name, Peer peer) {
        ContainerCgroup cg = null;
        try {
            Map<Hierarchy, Path> original = cgroups.dirsOf(proc.cgroup(peer.pid()));
            cg = nested ? cgroups.create(name, original) : cgroups.create(name);
            Set<Long> moved = moveTree(cg, peer.pid());
            if (moved.isEmpty()) {
                return refuse(name, peer, cg, SelfMetrics.GONE, "exited during registration");
            }
            if (proc.stat(peer.pid()).startTime() != peer.startTime()) {
                cgroups.restore(original, moved);
                return refuse(name, peer, cg, SelfMetrics.RACED, "PID now names another process; move undone");
            }
            List<ControllerReader> readers = cgroups.openReaders(cg);
            monitor.start(cg, peer, readers);
            self.registration(SelfMetrics.ACCEPTED);
            LOG.infof("container %s: monitoring pid %d uid %d and %d more processes in %s", name, peer.pid(),
                    peer.uid(), moved.size() - 1, cg.id());
            return SelfMetrics.ACCEPTED;
        } catch (IOException e) {
            if (ProcReader.isGone(e)) {
                return refuse(name, peer, cg, SelfMetrics.GONE, "exited during registration");
            }
            return fail(name, peer, cg, e);
        } catch (RuntimeException e) {
            return fail(name, peer, cg, e);
        }
    }

    private String fail(String name, Peer peer, ContainerCgroup cg, Exception e) {
        LOG.errorf("container %s: pid %d uid %d: registration failed: %s", name, peer.pid(), peer.uid(), e.getMessage());
        self.registration(SelfMetrics.ERROR);
        removeQuietly(cg);
        return SelfMetrics.ERROR;
    }

    private String refuse(String name, Peer peer, ContainerCgroup cg, String result, String why) {
        LOG.infof("container %s: pid %d uid %d %s", name, peer.pid(), peer.uid(), why);
        self.registration(result);
        removeQuietly(cg);
        return result;
    }

    /**
     * Moves the caller, then every descendant not moved yet, until a walk of the tree finds none:
     * children forked before a move stay behind, and new ones may appear while we move. Processes
     * forked by an already-moved process are born in the new cgroup. Empty if the caller is gone.
     */
    private Set<Long> moveTree(ContainerCgroup cg, long pid) throws IOException {
        Set<Long> moved = new LinkedHashSet<>();
        if (!cgroups.move(cg, pid)) {
            return moved;
        }
        moved.add(pid);
        for (int round = 0; round < MAX_MOVE_ROUNDS; round++) {
            boolean found = false;
            for (long p : proc.tree(pid)) {
                if (moved.add(p)) {
                    found = true;
                    cgroups.move(cg, p); // false: it exited meanwhile, nothing to move
                }
            }
            if (!found) {
                return moved;
            }
        }
        LOG.warnf("container %s: process tree of pid %d still growing after %d rounds", cg.name(), pid,
                MAX_MOVE_ROUNDS);
        return moved;
    }

    private void removeQuietly(ContainerCgroup cg) {
        if (cg != null && !cgroups.destroy(cg).isEmpty()) {
            monitor.removeLater(cg);
        }
    }
}
