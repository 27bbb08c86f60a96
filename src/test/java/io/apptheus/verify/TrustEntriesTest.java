package io.apptheus.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustEntriesTest {

    @TempDir
    Path dir;

    private Path file(String name, String perms) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "ELF");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    @Test
    void rootOwnedFilesPassAndMissingOnesWarn() throws Exception {
        Path ok = file("starter", "rwxr-xr-x");
        List<String> warnings = TrustEntries.check(List.of(ok, dir.resolve("starter-suid")));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("starter-suid"), warnings.toString());
    }

    @Test
    void writableByOthersIsRefused() throws Exception {
        Path bad = file("starter", "rwxrwxrwx");
        IOException e = assertThrows(IOException.class, () -> TrustEntries.check(List.of(bad)));
        assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
    }

    @Test
    void aWritableDirectoryIsRefused() throws Exception {
        Path ok = file("starter", "rwxr-xr-x");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> TrustEntries.check(List.of(ok)));
        assertTrue(e.getMessage().contains("its directory"), e.getMessage());
    }

    @Test
    void relativeAndNonRegularEntriesAreRefused() {
        assertThrows(IOException.class, () -> TrustEntries.check(List.of(Path.of("bin/starter"))));
        assertThrows(IOException.class, () -> TrustEntries.check(List.of(dir)));
    }
}
