package io.apptheus.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.apptheus.cgroup.v1.V1Readers;
import io.apptheus.cgroup.v1.V1Setup;
import io.apptheus.cgroup.v2.V2Readers;

/**
 * Creates, fills, reads and removes the containers' cgroups in every hierarchy of the layout.
 * The one place that picks readers by cgroup version: v1 controllers where mounted; on a pure v2
 * host everything from the unified hierarchy; on a hybrid host the unified hierarchy gives what
 * it has without controllers (CPU time and its user/system split, PSI, the process count) and
 * the v1 controllers the rest.
 */
public final class CgroupManager {

    private static final Logger LOG = Logger.getLogger(CgroupManager.class);
    /** How the agent names a container's cgroup: the starter's file name, "_", its PID. */
    private static final java.util.regex.Pattern CONTAINER_NAME = java.util.regex.Pattern.compile(".+_[0-9]+");

    private final CgroupLayout layout;
    private final String parent;
    private final V2Controllers v2Controllers;
    private final V1Setup v1Setup;
    private final List<Path> createdParents = new ArrayList<>();

    public CgroupManager(CgroupLayout layout, String parent, V1Setup v1Setup) {
        this.layout = layout;
        this.parent = parent;
        this.v1Setup = v1Setup;
        this.v2Controllers = new V2Controllers();
    }

    public CgroupLayout layout() {
        return layout;
    }

    /** The parent directory in each hierarchy. */
    public Map<Hierarchy, Path> parentDirs() {
        Map<Hierarchy, Path> out = new LinkedHashMap<>();
        for (Hierarchy h : layout.hierarchies()) {
            out.put(h, h.resolveParent(parent));
        }
        return out;
    }

    /** Creates the parent in every hierarchy; on v2 enables the controllers below it where it can. */
    public synchronized void prepare() throws IOException {
        if (layout.hierarchies().isEmpty()) {
            throw new IOException("no usable cgroup hierarchy is mounted (see /proc/self/mountinfo)");
        }
        for (Map.Entry<Hierarchy, Path> e : parentDirs().entrySet()) {
            if (!Files.isDirectory(e.getValue())) {
                Files.createDirectories(e.getValue());
                if (!createdParents.contains(e.getValue())) {
                    createdParents.add(e.getValue());
                }
            }
            if (e.getKey().unified() && layout.mode() == CgroupLayout.Mode.V2) {
                v2Controllers.enableBelow(e.getKey(), e.getValue(), ProcessHandle.current().pid());
            }
        }
    }

    /**
     * Makes {@code <parent>/<name>} in every hierarchy (placement "root"). A parent that is missing
     * (it could not be made at start, or someone removed it while it was empty) is made again first.
     */
    public ContainerCgroup create(String name) throws IOException {
        Map<Hierarchy, Path> parents = parentDirs();
        List<Path> missing = parents.values().stream().filter(d -> !Files.isDirectory(d)).toList();
        if (!missing.isEmpty()) {
            LOG.warnf("container %s: the cgroup parent %s is missing; making it again", name, missing);
            prepare();
        }
        return create(name, parents);
    }

    /**
     * Makes {@code <base>/<name>} in every hierarchy of {@code bases}: the parent, or for placement
     * "nested" the caller's own cgroups, so that every limit of its Slurm job or systemd slice
     * keeps applying to the container.
     */
    public ContainerCgroup create(String name, Map<Hierarchy, Path> bases) throws IOException {
        Map<Hierarchy, Path> dirs = new LinkedHashMap<>();
        try {
            for (Map.Entry<Hierarchy, Path> e : bases.entrySet()) {
                Path dir = e.getValue().resolve(name);
                Files.createDirectory(dir);
                dirs.put(e.getKey(), dir);
                for (String c : e.getKey().controllers()) {
                    v1Setup.prepare(c, dir);
                }
            }
        } catch (IOException e) {
            destroy(new ContainerCgroup(name, "", dirs));
            throw new IOException("cannot create cgroup " + name + ": " + e.getMessage(), e);
        }
        return new ContainerCgroup(name, idOf(dirs), dirs);
    }

    /** Moves one process into the container's cgroup in every hierarchy; false if it is gone. */
    public boolean move(ContainerCgroup cg, long pid) throws IOException {
        for (Path dir : cg.dirs().values()) {
            if (!CgroupFs.moveProcess(dir, pid)) {
                return false;
            }
        }
        return true;
    }

    /** The directories of the cgroups a process is in now (text of /proc/PID/cgroup), per hierarchy. */
    public Map<Hierarchy, Path> dirsOf(String procPidCgroup) {
        Map<String, String> paths = LayoutDetector.parseProcCgroup(procPidCgroup);
        Map<Hierarchy, Path> out = new LinkedHashMap<>();
        for (Hierarchy h : layout.hierarchies()) {
            String path = paths.get(h.key());
            if (path != null) {
                out.put(h, h.dirOf(path));
            }
        }
        return out;
    }

    /** Moves processes back where they were (undoing a move that turned out wrong); best effort. */
    public void restore(Map<Hierarchy, Path> original, Iterable<Long> pids) {
        for (long pid : pids) {
            for (Path dir : original.values()) {
                try {
                    CgroupFs.moveProcess(dir, pid);
                } catch (IOException e) {
                    LOG.warnf("cannot move pid %d back to %s: %s", pid, dir, e.getMessage());
                }
            }
        }
    }

    /** Processes now in the container's cgroup (every hierarchy holds them all). */
    public int processCount(ContainerCgroup cg) throws IOException {
        return CgroupFs.processCount(primary(cg));
    }

    /** The PIDs of the processes now in the container's cgroup. */
    public List<Long> processes(ContainerCgroup cg) throws IOException {
        return CgroupFs.processes(primary(cg));
    }

    /** The container's directory in cgroup2 where it is mounted, else in its first hierarchy. */
    private static Path primary(ContainerCgroup cg) {
        for (Map.Entry<Hierarchy, Path> e : cg.dirs().entrySet()) {
            if (e.getKey().unified()) {
                return e.getValue();
            }
        }
        return cg.dirs().values().iterator().next();
    }

    /**
     * Keeps {@code values} with the container's cgroup, as the extended attribute
     * {@code user.apptheus.<name>} of its directory in cgroup2 where it is mounted, else in its
     * first hierarchy (kernfs has user xattrs
     * on cgroup directories since 5.7): they go when the cgroup goes, and an agent that adopts the
     * container after a restart reads them back. False where the kernel cannot keep them.
     */
    public boolean keep(ContainerCgroup cg, String name, long... values) {
        return CgroupFs.setAttribute(primary(cg), "apptheus." + name, values);
    }

    /** What {@link #keep} kept under {@code name}; empty if nothing or not {@code count} numbers. */
    public Optional<long[]> kept(ContainerCgroup cg, String name, int count) {
        return CgroupFs.attribute(primary(cg), "apptheus." + name, count);
    }

    /**
     * The readers of every sampled file of this cgroup; when each file is read is decided by
     * {@link Refresh}. Where cgroup2 is mounted, processes are counted from it: a v1 cgroup.procs
     * serves a cached pid list until a second passes without a read (pidlist). On a hybrid host
     * the CPU time comes from cgroup2's cpu.stat, which exists without the cpu controller and
     * splits user and system as the scheduler's time, where v1's cpuacct.usage_user/usage_sys
     * are tick samples that do not sum to the usage: the cpuacct hierarchy is then not read.
     */
    public List<ControllerReader> openReaders(ContainerCgroup cg) throws IOException {
        List<ControllerReader> out = new ArrayList<>();
        try {
            Path unified = null;
            for (Map.Entry<Hierarchy, Path> e : cg.dirs().entrySet()) {
                if (e.getKey().unified()) {
                    unified = e.getValue();
                    out.addAll(layout.mode() == CgroupLayout.Mode.V2
                            ? V2Readers.forCgroup(unified) : V2Readers.forHybrid(unified));
                }
            }
            boolean cpuFromUnified = out.stream().anyMatch(r -> r.provides().contains(Stat.CPU_USAGE_NS));
            for (Map.Entry<Hierarchy, Path> e : cg.dirs().entrySet()) {
                if (e.getKey().unified()) {
                    continue;
                }
                for (String c : e.getKey().controllers()) {
                    if (!(c.equals("cpuacct") && cpuFromUnified)) {
                        V1Readers.forController(c, e.getValue()).ifPresent(out::add);
                    }
                }
            }
            if (unified == null && !cg.dirs().isEmpty()) {
                V1Readers.processCount(cg.dirs().values().iterator().next()).ifPresent(out::add);
            }
        } catch (IOException | RuntimeException e) {
            out.forEach(ControllerReader::close);
            throw e;
        }
        return out;
    }

    /** Removes the cgroup in every hierarchy; returns the directories still busy. */
    public List<Path> destroy(ContainerCgroup cg) {
        List<Path> busy = new ArrayList<>();
        for (Path dir : cg.dirs().values()) {
            try {
                if (!CgroupFs.remove(dir)) {
                    busy.add(dir);
                }
            } catch (IOException e) {
                LOG.warnf("container %s: %s", cg.name(), e.getMessage());
                busy.add(dir);
            }
        }
        return busy;
    }

    /** Removes the parent directories this run created, where no container cgroup is left in them. */
    public void removeParentIfEmpty() {
        for (Path dir : createdParents) {
            try {
                Files.delete(dir);
            } catch (IOException e) {
                // still holds containers' cgroups: kept for the next start to adopt
            }
        }
    }

    /**
     * The containers' cgroups already under the parent (left by an earlier run): the directories
     * named like the agent names them, {@code <exe>_<pid>}; anything else there is not the agent's.
     */
    public List<ContainerCgroup> existing() throws IOException {
        Optional<Map.Entry<Hierarchy, Path>> first = parentDirs().entrySet().stream().findFirst();
        List<ContainerCgroup> out = new ArrayList<>();
        if (first.isEmpty() || !Files.isDirectory(first.get().getValue())) {
            return out;
        }
        try (var names = Files.list(first.get().getValue())) {
            for (Path p : (Iterable<Path>) names.filter(Files::isDirectory)::iterator) {
                String name = p.getFileName().toString();
                if (!CONTAINER_NAME.matcher(name).matches()) {
                    continue;
                }
                Map<Hierarchy, Path> dirs = new LinkedHashMap<>();
                for (Map.Entry<Hierarchy, Path> e : parentDirs().entrySet()) {
                    if (Files.isDirectory(e.getValue().resolve(name))) {
                        dirs.put(e.getKey(), e.getValue().resolve(name));
                    }
                }
                out.add(new ContainerCgroup(name, idOf(dirs), dirs));
            }
        }
        return out;
    }

    private static String idOf(Map<Hierarchy, Path> dirs) {
        if (dirs.isEmpty()) {
            return "";
        }
        Map.Entry<Hierarchy, Path> first = dirs.entrySet().iterator().next();
        return "/" + first.getKey().mountPoint().relativize(first.getValue());
    }
}
