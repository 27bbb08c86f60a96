package io.apptheus.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Detects the cgroup layout from /proc/self/mountinfo and /proc/self/cgroup, given as paths so
 * that tests feed real layouts. Exactly one place decides v1, v2 or hybrid.
 */
public final class LayoutDetector {

    /** The v1 controllers the agent samples; cpuset, devices and freezer are never touched. */
    public static final Set<String> SAMPLED_V1 = Set.of("cpu", "cpuacct", "memory", "pids", "blkio");

    private LayoutDetector() {
    }

    public static CgroupLayout detect(Path mountinfo, Path selfCgroup) throws IOException {
        return parse(Files.readString(mountinfo), Files.readString(selfCgroup));
    }

    /**
     * @param mountinfo  lines like {@code 35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory}
     *                   and {@code 41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw}
     * @param selfCgroup lines like {@code 4:memory:/process_api/x}, {@code 2:cpu,cpuacct:/} and {@code 0::/}
     */
    public static CgroupLayout parse(String mountinfo, String selfCgroup) {
        Map<String, String> ownPaths = parseProcCgroup(selfCgroup);
        List<Hierarchy> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.trim().split(" ");
            int dash = indexOf(f, "-");
            if (dash < 0 || dash + 3 > f.length || f.length < 5) {
                continue;
            }
            String fsType = f[dash + 1];
            String mountRoot = unescape(f[3]);
            Path mountPoint = Path.of(unescape(f[4]));
            if (fsType.equals("cgroup2")) {
                String own = ownPaths.get("");
                if (own != null && seen.add("unified")) {
                    Hierarchy h = new Hierarchy(mountPoint, true, Set.of(), mountRoot, mountPoint);
                    out.add(new Hierarchy(mountPoint, true, Set.of(), mountRoot, h.dirOf(own)));
                }
            } else if (fsType.equals("cgroup")) {
                Set<String> controllers = controllers(f[dash + 3]);
                if (controllers.isEmpty() || controllers.contains("cpuset")
                        || controllers.stream().noneMatch(SAMPLED_V1::contains)) {
                    continue;
                }
                String key = String.join(",", controllers);
                String own = ownPaths.get(key);
                if (own != null && seen.add(key)) {
                    Hierarchy h = new Hierarchy(mountPoint, false, controllers, mountRoot, mountPoint);
                    out.add(new Hierarchy(mountPoint, false, controllers, mountRoot, h.dirOf(own)));
                }
            }
        }
        return new CgroupLayout(out);
    }

    /**
     * The cgroup of a process in each hierarchy, from the text of /proc/PID/cgroup: hierarchy key
     * ({@link Hierarchy#key()}: "" for cgroup2, else the sorted controller list) → cgroup path.
     */
    public static Map<String, String> parseProcCgroup(String selfCgroup) {
        Map<String, String> out = new HashMap<>();
        for (String line : selfCgroup.split("\n")) {
            String[] f = line.trim().split(":", 3);
            if (f.length != 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                out.put("", f[2]);
            } else if (!f[1].isEmpty() && !controllers(f[1]).isEmpty()) {
                out.put(String.join(",", controllers(f[1])), f[2]);
            }
        }
        return out;
    }

    /** Every v1 controller the kernel has (see /proc/cgroups); mount options are not controllers. */
    private static final Set<String> KNOWN_V1 = Set.of("cpuset", "cpu", "cpuacct", "blkio", "memory", "devices",
            "freezer", "net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", "debug");

    /** The v1 controllers among a mount's super options ("rw,seclabel,cpu,cpuacct"). */
    private static Set<String> controllers(String options) {
        Set<String> out = new java.util.TreeSet<>();
        for (String o : options.split(",")) {
            if (KNOWN_V1.contains(o)) {
                out.add(o);
            }
        }
        return out;
    }

    private static int indexOf(String[] f, String s) {
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals(s)) {
                return i;
            }
        }
        return -1;
    }

    /** mountinfo escapes space, tab, newline and backslash as octal (\040). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
