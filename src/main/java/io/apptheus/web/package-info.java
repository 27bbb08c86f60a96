/**
 * The HTTP listeners and the exporter-toolkit web config ({@code --web.config.file}): TLS, client
 * certificates and bcrypt basic auth, parsed and checked, then handed to the listeners and to
 * Quarkus's security. Every listener bounds and times its connections (HttpGuard).
 *
 * <p>May import: {@code config}, {@code gateway} (GuardedHttpServer: the Netty side of the
 * listeners, the accept gate and the clocks) and {@code metrics} (the HTTP connection counters).
 */
package io.apptheus.web;
