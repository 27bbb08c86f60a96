package io.apptheus.web;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parsed {@code --web.config.file} (the Prometheus exporter-toolkit format, the subset Apptheus
 * serves). Paths are absolute: relative ones in the file are resolved against the file's directory,
 * as exporter-toolkit does.
 *
 * @param file     the file it came from, for messages
 * @param tls      present when the file asks for HTTPS
 * @param users    user name to bcrypt hash; empty means no authentication
 * @param warnings what the file sets that has no effect or weakens it, one line each
 */
public record WebConfig(Path file, Optional<Tls> tls, Map<String, String> users, List<String> warnings) {

    public WebConfig {
        users = Map.copyOf(users);
        warnings = List.copyOf(warnings);
    }

    /** No file: plain HTTP, no authentication (Apptheus's behaviour without the flag). */
    public static WebConfig none() {
        return new WebConfig(null, Optional.empty(), Map.of(), List.of());
    }

    public boolean requiresAuthentication() {
        return !users.isEmpty();
    }

    /**
     * {@code tls_server_config}.
     *
     * @param protocols    JSSE protocol names from max_version down to min_version, e.g. [TLSv1.3, TLSv1.2]
     * @param cipherSuites IANA names as written; empty means the JDK's defaults
     */
    public record Tls(Path certFile, Path keyFile, ClientAuthType clientAuth, Optional<Path> clientCaFile,
                      List<String> protocols, List<String> cipherSuites) {

        public Tls {
            protocols = List.copyOf(protocols);
            cipherSuites = List.copyOf(cipherSuites);
        }
    }
}
