package io.apptheus.registration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.CgroupLayout;
import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.Hierarchy;
import io.apptheus.cgroup.LayoutDetector;
import io.apptheus.cgroup.v1.V1Setup;
import io.apptheus.config.TrustList;
import io.apptheus.config.ApptheusConfig;
import io.apptheus.proc.Passwd;
import io.apptheus.proc.ProcReader;
import io.apptheus.proc.UserStrings;
import io.apptheus.verify.TrustPolicy;

/**
 * Wires the plain classes (no CDI inside them) from the configuration and the roots of procfs and
 * sysfs: the host's, or a captured tree in the end-to-end test on fixtures.
 */
@Singleton
class AgentBeans {

    static final Path SYS = Path.of("/sys");

    private final Path proc;
    private final Path sys;

    AgentBeans(ApptheusConfig config) {
        this.proc = Path.of(config.path().procfs());
        this.sys = Path.of(config.path().sysfs());
    }

    @Produces
    @Singleton
    ProcReader procReader(ApptheusConfig config) {
        return new ProcReader(proc, new UserStrings.Limits(config.label().maxValueBytes(), config.proc().maxReadBytes(),
                config.proc().maxEnvironBytes()));
    }

    @Produces
    @Singleton
    TrustPolicy trustPolicy(ApptheusConfig config, ProcReader proc) {
        List<Path> trusted = TrustList.split(config.trust().path().orElse("")).stream().map(Path::of).toList();
        return new TrustPolicy(trusted, proc);
    }

    @Produces
    @Singleton
    CgroupManager cgroupManager(ApptheusConfig config) throws IOException {
        CgroupLayout layout = LayoutDetector.detect(proc.resolve("self/mountinfo"), proc.resolve("self/cgroup"));
        return new CgroupManager(underSysfs(layout, sys), config.cgroup().parent(), new V1Setup(sys));
    }

    /** The layout with mount points under /sys moved under {@code sysfs} (the same layout for /sys). */
    static CgroupLayout underSysfs(CgroupLayout layout, Path sysfs) {
        if (sysfs.equals(SYS)) {
            return layout;
        }
        return new CgroupLayout(layout.hierarchies().stream()
                .map(h -> new Hierarchy(reroot(h.mountPoint(), sysfs), h.unified(), h.controllers(), h.mountRoot(),
                        reroot(h.ownDir(), sysfs)))
                .toList());
    }

    private static Path reroot(Path p, Path sysfs) {
        return p.startsWith(SYS) ? sysfs.resolve(SYS.relativize(p).toString()) : p;
    }

    @Produces
    @Singleton
    Passwd passwd() {
        return new Passwd(Path.of("/"));
    }

    @Produces
    @Singleton
    BlockDevices blockDevices() {
        return new BlockDevices(sys);
    }
}
