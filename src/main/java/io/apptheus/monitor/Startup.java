package io.apptheus.monitor;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.cgroup.CgroupManager;
import io.apptheus.verify.TrustPolicy;
import io.quarkus.runtime.StartupEvent;

/** At start: says what the agent trusts and where it works, and prepares the cgroup parent. */
@Singleton
class Startup {

    private static final Logger LOG = Logger.getLogger(Startup.class);

    void start(@Observes @Priority(10) StartupEvent event, CgroupManager cgroups, TrustPolicy trust) {
        if (trust.trusted().isEmpty()) {
            LOG.warn("no --trust.path given: every caller will be refused");
        } else {
            LOG.infof("trusting %s", trust.trusted());
        }
        LOG.infof("cgroups: %s", cgroups.layout().describe());
        try {
            cgroups.prepare();
            LOG.infof("container cgroups go under %s", cgroups.parentDirs().values());
        } catch (Exception e) {
            // the agent keeps serving /metrics and health; readiness says why it cannot monitor
            LOG.errorf("cannot prepare the cgroup parent: %s", e.getMessage());
        }
    }
}
