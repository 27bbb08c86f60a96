package io.apptheus.cgroup.fs;

import static io.apptheus.cgroup.fs.ParseSupport.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcessCountReaderTest {

    private static int count(String text) {
        byte[] b = bytes(text);
        return ProcessCountReader.countLines(b, b.length);
    }

    @Test
    void countsLines() {
        assertEquals(0, count(""));
        assertEquals(1, count("120\n"));
        assertEquals(2, count("120\n121\n"));
        assertEquals(2, count("120\n121"));
        assertEquals(1, count("\n120\n\n"));
    }

    /** The root of the 6.1 capture lists PID 1, kernel threads and the init shell's helpers. */
    @Test
    void rootOfTheV2Capture() throws IOException {
        try (ControllerReader procs = ProcessCountReader.open(Fixtures.path(Fixtures.V2_61, "sys/fs/cgroup"),
                Refresh.Table.UNIFIED)
                .orElseThrow()) {
            StatsBuffer out = new StatsBuffer();
            procs.readInto(out);
            assertEquals(57, out.raw(Stat.PROCESSES));
        }
    }
}
