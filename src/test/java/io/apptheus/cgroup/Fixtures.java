package io.apptheus.cgroup;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths into src/test/resources/fixtures, and small helpers for fake cgroup trees. */
public final class Fixtures {

    public static final String V2_61 = "cgroup-v2-debian12";
    public static final String V2_612 = "cgroup-v2-debian12-bpo-6.12";
    public static final String V1_HYBRID = "cgroup-v1-hybrid-6.18.44-fc-v669";

    private Fixtures() {
    }

    /** {@code fixtures/<capture>/<rel>} on the test class path. */
    public static Path path(String capture, String rel) {
        URL url = Fixtures.class.getResource("/fixtures/" + capture);
        if (url == null) {
            throw new IllegalStateException("no fixture " + capture);
        }
        try {
            return Path.of(url.toURI()).resolve(rel);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A leaf of the v2 captures: {@code sys/fs/cgroup/metric_gateway/<leaf>}. */
    public static Path v2Leaf(String capture, String leaf) {
        return path(capture, "sys/fs/cgroup/metric_gateway/" + leaf);
    }

    /** The v1 capture's cgroup in hierarchy {@code controller} ("unified" for cgroup2). */
    public static Path v1(String controller) {
        String parent = controller.equals("memory") ? "memory/process_api/93cdb0794f5b6801d4a919dbb9791b05" : controller;
        return path(V1_HYBRID, "sys/fs/cgroup/" + parent + "/readers_fixture");
    }

    /** Writes {@code content} to {@code dir/name}, creating {@code dir}. */
    public static Path write(Path dir, String name, String content) throws java.io.IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    }

    /** A copy of the files of cgroup directory {@code from} in {@code to} (not recursive). */
    public static Path copyDir(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName().toString()));
                }
            }
        }
        return to;
    }
}
