package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An unprivileged local user's attacks on the agent: {@code src/test/c/hostile.c} run as uid and
 * gid 65534 with no supplementary groups ({@code setpriv}), each bounded in connections and time
 * by its arguments and killed at {@link #close()} at the latest. Register the instance with
 * {@link ItResources#register(AutoCloseable)}.
 *
 * <pre>{@code
 * Hostile.Attack a = it.register(new Hostile(it.tempDir())).socketChurn(it.socketPath(), 2000, Duration.ofSeconds(20));
 * Map<String, Long> figures = a.await(Duration.ofSeconds(60)); // connects, eagain, closed_by_agent, ...
 * }</pre>
 */
public final class Hostile implements AutoCloseable {

    public static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    private static Path compiled;

    private final Path binary;
    private final List<Attack> attacks = new CopyOnWriteArrayList<>();

    /** Puts a copy of the compiled attacker in {@code dir} (mode 0755), where uid 65534 can run it. */
    public Hostile(Path dir) {
        try {
            Path target = dir.resolve("hostile");
            Files.copy(binary(), target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
            this.binary = target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the attacker to " + dir, e);
        }
    }

    /** Holds {@code connections} to the Unix socket and reconnects each as soon as the agent closes it. */
    public Attack socketChurn(Path socket, int connections, Duration time) {
        return start("socket-churn", socket.toString(), Integer.toString(connections),
                Long.toString(time.toSeconds()));
    }

    /**
     * Holds {@code connections} TCP connections from {@code source} to {@code host:port}, each with a
     * request head that never ends (one more header line every {@code trickleMs}, 0: none).
     */
    public Attack httpSlowloris(String host, int port, String source, int connections, Duration time, int trickleMs) {
        return start("http-slowloris", host, Integer.toString(port), source, Integer.toString(connections),
                Long.toString(time.toSeconds()), Integer.toString(trickleMs));
    }

    private Attack start(String... args) {
        List<String> cmd = new ArrayList<>(NOBODY);
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        Path out = ItPaths.newLogFile("hostile-" + args[0], ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Attack a = new Attack(p, cmd, out);
            attacks.add(a);
            return a;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    @Override
    public void close() {
        for (Attack a : attacks) {
            a.process.destroyForcibly();
        }
        for (Attack a : attacks) {
            try {
                a.process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One running attacker. */
    public static final class Attack {
        private final Process process;
        private final List<String> command;
        private final Path out;

        private Attack(Process process, List<String> command, Path out) {
            this.process = process;
            this.command = command;
            this.out = out;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public long pid() {
            return process.pid();
        }

        /**
         * Waits for the attacker's end (its time limit) and returns the figures of its last line,
         * e.g. {@code connects}, {@code closed_by_agent}; fails if it did not end well.
         */
        public Map<String, Long> await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("attacker still running after " + timeout + ": " + command);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            String text = ItPaths.read(out);
            if (process.exitValue() != 0) {
                throw new AssertionError("attacker exited " + process.exitValue() + ": " + command + "\n" + text);
            }
            String line = text.lines().filter(l -> l.startsWith("hostile: ")).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no result line from " + command + ":\n" + text));
            Map<String, Long> figures = new LinkedHashMap<>();
            for (String field : line.split(" ")) {
                int eq = field.indexOf('=');
                if (eq > 0) {
                    try {
                        figures.put(field.substring(0, eq), (long) Double.parseDouble(field.substring(eq + 1)));
                    } catch (NumberFormatException e) {
                        // not a figure
                    }
                }
            }
            return figures;
        }

        @Override
        public String toString() {
            return String.join(" ", command);
        }
    }

    /** {@code src/test/c/hostile.c}, compiled once per JVM into {@code target/it-bin/hostile}. */
    static synchronized Path binary() {
        if (compiled == null || !Files.isExecutable(compiled)) {
            compiled = CPrograms.compile(ItPaths.baseDir().resolve("src/test/c/hostile.c"), "hostile");
        }
        return compiled;
    }
}
