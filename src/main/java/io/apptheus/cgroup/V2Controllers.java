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
 * down to the containers' parent, touching only the root (absolute parent), the agent's own
 * cgroup (relative parent: systemd's Delegate=yes hands it to the agent) and what lies below.
 * A delegated agent first moves itself into a leaf of its own, {@code <own>/agent}, as systemd's
 * delegation rules ask, if it is alone in its cgroup. What cannot be enabled is logged; containers
 * then get what the kernel gives without controllers (cpu.stat, PSI, cgroup.procs).
 */
final class V2Controllers {

    private static final Logger LOG = Logger.getLogger(V2Controllers.class);
    static final List<String> WANTED = List.of("cpu", "memory", "io", "pids");
    static final String AGENT_LEAF = "agent";

    /** Enables the wanted controllers from the top the agent may touch down to {@code parentDir}. */
    void enableBelow(Hierarchy h, Path parentDir, long selfPid) {
        Path top = parentDir.startsWith(h.ownDir()) && !h.ownDir().equals(h.mountPoint()) ? h.ownDir() : h.mountPoint();
        List<Path> chain = new ArrayList<>();
        for (Path p = parentDir; p != null && p.startsWith(top); p = p.getParent()) {
            chain.add(0, p);
        }
        for (Path dir : chain) {
            try {
                if (dir.equals(h.ownDir()) && !dir.equals(h.mountPoint())) {
                    leaveForLeaf(dir, selfPid);
                }
                enable(dir);
            } catch (IOException e) {
                LOG.warnf("cgroup v2: cannot enable controllers in %s (%s); containers below it get"
                        + " cpu.stat, PSI and process counts only", dir, e.getMessage());
                return;
            }
        }
    }

    /** Moves the agent from its own cgroup into {@code <own>/agent}, if no other process is there. */
    private static void leaveForLeaf(Path own, long selfPid) throws IOException {
        List<String> procs = Files.readAllLines(own.resolve("cgroup.procs"));
        if (procs.isEmpty()) {
            return;
        }
        if (!procs.equals(List.of(Long.toString(selfPid)))) {
            throw new IOException("it holds processes other than the agent's: " + procs);
        }
        Path leaf = own.resolve(AGENT_LEAF);
        Files.createDirectories(leaf);
        CgroupFs.moveProcess(leaf, selfPid);
        LOG.infof("cgroup v2: moved the agent into %s so that %s can delegate controllers", leaf, own);
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
