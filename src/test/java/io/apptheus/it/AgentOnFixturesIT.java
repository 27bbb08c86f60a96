package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.cgroup.Fixtures;
import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;

/**
 * The agent's own exposition of captured containers, the same for the JVM and the native
 * executable: {@code ./mvnw verify} runs this against the jar, {@code ./mvnw verify -Dnative}
 * against the executable, and both must answer exactly src/test/resources/golden/agent-on-v2-capture.txt.
 *
 * <p>The agent reads a copy of the cgroup v2 capture of src/test/resources/fixtures/cgroup-v2-debian12
 * instead of /sys and a small /proc written here ({@code apptheus.path.sysfs}, {@code apptheus.path.procfs}):
 * it detects the layout from that mountinfo, adopts the six leaves under /metric_gateway as the
 * containers an earlier run left, and serves them from the same readers, sweep and scrape as on a
 * real host. The capture's files are copied as they are, except that each leaf is renamed
 * {@code starter-suid_<pid>} and lists that pid in cgroup.procs (the agent adopts only cgroups that
 * name their starter and hold a process); the processes' /proc files are written here. Compared:
 * every {@code container_*} family (help, type, labels, values), samples sorted per family, the
 * sweep time of {@code container_last_seen} masked. After a wanted change:
 * {@code ./mvnw verify -Dit.test=AgentOnFixturesIT -Dgolden.update=true}, and review the diff.
 */
class AgentOnFixturesIT {

    static final Path GOLDEN = Path.of("src/test/resources/golden/agent-on-v2-capture.txt");
    /** /proc/stat's btime of the written tree; the starters started 100 and 101.5 s after it. */
    static final long BOOT = 1_796_450_000L;

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void jvmAndNativeAnswerTheGoldenExpositionOfTheCapture() throws Exception {
        Path tree = it.tempDir().resolve("tree");
        List<String> names = writeTree(tree);
        AgentProcess agent = it.register(AgentProcess.builder().socketPath(it.socketPath())
                .trustPaths(it.trustedStarter()).cgroupParent("/metric_gateway")
                .systemProperty("apptheus.path.procfs", tree.resolve("proc").toString())
                .systemProperty("apptheus.path.sysfs", tree.resolve("sys").toString())
                .start().awaitReady(Duration.ofSeconds(60)));
        agent.awaitScrape(Duration.ofSeconds(30),
                s -> names.stream().allMatch(n -> s.has("container_processes", Scrape.named(n))));

        String text = normalise(agent.get("/metrics").body());
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(GOLDEN, text);
        }
        assertEquals(Files.readString(GOLDEN), text, "the exposition of the capture changed; agent log:\n"
                + agent.logTail(40));
    }

    /**
     * The capture under {@code tree/sys}, renamed and populated as the class comment says, and
     * {@code tree/proc}: mountinfo and cgroup of the agent (as in the capture: cgroup2 alone, at
     * /sys/fs/cgroup, the agent in its root), btime, and per starter status (uid 0: "root" in every
     * passwd), stat (start time) and cmdline (one Apptainer instance title). Returns the names.
     */
    static List<String> writeTree(Path tree) throws IOException {
        Path cgroup = tree.resolve("sys/fs/cgroup");
        copy(Fixtures.path(Fixtures.V2_61, "sys"), tree.resolve("sys"));
        Path proc = Files.createDirectories(tree.resolve("proc/self"));
        Files.writeString(proc.resolve("mountinfo"),
                "22 1 0:20 / /sys rw,relatime - sysfs sysfs rw\n"
                        + "26 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2"
                        + " rw,nsdelegate,memory_recursiveprot\n");
        Files.writeString(proc.resolve("cgroup"), "0::/\n");
        Files.writeString(tree.resolve("proc/stat"), "cpu  0 0 0 0 0 0 0 0 0 0\nbtime " + BOOT + "\n");
        List<String> leaves;
        try (Stream<Path> s = Files.list(cgroup.resolve("metric_gateway"))) {
            leaves = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        Map<String, Long> pids = new LinkedHashMap<>();
        long pid = 4242;
        for (String leaf : leaves) {
            pids.put(leaf, pid++);
        }
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            long p = e.getValue();
            String name = "starter-suid_" + p;
            Path dir = Files.move(cgroup.resolve("metric_gateway/" + e.getKey()), cgroup.resolve("metric_gateway/" + name));
            Files.writeString(dir.resolve("cgroup.procs"), p + "\n");
            Path pd = Files.createDirectories(tree.resolve("proc/" + p));
            Files.writeString(pd.resolve("status"), "Name:\tstarter-suid\nPid:\t" + p + "\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
            // fields after the command: state ppid pgrp session tty tpgid flags minflt cminflt majflt
            // cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime(22) ...
            long startTicks = 10_000 + 150 * (p - 4242);
            Files.writeString(pd.resolve("stat"), p + " (starter-suid) S 1 " + p + " " + p
                    + " 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 " + startTicks + " 10000000 200 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
            String title = e.getKey().equals("mem_hold") ? "Apptainer instance: root [web1]" : "Apptainer runtime parent";
            Files.write(pd.resolve("cmdline"), (title + "\0").getBytes(StandardCharsets.UTF_8));
            names.add(name);
        }
        return names;
    }

    /**
     * The {@code container_*} families of a text exposition: comment lines as written, samples
     * sorted (the agent lists containers in the order it adopted them), container_last_seen's value
     * (the sweep's wall-clock time) replaced by "T".
     */
    static String normalise(String exposition) {
        Map<String, List<String>> families = new TreeMap<>();
        List<String> current = null;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String family = line.split(" ")[2];
                current = family.startsWith("container_") ? families.computeIfAbsent(family, k -> new ArrayList<>()) : null;
                if (current != null && !current.contains(line)) {
                    current.add(line);
                }
                continue;
            }
            if (current == null || line.isBlank() || line.startsWith("#")) {
                continue;
            }
            current.add(line.startsWith("container_last_seen") ? line.substring(0, line.lastIndexOf(' ')) + " T" : line);
        }
        StringBuilder out = new StringBuilder();
        for (List<String> lines : families.values()) {
            lines.stream().filter(l -> l.startsWith("#")).forEach(l -> out.append(l).append('\n'));
            lines.stream().filter(l -> !l.startsWith("#")).sorted().forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            s.forEach(p -> {
                try {
                    Path t = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(t);
                    } else {
                        Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
