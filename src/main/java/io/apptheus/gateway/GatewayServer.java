package io.apptheus.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.config.ApptheusConfig;
import io.apptheus.metrics.SelfMetrics;
import io.apptheus.proc.ProcReader;
import io.apptheus.registration.contract.Addresses;
import io.apptheus.registration.contract.Peer;
import io.apptheus.registration.contract.Result;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;

/**
 * The Unix-socket server the starters dial. It reads each caller's credentials, lets it wait for
 * its turn ({@link Admission}: per-uid queues served in turn, bounded), hands it to the event bus
 * and closes the connection when told to; it holds no trust policy. Apptainer sends nothing, so
 * bytes a client sends are discarded, and past a small bound the connection stops being read.
 *
 * <p>Everything here but {@link #close} runs on the server's one event loop: the connect and
 * close handlers, the replies of the registrar and the timers.
 */
@Singleton
public class GatewayServer {

    private static final Logger LOG = Logger.getLogger(GatewayServer.class);
    private static final int MAX_DISCARDED_BYTES = 4096;
    private static final long REPLY_TIMEOUT_MS = 30_000;
    private static final long REFUSAL_LOG_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Vertx vertx;
    private final Path socketPath;
    private final SelfMetrics self;
    private final ProcReader proc;
    private final Admission<Waiting> admission;
    private final RefusalLog refusals = new RefusalLog(LOG, REFUSAL_LOG_PERIOD_NANOS);
    private final Map<Long, NetSocket> open = new ConcurrentHashMap<>();
    private final AtomicInteger waitingGauge = new AtomicInteger();
    /** uid → connections waiting: the event loop's counts, for the acceptor's gate to read. */
    private final Map<Long, Integer> waitingByUid = new ConcurrentHashMap<>();
    private final int maxWaiting;
    private final int maxWaitingPerUid;
    private final java.util.concurrent.atomic.AtomicBoolean gated = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong ids = new AtomicLong();
    private long wakeup = -1;
    private volatile NetServer server;
    /**
     * Set at shutdown, before the server and its connections close: their close events are then
     * not published, since the consumers' beans are being destroyed (and the containers stay in
     * their cgroups for the next start to adopt anyway).
     */
    private volatile boolean stopping;
    private volatile MessageConsumer<Long> closeRequests;

    /** A connection admitted to wait for its turn, and its place in the queue. */
    private static final class Waiting {
        final long id;
        final NetSocket socket;
        final Peer peer;
        Admission.Ticket<Waiting> ticket;
        boolean closed;

        Waiting(long id, NetSocket socket, Peer peer) {
            this.id = id;
            this.socket = socket;
            this.peer = peer;
        }
    }

    GatewayServer(Vertx vertx, ApptheusConfig config, SelfMetrics self, ProcReader proc) {
        this.vertx = vertx;
        this.socketPath = Path.of(config.socket().path());
        this.self = self;
        this.proc = proc;
        ApptheusConfig.Socket s = config.socket();
        this.maxWaiting = s.maxWaiting();
        this.maxWaitingPerUid = s.maxWaitingPerUid();
        this.admission = new Admission<>(maxWaiting, maxWaitingPerUid, s.maxPending(), s.untrustedBackoff().toNanos());
        self.connectionsOpen(open::size);
        self.connectionsWaiting(waitingGauge::get);
    }

    // after the monitor (priority 10) has adopted what an earlier run left and the parent is ready
    void start(@Observes @Priority(20) StartupEvent event) throws Exception {
        if (!vertx.isNativeTransportEnabled()) {
            throw new IOException("the native epoll transport is not available, so no Unix socket can be served: "
                    + vertx.unavailableNativeTransportCause());
        }
        // a plain Vert.x consumer, not @ConsumeEvent: a message still queued when the agent stops
        // must not be handed to Quarkus's invoker after the CDI container is gone
        closeRequests = vertx.eventBus().<Long>localConsumer(Addresses.CLOSE_CONNECTION, m -> close(m.body()));
        SocketFile.prepare(socketPath);
        // the listen backlog is the kernel's: Netty asks for net.core.somaxconn, its upper bound
        NetServer s = vertx.createNetServer(new NetServerOptions()).connectHandler(this::onConnect);
        s.listen(SocketAddress.domainSocketAddress(socketPath.toString()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        SocketFile.makeWorldWritable(socketPath);
        vertx.setPeriodic(REFUSAL_LOG_PERIOD_NANOS / 1_000_000, t -> refusals.flush(System.nanoTime()));
        server = s;
        LOG.infof("listening on %s", socketPath);
    }

    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        MessageConsumer<Long> c = closeRequests;
        if (c != null) {
            c.unregister();
        }
        NetServer s = server;
        server = null;
        if (s != null) {
            try {
                s.close().toCompletionStage().toCompletableFuture().get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("closing %s: %s", socketPath, e);
            }
        }
        try {
            if (SocketFile.isSocket(socketPath)) {
                Files.delete(socketPath);
            }
        } catch (IOException e) {
            LOG.warnf("cannot remove %s: %s", socketPath, e);
        }
    }

    /** Listening, and the socket file still there: new starters can reach the agent. */
    public boolean isAccepting() {
        return server != null && SocketFile.isSocket(socketPath);
    }

    public Path socketPath() {
        return socketPath;
    }

    /** Closes a starter's connection: the monitor asks when the container ended. */
    void close(Long connectionId) {
        NetSocket socket = open.get(connectionId);
        if (socket != null) {
            socket.close();
        }
    }

    private void onConnect(NetSocket socket) {
        if (gated.compareAndSet(false, true)) {
            AcceptGate.install(socket, this::admitAtAccept); // the first connection is the first chance to reach it
        }
        long id = ids.incrementAndGet();
        Optional<PeerCredentials.Credentials> creds;
        try {
            creds = PeerCredentials.of(socket);
        } catch (IOException | RuntimeException e) {
            creds = Optional.empty();
            LOG.warnf("connection %d: cannot read SO_PEERCRED: %s", id, e);
        }
        if (creds.isEmpty()) {
            self.registration(Result.ERROR);
            socket.close();
            return;
        }
        PeerCredentials.Credentials c = creds.get();
        long now = System.nanoTime();
        Admission.Verdict verdict = admission.check(c.uid());
        if (verdict != Admission.Verdict.ADMITTED) {
            refuse(socket, c, verdict, now);
            return;
        }
        Peer peer = new Peer(id, c.pid(), c.uid(), c.gid(), startTime(socket, c));
        Waiting w = new Waiting(id, socket, peer);
        open.put(id, socket);
        int[] discarded = {0};
        socket.handler(bytes -> discard(socket, bytes, discarded));
        socket.exceptionHandler(e -> LOG.debugf("connection %d: %s", id, e));
        socket.closeHandler(v -> onClose(w));
        w.ticket = admission.enqueue(c.uid(), w, now);
        counted(c.uid());
        pump();
    }

    /** On the acceptor thread: the event loop's counts, a moment old at most. */
    private boolean admitAtAccept(long pid, long uid) {
        Admission.Verdict v = waitingByUid.getOrDefault(uid, 0) >= maxWaitingPerUid ? Admission.Verdict.REFUSED_UID
                : waitingGauge.get() >= maxWaiting ? Admission.Verdict.REFUSED_TOTAL : Admission.Verdict.ADMITTED;
        if (v == Admission.Verdict.ADMITTED) {
            return true;
        }
        counted(v, pid, uid, System.nanoTime());
        return false;
    }

    /** Publishes the event loop's counts of {@code uid} and of all. */
    private void counted(long uid) {
        int n = admission.waiting(uid);
        if (n == 0) {
            waitingByUid.remove(uid);
        } else {
            waitingByUid.put(uid, n);
        }
        waitingGauge.set(admission.waiting());
    }

    /** Refused before any /proc read: the flood is contained for the price of an accept and a close. */
    private void refuse(NetSocket socket, PeerCredentials.Credentials c, Admission.Verdict verdict, long now) {
        counted(verdict, c.pid(), c.uid(), now);
        socket.close();
    }

    /** Counts and logs a refusal; from the event loop or the acceptor thread. */
    private void counted(Admission.Verdict verdict, long pid, long uid, long now) {
        boolean perUid = verdict == Admission.Verdict.REFUSED_UID;
        self.registration(perUid ? Result.REFUSED_UID_LIMIT : Result.REFUSED_LIMIT);
        refusals.refused(pid, uid, perUid
                ? "its uid has " + maxWaitingPerUid + " connections waiting already (--socket.max-waiting-per-uid)"
                : maxWaiting + " connections are waiting already (--socket.max-waiting)", now);
    }

    private void onClose(Waiting w) {
        w.closed = true;
        open.remove(w.id);
        if (admission.cancel(w.ticket, System.nanoTime())) { // no-op once its turn came
            // hung up before its turn: a caller gone before it could be verified, counted as such
            // so that every connection the agent accepted has exactly one outcome
            self.registration(Result.GONE);
        }
        counted(w.peer.uid());
        if (!stopping) {
            vertx.eventBus().publish(Addresses.CONNECTION_CLOSED, w.id);
        }
    }

    /** Hands connections to the registrar while places are free, taking the uids in turn. */
    private void pump() {
        long now = System.nanoTime();
        Waiting w;
        while ((w = admission.next(now)) != null) {
            if (w.closed) { // hung up before its turn came, after cancel() could take it out
                admission.done(w.peer.uid(), false, now);
                self.registration(Result.GONE);
                counted(w.peer.uid());
                continue;
            }
            register(w);
        }
        long delay = admission.nanosUntilReady(now);
        if (delay >= 0 && wakeup < 0) {
            // a uid backs off and nothing else is ready: come back when it may go on
            wakeup = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delay)), t -> {
                wakeup = -1;
                pump();
            });
        }
    }

    private void register(Waiting w) {
        Peer p = w.peer;
        vertx.eventBus().<Result>request(Addresses.REGISTRATION, p, new DeliveryOptions().setSendTimeout(REPLY_TIMEOUT_MS))
                .onComplete(reply -> {
                    Result r = reply.succeeded() ? reply.result().body() : null;
                    admission.done(p.uid(), r == Result.UNTRUSTED, System.nanoTime());
                    counted(p.uid());
                    if (reply.failed()) {
                        LOG.warnf("pid %d uid %d: registration failed: %s", p.pid(), p.uid(), reply.cause());
                        w.socket.close();
                    } else if (r != Result.ACCEPTED) {
                        w.socket.close();
                    }
                    pump();
                });
    }

    /**
     * The caller's start time, read with the credentials, so that a PID reused before verification
     * is caught. With a pidfd of the caller, the read is known to be the caller's if the pidfd
     * still names the same PID after it (a process that lives after the read lived during it); a
     * caller gone before this accept is told apart, and its PID, if it names a process again, is
     * {@link Peer#REUSED_START}. Without one (Linux before 6.5) a caller that exited and whose PID
     * was taken between its connect and this accept cannot be told from the newcomer.
     */
    private long startTime(NetSocket socket, PeerCredentials.Credentials c) {
        long start;
        try {
            start = proc.stat(c.pid()).startTime();
        } catch (IOException | RuntimeException e) {
            start = Peer.UNKNOWN_START;
        }
        int pidfd = PeerCredentials.pidFd(socket);
        if (pidfd < 0) {
            return start;
        }
        try {
            long now = proc.pidOfPidFd(pidfd);
            if (now == c.pid() || start == Peer.UNKNOWN_START) {
                return start;
            }
            LOG.debugf("pid %d exited before its connection was accepted; the PID names another process now", c.pid());
            return Peer.REUSED_START;
        } catch (IOException | RuntimeException e) {
            return start;
        } finally {
            PeerCredentials.closePidFd(pidfd);
        }
    }

    private static void discard(NetSocket socket, Buffer bytes, int[] discarded) {
        discarded[0] += bytes.length();
        if (discarded[0] > MAX_DISCARDED_BYTES) {
            // a starter never writes: stop reading; the kernel's buffer bounds the cost to the sender
            socket.pause();
        }
    }
}
