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
     * Makes container {@code name}'s cgroup where {@code placement} puts it, given the caller's own
     * cgroups ({@link #dirsOf}); see {@link Placement}. Directories of the caller's used as they are
     * are recorded as adopted. A parent that is missing (it could not be made at start, or someone
     * removed it while it was empty) is made again first.
     */
    public ContainerCgroup create(String name, Map<Hierarchy, Path> caller, Placement placement) throws IOException {
        Map<Hierarchy, Path> parents = parentDirs();
        Map<Hierarchy, Placement.Spot> plan = placement.plan(name, parents, caller);
        List<Path> missing = plan.entrySet().stream()
                .filter(e -> e.getValue().made() && e.getValue().dir().getParent().equals(parents.get(e.getKey())))
                .map(e -> parents.get(e.getKey())).filter(d -> !Files.isDirectory(d)).toList();
        if (!missing.isEmpty()) {
            LOG.warnf("container %s: the cgroup parent %s is missing; making it again", name, missing);
            prepare();
        }
        Map<Hierarchy, Path> dirs = new LinkedHashMap<>();
        Map<Hierarchy, Path> made = new LinkedHashMap<>();
        java.util.Set<Hierarchy> adopted = new java.util.HashSet<>();
        try {
            for (Map.Entry<Hierarchy, Placement.Spot> e : plan.entrySet()) {
                Path dir = e.getValue().dir();
                if (!e.getValue().made()) {
                    dirs.put(e.getKey(), dir);
                    adopted.add(e.getKey());
                    continue;
                }
                Files.createDirectory(dir);
                made.put(e.getKey(), dir);
                dirs.put(e.getKey(), dir);
                for (String c : e.getKey().controllers()) {
                    v1Setup.prepare(c, dir);
                }
            }
        } catch (IOException e) {
            destroy(new ContainerCgroup(name, "", made));
            throw new IOException("cannot create cgroup " + name + ": " + e.getMessage(), e);
        }
        return new ContainerCgroup(name, idOf(made.isEmpty() ? dirs : made), dirs, adopted);
    }

    /** Moves one process into the container's cgroup in every hierarchy; false if it is gone. */
    public boolean move(ContainerCgroup cg, long pid) throws IOException {
        for (Path dir : cg.ownDirs().values()) {
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

    /**
     * Moves processes back where they were (undoing a move that turned out wrong), in the hierarchies
     * where the agent moved them into {@code cg}; best effort.
     */
    public void restore(Map<Hierarchy, Path> original, ContainerCgroup cg, Iterable<Long> pids) {
        Map<Hierarchy, Path> back = new LinkedHashMap<>(original);
        back.keySet().retainAll(cg.ownDirs().keySet());
        for (long pid : pids) {
            for (Path dir : back.values()) {
                try {
                    CgroupFs.moveProcess(dir, pid);
                } catch (IOException e) {
                    LOG.warnf("cannot move pid %d back to %s: %s", pid, dir, e.getMessage());
                }
            }
        }
    }

    /** Processes now in the container's cgroup (each of its own directories holds them all). */
    public int processCount(ContainerCgroup cg) throws IOException {
        return CgroupFs.processCount(primary(cg));
    }

    /** The PIDs of the processes now in the container's cgroup. */
    public List<Long> processes(ContainerCgroup cg) throws IOException {
        return CgroupFs.processes(primary(cg));
    }

    /**
     * The container's own directory in cgroup2 where it is mounted, else its first own one; only
     * when every directory is adopted (a Slurm task cgroup used as it is) its first. An adopted
     * directory also holds processes that are not the container's (the starter, a batch shell)
     * and is never written to.
     */
    private static Path primary(ContainerCgroup cg) {
        Map<Hierarchy, Path> own = cg.ownDirs();
        Map<Hierarchy, Path> dirs = own.isEmpty() ? cg.dirs() : own;
        for (Map.Entry<Hierarchy, Path> e : dirs.entrySet()) {
            if (e.getKey().unified()) {
                return e.getValue();
            }
        }
        return dirs.values().iterator().next();
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
                V1Readers.processCount(primary(cg)).ifPresent(out::add);
            }
        } catch (IOException | RuntimeException e) {
            out.forEach(ControllerReader::close);
            throw e;
        }
        return out;
    }

    /** Removes the cgroup in every hierarchy where the agent made it; returns the directories still busy. */
    public List<Path> destroy(ContainerCgroup cg) {
        List<Path> busy = new ArrayList<>();
        for (Path dir : cg.ownDirs().values()) {
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

    /**
     * A container an earlier run left, with the Slurm task cgroups it was using as they are: in the
     * hierarchies where {@code cg} has no directory of ours, the cgroup of {@code procPidCgroup} (the
     * text of /proc/PID/cgroup of one of its processes) when that is a Slurm job step's.
     */
    public ContainerCgroup withJobCgroups(ContainerCgroup cg, String procPidCgroup) {
        Map<Hierarchy, Path> of = dirsOf(procPidCgroup);
        Map<Hierarchy, Path> dirs = new LinkedHashMap<>();
        java.util.Set<Hierarchy> adopted = new java.util.HashSet<>(cg.adopted());
        for (Hierarchy h : layout.hierarchies()) {
            if (cg.dirs().containsKey(h)) {
                dirs.put(h, cg.dirs().get(h));
            } else if (of.containsKey(h) && Placement.inSlurmStep(h, of.get(h))) {
                dirs.put(h, of.get(h));
                adopted.add(h);
            }
        }
        return new ContainerCgroup(cg.name(), cg.id(), dirs, adopted);
    }

    /** One process in the container's cgroup, if any is left. */
    public java.util.OptionalLong anyProcess(ContainerCgroup cg) throws IOException {
        for (String line : Files.readAllLines(primary(cg).resolve("cgroup.procs"))) {
            if (!line.isBlank()) {
                return java.util.OptionalLong.of(Long.parseLong(line.strip()));
            }
        }
        return java.util.OptionalLong.empty();
    }

    private static String idOf(Map<Hierarchy, Path> dirs) {
        if (dirs.isEmpty()) {
            return "";
        }
        Map.Entry<Hierarchy, Path> first = dirs.entrySet().iterator().next();
        return "/" + first.getKey().mountPoint().relativize(first.getValue());
    }
}
