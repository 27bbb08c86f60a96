package io.apptheus.gateway;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;

/**
 * Serves HTTP on listening sockets that systemd passed (socket activation): the descriptors named
 * by {@code apptheus.web.systemd-fds} (set by the command line from LISTEN_FDS, which also made
 * their addresses the listen addresses). Vert.x cannot be given a listening socket, but every TCP
 * server it binds asks its transport first to configure the bootstrap (with the server's host and
 * port) and then, on the same thread, for the channel factory. So the transport notes the address
 * in the first call and, in the second, hands out the inherited socket that listens there: a
 * channel made on the descriptor ({@link EpollServerSocketChannel#EpollServerSocketChannel(int)}:
 * bound and listening already, hence active from its registration), whose bind is answered without
 * a bind(2), which the kernel refuses for a bound socket. A server whose address no inherited
 * socket has binds a socket of its own, as without systemd.
 */
final class InheritedListeners {

    /** The address of the server being bound on this thread, between configure and channel factory. */
    private static final ThreadLocal<InetSocketAddress> BINDING = new ThreadLocal<>();

    /** Not claimed yet; read at the first server's bind, not in a static initialiser (native images run those at build). */
    private static List<EpollServerSocketChannel> pending;

    private InheritedListeners() {
    }

    /** Notes where the server configured on this thread is about to bind, when systemd passed sockets. */
    static void binding(String host, int port) {
        BINDING.remove();
        if (System.getProperty("apptheus.web.systemd-fds", "").isEmpty() || host == null || port < 0 || port > 65535) {
            return;
        }
        try {
            // a literal address (the command line wrote the sockets' own), so no name lookup happens
            BINDING.set(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException e) {
            // not one of the passed sockets' addresses: that server binds a socket of its own
        }
    }

    /** The factory for the server noted by {@link #binding}: its inherited socket, else {@code fresh}. */
    static ChannelFactory<? extends ServerChannel> factory(ChannelFactory<? extends ServerChannel> fresh) {
        InetSocketAddress wanted = BINDING.get();
        BINDING.remove();
        EpollServerSocketChannel inherited = wanted == null ? null : claim(wanted);
        if (inherited == null) {
            return fresh;
        }
        boolean[] handedOut = {false};
        return () -> {
            synchronized (handedOut) {
                if (handedOut[0]) {
                    return fresh.newChannel();
                }
                handedOut[0] = true;
            }
            inherited.pipeline().addFirst(new AlreadyBound(inherited));
            return inherited;
        };
    }

    private static synchronized EpollServerSocketChannel claim(InetSocketAddress wanted) {
        if (pending == null) {
            pending = new ArrayList<>();
            for (String fd : System.getProperty("apptheus.web.systemd-fds", "").split(",")) {
                if (!fd.isBlank()) {
                    pending.add(new EpollServerSocketChannel(Integer.parseInt(fd.trim())));
                }
            }
        }
        for (Iterator<EpollServerSocketChannel> it = pending.iterator(); it.hasNext();) {
            EpollServerSocketChannel c = it.next();
            if (wanted.equals(c.localAddress())) {
                it.remove();
                return c;
            }
        }
        return null;
    }

    /** Answers the bind of an inherited socket: it is bound already, to the address asked for. */
    private static final class AlreadyBound extends ChannelOutboundHandlerAdapter {

        private final EpollServerSocketChannel channel;

        AlreadyBound(EpollServerSocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void bind(ChannelHandlerContext ctx, SocketAddress wanted, ChannelPromise promise) {
            if (wanted.equals(channel.localAddress())) {
                promise.setSuccess();
            } else {
                promise.setFailure(new java.io.IOException("the socket systemd passed listens on "
                        + channel.localAddress() + ", not on " + wanted));
            }
        }
    }
}
