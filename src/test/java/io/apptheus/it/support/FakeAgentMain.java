package io.apptheus.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in agent for {@link AgentProcessTest}: takes the agent's flags, listens on the socket,
 * counts and holds connections, and serves /q/health/ready and /metrics. {@code --fail} makes it
 * exit 3 at once.
 */
public final class FakeAgentMain {
    private FakeAgentMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            flags.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "" : a.substring(eq + 1));
        }
        System.out.println("fake agent: flags " + flags);
        if (flags.containsKey("--fail")) {
            System.err.println("fake agent: failing at start");
            System.exit(3);
        }
        AtomicInteger total = new AtomicInteger();
        AtomicInteger open = new AtomicInteger();
        Path sock = Path.of(flags.get(AgentProcess.FLAG_SOCKET_PATH));
        Files.deleteIfExists(sock);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(sock));
        Thread acceptor = new Thread(() -> accept(server, total, open), "accept");
        acceptor.setDaemon(true);
        acceptor.start();

        String listen = flags.get(AgentProcess.FLAG_LISTEN_ADDRESS);
        int colon = listen.lastIndexOf(':');
        HttpServer http = HttpServer.create(
                new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))), 0);
        http.createContext("/q/health/ready", ex -> answer(ex, "{\"status\":\"UP\"}"));
        http.createContext("/metrics", ex -> answer(ex, "# TYPE fake_connections_total counter\n"
                + "fake_connections_total " + total.get() + "\n"
                + "fake_open_connections{socket=\"" + sock + "\"} " + open.get() + "\n"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("fake agent: stopping");
            try {
                Files.deleteIfExists(sock);
            } catch (IOException e) {
                // best effort
            }
        }));
        http.start();
        System.out.println("fake agent: ready");
    }

    private static void accept(ServerSocketChannel server, AtomicInteger total, AtomicInteger open) {
        for (;;) {
            try {
                SocketChannel c = server.accept();
                total.incrementAndGet();
                open.incrementAndGet();
                Thread t = new Thread(() -> hold(c, open), "hold");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void hold(SocketChannel c, AtomicInteger open) {
        try (c) {
            ByteBuffer b = ByteBuffer.allocate(64);
            while (c.read(b) >= 0) {
                b.clear();
            }
        } catch (IOException e) {
            // peer gone
        } finally {
            open.decrementAndGet();
        }
    }

    private static void answer(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(bytes);
        }
    }
}
