package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pid line of a pidfd's fdinfo, as Linux 6.1-6.18 print it. */
class PidFdInfoTest {

    private static final String LIVE = "pos:\t0\nflags:\t02000002\nmnt_id:\t4\nino:\t784390\nPid:\t5624\nNSpid:\t5624\n";
    private static final String REAPED = "pos:\t0\nflags:\t02000002\nmnt_id:\t4\nino:\t784390\nPid:\t-1\nNSpid:\t-1\n";

    @Test
    void aLivingProcessIsNamedByItsPidAndAReapedOneByMinusOne() throws IOException {
        assertEquals(5624, ProcReader.parsePidFdInfo(LIVE));
        assertEquals(-1, ProcReader.parsePidFdInfo(REAPED));
    }

    @Test
    void theFdinfoOfAnythingElseIsAnError() {
        assertThrows(IOException.class, () -> ProcReader.parsePidFdInfo("pos:\t0\nflags:\t0100000\nmnt_id:\t25\n"));
        assertThrows(IOException.class, () -> ProcReader.parsePidFdInfo("Pid:\tx\n"));
    }

    @Test
    void itIsReadFromTheAgentsOwnFdinfo(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("self/fdinfo"));
        Files.writeString(proc.resolve("self/fdinfo/7"), LIVE);
        assertEquals(5624, new ProcReader(proc).pidOfPidFd(7));
    }
}
