package io.apptheus.gateway;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/**
 * SO_PEERCRED of a Unix-socket connection: the kernel's record of the caller's pid, uid and gid
 * at connect time; and, where the kernel has it (Linux 6.5+), SO_PEERPIDFD: a pidfd of the very
 * process that connected, which tells whether the PID still names it. With EpollTransportProvider,
 * the only classes that touch Netty types; needs the epoll transport.
 */
final class PeerCredentials {

    /** SOL_SOCKET, SO_PEERPIDFD (asm-generic/socket.h). */
    private static final IntegerUnixChannelOption SO_PEERPIDFD = new IntegerUnixChannelOption("SO_PEERPIDFD", 1, 77);
    private static final Logger LOG = Logger.getLogger(PeerCredentials.class);
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    record Credentials(long pid, long uid, long gid) {
    }

    private PeerCredentials() {
    }

    /** SO_PEERCRED alone: one getsockopt, all that deciding whether a connection may wait needs. */
    static Optional<Credentials> of(NetSocket socket) throws IOException {
        Optional<EpollDomainSocketChannel> channel = channel(socket);
        if (channel.isEmpty()) {
            return Optional.empty();
        }
        io.netty.channel.unix.PeerCredentials pc = channel.get().peerCredentials();
        int[] gids = pc.gids();
        return Optional.of(new Credentials(pc.pid(), Integer.toUnsignedLong(pc.uid()),
                gids.length > 0 ? Integer.toUnsignedLong(gids[0]) : -1));
    }

    /**
     * A pidfd of the connected process (the caller closes it, {@link #closePidFd}), or -1:
     * ENOPROTOOPT before Linux 6.5. Read only for a connection that is admitted: it is one more
     * open file until closed.
     */
    static int pidFd(NetSocket socket) {
        return channel(socket).map(PeerCredentials::peerPidFd).orElse(-1);
    }

    private static Optional<EpollDomainSocketChannel> channel(NetSocket socket) {
        if (socket instanceof NetSocketInternal internal
                && internal.channelHandlerContext().channel() instanceof EpollDomainSocketChannel epoll) {
            return Optional.of(epoll);
        }
        return Optional.empty();
    }

    /** A pidfd of the connected process, or -1: ENOPROTOOPT before Linux 6.5. */
    private static int peerPidFd(EpollDomainSocketChannel channel) {
        try {
            Integer fd = channel.config().getOption(SO_PEERPIDFD);
            int pidfd = fd == null ? -1 : fd;
            reportOnce(pidfd >= 0, pidfd >= 0 ? "" : "no value");
            return pidfd;
        } catch (RuntimeException | LinkageError e) {
            reportOnce(false, e.toString());
            return -1;
        }
    }

    /** Whether callers are pinned by a pidfd, said once per run for the administrator. */
    private static void reportOnce(boolean available, String why) {
        if (REPORTED.compareAndSet(false, true)) {
            if (available) {
                LOG.info("SO_PEERPIDFD: callers are identified by a pidfd as well as by PID and start time");
            } else {
                LOG.infof("SO_PEERPIDFD unavailable (%s; Linux 6.5+ has it): callers are identified by PID and"
                        + " start time read at accept", why);
            }
        }
    }

    static void closePidFd(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            new FileDescriptor(fd).close();
        } catch (java.io.IOException | RuntimeException | LinkageError e) {
            // nothing more can be done with it
        }
    }
}
