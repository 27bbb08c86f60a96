package io.apptheus.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

/**
 * The agent under test as a subprocess: {@code java -jar <apptheus.artifact> <flags>} (default
 * {@code target/quarkus-app/quarkus-run.jar}), or {@code <apptheus.native> <flags>} when that system
 * property names a native binary. Output goes to {@code target/it-logs/agent-<n>.log}.
 *
 * <pre>{@code
 * try (AgentProcess agent = AgentProcess.builder().socketPath(sock).trustPaths(trusted)
 *         .cgroupParent(parent).monitorInterval(Duration.ofMillis(200)).start()) {
 *     agent.awaitReady(Duration.ofSeconds(30));
 *     Scrape s = agent.scrape();
 * }
 * }</pre>
 */
public final class AgentProcess implements AutoCloseable {
    // Apptheus-compatible flag names; change them here if the CLI spells them otherwise
    public static final String FLAG_SOCKET_PATH = "--socket.path";
    public static final String FLAG_TRUST_PATH = "--trust.path";
    public static final String FLAG_CGROUP_PARENT = "--cgroup.parent";
    public static final String FLAG_MONITOR_INTERVAL = "--monitor.interval";
    public static final String FLAG_RETAIN_EXITED = "--metrics.retain-exited";
    public static final String FLAG_LISTEN_ADDRESS = "--web.listen-address";
    public static final String FLAG_TELEMETRY_PATH = "--web.telemetry-path";
    public static final String READY_PATH = "/q/health/ready";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final List<String> command;
    private final Path log;
    private final String host;
    private final int port;
    private final String telemetryPath;
    private final String scheme;
    private final HttpClient http;
    private final String authorization;
    private final String routePrefix;

    private AgentProcess(Process process, List<String> command, Path log, String host, int port,
            String telemetryPath, SSLContext tls, String authorization, String routePrefix) {
        this.process = process;
        this.command = command;
        this.log = log;
        this.host = host;
        this.port = port;
        this.telemetryPath = telemetryPath;
        this.scheme = tls == null ? "http" : "https";
        this.http = tls == null ? HTTP
                : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(tls).build();
        this.authorization = authorization;
        this.routePrefix = routePrefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The agent's command line as launched. */
    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    public ProcessHandle handle() {
        return process.toHandle();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://...} for an agent built with {@link Builder#https}. */
    public String baseUrl() {
        return scheme + "://" + host + ":" + port;
    }

    public Path logFile() {
        return log;
    }

    /** Everything the agent printed so far (stdout and stderr). */
    public String log() {
        return ItPaths.read(log);
    }

    public String logTail(int lines) {
        return ItPaths.tail(log, lines);
    }

    /** Waits until the log contains {@code text}; fails with the log tail on timeout. */
    public void awaitLog(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("agent log has no '" + text + "' after " + timeout + "\n" + describe());
            }
            Procs.sleep(50);
        }
    }

    /**
     * Polls {@code GET /q/health/ready} until it answers 200. Fails with the log tail if the agent
     * exits first or the time runs out.
     */
    public AgentProcess awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        for (;;) {
            if (!process.isAlive()) {
                throw new AssertionError("agent exited with code " + process.exitValue()
                        + " before it was ready\n" + describe());
            }
            try {
                HttpResponse<String> r = get(READY_PATH);
                if (r.statusCode() == 200) {
                    return this;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("agent not ready after " + timeout + " (last: " + last + ")\n" + describe());
            }
            Procs.sleep(100);
        }
    }

    /**
     * GET an agent URL path (under the builder's route prefix, if any), with the builder's TLS
     * context and basic auth, if any; 30 s timeout, for a loaded box.
     */
    public HttpResponse<String> get(String path) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl() + routePrefix + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1").GET();
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        try {
            return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** GET the telemetry path (default /metrics) and parse it; fails on a non-200 answer. */
    public Scrape scrape() {
        HttpResponse<String> r;
        try {
            r = get(telemetryPath);
        } catch (IOException e) {
            throw new AssertionError("cannot scrape " + baseUrl() + telemetryPath + ": " + e + "\n" + describe(), e);
        }
        if (r.statusCode() != 200) {
            throw new AssertionError("scrape of " + telemetryPath + " answered " + r.statusCode() + ": " + r.body());
        }
        return Scrape.parse(r.body());
    }

    /** Scrapes every 100 ms until {@code until} holds; fails with the last exposition on timeout. */
    public Scrape awaitScrape(Duration timeout, Predicate<Scrape> until) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            Scrape s = scrape();
            if (until.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met after " + timeout + "; last scrape:\n" + s.raw()
                        + "\n" + describe());
            }
            Procs.sleep(100);
        }
    }

    /** SIGTERM (graceful shutdown). */
    public void sigterm() {
        process.toHandle().destroy(); // SIGTERM on Linux
    }

    /** SIGKILL. */
    public void kill9() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the agent to exit and returns its exit code; fails with the log tail on timeout. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("agent " + pid() + " still running after " + timeout + "\n" + describe());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return process.exitValue();
    }

    /** If still alive: SIGTERM, 5 s of grace, then SIGKILL of the agent and any process it started. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        sigterm();
        try {
            if (process.waitFor(5, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Procs.killTree(List.of(process.toHandle()), Duration.ofSeconds(5));
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Command, state and log tail, for failure messages. */
    public String describe() {
        return "agent command: " + String.join(" ", command) + "\nalive: " + isAlive() + "\nlog " + log
                + " (last 60 lines):\n" + logTail(60);
    }

    @Override
    public String toString() {
        return "AgentProcess[pid=" + pid() + ", " + baseUrl() + "]";
    }

    /** Flags for the agent; only those set are passed. Listen address: a free 127.0.0.1 port by default. */
    public static final class Builder {
        private final Map<String, String> flags = new LinkedHashMap<>();
        private final List<String> extraArgs = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String host = "127.0.0.1";
        private int port = -1;
        private String telemetryPath = "/metrics";
        private Consumer<AgentProcess> onStart = a -> {
        };
        private List<String> launcher;
        private List<String> wrapper = List.of();
        private SSLContext tls;
        private String authorization;
        private String routePrefix = "";

        private Builder() {
        }

        /** The agent serves HTTPS (its --web.config.file says so): the harness connects with this context. */
        public Builder https(SSLContext clientContext) {
            this.tls = clientContext;
            return this;
        }

        /** The harness's requests (scrape, get; the health paths need none) carry basic auth. */
        public Builder basicAuth(String user, String password) {
            this.authorization = "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return this;
        }

        public Builder socketPath(Path socket) {
            return flag(FLAG_SOCKET_PATH, socket == null ? null : socket.toString());
        }

        /** Trusted executables, joined with ';' as Apptheus expects. */
        public Builder trustPaths(Path... paths) {
            return trustPaths(List.of(paths));
        }

        public Builder trustPaths(List<Path> paths) {
            return flag(FLAG_TRUST_PATH, paths == null ? null
                    : paths.stream().map(Path::toString).collect(Collectors.joining(";")));
        }

        /** A relative parent nests under the agent's own cgroup (see {@link TestCgroups}). */
        public Builder cgroupParent(String parent) {
            return flag(FLAG_CGROUP_PARENT, parent);
        }

        public Builder monitorInterval(Duration interval) {
            return flag(FLAG_MONITOR_INTERVAL, interval == null ? null : millis(interval));
        }

        public Builder retainExited(Duration retain) {
            return flag(FLAG_RETAIN_EXITED, retain == null ? null : millis(retain));
        }

        /** An explicit {@code host:port}; by default a free port on 127.0.0.1 is picked at start. */
        public Builder listenAddress(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            String h = hostPort.substring(0, colon);
            this.host = h.isEmpty() || h.equals("0.0.0.0") ? "127.0.0.1" : h.replaceAll("^\\[|\\]$", "");
            this.port = Integer.parseInt(hostPort.substring(colon + 1));
            return this;
        }

        /** --web.route-prefix; the harness's requests (health, scrape, get) go under it. */
        public Builder routePrefix(String prefix) {
            this.routePrefix = prefix;
            return flag("--web.route-prefix", prefix);
        }

        public Builder telemetryPath(String path) {
            this.telemetryPath = path;
            return flag(FLAG_TELEMETRY_PATH, path);
        }

        /** Any flag as {@code name=value}; a null value removes it. */
        public Builder flag(String name, String value) {
            if (value == null) {
                flags.remove(name);
            } else {
                flags.put(name, value);
            }
            return this;
        }

        /** Arguments appended verbatim after the flags. */
        public Builder args(String... args) {
            extraArgs.addAll(List.of(args));
            return this;
        }

        /** JVM options (ignored for a native binary). */
        public Builder jvmArgs(String... args) {
            jvmArgs.addAll(List.of(args));
            return this;
        }

        /**
         * A system property for the agent: {@code -Dname=value} before {@code -jar}, or as the native
         * executable's first arguments (it takes -D options at run time as the JVM does).
         */
        public Builder systemProperty(String name, String value) {
            systemProperties.put(name, value);
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /**
         * Replaces {@code java -jar <artifact>} (or the native binary) by another command; the flags
         * follow it. For testing this support code with a stand-in agent.
         */
        public Builder launcher(String... command) {
            this.launcher = List.of(command);
            return this;
        }

        /** Runs the usual launcher under {@code command} (e.g. setpriv to drop root). */
        public Builder wrappedBy(String... command) {
            this.wrapper = List.of(command);
            return this;
        }

        /** Called with the started agent (ItResources uses it to register the agent for cleanup). */
        Builder onStart(Consumer<AgentProcess> hook) {
            this.onStart = this.onStart.andThen(hook);
            return this;
        }

        public AgentProcess start() {
            int p = port >= 0 ? port : Ports.free(host);
            List<String> cmd = new ArrayList<>(wrapper);
            cmd.addAll(launcher != null ? launcher : launcher());
            flags.forEach((k, v) -> cmd.add(k + "=" + v));
            cmd.add(FLAG_LISTEN_ADDRESS + "=" + (host.contains(":") ? "[" + host + "]" : host) + ":" + p);
            cmd.addAll(extraArgs);
            Path log = ItPaths.newLogFile("agent", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .directory(ItPaths.baseDir().toFile());
            pb.environment().putAll(env);
            try {
                Files.writeString(log, "# " + String.join(" ", cmd) + "\n");
                AgentProcess a = new AgentProcess(pb.start(), List.copyOf(cmd), log, host, p, telemetryPath, tls,
                        authorization, routePrefix);
                onStart.accept(a);
                return a;
            } catch (IOException e) {
                throw new AssertionError("cannot start the agent: " + cmd, e);
            }
        }

        private List<String> launcher() {
            String nativeBinary = System.getProperty("apptheus.native", "");
            if (!nativeBinary.isBlank()) {
                Path bin = ItPaths.baseDir().resolve(nativeBinary);
                if (!Files.isExecutable(bin)) {
                    throw new AssertionError("apptheus.native=" + nativeBinary + " is not an executable: " + bin);
                }
                List<String> l = new ArrayList<>();
                l.add(bin.toString());
                systemProperties.forEach((k, v) -> l.add("-D" + k + "=" + v));
                return l;
            }
            Path jar = ItPaths.baseDir().resolve(System.getProperty("apptheus.artifact",
                    "target/quarkus-app/quarkus-run.jar"));
            if (!Files.isRegularFile(jar)) {
                throw new AssertionError("no agent artifact at " + jar
                        + ": run './mvnw package' (or verify) first, or set -Dapptheus.artifact / -Dapptheus.native");
            }
            List<String> l = new ArrayList<>();
            l.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            l.addAll(jvmArgs);
            systemProperties.forEach((k, v) -> l.add("-D" + k + "=" + v));
            l.add("-jar");
            l.add(jar.toString());
            return l;
        }

        // Go (kingpin) and Quarkus both read "<n>ms"
        private static String millis(Duration d) {
            return d.toMillis() + "ms";
        }

    }

    /** The listen address passed to the agent, as {@code host:port}. */
    public String listenAddress() {
        return host + ":" + port;
    }

    /** The exit code, empty while the agent runs. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }
}
