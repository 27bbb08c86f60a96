package io.apptheus.registration;

import java.io.IOException;
import java.util.List;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.monitor.Monitor;
import io.apptheus.proc.ProcReader;
import io.apptheus.verify.TrustEntries;
import io.apptheus.verify.TrustPolicy;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * At start: checks the trust list, prepares the cgroup parent and adopts what an earlier run left
 * (containers still running keep their counters, which the kernel kept; empty cgroups are
 * removed). At stop: the containers' cgroups stay for the next start to adopt.
 */
@Singleton
class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    private final CgroupManager cgroups;
    private final TrustPolicy trust;
    private final Monitor monitor;
    private final ProcReader proc;
    private long adoptedConnections;

    Startup(CgroupManager cgroups, TrustPolicy trust, Monitor monitor, ProcReader proc) {
        this.cgroups = cgroups;
        this.trust = trust;
        this.monitor = monitor;
        this.proc = proc;
    }

    void start(@Observes @Priority(10) StartupEvent event) throws IOException {
        if (trust.trusted().isEmpty()) {
            LOG.warn("no --trust.path given: every caller will be refused");
        } else {
            try {
                TrustEntries.check(trust.trusted()).forEach(LOG::warn);
            } catch (IOException e) {
                throw new ConfigurationException(e.getMessage());
            }
            LOG.infof("trusting %s", trust.trusted());
        }
        LOG.infof("cgroups: %s", cgroups.layout().describe());
        try {
            cgroups.prepare();
            LOG.infof("container cgroups go under %s", cgroups.parentDirs().values());
            adoptOrRemove(cgroups.existing());
        } catch (IOException | RuntimeException e) {
            // the agent keeps serving /metrics and health; readiness says why it cannot monitor
            LOG.errorf("cannot prepare the cgroup parent: %s", e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        cgroups.removeParentIfEmpty();
    }

    private void adoptOrRemove(List<ContainerCgroup> left) {
        for (ContainerCgroup cg : left) {
            try {
                if (cgroups.processCount(cg) == 0) {
                    if (!cgroups.destroy(cg).isEmpty()) {
                        monitor.removeLater(cg);
                    }
                    LOG.infof("container %s: removed the empty cgroup an earlier run left", cg.name());
                    continue;
                }
                long pid = pidOf(cg.name());
                long uid = uidOf(pid);
                cg = inItsJob(cg);
                monitor.start(cg, -(++adoptedConnections), pid, uid, monitor.startSeconds(pid), cgroups.openReaders(cg));
                LOG.infof("container %s: adopted from an earlier run (pid %d uid %d)", cg.name(), pid, uid);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("container %s: cannot adopt the cgroup an earlier run left: %s", cg.name(), e.getMessage());
            }
        }
    }

    /**
     * A container placed in a Slurm job step had no directory of ours where Slurm's task cgroup
     * was its cgroup (memory, cpuacct): that cgroup is found again from one of its processes.
     */
    private ContainerCgroup inItsJob(ContainerCgroup cg) {
        try {
            java.util.OptionalLong any = cgroups.anyProcess(cg);
            return any.isEmpty() ? cg : cgroups.withJobCgroups(cg, proc.cgroup(any.getAsLong()));
        } catch (IOException | RuntimeException e) {
            LOG.debugf("container %s: cannot look for its job's cgroups: %s", cg.name(), e.getMessage());
            return cg;
        }
    }

    /** The starter's PID is the suffix of the cgroup's name, {@code <exe>_<pid>}. */
    static long pidOf(String name) {
        int us = name.lastIndexOf('_');
        try {
            return us < 0 ? -1 : Long.parseLong(name.substring(us + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private long uidOf(long pid) {
        try {
            return pid > 0 ? proc.uid(pid) : -1;
        } catch (IOException e) {
            return -1; // the starter is gone, its container runs on
        }
    }
}
