package io.apptheus.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.impl.transports.EpollTransport;
import io.vertx.core.net.NetServerOptions;

/**
 * Vert.x's epoll transport, offered through Vert.x's transport SPI
 * ({@code META-INF/services/io.vertx.core.spi.transport.Transport}), which Vert.x consults before
 * its built-in choice whenever a native transport is preferred
 * ({@code quarkus.vertx.prefer-native-transport=true}).
 *
 * <p>On the JVM this changes nothing: Vert.x would pick the same epoll transport itself. It is
 * there for the native executable: Quarkus 3.x substitutes Vert.x 4.5's built-in choice
 * ({@code VertxBuilder.nativeTransport()}) with the JDK transport in native images
 * (quarkus#35799), and Vert.x 4.5's JDK transport serves no Unix socket, so the gateway could not
 * start. Netty's own native-image metadata (netty-transport-classes-epoll: run-time
 * initialisation, the JNI entries including {@code PeerCredentials}, the bundled
 * {@code libnetty_transport_native_epoll} resource) does the rest. The service file is kept in the
 * image by {@code quarkus.native.resources.includes}; ServiceLoader needs this class's public
 * no-argument constructor, registered for reflection here (and nothing else of it).
 *
 * <p>It is also where systemd's sockets enter ({@code --web.systemd-socket}): TCP server channels
 * come from {@link InheritedListeners} where one was passed for the address being bound.
 *
 * <p>Where epoll is unavailable (not Linux), Vert.x skips this provider and falls back as before.
 *
 * <p>It also makes every listening socket level-triggered (the starters' Unix socket and the HTTP
 * listeners). Vert.x runs the accepts of every server on one acceptor thread, which runs its
 * queued tasks to the end (I/O ratio 100). In Netty's default edge-triggered mode, a listening
 * socket with more pending connections than one read takes (16) queues a task to read on; under a
 * flood that outpaces the acceptor that task is queued again and again, the task queue never
 * empties, and the other listening sockets are never polled: starters were not accepted for the
 * whole of an HTTP flood, scrapes not during a flood of the Unix socket. Level-triggered, each
 * poll serves every ready listening socket its read in turn. The mode can only be set before the
 * channel is registered, hence here.
 */
@RegisterForReflection(methods = false, fields = false)
public final class EpollTransportProvider extends EpollTransport {

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
        super.configure(options, domainSocket, bootstrap);
        bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        if (!domainSocket) {
            InheritedListeners.binding(options.getHost(), options.getPort());
        }
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        ChannelFactory<? extends ServerChannel> fresh = super.serverChannelFactory(domainSocket);
        return domainSocket ? fresh : InheritedListeners.factory(fresh);
    }
}
