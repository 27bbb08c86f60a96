package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The packaged agent inside a {@link SystemdBox}: the .deb files {@code ./mvnw package} built,
 * apptheus.service as systemd runs it, fake starters as systemd units of their own (as a user's
 * job would run Apptainer), and the scrape from inside the box's network namespace.
 */
public final class BoxAgent {

    public static final String UNIT = "apptheus";
    /** Where the package's launcher looks for Apptainer's starter when no trust path is set. */
    public static final String STARTER = "/usr/libexec/apptainer/bin/starter";
    public static final Duration START = Duration.ofMinutes(3);

    private final SystemdBox box;

    public BoxAgent(SystemdBox box) {
        this.box = box;
    }

    public SystemdBox box() {
        return box;
    }

    /** The newest {@code target/<prefix>_*_<arch>.deb} (fails if ./mvnw package made none). */
    public static Path deb(String prefix) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(ItPaths.target(), prefix + "_*.deb")) {
            ds.forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + ItPaths.target(), e);
        }
        SystemdBox.require(!found.isEmpty(), "no target/" + prefix + "_*.deb: ./mvnw package builds it with dpkg-deb");
        return found.stream().max(Comparator.comparing(BoxAgent::mtime)).orElseThrow();
    }

    private static FileTime mtime(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code dpkg -i} of a host .deb inside the box; returns dpkg's output. */
    public String install(Path deb, String... dpkgOptions) {
        String inside = box.share(deb, deb.getFileName().toString());
        List<String> cmd = new ArrayList<>(List.of("dpkg"));
        cmd.addAll(List.of(dpkgOptions));
        cmd.addAll(List.of("-i", inside));
        return box.exec(Duration.ofMinutes(10), cmd.toArray(String[]::new)).ok().both();
    }

    /** The fake starter (src/test/c) at the trusted path, mode 0755, owned by root. */
    public void installFakeStarter() {
        String inside = box.share(FakeStarter.binary(), "fakestarter");
        box.exec("install", "-D", "-m", "0755", inside, STARTER).ok();
    }

    /**
     * Starts {@code STARTER SOCKET WORKLOAD...} as the transient unit {@code NAME.service} running as
     * {@code user} (its own cgroup, outside the agent's unit, as a user's job); returns the
     * starter's PID inside the box.
     */
    public long startContainer(String name, String user, String... workload) {
        List<String> cmd = new ArrayList<>(List.of("systemd-run", "--unit=" + name, "--property=User=" + user,
                "--collect", STARTER, "/run/apptheus/gateway.sock"));
        cmd.addAll(List.of(workload));
        box.exec(cmd.toArray(String[]::new)).ok();
        String pid = box.await(name + " has a main PID", Duration.ofSeconds(60), () -> box.show(name, "MainPID"),
                p -> !p.isEmpty() && !p.equals("0"));
        return Long.parseLong(pid);
    }

    /** The PIDs of the starter's workload (its children), inside the box. */
    public List<Long> childrenOf(long pid) {
        String out = box.exec("cat", "/proc/" + pid + "/task/" + pid + "/children").out().strip();
        List<Long> pids = new ArrayList<>();
        for (String s : out.split("\\s+")) {
            if (!s.isEmpty()) {
                pids.add(Long.parseLong(s));
            }
        }
        return pids;
    }

    public boolean alive(long pid) {
        return box.exec("kill", "-0", Long.toString(pid)).exit() == 0;
    }

    /** /proc/PID/cgroup inside the box: hierarchy key → path. */
    public Map<String, String> cgroupOf(long pid) {
        return TestCgroups.parseProcCgroup(box.exec("cat", "/proc/" + pid + "/cgroup").ok().out());
    }

    public long mainPid() {
        return Long.parseLong(box.show(UNIT, "MainPID"));
    }

    /** Waits until the unit is active and its agent answers /q/health/live; returns the scrape then. */
    public Scrape awaitServing(int port) {
        box.await("apptheus.service active", START, () -> box.show(UNIT, "ActiveState"), "active"::equals);
        box.await("the agent answers /q/health/live on " + port, START, () -> box.curl(port, "/q/health/live").out(),
                s -> s.endsWith("\n200"));
        return scrape(port);
    }

    public Scrape scrape(int port) {
        SystemdBox.Result r = box.curl(port, "/metrics");
        String body = r.out();
        if (r.exit() != 0 || !body.endsWith("\n200")) {
            throw new AssertionError("scrape of 127.0.0.1:" + port + " failed: " + r.both());
        }
        return Scrape.parse(body.substring(0, body.lastIndexOf('\n') + 1));
    }

    /** Polls the scrape until {@code until} holds. */
    public Scrape awaitScrape(String what, int port, java.util.function.Predicate<Scrape> until) {
        return box.await(what, START, () -> {
            try {
                return scrape(port);
            } catch (AssertionError e) {
                return Scrape.parse("");
            }
        }, until);
    }
}
