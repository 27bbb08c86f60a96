package io.apptheus.web;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Quarkus configuration a {@link WebConfig} becomes, set as system properties before Quarkus
 * starts. Pure.
 *
 * <p>TLS goes to the TLS registry's default configuration, which the HTTP server uses when it has
 * a key store; HTTPS is served on {@code quarkus.http.ssl-port}, which application.properties ties
 * to {@code quarkus.http.port}, and the plain HTTP server is not started. Client authentication
 * ({@code quarkus.http.ssl.client-auth}) is fixed when Quarkus builds the jar, so it is not here:
 * {@link WebSecurity} enables it through Quarkus' programmatic HTTP security at start.
 */
public final class QuarkusWebProperties {

    /** Java's TLS 1.3 suites: Go does not let cipher_suites restrict TLS 1.3, so neither do we. */
    static final List<String> TLS13_SUITES = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
            "TLS_CHACHA20_POLY1305_SHA256");

    private QuarkusWebProperties() {
    }

    public static Map<String, String> of(WebConfig config) {
        Map<String, String> p = new LinkedHashMap<>();
        config.tls().ifPresent(tls -> {
            p.put("quarkus.tls.key-store.pem.0.cert", tls.certFile().toString());
            p.put("quarkus.tls.key-store.pem.0.key", tls.keyFile().toString());
            tls.clientCaFile().ifPresent(ca -> p.put("quarkus.tls.trust-store.pem.certs", listItem(ca)));
            p.put("quarkus.tls.protocols", String.join(",", tls.protocols()));
            if (!tls.cipherSuites().isEmpty()) {
                p.put("quarkus.tls.cipher-suites", String.join(",", cipherSuites(tls)));
            }
            p.put("quarkus.http.insecure-requests", "disabled");
        });
        if (config.requiresAuthentication()) {
            // everything needs a user (the scrape, /q/metrics, /api/*, the status page, any 404) ...
            p.put("quarkus.http.auth.permission.apptheus-users.paths", "/*");
            p.put("quarkus.http.auth.permission.apptheus-users.policy", "authenticated");
            p.put("quarkus.http.auth.permission.apptheus-users.auth-mechanism", "basic");
            // ... but health probes, whose answers carry no per-container data (the longer path wins)
            p.put("quarkus.http.auth.permission.apptheus-probes.paths", "/q/health,/q/health/*");
            p.put("quarkus.http.auth.permission.apptheus-probes.policy", "permit");
        }
        return p;
    }

    private static List<String> cipherSuites(WebConfig.Tls tls) {
        List<String> suites = new ArrayList<>(tls.cipherSuites());
        if (tls.protocols().contains("TLSv1.3")) {
            TLS13_SUITES.stream().filter(s -> !suites.contains(s)).forEach(suites::add);
        }
        return suites;
    }

    /** One element of a SmallRye list property: a ',' in a path is escaped. */
    private static String listItem(Path p) {
        return p.toString().chars().mapToObj(c -> c == ',' ? "\\," : String.valueOf((char) c))
                .collect(Collectors.joining());
    }
}
