package io.apptheus.cgroup;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The cgroup of one container: one directory per hierarchy, each made by the agent or, for
 * placement "nested" in a Slurm job, the caller's own (Slurm's task cgroup), which the agent only
 * reads: it moves nothing into it and never removes it.
 *
 * @param name    the directory name, {@code <exe>_<pid>}
 * @param id      the path of its first directory the agent made (in the layout's order), e.g.
 *                {@code /metric_gateway/starter_1234}: the {@code id} label
 * @param dirs    directory per hierarchy, in the layout's order
 * @param adopted the hierarchies whose directory is the caller's own, not the agent's
 */
public record ContainerCgroup(String name, String id, Map<Hierarchy, Path> dirs, Set<Hierarchy> adopted) {

    public ContainerCgroup {
        dirs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(dirs));
        adopted = Set.copyOf(adopted);
    }

    /** A cgroup made by the agent in every hierarchy of {@code dirs}. */
    public ContainerCgroup(String name, String id, Map<Hierarchy, Path> dirs) {
        this(name, id, dirs, Set.of());
    }

    /** The directories the agent made: those it moves processes into and removes. */
    public Map<Hierarchy, Path> ownDirs() {
        Map<Hierarchy, Path> out = new LinkedHashMap<>(dirs);
        out.keySet().removeAll(adopted);
        return out;
    }

    /** Whether {@code file} lies in a directory the agent did not make (removed by its owner, not by us). */
    public boolean isAdopted(Path file) {
        for (Hierarchy h : adopted) {
            if (file.startsWith(dirs.get(h))) {
                return true;
            }
        }
        return false;
    }
}
