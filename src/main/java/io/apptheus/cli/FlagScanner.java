package io.apptheus.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads flags against a table, for the agent and for {@code apptheus ps} alike. Pure: argv and the
 * environment come in as values. Accepts {@code --flag=value} and {@code --flag value}, one or two
 * leading dashes, and kingpin's boolean forms (see {@link Flag}).
 *
 * <p>The environment: every flag is also {@code APPTHEUS_<FLAG>} (dots and dashes become
 * underscores), read through the same checks as the flag, so that a systemd unit's
 * {@code EnvironmentFile=} and a command line mean the same thing; a flag given on the command line
 * wins over its variable. A repeatable flag's variable holds its values separated by spaces or
 * commas. An {@code APPTHEUS_} variable that names no flag is an error, not silence: a typo in
 * /etc/default/apptheus must not leave a site running on a default it meant to change.
 */
public final class FlagScanner {

    static final String ENV_PREFIX = "APPTHEUS_";

    /** Variables of the launcher and the unit, not of the agent: never flags, never errors. */
    static final Set<String> NOT_FLAGS = Set.of("APPTHEUS_JAVA_OPTS", "APPTHEUS_EXTRA_ARGS", "APPTHEUS_NATIVE_OPTS");

    private FlagScanner() {
    }

    /**
     * Scans {@code args} (and, if {@code env} is not null, the environment); {@code seeHelp} ends the
     * messages of unknown flags and arguments ("see --help"). Returns {@link CommandLine.Help}
     * for -h/--help, {@link CommandLine.Version} for --version when {@code version} is true,
     * {@link CommandLine.Invalid} naming the flag or variable, or {@link CommandLine.Run} with the
     * properties of every flag given.
     */
    public static CommandLine scan(List<Flag> table, Set<String> ignored, List<String> args, Map<String, String> env,
                                   boolean version, String seeHelp) {
        Map<String, String> props = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        if (env != null) {
            String bad = fromEnvironment(table, env, props);
            if (bad != null) {
                return new CommandLine.Invalid(bad);
            }
        }
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("-help") || arg.equals("--help-long")
                    || arg.equals("--help-man")) {
                return new CommandLine.Help();
            }
            if (version && (arg.equals("--version") || arg.equals("-version"))) {
                return new CommandLine.Version();
            }
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                return new CommandLine.Invalid("unexpected argument \"" + arg + "\" (" + seeHelp + ")");
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String name = body;
            String value = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                name = body.substring(0, eq);
                value = body.substring(eq + 1);
            }
            Flag flag = find(table, name);
            if (flag == null && name.startsWith("no-")) {
                Flag negated = find(table, name.substring(3));
                if (negated != null && negated.bool() && value == null) {
                    flag = negated;
                    name = negated.name();
                    value = "false";
                } else if (isNegatedBuiltin(name.substring(3), version) && value == null) {
                    continue; // kingpin's --no-help, --no-version: nothing to do
                }
            }
            if (flag == null && !ignored.contains(name)) {
                return new CommandLine.Invalid("unknown flag --" + name + " (" + seeHelp + ")");
            }
            if (value == null) {
                if (flag != null && flag.bool()) {
                    boolean nextIsValue = i + 1 < args.size()
                            && (args.get(i + 1).equals("true") || args.get(i + 1).equals("false"));
                    value = nextIsValue ? args.get(++i) : "true";
                } else if (i + 1 >= args.size()) {
                    return new CommandLine.Invalid("flag --" + name + " needs a value");
                } else {
                    value = args.get(++i);
                }
            }
            if (flag == null) {
                warnings.add("flag --" + name + " is accepted for compatibility with Apptheus and has no effect");
                continue;
            }
            try {
                List<String> values = flag.repeatable() ? repeated.computeIfAbsent(flag.name(), n -> new ArrayList<>())
                        : new ArrayList<>();
                values.add(value);
                props.putAll(flag.toProperties().apply(values));
            } catch (IllegalArgumentException e) {
                return new CommandLine.Invalid("invalid value \"" + value + "\" for flag --" + name + ": " + e.getMessage());
            }
        }
        return new CommandLine.Run(props, warnings);
    }

    /** Adds the properties of every flag set in the environment; returns an error message, or null. */
    private static String fromEnvironment(List<Flag> table, Map<String, String> env, Map<String, String> props) {
        for (String variable : env.keySet().stream().sorted().toList()) {
            if (variable.startsWith(ENV_PREFIX) && !NOT_FLAGS.contains(variable)
                    && table.stream().noneMatch(f -> f.envName().equals(variable))) {
                return "unknown environment variable " + UserText.printable(variable, UserText.MAX_ECHO)
                        + ": no flag is called --" + variable.substring(ENV_PREFIX.length()).toLowerCase(java.util.Locale.ROOT)
                        + UserText.didYouMean(variable, table.stream().map(Flag::envName).toList()) + " (see --help)";
            }
        }
        for (Flag flag : table) {
            String value = env.get(flag.envName());
            if (value == null) {
                continue;
            }
            List<String> values = flag.repeatable()
                    ? List.of(value.trim().split("[\\s,]+")).stream().filter(v -> !v.isEmpty()).toList()
                    : List.of(value);
            if (values.isEmpty()) {
                continue;
            }
            try {
                List<String> given = new ArrayList<>();
                for (String v : values) {
                    given.add(v);
                    props.putAll(flag.toProperties().apply(List.copyOf(given)));
                }
            } catch (IllegalArgumentException e) {
                return "invalid value " + UserText.quoted(value) + " for " + flag.envName() + " (--" + flag.name() + "): "
                        + UserText.printable(String.valueOf(e.getMessage()), 2 * UserText.MAX_ECHO);
            }
        }
        return null;
    }

    private static boolean isNegatedBuiltin(String name, boolean version) {
        return name.equals("help") || (version && name.equals("version"));
    }

    static Flag find(List<Flag> table, String name) {
        for (Flag f : table) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }
}
