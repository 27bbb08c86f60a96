package io.apptheus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Whether this process runs with effective uid 0, read from /proc/self/status. */
public final class RootCheck {

    private RootCheck() {
    }

    public static boolean isRoot(Path procSelfStatus) throws IOException {
        return effectiveUid(Files.readString(procSelfStatus)).orElse(-1) == 0;
    }

    /**
     * The effective uid from the text of /proc/PID/status, whose line reads
     * {@code Uid:\t1000\t0\t0\t0} (real, effective, saved set, filesystem).
     */
    static OptionalLong effectiveUid(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                if (f.length >= 2) {
                    return OptionalLong.of(Long.parseLong(f[1]));
                }
            }
        }
        return OptionalLong.empty();
    }
}
