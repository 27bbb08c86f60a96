package io.apptheus.web;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP connections open at once: in all, and per client address, counted at TCP accept,
 * before any TLS handshake or request byte. The total keeps the HTTP side's file descriptors and
 * buffers bounded whatever clients do, so that the core (the socket, the registrations, the
 * containers' cgroup files) keeps its own; the per-address bound keeps one client from taking the
 * whole total, so that a scrape from another address still gets in. An IPv6 client is counted by
 * its /64, the block one host usually gets; an IPv4 client, or one mapped into IPv6, by its
 * address. Thread-safe: every listener's event loop calls it.
 */
final class ConnectionLimits {

    /** What refused a connection: the label of apptheus_http_connections_refused_total. */
    enum Refusal {
        TOTAL("total"), ADDRESS("address");

        final String label;

        Refusal(String label) {
            this.label = label;
        }
    }

    /** A client's share: its IPv4 address, or the first 8 bytes of its IPv6 one. */
    record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            try {
                return bytes.length == 4 ? InetAddress.getByAddress(bytes).getHostAddress()
                        : InetAddress.getByAddress(Arrays.copyOf(bytes, 16)).getHostAddress() + "/64";
            } catch (java.net.UnknownHostException e) {
                return Arrays.toString(bytes);
            }
        }
    }

    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    /** Connections open per client; an address's entry goes with its last connection. */
    private final Map<Key, Integer> perAddress = new ConcurrentHashMap<>();

    ConnectionLimits(int maxTotal, int maxPerAddress) {
        if (maxTotal < 1 || maxPerAddress < 1) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    static Key key(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            boolean mapped = true; // ::ffff:a.b.c.d
            for (int i = 0; i < 10 && mapped; i++) {
                mapped = b[i] == 0;
            }
            if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
                return new Key(Arrays.copyOfRange(b, 12, 16));
            }
            return new Key(Arrays.copyOf(b, 8));
        }
        if (address instanceof Inet4Address) {
            return new Key(b);
        }
        throw new IllegalArgumentException("not an IP address: " + address);
    }

    /** Takes a place for a new connection of {@code key}, or says which bound refuses it. */
    Refusal acquire(Key key) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Refusal.TOTAL;
        }
        boolean[] full = {false};
        perAddress.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            full[0] = now >= maxPerAddress;
            return full[0] ? n : Integer.valueOf(now + 1);
        });
        if (full[0]) {
            total.decrementAndGet();
            return Refusal.ADDRESS;
        }
        return null;
    }

    /** The connection that {@link #acquire} let in closed. */
    void release(Key key) {
        perAddress.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        total.decrementAndGet();
    }

    int open() {
        return total.get();
    }

    int open(Key key) {
        return perAddress.getOrDefault(key, 0);
    }

    int maxTotal() {
        return maxTotal;
    }

    int maxPerAddress() {
        return maxPerAddress;
    }
}
