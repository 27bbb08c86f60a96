package io.apptheus.web;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.apptheus.config.ApptheusConfig;
import io.apptheus.gateway.GuardedHttpServer;
import io.apptheus.metrics.SelfMetrics;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfigurationRegistry;
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

/**
 * Every {@code --web.listen-address}: a Vert.x HTTP server of ours per address (Quarkus' own is
 * off, {@code quarkus.http.host-enabled=false}), each handing requests to Quarkus' root handler:
 * same routes, same authentication and permission checks, the TLS registry's default
 * configuration and the web config's client authentication. Ours because each connection is
 * admitted at TCP accept and timed ({@link HttpGuard}, {@link GuardedHttpServer}), which Quarkus'
 * server does not let us do. HTTP/1.1 only: one request at a time per connection is what the
 * read-header clock assumes, and what Prometheus scrapes with. Under socket activation the
 * sockets systemd passed are served (io.apptheus.gateway.InheritedListeners). An address that
 * cannot be bound ends the agent (exit 1), as in exporter-toolkit.
 */
@Singleton
class HttpListeners {

    private static final Logger LOG = Logger.getLogger(HttpListeners.class);

    private final List<HttpServer> servers = new ArrayList<>();

    // Last at start: the application is up (the router, the gateway, the container beans), so that
    // the first request, which under socket activation waits in the backlog from the first
    // instant, finds everything in place.
    synchronized void start(@Observes @Priority(10_000) StartupEvent event, ApptheusConfig config, WebConfig web,
            Vertx vertx, SelfMetrics self, TlsConfigurationRegistry tlsRegistry,
            HttpCertificateUpdateEventListener certificateUpdates) {
        try {
            listen(config, web, vertx, self, tlsRegistry, certificateUpdates);
        } catch (RuntimeException e) {
            LOG.error(e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    private void listen(ApptheusConfig config, WebConfig web, Vertx vertx, SelfMetrics self,
            TlsConfigurationRegistry tlsRegistry, HttpCertificateUpdateEventListener certificateUpdates) {
        SmallRyeConfig all = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        VertxHttpConfig http = all.getConfigMapping(VertxHttpConfig.class);
        ApptheusConfig.Web w = config.web();
        HttpGuard guard = new HttpGuard(new ConnectionLimits(w.maxConnections(), w.maxConnectionsPerAddress()),
                w.readHeaderTimeout(), w.idleTimeout(), self);
        List<String> addresses = w.listenAddress()
                .orElse(List.of(bracketed(http.host()) + ":" + http.port()));
        for (String address : addresses) {
            HttpServerOptions options = options(all, http, web, tlsRegistry, guard.readHeaderTimeout());
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon).replaceAll("^\\[|\\]$", "");
            options.setHost(host).setPort(Integer.parseInt(address.substring(colon + 1)));
            HttpServer server = new GuardedHttpServer<>(vertx, options, guard)
                    .requestHandler(GuardedHttpServer.markingHeads(VertxHttpRecorder.getRootHandler()));
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
            LOG.infof("Listening on: %s://%s:%d", options.isSsl() ? "https" : "http", address.substring(0, colon),
                    server.actualPort());
        }
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        for (HttpServer s : servers) {
            s.close();
        }
        servers.clear();
    }

    /**
     * Quarkus' options for its own server (limits: header and line sizes, backlog, compression),
     * then ours: HTTP/1.1 only, no Vert.x idle timeout (the guard's is counted), the TLS handshake
     * within the read-header timeout, TLS and client authentication from the web config.
     */
    private static HttpServerOptions options(SmallRyeConfig config, VertxHttpConfig http, WebConfig web,
            TlsConfigurationRegistry tlsRegistry, Duration readHeaderTimeout) {
        HttpServerOptions options = new HttpServerOptions();
        HttpServerOptionsUtils.applyCommonOptions(options, config.getConfigMapping(VertxHttpBuildTimeConfig.class),
                http, List.of());
        if (web.tls().isPresent()) {
            var tls = tlsRegistry.getDefault().orElseThrow(() -> new IllegalStateException(
                    "the web config asks for TLS but the TLS registry has no default configuration"));
            HttpServerOptionsUtils.applyTlsConfigurationToHttpServerOptions(tls, options);
            options.setClientAuth(ClientAuth.valueOf(web.tls().get().clientAuth().quarkusClientAuth()));
        }
        return options.setHttp2ClearTextEnabled(false).setUseAlpn(false).setIdleTimeout(0)
                .setSslHandshakeTimeout(readHeaderTimeout.toMillis()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    }

    private static String bracketed(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
