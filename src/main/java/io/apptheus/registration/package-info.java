/**
 * Registration: turns an accepted starter connection into a monitored container. The
 * {@link io.apptheus.registration.Registrar} consumes the gateway's event-bus request, asks
 * {@code verify} whether the caller is trusted, makes the container's cgroup, moves the caller and
 * what it already forked into it (undoing every move when a step fails), and hands the container to
 * {@code monitor}. {@code Startup} checks the trust list, prepares the cgroup parent and adopts what
 * an earlier run left; {@code AgentBeans} wires the plain classes below from the configuration.
 *
 * <p>May import: {@code registration.contract}, {@code verify}, {@code cgroup}, {@code cgroup.v1}
 * (its set-up, wired here), {@code proc}, {@code monitor}, {@code metrics} and {@code config}.
 * Never {@code gateway} or {@code cli}.
 */
package io.apptheus.registration;
