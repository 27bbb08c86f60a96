package io.apptheus.cli;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import sun.misc.Signal;

/**
 * SIGTERM is how systemd and Kubernetes stop the agent: a normal, successful stop. Without this
 * handler the JVM exits with 128+15; with it the agent shuts down gracefully (socket removed,
 * containers' cgroups kept for the next start) and exits 0.
 */
@Singleton
class TermSignal {

    private static final Logger LOG = Logger.getLogger(TermSignal.class);

    void install(@Observes StartupEvent event) {
        try {
            Signal.handle(new Signal("TERM"), s -> {
                LOG.info("SIGTERM: stopping");
                Quarkus.asyncExit(0);
            });
        } catch (IllegalArgumentException e) {
            LOG.warnf("cannot handle SIGTERM: %s", e.getMessage());
        }
    }
}
