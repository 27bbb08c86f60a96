package io.apptheus.web;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.apptheus.gateway.GuardedHttpServer;
import io.apptheus.metrics.SelfMetrics;

/**
 * What every HTTP listener enforces on its connections, whatever the clients do: the connection
 * bounds ({@link ConnectionLimits}), the time a client has to send a complete request head (from
 * its connection, or from the first byte of its next request: a slow or stalled request, the
 * TLS handshake included) and the time a connection may stay silent both ways. Each refusal and
 * each timeout is counted in /metrics; the log sums them up at most once per period, since an
 * attack makes thousands a second. Thread-safe. The Netty side of it (the accept gate, the clocks)
 * is io.apptheus.gateway.GuardedHttpServer.
 */
final class HttpGuard implements GuardedHttpServer.Guard<ConnectionLimits.Key> {

    private static final Logger LOG = Logger.getLogger(HttpGuard.class);
    private static final long LOG_PERIOD_NANOS = Duration.ofSeconds(10).toNanos();

    private final ConnectionLimits limits;
    private final Duration readHeaderTimeout;
    private final Duration idleTimeout;
    private final SelfMetrics self;
    private final AtomicLong refusedTotal = new AtomicLong();
    private final AtomicLong refusedAddress = new AtomicLong();
    private final AtomicLong headerTimeouts = new AtomicLong();
    private final AtomicLong idleTimeouts = new AtomicLong();
    private final AtomicReference<String> lastClient = new AtomicReference<>("");
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_PERIOD_NANOS);

    HttpGuard(ConnectionLimits limits, Duration readHeaderTimeout, Duration idleTimeout, SelfMetrics self) {
        this.limits = limits;
        this.readHeaderTimeout = readHeaderTimeout;
        this.idleTimeout = idleTimeout;
        this.self = self;
        self.httpConnectionsOpen(limits::open);
    }

    @Override
    public Duration readHeaderTimeout() {
        return readHeaderTimeout;
    }

    @Override
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** A place for a new connection from {@code client}, or null if a bound refuses it (counted). */
    @Override
    public ConnectionLimits.Key admit(InetAddress client) {
        ConnectionLimits.Key key = ConnectionLimits.key(client);
        ConnectionLimits.Refusal r = limits.acquire(key);
        if (r == null) {
            return key;
        }
        self.httpConnectionRefused(r.label);
        (r == ConnectionLimits.Refusal.TOTAL ? refusedTotal : refusedAddress).incrementAndGet();
        noteClient(key);
        return null;
    }

    @Override
    public void closed(ConnectionLimits.Key key) {
        limits.release(key);
    }

    @Override
    public void headerTimedOut(ConnectionLimits.Key key) {
        self.httpConnectionTimedOut("header");
        headerTimeouts.incrementAndGet();
        noteClient(key);
    }

    @Override
    public void idleTimedOut(ConnectionLimits.Key key) {
        self.httpConnectionTimedOut("idle");
        idleTimeouts.incrementAndGet();
        noteClient(key);
    }

    private void noteClient(ConnectionLimits.Key key) {
        lastClient.set(key.toString());
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last < LOG_PERIOD_NANOS || !lastLog.compareAndSet(last, now)) {
            return;
        }
        long total = refusedTotal.getAndSet(0);
        long address = refusedAddress.getAndSet(0);
        long header = headerTimeouts.getAndSet(0);
        long idle = idleTimeouts.getAndSet(0);
        LOG.warnf("HTTP connections closed since the last such line: %d refused at --web.max-connections (%d),"
                + " %d at --web.max-connections-per-address (%d), %d without a complete request head within"
                + " --web.read-header-timeout (%s), %d idle for --web.idle-timeout (%s); the last from %s",
                total, limits.maxTotal(), address, limits.maxPerAddress(), header, seconds(readHeaderTimeout), idle,
                seconds(idleTimeout), lastClient.get());
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
