package io.apptheus.cli;

import java.util.List;

import io.apptheus.config.TrustList;

/** The agent's flags: Apptheus's own (same names, same defaults) plus ours. */
final class Flags {

    static final List<Flag> ALL = List.of(
            Flag.simple("socket.path", "apptheus.socket.path", "PATH", "/run/apptheus/gateway.sock",
                    "Unix socket the Apptainer starters connect to", Flags::absolutePath),
            Flag.simple("trust.path", "apptheus.trust.path", "PATHS", "",
                    "';'-separated absolute paths of trusted starter executables (empty: trust nobody)",
                    Flags::trustList),
            Flag.simple("monitor.interval", "apptheus.monitor.interval", "DURATION", "0.5s",
                    "how often every container's cgroup is sampled", Flags::positiveDuration),
            // Apptheus's own spelling of the same flag.
            Flag.simple("monitor.inverval", "apptheus.monitor.interval", "DURATION", "0.5s",
                    "alias of --monitor.interval (Apptheus's spelling)", Flags::positiveDuration),
            Flag.repeatable("web.listen-address", "[HOST]:PORT", ":9091",
                    "address of the HTTP server (/metrics, health)",
                    ListenAddress::toProperties),
            Flag.simple("web.config.file", "apptheus.web.config-file", "PATH", "",
                    "exporter-toolkit web config (YAML) for TLS and basic auth (empty: plain HTTP, no auth)",
                    v -> v),
            Flag.simple("web.max-requests", "apptheus.web.max-requests", "N", "8",
                    "scrapes, status API and page answers made at once; one more is answered 503 at once",
                    Flags::positiveInt),
            Flag.simple("web.write-timeout", "apptheus.web.write-timeout", "DURATION", "10s",
                    "an answer whose client took none of it for this long is dropped, its connection closed",
                    Flags::positiveDuration),
            Flag.simple("web.max-connections", "apptheus.web.max-connections", "N", "512",
                    "HTTP connections open at once, all clients; past it a connection is closed at accept (counted)",
                    Flags::positiveInt),
            Flag.simple("web.max-connections-per-address", "apptheus.web.max-connections-per-address", "N", "64",
                    "HTTP connections open at once from one client address (IPv6: its /64)", Flags::positiveInt),
            Flag.simple("web.read-header-timeout", "apptheus.web.read-header-timeout", "DURATION", "10s",
                    "time a client has to send a complete request head (TLS handshake included)",
                    Flags::positiveDuration),
            Flag.simple("web.idle-timeout", "apptheus.web.idle-timeout", "DURATION", "60s",
                    "an HTTP connection with no read and no write progress for this long is closed",
                    Flags::positiveDuration),
            Flag.simple("web.telemetry-path", "apptheus.web.telemetry-path", "PATH", "/metrics",
                    "path under which the metrics are exposed", Flags::telemetryPath),
            Flag.simple("web.route-prefix", "apptheus.web.route-prefix", "PATH", "",
                    "prefix of every HTTP route (/metrics, /, /api, /q/health ...); default: the path of"
                            + " --web.external-url", Flags::routePrefix),
            Flag.simple("web.external-url", "apptheus.web.external-url", "URL", "",
                    "the URL under which the agent is reachable from outside (behind a proxy)", Flags::externalUrl),
            Flag.bool("web.systemd-socket", "apptheus.web.systemd-socket", "false",
                    "serve HTTP on the sockets systemd passes (socket activation) instead of --web.listen-address"),
            Flag.simple("cgroup.parent", "apptheus.cgroup.parent", "PATH", "/metric_gateway",
                    "parent of the containers' cgroups: relative = under the agent's own cgroup,"
                            + " absolute = under each hierarchy's root", Flags::cgroupParent),
            Flag.simple("cgroup.placement", "apptheus.cgroup.placement", "auto|nested|root", "auto",
                    "root: <parent>/<exe>_<pid>; nested: inside the caller's own cgroup, within its job's limits"
                            + " (in a Slurm job: Slurm's task cgroup); auto: nested in a Slurm job, root otherwise",
                    v -> oneOf(v, "auto", "nested", "root")),
            Flag.simple("metrics.retain-exited", "apptheus.metrics.retain-exited", "DURATION", "60s",
                    "how long a finished container's final values stay on /metrics",
                    Flags::nonNegativeDuration),
            Flag.simple("metrics.compat", "apptheus.metrics.compat", "none|apptheus", "none",
                    "apptheus: also publish the original Apptheus's metric names (cpu_usage_per, memory_usage, ...)",
                    v -> oneOf(v, "none", "apptheus")),
            Flag.bool("label.user", "apptheus.label.user", "true",
                    "label every container series with user, the name of the starter's uid"),
            Flag.bool("label.instance", "apptheus.label.instance", "true",
                    "label with apptainer_instance, the instance name from the starter's process title"),
            Flag.bool("label.slurm", "apptheus.label.slurm", "false",
                    "label with slurm_job_id, from the starter's environment"),
            Flag.simple("label.max-value-bytes", "apptheus.label.max-value-bytes", "BYTES", "128",
                    "longest instance name, title user or Slurm job id kept (a user sets them): the labels, the API,"
                            + " the status page and ps show the same cut", Flags::positiveInt),
            Flag.simple("proc.max-read-bytes", "apptheus.proc.max-read-bytes", "BYTES", "4096",
                    "bytes read of a starter's process title and kept of a caller's executable path",
                    Flags::positiveInt),
            Flag.simple("proc.max-environ-bytes", "apptheus.proc.max-environ-bytes", "BYTES", "131072",
                    "bytes of a starter's environment searched for SLURM_JOB_ID (--label.slurm)", Flags::positiveInt),
            Flag.simple("monitor.slow-interval", "apptheus.monitor.slow-interval", "DURATION", "30s",
                    "limits and settings, and the files read while a container is active, are read at least"
                            + " this often (whole sweeps)", Flags::positiveDuration),
            Flag.simple("monitor.sweep-threads", "apptheus.monitor.sweep-threads", "N", "1",
                    "threads that share each sweep's containers (1: the scheduler's thread reads them all)", Flags::positiveInt),
            Flag.simple("monitor.max-containers", "apptheus.monitor.max-containers", "N", "10000",
                    "containers monitored at once; past it a caller is refused (counted)", Flags::positiveInt),
            Flag.simple("socket.max-pending", "apptheus.socket.max-pending", "N", "32",
                    "registrations verified at once; more callers wait for their turn, each uid in turn",
                    Flags::positiveInt),
            Flag.simple("socket.max-waiting", "apptheus.socket.max-waiting", "N", "10240",
                    "connections waiting to be verified, all users; past it a caller is refused (counted)",
                    Flags::positiveInt),
            Flag.simple("socket.max-waiting-per-uid", "apptheus.socket.max-waiting-per-uid", "N", "8192",
                    "the same for one uid; past it that uid's callers are refused at accept (counted)",
                    Flags::positiveInt),
            Flag.simple("socket.untrusted-backoff", "apptheus.socket.untrusted-backoff", "DURATION", "100ms",
                    "after an untrusted caller, the next caller of the same uid waits this long for its turn",
                    Flags::nonNegativeDuration),
            Flag.simple("log.format", "quarkus.log.console.json.enabled", "logfmt|json", "logfmt",
                    "json: one JSON object per line, for log shippers", v -> String.valueOf(oneOf(v, "logfmt", "json").equals("json"))),
            Flag.simple("log.level", "quarkus.log.level", "LEVEL", "info",
                    "one of debug, info, warn, error", Flags::logLevel));

    private Flags() {
    }

    static Flag find(String name) {
        for (Flag f : ALL) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    static String absolutePath(String v) {
        if (!v.startsWith("/")) {
            throw new IllegalArgumentException("must be an absolute path");
        }
        return v;
    }

    static String trustList(String v) {
        for (String entry : TrustList.split(v)) {
            if (!entry.startsWith("/")) {
                throw new IllegalArgumentException("\"" + entry + "\" is not an absolute path");
            }
        }
        return v;
    }

    static String positiveDuration(String v) {
        java.time.Duration d = GoDuration.parse(v);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("must be greater than zero");
        }
        return GoDuration.toConfig(d);
    }

    static String nonNegativeDuration(String v) {
        java.time.Duration d = GoDuration.parse(v);
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return GoDuration.toConfig(d);
    }

    static String telemetryPath(String v) {
        if (!v.startsWith("/") || v.length() < 2 || v.startsWith("/q/") || v.contains(" ")) {
            throw new IllegalArgumentException("must be a path like /metrics, outside /q/");
        }
        return v;
    }

    static String cgroupParent(String v) {
        String trimmed = v.replaceAll("/+$", "");
        if (trimmed.isEmpty() || trimmed.contains("..") || trimmed.contains("//")) {
            throw new IllegalArgumentException("must be a cgroup path such as metric_gateway or /metric_gateway");
        }
        return trimmed;
    }

    /** "" and "/" mean no prefix; otherwise /a/b, without a trailing slash. */
    static String routePrefix(String v) {
        String trimmed = v.replaceAll("/+$", "");
        if (trimmed.isEmpty()) {
            return "/";
        }
        if (!trimmed.startsWith("/") || trimmed.contains("//") || trimmed.contains("..") || trimmed.contains("?")
                || trimmed.contains("#") || !trimmed.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("must be a path such as /apptheus");
        }
        return trimmed;
    }

    /** An absolute http(s) URL; its path is the default route prefix. */
    static String externalUrl(String v) {
        if (v.isEmpty()) {
            return v;
        }
        try {
            java.net.URI uri = new java.net.URI(v);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("must be an absolute http:// or https:// URL");
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            routePrefix(path);
            return v;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("must be an absolute http:// or https:// URL");
        }
    }

    static String bool(String v) {
        return oneOf(v, "true", "false");
    }

    static String oneOf(String v, String... allowed) {
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
    }

    static String positiveInt(String v) {
        try {
            if (Integer.parseInt(v) > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("must be a whole number greater than zero");
    }

    static String logLevel(String v) {
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "debug" -> "DEBUG";
            case "info" -> "INFO";
            case "warn", "warning" -> "WARN";
            case "error" -> "ERROR";
            default -> throw new IllegalArgumentException("must be one of debug, info, warn, error");
        };
    }
}
