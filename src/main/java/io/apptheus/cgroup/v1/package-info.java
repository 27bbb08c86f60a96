/**
 * Cgroup v1 readers, one per controller (cpu, cpuacct, memory, pids, blkio), and the v1 set-up of
 * a new container cgroup (blkio accounting, move_charge_at_immigrate).
 *
 * <p>May import: {@code cgroup} and {@code cgroup.fs}.
 */
package io.apptheus.cgroup.v1;
