/**
 * What the agent publishes: the metric table (cAdvisor's names), the containers' series built from
 * their buffers at scrape time, the standard process metrics, the agent's own meters, and the
 * scrape route. The only package that touches Micrometer; one class of it,
 * {@code PrometheusExposition}, names the Prometheus client (simpleclient) and its registry. The
 * exposition's text is written here only: the containers' families by {@code SeriesTextWriter}
 * (package-private, held to the client's bytes by its test), the rest by the client.
 *
 * <p>May import: {@code registration.contract} (the result label), {@code cgroup} (Stat,
 * StatsBuffer, device names), {@code proc} (the agent's own usage) and {@code config}. Never
 * {@code monitor}: it hands its containers in.
 */
package io.apptheus.metrics;
