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
 * The v1 cpuacct controller: CPU time of the cgroup and its descendants.
 *
 * <pre>
 * cpuacct.usage        1559122000     ns, user + system
 * cpuacct.usage_user   1503009000     ns, since 4.7
 * cpuacct.usage_sys    56112000       ns, since 4.7
 * cpuacct.stat         user 150       USER_HZ ticks, read only when usage_user/usage_sys are absent
 *                      system 5
 * </pre>
 *
 * USER_HZ is 100 on every architecture (it is the unit of times(2), fixed for userspace), so one
 * tick is 10 ms. usage_user and usage_sys are tick samples too (the CPU time of the ticks that
 * found a task of the group in user or kernel mode): they need not sum to cpuacct.usage. Read
 * only on a host without cgroup2, whose cpu.stat is used instead (see CgroupManager).
 */
public final class CpuacctReader implements ControllerReader {

    static final long NS_PER_USER_HZ_TICK = 10_000_000L;
    private static final int USER = 0;
    private static final int SYSTEM = 1;

    private final CgroupFiles files;
    private final KernelFile usage;
    private final KernelFile user;
    private final KernelFile system;
    private final KernelFile stat;
    private final FlatKeyed ticks = new FlatKeyed("user", "system");

    private CpuacctReader(CgroupFiles files) throws CgroupReadException {
        this.files = files;
        this.usage = files.open("cpuacct.usage", Stat.CPU_USAGE_NS);
        this.user = files.open("cpuacct.usage_user", Stat.CPU_USER_NS);
        this.system = files.open("cpuacct.usage_sys", Stat.CPU_SYSTEM_NS);
        this.stat = user == null || system == null
                ? files.open("cpuacct.stat", Stat.CPU_USER_NS, Stat.CPU_SYSTEM_NS)
                : null;
    }

    /** The cpuacct reader of the v1 cgroup {@code dir}; empty when it has no cpuacct file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, Refresh.Table.V1, CpuacctReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out, Pass pass) throws CgroupReadException {
        if (pass.reads(usage)) {
            out.set(Stat.CPU_USAGE_NS, usage.readValue());
        }
        if (pass.reads(stat)) {
            stat.readKeyed(ticks);
            ticks.copy(USER, out, Stat.CPU_USER_NS, NS_PER_USER_HZ_TICK);
            ticks.copy(SYSTEM, out, Stat.CPU_SYSTEM_NS, NS_PER_USER_HZ_TICK);
        }
        if (pass.reads(user)) {
            out.set(Stat.CPU_USER_NS, user.readValue());
        }
        if (pass.reads(system)) {
            out.set(Stat.CPU_SYSTEM_NS, system.readValue());
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
