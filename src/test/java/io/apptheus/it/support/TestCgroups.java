package io.apptheus.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The cgroup hierarchies this JVM sees and its own cgroup in each, for tests that hand the agent a
 * RELATIVE {@code --cgroup.parent}: the agent is our child, so it starts in our cgroups and nests
 * the parent under them.
 *
 * <p>Hierarchies are keyed by controller name for v1 ({@code cpu}, {@code cpuacct}, {@code memory},
 * ..., {@code name=systemd} for named ones; co-mounted controllers share one directory) and by
 * {@link #UNIFIED} for the cgroup2 mount, wherever it is mounted.
 */
public final class TestCgroups {
    /** Key of the cgroup2 hierarchy (at /sys/fs/cgroup/unified on hybrid hosts, /sys/fs/cgroup on v2-only ones). */
    public static final String UNIFIED = "unified";
    /** The hierarchies the agent samples, when mounted. */
    public static final List<String> SAMPLED = List.of("cpu", "cpuacct", "memory", "pids", "blkio", UNIFIED);
    public static final String PREFIX = "apptheus-it-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private record Mount(Path mountPoint, String root) {
    }

    private final Map<String, Mount> mounts;
    private final Map<String, String> own;

    private TestCgroups(Map<String, Mount> mounts, Map<String, String> own) {
        this.mounts = mounts;
        this.own = own;
    }

    /** From this JVM's {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}. */
    public static TestCgroups current() {
        try {
            return parse(Files.readString(Path.of("/proc/self/mountinfo")),
                    Files.readString(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo or /proc/self/cgroup", e);
        }
    }

    /**
     * From the text of a mountinfo and a /proc/PID/cgroup file.
     *
     * <p>mountinfo (proc(5)): {@code 35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory}:
     * field 4 is the root of the mount inside its hierarchy, field 5 the mount point (octal escapes
     * such as \040), then optional fields up to "-", then fstype, source, super options (the v1
     * controllers). /proc/PID/cgroup: {@code 4:memory:/process_api/2c53} and {@code 0::/} for cgroup2.
     */
    public static TestCgroups parse(String mountinfo, String selfCgroup) {
        Map<String, Mount> mounts = new LinkedHashMap<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.trim().split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 7 || dash < 6 || dash + 3 >= f.length) {
                continue;
            }
            String fstype = f[dash + 1];
            Mount m = new Mount(Path.of(unescape(f[4])), unescape(f[3]));
            if (fstype.equals("cgroup2")) {
                mounts.putIfAbsent(UNIFIED, m);
            } else if (fstype.equals("cgroup")) {
                for (String opt : f[dash + 3].split(",")) {
                    if (isController(opt)) {
                        mounts.putIfAbsent(opt, m);
                    }
                }
            }
        }
        Map<String, String> own = new LinkedHashMap<>(parseProcCgroup(selfCgroup));
        own.keySet().retainAll(mounts.keySet());
        return new TestCgroups(Collections.unmodifiableMap(mounts), Collections.unmodifiableMap(own));
    }

    /** Hierarchy key → cgroup path, from the text of a /proc/PID/cgroup file. */
    public static Map<String, String> parseProcCgroup(String text) {
        Map<String, String> out = new TreeMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(":", 3);
            if (f.length != 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                out.put(UNIFIED, f[2]);
            } else {
                for (String c : f[1].split(",")) {
                    if (!c.isEmpty()) {
                        out.put(c, f[2]);
                    }
                }
            }
        }
        return out;
    }

    /** A fresh name such as {@code apptheus-it-3f9c1a2b}, to pass as a relative --cgroup.parent. */
    public static String uniqueRelativeParent() {
        return PREFIX + String.format("%08x", RANDOM.nextInt());
    }

    /** Hierarchies that are mounted and in which we know our own cgroup. */
    public Set<String> hierarchies() {
        return own.keySet();
    }

    /** Our own cgroup path in a hierarchy (as in /proc/self/cgroup). */
    public String ownPath(String hierarchy) {
        String p = own.get(hierarchy);
        if (p == null) {
            throw new IllegalArgumentException("hierarchy " + hierarchy + " is not mounted; have " + own.keySet());
        }
        return p;
    }

    /** Our own cgroup's directory in a hierarchy. */
    public Path ownDir(String hierarchy) {
        return dirFor(hierarchy, ownPath(hierarchy));
    }

    /** The directory of a cgroup path (as written in /proc/PID/cgroup) in a hierarchy. */
    public Path dirFor(String hierarchy, String cgroupPath) {
        Mount m = mounts.get(hierarchy);
        if (m == null) {
            throw new IllegalArgumentException("hierarchy " + hierarchy + " is not mounted");
        }
        String rel = cgroupPath;
        if (!m.root().equals("/") && (rel.equals(m.root()) || rel.startsWith(m.root() + "/"))) {
            rel = rel.substring(m.root().length());
        }
        rel = rel.replaceAll("^/+", "");
        return rel.isEmpty() ? m.mountPoint() : m.mountPoint().resolve(rel);
    }

    /**
     * The absolute directories that a relative parent stands for, in each sampled hierarchy
     * (cpu, cpuacct, memory, pids, blkio, unified) that is mounted here: own cgroup + parent.
     */
    public Map<String, Path> dirsOf(String relativeParent) {
        checkRelative(relativeParent);
        Map<String, Path> out = new LinkedHashMap<>();
        for (String h : SAMPLED) {
            if (own.containsKey(h)) {
                out.put(h, ownDir(h).resolve(relativeParent));
            }
        }
        return out;
    }

    /** Hierarchy key → cgroup path of a process, from /proc/PID/cgroup. */
    public Map<String, String> cgroupOf(long pid) {
        Path file = Path.of("/proc", Long.toString(pid), "cgroup");
        try {
            return parseProcCgroup(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The directory of a process's cgroup in one hierarchy. */
    public Path dirOf(long pid, String hierarchy) {
        String path = cgroupOf(pid).get(hierarchy);
        if (path == null) {
            throw new IllegalArgumentException("process " + pid + " has no cgroup in " + hierarchy);
        }
        return dirFor(hierarchy, path);
    }

    /** Moves a process (its whole thread group) into a cgroup directory via cgroup.procs. */
    public static void attach(long pid, Path cgroupDir) {
        Path procs = cgroupDir.resolve("cgroup.procs");
        try {
            Files.write(procs, Long.toString(pid).getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + pid + " into " + procs, e);
        }
    }

    /** PIDs listed in a cgroup directory's cgroup.procs (empty if the directory is gone). */
    public static List<Long> procs(Path cgroupDir) {
        try {
            return Files.readAllLines(cgroupDir.resolve("cgroup.procs")).stream().map(String::trim)
                    .filter(s -> !s.isEmpty()).map(Long::parseLong).collect(Collectors.toList());
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + cgroupDir.resolve("cgroup.procs"), e);
        }
    }

    /** Every directory still present under the relative parent (the parent included), deepest first. */
    public List<Path> leftovers(String relativeParent) {
        List<Path> out = new ArrayList<>();
        for (Path top : distinctDirs(relativeParent)) {
            out.addAll(subtree(top));
        }
        return out;
    }

    /** As {@link #removeTree(String, Duration)} with 15 s. */
    public void removeTree(String relativeParent) {
        removeTree(relativeParent, Duration.ofSeconds(15));
    }

    /**
     * Removes the relative parent in every sampled hierarchy: SIGKILLs every process still inside
     * (never this JVM), then rmdirs the directories, children first, retrying on EBUSY (a task still
     * exiting, a child cgroup appearing) until {@code timeout}. Only directories are removed: their
     * files vanish with them. Nothing outside the parent is touched.
     *
     * @throws IllegalStateException listing what is left if the tree could not be removed in time
     */
    public void removeTree(String relativeParent, Duration timeout) {
        long self = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = 5;
        String lastError = "";
        for (;;) {
            List<Path> dirs = leftovers(relativeParent);
            if (dirs.isEmpty()) {
                return;
            }
            Set<Long> inside = new LinkedHashSet<>();
            dirs.forEach(d -> inside.addAll(procsOrNone(d)));
            if (inside.contains(self)) {
                throw new IllegalStateException("this JVM (" + self + ") is inside " + relativeParent
                        + ": refusing to kill it; dirs " + dirs);
            }
            inside.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            for (Path d : dirs) {
                try {
                    Files.delete(d); // rmdir(2) on a directory
                } catch (NoSuchFileException e) {
                    // already gone
                } catch (FileSystemException e) {
                    lastError = d + ": " + e.getReason(); // EBUSY while a task or a child remains
                } catch (IOException e) {
                    lastError = d + ": " + e;
                }
            }
            if (leftovers(relativeParent).isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                List<Path> left = leftovers(relativeParent);
                Map<Path, List<Long>> who = new LinkedHashMap<>();
                left.forEach(d -> who.put(d, procsOrNone(d)));
                throw new IllegalStateException("cgroups left under " + relativeParent + " after " + timeout
                        + " (last error: " + lastError + "); tasks: " + who);
            }
            Procs.sleep(pause);
            pause = Math.min(pause * 2, 200);
        }
    }

    /** As {@link #procs}, empty where cgroup.procs cannot be read (a threaded cgroup: EOPNOTSUPP). */
    private static List<Long> procsOrNone(Path cgroupDir) {
        try {
            return procs(cgroupDir);
        } catch (UncheckedIOException e) {
            return List.of();
        }
    }

    private Set<Path> distinctDirs(String relativeParent) {
        return new LinkedHashSet<>(dirsOf(relativeParent).values());
    }

    // top and every directory below it, deepest first; tolerant of directories vanishing meanwhile
    private static List<Path> subtree(Path top) {
        List<Path> out = new ArrayList<>();
        collect(top, out);
        out.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return out;
    }

    private static void collect(Path dir, List<Path> out) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        out.add(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    collect(p, out);
                }
            }
        } catch (NoSuchFileException e) {
            // removed meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static void checkRelative(String p) {
        if (p == null || p.isBlank() || p.startsWith("/")) {
            throw new IllegalArgumentException("not a relative cgroup parent: '" + p + "'");
        }
        for (String seg : p.split("/")) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException("bad segment in cgroup parent '" + p + "'");
            }
        }
    }

    // v1 super options: controllers and name=X; the rest are mount flags
    private static boolean isController(String opt) {
        return !opt.isEmpty() && !Set.of("rw", "ro", "noprefix", "clone_children", "xattr", "cpuset_v2_mode",
                "nsdelegate", "favordynmods").contains(opt) && !opt.startsWith("release_agent=");
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return own.entrySet().stream().map(e -> e.getKey() + "=" + ownDir(e.getKey()))
                .collect(Collectors.joining(", ", "TestCgroups[", "]"));
    }

    /** Where a hierarchy is mounted. */
    public Optional<Path> mountPoint(String hierarchy) {
        return Optional.ofNullable(mounts.get(hierarchy)).map(Mount::mountPoint);
    }
}
