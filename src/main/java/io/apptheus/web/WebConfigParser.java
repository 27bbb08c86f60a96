package io.apptheus.web;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;

/**
 * Parses a {@code --web.config.file} in the exporter-toolkit format. Pure: the text, the file's
 * path (for messages and relative paths) and the JDK's cipher suites come in, a {@link WebConfig}
 * or a {@link WebConfigException} naming the file, the key and the line comes out. The YAML is
 * read as a node tree (no bean mapping, no type guessing: {@code on} stays the string "on"), and
 * every key is checked, as exporter-toolkit's strict unmarshalling does.
 *
 * <pre>
 * tls_server_config:
 *   cert_file: server.crt          # relative to this file's directory
 *   key_file: server.key
 *   client_auth_type: RequireAndVerifyClientCert
 *   client_ca_file: clients-ca.crt
 *   min_version: TLS12              # TLS10, TLS11, TLS12 (default), TLS13
 *   cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
 * basic_auth_users:
 *   prometheus: $2y$10$...          # htpasswd -nBC 10 prometheus
 * </pre>
 */
public final class WebConfigParser {

    private static final Set<String> TOP_KEYS = Set.of("tls_server_config", "basic_auth_users");
    private static final Map<String, String> TOP_UNSUPPORTED = Map.of(
            "http_server_config", "HTTP/2 and extra response headers are not configurable",
            "rate_limit", "there is no rate limiter");
    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file",
            "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites");
    private static final Map<String, String> TLS_UNSUPPORTED = Map.of(
            "cert", "put the certificate in a file and give cert_file",
            "key", "put the key in a file and give key_file",
            "client_ca", "put the CA certificates in a file and give client_ca_file",
            "curve_preferences", "the JDK's named groups are used",
            "client_allowed_sans", "client certificates are checked against client_ca_file only");
    /** exporter-toolkit's names, oldest first, and the JSSE protocol each stands for. */
    private static final Map<String, String> TLS_VERSIONS = new LinkedHashMap<>();
    /** What htpasswd -B ($2y$) and Go's bcrypt ($2a$) write: version, two-digit cost, 53 characters of salt and hash. */
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");

    static {
        TLS_VERSIONS.put("TLS10", "TLSv1");
        TLS_VERSIONS.put("TLS11", "TLSv1.1");
        TLS_VERSIONS.put("TLS12", "TLSv1.2");
        TLS_VERSIONS.put("TLS13", "TLSv1.3");
    }

    private final Path file;
    private final YamlNodes yaml;
    private final Set<String> supportedCipherSuites;
    private final List<String> warnings = new ArrayList<>();

    private WebConfigParser(Path file, Set<String> supportedCipherSuites) {
        this.file = file;
        this.yaml = new YamlNodes(file);
        this.supportedCipherSuites = supportedCipherSuites;
    }

    /**
     * @param text                  the file's content
     * @param file                  its absolute path; relative paths inside are resolved against its directory
     * @param supportedCipherSuites the cipher suites this JDK knows (IANA names)
     */
    public static WebConfig parse(String text, Path file, Set<String> supportedCipherSuites) throws WebConfigException {
        return new WebConfigParser(file, supportedCipherSuites).parse(text);
    }

    private WebConfig parse(String text) throws WebConfigException {
        Node root = yaml.compose(text);
        if (root == null || YamlNodes.isNull(root)) {
            warnings.add("web config " + file + " is empty: plain HTTP without authentication");
            return new WebConfig(file, Optional.empty(), Map.of(), warnings);
        }
        Map<String, Node> top = yaml.mapping(root, "the top level");
        Optional<WebConfig.Tls> tls = Optional.empty();
        Map<String, String> users = Map.of();
        for (Map.Entry<String, Node> e : top.entrySet()) {
            String key = e.getKey();
            checkKnown(key, key, e.getValue(), TOP_KEYS, TOP_UNSUPPORTED);
        }
        if (top.containsKey("tls_server_config") && !YamlNodes.isNull(top.get("tls_server_config"))) {
            tls = tls(yaml.mapping(top.get("tls_server_config"), "tls_server_config"));
        }
        if (top.containsKey("basic_auth_users") && !YamlNodes.isNull(top.get("basic_auth_users"))) {
            users = users(yaml.mapping(top.get("basic_auth_users"), "basic_auth_users"));
        }
        if (top.containsKey("basic_auth_users") && users.isEmpty()) {
            // an emptied user list must not turn authentication off without a word
            warnings.add("web config " + file + " has an empty basic_auth_users: every client is served without"
                    + " authentication");
        }
        if (!users.isEmpty() && tls.isEmpty()) {
            warnings.add("web config " + file + " has basic_auth_users but no TLS: passwords cross the network"
                    + " in clear text");
        }
        return new WebConfig(file, tls, users, warnings);
    }

    private Optional<WebConfig.Tls> tls(Map<String, Node> m) throws WebConfigException {
        for (Map.Entry<String, Node> e : m.entrySet()) {
            checkKnown(e.getKey(), "tls_server_config." + e.getKey(), e.getValue(), TLS_KEYS, TLS_UNSUPPORTED);
        }
        Optional<String> cert = yaml.string(m, "tls_server_config", "cert_file");
        Optional<String> key = yaml.string(m, "tls_server_config", "key_file");
        Optional<String> ca = yaml.string(m, "tls_server_config", "client_ca_file");
        Optional<String> auth = yaml.string(m, "tls_server_config", "client_auth_type");
        if (m.containsKey("prefer_server_cipher_suites")) {
            yaml.bool(m, "tls_server_config", "prefer_server_cipher_suites");
            warnings.add("tls_server_config.prefer_server_cipher_suites in " + file + " has no effect (Go ignores it too)");
        }
        List<String> protocols = protocols(m);
        List<String> ciphers = cipherSuites(m);
        if (cert.isEmpty() && key.isEmpty() && ca.isEmpty() && auth.isEmpty()) {
            // exporter-toolkit: TLS is on when any of these is set
            if (!m.isEmpty()) {
                warnings.add("tls_server_config in " + file + " sets none of cert_file, key_file, client_auth_type,"
                        + " client_ca_file: serving plain HTTP");
            }
            return Optional.empty();
        }
        if (cert.isEmpty()) {
            throw fail("tls_server_config.cert_file", null, "missing: TLS needs cert_file and key_file");
        }
        if (key.isEmpty()) {
            throw fail("tls_server_config.key_file", null, "missing: TLS needs cert_file and key_file");
        }
        ClientAuthType clientAuth = ClientAuthType.NoClientCert;
        if (auth.isPresent()) {
            try {
                clientAuth = ClientAuthType.parse(auth.get());
            } catch (IllegalArgumentException e) {
                throw fail("tls_server_config.client_auth_type", m.get("client_auth_type"), e.getMessage());
            }
        }
        if (ca.isPresent() && clientAuth == ClientAuthType.NoClientCert) {
            throw fail("tls_server_config.client_ca_file", m.get("client_ca_file"),
                    "client CAs are configured without a client_auth_type");
        }
        if (ca.isEmpty() && clientAuth != ClientAuthType.NoClientCert) {
            throw fail("tls_server_config.client_ca_file", m.get("client_auth_type"), "missing: client_auth_type "
                    + clientAuth.name() + " needs client_ca_file, the CA certificates client certificates must chain to");
        }
        if (clientAuth.approximated()) {
            warnings.add("tls_server_config.client_auth_type " + clientAuth.name() + " in " + file
                    + ": a client certificate is also verified against client_ca_file (Go does not verify it)");
        }
        return Optional.of(new WebConfig.Tls(resolve(cert.get()), resolve(key.get()), clientAuth,
                ca.map(this::resolve), protocols, ciphers));
    }

    private List<String> protocols(Map<String, Node> m) throws WebConfigException {
        List<String> names = new ArrayList<>(TLS_VERSIONS.keySet());
        int min = version(m, "min_version", names.indexOf("TLS12"));
        int max = version(m, "max_version", names.indexOf("TLS13"));
        if (min > max) {
            throw fail("tls_server_config.min_version", m.get("min_version"),
                    names.get(min) + " is above max_version " + names.get(max));
        }
        if (min < names.indexOf("TLS12")) {
            warnings.add("tls_server_config.min_version " + names.get(min) + " in " + file + ": the JDK disables"
                    + " TLS 1.0 and 1.1 by default (jdk.tls.disabledAlgorithms), clients need TLS 1.2 or later");
        }
        List<String> protocols = new ArrayList<>();
        for (int i = max; i >= min; i--) {
            protocols.add(TLS_VERSIONS.get(names.get(i)));
        }
        return protocols;
    }

    private int version(Map<String, Node> m, String key, int dflt) throws WebConfigException {
        Optional<String> v = yaml.string(m, "tls_server_config", key);
        if (v.isEmpty()) {
            return dflt;
        }
        int i = new ArrayList<>(TLS_VERSIONS.keySet()).indexOf(v.get());
        if (i < 0) {
            throw fail("tls_server_config." + key, m.get(key),
                    "unknown TLS version \"" + v.get() + "\"; one of TLS10, TLS11, TLS12, TLS13");
        }
        return i;
    }

    private List<String> cipherSuites(Map<String, Node> m) throws WebConfigException {
        Node n = m.get("cipher_suites");
        if (n == null || YamlNodes.isNull(n)) {
            return List.of();
        }
        if (!(n instanceof SequenceNode seq)) {
            throw fail("tls_server_config.cipher_suites", n, "must be a list of cipher suite names");
        }
        List<String> out = new ArrayList<>();
        for (Node item : seq.getValue()) {
            String name = yaml.scalar(item, "tls_server_config.cipher_suites");
            if (!supportedCipherSuites.contains(name)) {
                throw fail("tls_server_config.cipher_suites", item, "unknown cipher suite \"" + name
                        + "\" (IANA names, as Go writes them, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
            }
            out.add(name);
        }
        return out;
    }

    private Map<String, String> users(Map<String, Node> m) throws WebConfigException {
        Map<String, String> users = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : m.entrySet()) {
            String user = e.getKey();
            String where = "basic_auth_users." + user;
            if (user.isEmpty() || user.contains(":")) {
                throw fail(where, e.getValue(), "a user name must be non-empty and without ':' (HTTP basic auth)");
            }
            String hash = yaml.scalar(e.getValue(), where);
            checkBcrypt(hash, where, e.getValue());
            users.put(user, hash);
        }
        return users;
    }

    private void checkBcrypt(String hash, String where, Node node) throws WebConfigException {
        var matcher = BCRYPT.matcher(hash);
        String hint = "not a bcrypt hash: expected 60 characters such as $2y$10$... (htpasswd -nBC 10 USER)";
        if (!matcher.matches()) {
            throw fail(where, node, hint);
        }
        int cost = Integer.parseInt(matcher.group(1));
        if (cost < 4 || cost > 31) {
            throw fail(where, node, "bcrypt cost " + cost + " is out of range 04..31");
        }
        try {
            BCrypt.Version.VERSION_2A.parser.parse(hash.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalBCryptFormatException e) {
            throw fail(where, node, hint + " (" + e.getMessage() + ")");
        }
    }

    private void checkKnown(String key, String where, Node node, Set<String> known, Map<String, String> unsupported)
            throws WebConfigException {
        if (known.contains(key)) {
            return;
        }
        if (unsupported.containsKey(key)) {
            throw fail(where, node, "not supported by Apptheus: " + unsupported.get(key));
        }
        throw fail(where, node, "unknown key; known keys here: " + String.join(", ", known.stream().sorted().toList()));
    }

    private Path resolve(String path) {
        Path p = Path.of(path);
        Path dir = file.toAbsolutePath().getParent();
        return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
    }

    private WebConfigException fail(String where, Node node, String message) {
        return yaml.fail(where, node, message);
    }
}
