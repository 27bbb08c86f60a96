package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Tools;
import io.apptheus.it.support.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A real Prometheus (Debian's package) scrapes the agent every second with the recording and
 * alert rules of deploy/prometheus: a container's CPU rate matches its known load, its series go
 * stale when it is gone, and every Grafana panel query and every recording rule returns data.
 */
class PrometheusIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Path DEPLOY = Path.of("deploy");

    @RegisterExtension
    final ItResources it = new ItResources();

    private final HttpClient http = HttpClient.newHttpClient();
    private String promUrl;

    @Test
    void rateStalenessPanelsAndRulesAgainstARealPrometheus() throws Exception {
        Tools.requireExecutable("/usr/bin/prometheus", "prometheus is not installed (.ci/run installs it)");
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(3)).start().awaitReady(READY);
        startPrometheus(agent.port());

        // a burner throttled to half a core: a known, steady load
        Map<String, String> delayed = Map.of("FAKESTARTER_START_DELAY_MS", "1500");
        FakeStarter.Handle burner = it.starters().start(it.trustedStarter(), it.socketPath(), delayed, "burn", "24", "2");
        FakeStarter.Handle hog = it.starters().start(it.trustedStarter(), it.socketPath(), delayed, "hold", "96", "30");
        // lives past its first slow read (--monitor.slow-interval, 30 s): the limit written below is
        // read there, as an administrator's change to a running job would be
        FakeStarter.Handle limited = it.starters().start(it.trustedStarter(), it.socketPath(), delayed, "hold", "16", "90");
        FakeStarter.Handle writer = it.starters().start(it.trustedStarter(), it.socketPath(),
                Map.of("FAKESTARTER_START_DELAY_MS", "3000"), "write", it.tempDir().resolve("io.bin").toString(), "32");
        String burnerName = "starter_" + burner.pid();
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.has("container_processes", Map.of("name", burnerName))
                && s.has("container_processes", Map.of("name", "starter_" + hog.pid()))
                && s.has("container_processes", Map.of("name", "starter_" + limited.pid())));
        Path cpu = it.cgroups().dirsOf(it.cgroupParent()).get("cpu").resolve(burnerName);
        Files.writeString(cpu.resolve("cpu.cfs_quota_us"), "50000"); // 50 ms per 100 ms period
        Path mem = it.cgroups().dirsOf(it.cgroupParent()).get("memory").resolve("starter_" + hog.pid());
        Files.writeString(mem.resolve("memory.limit_in_bytes"), Long.toString(48L << 20)); // it will be OOM-killed
        Path limitedMem = it.cgroups().dirsOf(it.cgroupParent()).get("memory").resolve("starter_" + limited.pid());
        Files.writeString(limitedMem.resolve("memory.limit_in_bytes"), Long.toString(64L << 20)); // a finite limit it keeps

        // Prometheus' rate() against the kernel's own count over the same 8 s: on a loaded machine the
        // burner gets less than its quota, so the truth is the cgroup file, not the nominal 0.5
        Path usage = it.cgroups().dirsOf(it.cgroupParent()).get("cpuacct").resolve(burnerName).resolve("cpuacct.usage");
        Thread.sleep(2_000);
        long t1 = System.currentTimeMillis();
        long k1 = Long.parseLong(Files.readString(usage).trim());
        Thread.sleep(8_000);
        long t2 = System.currentTimeMillis();
        long k2 = Long.parseLong(Files.readString(usage).trim());
        double kernel = (k2 - k1) / 1e9 / ((t2 - t1) / 1e3);
        assertTrue(kernel > 0.02 && kernel <= 0.5 * 1.1, "the quota holds the burner at or below half a core: " + kernel);
        Thread.sleep(2_000); // the scrapes up to t2 are in
        double rate = scalar(query("rate(container_cpu_usage_seconds_total{job=\"apptheus\",name=\"" + burnerName
                + "\"}[8s])", t2));
        assertTrue(Math.abs(rate - kernel) <= 0.15 * kernel + 0.01, "rate " + rate + " against the kernel's " + kernel
                + " core over the same 8 s");

        // Every panel query and recording rule has data at some point: the limits' panels once the
        // container's slow read (at its own phase of the 30 s period) has seen the limit written above
        List<String> empty = new ArrayList<>();
        for (String q : Files.readAllLines(DEPLOY.resolve("grafana/panel-queries.txt"))) {
            if (!q.isBlank() && !q.startsWith("#")) {
                empty.add(q);
            }
        }
        for (String rule : recordedNames()) {
            empty.add("recording rule " + rule);
        }
        long dataBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            for (java.util.Iterator<String> i = empty.iterator(); i.hasNext(); ) {
                String q = i.next();
                if (!query(q.startsWith("recording rule ") ? q.substring("recording rule ".length()) : q).isEmpty()) {
                    i.remove();
                }
            }
            if (empty.isEmpty() || System.nanoTime() > dataBy) {
                break;
            }
            Thread.sleep(1_000);
        }
        assertEquals(List.of(), empty, "panel queries and recording rules without data within 60 s");

        assertEquals(0, burner.awaitExit(Duration.ofSeconds(30)));
        Thread.sleep(6_000); // retention 3 s, then one scrape without the series marks them stale
        assertEquals(new JsonArray(), query("container_cpu_usage_seconds_total{name=\"" + burnerName + "\"}"),
                "a finished container's series go stale (no explicit timestamps)");
        assertTrue(writer.awaitExit(Duration.ofSeconds(30)) == 0);
    }

    private void startPrometheus(int agentPort) throws Exception {
        Path dir = it.tempDir().resolve("prometheus");
        Files.createDirectories(dir.resolve("data"));
        int port = Ports.free();
        String config = """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                  - %s
                scrape_configs:
                  - job_name: apptheus
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(DEPLOY.resolve("prometheus/rules/apptheus-recording.yml").toAbsolutePath(),
                DEPLOY.resolve("prometheus/rules/apptheus-alerts.yml").toAbsolutePath(), agentPort);
        Files.writeString(dir.resolve("prometheus.yml"), config);
        Process p = new ProcessBuilder("/usr/bin/prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        it.register(() -> {
            p.destroy();
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        });
        promUrl = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (!query("up{job=\"apptheus\"} == 1").isEmpty()) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("Prometheus never scraped the agent: " + Files.readString(dir.resolve("prometheus.log")));
    }

    private JsonArray query(String promql) throws Exception {
        return query(promql, 0);
    }

    /** @param atMillis evaluation time, epoch ms; 0: now. A 503 (Prometheus busy on a loaded box) is retried. */
    private JsonArray query(String promql, long atMillis) throws Exception {
        String url = promUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (atMillis > 0 ? "&time=" + atMillis / 1e3 : "");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        while (r.statusCode() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        }
        assertEquals(200, r.statusCode(), promql + " -> " + r.body());
        JsonObject body = new JsonObject(r.body());
        assertEquals("success", body.getString("status"), promql + " -> " + r.body());
        return body.getJsonObject("data").getJsonArray("result");
    }

    private static double scalar(JsonArray result) {
        assertEquals(1, result.size(), "one series expected: " + result);
        return Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1));
    }

    private static List<String> recordedNames() throws Exception {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("record:\\s*(\\S+)").matcher(
                Files.readString(DEPLOY.resolve("prometheus/rules/apptheus-recording.yml")));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

}
