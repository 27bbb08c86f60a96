package io.apptheus.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLContext;

/**
 * Reads a {@code --web.config.file} and the files it names: the certificate and the client CAs
 * must parse as PEM X.509 certificates and the key file must hold a PEM private key that belongs
 * to the certificate, so a typo or a mix-up is a start-up error naming the files rather than a
 * server whose every handshake fails. The file and those it names pass {@link StrictModes}.
 */
public final class WebConfigLoader {

    private WebConfigLoader() {
    }

    public static WebConfig load(Path file) throws WebConfigException {
        return load(file, StrictModes.selfUid());
    }

    /** @param selfUid the uid besides root that may own the files (the agent's own) */
    static WebConfig load(Path file, long selfUid) throws WebConfigException {
        Path abs = file.toAbsolutePath().normalize();
        List<String> warnings = new ArrayList<>(StrictModes.check(abs, "the web config", abs, false, selfUid));
        String text;
        try {
            text = Files.readString(abs, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new WebConfigException("web config " + abs + ": no such file");
        } catch (IOException e) {
            throw new WebConfigException("web config " + abs + ": cannot read: " + e.getMessage(), e);
        }
        WebConfig config = WebConfigParser.parse(text, abs, jdkCipherSuites());
        if (config.tls().isPresent()) {
            WebConfig.Tls tls = config.tls().get();
            warnings.addAll(StrictModes.check(abs, "tls_server_config.cert_file", tls.certFile(), false, selfUid));
            warnings.addAll(StrictModes.check(abs, "tls_server_config.key_file", tls.keyFile(), true, selfUid));
            X509Certificate leaf = checkCertificates(abs, "tls_server_config.cert_file", tls.certFile());
            String key = checkPrivateKey(abs, "tls_server_config.key_file", tls.keyFile());
            if (KeyPairCheck.check(key, leaf.getPublicKey()) == KeyPairCheck.Outcome.MISMATCH) {
                throw new WebConfigException("web config " + abs + ": tls_server_config.key_file " + tls.keyFile()
                        + " is not the key of tls_server_config.cert_file " + tls.certFile()
                        + " (its first certificate, " + leaf.getSubjectX500Principal().getName() + ")",
                        WebConfigException.UNSAFE);
            }
            if (tls.clientCaFile().isPresent()) {
                warnings.addAll(StrictModes.check(abs, "tls_server_config.client_ca_file", tls.clientCaFile().get(),
                        false, selfUid));
                checkCertificates(abs, "tls_server_config.client_ca_file", tls.clientCaFile().get());
            }
        }
        if (warnings.isEmpty()) {
            return config;
        }
        warnings.addAll(config.warnings());
        return new WebConfig(config.file(), config.tls(), config.users(), warnings);
    }

    /** The IANA names of the cipher suites this JDK implements. */
    public static Set<String> jdkCipherSuites() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    /** Returns the first certificate. */
    private static X509Certificate checkCertificates(Path config, String key, Path pem) throws WebConfigException {
        byte[] bytes = read(config, key, pem);
        try {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
            if (certs.isEmpty()) {
                throw fail(config, key, pem, "holds no certificate");
            }
            return (X509Certificate) certs.iterator().next();
        } catch (CertificateException | ClassCastException e) {
            throw fail(config, key, pem, "is not a PEM certificate: " + e.getMessage());
        }
    }

    /** Returns the PEM text. */
    private static String checkPrivateKey(Path config, String key, Path pem) throws WebConfigException {
        String text = new String(read(config, key, pem), StandardCharsets.US_ASCII);
        // PKCS#8 "BEGIN PRIVATE KEY", PKCS#1 "BEGIN RSA PRIVATE KEY", SEC1 "BEGIN EC PRIVATE KEY"
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw fail(config, key, pem, "holds an encrypted key: give it unencrypted (mode 0600), as Go needs too");
        }
        if (!text.matches("(?s).*-----BEGIN ([A-Z]+ )?PRIVATE KEY-----.*")) {
            throw fail(config, key, pem, "holds no PEM private key");
        }
        return text;
    }

    private static byte[] read(Path config, String key, Path file) throws WebConfigException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw fail(config, key, file, "does not exist");
        } catch (IOException e) {
            throw fail(config, key, file, "cannot be read: " + e.getMessage());
        }
    }

    private static WebConfigException fail(Path config, String key, Path file, String why) {
        return new WebConfigException("web config " + config + ": " + key + " " + file + " " + why);
    }
}
