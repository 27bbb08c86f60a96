package io.apptheus.cli;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the agent's argv (and environment) into a {@link CommandLine}. Pure: no I/O, no statics
 * touched; the reading itself is {@link FlagScanner}'s, shared with {@code apptheus ps}.
 */
public final class FlagParser {

    /** Apptheus flags that have no meaning here: accepted, with a warning. */
    private static final Set<String> IGNORED = Set.of("persistence.file", "persistence.interval");

    private FlagParser() {
    }

    /** Parses argv alone (the environment is not read): for tests and tools. */
    public static CommandLine parse(String[] args) {
        return parse(args, null);
    }

    /**
     * Parses argv and, unless {@code env} is null, the APPTHEUS_* environment variables, each of
     * which stands for one flag (a flag on the command line wins).
     */
    public static CommandLine parse(String[] args, Map<String, String> env) {
        if (args.length > 0 && args[0].equals("ps")) {
            return new CommandLine.Ps(List.of(args).subList(1, args.length));
        }
        return FlagScanner.scan(Flags.ALL, IGNORED, List.of(args), env, true, "see --help");
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
            String left = f.bool() ? "  --[no-]" + f.name() : "  --" + f.name() + "=" + f.valueHint();
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
        sb.append("\nEvery flag is also an environment variable: APPTHEUS_<FLAG>, dots and dashes as underscores\n");
        sb.append("(APPTHEUS_TRUST_PATH, APPTHEUS_WEB_LISTEN_ADDRESS); a flag on the command line wins. An\n");
        sb.append("APPTHEUS_ variable that names no flag stops the agent (exit 2), as a bad flag does.\n");
        return sb.toString();
    }
}
