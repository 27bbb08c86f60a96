package io.apptheus.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jboss.logging.Logger;

/**
 * cgroup v2: a controller is usable in a cgroup only if its parent lists it in
 * cgroup.subtree_control, and enabling it there requires that the parent holds no process itself
 * ("no internal processes"), except at the root. This enables cpu, memory, io and pids on the way
 * down to the containers' parent; what cannot be enabled is logged, and the agent then publishes
 * what the kernel gives without controllers (cpu.stat, PSI, cgroup.procs).
 */
final class V2Controllers {

    private static final Logger LOG = Logger.getLogger(V2Controllers.class);
    static final List<String> WANTED = List.of("cpu", "memory", "io", "pids");

    /** Enables the wanted controllers in every ancestor of {@code parentDir} and in it. */
    void enableBelow(Hierarchy h, Path parentDir) {
        List<Path> chain = new ArrayList<>();
        for (Path p = parentDir; p != null && p.startsWith(h.mountPoint()); p = p.getParent()) {
            chain.add(0, p);
        }
        for (Path dir : chain) {
            try {
                enable(dir);
            } catch (IOException e) {
                LOG.warnf("cgroup v2: cannot enable controllers in %s (%s); containers below it get"
                        + " cpu.stat, PSI and process counts only", dir, e.getMessage());
                return;
            }
        }
    }

    private static void enable(Path dir) throws IOException {
        Set<String> available = words(dir.resolve("cgroup.controllers"));
        Set<String> enabled = words(dir.resolve("cgroup.subtree_control"));
        StringBuilder add = new StringBuilder();
        for (String c : WANTED) {
            if (available.contains(c) && !enabled.contains(c)) {
                add.append(" +").append(c);
            }
        }
        if (add.length() > 0) {
            Files.writeString(dir.resolve("cgroup.subtree_control"), add.toString().trim());
            LOG.infof("cgroup v2: enabled%s in %s", add, dir);
        }
    }

    private static Set<String> words(Path file) throws IOException {
        return new HashSet<>(Arrays.asList(Files.readString(file).trim().split("\\s+")));
    }
}
