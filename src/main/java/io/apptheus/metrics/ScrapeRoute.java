package io.apptheus.metrics;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.config.ApptheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves the Prometheus scrape at the run-time {@code --web.telemetry-path} (Quarkus fixes its own
 * endpoint's path at build time). The registry writes the exposition into a small buffer that is
 * sent as chunks, so a large node's scrape is never built as one String. The registry class is
 * named here only: moving to Prometheus client 1.x changes this file's import and writer type.
 */
@Singleton
public class ScrapeRoute {

    private static final Logger LOG = Logger.getLogger(ScrapeRoute.class);
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_100 = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final String path;

    ScrapeRoute(PrometheusMeterRegistry registry, ApptheusConfig config) {
        this.registry = registry;
        this.path = config.web().telemetryPath();
    }

    void install(@Observes Router router) {
        router.get(path).blockingHandler(this::scrape, false);
    }

    private void scrape(RoutingContext ctx) {
        String accept = ctx.request().getHeader("Accept");
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_100 : TEXT_004;
        HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", type);
        try (ChunkWriter out = new ChunkWriter(response)) {
            registry.scrape(out, type);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("scrape failed: %s", e);
            if (!response.headWritten()) {
                ctx.fail(500, e);
                return;
            }
        }
        response.end();
    }

    /** A Writer that sends what it is given in chunks of about 32 KiB. */
    private static final class ChunkWriter extends Writer {
        private static final int CHUNK = 32 * 1024;
        private final HttpServerResponse response;
        private final StringBuilder pending = new StringBuilder(CHUNK + 1024);

        ChunkWriter(HttpServerResponse response) {
            this.response = response;
        }

        @Override
        public void write(char[] cbuf, int off, int len) {
            pending.append(cbuf, off, len);
            if (pending.length() >= CHUNK) {
                flush();
            }
        }

        @Override
        public void write(String str, int off, int len) {
            pending.append(str, off, off + len);
            if (pending.length() >= CHUNK) {
                flush();
            }
        }

        @Override
        public void flush() {
            if (pending.length() > 0) {
                response.write(Buffer.buffer(pending.toString().getBytes(StandardCharsets.UTF_8)));
                pending.setLength(0);
            }
        }

        @Override
        public void close() {
            flush();
        }
    }
}
