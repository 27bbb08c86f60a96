package io.apptheus.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The second spelling of every flag: {@code APPTHEUS_<FLAG>} in the environment, the flag's name in
 * upper case with dots and dashes as underscores ({@code --web.listen-address} is
 * {@code APPTHEUS_WEB_LISTEN_ADDRESS}). This is how systemd's {@code EnvironmentFile=/etc/default/apptheus}
 * configures the agent: the unit passes no flag, so a site's line there always takes effect. A
 * variable goes through the same checks as its flag; a flag on the command line wins over it.
 *
 * <p>An {@code APPTHEUS_} variable that names no flag is an error (a typo in /etc/default/apptheus
 * must not pass silently), except the launcher's own ({@link #LAUNCHER}). A repeatable flag's
 * variable takes its values separated by commas.
 */
final class EnvironmentFlags {

    static final String PREFIX = "APPTHEUS_";
    /** Read by the launcher (/usr/bin/apptheus), not by the agent. */
    static final Set<String> LAUNCHER = Set.of("APPTHEUS_JAVA_OPTS", "APPTHEUS_NATIVE_OPTS", "APPTHEUS_EXTRA_ARGS");
    /** A value echoed in an error is cut to this many characters. */
    private static final int MAX_ECHO = 120;

    private EnvironmentFlags() {
    }

    /** The variable that stands for a flag: {@code web.listen-address} → {@code APPTHEUS_WEB_LISTEN_ADDRESS}. */
    static String variable(String flagName) {
        return PREFIX + flagName.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The properties the environment's {@code APPTHEUS_*} variables stand for, under those the command
     * line set ({@code fromArgs}: a flag wins), or the first error in the variables' name order.
     */
    static CommandLine merge(Map<String, String> env, CommandLine.Run fromArgs) {
        Map<String, Flag> byVariable = new LinkedHashMap<>();
        for (Flag f : Flags.ALL) {
            byVariable.put(variable(f.name()), f);
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(PREFIX) || LAUNCHER.contains(name)) {
                continue;
            }
            Flag flag = byVariable.get(name);
            if (flag == null) {
                return new CommandLine.Invalid("unknown environment variable " + printable(name)
                        + suggestion(name, byVariable.keySet())
                        + " (each flag --x.y-z is APPTHEUS_X_Y_Z; see --help)");
            }
            List<String> values = flag.repeatable() ? split(e.getValue()) : List.of(e.getValue());
            try {
                props.putAll(flag.toProperties().apply(values));
            } catch (IllegalArgumentException ex) {
                return new CommandLine.Invalid("invalid value " + quoted(e.getValue()) + " for " + name + " (--"
                        + flag.name() + "): " + printable(String.valueOf(ex.getMessage()), 2 * MAX_ECHO));
            }
        }
        props.putAll(fromArgs.properties());
        return new CommandLine.Run(props, fromArgs.warnings());
    }

    // "a, b" → [a, b]; an empty value stays one empty value, for the flag to judge
    private static List<String> split(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            out.add(part.strip());
        }
        return out;
    }

    /** " (did you mean X?)" for the flag variable closest to a misspelt one, or nothing. */
    static String suggestion(String name, Iterable<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(name, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, name.length() / 5) ? " (did you mean " + best + "?)" : "";
    }

    // Levenshtein distance; both strings are short
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int subst = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(subst, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The value in double quotes, cut to {@value #MAX_ECHO} characters, control characters escaped: one log line. */
    static String quoted(String value) {
        return "\"" + printable(value, MAX_ECHO).replace("\"", "\\\"") + "\"";
    }

    private static String printable(String value) {
        return printable(value, MAX_ECHO);
    }

    // control characters as \xNN (one log line, no terminal escapes), cut to max characters
    private static String printable(String value, int max) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(value.length(), max);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (value.length() > max) {
            b.append("...(").append(value.length()).append(" characters)");
        }
        return b.toString();
    }
}
