package io.apptheus.it.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a Prometheus exposition (text 0.0.4 or OpenMetrics) into a form two scrapes can be compared
 * in, as node_exporter's e2e test does with its output: families sorted by name (the client's
 * registry keeps its collectors in a hash map, so their order changes from run to run), each with
 * its comment lines and samples as written. Used by the golden test of the exposition and usable
 * on any running agent's scrape (the native executable's and the JVM's, say):
 * {@link #shape(String)} keeps names, help, types and label names and drops what a run changes.
 */
public final class GoldenExposition {

    /** Label values that name the build, masked by {@link #normalise(String)}. */
    public static final Set<String> BUILD_LABELS = Set.of("version", "revision", "branch", "javaversion");
    private static final Pattern COMMENT = Pattern.compile("^# (HELP|TYPE|UNIT) (\\S+).*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private GoldenExposition() {
    }

    /** Families by name, each its lines as written ("# EOF" dropped). */
    public static Map<String, List<String>> families(String exposition) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        String currentName = null;
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.equals("# EOF")) {
                continue;
            }
            Matcher m = COMMENT.matcher(line);
            if (m.matches() && !m.group(2).equals(currentName) && !family(m.group(2)).equals(currentName)) {
                currentName = family(m.group(2));
                current = out.computeIfAbsent(currentName, k -> new ArrayList<>());
            }
            if (current == null) {
                throw new IllegalArgumentException("a sample before any family: " + line);
            }
            current.add(line);
        }
        return out;
    }

    /**
     * The exposition with its families sorted by name and the build's label values
     * ({@link #BUILD_LABELS}) replaced by "X"; "# EOF" stays last if it was there.
     */
    public static String normalise(String exposition) {
        StringBuilder sb = new StringBuilder();
        for (List<String> lines : new TreeMap<>(families(exposition)).values()) {
            for (String line : lines) {
                sb.append(line.startsWith("#") ? line : maskLabels(line, BUILD_LABELS)).append('\n');
            }
        }
        if (exposition.endsWith("# EOF\n")) {
            sb.append("# EOF\n");
        }
        return sb.toString();
    }

    /**
     * What two runs of the agent must have in common, whatever their containers and clocks: per
     * family its comment lines and the distinct label-name sets of its samples (values dropped).
     */
    public static Map<String, Set<String>> shape(String exposition) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (Map.Entry<String, List<String>> f : families(exposition).entrySet()) {
            Set<String> lines = new TreeSet<>();
            for (String line : f.getValue()) {
                lines.add(line.startsWith("#") ? line : sampleShape(line));
            }
            out.put(f.getKey(), lines);
        }
        return out;
    }

    /** {@code name{a,b}}: a sample's name and label names. */
    static String sampleShape(String sample) {
        int brace = sample.indexOf('{');
        int space = sample.indexOf(' ');
        if (brace < 0 || brace > space) {
            return sample.substring(0, space);
        }
        List<String> names = new ArrayList<>();
        Matcher m = LABEL.matcher(sample.substring(brace, sample.lastIndexOf('}') + 1));
        while (m.find()) {
            names.add(m.group(1));
        }
        return sample.substring(0, brace) + "{" + String.join(",", names) + "}";
    }

    private static String maskLabels(String sample, Set<String> masked) {
        Matcher m = LABEL.matcher(sample);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + "=\""
                    + (masked.contains(m.group(1)) ? "X" : m.group(2)) + "\""));
        }
        return m.appendTail(sb).toString();
    }

    /** A counter's samples and OpenMetrics' family name differ by "_total": one family either way. */
    private static String family(String name) {
        return name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
    }
}
