package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Everything an end-to-end test starts or creates, removed after each test even when it fails:
 * agents (SIGTERM, then SIGKILL after 5 s), fake starters (whole process trees), cgroup parents
 * ({@link TestCgroups#removeTree}), the temporary directory, and anything else registered.
 *
 * <pre>{@code
 * class GatewayIT {
 *     @RegisterExtension
 *     final ItResources it = new ItResources();
 *
 *     @Test
 *     void measuresTheContainer() {
 *         AgentProcess agent = it.agent().monitorInterval(Duration.ofMillis(200)).start()
 *                 .awaitReady(Duration.ofSeconds(30));
 *         FakeStarter.Handle s = it.start(it.trustedStarter(), it.socketPath(), "burn", "2");
 *         ...
 *     }
 * }
 * }</pre>
 * Also usable as try-with-resources. After {@link #close()} the instance can be used again.
 */
public final class ItResources implements AutoCloseable, AfterEachCallback {
    private static final Set<ItResources> OPEN = ConcurrentHashMap.newKeySet();

    static {
        // last resort if the JVM exits mid-test (surefire timeout, ^C): no process or cgroup left behind
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(r -> {
            try {
                r.close();
            } catch (Throwable t) {
                // nothing more to do at shutdown
            }
        }), "it-resources-cleanup"));
    }

    private final List<AgentProcess> agents = Collections.synchronizedList(new ArrayList<>());
    private final List<String> cgroupParents = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> others = Collections.synchronizedList(new ArrayList<>());
    private FakeStarter starters = new FakeStarter();
    private TestCgroups cgroups;
    private Path tempDir;
    private String cgroupParent;

    public ItResources() {
        OPEN.add(this);
    }

    /** The cgroup view of this JVM (read once). */
    public synchronized TestCgroups cgroups() {
        if (cgroups == null) {
            cgroups = TestCgroups.current();
        }
        return cgroups;
    }

    /** This test's relative cgroup parent ({@code apptheus-it-<random>}), removed at close. Same name on every call. */
    public synchronized String cgroupParent() {
        if (cgroupParent == null) {
            cgroupParent = registerCgroupParent(TestCgroups.uniqueRelativeParent());
        }
        return cgroupParent;
    }

    /** Another relative cgroup parent to remove at close (for tests that run several agents). */
    public String registerCgroupParent(String relativeParent) {
        cgroups().dirsOf(relativeParent); // validates it is relative
        cgroupParents.add(relativeParent);
        OPEN.add(this);
        return relativeParent;
    }

    /** The tracker of this test's fake starters. */
    public synchronized FakeStarter starters() {
        OPEN.add(this);
        return starters;
    }

    /** Starts a fake starter tracked for cleanup. */
    public FakeStarter.Handle start(Path binary, Path socket, String... workload) {
        return starters().start(binary, socket, workload);
    }

    /** A short private directory ({@code /tmp/apptheus-it-XXXX}, mode 0755) for sockets and binaries, deleted at close. */
    public synchronized Path tempDir() {
        if (tempDir == null) {
            try {
                tempDir = Files.createTempDirectory(Path.of("/tmp"), TestCgroups.PREFIX);
                Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory in /tmp", e);
            }
            OPEN.add(this);
        }
        return tempDir;
    }

    /** {@code <tempDir>/run/gateway.sock} (the directory is created; the socket is the agent's to create). */
    public Path socketPath() {
        return ItPaths.mkdirs(tempDir().resolve("run")).resolve("gateway.sock");
    }

    /** A copy of the fake starter at {@code <tempDir>/trusted/libexec/apptainer/bin/starter}. */
    public Path trustedStarter() {
        Path p = tempDir().resolve("trusted/libexec/apptainer/bin/starter");
        return Files.isExecutable(p) ? p : FakeStarter.copyTo(p);
    }

    /** A copy of the fake starter at {@code <tempDir>/untrusted/bin/starter}, same name, not in the trust list. */
    public Path untrustedStarter() {
        Path p = tempDir().resolve("untrusted/bin/starter");
        return Files.isExecutable(p) ? p : FakeStarter.copyTo(p);
    }

    /**
     * An agent builder preset with {@link #socketPath()}, {@link #trustedStarter()} as the only
     * trusted path and {@link #cgroupParent()}; the started agent is stopped at close.
     */
    public AgentProcess.Builder agent() {
        return AgentProcess.builder().socketPath(socketPath()).trustPaths(trustedStarter())
                .cgroupParent(cgroupParent()).onStart(this::register);
    }

    /** An agent started elsewhere, to stop at close. */
    public AgentProcess register(AgentProcess agent) {
        agents.add(agent);
        OPEN.add(this);
        return agent;
    }

    /** Anything else to close at close (closed in reverse order, after agents and starters). */
    public <T extends AutoCloseable> T register(T resource) {
        others.add(resource);
        OPEN.add(this);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /**
     * Stops agents, kills fake starters, closes the rest, removes the cgroup parents and the
     * temporary directory. Every step runs; the first failure is thrown with the others suppressed.
     */
    @Override
    public void close() {
        List<Throwable> errors = new ArrayList<>();
        List<AgentProcess> a;
        synchronized (agents) {
            a = new ArrayList<>(agents);
            agents.clear();
        }
        a.forEach(agent -> run(errors, agent::close));
        FakeStarter s;
        synchronized (this) {
            s = starters;
            starters = new FakeStarter();
        }
        run(errors, s::close);
        List<AutoCloseable> o;
        synchronized (others) {
            o = new ArrayList<>(others);
            others.clear();
        }
        Collections.reverse(o);
        o.forEach(r -> run(errors, r::close));
        List<String> parents;
        synchronized (cgroupParents) {
            parents = new ArrayList<>(cgroupParents);
            cgroupParents.clear();
        }
        synchronized (this) {
            cgroupParent = null;
        }
        parents.forEach(p -> run(errors, () -> cgroups().removeTree(p)));
        Path dir;
        synchronized (this) {
            dir = tempDir;
            tempDir = null;
        }
        if (dir != null) {
            run(errors, () -> deleteRecursively(dir));
        }
        OPEN.remove(this);
        if (!errors.isEmpty()) {
            Throwable first = errors.get(0);
            errors.subList(1, errors.size()).forEach(first::addSuppressed);
            if (first instanceof RuntimeException re) {
                throw re;
            }
            if (first instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("cleanup failed", first);
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void run(List<Throwable> errors, Step step) {
        try {
            step.run();
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
