package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Tools;

/**
 * The status page at / in a real headless Chromium (Debian's chromium package): the server-rendered
 * table without JavaScript, then the script's refresh from the API with a sparkline and the agent's
 * health. The screenshot is kept as target/it-artifacts/status-page.png.
 */
class StatusPageIT {

    private static final Duration BROWSER = Duration.ofSeconds(90);

    @RegisterExtension
    final ItResources it = new ItResources();

    private static Optional<Path> chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Chromium, headless, as root, with a new profile and nothing fetched but the page. */
    private Cli browse(Path chromium, String url, String... mode) throws IOException {
        Path profile = Files.createTempDirectory(it.tempDir(), "chromium");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,800",
                "--virtual-time-budget=5000"));
        cmd.addAll(List.of(mode));
        cmd.add(url);
        return Cli.start(it, cmd).await(BROWSER);
    }

    @Test
    void thePageShowsTheRunningContainerRefreshedByItsScript() throws Exception {
        Optional<Path> chromium = chromium();
        Tools.require(chromium.isPresent(), "chromium is not installed (apt-get install chromium): the status page"
                + " is not tested in a browser");
        AgentProcess agent = it.agent().start().awaitReady(StatusIT.READY);
        FakeStarter.Handle web = StatusIT.burner(it, 60);
        String name = "starter_" + web.pid();
        StatusIT.awaitContainer(agent, name, "?history=1", Duration.ofSeconds(20), c -> StatusIT.cores(c) > 0.1
                && c.getJsonObject("history").getJsonArray("cpu_cores").size() >= 2);

        // without JavaScript: the server rendered the row, and the page's policy allows only itself
        HttpResponse<String> page = agent.get("/");
        assertEquals(200, page.statusCode());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.startsWith("default-src 'none'; connect-src 'self';"), csp);
        String served = row(page.body(), name);
        assertTrue(served.contains(">web1<") && served.contains(">root<"), served);
        assertTrue(page.body().contains("<tbody id=\"rows\" data-source=\"server\">"));

        // with JavaScript: the script replaced the table from the API and read the health
        Cli dom = browse(chromium.get(), agent.baseUrl() + "/", "--dump-dom");
        assertEquals(0, dom.exitCode(), dom.toString());
        String html = dom.stdout();
        assertTrue(html.contains("data-live=\"1\""), "the script ran: " + html);
        assertTrue(html.contains("<tbody id=\"rows\" data-source=\"api\">"), html);
        String live = row(html, name);
        Matcher cpu = Pattern.compile("data-cpu=\"([0-9.]+)\"").matcher(live);
        assertTrue(cpu.find() && Double.parseDouble(cpu.group(1)) > 0, "non-zero CPU in " + live);
        assertTrue(live.contains(">web1<") && live.contains("class=\"cpu-line\""), "instance and sparkline: " + live);
        assertTrue(html.contains("class=\"pill ok\"") && html.contains("agent healthy"), "health: " + html);

        Path shot = Files.createTempDirectory(it.tempDir(), "shot").resolve("status-page.png");
        Cli screenshot = browse(chromium.get(), agent.baseUrl() + "/", "--screenshot=" + shot);
        assertEquals(0, screenshot.exitCode(), screenshot.toString());
        byte[] png = Files.readAllBytes(shot);
        assertTrue(png.length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', png.length + " bytes");
        Path artifacts = Files.createDirectories(Path.of(System.getProperty("basedir", "."), "target/it-artifacts"));
        Files.copy(shot, artifacts.resolve("status-page.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static String row(String html, String name) {
        Matcher m = Pattern.compile("<tr[^>]*data-name=\"" + Pattern.quote(name) + "\".*?</tr>", Pattern.DOTALL)
                .matcher(html);
        assertTrue(m.find(), "no row for " + name + " in\n" + html);
        return m.group();
    }
}
