package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Launcher;
import io.apptheus.it.support.LogfmtParser;
import io.vertx.core.json.JsonObject;

/**
 * An unprivileged user names an untrusted binary after a log line; the agent's refusal quotes the
 * name and the record stays one line, in logfmt (parsed back) and in JSON.
 */
class LogForgingIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final String FORGED = "2026-01-01T00:00:00.000Z INFO  [Registrar] container starter_1: monitoring"
            + " pid 1 uid 0 FORGED";

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void aBinaryNamedAfterALogLineCannotForgeOneInLogfmt() throws Exception {
        Path evil = evilBinary();
        Path emptyWebConfig = Files.writeString(it.tempDir().resolve("web.yml"), "");
        AgentProcess agent = it.agent().flag("--web.config.file", emptyWebConfig.toString()).start().awaitReady(READY);
        // alive while it is verified (a caller gone by then is "gone", not "untrusted")
        FakeStarter.Handle h = it.starters().startAs(Launcher.NOBODY, evil, it.socketPath(), Map.of(), "sleep", "3");
        agent.awaitScrape(Duration.ofSeconds(30), s -> s.registrations("untrusted") == 1);
        agent.awaitLog("refused pid", Duration.ofSeconds(10));

        List<String> lines = agent.log().lines().filter(l -> !l.startsWith("# ")).toList();
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("2026-01-01")), "a forged line:\n" + agent.log());
        for (String l : lines) {
            Map<String, String> kv = LogfmtParser.parse(l); // every line is logfmt, the early warning too
            assertEquals(List.of("ts", "level", "logger", "msg", "pid"), List.copyOf(kv.keySet()).subList(0, 5), l);
            assertEquals(Long.toString(agent.pid()), kv.get("pid"), l);
        }
        assertTrue(lines.stream().map(LogfmtParser::parse).anyMatch(kv -> kv.get("level").equals("warn")
                && kv.get("msg").contains("web config " + emptyWebConfig + " is empty")), agent.log());
        Map<String, String> refusal = lines.stream().map(LogfmtParser::parse)
                .filter(kv -> kv.get("msg").startsWith("refused pid " + h.pid() + " ")).findFirst().orElseThrow();
        assertEquals("warn", refusal.get("level"));
        assertEquals("Registrar", refusal.get("logger"));
        // the message names the file exactly, quoted and escaped: \n stays two characters in it
        assertTrue(refusal.get("msg").contains(" exe \"" + evil.toString().replace("\n", "\\n") + "\": "),
                refusal.get("msg"));
    }

    @Test
    void andCannotInJson() throws Exception {
        Path evil = evilBinary();
        AgentProcess agent = it.agent().flag("--log.format", "json").start().awaitReady(READY);
        // alive while it is verified (a caller gone by then is "gone", not "untrusted")
        FakeStarter.Handle h = it.starters().startAs(Launcher.NOBODY, evil, it.socketPath(), Map.of(), "sleep", "3");
        agent.awaitScrape(Duration.ofSeconds(30), s -> s.registrations("untrusted") == 1);
        agent.awaitLog("refused pid", Duration.ofSeconds(10));
        List<JsonObject> records = agent.log().lines().filter(l -> !l.startsWith("# ")).map(JsonObject::new).toList();
        String msg = records.stream().map(r -> r.getString("message")).filter(m -> m.startsWith("refused pid"))
                .findFirst().orElseThrow();
        assertFalse(msg.contains("\n"), "the value is escaped before the JSON encoder sees it: " + msg);
        assertTrue(msg.contains(evil.toString().replace("\n", "\\n")), msg);
    }

    /** The fake starter, untrusted, at a path whose name is a newline and a whole log line. */
    private Path evilBinary() {
        return FakeStarter.copyTo(it.tempDir().resolve("home/nobody/x\n" + FORGED));
    }
}
