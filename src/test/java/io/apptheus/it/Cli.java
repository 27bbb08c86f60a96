package io.apptheus.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Procs;

/**
 * A short-lived command of an end-to-end test (the packaged {@code apptheus ps}, chromium): output
 * to files in the test's temporary directory, its process tree killed at the test's end.
 */
final class Cli implements AutoCloseable {

    private final Process process;
    private final List<String> command;
    private final Path out;
    private final Path err;

    private Cli(Process process, List<String> command, Path out, Path err) {
        this.process = process;
        this.command = command;
        this.out = out;
        this.err = err;
    }

    /** The packaged agent's command: the native binary ({@code -Dapptheus.native}) or {@code java -jar}. */
    static List<String> apptheus() {
        Path base = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        String nativeBinary = System.getProperty("apptheus.native", "");
        if (!nativeBinary.isBlank()) {
            return List.of(base.resolve(nativeBinary).toString());
        }
        Path jar = base.resolve(System.getProperty("apptheus.artifact", "target/quarkus-app/quarkus-run.jar"));
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString());
    }

    static Cli start(ItResources it, List<String> command) throws IOException {
        Path dir = Files.createTempDirectory(it.tempDir(), "cli");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        return it.register(new Cli(p, List.copyOf(command), out, err));
    }

    /** Runs to the end; fails the test if it takes longer than {@code timeout}. */
    static Cli run(ItResources it, Duration timeout, String... command) throws IOException {
        return start(it, List.of(command)).await(timeout);
    }

    static String[] concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(new String[0]);
    }

    Cli await(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError("still running after " + timeout + ": " + this);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return this;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitCode() {
        return process.exitValue();
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            Procs.killTree(List.of(process.toHandle()), Duration.ofSeconds(5));
        }
    }

    @Override
    public String toString() {
        return String.join(" ", command) + "\nexit: " + (process.isAlive() ? "running" : process.exitValue())
                + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e + ")";
        }
    }
}
