/**
 * Liveness and readiness: the gateway's socket is served, the cgroup parent exists and is
 * writable in every hierarchy.
 *
 * <p>May import: {@code gateway} and {@code cgroup}.
 */
package io.apptheus.health;
