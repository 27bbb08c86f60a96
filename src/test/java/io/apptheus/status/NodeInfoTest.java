package io.apptheus.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeInfoTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0-1|2", "0|1", "0-3,8,10-11|7", "'0-63\n'|64"})
    void countsACpuList(String list, int cpus) {
        assertEquals(cpus, NodeInfo.countCpus(list));
    }

    @Test
    void readsHostnameCpusAndMemory(@TempDir Path dir) throws IOException {
        Path proc = Files.createDirectories(dir.resolve("proc/sys/kernel")).getParent().getParent();
        Files.writeString(proc.resolve("sys/kernel/hostname"), "node17\n");
        // the first lines of this machine's /proc/meminfo (Debian 12, 6.x)
        Files.writeString(proc.resolve("meminfo"), "MemTotal:       24561136 kB\nMemFree:        23000000 kB\n");
        Path sys = dir.resolve("sys");
        Files.createDirectories(sys.resolve("devices/system/cpu"));
        Files.writeString(sys.resolve("devices/system/cpu/online"), "0-1\n");
        assertEquals(new NodeInfo("node17", 2, 24561136L * 1024), NodeInfo.read(proc, sys));
    }

    @Test
    void missingFilesGiveZeros(@TempDir Path dir) {
        assertEquals(new NodeInfo("", 0, 0), NodeInfo.read(dir.resolve("proc"), dir.resolve("sys")));
    }
}
