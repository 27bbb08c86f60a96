package io.apptheus.it.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) for a test: its configuration and
 * TSDB in a directory the caller owns, its web API on a free 127.0.0.1 port, its output in
 * {@code target/it-logs/prometheus-<n>.log}. {@link #close()} stops it (SIGTERM, then SIGKILL);
 * register it with {@link ItResources#register(AutoCloseable)}.
 */
public final class PrometheusServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final String baseUrl;
    private final Path log;

    private PrometheusServer(Process process, String baseUrl, Path log) {
        this.process = process;
        this.baseUrl = baseUrl;
        this.log = log;
    }

    /**
     * Starts Prometheus with a 1 s scrape interval and the given scrape configs and waits until it
     * is ready.
     *
     * @param scrapeConfigs the YAML list under {@code scrape_configs:}, indented by two spaces
     */
    public static PrometheusServer start(Path dir, String scrapeConfigs) {
        ItPaths.mkdirs(dir);
        Path config = dir.resolve("prometheus.yml");
        int port = Ports.free();
        Path log = ItPaths.newLogFile("prometheus", ".log");
        List<String> cmd = List.of("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port);
        Process p;
        try {
            Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                    + scrapeConfigs);
            Files.writeString(log, "# " + String.join(" ", cmd) + "\n# " + config + ":\n" + Files.readString(config));
            p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start prometheus (Debian package prometheus): " + cmd, e);
        }
        PrometheusServer server = new PrometheusServer(p, "http://127.0.0.1:" + port, log);
        server.awaitReady(Duration.ofSeconds(30));
        return server;
    }

    public String baseUrl() {
        return baseUrl;
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited with " + process.exitValue() + "\n" + ItPaths.tail(log, 30));
            }
            try {
                HttpResponse<String> r = get("/-/ready");
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Procs.sleep(200);
        }
        throw new AssertionError("prometheus not ready after " + timeout + " (" + last + ")\n" + ItPaths.tail(log, 30));
    }

    /** {@code /api/v1/targets}' active targets. */
    public JsonArray activeTargets() {
        return api("/api/v1/targets?state=active").getJsonObject("data").getJsonArray("activeTargets");
    }

    /** The result vector of an instant query. */
    public JsonArray query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .getJsonObject("data").getJsonArray("result");
    }

    /** Polls every 250 ms until {@code until} holds for the active targets; fails with them and the log. */
    public JsonArray awaitTargets(Duration timeout, Predicate<JsonArray> until) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            JsonArray targets = activeTargets();
            if (until.test(targets)) {
                return targets;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("targets not as expected after " + timeout + ": " + targets.encodePrettily()
                        + "\n" + ItPaths.tail(log, 30));
            }
            Procs.sleep(250);
        }
    }

    /** Every active target is up and its last scrape had no error. */
    public static boolean allUp(JsonArray targets) {
        if (targets.isEmpty()) {
            return false;
        }
        for (int i = 0; i < targets.size(); i++) {
            JsonObject t = targets.getJsonObject(i);
            if (!"up".equals(t.getString("health")) || !t.getString("lastError", "").isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /**
     * One API call. A 503 (plain text, not JSON) means Prometheus is still loading or its query engine is
     * saturated on a loaded box: it is retried for up to 30 s rather than failing the test on a parse error.
     */
    private JsonObject api(String pathAndQuery) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (;;) {
            HttpResponse<String> r;
            try {
                r = get(pathAndQuery);
            } catch (IOException e) {
                throw new AssertionError("prometheus " + pathAndQuery + ": " + e + "\n" + ItPaths.tail(log, 30), e);
            }
            if (r.statusCode() == 503 && System.nanoTime() < deadline) {
                Procs.sleep(250);
                continue;
            }
            JsonObject body = r.statusCode() == 200 || r.body().startsWith("{") ? new JsonObject(r.body()) : null;
            if (body == null || r.statusCode() != 200 || !"success".equals(body.getString("status"))) {
                throw new AssertionError("prometheus " + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
            }
            return body;
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(30))
                .GET().build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
