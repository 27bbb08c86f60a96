package io.apptheus.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebConfigParserTest {

    static final Path FILE = Path.of("/etc/apptheus/web.yml");
    /** bcrypt of "fakepassword" (cost 10, htpasswd's $2y$), exporter-toolkit's decoy hash. */
    static final String HASH = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";
    static final Set<String> SUITES = Set.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");

    private static WebConfig parse(String yaml) throws WebConfigException {
        return WebConfigParser.parse(yaml, FILE, SUITES);
    }

    /** The error message for a file; '|' in the table stands for a new line. */
    private static String error(String yaml) {
        return assertThrows(WebConfigException.class, () -> parse(yaml.replace('|', '\n'))).getMessage();
    }

    @Test
    void theWholeSubset() throws Exception {
        WebConfig c = parse("""
                # exporter-toolkit web config
                tls_server_config:
                  cert_file: tls/server.crt
                  key_file: /etc/pki/server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  min_version: TLS12
                  max_version: TLS13
                  cipher_suites:
                    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
                    - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
                basic_auth_users:
                  prometheus: %s
                  'on': %s
                """.formatted(HASH, HASH));
        WebConfig.Tls tls = c.tls().orElseThrow();
        assertEquals(Path.of("/etc/apptheus/tls/server.crt"), tls.certFile(), "relative to the file's directory");
        assertEquals(Path.of("/etc/pki/server.key"), tls.keyFile());
        assertEquals(Optional.of(Path.of("/etc/apptheus/ca.crt")), tls.clientCaFile());
        assertEquals(ClientAuthType.RequireAndVerifyClientCert, tls.clientAuth());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
                tls.cipherSuites());
        assertEquals(Map.of("prometheus", HASH, "on", HASH), c.users());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void defaultsAreExporterToolkits() throws Exception {
        WebConfig.Tls tls = parse("tls_server_config: {cert_file: s.crt, key_file: s.key}").tls().orElseThrow();
        assertEquals(ClientAuthType.NoClientCert, tls.clientAuth());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols(), "min TLS12, max TLS13");
        assertEquals(List.of(), tls.cipherSuites());
        assertEquals(Optional.empty(), tls.clientCaFile());
    }

    @Test
    void plainYamlScalarsStayStrings() throws Exception {
        // YAML 1.1 would read these keys as a boolean and a number
        WebConfig c = parse("basic_auth_users:\n  yes: " + HASH + "\n  1234: " + HASH + "\n");
        assertEquals(Set.of("yes", "1234"), c.users().keySet());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "'';                                             is empty",
            "'# only a comment';                             is empty",
            "tls_server_config: {min_version: TLS13};        serving plain HTTP",
            "basic_auth_users: {alice: HASH};               clear text",
            "basic_auth_users: {};                           every client is served without authentication",
            "basic_auth_users:;                              every client is served without authentication",
            "tls_server_config: {cert_file: a, key_file: b, prefer_server_cipher_suites: true}; no effect",
            "tls_server_config: {cert_file: a, key_file: b, client_ca_file: c, client_auth_type: RequestClientCert}; verified",
            "tls_server_config: {cert_file: a, key_file: b, min_version: TLS10}; TLS 1.2 or later"})
    void servedWithAWarning(String yaml, String warning) throws Exception {
        WebConfig c = parse(yaml.replace("HASH", HASH));
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().get(0).contains(warning), c.warnings().get(0));
        assertTrue(c.warnings().get(0).contains(FILE.toString()), c.warnings().get(0));
    }

    @Test
    void exporterToolkitsOldSpellingAndTls10() throws Exception {
        WebConfig.Tls tls = parse("tls_server_config: {cert_file: a, key_file: b, client_ca_file: c,"
                + " client_auth_type: RequireClientCert, min_version: TLS10, max_version: TLS12}").tls().orElseThrow();
        assertEquals(ClientAuthType.RequireAnyClientCert, tls.clientAuth());
        assertEquals(List.of("TLSv1.2", "TLSv1.1", "TLSv1"), tls.protocols());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            // the file's structure
            "tls_server_config: [unclosed;                            malformed YAML at line 1",
            "a: b|  c: d;                                             malformed YAML at line 2",
            "'- tls_server_config';                                   the top level (line 1): must be a mapping",
            "'plain text';                                            the top level (line 1): must be a mapping",
            "tls_server_config: {}|tls_server_config: {};             tls_server_config (line 2): given twice",
            "'a: 1|---|b: 2';                                         malformed YAML",
            // unknown and unsupported keys
            "web_config: {};                                          web_config (line 1): unknown key; known keys here: basic_auth_users, tls_server_config",
            "http_server_config: {http2: false};                      http_server_config (line 1): not supported by Apptheus",
            "rate_limit: {burst: 1};                                  rate_limit (line 1): not supported",
            "tls_server_config:|  cert_file: a|  keyfile: b;          tls_server_config.keyfile (line 3): unknown key",
            "tls_server_config: {cert: '-----BEGIN'};                 tls_server_config.cert (line 1): not supported by Apptheus: put the certificate in a file",
            "tls_server_config: {client_allowed_sans: [a]};           tls_server_config.client_allowed_sans (line 1): not supported",
            "tls_server_config: {curve_preferences: [X25519]};        tls_server_config.curve_preferences (line 1): not supported",
            // TLS
            "tls_server_config: {cert_file: a};                       tls_server_config.key_file: missing",
            "tls_server_config: {key_file: a};                        tls_server_config.cert_file: missing",
            "tls_server_config: {client_auth_type: RequireAndVerifyClientCert, client_ca_file: c}; tls_server_config.cert_file: missing",
            "tls_server_config: {cert_file: [a, b], key_file: b};     tls_server_config.cert_file (line 1): must be a single value",
            "tls_server_config: {cert_file: a, key_file: b, client_auth_type: Always}; tls_server_config.client_auth_type (line 1): unknown client_auth_type \"Always\"",
            "tls_server_config: {cert_file: a, key_file: b, client_ca_file: c}; tls_server_config.client_ca_file (line 1): client CAs are configured without a client_auth_type",
            "tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequireAndVerifyClientCert}; tls_server_config.client_ca_file (line 1): missing",
            "tls_server_config: {cert_file: a, key_file: b, client_auth_type: RequestClientCert}; needs client_ca_file",
            "tls_server_config: {cert_file: a, key_file: b, min_version: TLS14}; tls_server_config.min_version (line 1): unknown TLS version \"TLS14\"",
            "tls_server_config: {cert_file: a, key_file: b, max_version: SSL3}; tls_server_config.max_version (line 1): unknown TLS version",
            "tls_server_config: {cert_file: a, key_file: b, min_version: TLS13, max_version: TLS12}; TLS13 is above max_version TLS12",
            "tls_server_config: {cert_file: a, key_file: b, cipher_suites: TLS_AES_128_GCM_SHA256}; tls_server_config.cipher_suites (line 1): must be a list",
            "tls_server_config: {cert_file: a, key_file: b, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]}; unknown cipher suite \"TLS_RSA_WITH_RC4_128_SHA\"",
            "tls_server_config: {cert_file: a, key_file: b, prefer_server_cipher_suites: maybe}; tls_server_config.prefer_server_cipher_suites (line 1): must be true or false",
            // users
            "basic_auth_users: [alice];                               basic_auth_users (line 1): must be a mapping",
            "basic_auth_users:|  alice: secret;                       basic_auth_users.alice (line 2): not a bcrypt hash",
            "basic_auth_users:|  alice:;                              basic_auth_users.alice (line 2): must be a single value",
            "basic_auth_users:|  alice: {hash: x};                    basic_auth_users.alice (line 2): must be a single value",
            "basic_auth_users: {alice: '$1$abc$defghijklmnopqrstuv'}; basic_auth_users.alice (line 1): not a bcrypt hash",
            "basic_auth_users: {alice: '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeS'}; not a bcrypt hash",
            "basic_auth_users: {alice: '$2y$03$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi'}; bcrypt cost 3 is out of range",
            "basic_auth_users: {alice: '$2y$32$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi'}; bcrypt cost 32 is out of range",
            "basic_auth_users: {'a:b': '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi'}; basic_auth_users.a:b (line 1): a user name must be non-empty and without ':'",
            "basic_auth_users:|  alice: HASH|  alice: HASH;           basic_auth_users.alice (line 3): given twice"})
    void refusedNamingTheFileAndTheKey(String yaml, String expected) {
        String message = error(yaml.replace("HASH", HASH));
        assertTrue(message.startsWith("web config " + FILE + ": "), message);
        assertTrue(message.contains(expected), message);
    }

    @Test
    void aBadHashIsNeverPrinted() {
        String message = error("basic_auth_users: {alice: 'secret-not-a-hash'}");
        assertTrue(!message.contains("secret-not-a-hash"), message);
    }
}
