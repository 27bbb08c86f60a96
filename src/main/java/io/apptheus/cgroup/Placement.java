package io.apptheus.cgroup;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where a container's cgroup goes, decided per hierarchy from the caller's own cgroups.
 *
 * <ul>
 * <li>{@link #ROOT}: {@code <parent>/<exe>_<pid>} everywhere (Apptheus's tree). The container leaves
 * its job's or slice's cgroups, and with them their limits.</li>
 * <li>{@link #NESTED}: inside the caller's own cgroup, so that every limit above it keeps applying.
 * Where the caller sits in a Slurm job step's cgroup, that cgroup (Slurm's task cgroup) is the
 * container's as it is: the agent makes nothing inside it, since Slurm removes its task, step and
 * job cgroups the moment the step's last process is gone and finds any directory of ours in the way
 * ("cgroup is not empty": the job's cgroups stay behind for good). Where the caller sits at the
 * hierarchy's root or in one of the agent's own ancestors, or, for a caller in a Slurm job, in a
 * hierarchy Slurm does not use, there is nothing to keep: {@code <parent>/<exe>_<pid>}.</li>
 * <li>{@link #AUTO}: {@link #NESTED} for a caller in a Slurm job step's cgroup, {@link #ROOT}
 * otherwise.</li>
 * </ul>
 */
public enum Placement {
    ROOT, NESTED, AUTO;

    /**
     * A Slurm job step's cgroup: {@code .../job_<id>/step_<id>[/...]}, as the cgroup/v1 plugin makes
     * them ({@code slurm[_<node>]/uid_<uid>/job_<id>/step_<id>[/task_<n>]}) and the cgroup/v2 plugin
     * ({@code system.slice/slurmstepd.scope/job_<id>/step_<id>/user/task_<n>}); step ids are numbers,
     * {@code batch}, {@code extern} or {@code interactive}.
     */
    private static final Pattern SLURM_STEP = Pattern.compile("(^|/)job_[0-9]+/step_[a-z0-9]+(/|$)");

    /** One hierarchy's spot: the directory of the container's cgroup there, and whether the agent makes it. */
    public record Spot(Path dir, boolean made) {
    }

    /** Whether {@code dir} (a cgroup directory of hierarchy {@code h}) is a Slurm job step's cgroup or one below it. */
    public static boolean inSlurmStep(Hierarchy h, Path dir) {
        return dir.startsWith(h.mountPoint()) && SLURM_STEP.matcher(h.mountPoint().relativize(dir).toString()).find();
    }

    /**
     * The spot of container {@code name} in every hierarchy of {@code parents} (the layout's order).
     *
     * @param parents the agent's parent directory per hierarchy ({@code --cgroup.parent})
     * @param caller  the caller's own cgroup directory per hierarchy (from /proc/PID/cgroup)
     */
    public Map<Hierarchy, Spot> plan(String name, Map<Hierarchy, Path> parents, Map<Hierarchy, Path> caller) {
        boolean slurm = caller.entrySet().stream().anyMatch(e -> inSlurmStep(e.getKey(), e.getValue()));
        boolean nest = this == NESTED || (this == AUTO && slurm);
        Map<Hierarchy, Spot> out = new LinkedHashMap<>();
        for (Map.Entry<Hierarchy, Path> e : parents.entrySet()) {
            Hierarchy h = e.getKey();
            Path own = caller.get(h);
            Spot atParent = new Spot(e.getValue().resolve(name), true);
            if (!nest || own == null) {
                out.put(h, atParent);
            } else if (inSlurmStep(h, own)) {
                out.put(h, new Spot(own, false));
            } else if (slurm || h.ownDir().startsWith(own)) {
                out.put(h, atParent);
            } else {
                out.put(h, new Spot(own.resolve(name), true));
            }
        }
        return out;
    }
}
