package io.apptheus.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
