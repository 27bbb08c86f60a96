package io.apptheus.cli.ps;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import sun.misc.Signal;

/**
 * {@code apptheus ps}: the containers of the local agent as a table. Runs without Quarkus and
 * without root; talks to the agent's status API only.
 */
public final class PsCommand {

    public static final int EXIT_OK = 0;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NO_AGENT = 3;
    public static final int EXIT_BAD_ANSWER = 4;
    static final long WATCH_MILLIS = 2000;

    // ANSI: cursor home, clear to end of line, clear to end of screen, clear screen
    private static final String HOME = "\033[H";
    private static final String CLEAR_LINE = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";
    private static final String CLEAR_SCREEN = "\033[2J";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private PsCommand() {
    }

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        PsArgs.Parsed parsed = PsArgs.parse(args);
        if (parsed instanceof PsArgs.Help) {
            out.print(PsArgs.usage());
            return EXIT_OK;
        }
        if (parsed instanceof PsArgs.Invalid invalid) {
            err.println("apptheus ps: " + invalid.message());
            return EXIT_USAGE;
        }
        PsArgs.Options o = (PsArgs.Options) parsed;
        StatusClient client = new StatusClient(o.baseUrl());
        return o.watch() ? watch(o, client, out, err) : once(o, client, out, err);
    }

    private static int once(PsArgs.Options o, StatusClient client, PrintStream out, PrintStream err) {
        try {
            out.print(render(o, client.fetch()));
            out.flush();
            return EXIT_OK;
        } catch (StatusClient.NoAnswer e) {
            err.println("apptheus ps: " + TerminalText.escape(e.getMessage()));
            return EXIT_NO_AGENT;
        } catch (StatusClient.BadAnswer e) {
            err.println("apptheus ps: " + TerminalText.escape(e.getMessage()));
            return EXIT_BAD_ANSWER;
        }
    }

    /**
     * Redraws in place every 2 s. The first fetch decides the exit status as in a single run;
     * later failures are shown in place of the table until the agent answers again. Ctrl-C exits 0.
     */
    private static int watch(PsArgs.Options o, StatusClient client, PrintStream out, PrintStream err) {
        String first;
        try {
            first = render(o, client.fetch());
        } catch (StatusClient.NoAnswer e) {
            err.println("apptheus ps: " + TerminalText.escape(e.getMessage()));
            return EXIT_NO_AGENT;
        } catch (StatusClient.BadAnswer e) {
            err.println("apptheus ps: " + TerminalText.escape(e.getMessage()));
            return EXIT_BAD_ANSWER;
        }
        try {
            Signal.handle(new Signal("INT"), s -> {
                out.println();
                out.flush();
                // halt, not exit: the client holds nothing to clean up, and the runtime's shutdown
                // hooks would wait for the main loop, which is inside a sleep or a fetch
                Runtime.getRuntime().halt(EXIT_OK);
            });
        } catch (IllegalArgumentException e) {
            // no SIGINT handling here: ^C ends the JVM with 130
        }
        out.print(CLEAR_SCREEN);
        String frame = first;
        for (;;) {
            String title = "apptheus ps  " + client.url() + "  " + LocalTime.now().format(CLOCK)
                    + "  every " + WATCH_MILLIS / 1000 + " s, Ctrl-C to quit\n\n";
            out.print(HOME + (title + frame).replace("\n", CLEAR_LINE + "\n") + CLEAR_BELOW);
            out.flush();
            try {
                Thread.sleep(WATCH_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return EXIT_OK;
            }
            try {
                frame = render(o, client.fetch());
            } catch (StatusClient.NoAnswer | StatusClient.BadAnswer e) {
                frame = "apptheus ps: " + TerminalText.escape(e.getMessage()) + " (retrying)\n";
            }
        }
    }

    /** The table, or the JSON as it came (ASCII only); a body that is not the API's JSON is a bad answer. */
    private static String render(PsArgs.Options o, String body) throws StatusClient.BadAnswer {
        List<PsRow> rows;
        try {
            rows = PsRow.parseList(body);
        } catch (IllegalArgumentException e) {
            throw new StatusClient.BadAnswer("the answer is not the status API's JSON: " + e.getMessage());
        }
        if (o.json()) {
            String ascii = TerminalText.asciiJson(body); // the same values, no control character
            return ascii.endsWith("\n") ? ascii : ascii + "\n";
        }
        return PsTable.format(rows, o.sort());
    }
}
