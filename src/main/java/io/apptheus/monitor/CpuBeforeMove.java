package io.apptheus.monitor;

import java.io.IOException;

import org.jboss.logging.Logger;

import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.proc.ProcReader;
import io.apptheus.proc.ThreadCpu;

/**
 * The CPU time a container's processes used before the agent moved them into its cgroup, added to
 * its CPU counters so that they count from the processes' start, not from the move (which comes
 * tens to hundreds of milliseconds after the starter's connect: a few percent of a short job).
 *
 * <p>How: right after the move, the cgroup's own CPU time is read, then the runtime of every live
 * thread of every process in the cgroup (/proc/PID/task/TID/schedstat: exact, and reading it
 * brings a running thread's runtime up to date in its cgroup too), then the cgroup's CPU time
 * again. The threads' runtime minus the cgroup's is their time before the move, give or take
 * half of what the cgroup ran between its two reads: the reads are tried again (up to
 * {@link #ATTEMPTS} times) until that is under {@link #WINDOW_NS}, as on a loaded machine the
 * agent may be preempted between them. The time is split into user and system time as the
 * threads' ticks are. Not counted: threads and processes that ended before the move, and what
 * threads that ended between the move and the reads ran in the cgroup (counted there, not here).
 *
 * <p>The offsets are kept with the cgroup (an extended attribute of its directory) so that an agent
 * restarted later adopts the container with the same counters; where the kernel cannot keep them
 * (before 5.7) they are not added at all, because a counter that drops at a restart would read as
 * a reset, and rate() as a burst of CPU.
 */
final class CpuBeforeMove {

    private static final Logger LOG = Logger.getLogger(CpuBeforeMove.class);

    /** The name under which the offsets are kept with the cgroup. */
    static final String KEPT = "cpu_before_move_ns";
    /** Reads until the cgroup ran less than this between its two reads (error at most half of it). */
    static final long WINDOW_NS = 200_000;
    static final int ATTEMPTS = 5;

    private CpuBeforeMove() {
    }

    /**
     * The time before the move of a container just registered, kept with its cgroup; null if there
     * is none, it could not be read or it could not be kept.
     */
    static long[] atRegistration(CgroupManager cgroups, ProcReader proc, ContainerCgroup cg,
                                 java.util.List<ControllerReader> readers) {
        ControllerReader cpu = null;
        for (ControllerReader r : readers) {
            if (cpu == null && r.provides().contains(Stat.CPU_USAGE_NS)) {
                cpu = r;
            }
        }
        try {
            long[] offsets = measure(cgroups, proc, cg, cpu);
            if (offsets != null && !cgroups.keep(cg, KEPT, offsets)) {
                LOG.debugf("container %s: the kernel keeps no xattr on its cgroup: CPU counts from the move", cg.name());
                return null;
            }
            return offsets;
        } catch (IOException | RuntimeException e) {
            LOG.debugf("container %s: CPU time before the move not read: %s", cg.name(), e.getMessage());
            return null;
        }
    }

    /** What an earlier run kept with the cgroup of an adopted container; null if nothing. */
    static long[] kept(CgroupManager cgroups, ContainerCgroup cg) {
        return cgroups.kept(cg, KEPT, 3).orElse(null);
    }

    /**
     * The time before the move, as {total, user, system} ns, of the processes now in {@code cg},
     * whose CPU time {@code cpu} reads at every sweep; null if none (or no CPU reader).
     */
    static long[] measure(CgroupManager cgroups, ProcReader proc, ContainerCgroup cg, ControllerReader cpu)
            throws IOException {
        if (cpu == null) {
            return null;
        }
        java.util.List<Long> pids = cgroups.processes(cg);
        StatsBuffer scratch = new StatsBuffer();
        long[] best = null;
        long bestWindow = Long.MAX_VALUE;
        for (int attempt = 0; attempt < ATTEMPTS && bestWindow > WINDOW_NS; attempt++) {
            cpu.readInto(scratch, Pass.EVERY_SWEEP);
            long c1 = scratch.raw(Stat.CPU_USAGE_NS);
            ThreadCpu threads = ThreadCpu.NONE;
            for (long pid : pids) {
                threads = threads.plus(proc.cpu(pid));
            }
            cpu.readInto(scratch, Pass.EVERY_SWEEP);
            long c2 = scratch.raw(Stat.CPU_USAGE_NS);
            if (c2 - c1 < bestWindow) {
                bestWindow = c2 - c1;
                best = offsets(threads, c1 + (c2 - c1) / 2);
            }
        }
        return best;
    }

    /** The threads' time minus the cgroup's, as {total, user, system} ns; null if not positive. */
    static long[] offsets(ThreadCpu threads, long cgroupNs) {
        long total = threads.totalNs() - cgroupNs;
        if (total <= 0) {
            return null;
        }
        long user = Math.round(total * (double) threads.userNs() / threads.totalNs());
        return new long[] {total, user, total - user};
    }

    /** Adds {@code offsets} ({total, user, system} ns) to the CPU counters the container has. */
    static void apply(StatsBuffer stats, long[] offsets) {
        stats.addOffset(Stat.CPU_USAGE_NS, offsets[0]);
        if (stats.has(Stat.CPU_USER_NS) && stats.has(Stat.CPU_SYSTEM_NS)) {
            stats.addOffset(Stat.CPU_USER_NS, offsets[1]);
            stats.addOffset(Stat.CPU_SYSTEM_NS, offsets[2]);
        }
    }
}
