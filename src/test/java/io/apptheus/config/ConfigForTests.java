package io.apptheus.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The agent's configuration mapping built outside Quarkus, for unit tests. */
public final class ConfigForTests {

    private ConfigForTests() {
    }

    /**
     * @param values properties on top of the mapping's defaults; durations may be written as the agent
     *            reads them ("10s", "0.5s") because Quarkus's converter is registered, as in the agent
     */
    public static ApptheusConfig mapping(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(Map.of("apptheus.socket.path", "/run/apptheus/gateway.sock",
                "apptheus.monitor.interval", "0.5s", "apptheus.cgroup.parent", "/mg",
                "apptheus.metrics.retain-exited", "1m", "apptheus.web.telemetry-path", "/metrics"));
        all.putAll(values);
        return new SmallRyeConfigBuilder().withMapping(ApptheusConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(all)
                .build().getConfigMapping(ApptheusConfig.class);
    }
}
