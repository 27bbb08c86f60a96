package io.apptheus.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.apptheus.cgroup.ContainerCgroup;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.apptheus.proc.StarterTitle;

/** Which passes the sweep makes over one container, by what its every-sweep files show. */
class ReadScheduleTest {

    /** Stands for a container's readers: CPU time and memory usage read at every sweep, as set by the test. */
    private static final class FakeReader implements ControllerReader {
        long cpu;
        long memory = 4096;
        /** Added to the PSI io total at each read of it: a task blocked on IO. */
        long stalling;
        long ioStall;
        final List<Pass> passes = new ArrayList<>();

        @Override
        public Set<Stat> provides() {
            return EnumSet.of(Stat.CPU_USAGE_NS, Stat.MEMORY_USAGE_BYTES);
        }

        @Override
        public void readInto(StatsBuffer out, Pass pass) {
            passes.add(pass);
            if (pass.covers(io.apptheus.cgroup.Refresh.EVERY_SWEEP)) {
                out.set(Stat.CPU_USAGE_NS, cpu);
                out.set(Stat.MEMORY_USAGE_BYTES, memory);
            }
            if (pass.covers(io.apptheus.cgroup.Refresh.WHILE_ACTIVE)) {
                ioStall += stalling;
                out.set(Stat.PSI_IO_SOME_NS, ioStall);
            }
        }

        @Override
        public void close() {
        }

        /** The pass after the every-sweep one at each sweep ("-" for none), and forgets them. */
        String more() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < passes.size(); i++) {
                Pass p = passes.get(i);
                if (p == Pass.EVERY_SWEEP) {
                    boolean next = i + 1 < passes.size() && passes.get(i + 1) != Pass.EVERY_SWEEP;
                    sb.append(next ? name(passes.get(++i)) : "-");
                } else {
                    sb.append(name(p));
                }
            }
            passes.clear();
            return sb.toString();
        }

        private static String name(Pass p) {
            return p == Pass.ACTIVE ? "A" : p == Pass.SLOW ? "S" : p == Pass.ALL ? "*" : "?";
        }
    }

    /** 0.5 s sweeps, a 10 s slow period: 20 phases. */
    private final ReadSchedule schedule = new ReadSchedule(Duration.ofMillis(500), Duration.ofSeconds(10));
    private final FakeReader reader = new FakeReader();
    private final MonitoredContainer c = new MonitoredContainer(new ContainerCgroup("starter_1", "/x/starter_1", Map.of()),
            1, 1, 0, StarterTitle.UNKNOWN, 0, List.of(reader), schedule, 3);
    private long sweep;

    private void sweeps(int n) {
        for (int i = 0; i < n; i++) {
            c.sample((container, e) -> {
                throw new AssertionError(e);
            }, 0, sweep++, null);
        }
    }

    @Test
    void periodsInSweeps() {
        assertEquals(20, schedule.slowEvery());
        assertEquals(60, new ReadSchedule(Duration.ofMillis(500)).slowEvery(), "the default slow period, 30 s");
        assertEquals(5, schedule.activeSweeps(), "2 s after the sweep that saw the move");
        assertEquals(2, new ReadSchedule(Duration.ofSeconds(5)).activeSweeps());
        assertEquals(1, new ReadSchedule(Duration.ofSeconds(30)).slowEvery());
        assertEquals(60, new ReadSchedule(Duration.ofMillis(500), Duration.ofSeconds(30)).slowEvery(),
                "--monitor.slow-interval=30s");
        assertEquals(1, new ReadSchedule(Duration.ofSeconds(1), Duration.ofMillis(100)).slowEvery(),
                "at least every sweep");
    }

    @Test
    void anIdleContainerIsReadInFullOnlyAtItsSlowPhase() {
        c.sample((container, e) -> {
        }, 0);
        assertEquals("*", reader.more(), "the first sample reads every file");
        sweeps(40);
        // phase 3: sweeps 17 and 37 are its slow ones
        assertEquals("-".repeat(17) + "S" + "-".repeat(19) + "S" + "--", reader.more());
    }

    @Test
    void movingCpuTimeOrMemoryKeepsTheWhileActiveFilesReadForTheWindow() {
        c.sample((container, e) -> {
        }, 0);
        reader.more();
        sweeps(2);
        reader.cpu += 1000; // seen by sweep 2
        sweeps(8);
        assertEquals("--" + "AAAAA" + "---", reader.more());
        reader.memory += 4096; // seen by sweep 10
        sweeps(1);
        reader.cpu += 1; // seen by sweep 11: the window starts again
        sweeps(9);
        assertEquals("AAAAAA" + "-" + "S" + "--", reader.more(), "sweeps 10-15 active, 17 the slow one");
    }

    /** A task that ran, then blocked on IO: its stall is read at every sweep for as long as it lasts. */
    @Test
    void aStallThatGoesOnKeepsTheContainerActive() {
        c.sample((container, e) -> {
        }, 0);
        reader.more();
        sweeps(1);
        reader.cpu += 1000; // it ran (sweep 1), then blocks
        reader.stalling = 1_000_000;
        sweeps(10);
        assertEquals("-" + "AAAAAAAAAA", reader.more(), "sweeps 1-5 active, then stalled");
        reader.stalling = 0; // the IO completes; read once more to see it stopped
        sweeps(8);
        assertEquals("A" + "-----" + "S" + "-", reader.more(), "sweep 11 sees it stopped; 17 is the slow one");
    }

    @Test
    void theFinalSampleReadsEveryFile() {
        sweeps(1);
        assertEquals("A", reader.more(), "a first sample is a move");
        c.end((container, e) -> {
        }, 0, 0, null);
        assertEquals("*", reader.more());
    }
}
