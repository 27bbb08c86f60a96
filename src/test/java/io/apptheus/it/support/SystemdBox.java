package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real systemd (Debian 12's) as PID 1 of its own namespaces, booted by
 * {@code deploy/test/systemd-box.sh} from a cached mmdebstrap root (built on first use), with a
 * cgroup directory of its own below this JVM's cgroup in every hierarchy. Commands run inside with
 * {@link #exec}; files reach it through {@link #share} ({@code /srv/host} inside, read-only);
 * {@code 127.0.0.1} inside is reached with {@link #curl}. {@link #close()} powers it off and
 * removes every cgroup, mount and file it made; register it with
 * {@link ItResources#register(AutoCloseable)}.
 */
public final class SystemdBox implements AutoCloseable {

    /** What a command printed and how it ended. */
    public record Result(int exit, String out, String err) {
        public String both() {
            return out + err;
        }

        public Result ok() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    private final Path state;
    private final Path log;
    private boolean closed;

    private SystemdBox(Path state, Path log) {
        this.state = state;
        this.log = log;
    }

    /** deploy/test/systemd-box.sh */
    public static Path script() {
        return ItPaths.baseDir().resolve("deploy/test/systemd-box.sh");
    }

    /** {@link Tools#require}: skips without the tool, fails under {@code CI=true}. */
    public static void require(boolean ok, String why) {
        Tools.require(ok, why);
    }

    /** Boots a box in {@code dir} (created; must not hold one) and waits until systemd is up. */
    public static SystemdBox boot(Path dir) {
        return boot(dir, false);
    }

    /**
     * As {@link #boot(Path)}; {@code unifiedOnly}: systemd sees the cgroup2 hierarchy alone, as on
     * a host with pure cgroup v2 (on a hybrid host, without controllers: they are bound to v1).
     */
    public static SystemdBox boot(Path dir, boolean unifiedOnly) {
        require(Files.isExecutable(Path.of("/usr/bin/mmdebstrap")) || rootCached(),
                "mmdebstrap is not installed (apt-get install mmdebstrap) and no Debian root is cached");
        require(Files.isExecutable(Path.of("/usr/bin/nsenter")) && Files.isExecutable(Path.of("/usr/bin/script")),
                "util-linux's nsenter and bsdutils' script are needed");
        ItPaths.mkdirs(dir);
        Path log = ItPaths.newLogFile("systemd-box", ".log");
        SystemdBox box = new SystemdBox(dir, log);
        List<String> cmd = unifiedOnly ? List.of("env", "APPTHEUS_BOX_CGROUP=unified", script().toString(), "start",
                dir.toString()) : List.of(script().toString(), "start", dir.toString());
        Result r = run(cmd, Duration.ofMinutes(20), log);
        if (r.exit() != 0) {
            box.close();
            throw new AssertionError("the box did not boot (exit " + r.exit() + "): " + r.err() + "\nconsole: "
                    + ItPaths.tail(dir.resolve("console.log"), 40));
        }
        return box;
    }

    /** Whether the Debian root is cached already (no mmdebstrap needed). */
    private static boolean rootCached() {
        return run(List.of(script().toString(), "cached"), Duration.ofSeconds(30), null).exit() == 0;
    }

    /** The box's directory on the host. */
    public Path state() {
        return state;
    }

    /** Host PID of the box's systemd. */
    public long pid1() {
        return Long.parseLong(ItPaths.read(state.resolve("pid1")).trim());
    }

    /** Copies a host file to {@code /srv/host/NAME} inside (read-only there); returns that path. */
    public String share(Path file, String name) {
        try {
            Path dest = state.resolve("share").resolve(name);
            Files.copy(file, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            return "/srv/host/" + name;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot share " + file, e);
        }
    }

    /** Runs a command inside (every namespace of PID 1, a clean environment), up to 5 minutes. */
    public Result exec(String... command) {
        return exec(Duration.ofMinutes(5), command);
    }

    public Result exec(Duration timeout, String... command) {
        List<String> cmd = new ArrayList<>(List.of(script().toString(), "exec", state.toString()));
        cmd.addAll(List.of(command));
        return run(cmd, timeout, log);
    }

    /** {@code sh -c SCRIPT} inside. */
    public Result sh(String script) {
        return exec("sh", "-c", script);
    }

    /** Writes a file inside (through sh and a here-document: the box's own file system). */
    public void write(String path, String content) {
        String marker = "APPTHEUS_EOF_" + Long.toHexString(System.nanoTime());
        sh("mkdir -p \"$(dirname '" + path + "')\" && cat > '" + path + "' <<'" + marker + "'\n" + content
                + (content.endsWith("\n") ? "" : "\n") + marker + "\n").ok();
    }

    /** GET http://127.0.0.1:PORT/PATH from inside the box's network namespace (the host's curl). */
    public Result curl(int port, String path) {
        return run(List.of("nsenter", "-t", Long.toString(pid1()), "-n", "curl", "-s", "-S", "--max-time", "10",
                "-w", "\n%{http_code}", "http://127.0.0.1:" + port + path), Duration.ofSeconds(30), log);
    }

    /** One property of a unit ({@code systemctl show -p NAME --value}). */
    public String show(String unit, String property) {
        return exec("systemctl", "show", "-p", property, "--value", unit).ok().out().strip();
    }

    /** The unit's journal since boot, plain messages. */
    public String journal(String unit) {
        return exec("journalctl", "-b", "-u", unit, "--no-pager", "-o", "cat").out();
    }

    /** Polls {@code check} every 250 ms until it holds; fails with {@code what} and the last value after {@code timeout}. */
    public <T> T await(String what, Duration timeout, java.util.function.Supplier<T> value, Predicate<T> check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.get();
        while (!check.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not after " + timeout + "; last: " + last + "\napptheus journal:\n"
                        + tailOf(journal("apptheus"), 30));
            }
            Procs.sleep(250);
            last = value.get();
        }
        return last;
    }

    static String tailOf(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    /** Powers the box off and removes everything it made. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Result r = run(List.of(script().toString(), "stop", state.toString()), Duration.ofMinutes(2), log);
        if (r.exit() != 0) {
            throw new IllegalStateException("systemd-box.sh stop failed (exit " + r.exit() + "): " + r.err());
        }
    }

    /** Runs a command on the host (not in the box), output kept in the result. */
    public static Result runOnHost(List<String> cmd, Duration timeout) {
        return run(cmd, timeout, null);
    }

    static Result run(List<String> cmd, Duration timeout, Path log) {
        try {
            Path out = Files.createTempFile("box-out", ".txt");
            Path err = Files.createTempFile("box-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                Map<String, String> env = pb.environment();
                env.put("LC_ALL", "C.UTF-8");
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    Procs.killTree(List.of(p.toHandle()), Duration.ofSeconds(5));
                    throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", cmd));
                }
                Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
                if (log != null) {
                    String both = r.both();
                    Files.writeString(log, "# " + String.join(" ", cmd) + "\n# exit " + r.exit() + "\n"
                            + (both.length() > 4000 ? both.substring(0, 4000) + "\n[... " + both.length() + " characters]\n" : both),
                            StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                }
                return r;
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + cmd, e);
        }
    }
}
