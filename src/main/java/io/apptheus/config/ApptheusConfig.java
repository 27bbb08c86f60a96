package io.apptheus.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The agent's settings. Flags ({@code --socket.path}) are mapped onto these properties by the
 * command line; application.properties and APPTHEUS_* environment variables set them too.
 */
@ConfigMapping(prefix = "apptheus")
public interface ApptheusConfig {

    Socket socket();

    Trust trust();

    Monitor monitor();

    Cgroup cgroup();

    Metrics metrics();

    Web web();

    interface Socket {
        @WithDefault("/run/apptheus/gateway.sock")
        String path();
    }

    interface Trust {
        /** ';'-separated absolute paths of trusted executables; empty trusts nobody. */
        Optional<String> path();
    }

    interface Monitor {
        /** Sampling interval of the sweep. */
        @WithDefault("0.5s")
        Duration interval();
    }

    interface Cgroup {
        /** Relative: under the agent's own cgroup; absolute: under each hierarchy root. */
        @WithDefault("metric_gateway")
        String parent();
    }

    interface Metrics {
        /** How long a finished container's final values stay visible. */
        @WithName("retain-exited")
        @WithDefault("60s")
        Duration retainExited();
    }

    interface Web {
        @WithName("telemetry-path")
        @WithDefault("/metrics")
        String telemetryPath();

        /** Every {@code --web.listen-address} as host:port; Quarkus serves the first (quarkus.http.host/port). */
        @WithName("listen-address")
        Optional<List<String>> listenAddress();

        /** The exporter-toolkit web config (TLS, basic auth); absent or empty: plain HTTP, no authentication. */
        @WithName("config-file")
        Optional<String> configFile();
    }
}
