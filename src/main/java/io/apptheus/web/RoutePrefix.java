package io.apptheus.web;

import java.net.URI;
import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.apptheus.config.ApptheusConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code --web.route-prefix} (default: the path of {@code --web.external-url}): every route — the
 * scrape, the status page and API, Quarkus' /q/health — is served under the prefix and nowhere
 * else, as in the original and in Prometheus, so that a reverse proxy can mount the agent at
 * /apptheus. Quarkus fixes its own root path at build time; the prefix is a run-time flag, so the
 * first route of the router strips it and routes the request again: every other route, and every
 * path-based permission of the web config, keeps seeing the paths it was written for.
 */
@Singleton
class RoutePrefix {

    private static final String STRIPPED = "apptheus.route-prefix.stripped";

    private final String prefix;

    RoutePrefix(ApptheusConfig config) {
        this.prefix = of(config.web().routePrefix(), config.web().externalUrl());
    }

    /** The prefix in force: "" for none, else "/a/b". */
    static String of(Optional<String> routePrefix, Optional<String> externalUrl) {
        String p = routePrefix.filter(s -> !s.isEmpty() && !s.equals("/"))
                .or(() -> externalUrl.filter(s -> !s.isEmpty()).map(u -> URI.create(u).getRawPath()))
                .orElse("");
        return p.replaceAll("/+$", "");
    }

    void install(@Observes Router router) {
        if (!prefix.isEmpty()) {
            router.route().order(Integer.MIN_VALUE).handler(this::strip);
        }
    }

    private void strip(RoutingContext ctx) {
        if (ctx.get(STRIPPED) != null) {
            ctx.next();
            return;
        }
        String path = ctx.request().path();
        if (path.equals(prefix)) {
            // the page's links are relative: they need the trailing slash
            ctx.response().setStatusCode(301).putHeader("Location", prefix + "/").end();
            return;
        }
        if (!path.startsWith(prefix + "/")) {
            ctx.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
                    .end("not found: every route is under " + prefix + "/ (--web.route-prefix)\n");
            return;
        }
        ctx.put(STRIPPED, Boolean.TRUE);
        String query = ctx.request().query();
        String rest = path.substring(prefix.length());
        ctx.reroute(query == null ? rest : rest + "?" + query);
    }
}
