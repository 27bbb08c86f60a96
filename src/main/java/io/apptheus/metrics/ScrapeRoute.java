package io.apptheus.metrics;

import java.io.IOException;

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
 * as it is written.
 */
@Singleton
public class ScrapeRoute {

    private static final Logger LOG = Logger.getLogger(ScrapeRoute.class);
    /** Quarkus's endpoint (quarkus.micrometer.export.prometheus.path, fixed at build time). */
    static final String QUARKUS_PATH = "/q/metrics";

    private final PrometheusExposition exposition;
    private final String path;

    ScrapeRoute(PrometheusExposition exposition, ApptheusConfig config) {
        this.exposition = exposition;
        this.path = config.web().telemetryPath();
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
        try (ChunkedWriter out = new ChunkedWriter(
                (chunk, length) -> response.write(Buffer.buffer(length).appendBytes(chunk, 0, length)))) {
            exposition.scrape(out, type);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("scrape failed: %s", e);
            if (!response.headWritten()) {
                ctx.fail(500, e);
                return;
            }
        }
        response.end();
    }
}
