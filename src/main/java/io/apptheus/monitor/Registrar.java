package io.apptheus.monitor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.gateway.Addresses;
import io.apptheus.metrics.SelfMetrics;
import io.apptheus.proc.ProcReader;
import io.apptheus.proc.StarterTitle;
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
    private final SelfMetrics self;

    Registrar(TrustPolicy trust, ProcReader proc, CgroupManager cgroups, Monitor monitor, SelfMetrics self) {
        this.trust = trust;
        this.proc = proc;
        this.cgroups = cgroups;
        this.monitor = monitor;
        this.self = self;
    }

    @ConsumeEvent(value = Addresses.REGISTRATION, blocking = true, ordered = false)
    public String register(Peer peer) {
        Verdict verdict = trust.verify(peer);
        if (verdict instanceof Verdict.Rejected r) {
            LOG.warnf("refused pid %d uid %d gid %d exe %s: %s", peer.pid(), peer.uid(), peer.gid(), r.exe(), r.reason());
            self.registration(r.result());
            return r.result();
        }
        Verdict.Trusted t = (Verdict.Trusted) verdict;
        String name = Path.of(t.exe()).getFileName() + "_" + peer.pid();
        ContainerCgroup cg = null;
        try {
            cg = cgroups.create(name);
            if (!moveTree(cg, peer.pid()) || proc.stat(peer.pid()).startTime() != t.startTime()) {
                throw new CallerGone();
            }
            StarterTitle title = title(peer.pid());
            List<ControllerReader> readers = cgroups.openReaders(cg);
            monitor.start(cg, peer, title, readers);
            self.registration(Addresses.ACCEPTED);
            LOG.infof("container %s: monitoring pid %d uid %d in %s", name, peer.pid(), peer.uid(), cg.id());
            return Addresses.ACCEPTED;
        } catch (CallerGone | java.nio.file.NoSuchFileException e) {
            LOG.infof("container %s: pid %d exited during registration", name, peer.pid());
            self.registration(TrustPolicy.GONE);
            removeQuietly(cg);
            return TrustPolicy.GONE;
        } catch (IOException | RuntimeException e) {
            LOG.errorf("container %s: pid %d uid %d: registration failed: %s", name, peer.pid(), peer.uid(),
                    e.getMessage());
            self.registration("error");
            removeQuietly(cg);
            return "error";
        }
    }

    /**
     * Moves the caller, then every descendant not moved yet, until a walk of the tree finds none:
     * children forked before a move stay behind, and new ones may appear while we move. Processes
     * forked by an already-moved process are born in the new cgroup.
     */
    private boolean moveTree(ContainerCgroup cg, long pid) throws IOException {
        if (!cgroups.move(cg, pid)) {
            return false;
        }
        Set<Long> moved = new HashSet<>();
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
                return true;
            }
        }
        LOG.warnf("container %s: process tree of pid %d still growing after %d rounds", cg.name(), pid,
                MAX_MOVE_ROUNDS);
        return true;
    }

    /** The starter's process title, read once: a title we cannot read only loses the instance name. */
    private StarterTitle title(long pid) {
        try {
            return StarterTitle.parse(proc.cmdline(pid));
        } catch (IOException e) {
            LOG.debugf("pid %d: cannot read its cmdline: %s", pid, e.getMessage());
            return StarterTitle.UNKNOWN;
        }
    }

    private void removeQuietly(ContainerCgroup cg) {
        if (cg != null && !cgroups.destroy(cg).isEmpty()) {
            self.cleanupFailure();
        }
    }

    private static final class CallerGone extends Exception {
        CallerGone() {
            super(null, null, false, false);
        }
    }
}
