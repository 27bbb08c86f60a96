package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdTest {

    // Debian 12's /etc/passwd, shortened, plus a second line for uid 1000 and odd lines
    private static final String PASSWD = """
            root:x:0:0:root:/root:/bin/bash
            daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
            nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
            # a comment
            alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
            alias:x:1000:1000::/home/alice:/bin/bash
            +@nisgroup::::::
            broken line
            bad:x:notanumber:0::/:/bin/false
            """;

    @Test
    void parsesNamesByUidFirstLineWins() {
        assertEquals(Map.of(0L, "root", 1L, "daemon", 65534L, "nobody", 1000L, "alice"), Passwd.parse(PASSWD));
    }

    @Test
    void readsTheFileUnderItsRootAndFallsBackToTheNumber(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/passwd"), PASSWD);
        Passwd users = new Passwd(root);
        assertEquals("alice", users.nameOf(1000));
        assertEquals("4711", users.nameOf(4711));
    }

    @Test
    void rereadsTheFileWhenItChanges(@TempDir Path root) throws IOException {
        Path file = Files.createDirectories(root.resolve("etc")).resolve("passwd");
        Files.writeString(file, "root:x:0:0:root:/root:/bin/bash\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000));
        Passwd users = new Passwd(root);
        assertEquals("4711", users.nameOf(4711));
        Files.writeString(file, "root:x:0:0:root:/root:/bin/bash\nbob:x:4711:4711::/home/bob:/bin/sh\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(2_000_000));
        assertEquals("bob", users.nameOf(4711));
    }

    @Test
    void noFileMeansNumbers(@TempDir Path root) {
        assertEquals("0", new Passwd(root).nameOf(0));
    }
}
