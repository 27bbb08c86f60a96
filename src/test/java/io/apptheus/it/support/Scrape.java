package io.apptheus.it.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One scrape of a Prometheus text exposition (format 0.0.4, also the OpenMetrics subset that
 * Micrometer writes). Parsing is strict: a malformed line fails with its line number, so that a
 * broken exposition fails the test that scraped it.
 *
 * <pre>
 * # HELP container_cpu_usage_seconds_total Cumulative CPU time.
 * # TYPE container_cpu_usage_seconds_total counter
 * container_cpu_usage_seconds_total{job="starter_1234",path="a\"b\\c\nd"} 1.25e+00 1700000000000
 * http_req_bucket{le="+Inf"} 3
 * </pre>
 */
public final class Scrape {
    /** One sample line. {@code labels} keeps the exposition's order and is unmodifiable. */
    public record Sample(String name, Map<String, String> labels, double value, OptionalLong timestampMillis) {
        /** Whether every entry of {@code subset} is among this sample's labels. */
        public boolean matches(Map<String, String> subset) {
            for (Map.Entry<String, String> e : subset.entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    private final String raw;
    private final List<Sample> samples;
    private final Map<String, String> types;
    private final Map<String, String> helps;

    private Scrape(String raw, List<Sample> samples, Map<String, String> types, Map<String, String> helps) {
        this.raw = raw;
        this.samples = samples;
        this.types = types;
        this.helps = helps;
    }

    /** Parses an exposition; throws IllegalArgumentException naming the bad line. */
    public static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            try {
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("#")) {
                    comment(line, types, helps);
                } else {
                    samples.add(new LineParser(line).sample());
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage() + ": " + line, e);
            }
        }
        return new Scrape(text, Collections.unmodifiableList(samples), Collections.unmodifiableMap(types),
                Collections.unmodifiableMap(helps));
    }

    /** The exposition text as received. */
    public String raw() {
        return raw;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** Sample names (with _bucket, _sum, ... suffixes as written), sorted. */
    public Set<String> names() {
        return samples.stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every sample of that name. */
    public List<Sample> series(String name) {
        return series(name, Map.of());
    }

    /** Every sample of that name whose labels include {@code labelSubset}. */
    public List<Sample> series(String name, Map<String, String> labelSubset) {
        return samples.stream().filter(s -> s.name().equals(name) && s.matches(labelSubset))
                .collect(Collectors.toList());
    }

    /** The labels that select one container's series: {@code name="<exe>_<pid>"}. */
    public static Map<String, String> named(String container) {
        return Map.of("name", container);
    }

    /** {@code apptheus_registrations_total{result="..."}}, 0 when absent. */
    public double registrations(String result) {
        return value("apptheus_registrations_total", Map.of("result", result)).orElse(0);
    }

    /**
     * The value of the one sample of that name whose labels include {@code labelSubset}; empty if
     * none. Throws IllegalStateException if several match: a test must name its series exactly.
     */
    public OptionalDouble value(String name, Map<String, String> labelSubset) {
        List<Sample> found = series(name, labelSubset);
        if (found.size() > 1) {
            throw new IllegalStateException(found.size() + " samples of " + name + " match " + labelSubset
                    + ": " + found);
        }
        return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(found.get(0).value());
    }

    public OptionalDouble value(String name) {
        return value(name, Map.of());
    }

    /** Whether some sample of that name has labels including {@code labelSubset}. */
    public boolean has(String name, Map<String, String> labelSubset) {
        return !series(name, labelSubset).isEmpty();
    }

    /** The {@code # TYPE} of a metric family (family name, without _bucket/_sum/_count/_total suffixes as declared). */
    public Optional<String> type(String family) {
        return Optional.ofNullable(types.get(family));
    }

    /** The {@code # HELP} text of a metric family, unescaped. */
    public Optional<String> help(String family) {
        return Optional.ofNullable(helps.get(family));
    }

    @Override
    public String toString() {
        return raw;
    }

    // "# HELP name text" (text escapes \\ and \n), "# TYPE name type"; other comments are ignored
    private static void comment(String line, Map<String, String> types, Map<String, String> helps) {
        String[] parts = line.split("[ \t]+", 4);
        if (parts.length < 3 || !parts[0].equals("#")) {
            return;
        }
        if (parts[1].equals("TYPE")) {
            if (parts.length != 4 || !LineParser.isName(parts[2])) {
                throw new IllegalArgumentException("bad TYPE line");
            }
            types.put(parts[2], parts[3].trim());
        } else if (parts[1].equals("HELP")) {
            if (!LineParser.isName(parts[2])) {
                throw new IllegalArgumentException("bad HELP line");
            }
            helps.put(parts[2], parts.length == 4 ? unescapeHelp(parts[3]) : "");
        }
    }

    private static String unescapeHelp(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'n' || s.charAt(i + 1) == '\\')) {
                b.append(s.charAt(++i) == 'n' ? '\n' : '\\');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** name [ '{' label="value" (',' label="value")* [','] '}' ] value [ timestamp ] */
    private static final class LineParser {
        private final String s;
        private int i;

        LineParser(String s) {
            this.s = s;
        }

        static boolean isName(String n) {
            if (n.isEmpty()) {
                return false;
            }
            for (int k = 0; k < n.length(); k++) {
                char c = n.charAt(k);
                boolean ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                        || (k > 0 && c >= '0' && c <= '9');
                if (!ok) {
                    return false;
                }
            }
            return true;
        }

        Sample sample() {
            skipSpace();
            String name = token(true);
            if (!isName(name)) {
                throw new IllegalArgumentException("bad metric name '" + name + "'");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            skipSpace();
            if (peek() == '{') {
                i++;
                labels(labels);
            }
            skipSpace();
            double value = value(token(false));
            skipSpace();
            OptionalLong ts = OptionalLong.empty();
            if (i < s.length()) {
                String t = token(false);
                try {
                    ts = OptionalLong.of(Long.parseLong(t));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad timestamp '" + t + "'");
                }
                skipSpace();
                if (i < s.length()) {
                    throw new IllegalArgumentException("trailing text");
                }
            }
            return new Sample(name, Collections.unmodifiableMap(labels), value, ts);
        }

        private void labels(Map<String, String> labels) {
            for (;;) {
                skipSpace();
                if (peek() == '}') {
                    i++;
                    return;
                }
                int start = i;
                while (i < s.length() && s.charAt(i) != '=' && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                    i++;
                }
                String label = s.substring(start, i);
                if (!isName(label) || label.contains(":")) {
                    throw new IllegalArgumentException("bad label name '" + label + "'");
                }
                skipSpace();
                expect('=');
                skipSpace();
                expect('"');
                String value = quoted();
                if (labels.put(label, value) != null) {
                    throw new IllegalArgumentException("duplicate label '" + label + "'");
                }
                skipSpace();
                char c = peek();
                if (c == ',') {
                    i++;
                } else if (c != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' at column " + (i + 1));
                }
            }
        }

        // after the opening quote; escapes: \\ \" \n
        private String quoted() {
            StringBuilder b = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    if (i >= s.length()) {
                        break;
                    }
                    char n = s.charAt(i++);
                    switch (n) {
                        case '\\' -> b.append('\\');
                        case '"' -> b.append('"');
                        case 'n' -> b.append('\n');
                        default -> throw new IllegalArgumentException("bad escape '\\" + n + "' in label value");
                    }
                } else {
                    b.append(c);
                }
            }
            throw new IllegalArgumentException("unterminated label value");
        }

        private static double value(String t) {
            switch (t.toLowerCase()) {
                case "+inf", "inf":
                    return Double.POSITIVE_INFINITY;
                case "-inf":
                    return Double.NEGATIVE_INFINITY;
                case "nan":
                    return Double.NaN;
                default:
                    break;
            }
            // Java also takes "1d", "0x1p3", "Infinity": none of them is Prometheus
            if (t.isEmpty() || !t.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                throw new IllegalArgumentException("bad value '" + t + "'");
            }
            return Double.parseDouble(t);
        }

        private String token(boolean stopAtBrace) {
            int start = i;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\t' || (stopAtBrace && c == '{')) {
                    break;
                }
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("missing token at column " + (i + 1));
            }
            return s.substring(start, i);
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at column " + (i + 1));
            }
            i++;
        }

        private void skipSpace() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }
    }
}
