/**
 * The Unix-socket server on Vert.x/epoll and the socket file's life. Reads each caller's peer
 * credentials (SO_PEERCRED, SO_PEERPIDFD: the only code that touches Netty types), holds the
 * connection for the container's life, and hands the registration to the event bus
 * ({@code registration.contract}). No policy here: what a caller is allowed is decided by
 * {@code registration} and {@code verify}.
 *
 * <p>May import: {@code registration.contract}, {@code config}, {@code proc} (the caller's start
 * time, read at accept) and {@code metrics} (the open-connection gauge and refusals). Never
 * {@code registration}, {@code monitor} or {@code cgroup}: the flow runs from here through the
 * event bus.
 */
package io.apptheus.gateway;
