package io.apptheus.status;

import java.util.List;

import io.apptheus.monitor.SampleHistory;
import io.apptheus.proc.StarterTitle;

/** Fixed containers for the status API, page and ps tests: a busy instance, a plain run, an exited one. */
public final class Views {

    public static final double NOW = 1_764_000_000.0;
    public static final NodeInfo NODE = new NodeInfo("node17", 64, 256L << 30);
    public static final StatusJson.AgentInfo AGENT = new StatusJson.AgentInfo("0.1.0", "1beedc3", 0.5, 60);

    private Views() {
    }

    public static ContainerView web1() {
        return new ContainerView("/metric_gateway/starter_4242", "starter_4242", 4242, 1000, "alice",
                new StarterTitle(StarterTitle.Kind.INSTANCE, "web1", "alice"), true, NOW - 312, NOW - 0.2, 312,
                512.25, 48 << 20, 60 << 20, 2L << 30, 1 << 20, 10 << 20, 2, 3,
                new SampleHistory.Snapshot(new SampleHistory.Rates(1.982, 0, 1_258_291, 0.012, 0, Double.NaN),
                        new double[] {NOW - 4.2, NOW - 2.2, NOW - 0.2}, new double[] {1.5, 1.9, 2.0},
                        new double[] {40 << 20, 44 << 20, 48 << 20}));
    }

    public static ContainerView plainRun() {
        return new ContainerView("/metric_gateway/starter-suid_777", "starter-suid_777", 777, 1234, "1234",
                new StarterTitle(StarterTitle.Kind.RUN, "", ""), true, NOW - 3700, NOW - 0.3, 3700,
                12.5, 2.5 * (1 << 30), 3L << 30, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, 1, 17,
                new SampleHistory.Snapshot(new SampleHistory.Rates(0.25, Double.NaN, Double.NaN, 0, 0, 0),
                        new double[0], new double[0], new double[0]));
    }

    public static ContainerView exited() {
        return new ContainerView("/metric_gateway/starter_99", "starter_99", 99, 0, "root",
                StarterTitle.UNKNOWN, false, NOW - 100, NOW - 40, 60,
                3.0, 0, 0, Double.POSITIVE_INFINITY, 0, 0, 0, 0,
                new SampleHistory.Snapshot(new SampleHistory.Rates(0.9, 0, 0, 0, 0, 0),
                        new double[] {NOW - 42, NOW - 40}, new double[] {0.9, 0.9}, new double[] {0, 0}));
    }

    public static List<ContainerView> all() {
        return List.of(web1(), plainRun(), exited());
    }
}
