package io.apptheus.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fake starter against a Unix-socket server in the test: no agent needed. */
class FakeStarterTest {
    private static final Duration T = Duration.ofSeconds(20);

    @RegisterExtension
    final ItResources it = new ItResources();

    private final List<AutoCloseable> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() throws Exception {
        for (AutoCloseable c : channels) {
            c.close();
        }
    }

    @Test
    void forksBeforeConnectingHoldsTheConnectionAndReportsChildCpu() throws Exception {
        Path sock = it.socketPath();
        ServerSocketChannel server = listen(sock, 50);
        long t0 = System.nanoTime();
        // the child waits 8 s after the connect, then spins for 1 s of wall time: it must outlive a
        // test JVM that a loaded machine starves between the connect, accept() and the walk of /proc
        FakeStarter.Handle s = it.starters().start(FakeStarter.binary(), sock, Map.of("FAKESTARTER_START_DELAY_MS", "8000"),
                "burn", "1");

        SocketChannel conn = accept(server);
        // the connection is established: the container process must exist already, child of the master
        List<Long> kids = childrenOf(s.pid());
        assertEquals(1, kids.size(), "master's children when accept returned: " + kids);
        long child = kids.get(0);
        assertEquals(OptionalLong.of(s.pid()), Procs.ppid(child));
        assertEquals(child, s.childPid(), s.describe());
        assertTrue(s.connected());

        // the master sends nothing and keeps the connection until the child ends
        int n = readUntilEof(conn);
        double heldSeconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, n, "bytes sent by the master");
        assertFalse(Procs.state(child).map(c -> c != 'Z').orElse(false), "child still running at EOF");
        assertTrue(heldSeconds >= 8.9, "connection closed after " + heldSeconds + " s, before the workload ended");

        assertEquals(0, s.awaitExit(T), s.describe());
        // one thread spinning for 1 s of wall time: some CPU, never more than the wall time allows
        // (how much depends on what else the machine runs; accuracy is MetricsIT's business)
        assertTrue(s.childCpuSeconds() > 0, "child cpu " + s.childCpuSeconds());
        assertTrue(s.childCpuSeconds() <= 1.5, "child cpu " + s.childCpuSeconds());
        assertTrue(s.childMaxRssKib() > 0);
    }

    /**
     * Strict order check, and Apptainer's dial: its master dials with Go's net.Dial, a non-blocking
     * connect, so a full listen backlog fails the dial at once (EAGAIN) instead of waiting; the
     * workload was forked before the dial and runs on, unmonitored.
     */
    @Test
    void aFullBacklogFailsTheDialAtOnceAfterTheFork() throws Exception {
        Path sock = it.socketPath();
        ServerSocketChannel server = listen(sock, 1);
        // fill the accept queue (Linux takes backlog+1 on a unix socket): the next blocking connect() waits
        int fillers = 0;
        for (; fillers < 64; fillers++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            channels.add(c);
            c.configureBlocking(false);
            try {
                c.connect(UnixDomainSocketAddress.of(sock));
            } catch (SocketException e) { // EAGAIN: queue full
                break;
            }
        }
        assertTrue(fillers > 0 && fillers < 64, "fillers " + fillers);
        FakeStarter.Handle s = it.start(FakeStarter.binary(), sock, "sleep", "1");
        long child = s.awaitConnectAttempt(T);
        assertTrue(child > 0, s.describe());
        assertFalse(s.connected(), s.describe());
        assertTrue(s.stderr().contains("failed: Resource temporarily unavailable"), s.describe());
        assertEquals(0, s.awaitExit(T), s.describe());
        server.close();
    }

    @Test
    void masterOutlivesAnAgentThatClosesFirst() throws Exception {
        Path sock = it.socketPath();
        ServerSocketChannel server = listen(sock, 50);
        FakeStarter.Handle s = it.start(FakeStarter.binary(), sock, "sleep", "1.5");
        accept(server).close();
        assertTrue(s.connected());
        Procs.sleep(700);
        assertTrue(s.isAlive(), "master died when the agent closed the connection\n" + s.describe());
        assertTrue(s.isChildRunning());
        assertEquals(0, s.awaitExit(T), s.describe());
        assertTrue(s.stdout().contains("child_cpu_seconds="), s.describe());
    }

    @Test
    void runsUnmonitoredWhenNobodyListens() throws Exception {
        Path sock = it.tempDir().resolve("nobody.sock");
        Path ready = it.tempDir().resolve("ready");
        FakeStarter.Handle s = it.starters().start(FakeStarter.binary(), sock,
                Map.of("FAKESTARTER_READY_FILE", ready.toString()), "sleep", "0.2");
        assertFalse(s.connected());
        assertEquals(0, s.awaitExit(T), s.describe());
        assertTrue(s.stderr().contains("fakestarter: connect to " + sock + " failed: No such file or directory"), s.stderr());
        assertTrue(Files.readString(ready).matches("pid=\\d+ child=\\d+ connected=0\\n"), Files.readString(ready));
    }

    @Test
    void readyFileAppearsAfterConnecting() throws Exception {
        Path sock = it.socketPath();
        ServerSocketChannel server = listen(sock, 50);
        Path ready = it.tempDir().resolve("ready");
        FakeStarter.Handle s = it.starters().start(FakeStarter.binary(), sock,
                Map.of("FAKESTARTER_READY_FILE", ready.toString()), "exit");
        SocketChannel conn = accept(server);
        assertEquals(0, s.awaitExit(T), s.describe());
        assertEquals("pid=" + s.pid() + " child=" + s.childPid() + " connected=1\n", Files.readString(ready));
        assertEquals(0, readUntilEof(conn));
    }

    @Test
    void workloadsShapeTheContainer() throws Exception {
        Path sock = it.tempDir().resolve("nobody.sock");
        FakeStarter.Handle threads = it.start(FakeStarter.binary(), sock, "threads", "5", "10");
        FakeStarter.Handle fork = it.start(FakeStarter.binary(), sock, "fork", "3", "10");
        FakeStarter.Handle hold = it.start(FakeStarter.binary(), sock, "hold", "64", "0.3");
        Path out = it.tempDir().resolve("written");
        FakeStarter.Handle write = it.start(FakeStarter.binary(), sock, "write", out.toString(), "4");

        long tc = threads.childPid();
        awaitTrue(() -> threadCount(tc) == 6, "threads workload: 1 + 5 threads, have " + threadCount(tc));
        long fc = fork.childPid();
        awaitTrue(() -> ProcessHandle.of(fc).map(h -> h.children().count()).orElse(0L) == 3,
                "fork workload: 3 grandchildren");

        assertEquals(0, hold.awaitExit(T), hold.describe());
        assertTrue(hold.childMaxRssKib() >= 64 * 1024, "maxrss " + hold.childMaxRssKib());
        assertEquals(0, write.awaitExit(T), write.describe());
        assertEquals(4L << 20, Files.size(out));

        // kill() takes the whole tree: master, child and grandchildren
        List<ProcessHandle> grandchildren = ProcessHandle.of(fc).orElseThrow().children().toList();
        fork.kill();
        assertFalse(fork.isAlive());
        for (ProcessHandle g : grandchildren) {
            awaitTrue(() -> !Procs.isRunning(g), "grandchild " + g.pid() + " still running");
        }
        threads.kill();
        assertFalse(threads.isChildRunning());
    }

    @Test
    void copiesAreRootOwnedAndExecutable() throws Exception {
        Path p = FakeStarter.copyTo(it.tempDir().resolve("a/b/starter"));
        assertTrue(Files.isExecutable(p));
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(p)));
        assertEquals("root", Files.getOwner(p).getName());
        assertNotNull(it.trustedStarter());
        assertTrue(Files.isExecutable(it.untrustedStarter()));
    }

    private ServerSocketChannel listen(Path sock, int backlog) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channels.add(server);
        server.bind(UnixDomainSocketAddress.of(sock), backlog);
        server.configureBlocking(false);
        return server;
    }

    private SocketChannel accept(ServerSocketChannel server) throws IOException {
        long deadline = System.nanoTime() + T.toNanos();
        for (;;) {
            SocketChannel c = server.accept();
            if (c != null) {
                channels.add(c);
                return c; // non-blocking, as the server
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nobody connected in " + T);
            }
            Procs.sleep(2);
        }
    }

    // waits (at most T) until the peer closes; returns how many bytes it sent
    private static int readUntilEof(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(256);
        long deadline = System.nanoTime() + T.toNanos();
        int total = 0;
        int n;
        while ((n = c.read(b)) >= 0) {
            total += n;
            b.clear();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("peer still connected after " + T);
            }
            if (n == 0) {
                Procs.sleep(2);
            }
        }
        return total;
    }

    private static long threadCount(long pid) {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier cond, String what) {
        long deadline = System.nanoTime() + T.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what);
            }
            Procs.sleep(10);
        }
    }

    /** Processes whose PPid is {@code parent}, from /proc (a direct scan, no start-time filter). */
    private static List<Long> childrenOf(long parent) throws Exception {
        List<Long> out = new ArrayList<>();
        try (var dirs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
            for (java.nio.file.Path d : (Iterable<java.nio.file.Path>) dirs::iterator) {
                String name = d.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit) && Procs.ppid(Long.parseLong(name)).orElse(-1) == parent) {
                    out.add(Long.parseLong(name));
                }
            }
        }
        return out;
    }
}
