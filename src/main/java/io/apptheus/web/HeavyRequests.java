package io.apptheus.web;

import java.util.List;
import java.util.concurrent.Semaphore;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.apptheus.config.ApptheusConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * At most --web.max-requests answers that cost memory and a worker thread (the scrape at the
 * telemetry path and /q/metrics, the status API, the status page) are made at once; one more is
 * answered 503 at once, as node_exporter's --web.max-requests does. Each answer holds at most a
 * bounded window of its bytes in memory (io.apptheus.metrics.WriteWindow, or the whole answer of
 * the API), so the cap bounds the memory that clients can make the agent hold, and it leaves worker
 * threads for registrations. A gate in front of those routes: the permit is held until the answer
 * is sent or its connection is gone, whichever route made it.
 */
@Singleton
class HeavyRequests {

    /** Ahead of the routes it guards (the scrape's is -1), after the route prefix's (Integer.MIN_VALUE). */
    static final int ORDER = -2;

    private final Semaphore permits;
    private final int max;
    private final List<String> paths;

    HeavyRequests(ApptheusConfig config) {
        this.max = config.web().maxRequests();
        this.permits = new Semaphore(max);
        this.paths = List.of(config.web().telemetryPath(), "/q/metrics", "/", "/api/v1/containers",
                "/api/v1/containers/*");
    }

    void install(@Observes Router router) {
        for (String p : paths.stream().distinct().toList()) {
            router.get(p).order(ORDER).handler(this::gate);
        }
    }

    private void gate(RoutingContext ctx) {
        if (!permits.tryAcquire()) {
            ctx.response().setStatusCode(503).putHeader("Retry-After", "1").putHeader("Content-Type",
                    "text/plain; charset=utf-8").end(max + " requests are being answered already (--web.max-requests)\n");
            return;
        }
        ctx.addEndHandler(done -> permits.release());
        ctx.next();
    }
}
