package io.apptheus.cgroup;

import java.nio.file.Path;
import java.util.Set;

/**
 * One mounted cgroup hierarchy.
 *
 * @param mountPoint where it is mounted (/sys/fs/cgroup/memory, /sys/fs/cgroup, /sys/fs/cgroup/unified)
 * @param unified    true for cgroup2
 * @param controllers the v1 controllers bound to it (empty for cgroup2: see cgroup.controllers)
 * @param mountRoot  the cgroup shown at the mount point ("/" on a host, "/docker/ID" in some containers)
 * @param ownDir     the directory of the agent's own cgroup in this hierarchy
 */
public record Hierarchy(Path mountPoint, boolean unified, Set<String> controllers, String mountRoot, Path ownDir) {

    /** The key of this hierarchy in /proc/PID/cgroup: "" for cgroup2, else its controllers joined. */
    public String key() {
        return unified ? "" : String.join(",", controllers);
    }

    /** The directory of cgroup {@code path} (as /proc/PID/cgroup names it) in this hierarchy. */
    public Path dirOf(String path) {
        String rel = path;
        if (!mountRoot.equals("/") && (rel.equals(mountRoot) || rel.startsWith(mountRoot + "/"))) {
            rel = rel.substring(mountRoot.length());
        }
        rel = rel.replaceAll("^/+", "");
        return rel.isEmpty() ? mountPoint : mountPoint.resolve(rel);
    }

    /** Short name for logs and errors: "unified" or the controllers joined ("cpu,cpuacct"). */
    public String label() {
        return unified ? "unified" : String.join(",", controllers);
    }

    /**
     * Where a cgroup named by {@code parent} lives: an absolute parent ("/metric_gateway") under the
     * mount point, a relative one ("metric_gateway") under the agent's own cgroup.
     */
    public Path resolveParent(String parent) {
        return parent.startsWith("/") ? mountPoint.resolve(parent.substring(1)) : ownDir.resolve(parent);
    }
}
