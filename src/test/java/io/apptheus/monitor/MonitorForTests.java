package io.apptheus.monitor;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.CgroupManager;
import io.apptheus.config.ApptheusConfig;
import io.apptheus.metrics.ContainerSeries;
import io.apptheus.metrics.SelfMetrics;
import io.apptheus.proc.Passwd;
import io.apptheus.proc.ProcReader;
import io.vertx.core.Vertx;

/** The monitor's beans for unit tests of other packages (their constructors are CDI's, package-private). */
public final class MonitorForTests {

    private MonitorForTests() {
    }

    public static ContainerRegistry registry(SelfMetrics self) {
        return new ContainerRegistry(self);
    }

    public static Monitor monitor(ContainerRegistry registry, CgroupManager cgroups, ContainerSeries series,
                                  BlockDevices devices, SelfMetrics self, Vertx vertx, ProcReader proc, Passwd users,
                                  ApptheusConfig config) {
        return new Monitor(registry, cgroups, series, devices, self, vertx, proc, users, config);
    }
}
