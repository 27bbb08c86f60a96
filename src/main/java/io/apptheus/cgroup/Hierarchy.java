package io.apptheus.cgroup;

import java.nio.file.Path;
import java.util.Set;

/**
 * One mounted cgroup hierarchy.
 *
 * @param mountPoint where it is mounted (/sys/fs/cgroup/memory, /sys/fs/cgroup, /sys/fs/cgroup/unified)
 * @param unified    true for cgroup2
 * @param controllers the v1 controllers bound to it (empty for cgroup2: see cgroup.controllers)
 * @param ownDir     the directory of the agent's own cgroup in this hierarchy
 */
public record Hierarchy(Path mountPoint, boolean unified, Set<String> controllers, Path ownDir) {

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
