package io.apptheus.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports for the servers the tests start (agents, Prometheus, VictoriaMetrics). A port is
 * picked, checked and released before its server binds it; if it were an ephemeral port (the
 * kernel's ip_local_port_range), any outgoing connection on the machine could take it meanwhile,
 * and tests that open thousands of connections, or another test run beside this one, make that
 * likely ("Address already in use"). So ports are drawn below the ephemeral range, where the
 * kernel never hands out source ports.
 */
public final class Ports {

    private static final int LOWEST = 10_000;

    private Ports() {
    }

    /** A port that is free on {@code host} now, below the ephemeral range. */
    public static int free(String host) {
        int below = ephemeralStart();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 500 && below > LOWEST + 1000; attempt++) {
            int port = random.nextInt(LOWEST, below);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new java.net.InetSocketAddress(InetAddress.getByName(host), port), 1);
                return port;
            } catch (IOException e) {
                // taken: draw again
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("cannot find a free port on " + host, e);
        }
    }

    public static int free() {
        return free("127.0.0.1");
    }

    /** The first port of ip_local_port_range (32768 on Linux by default). */
    private static int ephemeralStart() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim()
                    .split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
