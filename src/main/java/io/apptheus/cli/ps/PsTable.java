package io.apptheus.cli.ps;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import io.apptheus.status.Units;

/**
 * The table of {@code apptheus ps}: pure, rows in, aligned text out (like docker stats --no-stream).
 * Every cell is {@link TerminalText#escape escaped}: a title's escape sequence or line feed shows
 * as {@code \e} or {@code \n} inside its own cell.
 */
public final class PsTable {

    private static final String GAP = "   ";

    private record Column(String header, boolean right, Function<PsRow, String> value) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("NAME", false, PsRow::name),
            new Column("USER", false, PsRow::user),
            new Column("INSTANCE", false, r -> !r.instance().isEmpty() ? r.instance()
                    : r.launch().equals("run") ? "(run)" : "-"),
            new Column("PID", true, r -> Long.toString(r.pid())),
            new Column("CPU", true, r -> Units.cores(r.cpuCores())),
            new Column("MEM / LIMIT", false, r -> Units.bytes(r.memoryWorkingSetBytes()) + " / "
                    + Units.bytes(r.memoryLimitBytes())),
            new Column("IO R/W /s", false, r -> Units.bytes(r.ioReadBytesPerSecond()) + " / "
                    + Units.bytes(r.ioWriteBytesPerSecond())),
            new Column("THREADS", true, r -> Double.isNaN(r.threads()) ? "-" : Long.toString(Math.round(r.threads()))),
            new Column("UP", true, r -> Units.duration(r.uptimeSeconds())),
            new Column("STATE", false, PsRow::state));

    private PsTable() {
    }

    /** The rows in {@code sort} order (ties by name) under a header line; every line ends in "\n". */
    public static String format(List<PsRow> rows, PsArgs.Sort sort) {
        List<PsRow> sorted = new ArrayList<>(rows);
        sorted.sort(order(sort).thenComparing(PsRow::name));
        List<String[]> cells = new ArrayList<>();
        String[] header = new String[COLUMNS.size()];
        for (int c = 0; c < header.length; c++) {
            header[c] = COLUMNS.get(c).header();
        }
        cells.add(header);
        for (PsRow r : sorted) {
            String[] line = new String[COLUMNS.size()];
            for (int c = 0; c < line.length; c++) {
                // users name their instances: no control character reaches the terminal
                line[c] = TerminalText.escape(COLUMNS.get(c).value().apply(r));
            }
            cells.add(line);
        }
        int[] width = new int[COLUMNS.size()];
        for (String[] line : cells) {
            for (int c = 0; c < line.length; c++) {
                width[c] = Math.max(width[c], line[c].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] line : cells) {
            StringBuilder l = new StringBuilder();
            for (int c = 0; c < line.length; c++) {
                if (c > 0) {
                    l.append(GAP);
                }
                String pad = " ".repeat(width[c] - line[c].length());
                l.append(COLUMNS.get(c).right() ? pad + line[c] : line[c] + pad);
            }
            out.append(l.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** Busiest first; a value not measured sorts last. */
    static Comparator<PsRow> order(PsArgs.Sort sort) {
        return switch (sort) {
            case CPU -> Comparator.comparingDouble((PsRow r) -> orLowest(r.cpuCores())).reversed();
            case MEM -> Comparator.comparingDouble((PsRow r) -> orLowest(r.memoryWorkingSetBytes())).reversed();
            case IO -> Comparator.comparingDouble((PsRow r) -> orZero(r.ioReadBytesPerSecond())
                    + orZero(r.ioWriteBytesPerSecond())).reversed();
            case START -> Comparator.comparingDouble((PsRow r) -> orLowest(r.startTime())).reversed();
        };
    }

    private static double orLowest(double v) {
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
