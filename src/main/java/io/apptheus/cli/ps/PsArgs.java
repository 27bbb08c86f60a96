package io.apptheus.cli.ps;

import io.apptheus.cli.ListenAddress;

import java.util.List;
import java.util.Locale;

/**
 * Parses {@code apptheus ps}'s arguments. Pure: no I/O. Accepts {@code --flag=value} and
 * {@code --flag value}, one or two leading dashes, like the agent's own flags.
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
    public record Options(Sort sort, boolean json, boolean watch, String host, int port) implements Parsed {

        /** {@code http://HOST:PORT}, IPv6 in brackets. */
        public String baseUrl() {
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
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

    public static Parsed parse(List<String> args) {
        Sort sort = Sort.CPU;
        boolean json = false;
        boolean watch = false;
        String host = "127.0.0.1";
        int port = DEFAULT_PORT;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                return new Invalid("unexpected argument \"" + arg + "\" (see apptheus ps --help)");
            }
            String body = arg.startsWith("--") ? arg.substring(2) : arg.substring(1);
            String name = body;
            String value = null;
            int eq = body.indexOf('=');
            if (eq >= 0) {
                name = body.substring(0, eq);
                value = body.substring(eq + 1);
            }
            switch (name) {
                case "h", "help" -> {
                    return new Help();
                }
                case "json", "watch" -> {
                    if (value != null) {
                        return new Invalid("flag --" + name + " takes no value");
                    }
                    json |= name.equals("json");
                    watch |= name.equals("watch");
                }
                case "sort", "address", "web.listen-address" -> {
                    if (value == null) {
                        if (i + 1 >= args.size()) {
                            return new Invalid("flag --" + name + " needs a value");
                        }
                        value = args.get(++i);
                    }
                    try {
                        if (name.equals("sort")) {
                            sort = Sort.of(value);
                        } else {
                            String[] hp = address(value);
                            host = hp[0];
                            port = Integer.parseInt(hp[1]);
                        }
                    } catch (IllegalArgumentException e) {
                        return new Invalid("invalid value \"" + value + "\" for flag --" + name + ": "
                                + e.getMessage());
                    }
                }
                default -> {
                    return new Invalid("unknown flag --" + name + " (see apptheus ps --help)");
                }
            }
        }
        return new Options(sort, json, watch, host, port);
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
                  -h, --help            show this help

                Columns: CPU in cores over the last seconds; MEM the working set (usage minus inactive
                file cache) and the memory limit ("max": none); IO R/W bytes read and written per second;
                UP the time since the agent took the container in.

                Exit status: 0 the table was printed, 2 usage error, 3 no agent answered,
                4 the answer was not the status API.
                """;
    }
}
