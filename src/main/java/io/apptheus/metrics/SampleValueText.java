package io.apptheus.metrics;

/**
 * A sample's value as the Prometheus client writes it: {@code +Inf}, {@code -Inf}, {@code NaN}, and
 * otherwise Java's {@code Double.toString} ({@code 35.0}, {@code 1.559122}, {@code 6.7350528E7}).
 * Pure: no I/O, no state.
 *
 * <p>{@code Double.toString} is the costliest step of a scrape after the labels when the JIT is C1
 * alone (the launcher's), and it runs once per series. Almost every value the agent publishes is a
 * count, or a count of nanoseconds or milliseconds divided by 10^9 or 10^3: a decimal of at most 15
 * significant digits. Such a decimal is found here in a few multiplications and checked exactly
 * (the division that made the double is correctly rounded, so {@code m / 10^k == d} proves that the
 * decimal {@code m·10^-k} names {@code d}); and a decimal of at most 15 significant digits is the
 * only one of that length or shorter that names its double (DBL_DIG), so it is the shortest, which
 * is what {@code Double.toString} writes. Anything else (more digits, magnitudes outside
 * [10^-9, 10^15)) goes to {@code Double.toString} itself. SampleValueTextTest compares both on
 * hundreds of thousands of values.
 */
final class SampleValueText {

    /**
     * The length {@link #format}'s array must have: the text takes at most 24 characters
     * ("-1.2345678901234567E-308"), and the digits are first put at the end of the same array.
     */
    static final int MAX_CHARS = 48;
    private static final int DIGITS_AT = 32;

    private static final int MAX_FRACTION_DIGITS = 12;
    private static final double[] POW10 = new double[MAX_FRACTION_DIGITS + 1];
    private static final double LIMIT = 1e15; // below it a decimal has at most 15 significant digits

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private SampleValueText() {
    }

    /** Writes {@code value} in ASCII into {@code out} (at least {@link #MAX_CHARS} long) and returns its length. */
    static int format(double value, byte[] out) {
        if (value == Double.POSITIVE_INFINITY) {
            return copy("+Inf", out);
        }
        if (value == Double.NEGATIVE_INFINITY) {
            return copy("-Inf", out);
        }
        if (value == 0) { // the commonest value of all (idle counters): no String for it
            return copy(Double.doubleToRawLongBits(value) == 0 ? "0.0" : "-0.0", out);
        }
        if (Double.isNaN(value)) {
            return copy("NaN", out);
        }
        double a = Math.abs(value);
        if (a < LIMIT && a >= 1e-9) {
            for (int k = 0; k <= MAX_FRACTION_DIGITS; k++) {
                double scaled = a * POW10[k];
                if (scaled >= LIMIT) {
                    break;
                }
                long m = Math.round(scaled);
                if (m != 0 && m / POW10[k] == a) {
                    return layout(value < 0, m, k, out);
                }
            }
        }
        return copy(Double.toString(value), out);
    }

    /**
     * {@code m·10^-k} laid out as Double.toString does: plain between 10^-3 and 10^7 (at least one
     * digit after the point), else one digit, the point, the rest without trailing zeros (at least
     * one) and {@code E} with the exponent.
     */
    private static int layout(boolean negative, long m, int k, byte[] out) {
        byte[] digits = out; // least significant first, from DIGITS_AT: no array per value
        int n = 0;
        for (long v = m; v > 0; v /= 10) {
            digits[DIGITS_AT + n++] = (byte) ('0' + (v % 10));
        }
        // the most significant digit is at DIGITS_AT + n - 1
        int exponent = n - 1 - k; // of the most significant digit
        int pos = 0;
        if (negative) {
            out[pos++] = '-';
        }
        if (exponent >= -3 && exponent < 7) {
            if (exponent < 0) {
                out[pos++] = '0';
                out[pos++] = '.';
                for (int z = -1; z > exponent; z--) {
                    out[pos++] = '0';
                }
                for (int i = n - 1; i >= 0; i--) {
                    out[pos++] = digits[DIGITS_AT + i];
                }
                return pos;
            }
            int i = n - 1;
            for (int e = exponent; e >= 0; e--) { // the integer part
                out[pos++] = i >= 0 ? digits[DIGITS_AT + i--] : (byte) '0';
            }
            out[pos++] = '.';
            if (i < 0) {
                out[pos++] = '0';
            }
            while (i >= 0) {
                out[pos++] = digits[DIGITS_AT + i--];
            }
            return pos;
        }
        int last = 0; // the least significant non-zero digit
        while (digits[DIGITS_AT + last] == '0') {
            last++;
        }
        out[pos++] = digits[DIGITS_AT + n - 1];
        out[pos++] = '.';
        if (n - 1 == last) {
            out[pos++] = '0';
        }
        for (int i = n - 2; i >= last; i--) {
            out[pos++] = digits[DIGITS_AT + i];
        }
        out[pos++] = 'E';
        if (exponent < 0) { // here between -10 and 15
            out[pos++] = '-';
            exponent = -exponent;
        }
        if (exponent >= 10) {
            out[pos++] = (byte) ('0' + exponent / 10);
        }
        out[pos++] = (byte) ('0' + exponent % 10);
        return pos;
    }

    private static int copy(String s, byte[] out) {
        for (int i = 0; i < s.length(); i++) {
            out[i] = (byte) s.charAt(i); // ASCII
        }
        return s.length();
    }
}
