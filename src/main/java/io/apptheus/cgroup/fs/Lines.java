package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.StatsBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A cursor over the lines and the space-separated tokens of one read of a kernel file, working
 * on the bytes in place: no String is made unless a line is malformed. Blank lines are skipped.
 * Reused from sample to sample through {@link #reset}.
 */
final class Lines {

    private static final byte[] MAX = ascii("max");

    /** Where the bytes came from, for error messages: a kernel file (its path made only then) or a path. */
    private KernelFile source;
    private Path file;
    private byte[] b;
    private int length;
    private int next;
    private int lineNo;
    private int lineStart;
    private int lineEnd;
    private int tokenStart;
    private int tokenEnd;

    Lines reset(Path file, byte[] b, int length) {
        return reset(null, file, b, length);
    }

    Lines reset(KernelFile source, byte[] b, int length) {
        return reset(source, null, b, length);
    }

    private Lines reset(KernelFile source, Path file, byte[] b, int length) {
        this.source = source;
        this.file = file;
        this.b = b;
        this.length = length;
        this.next = 0;
        this.lineNo = 0;
        this.lineStart = 0;
        this.lineEnd = 0;
        this.tokenEnd = 0;
        return this;
    }

    Path file() {
        return source != null ? source.path() : file;
    }

    /** Moves to the next line that holds a token; false at the end of the content. */
    boolean next() {
        while (next < length) {
            lineNo++;
            lineStart = next;
            int end = lineStart;
            while (end < length && b[end] != '\n') {
                end++;
            }
            lineEnd = end;
            next = end + 1;
            tokenEnd = lineStart;
            if (hasToken()) {
                return true;
            }
        }
        return false;
    }

    private boolean hasToken() {
        for (int i = lineStart; i < lineEnd; i++) {
            if (!isSpace(b[i])) {
                return true;
            }
        }
        return false;
    }

    /** Moves to the next token of the current line; false when the line has no more. */
    boolean token() {
        int i = tokenEnd;
        while (i < lineEnd && isSpace(b[i])) {
            i++;
        }
        if (i == lineEnd) {
            tokenStart = tokenEnd = lineEnd;
            return false;
        }
        tokenStart = i;
        while (i < lineEnd && !isSpace(b[i])) {
            i++;
        }
        tokenEnd = i;
        return true;
    }

    int tokenStart() {
        return tokenStart;
    }

    int tokenEnd() {
        return tokenEnd;
    }

    boolean tokenIs(byte[] word) {
        return regionIs(tokenStart, tokenEnd, word);
    }

    boolean regionIs(int from, int to, byte[] word) {
        if (to - from != word.length) {
            return false;
        }
        for (int i = 0; i < word.length; i++) {
            if (b[from + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    /** Position of {@code c} in the current token, or -1. */
    int indexInToken(byte c) {
        for (int i = tokenStart; i < tokenEnd; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The current token as a decimal integer, optionally signed. */
    long tokenNumber() throws CgroupReadException {
        return number(tokenStart, tokenEnd);
    }

    /** The current token as an integer, or "max" (no limit) as {@link StatsBuffer#UNLIMITED}. */
    long tokenNumberOrMax() throws CgroupReadException {
        return tokenIs(MAX) ? StatsBuffer.UNLIMITED : number(tokenStart, tokenEnd);
    }

    /** {@code b[from, to)} as a decimal integer: optional '-', digits, no overflow. */
    long number(int from, int to) throws CgroupReadException {
        boolean negative = from < to && b[from] == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            throw malformed("\"" + text(from, to) + "\" is not an integer");
        }
        long value = 0;
        for (; i < to; i++) {
            int digit = b[i] - '0';
            if (digit < 0 || digit > 9) {
                throw malformed("\"" + text(from, to) + "\" is not an integer");
            }
            if (value > (Long.MAX_VALUE - digit) / 10) {
                throw malformed("\"" + text(from, to) + "\" is out of range");
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /** The current token as a block device "maj:min", packed by {@link DeviceIds#pack}. */
    long tokenDevice() throws CgroupReadException {
        return device(tokenStart, tokenEnd);
    }

    /** {@code b[from, to)} as a block device "maj:min", packed by {@link DeviceIds#pack}. */
    long device(int from, int to) throws CgroupReadException {
        int colon = -1;
        for (int i = from; i < to && colon < 0; i++) {
            colon = b[i] == ':' ? i : -1;
        }
        if (colon < 0) {
            throw notDevice(from, to);
        }
        long major = number(from, colon);
        long minor = number(colon + 1, to);
        if (major < 0 || minor < 0 || major > Integer.MAX_VALUE || minor > Integer.MAX_VALUE) {
            throw notDevice(from, to);
        }
        return DeviceIds.pack((int) major, (int) minor);
    }

    private CgroupReadException notDevice(int from, int to) {
        return malformed("\"" + text(from, to) + "\" is not a device \"major:minor\"");
    }

    /** An error naming the file, the line number and the line: {@code line 3 "foo": why}. */
    CgroupReadException malformed(String why) {
        String line = text(lineStart, Math.min(lineEnd, lineStart + 120));
        return CgroupReadException.malformed(file(), "line " + lineNo + " \"" + line + "\": " + why);
    }

    private String text(int from, int to) {
        return new String(b, from, to - from, StandardCharsets.US_ASCII);
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static final java.util.Map<java.util.List<String>, byte[][]> SHARED =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@code keys} in ASCII, one array for every parser of the same keys (one parser per reader,
     * several readers per container): never write to it.
     */
    static byte[][] asciiShared(String... keys) {
        return SHARED.computeIfAbsent(java.util.List.of(keys), k -> {
            byte[][] out = new byte[k.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = ascii(k.get(i));
            }
            return out;
        });
    }
}
