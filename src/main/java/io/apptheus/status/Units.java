package io.apptheus.status;

import java.util.Locale;

/** Human units for people reading a table: the page and {@code apptheus ps}. NaN prints as "-". */
public final class Units {

    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Units() {
    }

    /** 512 → "512B", 1536 → "1.5KiB", 50331648 → "48.0MiB"; +Inf → "max" (no limit). */
    public static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "-";
        }
        if (Double.isInfinite(b)) {
            return "max";
        }
        int unit = 0;
        double v = Math.max(0, b);
        while (v >= 1024 && unit < BINARY.length - 1) {
            v /= 1024;
            unit++;
        }
        if (unit == 0) {
            return Math.round(v) + "B";
        }
        // 1023.96 KiB rounds to "1024.0KiB": say "1.0MiB" instead
        if (Math.round(v * 10) >= 10240 && unit < BINARY.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%s", v, BINARY[unit]);
    }

    /** CPU cores with two decimals: "1.98", "0.00". */
    public static String cores(double c) {
        return Double.isNaN(c) ? "-" : String.format(Locale.ROOT, "%.2f", c);
    }

    /** A share of time (0..1) as a percentage: "1.2%". */
    public static String percent(double share) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** An uptime: "45s", "5m12s", "3h04m", "2d03h". */
    public static String duration(double seconds) {
        if (Double.isNaN(seconds)) {
            return "-";
        }
        long s = Math.max(0, (long) Math.floor(seconds));
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86400, s % 86400 / 3600);
    }
}
