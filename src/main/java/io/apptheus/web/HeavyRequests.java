package io.apptheus.web;

import java.util.concurrent.Semaphore;

import jakarta.inject.Singleton;

import io.apptheus.config.ApptheusConfig;
import io.vertx.ext.web.RoutingContext;

/**
 * At most --web.max-requests answers that cost memory and a worker thread (the scrape, the status
 * API, the status page) are made at once; one more is answered 503 at once, as node_exporter's
 * --web.max-requests does. Each answer holds at most a bounded window of its bytes in memory
 * (io.apptheus.metrics.WriteWindow, or the whole answer of the API), so the cap bounds the memory
 * that clients can make the agent hold, and it leaves worker threads for registrations.
 */
@Singleton
public class HeavyRequests {

    private final Semaphore permits;
    private final int max;

    HeavyRequests(ApptheusConfig config) {
        this.max = config.web().maxRequests();
        this.permits = new Semaphore(max);
    }

    /**
     * Takes a permit, or answers 503 and returns false. The caller releases the permit with
     * {@link #release()} once its answer is written (or given up).
     */
    public boolean enter(RoutingContext ctx) {
        if (permits.tryAcquire()) {
            return true;
        }
        ctx.response().setStatusCode(503).putHeader("Retry-After", "1").putHeader("Content-Type",
                "text/plain; charset=utf-8").end(max + " requests are being answered already (--web.max-requests)\n");
        return false;
    }

    public void release() {
        permits.release();
    }
}
