package io.apptheus.cli;

/**
 * Text a user wrote (an environment variable's name or value) echoed in a one-line error: cut to a
 * bound and with control characters as {@code \xNN}, so that a value from /etc/default/apptheus
 * cannot make the journal line long, split it or colour a terminal; and the known name nearest to a
 * misspelt one.
 */
final class UserText {

    /** An echoed value is cut to this many characters. */
    static final int MAX_ECHO = 120;

    private UserText() {
    }

    /** {@code text} cut to {@code max} characters (the length said after it), control characters escaped. */
    static String printable(String text, int max) {
        StringBuilder b = new StringBuilder();
        int n = Math.min(text.length(), max);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (text.length() > max) {
            b.append("...(").append(text.length()).append(" characters)");
        }
        return b.toString();
    }

    /** {@link #printable} in double quotes, inner quotes escaped. */
    static String quoted(String text) {
        return "\"" + printable(text, MAX_ECHO).replace("\"", "\\\"") + "\"";
    }

    /** " (did you mean X?)" for the known name closest to {@code name} if it is close, else "". */
    static String didYouMean(String name, Iterable<String> known) {
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

    // Levenshtein distance; names are short
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
}
