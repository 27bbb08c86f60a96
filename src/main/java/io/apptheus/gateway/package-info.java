/**
 * The Unix-socket server on Vert.x/epoll and the socket file's life. Reads each caller's peer
 * credentials (SO_PEERCRED, SO_PEERPIDFD), lets it wait for its turn in its uid's queue
 * ({@code Admission}: bounded, served in turn, refusals at accept before any /proc read), holds the
 * connection for the container's life, and hands the registration to the event bus
 * ({@code registration.contract}). No trust policy here: what a caller is allowed is decided by
 * {@code registration} and {@code verify}.
 *
 * <p>The only package that touches Netty types: besides the Unix socket, the epoll transport
 * (every listening socket level-triggered; systemd's sockets, {@code InheritedListeners}) and the
 * Netty side of the HTTP listeners ({@code GuardedHttpServer}: accept gate and clocks, whose policy
 * is {@code web}'s).
 *
 * <p>May import: {@code registration.contract}, {@code config}, {@code proc} (the caller's start
 * time, read at accept) and {@code metrics} (the open-connection gauges and refusals). Never
 * {@code registration}, {@code monitor} or {@code cgroup}: the flow runs from here through the
 * event bus.
 */
package io.apptheus.gateway;
