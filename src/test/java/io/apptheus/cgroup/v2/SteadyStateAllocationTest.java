package io.apptheus.cgroup.v2;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.StatsBuffer;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A steady-state sweep of an idle container allocates nothing: the files read at every sweep stay
 * open, buffers and device names are reused, no String is made (the files read while a container
 * is active, or on the slow period, are opened at each read: a FileChannel each). Measured with
 * the JVM's per-thread allocation counter.
 */
class SteadyStateAllocationTest {

    private static final int SAMPLES = 2000;

    @Test
    void sampleOfALeafAllocatesNothing() throws CgroupReadException {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        long thread = Thread.currentThread().getId();

        List<ControllerReader> readers = V2Readers.forCgroup(Fixtures.v2Leaf(Fixtures.V2_612, "io_direct"));
        StatsBuffer out = new StatsBuffer();
        try {
            sample(readers, out, SAMPLES);
            long before = threads.getThreadAllocatedBytes(thread);
            sample(readers, out, SAMPLES);
            long perSample = (threads.getThreadAllocatedBytes(thread) - before) / SAMPLES;
            assertTrue(perSample < 8, "allocated " + perSample + " bytes per sample");
        } finally {
            readers.forEach(ControllerReader::close);
        }
    }

    private static void sample(List<ControllerReader> readers, StatsBuffer out, int times) throws CgroupReadException {
        for (int i = 0; i < times; i++) {
            for (int r = 0; r < readers.size(); r++) {
                readers.get(r).readInto(out, Pass.EVERY_SWEEP);
            }
        }
    }
}
