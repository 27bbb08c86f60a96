package io.apptheus.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.CgroupLayout;
import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Hierarchy;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.v1.V1Setup;
import io.apptheus.cgroup.v2.V2Readers;
import io.apptheus.config.ApptheusConfig;
import io.apptheus.config.ConfigForTests;
import io.apptheus.metrics.ContainerSeries;
import io.apptheus.metrics.MetricsForTests;
import io.apptheus.proc.Passwd;
import io.apptheus.proc.ProcReader;
import io.apptheus.registration.contract.Addresses;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.scheduler.ScheduledExecution;
import io.quarkus.scheduler.Trigger;
import io.vertx.core.Vertx;

/**
 * The sweep and the end of a container's life, without root: the container's "cgroup" is a plain
 * directory holding a copy of a real v2 capture (cpu_burn of fixtures/cgroup-v2-debian12), whose
 * cgroup.procs the test writes. A plain directory with files in it cannot be removed, which is
 * how a busy cgroup looks to the agent; emptying it lets the retry succeed.
 */
class MonitorTest {

    @TempDir
    Path tmp;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Long> closeRequests = new CopyOnWriteArrayList<>();
    private Vertx vertx;
    private ContainerRegistry registry;
    private ContainerSeries series;
    private Path dir;
    private ContainerCgroup cg;

    @BeforeEach
    void setUp() throws IOException {
        vertx = Vertx.vertx();
        vertx.eventBus().<Long>localConsumer(Addresses.CLOSE_CONNECTION, m -> closeRequests.add(m.body()));
        Path unified = Files.createDirectories(tmp.resolve("unified"));
        dir = Fixtures.copyDir(Fixtures.v2Leaf(Fixtures.V2_61, "cpu_burn"), unified.resolve("mg/starter_4242"));
        Files.writeString(dir.resolve("cgroup.procs"), "4242\n4243\n");
        Hierarchy h = new Hierarchy(unified, true, Set.of("cpu", "memory", "io", "pids"), "/", unified);
        cg = new ContainerCgroup("starter_4242", "/mg/starter_4242", Map.of(h, dir));
    }

    @AfterEach
    void tearDown() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /** @param retain --metrics.retain-exited, as the agent reads it ("1m", "PT0S") */
    private Monitor monitor(String retain) {
        return monitor(retain, 2);
    }

    private Monitor monitor(String retain, int sweepThreads) {
        ApptheusConfig config = ConfigForTests.mapping(Map.of("apptheus.metrics.retain-exited", retain,
                "apptheus.monitor.sweep-threads", Integer.toString(sweepThreads)));
        var self = MetricsForTests.selfMetrics(meters);
        registry = new ContainerRegistry(self);
        series = MetricsForTests.containerSeries(meters);
        CgroupManager cgroups = new CgroupManager(new CgroupLayout(List.of(cg.dirs().keySet().iterator().next())),
                "/mg", new V1Setup(tmp.resolve("sys")));
        return new Monitor(registry, cgroups, series, new BlockDevices(tmp.resolve("sys")), self, vertx,
                new ProcReader(tmp.resolve("proc")), new Passwd(tmp), config);
    }

    @Test
    void aContainerIsPublishedSampledEndedAndForgottenAfterItsRetention() throws Exception {
        Monitor m = monitor("PT0S");
        m.start(cg, 7, 4242, 1000, 1796456402.0, V2Readers.forCgroup(dir));
        MonitoredContainer c = registry.byName("starter_4242").orElseThrow();
        assertEquals(1, series.size(), "published at start");
        assertEquals(2, c.stats().raw(Stat.PROCESSES));
        assertEquals(1559122000L, c.stats().raw(Stat.CPU_USAGE_NS));

        m.sweep(execution());
        assertEquals(MonitoredContainer.State.RUNNING, c.state(), "processes left: the sweep goes on");

        Files.writeString(dir.resolve("cgroup.procs"), "");
        Files.writeString(dir.resolve("cpu.stat"), Files.readString(dir.resolve("cpu.stat"))
                .replace("usage_usec 1559122", "usage_usec 1600000"));
        m.sweep(execution());
        assertEquals(MonitoredContainer.State.EXITED, c.state());
        assertEquals(1600000000L, c.stats().raw(Stat.CPU_USAGE_NS), "the final sample is taken");
        assertEquals(List.of(7L), awaitList(closeRequests), "the gateway is asked to close the connection");
        assertTrue(registry.byName("starter_4242").isEmpty(), "no retention: forgotten at once");
        assertEquals(0, series.size(), "and its series with it");
    }

    @Test
    void finalValuesStayForTheRetention() throws Exception {
        Monitor m = monitor("PT1H");
        m.start(cg, 7, 4242, 1000, 1796456402.0, V2Readers.forCgroup(dir));
        Files.writeString(dir.resolve("cgroup.procs"), "");
        m.sweep(execution());
        m.sweep(execution());
        MonitoredContainer c = registry.byName("starter_4242").orElseThrow();
        assertEquals(MonitoredContainer.State.EXITED, c.state());
        assertEquals(1, series.size(), "the final values are still published");
    }

    @Test
    void aBusyCgroupIsCountedOnceAndRetriedUntilItGoes() throws Exception {
        Monitor m = monitor("PT0S");
        m.start(cg, 7, 4242, 1000, 1796456402.0, V2Readers.forCgroup(dir));
        Files.writeString(dir.resolve("cgroup.procs"), "");
        m.sweep(execution());
        m.sweep(execution());
        m.sweep(execution());
        assertTrue(Files.isDirectory(dir), "a directory with files in it is busy");
        assertEquals(1.0, meters.get("apptheus.cleanup.failures").counter().count(), "counted once");
        assertTrue(registry.byName("starter_4242").isEmpty(), "the container is forgotten meanwhile");
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        m.sweep(execution());
        assertFalse(Files.exists(dir), "removed by the next sweep once it can be");
        assertEquals(1.0, meters.get("apptheus.cleanup.failures").counter().count());
    }

    @Test
    void aHungUpStarterEndsItsContainerOnlyWhenNoProcessIsLeft() throws Exception {
        Monitor m = monitor("PT1H");
        m.start(cg, 7, 4242, 1000, 1796456402.0, V2Readers.forCgroup(dir));
        MonitoredContainer c = registry.byName("starter_4242").orElseThrow();
        m.connectionClosed(7L);
        assertEquals(MonitoredContainer.State.RUNNING, c.state(), "its workload still runs");
        Files.writeString(dir.resolve("cgroup.procs"), "");
        m.connectionClosed(8L);
        assertEquals(MonitoredContainer.State.RUNNING, c.state(), "another connection's close changes nothing");
        m.connectionClosed(7L);
        assertEquals(MonitoredContainer.State.EXITED, c.state());
    }

    @Test
    void aRetainedNamesakeIsReplacedWhenItsPidIsReused() throws Exception {
        Monitor m = monitor("PT1H");
        m.start(cg, 7, 4242, 1000, 1796456402.0, V2Readers.forCgroup(dir));
        Files.writeString(dir.resolve("cgroup.procs"), "");
        m.sweep(execution());
        MonitoredContainer old = registry.byName("starter_4242").orElseThrow();
        Files.writeString(dir.resolve("cgroup.procs"), "4242\n");
        m.start(cg, 9, 4242, 1001, 1796459999.0, V2Readers.forCgroup(dir));
        MonitoredContainer now = registry.byName("starter_4242").orElseThrow();
        assertTrue(now != old && now.uid() == 1001 && now.connectionId() == 9);
        assertEquals(1, series.size(), "one container's series, the new one's");
        assertEquals(1, registry.size());
    }

    /**
     * However many threads share a sweep, each container is sampled once by it: 50 containers (a
     * few shares each for 1, 2 and 4 threads) whose last process is gone all end at the first sweep,
     * their final CPU time read, and their ends are counted once.
     */
    @Test
    void everyContainerIsSweptOnceWhateverTheNumberOfSweepThreads() throws Exception {
        for (int threads : new int[] {1, 2, 4}) {
            Monitor m = monitor("PT1H", threads);
            List<Path> dirs = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Path d = Fixtures.copyDir(dir, tmp.resolve("t" + threads + "/mg/starter_" + (5000 + i)));
                dirs.add(d);
                Hierarchy h = cg.dirs().keySet().iterator().next();
                m.start(new ContainerCgroup("starter_" + (5000 + i), "/mg/starter_" + (5000 + i), Map.of(h, d)),
                        100 + i, 5000 + i, 1000, 1796456402.0, V2Readers.forCgroup(d));
            }
            for (Path d : dirs) {
                Files.writeString(d.resolve("cgroup.procs"), "");
                Files.writeString(d.resolve("cpu.stat"), Files.readString(d.resolve("cpu.stat"))
                        .replace("usage_usec 1559122", "usage_usec 1700000"));
            }
            m.sweep(execution());
            for (MonitoredContainer c : registry.all()) {
                assertEquals(MonitoredContainer.State.EXITED, c.state(), threads + " threads: " + c.name());
                assertEquals(1700000000L, c.stats().raw(Stat.CPU_USAGE_NS), threads + " threads: " + c.name());
            }
            assertEquals(50, registry.size(), threads + " threads");
            m.stopListening(null);
        }
    }

    /** A Quartz execution scheduled now. */
    private static ScheduledExecution execution() {
        Instant now = Instant.now();
        return new ScheduledExecution() {
            @Override
            public Trigger getTrigger() {
                return null;
            }

            @Override
            public Instant getFireTime() {
                return now;
            }

            @Override
            public Instant getScheduledFireTime() {
                return now;
            }
        };
    }

    private static <T> List<T> awaitList(List<T> list) throws InterruptedException {
        await(() -> !list.isEmpty(), Duration.ofSeconds(30));
        return List.copyOf(list);
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }
}
