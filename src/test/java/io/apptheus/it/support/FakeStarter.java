package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code src/test/c/fakestarter.c}, a stand-in for Apptainer's starter: it forks the workload
 * ("container") first, then connects to the agent's socket, holds the connection while the workload
 * runs and prints what it did. An instance tracks every starter it launched; {@link #close()} kills
 * them all (master, workload and the workload's children).
 *
 * <pre>{@code
 * Path trusted = FakeStarter.copyTo(dir.resolve("libexec/apptainer/bin/starter"));
 * FakeStarter.Handle s = starters.start(trusted, socket, "burn", "2");
 * long container = s.childPid();
 * s.awaitExit(Duration.ofSeconds(10));
 * double cpu = s.childCpuSeconds();
 * }</pre>
 */
public final class FakeStarter implements AutoCloseable {
    private static final Pattern FIRST =
            Pattern.compile("^fakestarter: pid=(\\d+) child=(\\d+) connected=([01])$", Pattern.MULTILINE);
    private static final Pattern LAST = Pattern.compile(
            "^fakestarter: child_cpu_seconds=([0-9.]+) child_maxrss_kib=(\\d+)"
                    + " child_user_seconds=([0-9.]+) child_system_seconds=([0-9.]+) self_cpu_seconds=([0-9.]+)$",
            Pattern.MULTILINE);
    private static Path compiled;

    private final List<Handle> handles = new CopyOnWriteArrayList<>();

    /** The C source: {@code src/test/c/fakestarter.c} under the project's base directory. */
    public static Path source() {
        return ItPaths.baseDir().resolve("src/test/c/fakestarter.c");
    }

    /**
     * Compiles the fake starter once per JVM into {@code target/it-bin/fakestarter} and returns it.
     * Fails the calling test with gcc's output if gcc fails.
     */
    public static synchronized Path binary() {
        if (compiled == null || !Files.isExecutable(compiled)) {
            compiled = CPrograms.compile(source(), "fakestarter", "-pthread");
        }
        return compiled;
    }

    /**
     * Copies the compiled fake starter to {@code target} (parents created 0755), mode 0755, owned by
     * root, so that it can stand at a trusted or an untrusted path. Returns {@code target}.
     */
    public static Path copyTo(Path target) {
        Path bin = binary();
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
            Path tmp = parent.resolve("." + target.getFileName() + ".tmp");
            Files.copy(bin, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            var root = tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
            Files.setOwner(tmp, root);
            // rename: a running copy at target (ETXTBSY on overwrite) keeps its old inode
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the fake starter to " + target, e);
        }
    }

    /** Starts {@code binary SOCKET WORKLOAD...}; see {@code fakestarter.c} for the workloads. */
    public Handle start(Path binary, Path socket, String... workload) {
        return start(binary, socket, Map.of(), workload);
    }

    /**
     * As {@link #start(Path, Path, String...)}, with extra environment variables (for example
     * {@code FAKESTARTER_READY_FILE}).
     */
    public Handle start(Path binary, Path socket, Map<String, String> env, String... workload) {
        return startAs(List.of(), binary, socket, env, workload);
    }

    /**
     * As {@link #start(Path, Path, Map, String...)}, run under {@code wrapper} (e.g.
     * {@link Launcher#NOBODY}: an unprivileged caller); the wrapper must exec the binary in the
     * same process, as setpriv does.
     */
    public Handle startAs(List<String> wrapper, Path binary, Path socket, Map<String, String> env,
                          String... workload) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(binary.toString());
        cmd.add(socket.toString());
        cmd.addAll(List.of(workload));
        Path out = ItPaths.newLogFile("fakestarter", ".out");
        Path err = out.resolveSibling(out.getFileName().toString().replace(".out", ".err"));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        try {
            Handle h = new Handle(pb.start(), cmd, wrapper.size(), out, err);
            handles.add(h);
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    /** Every starter started by this instance. */
    public List<Handle> handles() {
        return List.copyOf(handles);
    }

    /** Kills every tracked starter's process tree. */
    @Override
    public void close() {
        for (Handle h : handles) {
            h.kill();
        }
    }

    private record ConnectLine(long pid, long child, boolean connected) {
    }

    /** One fake starter: the master process, its workload child and their output. */
    public static final class Handle {
        private final Process master;
        private final List<String> command;
        private final Path stdout;
        private final Path stderr;
        private volatile ConnectLine first;
        private ProcessHandle child;
        private boolean childLooked;

        /** Where the binary is in {@code command}: after the wrapper's words. */
        private final int binaryIndex;

        Handle(Process master, List<String> command, int binaryIndex, Path stdout, Path stderr) {
            this.master = master;
            this.command = List.copyOf(command);
            this.binaryIndex = binaryIndex;
            this.stdout = stdout;
            this.stderr = stderr;
        }

        /** The master's PID: the process that connects to the socket. */
        public long pid() {
            return master.pid();
        }

        public ProcessHandle handle() {
            return master.toHandle();
        }

        /** The workload's ("container's") PID, from the first stdout line; waits up to 10 s for it. */
        public long childPid() {
            return firstLine(Duration.ofSeconds(10)).child();
        }

        /** Whether the master's connect succeeded, from the first stdout line; waits up to 10 s for it. */
        public boolean connected() {
            return firstLine(Duration.ofSeconds(10)).connected();
        }

        /** Waits for the first stdout line (printed right after the connect attempt) and returns childPid. */
        public long awaitConnectAttempt(Duration timeout) {
            return firstLine(timeout).child();
        }

        /** Whether the first stdout line (after the connect attempt) is already there. */
        public boolean hasConnectLine() {
            return parseFirst() != null;
        }

        /** The workload child, if it is still alive (or a zombie not yet reaped). */
        public Optional<ProcessHandle> child() {
            ProcessHandle c = childHandle();
            return c != null && c.isAlive() ? Optional.of(c) : Optional.empty();
        }

        /** Master alive. */
        public boolean isAlive() {
            return master.isAlive();
        }

        /** Workload child running (alive and not a zombie). */
        public boolean isChildRunning() {
            return child().map(Procs::isRunning).orElse(false);
        }

        /** Waits for the master to exit and returns its exit code; fails the test on timeout. */
        public int awaitExit(Duration timeout) {
            try {
                if (!master.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("fake starter " + pid() + " still running after " + timeout
                            + "\n" + describe());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            return master.exitValue();
        }

        /** user+sys CPU seconds of the workload (and its reaped children), from the last stdout line. */
        public double childCpuSeconds() {
            return Double.parseDouble(lastLine().group(1));
        }

        /** User-mode CPU seconds of the workload (and its reaped children), from the last stdout line. */
        public double childUserSeconds() {
            return Double.parseDouble(lastLine().group(3));
        }

        /** Kernel-mode CPU seconds of the workload (and its reaped children), from the last stdout line. */
        public double childSystemSeconds() {
            return Double.parseDouble(lastLine().group(4));
        }

        /** user+sys CPU seconds of the master itself (it is in the container's cgroup too), from the last stdout line. */
        public double selfCpuSeconds() {
            return Double.parseDouble(lastLine().group(5));
        }

        /** ru_maxrss of the workload in KiB, from the last stdout line. */
        public long childMaxRssKib() {
            return Long.parseLong(lastLine().group(2));
        }

        /** SIGKILLs the master, the workload and the workload's children (if still alive). */
        public void kill() {
            List<ProcessHandle> roots = new ArrayList<>();
            roots.add(master.toHandle());
            ProcessHandle c = childHandle();
            if (c != null) {
                roots.add(c);
            }
            Procs.killTree(roots, Duration.ofSeconds(5));
            try {
                master.waitFor(5, TimeUnit.SECONDS); // reaped by the JDK: isAlive() false from here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public String stdout() {
            return ItPaths.read(stdout);
        }

        public String stderr() {
            return ItPaths.read(stderr);
        }

        public Path stdoutFile() {
            return stdout;
        }

        public Path stderrFile() {
            return stderr;
        }

        public List<String> command() {
            return command;
        }

        /** Command, state and output, for failure messages. */
        public String describe() {
            return "command: " + String.join(" ", command) + "\nalive: " + isAlive()
                    + "\nstdout (" + stdout + "):\n" + stdout() + "\nstderr (" + stderr + "):\n" + stderr();
        }

        @Override
        public String toString() {
            return "FakeStarter[pid=" + pid() + ", " + String.join(" ", command.subList(binaryIndex + 2, command.size())) + "]";
        }

        private ConnectLine firstLine(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (;;) {
                boolean wasAlive = master.isAlive();
                ConnectLine line = parseFirst();
                if (line != null) {
                    childHandle();
                    return line;
                }
                if (!wasAlive) {
                    throw new AssertionError("fake starter exited without its first line\n" + describe());
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no first line from the fake starter within " + timeout
                            + "\n" + describe());
                }
                Procs.sleep(5);
            }
        }

        private ConnectLine parseFirst() {
            if (first == null) {
                Matcher m = FIRST.matcher(stdout());
                if (m.find()) {
                    first = new ConnectLine(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                            m.group(3).equals("1"));
                }
            }
            return first;
        }

        /**
         * The child's ProcessHandle, taken once: it carries the start time, so a PID reused later
         * is never mistaken for it. Null before the first line or if the child was gone when we
         * first looked; a process counts as our child only if the master is its parent or it runs
         * the same binary (the master may have died and the child been re-parented).
         */
        private synchronized ProcessHandle childHandle() {
            if (!childLooked) {
                ConnectLine line = parseFirst();
                if (line == null) {
                    return null;
                }
                childLooked = true;
                Optional<Path> bin = realPath(Path.of(command.get(binaryIndex)));
                child = ProcessHandle.of(line.child())
                        .filter(h -> h.parent().map(p -> p.pid() == pid()).orElse(false)
                                || (bin.isPresent() && Procs.exe(line.child()).equals(bin)))
                        .orElse(null);
            }
            return child;
        }

        private static Optional<Path> realPath(Path p) {
            try {
                return Optional.of(p.toRealPath());
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        private Matcher lastLine() {
            if (master.isAlive()) {
                throw new IllegalStateException("fake starter " + pid() + " has not exited yet");
            }
            Matcher m = LAST.matcher(stdout());
            if (!m.find()) {
                throw new AssertionError("no child_cpu_seconds line\n" + describe());
            }
            return m;
        }
    }
}
