package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThreadCpuTest {

    @TempDir
    Path tmp;

    /** A burner of this machine (6.18): 7.45 ms of runtime, 52 user ticks to 3 system ticks. */
    @Test
    void runtimeSplitAsTheTicks() {
        ThreadCpu t = ThreadCpu.parse("7451229 1523105 12\n",
                "4242 (spin (x)) R 1 4242 4242 0 -1 4194560 108 0 0 0 52 3 0 0 20 0 1 0 7726 2625536 132 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
        assertEquals(7451229, t.totalNs());
        assertEquals(Math.round(7451229 * 52 / 55.0), t.userNs());
        assertEquals(t.totalNs(), t.userNs() + t.systemNs());
    }

    /** Under a tick: all user time, as the kernel's cputime_adjust splits it. */
    @Test
    void noTickIsUserTime() {
        ThreadCpu t = ThreadCpu.parse("812345 0 1", "9 (a) S 1 9 9 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7726 0 0");
        assertEquals(new ThreadCpu(812345, 812345, 0), t);
    }

    /** This JVM's threads, through a proc root: the sum over /proc/PID/task/TID. */
    @Test
    void sumOverTheThreadsOfAProcess() throws IOException {
        Path task = tmp.resolve("77/task");
        for (int tid : new int[] {77, 78}) {
            Files.createDirectories(task.resolve(Integer.toString(tid)));
            Files.writeString(task.resolve(tid + "/schedstat"), tid * 1000 + " 0 1\n");
            Files.writeString(task.resolve(tid + "/stat"), tid + " (x) S 1 77 77 0 -1 0 0 0 0 0 1 1 0 0 20 0 2 0 1 0 0\n");
        }
        ThreadCpu t = new ProcReader(tmp).cpu(77);
        assertEquals(155000, t.totalNs());
        assertEquals(77500, t.userNs());
        assertEquals(ThreadCpu.NONE, new ProcReader(tmp).cpu(99), "a process gone is no time");
        assertTrue(new ProcReader(Path.of("/proc")).cpu(ProcessHandle.current().pid()).totalNs() > 0);
    }
}
