package io.apptheus.cgroup.v1;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.CgroupFiles;
import io.apptheus.cgroup.fs.FlatKeyed;
import io.apptheus.cgroup.fs.KernelFile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * The v1 cpu controller: CFS bandwidth throttling and settings.
 *
 * <pre>
 * cpu.stat            nr_periods 35          enforcement periods that had runnable tasks
 *                     nr_throttled 31        periods in which the quota ran out
 *                     throttled_time 1518526000   ns (v2 has throttled_usec)
 *                     nr_bursts 0 / burst_time 0  since 5.14, not read
 * cpu.cfs_quota_us    -1                     µs per period; -1 = no limit
 * cpu.cfs_period_us   100000                 µs
 * cpu.shares          1024                   relative weight, default 1024
 * </pre>
 */
public final class CpuReader implements ControllerReader {

    private static final int PERIODS = 0;
    private static final int THROTTLED = 1;
    private static final int THROTTLED_TIME = 2;

    private final CgroupFiles files;
    private final KernelFile stat;
    private final KernelFile quota;
    private final KernelFile period;
    private final KernelFile shares;
    private final FlatKeyed statKeys = new FlatKeyed("nr_periods", "nr_throttled", "throttled_time");
    /**
     * The group has a CFS quota (as last read): its periods are counted by the kernel's bandwidth
     * timer, also while none of its tasks runs (a quota written on an idle group; tasks kept off
     * the CPUs of a loaded node), so cpu.stat is then read at every sweep, not only while active.
     * Without a quota the counters stay 0 and the table's refresh is enough.
     */
    private boolean limited;

    private CpuReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        this.stat = files.open("cpu.stat",
                Stat.CPU_PERIODS, Stat.CPU_THROTTLED_PERIODS, Stat.CPU_THROTTLED_NS);
        this.quota = files.open("cpu.cfs_quota_us", Stat.CPU_QUOTA_US);
        this.period = files.open("cpu.cfs_period_us", Stat.CPU_PERIOD_US);
        this.shares = files.open("cpu.shares", Stat.CPU_SHARES);
    }

    /** The cpu reader of the v1 cgroup {@code dir}; empty when it has no cpu file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.V1, CpuReader::new);
    }

    /** cpu.cfs_quota_us: -1 (any negative value) means no limit. */
    static long quota(long cfsQuotaUs) {
        return cfsQuotaUs < 0 ? StatsBuffer.UNLIMITED : cfsQuotaUs;
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        // with a quota: once per sweep, in the every-sweep pass (every sweep has one; a sweep's
        // later active or slow pass then skips it), else by the table
        boolean readStat = stat != null && (limited ? pass.covers(Refresh.EVERY_SWEEP) : pass.reads(stat));
        if (readStat) {
            stat.readKeyed(statKeys);
            statKeys.copy(PERIODS, out, Stat.CPU_PERIODS);
            statKeys.copy(THROTTLED, out, Stat.CPU_THROTTLED_PERIODS);
            statKeys.copy(THROTTLED_TIME, out, Stat.CPU_THROTTLED_NS);
        }
        if (pass.reads(quota)) {
            long q = quota.readValue();
            limited = q >= 0;
            out.set(Stat.CPU_QUOTA_US, quota(q));
        }
        if (pass.reads(period)) {
            out.set(Stat.CPU_PERIOD_US, period.readValue());
        }
        if (pass.reads(shares)) {
            out.set(Stat.CPU_SHARES, shares.readValue());
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
