package io.apptheus.metrics;

import java.util.List;

/**
 * The two text formats of the Prometheus client, as its {@code TextFormat} writes them, for the
 * families the agent writes itself ({@link SeriesTextWriter}): the header lines of a family and the
 * label block of a sample. ExpositionGoldenTest and SeriesTextWriterTest hold them to the client's
 * bytes.
 */
enum ExpositionFormat {

    /** Prometheus text 0.0.4: HELP before TYPE, a counter named with "_total", "," after each label. */
    TEXT_004("text/plain; version=0.0.4; charset=utf-8", true) {
        @Override
        String header(String name, FamilySink.Type type, String help) {
            String family = type == FamilySink.Type.COUNTER ? name + "_total" : name;
            return "# HELP " + family + ' ' + escape(help, false) + "\n# TYPE " + family + ' ' + typeName(type) + '\n';
        }
    },

    /** OpenMetrics 1.0.0: TYPE before HELP, a counter's family named without "_total", help escaped as a value. */
    OPENMETRICS_100("application/openmetrics-text; version=1.0.0; charset=utf-8", false) {
        @Override
        String header(String name, FamilySink.Type type, String help) {
            return "# TYPE " + name + ' ' + typeName(type) + "\n# HELP " + name + ' ' + escape(help, true) + '\n';
        }
    };

    final String contentType;
    /** The client's 0.0.4 writer puts "," after every label, the last one too; OpenMetrics between them. */
    private final boolean commaAfterEach;

    ExpositionFormat(String contentType, boolean commaAfterEach) {
        this.contentType = contentType;
        this.commaAfterEach = commaAfterEach;
    }

    /** The format of a content type the negotiation chose. */
    static ExpositionFormat of(String contentType) {
        for (ExpositionFormat f : values()) {
            if (f.contentType.equals(contentType)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown exposition content type " + contentType);
    }

    /** The HELP and TYPE lines of a family (a counter's name given without "_total"). */
    abstract String header(String name, FamilySink.Type type, String help);

    /** The label block of a sample, {@code {name="value",...}}; empty for no labels. */
    String labels(List<String> names, List<String> values) {
        if (names.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(16 * names.size()).append('{');
        for (int i = 0; i < names.size(); i++) {
            if (i > 0 && !commaAfterEach) {
                sb.append(',');
            }
            sb.append(names.get(i)).append("=\"").append(escape(values.get(i), true)).append('"');
            if (commaAfterEach) {
                sb.append(',');
            }
        }
        return sb.append('}').toString();
    }

    private static String typeName(FamilySink.Type type) {
        return type == FamilySink.Type.COUNTER ? "counter" : "gauge";
    }

    /** Backslash and newline escaped, and the double quote too in a label value. */
    static String escape(String s, boolean quote) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String e = c == '\\' ? "\\\\" : c == '\n' ? "\\n" : quote && c == '"' ? "\\\"" : null;
            if (e != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (e != null) {
                    sb.append(e);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }
}
