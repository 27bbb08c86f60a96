package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Procs;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The status API and {@code apptheus ps} against the packaged agent and real containers (fake
 * starters in this machine's cgroups). The page in a browser: {@link StatusPageIT}.
 */
class StatusIT {

    static final Duration READY = Duration.ofSeconds(60);
    static final String INSTANCE_TITLE = "Apptainer instance: root [web1]";

    @RegisterExtension
    final ItResources it = new ItResources();

    /** A starter whose process title names instance web1, burning one thread with 48 MiB for {@code seconds}. */
    static FakeStarter.Handle burner(ItResources it, int seconds) {
        return it.starters().start(it.trustedStarter(), it.socketPath(), Map.of("FAKESTARTER_TITLE", INSTANCE_TITLE,
                "FAKESTARTER_START_DELAY_MS", "300"), "burn", Integer.toString(seconds), "1", "48");
    }

    static JsonObject containers(AgentProcess agent, String query) {
        try {
            HttpResponse<String> r = agent.get("/api/v1/containers" + query);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            return new JsonObject(r.body());
        } catch (IOException e) {
            throw new AssertionError("GET /api/v1/containers: " + e + "\n" + agent.describe(), e);
        }
    }

    static Optional<JsonObject> container(JsonObject list, String name) {
        for (Object o : list.getJsonArray("containers")) {
            JsonObject c = (JsonObject) o;
            if (c.getString("name").equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Polls the API every 200 ms until container {@code name} satisfies {@code until}. */
    static JsonObject awaitContainer(AgentProcess agent, String name, String query, Duration timeout,
                                     Predicate<JsonObject> until) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            JsonObject list = containers(agent, query);
            Optional<JsonObject> c = container(list, name);
            if (c.isPresent() && until.test(c.get())) {
                return c.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("container " + name + " not as expected after " + timeout + ": "
                        + list.encodePrettily() + "\n" + agent.describe());
            }
            sleep(200);
        }
    }

    static double cores(JsonObject c) {
        return c.getJsonObject("cpu").getDouble("cores", 0.0);
    }

    @Test
    void theApiShowsEachContainersOwnerInstanceValuesAndRates() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(30)).start().awaitReady(READY);
        FakeStarter.Handle web = burner(it, 20);
        FakeStarter.Handle run = it.starters().start(it.trustedStarter(), it.socketPath(),
                Map.of("FAKESTARTER_TITLE", "Apptainer runtime parent"), "sleep", "20");
        FakeStarter.Handle plain = it.start(it.trustedStarter(), it.socketPath(), "burn", "1");
        String name = "starter_" + web.pid();

        JsonObject c = awaitContainer(agent, name, "", Duration.ofSeconds(20),
                x -> cores(x) > 0.1 && x.getJsonObject("memory").getLong("working_set_bytes", 0L) > 32 << 20);
        assertEquals(web.pid(), c.getLong("pid"));
        assertEquals(0L, c.getLong("uid"));
        assertEquals("root", c.getString("user"));
        assertEquals("instance", c.getString("launch"));
        assertEquals("web1", c.getString("instance"));
        assertEquals("running", c.getString("state"));
        assertTrue(c.getString("id").endsWith("/" + it.cgroupParent() + "/" + name), c.getString("id"));
        assertTrue(c.getJsonObject("tasks").getLong("threads") >= 2, "master and workload threads");
        assertTrue(c.getJsonObject("cpu").getDouble("usage_seconds_total") > 0);
        assertTrue(c.getJsonObject("memory").containsKey("limit_bytes"), "the limit is read");
        assertTrue(c.getJsonObject("io").containsKey("read_bytes_per_second"), "IO is measured");
        assertTrue(Instant.parse(c.getString("start_time")).isBefore(Instant.now()));
        assertTrue(c.getDouble("uptime_seconds") > 0);

        JsonObject all = containers(agent, "");
        JsonArray cs = all.getJsonArray("containers");
        for (int i = 1; i < cs.size(); i++) {
            assertTrue(cores(cs.getJsonObject(i - 1)) >= cores(cs.getJsonObject(i)), "busiest CPU first: " + cs);
        }
        assertTrue(all.getJsonObject("node").getInteger("cpus") > 0);
        JsonObject r = awaitContainer(agent, "starter_" + run.pid(), "", Duration.ofSeconds(10), x -> true);
        assertEquals("run", r.getString("launch"));
        assertNull(r.getValue("instance"), "a plain run has no instance");
        assertTrue(cores(r) < cores(c), r.encode());

        // the fake starter without a title is neither; once ended, it is kept with its final values
        JsonObject p = awaitContainer(agent, "starter_" + plain.pid(), "", Duration.ofSeconds(15),
                x -> x.getString("state").equals("exited-retained"));
        assertEquals("unknown", p.getString("launch"));
        assertFalse(p.getJsonObject("cpu").containsKey("cores"), "an exited container has no rate");
        assertTrue(p.getJsonObject("cpu").getDouble("usage_seconds_total") > 0, p.encode());
    }

    @Test
    void oneContainerCarriesItsHistoryAndAnUnknownNameIs404() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle web = burner(it, 20);
        String name = "starter_" + web.pid();
        awaitContainer(agent, name, "?history=1", Duration.ofSeconds(20),
                x -> x.getJsonObject("history").getJsonArray("cpu_cores").size() >= 2);

        HttpResponse<String> one = agent.get("/api/v1/containers/" + name);
        assertEquals(200, one.statusCode(), one.body());
        JsonObject h = new JsonObject(one.body()).getJsonObject("history");
        JsonArray cpu = h.getJsonArray("cpu_cores");
        JsonArray ago = h.getJsonArray("seconds_ago");
        assertEquals(cpu.size(), ago.size());
        assertEquals(cpu.size(), h.getJsonArray("memory_working_set_bytes").size());
        assertTrue(ago.getDouble(0) > ago.getDouble(ago.size() - 1), "oldest first: " + ago);
        assertTrue(cpu.getDouble(cpu.size() - 1) > 0, "burning: " + cpu);
        assertFalse(containers(agent, "").getJsonArray("containers").getJsonObject(0).containsKey("history"),
                "the list carries history only when asked");

        HttpResponse<String> missing = agent.get("/api/v1/containers/starter_0");
        assertEquals(404, missing.statusCode());
        assertEquals("application/json; charset=utf-8", missing.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no container named \"starter_0\" is monitored",
                new JsonObject(missing.body()).getString("error"));
    }

    @Test
    void psPrintsTheTableOfTheLiveAgentWithoutRoot() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle web = burner(it, 30);
        String name = "starter_" + web.pid();
        awaitContainer(agent, name, "", Duration.ofSeconds(20), x -> cores(x) > 0.1);

        List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
        Cli ps = Cli.run(it, Duration.ofSeconds(60), Cli.concat(nobody, Cli.concat(Cli.apptheus(), "ps",
                "--address", agent.listenAddress())));
        assertEquals(0, ps.exitCode(), ps.toString());
        List<String> lines = ps.stdout().lines().toList();
        assertTrue(lines.get(0).matches("NAME +USER +INSTANCE +PID +CPU +MEM / LIMIT +IO R/W /s +THREADS +UP +STATE"),
                ps.toString());
        String row = lines.stream().filter(l -> l.startsWith(name + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + "\n" + ps));
        String[] f = row.split(" +");
        assertEquals(List.of(name, "root", "web1", Long.toString(web.pid())), List.of(f).subList(0, 4), row);
        assertTrue(Double.parseDouble(f[4]) > 0, "CPU cores in " + row);
        assertTrue(row.endsWith(" running"), row);

        Cli json = Cli.run(it, Duration.ofSeconds(60), Cli.concat(Cli.apptheus(), "ps", "--json",
                "--address", agent.listenAddress()));
        assertEquals(0, json.exitCode(), json.toString());
        assertTrue(container(new JsonObject(json.stdout()), name).isPresent(), json.toString());
    }

    @Test
    void psExits3WithOneLineWhenNoAgentAnswers() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli ps = Cli.run(it, Duration.ofSeconds(60), Cli.concat(Cli.apptheus(), "ps", "--address",
                "127.0.0.1:" + port));
        assertEquals(3, ps.exitCode(), ps.toString());
        assertEquals("", ps.stdout());
        assertEquals(1, ps.stderr().strip().lines().count(), ps.toString());
        assertTrue(ps.stderr().startsWith("apptheus ps: no agent answers at http://127.0.0.1:" + port), ps.toString());
    }

    @Test
    void psWatchRedrawsInPlaceAndCtrlCExits0() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle web = burner(it, 30);
        awaitContainer(agent, "starter_" + web.pid(), "", Duration.ofSeconds(20), x -> true);
        // SIGINT at its default disposition, as in a terminal: a test run from a background job
        // (nohup, CI runners) inherits it ignored, and the JVM then never sees Ctrl-C
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT"));
        command.addAll(List.of(Cli.concat(Cli.apptheus(), "ps", "--watch", "--address", agent.listenAddress())));
        Cli watch = Cli.start(it, command);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (watch.stdout().split("\033\\[H", -1).length < 3) { // two frames drawn
            assertTrue(watch.isAlive() && System.nanoTime() < deadline, "no second frame: " + watch);
            sleep(200);
        }
        assertTrue(watch.stdout().startsWith("\033[2J"), "clears the screen once");
        assertTrue(watch.stdout().contains("starter_" + web.pid() + " "), watch.toString());
        Procs.signal("INT", List.of(watch.pid()));
        assertEquals(0, watch.await(Duration.ofSeconds(30)).exitCode(), watch.toString());
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
