package io.apptheus.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's own usage from {@code /proc/self}, as every Prometheus client publishes it
 * ({@code process_cpu_seconds_total} and the rest): read from the kernel's files rather than from
 * JVM beans, so that the native executable publishes the same numbers.
 *
 * @param cpuSeconds       user + system CPU time (/proc/self/stat fields 14 and 15, clock ticks)
 * @param startTimeSeconds start time since the epoch (field 22, ticks since boot, plus /proc/stat btime)
 * @param residentBytes    VmRSS of /proc/self/status
 * @param virtualBytes     VmSize of /proc/self/status
 * @param openFds          entries of /proc/self/fd
 * @param maxFds           the soft "Max open files" of /proc/self/limits; +Inf if unlimited
 */
public record SelfUsage(double cpuSeconds, double startTimeSeconds, long residentBytes, long virtualBytes,
                        long openFds, double maxFds) {

    /** USER_HZ, the unit of /proc's tick counts: 100 on every Linux ABI. */
    static final int TICKS_PER_SECOND = 100;

    public static SelfUsage read(Path procRoot) throws IOException {
        Path self = procRoot.resolve("self");
        String stat = text(self.resolve("stat"));
        String status = text(self.resolve("status"));
        long bootTime = bootTime(text(procRoot.resolve("stat")));
        long[] ticks = statTicks(stat);
        long fds = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(self.resolve("fd"))) {
            for (Path ignored : dir) {
                fds++;
            }
        }
        return new SelfUsage((ticks[0] + ticks[1]) / (double) TICKS_PER_SECOND,
                bootTime + ticks[2] / (double) TICKS_PER_SECOND, statusKiB(status, "VmRSS") * 1024,
                statusKiB(status, "VmSize") * 1024, fds, maxOpenFiles(text(self.resolve("limits"))));
    }

    private static String text(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    }

    /**
     * utime, stime and starttime of a /proc/PID/stat line, in ticks. The line reads
     * {@code 1234 (java) S 1 ... } and comm may hold spaces and parentheses, so fields are counted
     * after the last ')': utime is field 14, stime 15, starttime 22.
     */
    static long[] statTicks(String line) {
        int close = line.lastIndexOf(')');
        String[] f = close < 0 ? new String[0] : line.substring(close + 1).trim().split("\\s+");
        if (f.length < 20) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + bounded(line));
        }
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[19])};
    }

    /** A {@code Key:   1234 kB} line of /proc/PID/status, in KiB. */
    static long statusKiB(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) {
                String v = line.substring(key.length() + 1).trim();
                int space = v.indexOf(' ');
                return Long.parseLong(space < 0 ? v : v.substring(0, space));
            }
        }
        throw new IllegalArgumentException("no " + key + " in /proc/self/status");
    }

    /**
     * The soft limit of {@code Max open files  1024  524288  files} in /proc/PID/limits, whose
     * columns are aligned by spaces; "unlimited" is +Inf.
     */
    static double maxOpenFiles(String limits) {
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Double.POSITIVE_INFINITY : Long.parseLong(soft);
            }
        }
        throw new IllegalArgumentException("no \"Max open files\" in /proc/self/limits");
    }

    /** {@code btime 1764000000} of /proc/stat: the boot time in seconds since the epoch. */
    static long bootTime(String procStat) {
        for (String line : procStat.split("\n")) {
            if (line.startsWith("btime ")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IllegalArgumentException("no btime in /proc/stat");
    }

    private static String bounded(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
