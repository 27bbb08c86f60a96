package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where test-support files go: {@code target/it-bin} for binaries, {@code target/it-logs} for logs. */
final class ItPaths {
    private ItPaths() {
    }

    /** The project's base directory: surefire/failsafe set {@code basedir}; else the working directory. */
    static Path baseDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    }

    static Path target() {
        return baseDir().resolve("target");
    }

    static Path binDir() {
        return mkdirs(target().resolve("it-bin"));
    }

    static Path logDir() {
        return mkdirs(target().resolve("it-logs"));
    }

    /** Creates a fresh {@code <prefix>-<n><suffix>} in the log directory, n the first unused number. */
    static Path newLogFile(String prefix, String suffix) {
        Path dir = logDir();
        for (int n = 1; ; n++) {
            Path p = dir.resolve(prefix + "-" + n + suffix);
            try {
                return Files.createFile(p);
            } catch (FileAlreadyExistsException e) {
                // taken by an earlier test or JVM: try the next number
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create log file " + p, e);
            }
        }
    }

    static Path mkdirs(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** The last {@code lines} lines of a file, or a note that it cannot be read. */
    static String tail(Path file, int lines) {
        try {
            var all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
