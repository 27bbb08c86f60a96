package io.apptheus.metrics;

import java.io.Writer;

/**
 * A Writer that encodes UTF-8 into one small array and hands it on each time it fills, so that a
 * large node's scrape is never built as one String or one array. The array is reused: the sink
 * must copy what it keeps.
 */
final class ChunkedWriter extends Writer {

    /**
     * Each chunk is one hand-off from the scrape's worker to the connection's event loop (a task
     * and a wake-up): 64 KiB halves their number at 2,000 containers' 10 MB against 32 KiB, for
     * 256 KiB in flight per answer at most ({@link WriteWindow}).
     */
    static final int CHUNK = 64 * 1024;

    /** Takes one chunk: {@code length} bytes from the start of {@code bytes}, to be copied. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] bytes, int length);
    }

    private final Sink sink;
    private final byte[] buf;
    private final char[] chars = new char[1024];
    private int n;
    private char highSurrogate;

    ChunkedWriter(Sink sink) {
        this(sink, CHUNK);
    }

    ChunkedWriter(Sink sink, int chunkBytes) {
        this.sink = sink;
        this.buf = new byte[Math.max(8, chunkBytes)];
    }

    @Override
    public void write(int c) {
        put((char) c);
    }

    @Override
    public void write(char[] cbuf, int off, int len) {
        encode(cbuf, off, len);
    }

    /**
     * Most of a scrape comes through here, a name or a number at a time. The characters are copied
     * out first: String.charAt per character, bounds-checked each time, was most of a scrape's CPU
     * with C1 alone (the launcher's JIT).
     */
    @Override
    public void write(String str, int off, int len) {
        while (len > 0) {
            int k = Math.min(len, chars.length);
            str.getChars(off, off + k, chars, 0);
            encode(chars, 0, k);
            off += k;
            len -= k;
        }
    }

    /** ASCII in a tight loop; anything else through {@link #putNonAscii}. */
    private void encode(char[] c, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (highSurrogate != 0) {
                put(c[i++]);
                continue;
            }
            byte[] b = buf;
            int k = n;
            int stop = Math.min(end, i + (b.length - k));
            char ch = 0;
            while (i < stop && (ch = c[i]) < 0x80) {
                b[k++] = (byte) ch;
                i++;
            }
            n = k;
            if (i < stop) {
                putNonAscii(ch);
                i++;
            } else if (n == b.length) {
                send();
            }
        }
    }

    /**
     * Bytes already in UTF-8 (SeriesTextWriter's label blocks, names and numbers), copied as they
     * are: most of a large node's scrape, with no character to encode.
     */
    void writeBytes(byte[] bytes, int off, int len) {
        if (highSurrogate != 0) { // a lone high surrogate before them: '?', as String.getBytes(UTF_8) writes it
            highSurrogate = 0;
            put('?');
        }
        while (len > 0) {
            if (n == buf.length) {
                send();
            }
            int k = Math.min(len, buf.length - n);
            System.arraycopy(bytes, off, buf, n, k);
            n += k;
            off += k;
            len -= k;
        }
    }

    @Override
    public Writer append(char c) {
        put(c);
        return this;
    }

    private void put(char c) {
        if (c < 0x80 && highSurrogate == 0) {
            if (n == buf.length) {
                send();
            }
            buf[n++] = (byte) c;
        } else {
            putNonAscii(c);
        }
    }

    private void putNonAscii(char c) {
        if (n > buf.length - 4) {
            send();
        }
        if (highSurrogate != 0) {
            char high = highSurrogate;
            highSurrogate = 0;
            if (Character.isLowSurrogate(c)) {
                int cp = Character.toCodePoint(high, c);
                buf[n++] = (byte) (0xF0 | (cp >> 18));
                buf[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[n++] = (byte) (0x80 | (cp & 0x3F));
                return;
            }
            buf[n++] = '?'; // a lone high surrogate, as String.getBytes(UTF_8) writes it
            put(c);
            return;
        }
        if (c < 0x80) {
            buf[n++] = (byte) c;
        } else if (c < 0x800) {
            buf[n++] = (byte) (0xC0 | (c >> 6));
            buf[n++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c)) {
            highSurrogate = c;
        } else if (Character.isLowSurrogate(c)) {
            buf[n++] = '?';
        } else {
            buf[n++] = (byte) (0xE0 | (c >> 12));
            buf[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            buf[n++] = (byte) (0x80 | (c & 0x3F));
        }
    }

    private void send() {
        if (n > 0) {
            sink.accept(buf, n);
            n = 0;
        }
    }

    /** Chunks go out as they fill; the last one on close. */
    @Override
    public void flush() {
        // nothing: a partial chunk would only make more, smaller writes
    }

    @Override
    public void close() {
        if (highSurrogate != 0) {
            highSurrogate = 0;
            if (n == buf.length) {
                send();
            }
            buf[n++] = '?';
        }
        send();
    }
}
