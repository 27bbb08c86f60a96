package io.apptheus.cli.ps;

import io.apptheus.proc.UserStrings;

/**
 * What {@code apptheus ps} prints comes from users' process titles (an instance name may hold an
 * escape sequence, a line feed, a whole forged table row): nothing of it reaches the terminal as a
 * control character. Pure.
 */
final class TerminalText {

    private TerminalText() {
    }

    /**
     * For the table and messages: a backslash doubled, every control character ({@link
     * UserStrings#isControl}: C0, DEL, C1, line separators, bidirectional overrides) written as a
     * visible escape ({@code \n}, {@code \t}, {@code \r}, {@code \e}, {@code \x7f}, {@code \}{@code u202e}).
     */
    static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String esc = switch (c) {
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\t' -> "\\t";
                case '\r' -> "\\r";
                case '\033' -> "\\e";
                default -> !UserStrings.isControl(c) ? null
                        : c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
            };
            if (esc != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (esc != null) {
                    b.append(esc);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * For {@code --json}: the same JSON with every character outside printable ASCII written as a
     * JSON escape ({@code \}{@code u001b}, {@code \}{@code u00e9}), so the values stay exactly what
     * the API said (jq shows them as they are) while the terminal sees ASCII only. {@code json} has
     * been parsed already: such characters can only be inside its strings, where the escape is
     * valid; whitespace between tokens other than a space or a line feed is dropped.
     */
    static String asciiJson(String json) {
        StringBuilder b = new StringBuilder(json.length() + 16);
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    b.append(c).append(json.charAt(++i)); // an escape the agent wrote: ASCII
                    continue;
                }
                if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '\t' || c == '\r') {
                continue;
            }
            if (c >= 0x20 && c < 0x7f || c == '\n') {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        return b.toString();
    }
}
