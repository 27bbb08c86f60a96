package io.apptheus.metrics;

import static io.apptheus.metrics.ContainerMetric.counter;
import static io.apptheus.metrics.ContainerMetric.gauge;

import java.util.List;

import io.apptheus.cgroup.Stat;

/**
 * Every per-container metric, in small lists by resource. Names and meanings follow cAdvisor;
 * counter names are given without "_total", which the exposition appends to their samples.
 */
final class ContainerMetricTable {

    private static final double NS = 1e9;

    static final List<ContainerMetric> CPU = List.of(
            counter("container_cpu_usage_seconds", "Cumulative CPU time consumed", Stat.CPU_USAGE_NS, NS),
            counter("container_cpu_user_seconds", "Cumulative user CPU time consumed", Stat.CPU_USER_NS, NS),
            counter("container_cpu_system_seconds", "Cumulative system CPU time consumed", Stat.CPU_SYSTEM_NS, NS),
            counter("container_cpu_cfs_periods", "Number of elapsed enforcement period intervals",
                    Stat.CPU_PERIODS, 1),
            counter("container_cpu_cfs_throttled_periods", "Number of throttled period intervals",
                    Stat.CPU_THROTTLED_PERIODS, 1),
            counter("container_cpu_cfs_throttled_seconds", "Total time duration the container has been throttled",
                    Stat.CPU_THROTTLED_NS, NS),
            gauge("container_spec_cpu_quota", "CPU quota of the container (microseconds per period)",
                    Stat.CPU_QUOTA_US),
            gauge("container_spec_cpu_period", "CPU period of the container (microseconds)", Stat.CPU_PERIOD_US),
            gauge("container_spec_cpu_shares", "CPU share of the container", Stat.CPU_SHARES));

    static final List<ContainerMetric> MEMORY = List.of(
            gauge("container_memory_usage_bytes", "Current memory usage, including all memory regardless of when"
                    + " it was accessed", Stat.MEMORY_USAGE_BYTES),
            gauge("container_memory_working_set_bytes", "Current working set (usage minus inactive file cache)",
                    Stat.MEMORY_WORKING_SET_BYTES),
            gauge("container_memory_rss", "Size of RSS (anonymous memory) in bytes", Stat.MEMORY_RSS_BYTES),
            gauge("container_memory_cache", "Number of bytes of page cache memory", Stat.MEMORY_CACHE_BYTES),
            gauge("container_memory_swap", "Container swap usage in bytes", Stat.MEMORY_SWAP_BYTES),
            gauge("container_memory_max_usage_bytes", "Maximum memory usage recorded in bytes",
                    Stat.MEMORY_MAX_USAGE_BYTES),
            counter("container_memory_failcnt", "Number of memory usage hits limits", Stat.MEMORY_FAILCNT, 1),
            counter("container_memory_events_high", "Times the memory usage went over the high boundary",
                    Stat.MEMORY_EVENTS_HIGH, 1),
            counter("container_memory_events_max", "Times the memory usage was about to go over the max boundary",
                    Stat.MEMORY_EVENTS_MAX, 1),
            counter("container_oom_events", "Count of out of memory kills in the container", Stat.OOM_KILLS, 1),
            gauge("container_spec_memory_limit_bytes", "Memory limit for the container (+Inf: no limit)",
                    Stat.MEMORY_LIMIT_BYTES),
            gauge("container_spec_memory_swap_limit_bytes", "Swap limit for the container (+Inf: no limit)",
                    Stat.MEMORY_SWAP_LIMIT_BYTES));

    static final List<ContainerMetric> TASKS = List.of(
            gauge("container_processes", "Number of processes running inside the container", Stat.PROCESSES),
            gauge("container_threads", "Number of threads running inside the container", Stat.THREADS),
            gauge("container_threads_max", "Maximum number of threads allowed inside the container (+Inf: no limit)",
                    Stat.THREADS_MAX),
            counter("container_pids_events_max", "Forks refused because the container reached pids.max",
                    Stat.PIDS_EVENTS_MAX, 1));

    static final List<ContainerMetric> PRESSURE = List.of(
            counter("container_pressure_cpu_waiting_seconds", "Time at least one task waited for CPU",
                    Stat.PSI_CPU_SOME_NS, NS),
            counter("container_pressure_cpu_stalled_seconds", "Time all non-idle tasks were stalled on CPU",
                    Stat.PSI_CPU_FULL_NS, NS),
            counter("container_pressure_memory_waiting_seconds", "Time at least one task waited for memory",
                    Stat.PSI_MEMORY_SOME_NS, NS),
            counter("container_pressure_memory_stalled_seconds", "Time all non-idle tasks were stalled on memory",
                    Stat.PSI_MEMORY_FULL_NS, NS),
            counter("container_pressure_io_waiting_seconds", "Time at least one task waited for IO",
                    Stat.PSI_IO_SOME_NS, NS),
            counter("container_pressure_io_stalled_seconds", "Time all non-idle tasks were stalled on IO",
                    Stat.PSI_IO_FULL_NS, NS));

    static final List<List<ContainerMetric>> ALL = List.of(CPU, MEMORY, TASKS, PRESSURE);

    /** Every row, in the order the families are published. */
    static final List<ContainerMetric> ROWS = ALL.stream().flatMap(List::stream).toList();

    private ContainerMetricTable() {
    }
}
