package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Launcher;
import io.apptheus.it.support.TestPki;

/**
 * What stops the start, in one line naming the files and no stack trace: a TLS key that is not the
 * certificate's, a web config others can change (sshd's StrictModes), a socket directory a user
 * owns or can write; and what is warned: an empty basic_auth_users.
 */
class StartupRefusalIT {

    private static final Duration EXIT = Duration.ofSeconds(60);

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void aKeyThatIsNotTheCertificatesExits1NamingBothFiles() throws Exception {
        TestPki pki = TestPki.create(it.tempDir().resolve("pki"));
        Path web = Files.writeString(it.tempDir().resolve("web.yml"), "tls_server_config:\n  cert_file: "
                + pki.serverCert() + "\n  key_file: " + pki.clientKey() + "\n");
        AgentProcess a = it.agent().flag("--web.config.file", web.toString()).start();
        assertEquals(1, a.awaitExit(EXIT), a.log());
        List<String> out = output(a);
        assertEquals(1, out.size(), a.log());
        assertTrue(out.get(0).startsWith("apptheus: web config " + web + ": tls_server_config.key_file "
                + pki.clientKey() + " is not the key of tls_server_config.cert_file " + pki.serverCert()), out.get(0));
    }

    @Test
    void aWebConfigAUserCanChangeIsRefusedAndAnEmptyUserListWarned() throws Exception {
        Path dir = Files.createDirectories(it.tempDir().resolve("etc"));
        Path web = Files.writeString(dir.resolve("web.yml"), "basic_auth_users: {}\n");
        AgentProcess open = it.agent().flag("--web.config.file", web.toString()).start().awaitReady(EXIT);
        assertTrue(open.log().lines().anyMatch(l -> l.contains("level=warn") && l.contains("web config " + web
                + " has an empty basic_auth_users: every client is served without authentication")), open.log());
        open.close();

        // the attacker's own file (uid 65534 wrote it), then the admin's file made writable by all
        Files.delete(web);
        Files.setAttribute(dir, "unix:uid", 65534);
        run(Launcher.NOBODY, "sh", "-c", "printf 'basic_auth_users: {}\\n' > " + web);
        Files.setAttribute(dir, "unix:uid", 0);
        AgentProcess owned = it.agent().flag("--web.config.file", web.toString()).start();
        assertEquals(1, owned.awaitExit(EXIT), owned.log());
        assertEquals(List.of("apptheus: web config " + web + ": the web config " + web + " is owned by uid 65534, not"
                + " root; refused as sshd's StrictModes does: only root may be able to change it"), output(owned));

        Files.setAttribute(web, "unix:uid", 0);
        Files.setPosixFilePermissions(web, PosixFilePermissions.fromString("rw-rw-rw-"));
        AgentProcess writable = it.agent().flag("--web.config.file", web.toString()).start();
        assertEquals(1, writable.awaitExit(EXIT), writable.log());
        assertEquals(1, output(writable).size(), writable.log());
        assertTrue(output(writable).get(0).contains(web + " is writable by group or others (mode 0666)"), writable.log());
    }

    @Test
    void aSocketDirectoryAUserOwnsOrCanWriteIsRefusedInOneLine() throws Exception {
        Path dir = Files.createDirectories(it.tempDir().resolve("userdir"));
        Files.setAttribute(dir, "unix:uid", 65534);
        AgentProcess owned = it.agent().socketPath(dir.resolve("gateway.sock")).start();
        assertEquals(1, owned.awaitExit(EXIT), owned.log());
        assertRefusedInOneLine(owned, "apptheus: cannot serve the socket " + dir.resolve("gateway.sock")
                + ": socket directory " + dir + " must be owned by root and writable by root only (owner uid 65534,"
                + " mode 0755)");

        Files.setAttribute(dir, "unix:uid", 0);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        AgentProcess writable = it.agent().socketPath(dir.resolve("gateway.sock")).start();
        assertEquals(1, writable.awaitExit(EXIT), writable.log());
        assertRefusedInOneLine(writable, "apptheus: cannot serve the socket " + dir.resolve("gateway.sock")
                + ": socket directory " + dir + " must be owned by root and writable by root only (owner uid 0,"
                + " mode 0777)");
    }

    private static void assertRefusedInOneLine(AgentProcess a, String line) {
        List<String> out = output(a);
        assertEquals(1, out.stream().filter(l -> l.contains("socket directory")).count(), a.log());
        assertTrue(out.contains(line), "no line\n" + line + "\nin\n" + a.log());
        assertFalse(a.log().contains("\tat ") || a.log().contains("Exception"), "no stack trace:\n" + a.log());
    }

    /** What the agent printed, less the harness's command line and the log's ordinary INFO records. */
    private static List<String> output(AgentProcess a) {
        return a.log().lines().filter(l -> !l.startsWith("# ") && !l.contains(" level=info ")).toList();
    }

    private static void run(List<String> as, String... cmd) throws Exception {
        List<String> all = new java.util.ArrayList<>(as);
        all.addAll(List.of(cmd));
        new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
                .waitFor();
    }
}
