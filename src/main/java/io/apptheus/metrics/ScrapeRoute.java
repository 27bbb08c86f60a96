package io.apptheus.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.config.ApptheusConfig;
import io.apptheus.web.HeavyRequests;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the Prometheus scrape at the run-time {@code --web.telemetry-path} (Quarkus fixes its own
 * endpoint's path at build time). The exposition goes into a small buffer that is sent as chunks,
 * so a large node's scrape is never built as one String. The registry class is
 * named here only: moving to Prometheus client 1.x changes this file's import and writer type.
 */
@Singleton
public class ScrapeRoute {

    private static final Logger LOG = Logger.getLogger(ScrapeRoute.class);
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_100 = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final ContainerSeries containers;
    private final String path;
    private final HeavyRequests heavy;
    private final Duration writeTimeout;

    ScrapeRoute(PrometheusMeterRegistry registry, ContainerSeries containers, HeavyRequests heavy,
                ApptheusConfig config) {
        this.registry = registry;
        this.containers = containers;
        this.path = config.web().telemetryPath();
        this.heavy = heavy;
        this.writeTimeout = config.web().writeTimeout();
    }

    void install(@Observes Router router) {
        router.get(path).blockingHandler(this::scrape, false);
    }

    /**
     * The containers' series first, written from their buffers, then the registry's own (agent
     * and JVM metrics; in OpenMetrics it ends with "# EOF"), all through one chunked writer.
     */
    private void scrape(RoutingContext ctx) {
        if (!heavy.enter(ctx)) {
            return;
        }
        try {
            write(ctx);
        } finally {
            heavy.release();
        }
    }

    private void write(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
        String type = openMetrics ? OPENMETRICS_100 : TEXT_004;
        HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", type);
        WriteWindow window = new WriteWindow(writeTimeout);
        // each chunk's array is handed on as it is (wrapped, not copied): Buffer.buffer(byte[]) copies;
        // at most WriteWindow.BYTES of them wait in Vert.x's write tasks and the socket's buffer
        try (ExpositionWriter out = new ExpositionWriter((chunk, length) -> {
            try {
                window.acquire(length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            response.write(Buffer.buffer(Unpooled.wrappedBuffer(chunk, 0, length)))
                    .onComplete(ar -> window.written(length, ar.cause()));
        })) {
            containers.write(out, !openMetrics);
            registry.scrape(out.asWriter(), type);
        } catch (IOException | RuntimeException e) {
            Throwable why = e instanceof UncheckedIOException u ? u.getCause() : e;
            LOG.warnf("scrape from %s failed: %s", ctx.request().remoteAddress(), why.getMessage());
            if (!response.headWritten()) {
                ctx.fail(500, e);
            } else {
                ctx.request().connection().close(); // the client has part of an answer: it must not take it whole
            }
            return;
        }
        response.end();
    }
}
