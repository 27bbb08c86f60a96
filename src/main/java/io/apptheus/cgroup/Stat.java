package io.apptheus.cgroup;

/**
 * Every scalar value a sweep can read from a container's cgroup.
 *
 * <p>Units are fixed here, once, at the parser boundary: times in nanoseconds, sizes in bytes,
 * everything else a plain count. Kernel files in microseconds (v2 {@code cpu.stat}, PSI
 * {@code total=}) or USER_HZ ticks are converted by their parser. A limit the kernel reports as
 * "max" (or v1's page-rounded LONG_MAX) is stored as {@link StatsBuffer#UNLIMITED}.
 */
public enum Stat {
    // cpu: v1 cpuacct.usage / usage_user / usage_sys, v2 cpu.stat usage_usec / user_usec / system_usec
    CPU_USAGE_NS,
    CPU_USER_NS,
    CPU_SYSTEM_NS,
    // cpu throttling: v1 cpu.stat (nr_periods, nr_throttled, throttled_time ns), v2 cpu.stat (throttled_usec)
    CPU_PERIODS,
    CPU_THROTTLED_PERIODS,
    CPU_THROTTLED_NS,
    // cpu settings: v1 cpu.cfs_quota_us (-1 = unlimited) / cpu.cfs_period_us / cpu.shares, v2 cpu.max / cpu.weight
    CPU_QUOTA_US,
    CPU_PERIOD_US,
    CPU_SHARES,

    // memory: v1 memory.usage_in_bytes, v2 memory.current
    MEMORY_USAGE_BYTES,
    // usage - inactive_file (v1 total_inactive_file, v2 inactive_file), floored at 0
    MEMORY_WORKING_SET_BYTES,
    // v1 memory.stat total_rss, v2 memory.stat anon
    MEMORY_RSS_BYTES,
    // v1 memory.stat total_cache, v2 memory.stat file
    MEMORY_CACHE_BYTES,
    // swap only: v1 total_swap from memory.stat, v2 memory.swap.current
    MEMORY_SWAP_BYTES,
    // v1 memory.max_usage_in_bytes, v2 memory.peak (since 5.19)
    MEMORY_MAX_USAGE_BYTES,
    // v1 memory.failcnt
    MEMORY_FAILCNT,
    // v2 memory.events high / max
    MEMORY_EVENTS_HIGH,
    MEMORY_EVENTS_MAX,
    // v2 memory.events oom_kill, v1 memory.oom_control oom_kill
    OOM_KILLS,
    // v1 memory.limit_in_bytes, v2 memory.max
    MEMORY_LIMIT_BYTES,
    // swap only: v1 memory.memsw.limit_in_bytes - memory.limit_in_bytes, v2 memory.swap.max
    MEMORY_SWAP_LIMIT_BYTES,

    // number of lines in cgroup.procs
    PROCESSES,
    // pids.current (the pids controller counts tasks, i.e. threads)
    THREADS,
    // pids.max
    THREADS_MAX,
    // pids.events max: forks refused by pids.max
    PIDS_EVENTS_MAX,

    // PSI total= of the some / full lines of cpu.pressure, memory.pressure, io.pressure (µs in the file)
    PSI_CPU_SOME_NS,
    PSI_CPU_FULL_NS,
    PSI_MEMORY_SOME_NS,
    PSI_MEMORY_FULL_NS,
    PSI_IO_SOME_NS,
    PSI_IO_FULL_NS;

    static final Stat[] ALL = values();
}
