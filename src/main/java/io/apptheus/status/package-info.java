/**
 * The node view: the status page and its JSON API over the monitored containers (values, rates
 * and recent history, node facts). Reads {@code monitor}'s registry; changes nothing.
 *
 * <p>May import: {@code monitor}, {@code cgroup}, {@code proc}, {@code metrics} (the build stamp)
 * and {@code config}.
 */
package io.apptheus.status;
