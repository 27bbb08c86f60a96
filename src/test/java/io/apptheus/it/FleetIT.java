package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The CI-sized simulated cluster of issue 17, end to end: bench/fleet.sh starts 3 agents on
 * 127.0.10.1-3:9091 (the same port on every "node"), 5 fake-starter containers each (four users,
 * Slurm job ids), a real Prometheus that reads deploy/prometheus/prometheus-fleet.yml with a
 * file_sd list made by apptheus-file-sd.sh, and a VictoriaMetrics fed by its remote_write.
 * <ul>
 * <li>every recording rule (fleet and per container) has data from all three nodes, in Prometheus
 * and in the store;</li>
 * <li>every fleet dashboard query returns data on both, for each node alone where it has a node
 * filter; the per-container dashboard's queries still work under the drop list;</li>
 * <li>the Kubernetes variant's relabelling, fed with pod-role labels through file_sd, gives the
 * node label and keeps only the DaemonSet's annotated pods;</li>
 * <li>a container ending on node2 (a job of its own) leaves the fleet view after the retention;</li>
 * <li>node3's agent stopped: ApptheusAgentDownJobsUnmonitored names node3 and exactly its jobs,
 * ApptheusDown fires for node3.</li>
 * </ul>
 * Scrapes and rule evaluations every 2 s, --metrics.retain-exited=10s; ~3-4 minutes, most of it
 * ApptheusDown's 2 minutes.
 */
class FleetIT {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Path FLEET = BASE.resolve("bench/fleet.sh");
    private static final Path PROMETHEUS = BASE.resolve("deploy/prometheus");
    private static final List<String> NODES = List.of("node1", "node2", "node3");
    private static final Pattern RECORD = Pattern.compile("record:\\s*(\\S+)");

    @RegisterExtension
    final ItResources it = new ItResources();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final long started = System.nanoTime();

    private record Container(String node, int index, String user, String job, String workload, long pid) {
    }

    @Test
    void threeNodesFleetRulesDashboardStoreRetentionAndAgentDown() throws Exception {
        requireTools("prometheus", "victoria-metrics", "setpriv", "unshare", "curl", "gcc");
        FakeStarter.binary(); // the script takes target/it-bin/fakestarter
        Path dir = it.tempDir().resolve("fleet");
        String net = freeNet();
        int promPort = Ports.free();
        int vmPort = Ports.free();
        it.register(() -> stopFleet(dir));
        // ~30 s on an idle machine; minutes when other builds load it (agents' JVMs start slowly)
        fleet(Duration.ofMinutes(12), "start", "3", "5", "--dir", dir.toString(), "--net", net, "--scrape", "2s",
                "--eval", "2s", "--retain", "10s", "--prom-port", Integer.toString(promPort),
                "--vm-port", Integer.toString(vmPort));
        it.registerCgroupParent(Files.readString(dir.resolve("parent")).trim()); // removed again, should stop fail
        log("fleet started");
        String prom = "http://127.0.0.1:" + promPort;
        String vm = "http://127.0.0.1:" + vmPort;
        List<Container> containers = manifest(dir.resolve("containers.tsv"));
        assertEquals(15, containers.size());
        assertEquals(Set.of("alice", "bob", "carol", "dave"), set(containers.stream().map(Container::user)));

        // file_sd: each node a target of its own with the node label, the same port everywhere
        JsonArray targets = api(prom, "/api/v1/targets?state=active").getJsonArray("activeTargets");
        Map<String, String> instances = new TreeMap<>();
        targets.forEach(t -> instances.put(((JsonObject) t).getJsonObject("labels").getString("node"),
                ((JsonObject) t).getJsonObject("labels").getString("instance")));
        assertEquals(Map.of("node1", net + ".1:9091", "node2", net + ".2:9091", "node3", net + ".3:9091"), instances);

        // 1. every rule and panel, on Prometheus and on the store
        Set<String> passed = new java.util.HashSet<>();
        List<String> missing = awaitEmpty(Duration.ofSeconds(180), () -> allDataProblems(prom, vm, containers, passed));
        assertEquals(List.of(), missing, "rules and panel queries without data from every node");
        log("every rule and panel query has data from every node, in Prometheus and VictoriaMetrics");

        // 2. a container that is a job of its own ends on node2; node3's agent is stopped
        Container ended = containers.stream().filter(c -> c.node().equals("node2") && c.index() == 4).findFirst()
                .orElseThrow();
        assertEquals("200002", ended.job());
        fleet(Duration.ofSeconds(30), "end-container", "2", "4", "--dir", dir.toString());
        fleet(Duration.ofSeconds(60), "stop-agent", "3", "--dir", dir.toString());

        // meanwhile: the Kubernetes variant's relabelling on the two nodes still up
        checkKubernetesVariant(net, dir);
        log("Kubernetes variant checked");

        List<String> stillThere = awaitEmpty(Duration.ofSeconds(90), () -> {
            List<String> p = new ArrayList<>();
            for (String base : List.of(prom, vm)) {
                if (!query(base, "container_last_seen{name=\"starter_" + ended.pid() + "\"}").isEmpty()) {
                    p.add(base + ": the ended container's series");
                }
                if (!query(base, "slurm_job:container_last_seen:count{slurm_job_id=\"200002\"}").isEmpty()) {
                    p.add(base + ": job 200002 in the fleet's job list");
                }
                if (!values(query(base, "node:container_last_seen:count{node=\"node2\"}")).equals(List.of(4.0))) {
                    p.add(base + ": node2 does not count 4 containers");
                }
            }
            return p;
        });
        assertEquals(List.of(), stillThere, "a finished container leaves the fleet view after the retention");
        log("the ended container left the fleet view");

        // 3. node3's agent is down: the job alert names node3 and its jobs, then ApptheusDown fires
        Set<String> node3Jobs = set(containers.stream().filter(c -> c.node().equals("node3")).map(Container::job));
        List<String> notFiring = awaitEmpty(Duration.ofMinutes(4), () -> {
            List<String> p = new ArrayList<>();
            Set<String> jobs = new TreeSet<>();
            boolean down = false;
            for (Object o : api(prom, "/api/v1/alerts").getJsonArray("alerts")) {
                JsonObject a = (JsonObject) o;
                JsonObject l = a.getJsonObject("labels");
                if (!"firing".equals(a.getString("state"))) {
                    continue;
                }
                if (l.getString("alertname").equals("ApptheusAgentDownJobsUnmonitored")) {
                    if (!"node3".equals(l.getString("node"))) {
                        p.add("job alert for " + l);
                    }
                    jobs.add(l.getString("slurm_job_id"));
                }
                if (l.getString("alertname").equals("ApptheusDown")) {
                    if (!"node3".equals(l.getString("node"))) {
                        p.add("ApptheusDown for " + l);
                    }
                    down = true;
                }
            }
            if (!jobs.equals(node3Jobs)) {
                p.add("ApptheusAgentDownJobsUnmonitored names jobs " + jobs + ", node3 runs " + node3Jobs);
            }
            if (!down) {
                p.add("ApptheusDown is not firing for node3");
            }
            for (String base : List.of(prom, vm)) {
                if (!nodes(query(base, "node:up:max{node=~\".*\"} == 0")).equals(Set.of("node3"))) {
                    p.add(base + ": the 'Agents down' panel does not list node3 alone");
                }
            }
            return p;
        });
        assertEquals(List.of(), notFiring, "alerts after node3's agent stopped");
        log("node3's alerts fired");
    }

    private void log(String what) {
        System.out.printf("FleetIT %5.1f s: %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    // ---- rules and panels -------------------------------------------------------------------

    /**
     * What is still missing; a check that passed once is not asked again ({@code passed}): on a
     * loaded machine a late scrape or rule evaluation makes some series briefly stale, and a pass
     * over ~150 queries rarely finds all of them fresh at once.
     */
    private List<String> allDataProblems(String prom, String vm, List<Container> containers, Set<String> passed)
            throws Exception {
        List<String> problems = new ArrayList<>();
        Set<String> jobs = set(containers.stream().map(Container::job));
        Set<String> users = set(containers.stream().map(Container::user));
        Set<String> nodes = Set.copyOf(NODES);
        for (String base : List.of(prom, vm)) {
            for (String rule : recorded()) {
                check(passed, problems, base + " rule " + rule, () -> {
                    JsonArray r = query(base, rule);
                    if (r.isEmpty()) {
                        return "no data";
                    } else if (rule.startsWith("container:") || rule.startsWith("node")) {
                        return nodes(r).equals(nodes) ? null : "nodes " + nodes(r);
                    } else if (rule.startsWith("slurm_job:") && !rule.contains("_fs_")) {
                        // each node runs a job of its own (200001-200003): all of them are in every job sum
                        return labels(r, "slurm_job_id").equals(jobs) ? null
                                : "jobs " + labels(r, "slurm_job_id") + ", expected " + jobs;
                    } else if (rule.startsWith("user:") && !rule.contains("_fs_")) {
                        return labels(r, "user").equals(users) ? null : "users " + labels(r, "user") + ", expected " + users;
                    }
                    return null;
                });
            }
            for (String expr : fleetPanelQueries()) {
                if (expr.contains("== 0")) {
                    continue; // "Agents down": empty while all are up; checked after node3 stops
                }
                String any = expr.replace("$user", ".*").replace("$job", ".*");
                for (String node : expr.contains("$node") ? NODES : List.of(".*")) {
                    String q = any.replace("$node", node);
                    check(passed, problems, base + " panel " + q, () -> query(base, q).isEmpty() ? "no data" : null);
                }
            }
            // the per-container dashboard under the fleet config's drop list
            for (String expr : Files.readAllLines(BASE.resolve("deploy/grafana/panel-queries.txt"))) {
                if (!expr.isBlank()) {
                    check(passed, problems, base + " container panel " + expr,
                            () -> query(base, expr).isEmpty() ? "no data" : null);
                }
            }
        }
        return problems;
    }

    private interface Probe {
        /** null when fine, else what is wrong. */
        String run() throws Exception;
    }

    private static void check(Set<String> passed, List<String> problems, String what, Probe probe) throws Exception {
        if (passed.contains(what)) {
            return;
        }
        String wrong = probe.run();
        if (wrong == null) {
            passed.add(what);
        } else {
            problems.add(what + ": " + wrong);
        }
    }

    private static List<String> recorded() throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : List.of("apptheus-recording.yml", "apptheus-fleet-recording.yml")) {
            Matcher m = RECORD.matcher(Files.readString(PROMETHEUS.resolve("rules").resolve(f)));
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static List<String> fleetPanelQueries() throws IOException {
        List<String> out = new ArrayList<>();
        JsonObject dash = new JsonObject(Files.readString(BASE.resolve("deploy/grafana/fleet.json")));
        for (Object p : dash.getJsonArray("panels")) {
            JsonArray targets = ((JsonObject) p).getJsonArray("targets");
            if (targets != null) {
                targets.forEach(t -> out.add(((JsonObject) t).getString("expr")));
            }
        }
        assertTrue(out.size() >= 20, "fleet.json has " + out.size() + " queries");
        return out;
    }

    // ---- the Kubernetes variant ---------------------------------------------------------------

    /**
     * prometheus-kubernetes.yml with its discovery swapped for file_sd target groups shaped like
     * the pod role's: three apptheus pods (node1's and node2's agents, and node3's, stopped), a
     * pod of another app and an apptheus pod whose scrape annotation is "false".
     */
    private void checkKubernetesVariant(String net, Path fleetDir) throws Exception {
        assertEquals(section(PROMETHEUS.resolve("prometheus-fleet.yml"), "    metric_relabel_configs:", "\n\n"),
                section(PROMETHEUS.resolve("prometheus-kubernetes.yml"), "    metric_relabel_configs:", "\n\n"),
                "the Kubernetes variant's drop list is the fleet's");
        assertEquals(section(PROMETHEUS.resolve("prometheus-fleet.yml"), "rule_files:", "\n\n"),
                section(PROMETHEUS.resolve("prometheus-kubernetes.yml"), "rule_files:", "\n\n"));
        Path dir = fleetDir.resolve("k8s");
        Files.createDirectories(dir.resolve("sd"));
        StringBuilder groups = new StringBuilder("[");
        for (int n = 1; n <= 3; n++) {
            groups.append(pod(net + "." + n, "k8s-worker-" + n, "apptheus", "true")).append(",");
        }
        groups.append(pod(net + ".1", "k8s-worker-1", "slurm-exporter", "true")).append(",");
        groups.append(pod(net + ".2", "k8s-worker-2", "apptheus", "false")).append("]");
        Files.writeString(dir.resolve("sd/pods.json"), groups);
        String config = run(Duration.ofSeconds(30), List.of("bash",
                PROMETHEUS.resolve("tests/kubernetes-as-file-sd.sh").toString(), dir.resolve("sd/*.json").toString()));
        Files.writeString(dir.resolve("prometheus.yml"), config.replaceAll("(?m)^remote_write:[\\s\\S]*", ""));
        String check = run(Duration.ofSeconds(60), List.of("promtool", "check", "config",
                dir.resolve("prometheus.yml").toString()));
        assertTrue(check.contains("SUCCESS"), check);
        int port = Ports.free();
        Process p = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String base = "http://127.0.0.1:" + port;
            List<String> notReady = awaitEmpty(Duration.ofSeconds(60), () -> {
                try {
                    api(base, "/api/v1/status/runtimeinfo");
                    return List.of();
                } catch (AssertionError e) {
                    return List.of(p.isAlive() ? e.getMessage() : "prometheus exited: " + Files.readString(
                            dir.resolve("prometheus.log")));
                }
            });
            assertEquals(List.of(), notReady, "Kubernetes variant's Prometheus");
            List<String> wrong = awaitEmpty(Duration.ofSeconds(60), () -> {
                List<String> problems = new ArrayList<>();
                JsonObject t = api(base, "/api/v1/targets");
                Map<String, String> byNode = new TreeMap<>();
                for (Object o : t.getJsonArray("activeTargets")) {
                    JsonObject l = ((JsonObject) o).getJsonObject("labels");
                    byNode.put(l.getString("node"), l.getString("job") + " " + l.getString("instance") + " "
                            + ((JsonObject) o).getString("health"));
                }
                Map<String, String> expected = Map.of(
                        "k8s-worker-1", "apptheus " + net + ".1:9091 up",
                        "k8s-worker-2", "apptheus " + net + ".2:9091 up",
                        "k8s-worker-3", "apptheus " + net + ".3:9091 down");
                if (!byNode.equals(expected)) {
                    problems.add("active targets " + byNode + ", expected " + expected);
                }
                if (t.getJsonArray("droppedTargets").size() != 2) {
                    problems.add("dropped targets " + t.getJsonArray("droppedTargets").encode());
                }
                if (!nodes(query(base, "node:container_last_seen:count")).equals(Set.of("k8s-worker-1", "k8s-worker-2"))) {
                    problems.add("fleet rules by the pods' nodes: " + query(base, "node:container_last_seen:count"));
                }
                return problems;
            });
            assertEquals(List.of(), wrong, "Kubernetes variant, log " + dir.resolve("prometheus.log"));
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String pod(String ip, String node, String app, String scrape) {
        return new JsonObject().put("targets", new JsonArray().add(ip)).put("labels", new JsonObject()
                .put("__meta_kubernetes_namespace", "monitoring")
                .put("__meta_kubernetes_pod_name", app + "-" + node)
                .put("__meta_kubernetes_pod_ip", ip)
                .put("__meta_kubernetes_pod_node_name", node)
                .put("__meta_kubernetes_pod_label_app_kubernetes_io_name", app)
                .put("__meta_kubernetes_pod_annotation_prometheus_io_scrape", scrape)
                .put("__meta_kubernetes_pod_annotation_prometheus_io_port", "9091")
                .put("__meta_kubernetes_pod_annotation_prometheus_io_path", "/metrics")).encode();
    }

    private static String section(Path file, String start, String end) throws IOException {
        String text = Files.readString(file);
        int a = text.indexOf(start);
        assertTrue(a >= 0, start + " not in " + file);
        int b = text.indexOf(end, a);
        return text.substring(a, b < 0 ? text.length() : b);
    }

    // ---- the fleet script -------------------------------------------------------------------

    private void fleet(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", FLEET.toString()));
        cmd.addAll(List.of(args));
        run(timeout, cmd);
    }

    private static String run(Duration timeout, List<String> cmd) {
        try {
            Path out = Files.createTempFile("fleet-it-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(BASE.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                // the agents: the native executable under test (-Dapptheus.native), else the jar
                String nativeBinary = System.getProperty("apptheus.native", "");
                if (!nativeBinary.isBlank()) {
                    pb.environment().put("FLEET_NATIVE", nativeBinary);
                }
                Process p = pb.start();
                if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    fail(cmd + " still running after " + timeout + ":\n" + Files.readString(out));
                }
                String text = Files.readString(out);
                assertEquals(0, p.exitValue(), cmd + ":\n" + text);
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + cmd, e);
        }
    }

    /** fleet.sh stop, keeping the logs under target/it-logs/fleet-N; every process is stopped by PID. */
    private void stopFleet(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            fleet(Duration.ofMinutes(2), "stop", "--keep", "--dir", dir.toString());
        } finally {
            Path logs = BASE.resolve("target/it-logs");
            Files.createDirectories(logs);
            Path copy;
            for (int n = 1; ; n++) {
                copy = logs.resolve("fleet-" + n);
                if (!Files.exists(copy)) {
                    break;
                }
            }
            Path target = copy;
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.filter(f -> Files.isRegularFile(f)
                        && f.getFileName().toString().matches(".*\\.(log|out|tsv|yml|json)")).toList()) {
                    Path to = target.resolve(dir.relativize(f).toString());
                    if (!to.toString().contains("/data/")) {
                        Files.createDirectories(to.getParent());
                        Files.copy(f, to);
                    }
                }
            }
        }
    }

    private static List<Container> manifest(Path tsv) throws IOException {
        List<Container> out = new ArrayList<>();
        for (String line : Files.readAllLines(tsv).subList(1, Files.readAllLines(tsv).size())) {
            String[] f = line.split("\t");
            out.add(new Container(f[0], Integer.parseInt(f[1]), f[2], f[4], f[5], Long.parseLong(f[6])));
        }
        return out;
    }

    // ---- PromQL over HTTP (Prometheus and VictoriaMetrics speak the same API) ------------------

    private JsonArray query(String base, String promql) {
        return api(base, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
                .getJsonArray("result");
    }

    private JsonObject api(String base, String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) { // e.g. 503 "Service Unavailable" while Prometheus starts
                throw new AssertionError(base + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
            }
            JsonObject body = new JsonObject(r.body());
            if (!"success".equals(body.getString("status"))) {
                throw new AssertionError(base + pathAndQuery + " answered " + r.statusCode() + ": " + r.body());
            }
            return body.getJsonObject("data");
        } catch (IOException e) {
            throw new AssertionError(base + pathAndQuery + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Set<String> nodes(JsonArray result) {
        return labels(result, "node");
    }

    private static Set<String> labels(JsonArray result, String label) {
        Set<String> out = new TreeSet<>();
        result.forEach(r -> out.add(((JsonObject) r).getJsonObject("metric").getString(label, "")));
        return out;
    }

    private static List<Double> values(JsonArray result) {
        List<Double> out = new ArrayList<>();
        result.forEach(r -> out.add(Double.parseDouble(((JsonObject) r).getJsonArray("value").getString(1))));
        return out;
    }

    private static Set<String> set(Stream<String> s) {
        return s.collect(Collectors.toCollection(TreeSet::new));
    }

    private interface Check {
        List<String> problems() throws Exception;
    }

    /** Polls every second until the check finds nothing wrong; returns what it found last. */
    private static List<String> awaitEmpty(Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            List<String> p = check.problems();
            if (p.isEmpty() || System.nanoTime() > deadline) {
                return p;
            }
            Thread.sleep(1000);
        }
    }

    // ---- environment ------------------------------------------------------------------------

    /** A missing tool skips the test, and fails it under CI=true (.ci/run installs them all). */
    private static void requireTools(String... tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
                    .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
            if (!found) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail("CI=true and not installed: " + missing + " (.ci/run's packages)");
        }
        assumeTrue(missing.isEmpty(), "not installed: " + missing);
    }

    /** 127.0.10 as in the issue, or the next A.B.C whose .1-.3 have port 9091 free. */
    private static String freeNet() throws IOException {
        for (int c = 10; c < 60; c++) {
            String net = "127.0." + c;
            boolean free = true;
            for (int n = 1; n <= 3 && free; n++) {
                try (ServerSocket s = new ServerSocket(9091, 1, InetAddress.getByName(net + "." + n))) {
                    s.getLocalPort();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return net;
            }
        }
        throw new AssertionError("no free 127.0.C.1-3:9091 for C in 10..59");
    }

}
