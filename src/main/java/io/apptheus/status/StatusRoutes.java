package io.apptheus.status;

import io.apptheus.proc.Passwd;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.config.ApptheusConfig;
import io.apptheus.metrics.BuildInfo;
import io.apptheus.monitor.ContainerRegistry;
import io.apptheus.monitor.MonitoredContainer;
import io.apptheus.proc.ProcReader;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The status API ({@code /api/v1/containers}, {@code /api/v1/containers/{name}}) and page
 * ({@code /}). They are routes of the same Vert.x Router as the scrape ({@code ScrapeRoute}), so
 * whatever guards /metrics on that router (TLS, basic auth) guards them too. Values come from the
 * sweep's own samples: a request reads no cgroup file.
 */
@Singleton
public class StatusRoutes {

    private static final Logger LOG = Logger.getLogger(StatusRoutes.class);
    static final String API = "/api/v1/containers";
    private static final String JSON = "application/json; charset=utf-8";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss z");

    private final ContainerRegistry registry;
    private final Passwd users;
    private final NodeInfo node;
    private final StatusJson.AgentInfo agent;
    private final String metricsPath;
    private final StatusPage page;

    StatusRoutes(ContainerRegistry registry, ProcReader proc, Passwd users, ApptheusConfig config) {
        this.registry = registry;
        this.users = users;
        this.node = NodeInfo.read(proc.procRoot(), Path.of("/sys"));
        BuildInfo build = BuildInfo.load();
        this.agent = new StatusJson.AgentInfo(build.version(), build.revision(),
                config.monitor().interval().toNanos() / 1e9, config.metrics().retainExited().toNanos() / 1e9);
        this.metricsPath = config.web().telemetryPath();
        this.page = StatusPage.load();
    }

    void install(@Observes Router router) {
        // how many of these answers are made at once is io.apptheus.web's --web.max-requests gate
        router.get(API).blockingHandler(this::list, false);
        router.get(API + "/:name").blockingHandler(this::one, false);
        router.get("/").blockingHandler(this::page, false);
    }

    private void list(RoutingContext ctx) {
        String h = ctx.request().getParam("history", "");
        boolean history = h.equals("1") || h.equalsIgnoreCase("true");
        Now now = Now.read();
        send(ctx, 200, StatusJson.list(agent, node, now.epoch, views(now), history));
    }

    private void one(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        Now now = Now.read();
        Optional<MonitoredContainer> c = registry.byName(name);
        if (c.isEmpty()) {
            send(ctx, 404, StatusJson.error("no container named \"" + name + "\" is monitored"));
            return;
        }
        send(ctx, 200, StatusJson.container(ContainerView.of(c.get(), users, now.nanos, now.epoch), now.epoch, true));
    }

    private void page(RoutingContext ctx) {
        Now now = Now.read();
        String clock = CLOCK.format(Instant.ofEpochMilli(now.millis).atZone(ZoneId.systemDefault()));
        String html = page.render(agent.version(), node, now.epoch, clock, metricsPath, views(now));
        ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Content-Security-Policy", page.contentSecurityPolicy())
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Referrer-Policy", "no-referrer")
                .putHeader("Cache-Control", "no-store")
                .end(html);
    }

    private List<ContainerView> views(Now now) {
        List<ContainerView> out = new ArrayList<>();
        for (MonitoredContainer c : registry.all()) {
            try {
                out.add(ContainerView.of(c, users, now.nanos, now.epoch));
            } catch (RuntimeException e) {
                LOG.warnf(e, "container %s: cannot show its status", c.name());
            }
        }
        out.sort(ContainerView.BY_CPU);
        return out;
    }

    private static void send(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).putHeader("Cache-Control", "no-store")
                .putHeader("X-Content-Type-Options", "nosniff").end(body.encode());
    }

    /** The monotonic and the wall clock read together, to place monotonic sample times on the wall clock. */
    private record Now(long nanos, long millis, double epoch) {
        static Now read() {
            long nanos = System.nanoTime();
            long millis = System.currentTimeMillis();
            return new Now(nanos, millis, millis / 1000.0);
        }
    }
}
