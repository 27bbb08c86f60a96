/**
 * Cgroup v2 readers, one per resource file family (cpu, memory, io, pids, pressure).
 *
 * <p>May import: {@code cgroup} and {@code cgroup.fs}.
 */
package io.apptheus.cgroup.v2;
