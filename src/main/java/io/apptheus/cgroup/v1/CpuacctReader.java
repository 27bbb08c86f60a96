package io.apptheus.cgroup.v1;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.cgroup.fs.CgroupFiles;
import io.apptheus.cgroup.fs.CgroupFiles.ColdFiles;
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
 * tick is 10 ms.
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
        this.user = files.openCold("cpuacct.usage_user", Stat.CPU_USER_NS);
        this.system = files.openCold("cpuacct.usage_sys", Stat.CPU_SYSTEM_NS);
        this.stat = user == null || system == null
                ? files.openCold("cpuacct.stat", Stat.CPU_USER_NS, Stat.CPU_SYSTEM_NS)
                : null;
    }

    /** The cpuacct reader of the v1 cgroup {@code dir}; empty when it has no cpuacct file. */
    public static Optional<ControllerReader> open(Path dir) throws CgroupReadException {
        return CgroupFiles.reader(dir, CpuacctReader::new);
    }

    /** The same, with the cold files kept open or not as {@code cold} says. */
    public static Optional<ControllerReader> open(Path dir, ColdFiles cold) throws CgroupReadException {
        return CgroupFiles.reader(dir, cold, CpuacctReader::new);
    }

    @Override
    public Set<Stat> provides() {
        return files.provided();
    }

    @Override
    public void readInto(StatsBuffer out) throws CgroupReadException {
        if (usage != null) {
            out.set(Stat.CPU_USAGE_NS, usage.readValue());
        }
        if (stat != null) {
            stat.readKeyed(ticks);
            ticks.copy(USER, out, Stat.CPU_USER_NS, NS_PER_USER_HZ_TICK);
            ticks.copy(SYSTEM, out, Stat.CPU_SYSTEM_NS, NS_PER_USER_HZ_TICK);
        }
        if (user != null) {
            out.set(Stat.CPU_USER_NS, user.readValue());
        }
        if (system != null) {
            out.set(Stat.CPU_SYSTEM_NS, system.readValue());
        }
    }

    /**
     * cpuacct.usage only: the user/system split (two more files) comes with full reads, so it
     * lags the total by up to one full-read period.
     */
    @Override
    public void readHotInto(StatsBuffer out) throws CgroupReadException {
        if (usage != null) {
            out.set(Stat.CPU_USAGE_NS, usage.readValue());
        }
    }

    @Override
    public void close() {
        files.close();
    }
}
