package io.apptheus.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.apptheus.proc.ProcReader;
import io.apptheus.registration.contract.Peer;
import io.apptheus.registration.contract.Result;

/** The trust policy over a procfs tree made in a temp dir: exe links to real files there. */
class TrustPolicyTest {

    @TempDir
    Path root;
    Path proc;
    Path starter;
    Path copy;

    @BeforeEach
    void files() throws Exception {
        proc = Files.createDirectories(root.resolve("proc"));
        Path bin = Files.createDirectories(root.resolve("libexec/apptainer/bin"));
        starter = Files.writeString(bin.resolve("starter"), "ELF");
        copy = Files.writeString(Files.createDirectories(root.resolve("home/u")).resolve("starter"), "ELF");
    }

    private void process(long pid, Path exe, char state, long startTime) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.deleteIfExists(dir.resolve("exe"));
        Files.createSymbolicLink(dir.resolve("exe"), exe);
        Files.writeString(dir.resolve("stat"), pid + " (starter) " + state
                + " 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " + startTime + " 0 0");
    }

    private Verdict verify(List<Path> trusted, long pid, long startTime) {
        return new TrustPolicy(trusted, new ProcReader(proc)).verify(new Peer(1, pid, 1000, 1000, startTime));
    }

    @Test
    void sameFileIsTrusted() throws Exception {
        process(10, starter, 'S', 500);
        Verdict.Trusted t = assertInstanceOf(Verdict.Trusted.class, verify(List.of(starter), 10, 500));
        assertEquals(starter.toString(), t.exe());
    }

    @Test
    void aSymlinkedTrustEntryMatchesItsTarget() throws Exception {
        // Debian's /usr/bin/socat -> socat1: the entry is the link, /proc/PID/exe is the target
        Path link = Files.createSymbolicLink(root.resolve("starter-link"), starter);
        process(10, starter, 'S', 500);
        assertInstanceOf(Verdict.Trusted.class, verify(List.of(link), 10, 500));
    }

    @Test
    void aCopyElsewhereIsUntrusted() throws Exception {
        process(11, copy, 'S', 500);
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, verify(List.of(starter), 11, 500));
        assertEquals(Result.UNTRUSTED, r.result());
    }

    @Test
    void aMissingTrustEntryTrustsNobody() throws Exception {
        process(10, starter, 'S', 500);
        assertEquals(Result.UNTRUSTED, ((Verdict.Rejected) verify(List.of(root.resolve("nope")), 10, 500)).result());
    }

    @Test
    void aReusedPidIsRaced() throws Exception {
        process(12, starter, 'S', 999); // the connecting process started at 500; PID 12 is now another
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, verify(List.of(starter), 12, 500));
        assertEquals(Result.RACED, r.result());
    }

    @Test
    void aCallerGoneBeforeItsAcceptWhosePidWasTakenIsRaced() throws Exception {
        process(16, starter, 'S', 999); // a trusted newcomer: only the pidfd showed the caller had gone
        Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, verify(List.of(starter), 16, Peer.REUSED_START));
        assertEquals(Result.RACED, r.result());
    }

    @Test
    void zombiesAndVanishedCallersAreGone() throws Exception {
        process(13, starter, 'Z', 500);
        assertEquals(Result.GONE, ((Verdict.Rejected) verify(List.of(starter), 13, 500)).result());
        assertEquals(Result.GONE, ((Verdict.Rejected) verify(List.of(starter), 14, 500)).result());
        assertEquals(Result.GONE, ((Verdict.Rejected) verify(List.of(starter), 13, Peer.UNKNOWN_START)).result());
    }

    @Test
    void aDeletedExecutableIsUntrusted() throws Exception {
        Path gone = root.resolve("libexec/apptainer/bin/starter (deleted)");
        Files.writeString(gone, "old");
        process(15, gone, 'S', 500);
        assertEquals(Result.UNTRUSTED, ((Verdict.Rejected) verify(List.of(starter), 15, 500)).result());
    }
}
