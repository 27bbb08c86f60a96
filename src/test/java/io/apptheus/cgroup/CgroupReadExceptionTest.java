package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupReadExceptionTest {

    @TempDir
    Path tmp;

    @Test
    void enoentOnOpenIsVanished() {
        Path file = tmp.resolve("gone/memory.current");
        CgroupReadException e = CgroupReadException.of(file, new NoSuchFileException(file.toString()));
        assertEquals("vanished", e.reason());
        assertTrue(e.vanished());
        assertEquals("cannot read " + file + ": vanished (No such file or directory)", e.getMessage());
        assertEquals(file, e.file());
    }

    /** What FileChannel.read throws on an fd kept open after rmdir of its cgroup (seen on 6.18). */
    @Test
    void enodevOnReadIsVanishedEvenIfThePathStillExists() throws IOException {
        Path file = Files.writeString(tmp.resolve("pids.current"), "1\n");
        CgroupReadException e = CgroupReadException.of(file, new IOException("No such device"));
        assertEquals(CgroupReadException.Reason.VANISHED, e.kind());
        assertEquals("cannot read " + file + ": vanished (No such device)", e.getMessage());
    }

    @Test
    void anErrorOnAFileThatIsGoneIsVanished() {
        Path file = tmp.resolve("x/cpu.stat");
        CgroupReadException e = CgroupReadException.of(file, new IOException("Keine Berechtigung"));
        assertEquals("vanished", e.reason());
    }

    @Test
    void otherErrorsAreIo() throws IOException {
        Path file = Files.writeString(tmp.resolve("memory.stat"), "");
        CgroupReadException e = CgroupReadException.of(file,
                new AccessDeniedException(file.toString(), null, "Permission denied"));
        assertEquals("io", e.reason());
        assertFalse(e.vanished());
        assertEquals("cannot read " + file + ": Permission denied", e.getMessage());
    }

    @Test
    void malformedNamesFileAndDetail() {
        Path file = Path.of("/sys/fs/cgroup/memory/x/memory.stat");
        CgroupReadException e = CgroupReadException.malformed(file, "line 3 \"foo\": not \"key value\"");
        assertEquals("malformed", e.reason());
        assertEquals("cannot read /sys/fs/cgroup/memory/x/memory.stat: line 3 \"foo\": not \"key value\"",
                e.getMessage());
    }
}
