package io.apptheus.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.ProcessCountReader;
import io.apptheus.cgroup.v1.V1Readers;
import io.apptheus.cgroup.v2.V2Readers;
import io.apptheus.proc.ProcReader;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * The CPU time and allocation of one scrape with N containers, in-process and independent of the
 * machine's load (thread CPU time, not wall time): N copies of the v1 hybrid capture (the
 * benchmark machine's layout), the agent's own meters, JVM memory meters, through the route's
 * chunked writer into a sink that drops the bytes. Not a test: run it with the launcher's JVM
 * flags, e.g.
 * {@code java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx96m -cp target/classes:target/test-classes:target/quarkus-app/lib/main/* io.apptheus.metrics.ScrapeCost 1000 2000}.
 */
public final class ScrapeCost {

    private static final PublishedContainer.Lifecycle LIFECYCLE = new PublishedContainer.Lifecycle() {
        @Override
        public double startTimeSeconds() {
            return 1796456402.25;
        }

        @Override
        public double lastSeenSeconds() {
            return 1796459284.5;
        }
    };

    public static void main(String[] args) throws Exception {
        for (String a : args.length == 0 ? new String[] {"1000", "2000"} : args) {
            measure(Integer.parseInt(a));
        }
    }

    static void measure(int n) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new SelfMetrics(registry);
        new JvmMemoryMetrics().bindTo(registry);
        ContainerSeries series = new ContainerSeries(registry, false);
        PrometheusExposition exposition = new PrometheusExposition(registry, series,
                new ProcessSeries(new ProcReader(java.nio.file.Path.of("/proc"))));
        exposition.register();
        StatsBuffer stats = new StatsBuffer();
        Set<Stat> provides = EnumSet.noneOf(Stat.class);
        List<ControllerReader> readers = new ArrayList<>();
        for (String c : V1Readers.CONTROLLERS) {
            V1Readers.forController(c, Fixtures.v1(c)).ifPresent(readers::add);
        }
        io.apptheus.cgroup.v2.PressureReader.open(Fixtures.v1("unified")).ifPresent(readers::add);
        ProcessCountReader.open(Fixtures.v1("unified"), io.apptheus.cgroup.Refresh.Table.UNIFIED).ifPresent(readers::add);
        for (ControllerReader r : readers) {
            r.readInto(stats);
            provides.addAll(r.provides());
            r.close();
        }
        BlockDevices devices = new BlockDevices(Fixtures.path(Fixtures.V1_HYBRID, "sys"));
        ContainerLabels.Switches on = new ContainerLabels.Switches(true, true, false);
        for (int i = 0; i < n; i++) {
            StatsBuffer s = new StatsBuffer();
            copy(stats, s);
            series.publish(s, ContainerLabels.of(on, "/metric_gateway/starter-suid_" + (100000 + i),
                    "starter-suid_" + (100000 + i), 100000 + i, 1000 + i % 50, "user" + i % 50, "", ""), provides,
                    LIFECYCLE).registerNewDevices(devices);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] bytesOut = new long[1];
        int rounds = 60;
        double[] cpuMs = new double[rounds];
        double[] allocMb = new double[rounds];
        for (int warm = 0; warm < 40; warm++) {
            scrape(exposition, bytesOut);
        }
        long tid = Thread.currentThread().getId();
        for (int i = 0; i < rounds; i++) {
            bytesOut[0] = 0;
            long cpu0 = threads.getCurrentThreadCpuTime();
            long alloc0 = threads.getThreadAllocatedBytes(tid);
            scrape(exposition, bytesOut);
            cpuMs[i] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
            allocMb[i] = (threads.getThreadAllocatedBytes(tid) - alloc0) / 1e6;
        }
        Arrays.sort(cpuMs);
        Arrays.sort(allocMb);
        System.out.printf("N=%d: %.2f MB per scrape; CPU per scrape p50 %.1f ms, p99 %.1f ms; allocated p50 %.1f MB%n",
                n, bytesOut[0] / 1e6, cpuMs[rounds / 2], cpuMs[rounds - 1], allocMb[rounds / 2]);
        registry.close();
    }

    private static void scrape(PrometheusExposition exposition, long[] bytesOut) throws IOException {
        try (ChunkedWriter w = new ChunkedWriter((b, len) -> bytesOut[0] += len)) {
            exposition.scrape(w, PrometheusExposition.contentType(null));
        }
    }

    private static void copy(StatsBuffer from, StatsBuffer to) {
        for (Stat s : Stat.values()) {
            if (from.has(s)) {
                to.set(s, from.raw(s));
            }
        }
        for (StatsBuffer.IoCounters io : from.devices()) {
            StatsBuffer.IoCounters c = to.io(io.majMin());
            c.readBytes = io.readBytes;
            c.writeBytes = io.writeBytes;
            c.reads = io.reads;
            c.writes = io.writes;
        }
    }
}
