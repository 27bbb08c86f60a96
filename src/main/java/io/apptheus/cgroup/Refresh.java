package io.apptheus.cgroup;

import java.util.Map;

/**
 * When a sampled cgroup file is read, and whether its fd stays open: decided here, for every file
 * of every reader, and nowhere else. A reader opens its files by name; {@link Table#rule} gives
 * each its refresh; the sweep picks the {@link Pass} of each container at each sweep.
 *
 * <p>Why three classes, and not everything at every sweep: each file read costs the kernel 2–25 µs
 * (it formats the file at each read; the v1 blkio files list every disk), which at 1,000
 * containers and two sweeps a second would be most of the agent's CPU. But most of the counters
 * can only move while a task of the container runs, so they need not be read while none does.
 */
public enum Refresh {

    /**
     * Read at every sweep, fd kept open: the container's CPU time and memory usage (the activity
     * signal of {@link #WHILE_ACTIVE}, and usage moves without the container: reclaim, swap-out),
     * its process count (how the agent sees its end) and v2's io.stat (writeback of its dirty
     * pages is done, and counted, by the flusher threads, not by its tasks).
     */
    EVERY_SWEEP,

    /**
     * Read at every sweep while the container is active — its CPU time or memory usage moved at
     * one of the last sweeps of the activity window (2 s) — and on the slow period; opened at each
     * read (an fd for each would be 20 or more per container). These counters move only in the
     * context of a task of the container, or shortly after one ran: user/system time, CFS
     * throttling (the bandwidth timer counts periods for at most two periods of at most 1 s after
     * the group last ran), v1 block IO (v1 has no cgroup writeback: every bio it counts was
     * submitted by a task of the cgroup, or by a loop/dm worker on its behalf moments later),
     * threads (clone and exit run in the task), OOM kills (the victim runs to exit), refused
     * forks, memory events, the memory.stat breakdown and the peak (they change with usage or
     * with page activation by the tasks). PSI too: a stall begins when a task that ran blocks
     * (IO, reclaim, a memory.high throttle) or waits for a CPU; while its total keeps moving the
     * container counts as active (see the sweep's schedule), so a task blocked for minutes on a
     * hung file system shows at every sweep. Only a stall that begins after two idle seconds
     * without the task running at all (woken, then kept off every CPU for a whole sweep) shows
     * one sweep late, when it runs, or at the slow period.
     */
    WHILE_ACTIVE,

    /**
     * Read once per slow period ({@code --monitor.slow-interval}, 30 s; containers spread over
     * it): limits and settings that only an administrator or the job's manager changes.
     */
    SLOW;

    /** A file's refresh, and whether its fd stays open between reads. */
    public record Rule(Refresh refresh, boolean keptOpen) {
    }

    private static final Rule EVERY = new Rule(EVERY_SWEEP, true);
    private static final Rule ACTIVE = new Rule(WHILE_ACTIVE, false);
    private static final Rule SLOWLY = new Rule(SLOW, false);

    /** The files of one kind of hierarchy. */
    public enum Table {
        /** A v1 controller's hierarchy. */
        V1(Map.ofEntries(
                Map.entry("cpuacct.usage", EVERY),
                Map.entry("cpuacct.usage_user", ACTIVE),
                Map.entry("cpuacct.usage_sys", ACTIVE),
                Map.entry("cpuacct.stat", ACTIVE),
                // and at every sweep while the group has a CFS quota: see v1.CpuReader
                Map.entry("cpu.stat", ACTIVE),
                Map.entry("cpu.cfs_quota_us", SLOWLY),
                Map.entry("cpu.cfs_period_us", SLOWLY),
                Map.entry("cpu.shares", SLOWLY),
                Map.entry("memory.usage_in_bytes", EVERY),
                Map.entry("memory.stat", ACTIVE),
                Map.entry("memory.max_usage_in_bytes", ACTIVE),
                Map.entry("memory.failcnt", ACTIVE),
                Map.entry("memory.oom_control", ACTIVE),
                Map.entry("memory.limit_in_bytes", SLOWLY),
                Map.entry("memory.memsw.limit_in_bytes", SLOWLY),
                Map.entry("pids.current", ACTIVE),
                Map.entry("pids.events", ACTIVE),
                Map.entry("pids.max", SLOWLY),
                Map.entry("blkio.throttle.io_service_bytes_recursive", ACTIVE),
                Map.entry("blkio.throttle.io_serviced_recursive", ACTIVE),
                // a v1 pid list is built at the first read of an open file and served again until a
                // second passes without a read (CGROUP_PIDLIST_DESTROY_DELAY): never kept open
                Map.entry("cgroup.procs", new Rule(EVERY_SWEEP, false)))),

        /** cgroup2: a pure v2 host's hierarchy, or the cgroup2 side of a hybrid host. */
        UNIFIED(Map.ofEntries(
                Map.entry("cpu.stat", EVERY),
                Map.entry("cpu.max", SLOWLY),
                Map.entry("cpu.weight", SLOWLY),
                Map.entry("memory.current", EVERY),
                Map.entry("memory.stat", ACTIVE),
                Map.entry("memory.peak", ACTIVE),
                Map.entry("memory.swap.current", ACTIVE),
                Map.entry("memory.events", ACTIVE),
                Map.entry("memory.max", SLOWLY),
                Map.entry("memory.swap.max", SLOWLY),
                Map.entry("pids.current", ACTIVE),
                Map.entry("pids.events", ACTIVE),
                Map.entry("pids.max", SLOWLY),
                Map.entry("io.stat", EVERY),
                Map.entry("cpu.pressure", ACTIVE),
                Map.entry("memory.pressure", ACTIVE),
                Map.entry("io.pressure", ACTIVE),
                Map.entry("cgroup.procs", EVERY)));

        private final Map<String, Rule> rules;

        Table(Map<String, Rule> rules) {
            this.rules = rules;
        }

        /**
         * The rule of {@code file}.
         *
         * @throws IllegalArgumentException for a file no rule was decided for: a reader may not
         *                                  sample a file this table does not list
         */
        public Rule rule(String file) {
            Rule r = rules.get(file);
            if (r == null) {
                throw new IllegalArgumentException("no refresh decided for " + name() + " file " + file);
            }
            return r;
        }

        /** Every file of this table and its rule. */
        public Map<String, Rule> rules() {
            return rules;
        }
    }
}
