/**
 * Cgroups: layout detection (v1, v2, hybrid) from paths given as parameters, the manager that
 * creates, moves into, reads and removes a container's cgroups, the {@code Stat} names and the
 * {@code StatsBuffer} whose units are written down once. {@code fs} holds the file and parsing
 * helpers, {@code v1} and {@code v2} one reader per controller; the manager is the one place that
 * picks between them.
 *
 * <p>May import: {@code cgroup.fs}, {@code cgroup.v1} and {@code cgroup.v2}; nothing above them.
 */
package io.apptheus.cgroup;
