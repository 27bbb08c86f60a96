package io.apptheus.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.apptheus.monitor.SampleHistory;
import io.apptheus.proc.StarterTitle;

class StatusPageTest {

    private static final StatusPage PAGE = StatusPage.load();

    private static String render(List<ContainerView> cs) {
        return PAGE.render("0.1.0", Views.NODE, Views.NOW, "16:00:00 UTC", "/metrics", cs);
    }

    private static String rowOf(String html, String name) {
        Matcher m = Pattern.compile("<tr[^>]*data-name=\"" + Pattern.quote(name) + "\".*?</tr>", Pattern.DOTALL)
                .matcher(html);
        assertTrue(m.find(), "no row for " + name);
        return m.group();
    }

    @Test
    void theTableIsInThePageWithoutJavaScript() {
        String html = render(Views.all());
        assertFalse(html.contains("{{"), "every marker replaced");
        String web1 = rowOf(html, "starter_4242");
        for (String cell : List.of(">starter_4242<", ">web1<", ">alice<", "uid 1000", ">4242<", ">1.98<", ">48.0MiB<",
                "of 2.0GiB", "0B / 1.2MiB", ">3<", ">5m12s<", "state running")) {
            assertTrue(web1.contains(cell), cell + " in " + web1);
        }
        assertTrue(web1.contains("class=\"cpu-line\""), "CPU sparkline drawn on the server");
        String run = rowOf(html, "starter-suid_777");
        assertTrue(run.contains("<td class=\"muted\">run</td>") && run.contains("no limit") && !run.contains("uid "),
                run);
        String exited = rowOf(html, "starter_99");
        assertTrue(exited.startsWith("<tr class=\"exited\"") && exited.contains(">exited<"), exited);
        assertTrue(html.indexOf("starter_4242") < html.indexOf("starter-suid_777"), "the caller's order is kept");
        assertTrue(html.contains("<title>Apptheus · node17</title>"));
        assertTrue(html.contains("3 <span class=\"of\">2 running</span>"), "container count");
        assertTrue(html.contains("2.23 <span class=\"of\">of 64 cores</span>"), "running containers' cores");
        assertTrue(html.contains("<a href=\"metrics\">"), "relative link to the telemetry path");
    }

    @Test
    void everythingAContainerOrUserNamesIsEscaped() {
        ContainerView w = Views.web1();
        ContainerView evil = new ContainerView("/x/<b>", "a\"<script>alert(1)</script>", 1, 2, "<i>mallory</i>",
                new StarterTitle(StarterTitle.Kind.INSTANCE, "<img src=x onerror=alert(1)>", "m"), true,
                w.startTime(), w.lastSeen(), 1, 0, 0, 0, 0, 0, 0, 0, 0, w.history());
        String html = render(List.of(evil));
        String body = html.substring(html.indexOf("<tbody"), html.indexOf("</tbody>"));
        assertFalse(body.contains("<script") || body.contains("<img") || body.contains("<i>") || body.contains("<b>"),
                body);
        assertTrue(body.contains("data-name=\"a&quot;&lt;script&gt;alert(1)&lt;/script&gt;\""), body);
        assertTrue(body.contains("&lt;img src=x onerror=alert(1)&gt;"), body);
    }

    @Test
    void noContainersSaysSo() {
        assertTrue(render(List.of()).contains("<td colspan=\"12\">No containers are monitored right now.</td>"));
    }

    @Test
    void theContentSecurityPolicyAllowsExactlyThePagesOwnScriptAndStyle() throws Exception {
        String html = render(Views.all());
        String script = html.substring(html.indexOf("<script>") + 8, html.indexOf("</script>"));
        String style = html.substring(html.indexOf("<style>") + 7, html.indexOf("</style>"));
        String csp = PAGE.contentSecurityPolicy();
        assertTrue(csp.contains("script-src '" + sha256(script) + "'"), csp);
        assertTrue(csp.contains("style-src '" + sha256(style) + "'"), csp);
        assertTrue(csp.startsWith("default-src 'none'; connect-src 'self';"), csp);
        assertFalse(html.contains("http://") && html.replace("http://www.w3.org/2000/svg", "").contains("http://"),
                "nothing fetched from elsewhere");
        assertFalse(html.contains("https://"), "nothing fetched from elsewhere");
        assertFalse(html.contains(" style=\""), "no style attributes: the CSP would block them");
    }

    @Test
    void aSparklineFillsFromTheRightAndScalesToItsPeak() {
        String svg = StatusPage.spark(new double[] {100, 250, 400}, new double[] {1, 2, Double.NaN}, 400, "cpu");
        assertEquals("<svg viewBox=\"0 0 100 26\" role=\"img\"><line x1=\"0\" y1=\"25.5\" x2=\"100\" y2=\"25.5\" "
                + "class=\"base\"></line><path d=\"M0.0 14.7 L50.0 4.5 L50.0 26 L0.0 26 Z\" class=\"cpu-area\"></path>"
                + "<path d=\"M0.0 14.7 L50.0 4.5\" class=\"cpu-line\"></path></svg>", svg);
        assertFalse(StatusPage.spark(new double[] {1}, new double[] {1}, 2, "mem").contains("<path"),
                "one point draws no line");
    }

    @Test
    void theRatesOfAnExitedContainerAreNotShown() {
        ContainerView e = Views.exited();
        assertTrue(Double.isNaN(e.rates().cpuCores()));
        assertEquals(0.9, e.history().rates().cpuCores(), 0, "the history keeps its last rate");
        assertEquals(SampleHistory.Rates.class, e.rates().getClass());
    }

    @Test
    void markersAreFilledInOnePass() {
        assertEquals("<b>{{rows}}</b>|x", StatusPage.fill("<b>{{host}}</b>|{{rows}}",
                java.util.Map.of("host", "{{rows}}", "rows", "x")));
    }

    private static String sha256(String s) throws Exception {
        return "sha256-" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
