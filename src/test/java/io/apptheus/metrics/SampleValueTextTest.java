package io.apptheus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The values as the client writes them ({@code Collector.doubleToGoString}: Double.toString, but
 * {@code +Inf}/{@code -Inf}), on the kinds of values the agent publishes and on arbitrary doubles.
 */
class SampleValueTextTest {

    private static final int N = 200_000;
    private final byte[] buf = new byte[SampleValueText.MAX_CHARS];

    private void check(double d) {
        String expected = d == Double.POSITIVE_INFINITY ? "+Inf"
                : d == Double.NEGATIVE_INFINITY ? "-Inf" : Double.toString(d);
        assertEquals(expected, new String(buf, 0, SampleValueText.format(d, buf), StandardCharsets.US_ASCII), () -> "bits " + Double.doubleToRawLongBits(d));
    }

    @Test
    void specialValuesAndEdges() {
        for (double d : new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                1, -1, 10, 35, 1e-3, 9.99e-4, 1e-9, 1e-10, 1e7, 9_999_999, 1e7 + 1, 1e15, 1e15 - 1, 1e16,
                0.1, 0.2, 0.3, 1.0 / 3, Math.PI, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
                (1L << 53), (1L << 53) + 2.0, 16_777_216, 67_350_528, 1.559122, 0.022992, 1796456402.25,
                1.681691404, 123_456_789_012_345.0, 0.000_022, 4.18}) {
            check(d);
            check(-d);
        }
    }

    @Test
    void countsOfEveryMagnitude() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < N; i++) {
            long bits = r.nextInt(1, 63);
            check(r.nextLong(1L << bits));
        }
        for (long v = 0; v < 20_000; v++) {
            check(v);
        }
    }

    @Test
    void nanosecondsAndMillisecondsInSeconds() {
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < N; i++) {
            long ns = r.nextLong(1L << r.nextInt(1, 60));
            check(ns / 1e9);
            check(ns / 1e3);
            check(ns / 1e6);
        }
        long epochMs = 1_796_456_402_250L;
        for (int i = 0; i < N; i++) {
            check((epochMs + i * 7919L) / 1000.0);
        }
    }

    @Test
    void arbitraryDoubles() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < N; i++) {
            check(Double.longBitsToDouble(r.nextLong()));
            check(r.nextDouble() * Math.pow(10, r.nextInt(-12, 18)));
            check(Math.round(r.nextDouble() * 1e6) / Math.pow(10, r.nextInt(0, 12)));
        }
    }
}
