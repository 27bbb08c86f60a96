package io.apptheus.registration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.apptheus.cgroup.BlockDevices;
import io.apptheus.cgroup.CgroupLayout;
import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.Hierarchy;
import io.apptheus.cgroup.v1.V1Setup;
import io.apptheus.config.ApptheusConfig;
import io.apptheus.config.ConfigForTests;
import io.apptheus.metrics.MetricsForTests;
import io.apptheus.metrics.SelfMetrics;
import io.apptheus.monitor.ContainerRegistry;
import io.apptheus.monitor.Monitor;
import io.apptheus.monitor.MonitorForTests;
import io.apptheus.proc.Passwd;
import io.apptheus.proc.ProcReader;
import io.apptheus.registration.contract.Peer;
import io.apptheus.registration.contract.Result;
import io.apptheus.verify.TrustPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;

/**
 * The registrar's refusals and its undo, without root: /proc is a fake tree in a temp dir (the
 * caller's stat, exe link, cgroup and children) and the cgroup hierarchy a plain directory. A
 * plain directory has no cgroup.procs until someone writes one, so the move into a new
 * container's cgroup fails the way a kernel refusal does, and the undo can be watched: the
 * processes written back into the caller's own cgroup, the new cgroup removed.
 */
class RegistrarTest {

    static final long PID = 4242;
    static final long CHILD = 4243;
    static final long START = 777;

    @TempDir
    Path tmp;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Vertx vertx;
    private Path proc;
    private Path unified;
    private Path trusted;
    private ContainerRegistry containers;

    @BeforeEach
    void fakeHost() throws IOException {
        vertx = Vertx.vertx();
        proc = tmp.resolve("proc");
        trusted = Files.writeString(Files.createDirectories(tmp.resolve("libexec")).resolve("starter"), "#!\n");
        process(PID, 1, trusted, "S");
        process(CHILD, PID, trusted, "S");
        Files.writeString(Files.createDirectories(proc.resolve(PID + "/task/" + PID)).resolve("children"), CHILD + " ");
        Files.writeString(Files.createDirectories(proc.resolve(CHILD + "/task/" + CHILD)).resolve("children"), "");
        unified = Files.createDirectories(tmp.resolve("unified"));
        Files.writeString(Files.createDirectories(unified.resolve("job")).resolve("cgroup.procs"), "");
        Files.createDirectories(unified.resolve("mg"));
    }

    @AfterEach
    void tearDown() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private void process(long pid, long ppid, Path exe, String state) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (starter) " + state + " " + ppid + " " + pid
                + " 1 0 -1 4194304 0 0 0 0 10 5 0 0 20 0 1 0 " + START + " 1000000 100 18446744073709551615\n");
        Files.writeString(dir.resolve("status"), "Name:\tstarter\nPPid:\t" + ppid + "\nUid:\t1000\t1000\t1000\t1000\n");
        Files.writeString(dir.resolve("cgroup"), "0::/job\n");
        Files.deleteIfExists(dir.resolve("exe"));
        Files.createSymbolicLink(dir.resolve("exe"), exe);
    }

    private Registrar registrar(int maxContainers) {
        ApptheusConfig config = ConfigForTests.mapping(
                Map.of("apptheus.monitor.max-containers", Integer.toString(maxContainers)));
        SelfMetrics self = MetricsForTests.selfMetrics(meters);
        ProcReader procs = new ProcReader(proc);
        Hierarchy h = new Hierarchy(unified, true, Set.of("cpu", "memory", "io", "pids"), "/", unified);
        CgroupManager cgroups = new CgroupManager(new CgroupLayout(List.of(h)), "/mg", new V1Setup(tmp.resolve("sys")));
        containers = MonitorForTests.registry(self);
        Monitor monitor = MonitorForTests.monitor(containers, cgroups, MetricsForTests.containerSeries(meters),
                new BlockDevices(tmp.resolve("sys")), self, vertx, procs, new Passwd(tmp), config);
        return new Registrar(new TrustPolicy(List.of(trusted), procs), procs, cgroups, monitor, containers, self,
                config);
    }

    private double counted(Result r) {
        return meters.get("apptheus.registrations").tag("result", r.label()).counter().count();
    }

    @Test
    void aFailedMoveIsUndoneAndCountedAsAnError() throws IOException {
        Registrar r = registrar(10);
        assertEquals(Result.ERROR, r.register(new Peer(1, PID, 1000, 1000, START)));
        assertEquals(1.0, counted(Result.ERROR));
        assertFalse(Files.exists(unified.resolve("mg/starter_" + PID)), "the new cgroup is removed");
        assertEquals(Long.toString(PID), Files.readString(unified.resolve("job/cgroup.procs")),
                "the caller is written back into its own cgroup");
        assertEquals(0, containers.size());
    }

    @Test
    void anUntrustedExecutableIsRefusedBeforeAnyCgroupIsMade() throws IOException {
        Path copy = Files.copy(trusted, tmp.resolve("starter-copy"));
        process(PID, 1, copy, "S");
        assertEquals(Result.UNTRUSTED, registrar(10).register(new Peer(1, PID, 1000, 1000, START)));
        assertEquals(1.0, counted(Result.UNTRUSTED));
        assertNothingMade();
    }

    @Test
    void aReusedPidIsRefusedAsRaced() throws IOException {
        assertEquals(Result.RACED, registrar(10).register(new Peer(1, PID, 1000, 1000, START + 1)));
        assertEquals(Result.RACED, registrar(10).register(new Peer(1, PID, 1000, 1000, Peer.REUSED_START)));
        assertNothingMade();
    }

    @Test
    void aZombieOrAVanishedCallerIsGone() throws IOException {
        process(PID, 1, trusted, "Z");
        assertEquals(Result.GONE, registrar(10).register(new Peer(1, PID, 1000, 1000, START)));
        assertEquals(Result.GONE, registrar(10).register(new Peer(2, 999, 1000, 1000, START)));
        assertEquals(Result.GONE, registrar(10).register(new Peer(3, PID, 1000, 1000, Peer.UNKNOWN_START)));
        assertNothingMade();
    }

    @Test
    void pastTheContainerLimitCallersAreRefused() throws IOException {
        assertEquals(Result.REFUSED_LIMIT, registrar(0).register(new Peer(1, PID, 1000, 1000, START)));
        assertEquals(1.0, counted(Result.REFUSED_LIMIT));
        assertNothingMade();
    }

    private void assertNothingMade() throws IOException {
        try (var dirs = Files.list(unified.resolve("mg"))) {
            assertEquals(0, dirs.count(), "no container cgroup");
        }
        assertEquals("", Files.readString(unified.resolve("job/cgroup.procs")), "nothing moved");
        assertTrue(containers == null || containers.size() == 0);
    }
}
