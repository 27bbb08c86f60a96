package io.apptheus.it;

import static io.apptheus.it.support.Scrape.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.CPrograms;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Ports;

/**
 * The flags of the Go original that this agent lacked: {@code --web.systemd-socket} (the HTTP
 * listeners are the sockets systemd passes, here through src/test/c/listenfds.c, which speaks the
 * same protocol), {@code --web.route-prefix} and {@code --web.external-url}, and the environment
 * variables that stand for every flag.
 */
class SystemdSocketIT {

    private static final Duration READY = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void servesEveryRouteUnderThePrefixOnTheSocketsSystemdPassedAndNothingElse() throws Exception {
        int port = Ports.free();
        AgentProcess agent = it.agent().listenAddress("127.0.0.1:" + port).routePrefix("/node17/apptheus")
                .wrappedBy(CPrograms.listenFds().toString(), "127.0.0.1:" + port, "[::1]:" + port, "--")
                .flag("--web.systemd-socket", "true")
                .start().awaitReady(READY);
        assertTrue(agent.log().contains("Listening on: http://127.0.0.1:" + port), agent.describe());

        FakeStarter.Handle starter = it.starters().start(it.trustedStarter(), it.socketPath(), Map.of(), "sleep", "30");
        String name = "starter_" + starter.pid();
        agent.awaitScrape(Duration.ofSeconds(30), s -> s.value("container_processes", named(name)).orElse(0) >= 1);

        String v4 = "http://127.0.0.1:" + port;
        String v6 = "http://[::1]:" + port;
        assertEquals(200, get(v6 + "/node17/apptheus/metrics").statusCode(), "the second passed socket serves too");
        assertTrue(get(v6 + "/node17/apptheus/api/v1/containers").body().contains(name));
        assertEquals(200, get(v4 + "/node17/apptheus/q/health/live").statusCode());
        assertEquals(200, get(v4 + "/node17/apptheus/").statusCode(), "the status page");
        HttpResponse<String> bare = get(v4 + "/node17/apptheus");
        assertEquals(301, bare.statusCode());
        assertEquals("/node17/apptheus/", bare.headers().firstValue("Location").orElseThrow());
        for (String outside : new String[] {"/metrics", "/q/health/live", "/api/v1/containers", "/", "/node17/metrics"}) {
            assertEquals(404, get(v4 + outside).statusCode(), outside + " is outside the prefix");
        }
        // the agent bound nothing itself: the only sockets on the port are the two passed ones
        assertEquals(2, listeningSocketsOn(port), "sockets listening on " + port);
    }

    @Test
    void theExternalUrlsPathIsTheDefaultPrefix() throws Exception {
        // the harness asks under /apptheus; the agent is told only the external URL
        AgentProcess agent = it.agent().routePrefix("/apptheus").flag("--web.route-prefix", null)
                .flag("--web.external-url", "https://proxy.example.org/apptheus/").start().awaitReady(READY);
        assertEquals(200, agent.get("/metrics").statusCode());
        assertEquals(404, get(agent.baseUrl() + "/metrics").statusCode());
    }

    @Test
    void aBlockingSocketOrNoSocketAtAllIsOneLineAndExit2() {
        int port = Ports.free();
        AgentProcess blocking = it.register(AgentProcess.builder()
                .wrappedBy(CPrograms.listenFds().toString(), "--blocking", "127.0.0.1:" + port, "--")
                .args("--web.systemd-socket").start());
        assertEquals(2, blocking.awaitExit(Duration.ofSeconds(60)), blocking.describe());
        assertEquals("apptheus: --web.systemd-socket: socket 3 (127.0.0.1:" + port + ") is in blocking mode;"
                + " set NonBlocking=yes in the service unit's [Service] section", output(blocking));

        AgentProcess none = it.register(AgentProcess.builder().args("--web.systemd-socket").start());
        assertEquals(2, none.awaitExit(Duration.ofSeconds(60)), none.describe());
        assertTrue(output(none).startsWith("apptheus: --web.systemd-socket: systemd passed no socket"), none.log());
        assertEquals(1, output(none).lines().count(), none.log());
    }

    @Test
    void theEnvironmentStandsForEveryFlagAndATypoStopsTheAgent() throws Exception {
        // a site's /etc/default/apptheus: the variables alone configure the agent
        AgentProcess agent = it.agent().env("APPTHEUS_WEB_TELEMETRY_PATH", "/node-metrics")
                .env("APPTHEUS_LABEL_SLURM", "true").telemetryPath(null).start().awaitReady(READY);
        assertEquals(200, agent.get("/node-metrics").statusCode(), agent.describe());
        assertEquals(404, agent.get("/metrics").statusCode());

        AgentProcess typo = it.register(AgentProcess.builder().env("APPTHEUS_WEB_LISTEN_ADRESS", ":9999").start());
        assertEquals(2, typo.awaitExit(Duration.ofSeconds(60)), typo.describe());
        assertEquals("apptheus: unknown environment variable APPTHEUS_WEB_LISTEN_ADRESS: no flag is called"
                + " --web_listen_adress (did you mean APPTHEUS_WEB_LISTEN_ADDRESS?) (see --help)", output(typo));

        AgentProcess bad = it.register(AgentProcess.builder().env("APPTHEUS_LOG_FORMAT", "text").start());
        assertEquals(2, bad.awaitExit(Duration.ofSeconds(60)), bad.describe());
        assertEquals("apptheus: invalid value \"text\" for APPTHEUS_LOG_FORMAT (--log.format): must be one of"
                + " logfmt, json", output(bad));
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String output(AgentProcess agent) {
        return agent.log().lines().filter(l -> !l.startsWith("# ")).collect(java.util.stream.Collectors.joining("\n"))
                .strip();
    }


    /** Listening TCP sockets on {@code port}, IPv4 and IPv6, from the kernel's tables. */
    private static long listeningSocketsOn(int port) throws IOException {
        String hexPort = String.format(":%04X ", port);
        long n = 0;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            n += java.nio.file.Files.readAllLines(java.nio.file.Path.of(table)).stream()
                    .filter(l -> l.contains(hexPort) && l.trim().split("\\s+")[3].equals("0A")
                            && l.trim().split("\\s+")[1].endsWith(hexPort.trim()))
                    .count();
        }
        return n;
    }
}
