package io.apptheus.health;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.apptheus.gateway.GatewayServer;

/** Live while the socket server listens and its socket file is in place. */
@Liveness
@Singleton
public class GatewayLiveness implements HealthCheck {

    private final GatewayServer gateway;

    GatewayLiveness(GatewayServer gateway) {
        this.gateway = gateway;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("gateway socket")
                .status(gateway.isAccepting())
                .withData("path", gateway.socketPath().toString())
                .build();
    }
}
