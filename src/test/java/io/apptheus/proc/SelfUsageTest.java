package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The agent's own usage, from the captured /proc of a JVM (fixtures/proc-self) and pasted lines. */
class SelfUsageTest {

    @Test
    void readsTheCapturedProcessLikeEveryPrometheusClient() throws Exception {
        SelfUsage u = SelfUsage.read(root());
        assertEquals(4.18, u.cpuSeconds(), 1e-9); // utime 374 + stime 44 ticks
        assertEquals(1796456402 + 2882.65, u.startTimeSeconds(), 1e-6); // btime + starttime 288265 ticks
        assertEquals(114936L * 1024, u.residentBytes());
        assertEquals(8977624L * 1024, u.virtualBytes()); // VmSize = stat's vsize 9193086976
        assertEquals(4, u.openFds());
        assertEquals(20000, u.maxFds());
    }

    @Test
    void aCommandWithParenthesesAndSpacesDoesNotShiftTheFields() {
        long[] t = SelfUsage.statTicks("42 (a) b (c)) S 1 42 42 0 -1 4194304 89 0 0 0 150 25 0 0 20 0 1 0 777 2654208 380");
        assertEquals(150, t[0]);
        assertEquals(25, t[1]);
        assertEquals(777, t[2]);
        assertThrows(IllegalArgumentException.class, () -> SelfUsage.statTicks("42 (java) S 1"));
    }

    @Test
    void anUnlimitedOpenFilesLimitIsInfinite() {
        assertTrue(Double.isInfinite(SelfUsage.maxOpenFiles(
                "Limit                     Soft Limit           Hard Limit           Units     \n"
                        + "Max open files            unlimited            unlimited            files     \n")));
        assertEquals(1024, SelfUsage.maxOpenFiles("Max open files            1024                 524288               files"));
        assertThrows(IllegalArgumentException.class, () -> SelfUsage.maxOpenFiles("Max processes  1  1  processes"));
    }

    @Test
    void missingKeysAreErrorsNotZeros() {
        assertThrows(IllegalArgumentException.class, () -> SelfUsage.statusKiB("Name:\tjava\n", "VmRSS"));
        assertThrows(IllegalArgumentException.class, () -> SelfUsage.bootTime("cpu  1 2 3\n"));
        assertEquals(1796456402, SelfUsage.bootTime("cpu  1 2 3\nbtime 1796456402\n"));
    }

    static Path root() throws URISyntaxException {
        return Path.of(SelfUsageTest.class.getResource("/fixtures/proc-self").toURI());
    }
}
