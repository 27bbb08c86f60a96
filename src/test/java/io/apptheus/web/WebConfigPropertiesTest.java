package io.apptheus.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** {@link QuarkusWebProperties}: web config to Quarkus configuration, whole maps compared. */
class WebConfigPropertiesTest {

    private static final Path FILE = Path.of("/etc/apptheus/web.yml");

    private static WebConfig.Tls tls(ClientAuthType auth, Optional<Path> ca, List<String> protocols,
            List<String> suites) {
        return new WebConfig.Tls(Path.of("/etc/apptheus/s.crt"), Path.of("/etc/apptheus/s.key"), auth, ca,
                protocols, suites);
    }

    @Test
    void noFileNoProperties() {
        assertEquals(Map.of(), QuarkusWebProperties.of(WebConfig.none()));
    }

    @Test
    void tlsOnly() {
        WebConfig c = new WebConfig(FILE, Optional.of(tls(ClientAuthType.NoClientCert, Optional.empty(),
                List.of("TLSv1.3", "TLSv1.2"), List.of())), Map.of(), List.of());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("quarkus.tls.key-store.pem.0.cert", "/etc/apptheus/s.crt");
        expected.put("quarkus.tls.key-store.pem.0.key", "/etc/apptheus/s.key");
        expected.put("quarkus.tls.protocols", "TLSv1.3,TLSv1.2");
        expected.put("quarkus.http.insecure-requests", "disabled");
        assertEquals(expected, QuarkusWebProperties.of(c));
    }

    @Test
    void mutualTlsWithCiphersAndUsers() {
        WebConfig c = new WebConfig(FILE, Optional.of(tls(ClientAuthType.RequireAndVerifyClientCert,
                Optional.of(Path.of("/etc/apptheus/ca,1.crt")), List.of("TLSv1.3", "TLSv1.2"),
                List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"))),
                Map.of("prometheus", WebConfigParserTest.HASH), List.of());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("quarkus.tls.key-store.pem.0.cert", "/etc/apptheus/s.crt");
        expected.put("quarkus.tls.key-store.pem.0.key", "/etc/apptheus/s.key");
        expected.put("quarkus.tls.trust-store.pem.certs", "/etc/apptheus/ca\\,1.crt");
        expected.put("quarkus.tls.protocols", "TLSv1.3,TLSv1.2");
        // TLS 1.3's suites are added, as Go's cipher_suites never restricts TLS 1.3
        expected.put("quarkus.tls.cipher-suites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256,"
                + "TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256");
        expected.put("quarkus.http.insecure-requests", "disabled");
        expected.put("quarkus.http.auth.permission.apptheus-users.paths", "/*");
        expected.put("quarkus.http.auth.permission.apptheus-users.policy", "authenticated");
        expected.put("quarkus.http.auth.permission.apptheus-users.auth-mechanism", "basic");
        expected.put("quarkus.http.auth.permission.apptheus-probes.paths", "/q/health,/q/health/*");
        expected.put("quarkus.http.auth.permission.apptheus-probes.policy", "permit");
        assertEquals(expected, QuarkusWebProperties.of(c));
    }

    @Test
    void tls12OnlyCiphersStayAsWritten() {
        WebConfig c = new WebConfig(FILE, Optional.of(tls(ClientAuthType.NoClientCert, Optional.empty(),
                List.of("TLSv1.2"), List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))), Map.of(), List.of());
        assertEquals("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", QuarkusWebProperties.of(c).get("quarkus.tls.cipher-suites"));
        assertEquals("TLSv1.2", QuarkusWebProperties.of(c).get("quarkus.tls.protocols"));
    }

    @Test
    void usersWithoutTls() {
        WebConfig c = new WebConfig(FILE, Optional.empty(), Map.of("a", WebConfigParserTest.HASH), List.of());
        assertEquals(List.of("quarkus.http.auth.permission.apptheus-users.paths",
                "quarkus.http.auth.permission.apptheus-users.policy",
                "quarkus.http.auth.permission.apptheus-users.auth-mechanism",
                "quarkus.http.auth.permission.apptheus-probes.paths",
                "quarkus.http.auth.permission.apptheus-probes.policy"),
                List.copyOf(QuarkusWebProperties.of(c).keySet()));
    }

    @Test
    void clientAuthMapping() {
        assertEquals("NONE", ClientAuthType.NoClientCert.quarkusClientAuth());
        assertEquals("REQUEST", ClientAuthType.RequestClientCert.quarkusClientAuth());
        assertEquals("REQUIRED", ClientAuthType.RequireAnyClientCert.quarkusClientAuth());
        assertEquals("REQUEST", ClientAuthType.VerifyClientCertIfGiven.quarkusClientAuth());
        assertEquals("REQUIRED", ClientAuthType.RequireAndVerifyClientCert.quarkusClientAuth());
    }
}
