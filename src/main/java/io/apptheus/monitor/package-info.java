/**
 * The monitored containers: the registry (the agent's one place of shared mutable state), the
 * single scheduled sweep that samples all of them, and the end of a container's life (final
 * sample, retention, cgroup removal). Hands each container's buffer to {@code metrics} through
 * {@code ContainerSeries} and knows no Micrometer type.
 *
 * <p>May import: {@code registration.contract} (the connection events), {@code cgroup},
 * {@code cgroup.fs} (the process-count reader), {@code proc}, {@code metrics} and {@code config}.
 * Never {@code registration} or {@code gateway}: they call in, not the other way round.
 */
package io.apptheus.monitor;
