package io.apptheus.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses argv into a {@link CommandLine}. Pure: no I/O, no statics touched.
 * Accepts {@code --flag=value} and {@code --flag value} (one or two leading dashes).
 */
public final class FlagParser {

    /** Apptheus flags that have no meaning here: accepted, with a warning. */
    private static final Set<String> IGNORED = Set.of("persistence.file", "persistence.interval");

    private FlagParser() {
    }

    /**
     * As {@link #parse(String[])}, then the {@code APPTHEUS_<FLAG>} variables of {@code env} under the
     * flags (see {@link EnvironmentFlags}): a flag wins, an unknown {@code APPTHEUS_} variable or a bad
     * value is {@link CommandLine.Invalid}. Help, version and ps do not look at the environment.
     */
    public static CommandLine parse(String[] args, Map<String, String> env) {
        CommandLine fromArgs = parse(args);
        return fromArgs instanceof CommandLine.Run run ? EnvironmentFlags.merge(env, run) : fromArgs;
    }

    /** The command line alone, without the environment. */
    public static CommandLine parse(String[] args) {
        if (args.length > 0 && args[0].equals("ps")) {
            return new CommandLine.Ps(List.of(args).subList(1, args.length));
        }
        Map<String, String> props = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        Map<String, List<String>> repeated = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("-help")) {
                return new CommandLine.Help();
            }
            if (arg.equals("--version") || arg.equals("-version")) {
                return new CommandLine.Version();
            }
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                return new CommandLine.Invalid("unexpected argument \"" + arg + "\" (flags look like --name=value)");
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String name = body;
            String value = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                name = body.substring(0, eq);
                value = body.substring(eq + 1);
            }
            Flag flag = Flags.find(name);
            if (flag == null && !IGNORED.contains(name)) {
                return new CommandLine.Invalid("unknown flag --" + name + " (see --help)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    return new CommandLine.Invalid("flag --" + name + " needs a value");
                }
                value = args[++i];
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

    public static String usage() {
        StringBuilder sb = new StringBuilder();
        sb.append("usage: apptheus [flags]\n");
        sb.append("       apptheus ps [--sort cpu|mem|io|start] [--json] [--watch] [--address HOST:PORT]\n\n");
        sb.append("Connects Apptainer containers to Prometheus: each trusted starter that connects to the socket\n");
        sb.append("gets its own cgroup, whose counters are published on the metrics endpoint. Needs root.\n");
        sb.append("\"apptheus ps\" lists the containers of the agent running on this host (no root needed;\n");
        sb.append("see apptheus ps --help); the agent's status page is at / on its web address.\n\n");
        sb.append("Flags:\n");
        for (Flag f : Flags.ALL) {
            String left = "  --" + f.name() + "=" + f.valueHint();
            sb.append(String.format("%-34s %s", left, f.help()));
            if (!f.defaultValue().isEmpty()) {
                sb.append(" (default ").append(f.defaultValue()).append(')');
            }
            if (f.repeatable()) {
                sb.append(" (repeatable)");
            }
            sb.append('\n');
        }
        sb.append(String.format("%-34s %s%n", "  -h, --help", "show this help"));
        sb.append(String.format("%-34s %s%n", "  --version", "show the version"));
        sb.append("\nEvery flag is also an environment variable: APPTHEUS_ and the flag's name in upper case with\n");
        sb.append("dots and dashes as underscores (APPTHEUS_TRUST_PATH, APPTHEUS_WEB_LISTEN_ADDRESS; a repeatable\n");
        sb.append("flag's values separated by commas). A flag wins over its variable; an APPTHEUS_ variable that\n");
        sb.append("names no flag is an error. The systemd unit reads them from /etc/default/apptheus.\n");
        return sb.toString();
    }
}
