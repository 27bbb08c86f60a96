package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Launcher;
import io.apptheus.it.support.Scrape;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Process titles chosen by an unprivileged user (uid 65534 running the trusted starter, as any
 * user of the node may): huge ones are cut once when read and the same cut shows everywhere;
 * control characters never reach the admin's terminal.
 */
class HostileTitlesIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void hugeTitlesAreCutWhenReadAndTheSameCutShowsEverywhere() throws Exception {
        AgentProcess agent = it.agent().jvmArgs(Launcher.jvmFlags().toArray(new String[0])).start().awaitReady(READY);
        List<FakeStarter.Handle> callers = new ArrayList<>();
        for (int i = 0; i < 24; i++) { // 24 x 960 KB: 23 MB of titles against a 96 MB heap
            callers.add(it.starters().startAs(Launcher.NOBODY, it.trustedStarter(), it.socketPath(),
                    Map.of("FAKESTARTER_TITLE", "Apptainer instance: nobody [@PAD@]", "FAKESTARTER_TITLE_PAD", "960000"),
                    "sleep", "120"));
        }
        agent.awaitScrape(Duration.ofSeconds(90), s -> s.registrations("accepted") == 24);
        String cut = "x".repeat(128);

        HttpResponse<String> api = agent.get("/api/v1/containers");
        assertEquals(200, api.statusCode());
        assertTrue(api.body().length() < 100_000, "24 containers in " + api.body().length() + " bytes");
        JsonArray list = new JsonObject(api.body()).getJsonArray("containers");
        assertEquals(24, list.size());
        for (int i = 0; i < list.size(); i++) {
            assertEquals(cut, list.getJsonObject(i).getString("instance"));
        }
        String page = agent.get("/").body();
        assertTrue(page.contains(">" + cut + "<") && !page.contains(cut + "x"), "the page shows the same cut");
        Scrape s = agent.scrape();
        for (FakeStarter.Handle h : callers) {
            assertEquals(cut, s.series("container_processes", Scrape.named("starter_" + h.pid())).get(0).labels()
                    .get("apptainer_instance"));
        }
        Cli ps = Cli.run(it, Duration.ofSeconds(60), Cli.concat(Launcher.NOBODY, Cli.concat(Cli.apptheus(), "ps",
                "--address", agent.listenAddress())));
        assertEquals(0, ps.exitCode(), ps.toString());
        assertEquals(25, ps.stdout().lines().count(), ps.stdout());
        assertTrue(ps.stdout().lines().skip(1).allMatch(l -> l.contains(" " + cut + " ")), ps.stdout());
        assertTrue(agent.isAlive());
        assertEquals(List.of(), agent.log().lines().filter(l -> l.contains("level=error")).toList());
    }

    @Test
    void escapeSequencesAndForgedRowsNeverReachTheTerminal() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        String instance = "web\033]0;pwned\007\033[2J\033[H\ncontainer_cpu_usage_seconds_total{name=\"forged\"} 9\r\u009b31m";
        FakeStarter.Handle h = it.starters().startAs(Launcher.NOBODY, it.trustedStarter(), it.socketPath(),
                Map.of("FAKESTARTER_TITLE", "Apptainer instance: nobody [" + instance + "]"), "sleep", "60");
        String name = "starter_" + h.pid();
        Scrape s = agent.awaitScrape(Duration.ofSeconds(30), x -> x.has("container_processes", Scrape.named(name)));
        assertFalse(s.raw().lines().anyMatch(l -> l.startsWith("container_cpu_usage_seconds_total{name=\"forged\"")),
                "no forged series");
        assertEquals(instance.replaceAll("[^A-Za-z0-9._@+-]", "_"), s.series("container_processes", Scrape.named(name)).get(0).labels().get("apptainer_instance"));

        Cli ps = Cli.run(it, Duration.ofSeconds(60), Cli.concat(Launcher.NOBODY, Cli.concat(Cli.apptheus(), "ps",
                "--address", agent.listenAddress())));
        assertEquals(0, ps.exitCode(), ps.toString());
        assertNoControlCharacters(ps.stdout());
        List<String> lines = ps.stdout().lines().toList();
        assertEquals(2, lines.size(), "the header and one row: " + ps.stdout());
        assertTrue(lines.get(1).startsWith(name + " ") && lines.get(1).contains(
                "web\\e]0;pwned\\x07\\e[2J\\e[H\\ncontainer_cpu_usage_seconds_total{name=\"forged\"} 9\\r\\x9b31m"),
                lines.get(1));

        Cli json = Cli.run(it, Duration.ofSeconds(60), Cli.concat(Launcher.NOBODY, Cli.concat(Cli.apptheus(), "ps",
                "--json", "--address", agent.listenAddress())));
        assertEquals(0, json.exitCode(), json.toString());
        assertNoControlCharacters(json.stdout());
        JsonObject c = new JsonObject(json.stdout()).getJsonArray("containers").getJsonObject(0);
        assertEquals(instance, c.getString("instance"), "the JSON keeps the exact value, escaped");
    }

    private static void assertNoControlCharacters(String out) {
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            assertTrue(c == '\n' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f)),
                    "control character " + (int) c + " at " + i + " of:\n" + out);
        }
    }
}
