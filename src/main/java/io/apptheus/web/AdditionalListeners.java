package io.apptheus.web;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.apptheus.config.ApptheusConfig;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.vertx.http.HttpServerStart;
import io.quarkus.vertx.http.HttpsServerStart;
import io.quarkus.tls.runtime.config.TlsConfig;
import io.quarkus.vertx.http.runtime.HttpCertificateUpdateEventListener;
import io.quarkus.vertx.http.runtime.VertxHttpBuildTimeConfig;
import io.quarkus.vertx.http.runtime.VertxHttpConfig;
import io.quarkus.vertx.http.runtime.VertxHttpRecorder;
import io.quarkus.vertx.http.runtime.options.HttpServerOptionsUtils;
import io.smallrye.config.SmallRyeConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.JdkSSLEngineOptions;

/**
 * {@code --web.listen-address} given more than once. Quarkus serves one host and port (the first
 * address); every further address gets a Vert.x HTTP server of its own that hands each request to
 * Quarkus' root handler, the one the main server uses: same routes, same authentication and
 * permission checks, and the same TLS configuration (the TLS registry's default) and client
 * authentication. A further address that cannot be bound ends the agent (exit 1), as in exporter-toolkit.
 */
@Singleton
class AdditionalListeners {

    private static final Logger LOG = Logger.getLogger(AdditionalListeners.class);

    private final List<HttpServer> servers = new ArrayList<>();
    private boolean started;

    // After Quarkus' own server (whose start events are asynchronous): a further listener that
    // answered before it would hand requests to a root handler whose application is not started yet
    // (500 "No CDI container is available"), and under socket activation connections wait in the
    // backlog from the first instant. An address that cannot be bound still ends the agent.
    void startAfterHttp(@ObservesAsync HttpServerStart event, ApptheusConfig config, WebConfig web, Vertx vertx,
            TlsConfigurationRegistry tlsRegistry, HttpCertificateUpdateEventListener certificateUpdates) {
        startOrExit(config, web, vertx, tlsRegistry, certificateUpdates);
    }

    void startAfterHttps(@ObservesAsync HttpsServerStart event, ApptheusConfig config, WebConfig web, Vertx vertx,
            TlsConfigurationRegistry tlsRegistry, HttpCertificateUpdateEventListener certificateUpdates) {
        startOrExit(config, web, vertx, tlsRegistry, certificateUpdates);
    }

    private synchronized void startOrExit(ApptheusConfig config, WebConfig web, Vertx vertx,
            TlsConfigurationRegistry tlsRegistry, HttpCertificateUpdateEventListener certificateUpdates) {
        if (started) {
            return;
        }
        started = true;
        try {
            start(config, web, vertx, tlsRegistry, certificateUpdates);
        } catch (RuntimeException e) {
            LOG.error(e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    private void start(ApptheusConfig config, WebConfig web, Vertx vertx,
            TlsConfigurationRegistry tlsRegistry, HttpCertificateUpdateEventListener certificateUpdates) {
        List<String> addresses = config.web().listenAddress().orElse(List.of());
        for (String address : addresses.subList(Math.min(1, addresses.size()), addresses.size())) {
            HttpServerOptions options = options(web, tlsRegistry);
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon).replaceAll("^\\[|\\]$", "");
            options.setHost(host).setPort(Integer.parseInt(address.substring(colon + 1)));
            HttpServer server = vertx.createHttpServer(options).requestHandler(VertxHttpRecorder.getRootHandler());
            try {
                server = server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding " + address, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("cannot listen on " + address + " (--web.listen-address): "
                        + (e.getCause() != null ? e.getCause() : e), e);
            }
            servers.add(server);
            if (options.isSsl()) {
                certificateUpdates.register(server, TlsConfig.DEFAULT_NAME, "apptheus listener " + address);
            }
            LOG.infof("Also listening on: %s://%s:%d", options.isSsl() ? "https" : "http", address.substring(0, colon),
                    server.actualPort());
        }
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        for (HttpServer s : servers) {
            s.close();
        }
        servers.clear();
    }

    /** The main server's options as Quarkus builds them: limits, timeouts, TLS, client authentication. */
    private static HttpServerOptions options(WebConfig web, TlsConfigurationRegistry tlsRegistry) {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        VertxHttpConfig http = config.getConfigMapping(VertxHttpConfig.class);
        HttpServerOptions options = new HttpServerOptions();
        HttpServerOptionsUtils.applyCommonOptions(options, config.getConfigMapping(VertxHttpBuildTimeConfig.class),
                http, List.of());
        if (web.tls().isPresent()) {
            if (JdkSSLEngineOptions.isAlpnAvailable() && http.http2()) {
                options.setUseAlpn(true).setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1));
            }
            var tls = tlsRegistry.getDefault().orElseThrow(() -> new IllegalStateException(
                    "the web config asks for TLS but the TLS registry has no default configuration"));
            HttpServerOptionsUtils.applyTlsConfigurationToHttpServerOptions(tls, options);
            options.setClientAuth(ClientAuth.valueOf(web.tls().get().clientAuth().quarkusClientAuth()));
        }
        return options;
    }
}
