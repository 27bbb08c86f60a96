package io.apptheus.cgroup.v2;

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
 * v2 CPU: {@code cpu.stat} exists in every cgroup, the root included, even without the cpu
 * controller; its throttling keys, {@code cpu.max} and {@code cpu.weight} need the controller
 * (enabled in the parent's cgroup.subtree_control), so the throttling Stats are provided only
 * when {@code cpu.max} exists.
 *
 * <pre>
 * cpu.stat     usage_usec 1559122         µs → ns
 *              user_usec 1503009
 *              system_usec 56112
 *              nice_usec 0                6.12, not read
 *              nr_periods 35              with the cpu controller
 *              nr_throttled 31
 *              throttled_usec 1518526
 * cpu.max      50000 100000               "$QUOTA $PERIOD" in µs; "max 100000" = no quota
 * cpu.weight   100                        1..10000, default 100
 * </pre>
 */
public final class CpuReader implements ControllerReader {

    private static final int USAGE = 0;
    private static final int USER = 1;
    private static final int SYSTEM = 2;
    private static final int PERIODS = 3;
    private static final int THROTTLED = 4;
    private static final int THROTTLED_USEC = 5;
    private static final long NS_PER_US = 1000;

    private final CgroupFiles files;
    private final KernelFile stat;
    private final KernelFile max;
    private final KernelFile weight;
    private final FlatKeyed statKeys = new FlatKeyed(
            "usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled", "throttled_usec");

    private CpuReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        stat = files.open("cpu.stat", Stat.CPU_USAGE_NS, Stat.CPU_USER_NS, Stat.CPU_SYSTEM_NS);
        max = files.open("cpu.max", Stat.CPU_QUOTA_US, Stat.CPU_PERIOD_US);
        weight = files.open("cpu.weight", Stat.CPU_SHARES);
        if (stat != null && max != null) {
            files.provide(Stat.CPU_PERIODS);
            files.provide(Stat.CPU_THROTTLED_PERIODS);
            files.provide(Stat.CPU_THROTTLED_NS);
        }
    }

    /** The CPU reader of the v2 cgroup {@code dir}; empty when it has no cpu file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.UNIFIED, CpuReader::new);
    }

    /**
     * cpu.weight as v1 cpu.shares, the way cadvisor publishes container_spec_cpu_shares on v2:
     * the inverse of runc's linear shares → weight mapping, weight = 1 + (shares − 2) × 9999 /
     * 262142, which maps shares [2, 262144] onto weight [1, 10000]. So the default weight 100
     * reads as 2597, not 1024; runc's shares 1024 → weight 39 reads back as 998. The kernel's
     * own scheduler equivalence is weight × 1024 / 100, and runc since PR #4785 (2025, kubernetes
     * issue 131216) writes weight with a log-scale curve that maps 1024 to 100: this is a
     * convention for comparing with cadvisor, not the scheduler's weight.
     */
    static long shares(long weight) {
        return 2 + ((weight - 1) * 262142) / 9999;
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        if (pass.reads(stat)) {
            stat.readKeyed(statKeys);
            statKeys.copy(USAGE, out, Stat.CPU_USAGE_NS, NS_PER_US);
            statKeys.copy(USER, out, Stat.CPU_USER_NS, NS_PER_US);
            statKeys.copy(SYSTEM, out, Stat.CPU_SYSTEM_NS, NS_PER_US);
            statKeys.copy(PERIODS, out, Stat.CPU_PERIODS);
            statKeys.copy(THROTTLED, out, Stat.CPU_THROTTLED_PERIODS);
            statKeys.copy(THROTTLED_USEC, out, Stat.CPU_THROTTLED_NS, NS_PER_US);
        }
        if (pass.reads(max)) {
            int n = max.read();
            out.set(Stat.CPU_QUOTA_US, max.field(n, 0, 2));
            out.set(Stat.CPU_PERIOD_US, max.field(n, 1, 2));
        }
        if (pass.reads(weight)) {
            out.set(Stat.CPU_SHARES, shares(weight.readValue()));
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
