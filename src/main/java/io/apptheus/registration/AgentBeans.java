package io.apptheus.registration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.CgroupLayout;
import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.LayoutDetector;
import io.apptheus.cgroup.v1.V1Setup;
import io.apptheus.config.TrustList;
import io.apptheus.config.ApptheusConfig;
import io.apptheus.proc.Passwd;
import io.apptheus.proc.ProcReader;
import io.apptheus.proc.UserStrings;
import io.apptheus.verify.TrustPolicy;

/** Wires the plain classes (no CDI inside them) from the configuration and the host's real roots. */
@Singleton
class AgentBeans {

    static final Path PROC = Path.of("/proc");
    static final Path SYS = Path.of("/sys");

    @Produces
    @Singleton
    ProcReader procReader(ApptheusConfig config) {
        return new ProcReader(PROC, new UserStrings.Limits(config.label().maxValueBytes(), config.proc().maxReadBytes(),
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
        CgroupLayout layout = LayoutDetector.detect(PROC.resolve("self/mountinfo"), PROC.resolve("self/cgroup"));
        return new CgroupManager(layout, config.cgroup().parent(), new V1Setup(SYS));
    }

    @Produces
    @Singleton
    Passwd passwd() {
        return new Passwd(Path.of("/"));
    }

    @Produces
    @Singleton
    BlockDevices blockDevices() {
        return new BlockDevices(SYS);
    }
}
