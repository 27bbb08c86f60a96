package io.apptheus.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.proc.ThreadCpu;

class CpuBeforeMoveTest {

    @Test
    void theThreadsTimeBeyondTheCgroupsSplitAsTheirTicks() {
        long[] o = CpuBeforeMove.offsets(new ThreadCpu(100_000_000, 75_000_000, 25_000_000), 60_000_000);
        assertArrayEquals(new long[] {40_000_000, 30_000_000, 10_000_000}, o);
        assertNull(CpuBeforeMove.offsets(new ThreadCpu(50, 50, 0), 60), "nothing before the move");
    }

    /** The offsets go into every value read, before and after, and user + system stays the usage. */
    @Test
    void appliedToTheCountersThatAreThere() {
        StatsBuffer stats = new StatsBuffer();
        stats.set(Stat.CPU_USAGE_NS, 60);
        stats.set(Stat.CPU_USER_NS, 45);
        stats.set(Stat.CPU_SYSTEM_NS, 15);
        CpuBeforeMove.apply(stats, new long[] {40, 30, 10});
        assertEquals(100, stats.raw(Stat.CPU_USAGE_NS));
        assertEquals(75, stats.raw(Stat.CPU_USER_NS));
        assertEquals(25, stats.raw(Stat.CPU_SYSTEM_NS));
        stats.set(Stat.CPU_USAGE_NS, 70);
        assertEquals(110, stats.raw(Stat.CPU_USAGE_NS));
        assertEquals(110.0, stats.get(Stat.CPU_USAGE_NS));
        assertEquals(40, stats.offset(Stat.CPU_USAGE_NS));

        StatsBuffer v1WithoutSplit = new StatsBuffer();
        v1WithoutSplit.set(Stat.CPU_USAGE_NS, 60);
        CpuBeforeMove.apply(v1WithoutSplit, new long[] {40, 30, 10});
        assertEquals(0, v1WithoutSplit.offset(Stat.CPU_USER_NS));
    }
}
