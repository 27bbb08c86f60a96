package io.apptheus.cgroup.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.Fixtures;
import io.apptheus.cgroup.StatsBuffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelFileTest {

    @TempDir
    Path tmp;

    @Test
    void missingFileIsEmptyNotAnError() throws CgroupReadException {
        assertTrue(KernelFile.openIfExists(tmp.resolve("memory.peak")).isEmpty());
    }

    @Test
    void rereadsFromOffsetZeroEachTime() throws IOException {
        Path path = Fixtures.write(tmp, "memory.current", "67350528\n");
        try (KernelFile file = KernelFile.openIfExists(path).orElseThrow()) {
            assertEquals(67350528L, file.readValue());
            assertEquals(67350528L, file.readValue());
            Files.writeString(path, "max\n");
            assertEquals(StatsBuffer.UNLIMITED, file.readValue());
        }
    }

    @Test
    void growsItsBufferForALargerFile() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int pid = 1000; pid < 3000; pid++) {
            text.append(pid).append('\n');
        }
        Path path = Fixtures.write(tmp, "cgroup.procs", text.toString());
        try (KernelFile file = KernelFile.openIfExists(path, 16).orElseThrow()) {
            int n = file.read();
            assertEquals(text.length(), n);
            assertEquals(text.toString(), new String(file.bytes(), 0, n, StandardCharsets.US_ASCII));
            assertEquals(n, file.read());
        }
    }

    @Test
    void emptyFileReadsZeroBytes() throws IOException {
        Path path = Fixtures.write(tmp, "io.stat", "");
        try (KernelFile file = KernelFile.openIfExists(path).orElseThrow()) {
            assertEquals(0, file.read());
        }
    }

    @Test
    void closeTwiceIsHarmless() throws IOException {
        Path path = Fixtures.write(tmp, "pids.max", "max\n");
        KernelFile file = KernelFile.openIfExists(path).orElseThrow();
        assertEquals(1, descriptorsOf(path), "kept open");
        file.close();
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(file::close);
        assertEquals(0, descriptorsOf(path), "the descriptor is released once and for all");
    }

    /** This process's descriptors open on {@code path} (the temp file's path is unique). */
    private static long descriptorsOf(Path path) throws IOException {
        try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(fd).equals(path.toRealPath());
                } catch (IOException e) {
                    return false; // closed while listed (the listing's own descriptor)
                }
            }).count();
        }
    }

    @Test
    void readAfterCloseIsAnIoErrorNamingTheFile() throws IOException {
        Path path = Fixtures.write(tmp, "pids.max", "max\n");
        KernelFile file = KernelFile.openIfExists(path).orElseThrow();
        file.close();
        CgroupReadException e = org.junit.jupiter.api.Assertions.assertThrows(CgroupReadException.class, file::read);
        assertEquals("io", e.reason());
        assertTrue(e.getMessage().startsWith("cannot read " + path + ": "), e.getMessage());
    }
}
