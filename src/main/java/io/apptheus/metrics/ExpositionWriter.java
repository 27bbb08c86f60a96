package io.apptheus.metrics;

import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.function.ObjIntConsumer;

/**
 * Writes a Prometheus exposition as bytes into a small buffer handed on in chunks of about 32 KiB,
 * so that a large node's scrape is never built whole. Numbers are written digit by digit: no
 * String per value.
 */
final class ExpositionWriter implements AutoCloseable {

    static final int CHUNK = 32 * 1024;
    private static final byte[] POS_INF = ascii("+Inf");
    private static final byte[] NEG_INF = ascii("-Inf");
    private static final byte[] NAN = ascii("NaN");
    private static final byte[] LONG_MIN = ascii(Long.toString(Long.MIN_VALUE));

    private final ObjIntConsumer<byte[]> sink;
    private byte[] buf = new byte[CHUNK];
    private final byte[] digits = new byte[20];
    private int n;

    /** @param sink takes each chunk: an array it keeps (the writer goes on in a new one), its length */
    ExpositionWriter(ObjIntConsumer<byte[]> sink) {
        this.sink = sink;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void write(byte[] b) {
        write(b, 0, b.length);
    }

    void write(byte[] b, int off, int len) {
        while (len > 0) {
            int k = Math.min(len, buf.length - n);
            System.arraycopy(b, off, buf, n, k);
            n += k;
            off += k;
            len -= k;
            if (n == buf.length) {
                flush();
            }
        }
    }

    void writeByte(int b) {
        buf[n++] = (byte) b;
        if (n == buf.length) {
            flush();
        }
    }

    void writeLong(long v) {
        if (v == Long.MIN_VALUE) {
            write(LONG_MIN);
            return;
        }
        if (v < 0) {
            writeByte('-');
            v = -v;
        }
        int i = digits.length;
        do {
            digits[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        write(digits, i, digits.length - i);
    }

    /** {@code units / 10^scaleDigits} in decimal, without trailing zeros: 1500000000 ns, 9 → 1.5. */
    void writeFixed(long units, int scaleDigits) {
        long pow = 1;
        for (int i = 0; i < scaleDigits; i++) {
            pow *= 10;
        }
        if (units < 0) {
            writeByte('-');
            units = units == Long.MIN_VALUE ? Long.MAX_VALUE : -units;
        }
        writeLong(units / pow);
        long frac = units % pow;
        if (frac == 0) {
            return;
        }
        int width = scaleDigits;
        while (frac % 10 == 0) {
            frac /= 10;
            width--;
        }
        writeByte('.');
        int i = digits.length;
        for (int d = 0; d < width; d++) {
            digits[--i] = (byte) ('0' + frac % 10);
            frac /= 10;
        }
        write(digits, i, digits.length - i);
    }

    /** A double as Go and Java parse it; special values as Prometheus spells them. */
    void writeDouble(double d) {
        if (Double.isNaN(d)) {
            write(NAN);
        } else if (d == Double.POSITIVE_INFINITY) {
            write(POS_INF);
        } else if (d == Double.NEGATIVE_INFINITY) {
            write(NEG_INF);
        } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            writeLong((long) d);
        } else {
            write(ascii(Double.toString(d))); // rare: no value of the container table needs it
        }
    }

    void writeInf() {
        write(POS_INF);
    }

    void writeNaN() {
        write(NAN);
    }

    /** Hands on what is buffered, if anything. */
    void flush() {
        if (n > 0) {
            byte[] full = buf;
            int length = n;
            buf = new byte[CHUNK];
            n = 0;
            sink.accept(full, length);
        }
    }

    @Override
    public void close() {
        flush();
    }

    /** The same output as a Writer, for text made elsewhere (the registry's own metrics). */
    Writer asWriter() {
        return new Writer() {
            @Override
            public void write(char[] cbuf, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    char c = cbuf[i];
                    if (c < 0x80) {
                        writeByte(c);
                    } else {
                        int end = i + 1;
                        while (end < off + len && cbuf[end] >= 0x80) {
                            end++;
                        }
                        ExpositionWriter.this.write(new String(cbuf, i, end - i).getBytes(StandardCharsets.UTF_8));
                        i = end - 1;
                    }
                }
            }

            @Override
            public void write(String str, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    char c = str.charAt(i);
                    if (c < 0x80) {
                        writeByte(c);
                    } else {
                        int end = i + 1;
                        while (end < off + len && str.charAt(end) >= 0x80) {
                            end++;
                        }
                        ExpositionWriter.this.write(str.substring(i, end).getBytes(StandardCharsets.UTF_8));
                        i = end - 1;
                    }
                }
            }

            @Override
            public void flush() {
                // chunks go out as they fill; the last one on close of the ExpositionWriter
            }

            @Override
            public void close() {
                // closed with the ExpositionWriter
            }
        };
    }
}
