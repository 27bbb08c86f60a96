package io.apptheus.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.AttributeKey;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.SslChannelProvider;

/**
 * A Vert.x HTTP server whose connections are admitted by a {@link Guard} (web's HttpGuard) at TCP
 * accept, before Vert.x sees them: Vert.x's own connection handler runs only once a TLS handshake
 * is done (and, with cleartext HTTP/2 allowed, once the first bytes came), too late to bound what
 * half-open and silent clients hold. Here, in the gateway, because it touches Netty and Vert.x
 * internals (HttpServerImpl's child handler, ConnectionBase's channel); the policy is web's.
 *
 * <p>Where: a connection is admitted on the acceptor thread, by a handler put in front of Netty's
 * ServerBootstrapAcceptor (the listening channel is the parent of the first connection, which is
 * admitted on its event loop). A refused connection is closed there and then, never registered
 * with an event loop: under a flood the acceptor accepts faster than an event loop closes, and
 * accepted connections waiting for their event loop would each hold a file descriptor.
 * The acceptor thread serves every listening socket in turn: see io.apptheus.gateway.EpollTransportProvider.
 */
public final class GuardedHttpServer<K> extends HttpServerImpl {

    /** What a listener enforces on its connections; {@code K} names a client's share of the bounds. */
    public interface Guard<K> {
        /** A place for a new connection from {@code client}; null (counted by the guard) when a bound refuses it. */
        K admit(InetAddress client);

        /** A connection {@link #admit} let in closed. */
        void closed(K key);

        /** Closed: no complete request head within {@link #readHeaderTimeout}. */
        void headerTimedOut(K key);

        /** Closed: no read and no write progress for {@link #idleTimeout}. */
        void idleTimedOut(K key);

        Duration readHeaderTimeout();

        Duration idleTimeout();
    }

    private static final AttributeKey<Deadlines<?>> DEADLINES = AttributeKey.valueOf("apptheus.http.deadlines");
    private static final AttributeKey<Object> ADMITTED = AttributeKey.valueOf("apptheus.http.admitted");

    private final Guard<K> guard;
    private final java.util.concurrent.atomic.AtomicBoolean gated = new java.util.concurrent.atomic.AtomicBoolean();

    public GuardedHttpServer(Vertx vertx, HttpServerOptions options, Guard<K> guard) {
        super((VertxInternal) vertx, options);
        this.guard = guard;
    }

    /**
     * {@code root}, told first that a request head is complete: Vert.x calls a request handler
     * once it has parsed the head, on the connection's event loop.
     */
    public static Handler<HttpServerRequest> markingHeads(Handler<HttpServerRequest> root) {
        return request -> {
            if (request.connection() instanceof ConnectionBase c) {
                Deadlines<?> d = c.channel().attr(DEADLINES).get();
                if (d != null) {
                    d.headReceived();
                }
            }
            root.handle(request);
        };
    }

    @Override
    protected BiConsumer<Channel, SslChannelProvider> childHandler(ContextInternal context, SocketAddress address,
            GlobalTrafficShapingHandler trafficShaping) {
        BiConsumer<Channel, SslChannelProvider> vertx = super.childHandler(context, address, trafficShaping);
        return (ch, ssl) -> {
            Channel listening = ch.parent();
            if (listening != null && gated.compareAndSet(false, true)) {
                listening.eventLoop().execute(() -> listening.pipeline().addFirst("apptheus-admission", new AcceptGate()));
            }
            @SuppressWarnings("unchecked")
            K key = (K) ch.attr(ADMITTED).get();
            if (key == null) { // accepted before the acceptor's gate was in place
                key = admit(ch);
                if (key == null) {
                    ch.close();
                    return;
                }
            }
            Deadlines<K> d = new Deadlines<>(guard, key);
            ch.attr(DEADLINES).set(d);
            // first in the pipeline: it sees the raw bytes, TLS records included, and every write
            ch.pipeline().addFirst("apptheus-deadlines", d);
            vertx.accept(ch, ssl);
        };
    }

    /** A place for {@code ch}, released when it closes; null (counted) when a bound refuses it. */
    private K admit(Channel ch) {
        if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
            return null;
        }
        K key = guard.admit(remote.getAddress());
        if (key != null) {
            ch.closeFuture().addListener(f -> guard.closed(key));
        }
        return key;
    }

    /** On the listening channel, in front of Netty's acceptor: each new connection is a message. */
    private final class AcceptGate extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            K key = admit(child);
            if (key == null) {
                child.unsafe().closeForcibly(); // not registered yet: its file descriptor goes now
                return;
            }
            child.attr(ADMITTED).set(key);
            ctx.fireChannelRead(child);
        }
    }

    /**
     * The two clocks of one connection, on its event loop. Read-header: armed at accept and, after
     * a request head, again at the next byte; a complete head disarms it; when it runs out the
     * connection is closed. Idle: Netty's all-idle state (no read, no write progress) for the idle
     * timeout closes it too.
     */
    private static final class Deadlines<K> extends IdleStateHandler {
        private final Guard<K> guard;
        private final K key;
        private ChannelHandlerContext ctx;
        private ScheduledFuture<?> header;

        Deadlines(Guard<K> guard, K key) {
            super(true, 0, 0, guard.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
            this.guard = guard;
            this.key = key;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
            this.ctx = ctx;
            super.handlerAdded(ctx);
            arm();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (header == null) {
                arm(); // the first byte of the next request (or of a body, which GETs do not have)
            }
            super.channelRead(ctx, msg);
        }

        void headReceived() {
            if (header != null) {
                header.cancel(false);
                header = null;
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
            headReceived();
            super.handlerRemoved(ctx);
        }

        @Override
        protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
            if (evt.state() == IdleState.ALL_IDLE && ctx.channel().isOpen()) {
                guard.idleTimedOut(key);
                ctx.close();
            }
        }

        private void arm() {
            header = ctx.executor().schedule(() -> {
                header = null;
                if (ctx.channel().isOpen()) {
                    guard.headerTimedOut(key);
                    ctx.close();
                }
            }, guard.readHeaderTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
