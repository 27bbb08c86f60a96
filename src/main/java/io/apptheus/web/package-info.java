/**
 * The exporter-toolkit web config ({@code --web.config.file}): TLS, client certificates and bcrypt
 * basic auth, parsed and checked, then handed to Quarkus's HTTP server and security.
 *
 * <p>May import: {@code config}.
 */
package io.apptheus.web;
