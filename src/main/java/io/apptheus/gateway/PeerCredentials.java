package io.apptheus.gateway;

import java.io.IOException;
import java.util.Optional;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * SO_PEERCRED of a Unix-socket connection: the kernel's record of the caller's pid, uid and gid
 * at connect time. The only class that touches Netty types; needs the epoll transport.
 */
final class PeerCredentials {

    record Credentials(long pid, long uid, long gid) {
    }

    private PeerCredentials() {
    }

    static Optional<Credentials> of(NetSocket socket) throws IOException {
        if (!(socket instanceof NetSocketInternal internal)) {
            return Optional.empty();
        }
        Channel channel = internal.channelHandlerContext().channel();
        if (!(channel instanceof EpollDomainSocketChannel epoll)) {
            return Optional.empty();
        }
        io.netty.channel.unix.PeerCredentials pc = epoll.peerCredentials();
        int[] gids = pc.gids();
        return Optional.of(new Credentials(pc.pid(), Integer.toUnsignedLong(pc.uid()),
                gids.length > 0 ? Integer.toUnsignedLong(gids[0]) : -1));
    }
}
