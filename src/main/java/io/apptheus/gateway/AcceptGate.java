package io.apptheus.gateway;

import java.io.IOException;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * The starters' socket's first filter, on the acceptor thread, in front of Netty's acceptor: a
 * connection whose uid has no room left is closed there and then, on SO_PEERCRED alone, never
 * registered with the gateway's event loop. Under a flood the acceptor accepts faster than an event
 * loop refuses; every connection queued for the event loop would hold a descriptor and put a
 * starter behind it (seen: ~1,800 waiting in the event loop's queue during a 10,000-connection
 * flood, a burst of starters delayed by seconds). The event loop still decides (the counts read
 * here may be a moment old): this only takes the flood off its queue.
 */
final class AcceptGate extends ChannelInboundHandlerAdapter {

    /** Whether a new connection of {@code uid} may go on to the event loop; counts and logs a refusal. */
    interface Filter {
        boolean admit(long pid, long uid);
    }

    private final Filter filter;

    private AcceptGate(Filter filter) {
        this.filter = filter;
    }

    /** Puts a gate on the listening socket of {@code first} (its parent), on the acceptor's thread. */
    static void install(NetSocket first, Filter filter) {
        if (first instanceof NetSocketInternal internal) {
            Channel listening = internal.channelHandlerContext().channel().parent();
            if (listening != null) {
                listening.eventLoop().execute(() -> listening.pipeline().addFirst("apptheus-admission",
                        new AcceptGate(filter)));
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof EpollDomainSocketChannel child) {
            try {
                io.netty.channel.unix.PeerCredentials pc = child.peerCredentials();
                if (!filter.admit(pc.pid(), Integer.toUnsignedLong(pc.uid()))) {
                    child.unsafe().closeForcibly(); // not registered yet: its descriptor goes now
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // the event loop reads the credentials again and counts the failure
            }
        }
        ctx.fireChannelRead(msg);
    }
}
