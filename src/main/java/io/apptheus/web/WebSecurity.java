package io.apptheus.web;

import java.nio.file.Path;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.apptheus.config.ApptheusConfig;
import io.quarkus.vertx.http.security.HttpSecurity;
import io.vertx.core.http.ClientAuth;

/**
 * The web config at run time. ApptheusMain has validated the file and turned it into Quarkus
 * properties before Quarkus started; here it is read again for what only a bean can do: the
 * users' hashes for {@link BcryptIdentityProvider} and TLS client authentication, which Quarkus
 * fixes at build time as a property but accepts through its programmatic HTTP security.
 */
@Singleton
class WebSecurity {

    @Produces
    @Singleton
    WebConfig webConfig(ApptheusConfig config) {
        var file = config.web().configFile().filter(f -> !f.isBlank());
        if (file.isEmpty()) {
            return WebConfig.none();
        }
        try {
            return WebConfigLoader.load(Path.of(file.get()));
        } catch (WebConfigException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    void clientAuthentication(@Observes HttpSecurity http, WebConfig config) {
        config.tls().map(WebConfig.Tls::clientAuth).filter(c -> c != ClientAuthType.NoClientCert)
                .ifPresent(c -> http.mTLS(ClientAuth.valueOf(c.quarkusClientAuth())));
    }
}
