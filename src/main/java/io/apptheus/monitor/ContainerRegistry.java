package io.apptheus.monitor;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import io.apptheus.metrics.SelfMetrics;

/** The containers monitored now: the agent's one piece of shared mutable state. */
@Singleton
public class ContainerRegistry {

    private final Map<String, MonitoredContainer> byName = new ConcurrentHashMap<>();
    private final Map<Long, MonitoredContainer> byConnection = new ConcurrentHashMap<>();

    ContainerRegistry(SelfMetrics self) {
        self.containers(byName::size);
    }

    void add(MonitoredContainer c) {
        byName.put(c.name(), c);
        byConnection.put(c.connectionId(), c);
    }

    void remove(MonitoredContainer c) {
        byName.remove(c.name(), c);
        byConnection.remove(c.connectionId(), c);
    }

    public Collection<MonitoredContainer> all() {
        return byName.values();
    }

    public Optional<MonitoredContainer> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    Optional<MonitoredContainer> byConnection(long connectionId) {
        return Optional.ofNullable(byConnection.get(connectionId));
    }

    public int size() {
        return byName.size();
    }
}
