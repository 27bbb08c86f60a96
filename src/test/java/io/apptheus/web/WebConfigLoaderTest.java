package io.apptheus.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.apptheus.it.support.TestPki;

/** {@link WebConfigLoader}: the file and the certificate files it names, on disk. */
class WebConfigLoaderTest {

    @TempDir
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void certificates() {
        pki = TestPki.create(dir.resolve("pki"));
    }

    private static Path write(String name, String yaml) throws Exception {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private static String error(Path file) {
        return assertThrows(WebConfigException.class, () -> WebConfigLoader.load(file)).getMessage();
    }

    @Test
    void relativeFilesNextToTheConfig() throws Exception {
        Path file = write("ok.yml", """
                tls_server_config:
                  cert_file: pki/server.crt
                  key_file: pki/server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: pki/ca.crt
                """);
        WebConfig c = WebConfigLoader.load(file);
        assertEquals(pki.serverCert(), c.tls().orElseThrow().certFile());
        assertEquals(file, c.file());
    }

    @Test
    void missingConfigFile() {
        String m = error(dir.resolve("nope.yml"));
        assertEquals("web config " + dir.resolve("nope.yml") + ": no such file", m);
    }

    @Test
    void missingCertFile() throws Exception {
        Path file = write("nocert.yml", "tls_server_config: {cert_file: pki/missing.crt, key_file: pki/server.key}");
        String m = error(file);
        assertEquals("web config " + file + ": tls_server_config.cert_file " + dir.resolve("pki/missing.crt")
                + " does not exist", m);
    }

    @Test
    void aKeyWhereTheCertificateShouldBe() throws Exception {
        Path file = write("swapped.yml", "tls_server_config: {cert_file: pki/server.key, key_file: pki/server.crt}");
        String m = error(file);
        assertTrue(m.contains("tls_server_config.cert_file") && m.contains("holds no certificate")
                || m.contains("is not a PEM certificate"), m);
    }

    @Test
    void aCertificateWhereTheKeyShouldBe() throws Exception {
        Path file = write("nokey.yml", "tls_server_config: {cert_file: pki/server.crt, key_file: pki/ca.crt}");
        assertTrue(error(file).contains("tls_server_config.key_file " + pki.caCert() + " holds no PEM private key"));
    }

    @Test
    void anEncryptedKey() throws Exception {
        Files.writeString(dir.resolve("enc.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n");
        Path file = write("enc.yml", "tls_server_config: {cert_file: pki/server.crt, key_file: enc.key}");
        assertTrue(error(file).contains("holds an encrypted key"));
    }

    @Test
    void missingClientCa() throws Exception {
        Path file = write("noca.yml", "tls_server_config: {cert_file: pki/server.crt, key_file: pki/server.key,"
                + " client_auth_type: VerifyClientCertIfGiven, client_ca_file: /nonexistent/ca.pem}");
        assertTrue(error(file).contains("tls_server_config.client_ca_file /nonexistent/ca.pem does not exist"));
    }

    @Test
    void theJdksCipherSuitesHaveGosNames() {
        assertTrue(WebConfigLoader.jdkCipherSuites().contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
        assertTrue(WebConfigLoader.jdkCipherSuites().contains("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
        assertTrue(WebConfigLoader.jdkCipherSuites().containsAll(QuarkusWebProperties.TLS13_SUITES));
    }
    @Test
    void aKeyThatIsNotTheCertificatesStopsTheStartNamingBothFiles() throws Exception {
        Path file = write("mismatch.yml", "tls_server_config: {cert_file: pki/server.crt, key_file: pki/client.key}");
        WebConfigException e = assertThrows(WebConfigException.class, () -> WebConfigLoader.load(file));
        assertEquals(WebConfigException.UNSAFE, e.exitCode());
        assertTrue(e.getMessage().startsWith("web config " + file + ": tls_server_config.key_file "
                + pki.clientKey() + " is not the key of tls_server_config.cert_file " + pki.serverCert()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void theKeyMatchesInEveryPemFormOpensslWrites() throws Exception {
        java.security.PublicKey ec = certificateKey(pki.serverCert());
        String pkcs8 = Files.readString(pki.serverKey());
        assertEquals(KeyPairCheck.Outcome.MATCH, KeyPairCheck.check(pkcs8, ec));
        assertEquals(KeyPairCheck.Outcome.MATCH, KeyPairCheck.check(openssl("ec", "-in", pki.serverKey().toString()), ec),
                "SEC1, BEGIN EC PRIVATE KEY");
        assertEquals(KeyPairCheck.Outcome.MISMATCH, KeyPairCheck.check(Files.readString(pki.clientKey()), ec));
        Path rsaKey = dir.resolve("rsa.key");
        Path rsaCert = dir.resolve("rsa.crt");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", rsaKey.toString(), "-out", rsaCert.toString(),
                "-days", "2", "-subj", "/CN=rsa");
        java.security.PublicKey rsa = certificateKey(rsaCert);
        assertEquals(KeyPairCheck.Outcome.MATCH, KeyPairCheck.check(Files.readString(rsaKey), rsa));
        assertEquals(KeyPairCheck.Outcome.MATCH, KeyPairCheck.check(openssl("rsa", "-in", rsaKey.toString(),
                "-traditional"), rsa), "PKCS#1, BEGIN RSA PRIVATE KEY");
        assertEquals(KeyPairCheck.Outcome.MISMATCH, KeyPairCheck.check(pkcs8, rsa), "an EC key for an RSA certificate");
    }

    @Test
    void filesOthersCanChangeAreRefusedAsStrictModesDoes() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("strict"));
        Path file = Files.writeString(sub.resolve("web.yml"), "basic_auth_users:\n");
        assertEquals(1, WebConfigLoader.load(file, 0).warnings().size(), "the empty user list's warning only");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        WebConfigException e = assertThrows(WebConfigException.class, () -> WebConfigLoader.load(file, 0));
        assertEquals(WebConfigException.UNSAFE, e.exitCode());
        assertTrue(e.getMessage().contains(file + " is writable by group or others (mode 0666)"), e.getMessage());
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.setAttribute(file, "unix:uid", 65534);
        e = assertThrows(WebConfigException.class, () -> WebConfigLoader.load(file, 0));
        assertTrue(e.getMessage().contains(file + " is owned by uid 65534, not root"), e.getMessage());
        Files.setAttribute(file, "unix:uid", 0);
        Files.setPosixFilePermissions(sub, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        e = assertThrows(WebConfigException.class, () -> WebConfigLoader.load(file, 0));
        assertTrue(e.getMessage().contains("its directory " + sub + " is writable by group or others"), e.getMessage());
        Files.setAttribute(sub, "unix:mode", 01777); // sticky, as /tmp: nobody else can replace root's file
        assertEquals(1, WebConfigLoader.load(file, 0).warnings().size());
    }

    @Test
    void aKeyEveryUserCanReadIsWarned() throws Exception {
        Path key = Files.copy(pki.serverKey(), dir.resolve("readable.key"));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Path file = write("readable.yml", "tls_server_config: {cert_file: pki/server.crt, key_file: readable.key}");
        WebConfig c = WebConfigLoader.load(file, 0);
        assertEquals(List.of("web config " + file + ": tls_server_config.key_file " + key
                + " is readable by every user (mode 0644): chmod 600 it"), c.warnings());
    }

    private static java.security.PublicKey certificateKey(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
        }
    }

    private static String openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
        return out;
    }
}
