package io.apptheus.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;

class SampleHistoryTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final long T0 = 1_000 * S; // an arbitrary nanoTime origin

    private final StatsBuffer stats = new StatsBuffer();

    /** One sample at {@code t} with cumulative CPU {@code cpuNs} and working set {@code ws}. */
    private void sample(SampleHistory h, long t, long cpuNs, long ws) {
        stats.set(Stat.CPU_USAGE_NS, cpuNs);
        stats.set(Stat.MEMORY_WORKING_SET_BYTES, ws);
        h.record(t, stats);
    }

    @Test
    void oneSampleHasNoRateYet() {
        SampleHistory h = new SampleHistory(false);
        sample(h, T0, 5 * S, 100);
        SampleHistory.Snapshot s = h.snapshot(T0, 1e9);
        assertTrue(Double.isNaN(s.rates().cpuCores()));
        assertEquals(0, s.times().length);
    }

    @Test
    void cpuCoresSpanTheLastThreeSecondsOfSamples() {
        SampleHistory h = new SampleHistory(false);
        // 0.5 s sweep: 1 core for 10 s, then 2 cores for the last 2 s
        long cpu = 0;
        for (int i = 0; i <= 20; i++) {
            sample(h, T0 + i * 500 * MS, cpu, 0);
            cpu += 500 * MS;
        }
        for (int i = 21; i <= 24; i++) {
            cpu += 500 * MS; // one more core
            sample(h, T0 + i * 500 * MS, cpu, 0);
            cpu += 500 * MS;
        }
        // the window is 3 s back from 12 s: samples at 9 s..12 s, 1 s at 1 core then 2 s at 2 cores
        double expected = (1.0 * 1 + 2.0 * 2) / 3;
        assertEquals(expected, h.snapshot(T0 + 12 * S, 0).rates().cpuCores(), 0.05);
    }

    @Test
    void aSlowSweepStillUsesTheLastTwoSamples() {
        SampleHistory h = new SampleHistory(false);
        sample(h, T0, 0, 0);
        sample(h, T0 + 15 * S, 30 * S, 0); // --monitor.interval=15s, 2 cores
        assertEquals(2.0, h.snapshot(T0 + 15 * S, 0).rates().cpuCores(), 1e-9);
    }

    @Test
    void pointsAreDownsampledToOneEveryTwoSecondsWithJitter() {
        SampleHistory h = new SampleHistory(false);
        long[] offsetsMs = {0, 500, 1000, 1500, 1990, 2500, 3000, 3500, 4010, 4500};
        for (long ms : offsetsMs) {
            sample(h, T0 + ms * MS, ms * MS, ms);
        }
        // points at 0, 1990 (within the 10 % tolerance), 4010
        assertEquals(3, h.pointsSize());
        SampleHistory.Snapshot s = h.snapshot(T0 + 4500 * MS, 10_000.0);
        assertArrayEquals(new double[] {10_000.0 - 2.51, 10_000.0 - 0.49}, s.times(), 1e-9);
        assertArrayEquals(new double[] {1.0, 1.0}, s.cpuCores(), 1e-9);
        assertArrayEquals(new double[] {1990, 4010}, s.memoryWorkingSetBytes(), 1e-9);
    }

    @Test
    void theRingsKeepTheNewestFiveMinutes() {
        SampleHistory h = new SampleHistory(false);
        for (int i = 0; i < 2 * SampleHistory.POINTS; i++) {
            sample(h, T0 + i * 2 * S, i * S, i); // half a core
        }
        assertEquals(SampleHistory.RECENT, h.recentSize());
        assertEquals(SampleHistory.POINTS, h.pointsSize());
        long last = T0 + (2L * SampleHistory.POINTS - 1) * 2 * S;
        SampleHistory.Snapshot s = h.snapshot(last, 0);
        assertEquals(SampleHistory.POINTS - 1, s.times().length);
        assertEquals(-(SampleHistory.POINTS - 2) * 2.0, s.times()[0], 1e-9);
        assertEquals(0.0, s.times()[s.times().length - 1], 1e-9);
        for (double c : s.cpuCores()) {
            assertEquals(0.5, c, 1e-9);
        }
        assertEquals(2.0 * SampleHistory.POINTS - 1, s.memoryWorkingSetBytes()[s.times().length - 1]);
    }

    @Test
    void pointsKeepTheirTimesAcrossTheMillisecondBase() {
        SampleHistory h = new SampleHistory(false);
        long rebase = SampleHistory.REBASE_MILLIS * MS;
        // a container running for 30 days: the int milliseconds move on twice
        long cpu = 0;
        long t = T0;
        for (long end = T0 + 30L * 86_400 * S; t < end; t += 1_000 * S) { // sparse points, then dense
            sample(h, t, cpu += 1_000 * S, 4096);
        }
        for (int i = 0; i < 5; i++, t += 2 * S) {
            sample(h, t, cpu += S, 8192); // half a core
        }
        long last = t - 2 * S;
        SampleHistory.Snapshot s = h.snapshot(last, 5_000_000.0);
        int n = s.times().length;
        assertTrue(last - T0 > 2 * rebase);
        assertEquals(SampleHistory.POINTS - 1, n);
        for (int i = 0; i < 5; i++) {
            assertEquals(5_000_000.0 - 2 * (4 - i), s.times()[n - 5 + i], 1e-6);
            assertEquals(8192, s.memoryWorkingSetBytes()[n - 5 + i]);
        }
        assertEquals(0.5, s.cpuCores()[n - 1], 1e-6);
        assertEquals(1.0, s.cpuCores()[n - 6], 1e-6);
        assertEquals(5_000_000.0 - 8 - 1_000, s.times()[n - 6], 1e-6);
    }

    @Test
    void ioRatesSumEveryDevice() {
        SampleHistory h = new SampleHistory(true);
        stats.io("8:0").readBytes = 1000;
        stats.io("8:0").writeBytes = 0;
        h.record(T0, stats);
        stats.io("8:0").readBytes = 3000;
        stats.io("259:0").writeBytes = 4096; // a device that appears later
        h.record(T0 + S, stats);
        SampleHistory.Rates r = h.snapshot(T0 + S, 0).rates();
        assertEquals(2000, r.ioReadBytesPerSecond(), 1e-9);
        assertEquals(4096, r.ioWriteBytesPerSecond(), 1e-9);
        assertTrue(Double.isNaN(r.cpuCores()), "CPU not measured: no rate");
        assertTrue(Double.isNaN(r.cpuWaiting()), "no PSI on this host: no rate");
    }

    @Test
    void psiWaitingIsAShareOfTime() {
        SampleHistory h = new SampleHistory(false);
        stats.set(Stat.PSI_MEMORY_SOME_NS, 0);
        h.record(T0, stats);
        stats.set(Stat.PSI_MEMORY_SOME_NS, 250 * MS);
        h.record(T0 + S, stats);
        assertEquals(0.25, h.snapshot(T0 + S, 0).rates().memoryWaiting(), 1e-9);
    }

    @Test
    void aCounterThatWentBackHasNoRate() {
        SampleHistory h = new SampleHistory(false);
        sample(h, T0, 10 * S, 0);
        sample(h, T0 + S, 5 * S, 0);
        assertTrue(Double.isNaN(h.snapshot(T0 + S, 0).rates().cpuCores()));
    }

    @Test
    void recordingAllocatesNothingInSteadyState() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        long thread = Thread.currentThread().getId();
        SampleHistory h = new SampleHistory(true);
        stats.io("8:0").readBytes = 1;
        stats.io("8:16").writeBytes = 1;
        stats.set(Stat.PSI_CPU_SOME_NS, 1);
        int samples = 20_000;
        for (int i = 0; i < samples; i++) {
            sample(h, T0 + i * 500 * MS, i, i);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = samples; i < 2 * samples; i++) {
            sample(h, T0 + i * 500 * MS, i, i);
        }
        long perSample = (threads.getThreadAllocatedBytes(thread) - before) / samples;
        assertTrue(perSample < 8, "allocated " + perSample + " bytes per sample");
    }
}
