package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The tests' small C programs (src/test/c), compiled with gcc into target/it-bin. */
public final class CPrograms {

    private CPrograms() {
    }

    /**
     * Compiles {@code source} into {@code target/it-bin/NAME} (atomically: parallel test JVMs never
     * see half a binary) and returns it. Fails the calling test with gcc's output if gcc fails.
     */
    public static Path compile(Path source, String name, String... flags) {
        Path out = ItPaths.binDir().resolve(name);
        Path tmp = ItPaths.binDir().resolve(name + ".tmp." + ProcessHandle.current().pid());
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-Wall", "-Wextra"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-o", tmp.toString(), source.toString()));
        String output;
        int rc;
        try {
            Process gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            output = new String(gcc.getInputStream().readAllBytes());
            if (!gcc.waitFor(120, TimeUnit.SECONDS)) {
                gcc.destroyForcibly();
                throw new AssertionError("gcc did not finish in 120 s: " + cmd);
            }
            rc = gcc.exitValue();
        } catch (IOException e) {
            throw new AssertionError("cannot run gcc: " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while compiling " + source, e);
        }
        if (rc != 0) {
            throw new AssertionError("gcc failed (exit " + rc + "): " + String.join(" ", cmd) + "\n" + output);
        }
        try {
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + tmp + " to " + out, e);
        }
        return out;
    }

    /** {@code src/test/c/listenfds.c}: systemd's socket activation protocol, for the agent under test. */
    public static synchronized Path listenFds() {
        return compile(ItPaths.baseDir().resolve("src/test/c/listenfds.c"), "listenfds");
    }
}
