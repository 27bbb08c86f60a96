package io.apptheus.cli.ps;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.apptheus.cli.CommandLine;
import io.apptheus.cli.Flag;
import io.apptheus.cli.FlagScanner;
import io.apptheus.cli.ListenAddress;

/**
 * Parses {@code apptheus ps}'s arguments. Pure: no I/O. Read by the agent's own flag reader
 * ({@link FlagScanner}): {@code --flag=value}, {@code --flag value}, one or two leading dashes,
 * {@code --json}/{@code --no-json}.
 */
public final class PsArgs {

    public static final int DEFAULT_PORT = 9091;

    private PsArgs() {
    }

    /** What the command line asks for. */
    public sealed interface Parsed {
    }

    /**
     * List the containers.
     *
     * @param host a host name or address to connect to, IPv6 without brackets
     */
    public record Options(Sort sort, boolean json, boolean watch, String host, int port, String prefix)
            implements Parsed {

        /** {@code http://HOST:PORT/PREFIX}, IPv6 in brackets. */
        public String baseUrl() {
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + prefix;
        }
    }

    public record Help() implements Parsed {
    }

    /** A usage error: the one-line message names the argument. */
    public record Invalid(String message) implements Parsed {
    }

    /** The orders of the table, each busiest (or newest) first. */
    public enum Sort {
        CPU, MEM, IO, START;

        static Sort of(String v) {
            for (Sort s : values()) {
                if (s.name().equalsIgnoreCase(v)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("must be one of cpu, mem, io, start");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** ps's flags, read by the agent's own flag reader: the same forms, the same messages. */
    private static final List<Flag> FLAGS = List.of(
            Flag.simple("sort", "sort", "KEY", "cpu", "", v -> Sort.of(v).name()),
            Flag.bool("json", "json", "false", ""),
            Flag.bool("watch", "watch", "false", ""),
            Flag.simple("address", "address", "HOST:PORT", "127.0.0.1:9091", "", v -> String.join(" ", address(v))),
            Flag.simple("web.listen-address", "address", "HOST:PORT", "127.0.0.1:9091", "",
                    v -> String.join(" ", address(v))),
            Flag.simple("web.route-prefix", "prefix", "PATH", "", "", PsArgs::prefix));

    public static Parsed parse(List<String> args) {
        CommandLine c = FlagScanner.scan(FLAGS, Set.of(), args, null, false, "see apptheus ps --help");
        if (c instanceof CommandLine.Help) {
            return new Help();
        }
        if (c instanceof CommandLine.Invalid invalid) {
            return new Invalid(invalid.message());
        }
        Map<String, String> p = ((CommandLine.Run) c).properties();
        String[] hostPort = p.getOrDefault("address", "127.0.0.1 " + DEFAULT_PORT).split(" ");
        return new Options(Sort.valueOf(p.getOrDefault("sort", "CPU")), Boolean.parseBoolean(p.get("json")),
                Boolean.parseBoolean(p.get("watch")), hostPort[0], Integer.parseInt(hostPort[1]),
                p.getOrDefault("prefix", ""));
    }

    /** The agent's --web.route-prefix: "" or "/a/b". */
    private static String prefix(String v) {
        String trimmed = v.replaceAll("/+$", "");
        if (!trimmed.isEmpty() && (!trimmed.startsWith("/") || !trimmed.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException("must be a path such as /apptheus");
        }
        return trimmed;
    }

    /**
     * An address in {@code --web.listen-address} form, as a place to connect to: {@code :9091} and
     * {@code 0.0.0.0:9091} (every interface) mean 127.0.0.1, {@code [::]:9091} means ::1.
     * Returns {host, port}.
     */
    static String[] address(String value) {
        String[] hostPort = ListenAddress.parse(value);
        if (hostPort[1].equals("0")) {
            throw new IllegalArgumentException("port 0 is out of range");
        }
        if (hostPort[0].equals("0.0.0.0")) {
            hostPort[0] = "127.0.0.1";
        } else if (hostPort[0].equals("::")) {
            hostPort[0] = "::1";
        }
        return hostPort;
    }

    public static String usage() {
        return """
                usage: apptheus ps [--sort cpu|mem|io|start] [--json] [--watch] [--address HOST:PORT]

                Lists the containers the local agent monitors, one line each, busiest CPU first, from the
                agent's status API (GET /api/v1/containers). Needs no root.

                  --sort KEY            cpu (default), mem (working set), io (read + write per s),
                                        start (newest first)
                  --json                print the API's JSON (characters outside printable ASCII as \\u escapes)
                  --watch               refresh every 2 s until Ctrl-C
                  --address HOST:PORT   the agent's --web.listen-address (default 127.0.0.1:9091;
                                        ":9091" and "0.0.0.0:9091" mean this host)
                  --web.route-prefix P  the agent's --web.route-prefix, if it has one
                  -h, --help            show this help

                Columns: CPU in cores over the last seconds; MEM the working set (usage minus inactive
                file cache) and the memory limit ("max": none); IO R/W bytes read and written per second;
                UP the time since the agent took the container in.

                Exit status: 0 the table was printed, 2 usage error, 3 no agent answered,
                4 the answer was not the status API.
                """;
    }
}
