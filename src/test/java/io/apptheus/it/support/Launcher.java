package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags of the installed launcher ({@code deploy/bin/apptheus}), read from the script
 * itself, so that a test of the agent's memory runs with the heap production gets (-Xmx96m,
 * -XX:+ExitOnOutOfMemoryError, 16 worker threads): the flags between {@code exec "$java_bin" \}
 * and {@code ${APPTHEUS_JAVA_OPTS:-}}.
 */
public final class Launcher {

    /** The user an unprivileged attacker runs as: {@code setpriv} to uid and gid 65534 (nobody). */
    public static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    private Launcher() {
    }

    public static Path script() {
        return ItPaths.baseDir().resolve("deploy/bin/apptheus");
    }

    /** The launcher's JVM flags, in order. */
    public static List<String> jvmFlags() {
        List<String> lines;
        try {
            lines = Files.readAllLines(script());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the launcher " + script(), e);
        }
        List<String> flags = new ArrayList<>();
        boolean in = false;
        lines:
        for (String line : lines) {
            String t = line.strip();
            if (t.startsWith("exec \"$java_bin\"")) {
                in = true;
                continue;
            }
            if (!in) {
                continue;
            }
            // the JVM's own flags, up to the site's variable ($java_opts, ${APPTHEUS_JAVA_OPTS...}) or -jar
            for (String f : t.replaceAll("\\\\$", "").strip().split("\\s+")) {
                if (f.isEmpty()) {
                    continue;
                }
                if (!f.startsWith("-") || f.equals("-jar")) {
                    break lines;
                }
                flags.add(f);
            }
        }
        if (flags.isEmpty() || flags.stream().noneMatch(f -> f.startsWith("-Xmx"))) {
            throw new AssertionError("no JVM flags with -Xmx found in " + script() + ": " + flags);
        }
        return flags;
    }
}
