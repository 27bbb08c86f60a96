package io.apptheus.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The node the containers share, for scale on the status page ("2.4 of 64 cores"): read once at
 * start; 0 (and an empty host name) where a file cannot be read.
 *
 * @param cpus        CPUs online ({@code /sys/devices/system/cpu/online}), not the agent's own quota
 * @param memoryBytes {@code MemTotal} of {@code /proc/meminfo}
 */
public record NodeInfo(String hostname, int cpus, long memoryBytes) {

    public static NodeInfo read(Path procRoot, Path sysRoot) {
        String host = readOr(procRoot.resolve("sys/kernel/hostname"), "").strip();
        int cpus = 0;
        long mem = 0;
        try {
            cpus = countCpus(readOr(sysRoot.resolve("devices/system/cpu/online"), ""));
        } catch (IllegalArgumentException e) {
            // unknown
        }
        try {
            mem = memTotal(readOr(procRoot.resolve("meminfo"), ""));
        } catch (IllegalArgumentException e) {
            // unknown
        }
        return new NodeInfo(host, cpus, mem);
    }

    /** Counts a kernel CPU list such as {@code 0-3,8,10-11} (7 CPUs). */
    static int countCpus(String list) {
        int n = 0;
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            if (dash < 0) {
                Integer.parseInt(part);
                n++;
            } else {
                n += Integer.parseInt(part.substring(dash + 1)) - Integer.parseInt(part.substring(0, dash)) + 1;
            }
        }
        return n;
    }

    /** Bytes of the {@code MemTotal:       24561136 kB} line of /proc/meminfo; 0 if absent. */
    static long memTotal(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring(9).strip().split("\\s+");
                long v = Long.parseLong(f[0]);
                return f.length > 1 && f[1].equals("kB") ? v * 1024 : v;
            }
        }
        return 0;
    }

    private static String readOr(Path file, String fallback) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return fallback;
        }
    }
}
