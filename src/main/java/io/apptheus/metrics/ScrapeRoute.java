package io.apptheus.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.config.ApptheusConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the registry's scrape at the run-time {@code --web.telemetry-path} (Quarkus fixes its own
 * endpoint's path at build time) and at Quarkus's {@code /q/metrics}, ahead of Quarkus's handler,
 * so that both paths answer the same request with the same bytes (Quarkus's handler negotiates
 * the format its own way and builds the scrape as one String). The exposition is sent in chunks
 * as it is written, at most a {@link WriteWindow} of them in flight; how many scrapes run at once
 * is the business of io.apptheus.web's --web.max-requests gate, in front of this route.
 */
@Singleton
public class ScrapeRoute {

    private static final Logger LOG = Logger.getLogger(ScrapeRoute.class);
    /** Quarkus's endpoint (quarkus.micrometer.export.prometheus.path, fixed at build time). */
    static final String QUARKUS_PATH = "/q/metrics";

    private final PrometheusExposition exposition;
    private final String path;
    private final Duration writeTimeout;

    ScrapeRoute(PrometheusExposition exposition, ApptheusConfig config) {
        this.exposition = exposition;
        this.path = config.web().telemetryPath();
        this.writeTimeout = config.web().writeTimeout();
    }

    void install(@Observes Router router) {
        router.get(path).order(-1).blockingHandler(this::scrape, false);
        if (!path.equals(QUARKUS_PATH)) {
            router.get(QUARKUS_PATH).order(-1).blockingHandler(this::scrape, false);
        }
    }

    private void scrape(RoutingContext ctx) {
        String type = PrometheusExposition.contentType(ctx.request().getHeader("Accept"));
        HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", type);
        WriteWindow window = new WriteWindow(writeTimeout);
        // the chunk array is reused by the writer: each chunk is copied into the buffer Vert.x
        // writes, and at most WriteWindow.BYTES of them wait in Vert.x's write tasks and the socket
        try (ChunkedWriter out = new ChunkedWriter((chunk, length) -> {
            try {
                window.acquire(length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            response.write(Buffer.buffer(length).appendBytes(chunk, 0, length))
                    .onComplete(ar -> window.written(length, ar.cause()));
        })) {
            exposition.scrape(out, type);
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
