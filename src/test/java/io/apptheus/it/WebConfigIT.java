package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.PrometheusServer;
import io.apptheus.it.support.TestPki;
import io.apptheus.it.support.Ports;
import io.vertx.core.json.JsonArray;

/**
 * {@code --web.config.file} on the packaged agent: HTTPS with a certificate made here, basic auth
 * with a bcrypt hash, mutual TLS, several listen addresses; checked with curl, Java's HTTP client
 * and a real Prometheus that scrapes with basic_auth and tls_config.
 */
class WebConfigIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final String USER = "prometheus";
    private static final String PASSWORD = "correct horse battery staple";
    /** As {@code htpasswd -nBC 10} writes it. */
    private static final String HASH = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(10, PASSWORD.toCharArray());

    @RegisterExtension
    final ItResources it = new ItResources();

    private TestPki pki() {
        return TestPki.create(it.tempDir().resolve("pki"));
    }

    private Path webConfig(String yaml) throws IOException {
        return Files.writeString(it.tempDir().resolve("web.yml"), yaml);
    }

    private static String tls(TestPki pki) {
        return "tls_server_config:\n  cert_file: " + pki.serverCert() + "\n  key_file: " + pki.serverKey() + "\n";
    }

    private static String users() {
        return "basic_auth_users:\n  " + USER + ": " + HASH + "\n";
    }

    @Test
    void prometheusScrapesOverHttpsWithBasicAuthAndHealthStaysOpen() throws Exception {
        TestPki pki = pki();
        Path web = webConfig(tls(pki) + users());
        AgentProcess agent = it.agent().flag("--web.config.file", web.toString()).https(pki.trustingClient())
                .basicAuth(USER, PASSWORD).start().awaitReady(READY);
        String base = agent.baseUrl();
        assertTrue(base.startsWith("https://"), base);
        FakeStarter.Handle starter = it.start(it.trustedStarter(), it.socketPath(), "sleep", "60");
        String name = "starter_" + starter.pid();
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.has("container_processes", Map.of("name", name)));

        // health: no credentials needed, and no per-container data in it
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready")) {
            Curl health = curl("--cacert", pki.caCert().toString(), base + path);
            assertEquals("200", health.status(), path + ": " + health);
            assertFalse(health.body().contains(name) || health.body().contains(Long.toString(starter.pid())),
                    path + " shows a container: " + health.body());
        }
        // everything else needs the user: the scrape, Quarkus' own /q/metrics, the JSON API, the page, a 404
        for (String path : List.of("/metrics", "/q/metrics", "/api/v1/containers", "/", "/no/such/page")) {
            Curl anonymous = curl("--cacert", pki.caCert().toString(), "-D", "-", base + path);
            assertEquals("401", anonymous.status(), path + ": " + anonymous);
            assertTrue(anonymous.body().toLowerCase().contains("www-authenticate: basic"), anonymous.body());
            assertFalse(anonymous.body().contains(name), anonymous.body());
            Curl wrong = curl("--cacert", pki.caCert().toString(), "-u", USER + ":wrong", base + path);
            assertEquals("401", wrong.status(), path + ": " + wrong);
            Curl unknown = curl("--cacert", pki.caCert().toString(), "-u", "nobody:" + PASSWORD, base + path);
            assertEquals("401", unknown.status(), path + ": " + unknown);
        }
        Curl scrape = curl("--cacert", pki.caCert().toString(), "-u", USER + ":" + PASSWORD, base + "/metrics");
        assertEquals("200", scrape.status(), scrape.toString());
        assertTrue(scrape.body().contains("container_processes{") && scrape.body().contains(name), scrape.body());
        // no plain HTTP is left on the port
        Curl plain = curl("-u", USER + ":" + PASSWORD, "http://127.0.0.1:" + agent.port() + "/metrics");
        assertNotEquals("200", plain.status(), plain.toString());
        assertFalse(plain.body().contains("apptheus_build_info"), plain.toString());

        PrometheusServer prometheus = it.register(PrometheusServer.start(it.tempDir().resolve("prometheus"), """
                  - job_name: apptheus
                    scheme: https
                    basic_auth: {username: %s, password: '%s'}
                    tls_config: {ca_file: %s}
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(USER, PASSWORD, pki.caCert(), agent.port())));
        prometheus.awaitTargets(Duration.ofSeconds(30), PrometheusServer::allUp);
        awaitBuildInfo(prometheus);
    }

    @Test
    void mutualTlsRefusesClientsWithoutTheCasCertificateAndKeepsServing() throws Exception {
        TestPki pki = pki();
        Path web = webConfig(tls(pki) + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: "
                + pki.caCert() + "\n" + users());
        AgentProcess agent = it.agent().flag("--web.config.file", web.toString()).https(pki.withClientCertificate())
                .basicAuth(USER, PASSWORD).start().awaitReady(READY);
        String url = agent.baseUrl() + "/metrics";
        String ca = pki.caCert().toString();

        Curl noCert = curl("--cacert", ca, "-u", USER + ":" + PASSWORD, url);
        assertNotEquals(0, noCert.exit(), "no client certificate: " + noCert);
        Curl rogue = curl("--cacert", ca, "--cert", pki.rogueCert().toString(), "--key", pki.rogueKey().toString(),
                "-u", USER + ":" + PASSWORD, url);
        assertNotEquals(0, rogue.exit(), "a certificate from another CA: " + rogue);
        Curl health = curl("--cacert", ca, agent.baseUrl() + "/q/health/ready");
        assertNotEquals(0, health.exit(), "the handshake comes first, for health too: " + health);
        String[] client = {"--cacert", ca, "--cert", pki.clientCert().toString(), "--key", pki.clientKey().toString()};
        assertEquals("401", curl(client, "-u", USER + ":wrong", url).status(), "a certificate is not a password");
        assertEquals("401", curl(client, url).status());
        assertEquals("200", curl(client, "-u", USER + ":" + PASSWORD, url).status());
        assertThrows(IOException.class, () -> send(pki.trustingClient(), url, USER, PASSWORD));

        PrometheusServer prometheus = it.register(PrometheusServer.start(it.tempDir().resolve("prometheus"), """
                  - job_name: apptheus
                    scheme: https
                    basic_auth: {username: %s, password: '%s'}
                    tls_config: {ca_file: %s, cert_file: %s, key_file: %s}
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(USER, PASSWORD, ca, pki.clientCert(), pki.clientKey(), agent.port())));
        prometheus.awaitTargets(Duration.ofSeconds(30), PrometheusServer::allUp);
        awaitBuildInfo(prometheus);

        // 48 wrong passwords (each a bcrypt check) and 16 certificate-less handshakes from 8 threads,
        // while the authorised client scrapes every 100 ms: every one of its scrapes must succeed
        ExecutorService attackers = Executors.newFixedThreadPool(8);
        List<Future<String>> attempts = new ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                boolean handshake = i % 4 == 0;
                attempts.add(attackers.submit(() -> {
                    try {
                        return Integer.toString(send(handshake ? pki.trustingClient() : pki.withClientCertificate(),
                                url, USER, "wrong"));
                    } catch (IOException e) {
                        return "refused";
                    }
                }));
            }
            int authorised = 0;
            while (attempts.stream().anyMatch(f -> !f.isDone()) || authorised < 10) {
                long start = System.nanoTime();
                assertTrue(agent.scrape().has("apptheus_build_info", Map.of()));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 3000, "an authorised scrape took " + millis + " ms during the flood");
                authorised++;
                assertTrue(authorised < 600, "the flood did not end");
                Thread.sleep(100);
            }
        } finally {
            attackers.shutdownNow();
            assertTrue(attackers.awaitTermination(30, TimeUnit.SECONDS));
        }
        Map<String, Long> outcomes = new java.util.TreeMap<>();
        for (Future<String> f : attempts) {
            outcomes.merge(f.get(), 1L, Long::sum);
        }
        assertEquals(Map.of("401", 48L, "refused", 16L), outcomes);
        assertTrue(agent.isAlive());
        prometheus.awaitTargets(Duration.ofSeconds(10), PrometheusServer::allUp);
    }

    @Test
    void verifyClientCertIfGivenLetsProbesInWithoutACertificate() throws Exception {
        TestPki pki = pki();
        Path web = webConfig(tls(pki) + "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: "
                + pki.caCert() + "\n" + users());
        AgentProcess agent = it.agent().flag("--web.config.file", web.toString()).https(pki.trustingClient())
                .basicAuth(USER, PASSWORD).start().awaitReady(READY);
        String ca = pki.caCert().toString();
        String url = agent.baseUrl() + "/metrics";
        assertEquals("200", curl("--cacert", ca, agent.baseUrl() + "/q/health/live").status(), "a probe, no certificate");
        assertEquals("200", curl("--cacert", ca, "-u", USER + ":" + PASSWORD, url).status());
        assertEquals("200", curl("--cacert", ca, "--cert", pki.clientCert().toString(), "--key",
                pki.clientKey().toString(), "-u", USER + ":" + PASSWORD, url).status());
        Curl rogue = curl("--cacert", ca, "--cert", pki.rogueCert().toString(), "--key", pki.rogueKey().toString(),
                "-u", USER + ":" + PASSWORD, url);
        assertNotEquals(0, rogue.exit(), "a given certificate must verify: " + rogue);
    }

    @Test
    void basicAuthWithoutTlsWarnsAndStillAsksForTheUser() throws Exception {
        Path web = webConfig(users());
        AgentProcess agent = it.agent().flag("--web.config.file", web.toString()).basicAuth(USER, PASSWORD).start()
                .awaitReady(READY);
        assertTrue(agent.log().lines().anyMatch(l -> l.contains(" level=warn ")
                && l.contains("web config " + web + " has basic_auth_users but no TLS")), agent.logTail(20));
        String url = agent.baseUrl() + "/metrics";
        assertEquals("401", curl(url).status());
        assertEquals("200", curl("-u", USER + ":" + PASSWORD, url).status());
        assertEquals(200, agent.get("/q/health/ready").statusCode());
    }

    @Test
    void servesEveryListenAddressAndNoOther() throws Exception {
        TestPki pki = pki();
        Path web = webConfig(tls(pki) + users());
        int second = Ports.free("127.0.0.2");
        AgentProcess agent = it.agent().flag("--web.config.file", web.toString()).https(pki.trustingClient())
                .basicAuth(USER, PASSWORD).args("--web.listen-address=127.0.0.2:" + second).start().awaitReady(READY);
        String ca = pki.caCert().toString();
        for (String hostPort : List.of("127.0.0.1:" + agent.port(), "127.0.0.2:" + second)) {
            String url = "https://" + hostPort + "/metrics";
            Curl ok = curl("--cacert", ca, "-u", USER + ":" + PASSWORD, url);
            assertEquals("200", ok.status(), hostPort + ": " + ok);
            assertTrue(ok.body().contains("apptheus_build_info"), ok.body());
            assertEquals("401", curl("--cacert", ca, "-u", USER + ":wrong", url).status(), hostPort);
            assertEquals("200", curl("--cacert", ca, "https://" + hostPort + "/q/health/live").status(), hostPort);
        }
        // the specific addresses only, not every interface
        for (int port : new int[] {agent.port(), second}) {
            Curl other = curl("--cacert", ca, "https://127.0.0.3:" + port + "/q/health/live");
            assertEquals(7, other.exit(), "127.0.0.3:" + port + " must refuse the connection: " + other);
        }
        assertTrue(agent.log().contains("Listening on: https://127.0.0.2:" + second), agent.logTail(30));
    }

    @Test
    void aBadWebConfigExits2NamingTheKeyAndTheFile() throws Exception {
        TestPki pki = pki();
        Path unknown = webConfig(tls(pki) + "  cert_fille: x\n");
        AgentProcess a = it.register(AgentProcess.builder().flag("--web.config.file", unknown.toString()).start());
        assertEquals(2, a.awaitExit(READY), a.log());
        assertEquals("apptheus: web config " + unknown + ": tls_server_config.cert_fille (line 4): unknown key;"
                + " known keys here: cert_file, cipher_suites, client_auth_type, client_ca_file, key_file,"
                + " max_version, min_version, prefer_server_cipher_suites", output(a));

        Path missing = Files.writeString(it.tempDir().resolve("missing.yml"),
                "tls_server_config:\n  cert_file: nowhere.crt\n  key_file: " + pki.serverKey() + "\n");
        AgentProcess b = it.register(AgentProcess.builder().flag("--web.config.file", missing.toString()).start());
        assertEquals(2, b.awaitExit(READY), b.log());
        assertEquals("apptheus: web config " + missing + ": tls_server_config.cert_file "
                + it.tempDir().resolve("nowhere.crt") + " does not exist", output(b));

        Path malformed = Files.writeString(it.tempDir().resolve("malformed.yml"), "basic_auth_users: [\n");
        AgentProcess c = it.register(AgentProcess.builder().flag("--web.config.file", malformed.toString()).start());
        assertEquals(2, c.awaitExit(READY), c.log());
        assertTrue(output(c).startsWith("apptheus: web config " + malformed + ": malformed YAML at line 2"), c.log());
    }

    private static void awaitBuildInfo(PrometheusServer prometheus) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        JsonArray result;
        while ((result = prometheus.query("apptheus_build_info")).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "Prometheus has no apptheus_build_info");
            sleep(250);
        }
        assertEquals("apptheus", result.getJsonObject(0).getJsonObject("metric").getString("job"));
    }

    /** One GET with basic auth through Java's client and the given TLS context; the status code. */
    private static int send(SSLContext tls, String url, String user, String password) throws IOException {
        HttpClient client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Basic " + auth)
                .timeout(Duration.ofSeconds(20)).GET().build();
        try {
            return client.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** curl's exit code, the HTTP status (000 when there was none) and what it printed. */
    private record Curl(int exit, String status, String body) {
    }

    private static Curl curl(String[] first, String... more) {
        List<String> args = new ArrayList<>(List.of(first));
        args.addAll(List.of(more));
        return curl(args.toArray(String[]::new));
    }

    private static Curl curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("curl did not return: " + cmd);
            }
            int nl = out.lastIndexOf('\n');
            return new Curl(p.exitValue(), out.substring(nl + 1).strip(), nl < 0 ? "" : out.substring(0, nl));
        } catch (IOException e) {
            throw new AssertionError("cannot run curl", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }


    /** What the agent printed, without the harness's "# command" header. */
    private static String output(AgentProcess agent) {
        return agent.log().lines().filter(l -> !l.startsWith("# ")).collect(Collectors.joining("\n")).strip();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
