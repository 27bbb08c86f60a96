package io.apptheus.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made with openssl for a test, all P-256 and valid for two days, in a directory the
 * caller owns (e.g. {@link ItResources#tempDir()}):
 * <ul>
 * <li>{@code ca.crt}: the test CA (signs the server and the client);</li>
 * <li>{@code server.crt}/{@code server.key}: for 127.0.0.1, 127.0.0.2 and localhost;</li>
 * <li>{@code client.crt}/{@code client.key} (and {@code client.p12}): a client certificate from the CA;</li>
 * <li>{@code rogue.crt}/{@code rogue.key} (and {@code rogue.p12}): a self-signed client certificate the CA never saw.</li>
 * </ul>
 */
public final class TestPki {
    public static final String P12_PASSWORD = "changeit";

    private final Path dir;

    private TestPki(Path dir) {
        this.dir = dir;
    }

    public static TestPki create(Path dir) {
        ItPaths.mkdirs(dir);
        TestPki pki = new TestPki(dir);
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=apptheus-test-ca");
        pki.signed("server", "/CN=localhost",
                "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        pki.signed("client", "/CN=prometheus", "extendedKeyUsage=clientAuth\n");
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "rogue.key", "-out", "rogue.crt", "-days", "2", "-subj", "/CN=rogue");
        pki.p12("client");
        pki.p12("rogue");
        return pki;
    }

    public Path dir() {
        return dir;
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    public Path serverCert() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    public Path rogueCert() {
        return dir.resolve("rogue.crt");
    }

    public Path rogueKey() {
        return dir.resolve("rogue.key");
    }

    /** A client context that trusts the test CA and presents no certificate. */
    public SSLContext trustingClient() {
        return context(null);
    }

    /** A client context that trusts the test CA and presents {@code client.crt}. */
    public SSLContext withClientCertificate() {
        return context(dir.resolve("client.p12"));
    }

    /** A client context that trusts the test CA and presents the self-signed {@code rogue.crt}. */
    public SSLContext withRogueCertificate() {
        return context(dir.resolve("rogue.p12"));
    }

    private SSLContext context(Path p12) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(caCert())) {
                trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (p12 != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(p12)) {
                    keys.load(in, P12_PASSWORD.toCharArray());
                }
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, P12_PASSWORD.toCharArray());
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError("cannot build a TLS client context from " + dir, e);
        }
    }

    private void signed(String name, String subject, String extensions) {
        try {
            Files.writeString(dir.resolve(name + ".ext"), extensions);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext");
    }

    private void p12(String name) {
        openssl("pkcs12", "-export", "-in", name + ".crt", "-inkey", name + ".key", "-out", name + ".p12",
                "-passout", "pass:" + P12_PASSWORD);
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " failed in " + dir + ":\n" + out);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run openssl (Debian package openssl)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
