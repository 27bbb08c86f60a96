package io.apptheus.web;

/**
 * exporter-toolkit's {@code client_auth_type} (Go's tls.ClientAuthType names) and the Vert.x/Quarkus
 * client authentication each becomes. Java's TLS engine verifies every client certificate it is
 * given against the trust store, so the two Go modes that accept an unverified certificate are
 * served stricter: a certificate that does not chain to client_ca_file ends the handshake.
 */
public enum ClientAuthType {
    /** Go: no certificate asked for. */
    NoClientCert("NONE", false),
    /** Go: asked for, not required, not verified. Here: verified when given (approximated). */
    RequestClientCert("REQUEST", true),
    /** Go: required, not verified. Here: required and verified (approximated). */
    RequireAnyClientCert("REQUIRED", true),
    /** Go: verified when given. */
    VerifyClientCertIfGiven("REQUEST", false),
    /** Go: required and verified. */
    RequireAndVerifyClientCert("REQUIRED", false);

    private final String quarkus;
    private final boolean approximated;

    ClientAuthType(String quarkus, boolean approximated) {
        this.quarkus = quarkus;
        this.approximated = approximated;
    }

    /** The value of Quarkus' {@code quarkus.http.ssl.client-auth} (Vert.x ClientAuth): NONE, REQUEST or REQUIRED. */
    public String quarkusClientAuth() {
        return quarkus;
    }

    /** Whether Java serves this mode stricter than Go does. */
    public boolean approximated() {
        return approximated;
    }

    /** Parses the file's value; "RequireClientCert" is exporter-toolkit's old spelling of RequireAnyClientCert. */
    static ClientAuthType parse(String value) {
        if (value.equals("RequireClientCert")) {
            return RequireAnyClientCert;
        }
        for (ClientAuthType t : values()) {
            if (t.name().equals(value)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown client_auth_type \"" + value + "\"; one of NoClientCert,"
                + " RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert");
    }
}
