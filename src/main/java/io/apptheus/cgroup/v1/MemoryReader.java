package io.apptheus.cgroup.v1;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.WorkingSet;
import io.apptheus.cgroup.fs.CgroupFiles;
import io.apptheus.cgroup.fs.FlatKeyed;
import io.apptheus.cgroup.fs.KernelFile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The v1 memory controller.
 *
 * <pre>
 * memory.usage_in_bytes         67620864   bytes charged, page cache included
 * memory.limit_in_bytes         9223372036854771712   no limit: see {@link #limit}
 * memory.max_usage_in_bytes     67731456   peak usage
 * memory.failcnt                0          times usage hit the limit
 * memory.stat                   total_rss 67162112      the total_* keys include descendants
 *                               total_cache 458752
 *                               total_swap 0            only with swap accounting
 *                               total_inactive_file 212992
 *                               hierarchical_memory_limit 100663296    the lowest limit of the cgroup
 *                               hierarchical_memsw_limit 134217728     and its ancestors
 * memory.memsw.limit_in_bytes   9223372036854771712   memory + swap; only with swap accounting
 * memory.oom_control            oom_kill_disable 0 / under_oom 0 / oom_kill 1   (oom_kill since 4.13)
 * </pre>
 *
 * Working set = usage − total_inactive_file, floored at 0 (cadvisor's definition). The limits are
 * the ones that apply: the lower of the cgroup's own and memory.stat's hierarchical one (of its
 * latest read), so that a container inside a job's cgroup (placement nested, or a Slurm task cgroup
 * with no limit of its own) shows its job's limit. Swap limit = memsw limit − memory limit,
 * unlimited if either is.
 */
public final class MemoryReader implements ControllerReader {

    /**
     * The kernel prints "no limit" as PAGE_COUNTER_MAX pages in bytes: LONG_MAX rounded down to
     * the page size, 0x7FFFFFFFFFFFF000 with 4 KiB pages, 0x7FFFFFFFFFFF0000 with 64 KiB pages.
     * Anything at or above the 64 KiB form is unlimited.
     */
    static final long NO_LIMIT_THRESHOLD = 0x7FFFFFFFFFFF0000L;

    private static final int RSS = 0;
    private static final int CACHE = 1;
    private static final int SWAP = 2;
    private static final int INACTIVE_FILE = 3;
    private static final int HIERARCHICAL_LIMIT = 4;
    private static final int HIERARCHICAL_MEMSW_LIMIT = 5;
    private static final int OOM_KILL = 0;

    private final CgroupFiles files;
    private final KernelFile usage;
    private final KernelFile limit;
    private final KernelFile maxUsage;
    private final KernelFile failcnt;
    private final KernelFile stat;
    private final KernelFile memswLimit;
    private final KernelFile oomControl;
    /** The usage of the latest read of memory.usage_in_bytes, -1 before the first. */
    private long used = -1;
    private final FlatKeyed statKeys =
            new FlatKeyed("total_rss", "total_cache", "total_swap", "total_inactive_file",
                    "hierarchical_memory_limit", "hierarchical_memsw_limit");
    private final FlatKeyed oomKeys = new FlatKeyed("oom_kill");

    private MemoryReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        usage = files.open("memory.usage_in_bytes", Stat.MEMORY_USAGE_BYTES);
        limit = files.open("memory.limit_in_bytes", Stat.MEMORY_LIMIT_BYTES);
        maxUsage = files.open("memory.max_usage_in_bytes", Stat.MEMORY_MAX_USAGE_BYTES);
        failcnt = files.open("memory.failcnt", Stat.MEMORY_FAILCNT);
        stat = files.open("memory.stat", Stat.MEMORY_RSS_BYTES, Stat.MEMORY_CACHE_BYTES);
        memswLimit = files.open("memory.memsw.limit_in_bytes");
        oomControl = files.open("memory.oom_control", Stat.OOM_KILLS);
        if (usage != null && stat != null) {
            files.provide(Stat.MEMORY_WORKING_SET_BYTES);
        }
        if (memswLimit != null && stat != null) {
            files.provide(Stat.MEMORY_SWAP_BYTES);
        }
        if (memswLimit != null && limit != null) {
            files.provide(Stat.MEMORY_SWAP_LIMIT_BYTES);
        }
    }

    /** The memory reader of the v1 cgroup {@code dir}; empty when it has no memory file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.V1, MemoryReader::new);
    }

    /** A v1 limit in bytes, with the kernel's "no limit" as {@link StatsBuffer#UNLIMITED}. */
    static long limit(long bytes) {
        return bytes >= NO_LIMIT_THRESHOLD ? StatsBuffer.UNLIMITED : bytes;
    }

    /** memsw − memory: the swap a cgroup may use on top of its memory limit. */
    static long swapLimit(long memsw, long memory) {
        if (memsw == StatsBuffer.UNLIMITED || memory == StatsBuffer.UNLIMITED) {
            return StatsBuffer.UNLIMITED;
        }
        return Math.max(0, memsw - memory);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        if (pass.reads(usage)) {
            used = usage.readValue();
            out.set(Stat.MEMORY_USAGE_BYTES, used);
        }
        if (pass.reads(maxUsage)) {
            out.set(Stat.MEMORY_MAX_USAGE_BYTES, maxUsage.readValue());
        }
        if (pass.reads(failcnt)) {
            out.set(Stat.MEMORY_FAILCNT, failcnt.readValue());
        }
        if (pass.reads(stat)) {
            stat.readKeyed(statKeys);
            statKeys.copy(RSS, out, Stat.MEMORY_RSS_BYTES);
            statKeys.copy(CACHE, out, Stat.MEMORY_CACHE_BYTES);
            statKeys.copy(SWAP, out, Stat.MEMORY_SWAP_BYTES);
            WorkingSet.set(out, used, statKeys.has(INACTIVE_FILE) ? statKeys.get(INACTIVE_FILE) : -1);
        }
        if (pass.reads(limit)) { // after memory.stat: its hierarchical limit is then this pass's
            out.set(Stat.MEMORY_LIMIT_BYTES, applying(limit(limit.readValue()), HIERARCHICAL_LIMIT));
        }
        if (pass.reads(memswLimit) && out.has(Stat.MEMORY_LIMIT_BYTES)) {
            out.set(Stat.MEMORY_SWAP_LIMIT_BYTES, swapLimit(
                    applying(limit(memswLimit.readValue()), HIERARCHICAL_MEMSW_LIMIT), out.raw(Stat.MEMORY_LIMIT_BYTES)));
        }
        if (pass.reads(oomControl)) {
            oomControl.readKeyed(oomKeys);
            oomKeys.copy(OOM_KILL, out, Stat.OOM_KILLS);
        }
    }

    /** The lower of a cgroup's own limit and the hierarchical one of the latest memory.stat read. */
    private long applying(long own, int hierarchicalKey) {
        return stat != null && statKeys.has(hierarchicalKey) ? Math.min(own, limit(statKeys.get(hierarchicalKey))) : own;
    }

    @Override
    public void close() {
        files.close();
    }
}
