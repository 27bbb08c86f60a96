package io.apptheus.status;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.apptheus.monitor.SampleHistory;
import io.apptheus.proc.StarterTitle;

/**
 * The status page: {@code status/index.html} (inline CSS and JS, nothing fetched but the API and
 * /q/health) with the table rendered in on the server, escaped, so that it shows the data without
 * JavaScript; the script then refreshes it from the API. Its Content-Security-Policy allows exactly
 * the page's own inline style and script, by hash.
 */
public final class StatusPage {

    public static final String RESOURCE = "status/index.html";
    static final int COLUMNS = 12;
    private static final double WINDOW_SECONDS = 300;
    private static final Pattern MARKER = Pattern.compile("\\{\\{(\\w+)}}");

    private final String template;
    private final String contentSecurityPolicy;

    public StatusPage(String template) {
        this.template = template;
        this.contentSecurityPolicy = "default-src 'none'; connect-src 'self'; img-src data:; "
                + "style-src '" + sha256(between(template, "<style>", "</style>")) + "'; "
                + "script-src '" + sha256(between(template, "<script>", "</script>")) + "'; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /** The page of this build, read once from the class path. */
    public static StatusPage load() {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        try (InputStream in = (cl != null ? cl : StatusPage.class.getClassLoader()).getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the status page " + RESOURCE + " is not on the class path");
            }
            return new StatusPage(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the status page " + RESOURCE, e);
        }
    }

    public String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    /**
     * The page for these containers (sorted busiest CPU first by the caller).
     *
     * @param now          seconds since the epoch, the right end of the sparklines
     * @param clock        the same time as shown, e.g. "14:02:03 CET"
     * @param metricsPath  the telemetry path, e.g. "/metrics"
     */
    public String render(String version, NodeInfo node, double now, String clock, String metricsPath,
                         List<ContainerView> cs) {
        StringBuilder rows = new StringBuilder();
        for (ContainerView c : cs) {
            row(rows, c, node.cpus(), now);
        }
        if (cs.isEmpty()) {
            rows.append("<tr class=\"empty\"><td colspan=\"").append(COLUMNS)
                    .append("\">No containers are monitored right now.</td></tr>\n");
        }
        int running = 0;
        double cpu = 0;
        double mem = 0;
        double read = 0;
        double write = 0;
        for (ContainerView c : cs) {
            running += c.running() ? 1 : 0;
            cpu += orZero(c.rates().cpuCores());
            mem += orZero(c.memoryWorkingSetBytes());
            read += orZero(c.rates().ioReadBytesPerSecond());
            write += orZero(c.rates().ioWriteBytesPerSecond());
        }
        String host = node.hostname().isEmpty() ? "this node" : node.hostname();
        Map<String, String> values = Map.of(
                "host", escape(host),
                "time", escape(clock),
                "version", escape(version),
                "metrics", escape(metricsPath.substring(1)),
                "containers", cs.size() + of(running == cs.size() ? "running" : running + " running"),
                "cpu", Units.cores(cpu) + of(node.cpus() > 0 ? "of " + node.cpus() + " cores" : "cores"),
                "memory", Units.bytes(mem)
                        + (node.memoryBytes() > 0 ? of("of " + Units.bytes(node.memoryBytes())) : ""),
                "io", Units.bytes(read) + " / " + Units.bytes(write),
                "rows", rows.toString());
        return fill(template, values);
    }

    /** Replaces every {@code {{name}}} in one pass, so a value is never searched for markers itself. */
    static String fill(String template, Map<String, String> values) {
        Matcher m = MARKER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 8192);
        while (m.find()) {
            String v = values.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("the status page has an unknown marker " + m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void row(StringBuilder b, ContainerView c, int cpus, double now) {
        SampleHistory.Rates r = c.rates();
        b.append("<tr").append(c.running() ? "" : " class=\"exited\"").append(" data-name=\"").append(escape(c.name()))
                .append("\" data-cpu=\"").append(Double.isNaN(r.cpuCores()) ? "" : Double.toString(r.cpuCores()))
                .append("\">");
        b.append("<td class=\"name\" title=\"").append(escape(c.id())).append("\">").append(escape(c.name()))
                .append("</td>");
        if (!c.title().instance().isEmpty()) {
            td(b, "", escape(c.title().instance()));
        } else {
            td(b, "muted", c.title().kind() == StarterTitle.Kind.RUN ? "run" : "-");
        }
        td(b, "", escape(c.user()) + (c.user().equals(Long.toString(c.uid())) ? ""
                : "<div class=\"sub\">uid " + c.uid() + "</div>"));
        td(b, "num", Long.toString(c.pid()));
        double share = !Double.isNaN(r.cpuCores()) && cpus > 0 ? Math.min(1, r.cpuCores() / cpus) : 0;
        td(b, "num cpu", "<span class=\"v\">" + Units.cores(r.cpuCores()) + "</span><span class=\"bar\">"
                + "<svg width=\"100%\" height=\"4\" viewBox=\"0 0 80 4\" preserveAspectRatio=\"none\">"
                + "<rect x=\"0\" y=\"0\" height=\"4\" width=\"" + fmt(80 * share) + "\"></rect></svg></span>");
        SampleHistory.Snapshot h = c.history();
        td(b, "spark wide", spark(h.times(), h.cpuCores(), now, "cpu"));
        double limit = c.memoryLimitBytes();
        td(b, "num", Units.bytes(c.memoryWorkingSetBytes()) + (Double.isNaN(limit) ? ""
                : "<div class=\"sub\">" + (Double.isInfinite(limit) ? "no limit" : "of " + Units.bytes(limit))
                + "</div>"));
        td(b, "spark wide", spark(h.times(), h.memoryWorkingSetBytes(), now, "mem"));
        td(b, "num", Units.bytes(r.ioReadBytesPerSecond()) + " / " + Units.bytes(r.ioWriteBytesPerSecond()));
        td(b, "num", Double.isNaN(c.threads()) ? "-" : Long.toString(Math.round(c.threads())));
        td(b, "num", Units.duration(c.uptimeSeconds()));
        td(b, "", "<span class=\"state " + c.state() + "\">" + (c.running() ? "running" : "exited") + "</span>");
        b.append("</tr>\n");
    }

    /** An inline SVG sparkline of the last 5 minutes up to {@code now}, as the page's script draws it. */
    static String spark(double[] times, double[] values, double now, String kind) {
        final int w = 100;
        final int h = 26;
        StringBuilder d = new StringBuilder();
        double max = 0;
        int first = -1;
        int last = -1;
        for (int i = 0; i < values.length; i++) {
            if (!Double.isNaN(values[i]) && now - times[i] <= WINDOW_SECONDS) {
                max = Math.max(max, values[i]);
                first = first < 0 ? i : first;
                last = i;
            }
        }
        StringBuilder s = new StringBuilder("<svg viewBox=\"0 0 100 26\" role=\"img\"><line x1=\"0\" y1=\"25.5\" "
                + "x2=\"100\" y2=\"25.5\" class=\"base\"></line>");
        if (first >= 0 && last > first) {
            double top = max > 0 ? max * 1.12 : 1;
            for (int i = first; i <= last; i++) {
                if (Double.isNaN(values[i])) {
                    continue;
                }
                double x = w * (1 - (now - times[i]) / WINDOW_SECONDS);
                double y = h - 1 - (h - 3) * values[i] / top;
                d.append(d.length() == 0 ? "M" : " L").append(fmt(x)).append(' ').append(fmt(y));
            }
            String x0 = fmt(w * (1 - (now - times[first]) / WINDOW_SECONDS));
            String x1 = fmt(w * (1 - (now - times[last]) / WINDOW_SECONDS));
            s.append("<path d=\"").append(d).append(" L").append(x1).append(' ').append(h).append(" L").append(x0)
                    .append(' ').append(h).append(" Z\" class=\"").append(kind).append("-area\"></path>");
            s.append("<path d=\"").append(d).append("\" class=\"").append(kind).append("-line\"></path>");
        }
        return s.append("</svg>").toString();
    }

    private static void td(StringBuilder b, String cls, String html) {
        b.append(cls.isEmpty() ? "<td>" : "<td class=\"" + cls + "\">").append(html).append("</td>");
    }

    private static String of(String text) {
        return " <span class=\"of\">" + escape(text) + "</span>";
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes text for HTML element content and quoted attribute values. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    private static String between(String text, String open, String close) {
        int a = text.indexOf(open);
        int z = a < 0 ? -1 : text.indexOf(close, a);
        if (a < 0 || z < 0 || text.indexOf(open, z) >= 0) {
            throw new IllegalStateException("the status page needs exactly one " + open + " element");
        }
        return text.substring(a + open.length(), z);
    }

    private static String sha256(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
