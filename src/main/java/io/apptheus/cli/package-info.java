/**
 * The command line: the one place argv enters. {@code ApptheusMain} (the {@code @QuarkusMain})
 * maps Apptheus-compatible flags onto the configuration with a pure, table-tested parser
 * ({@code FlagParser}, {@code Flags}), checks root by effective uid, and turns SIGTERM into a
 * clean stop; {@code cli.ps} is the {@code apptheus ps} subcommand.
 *
 * <p>May import: {@code cli.ps}, {@code config}, {@code web} (the web config file is checked before
 * Quarkus starts), {@code metrics} (the build stamp for {@code --version}), {@code proc} (the
 * sockets systemd handed over) and {@code logging} (the log format of the lines before Quarkus). No other package reads argv, has a {@code main} method or starts
 * Quarkus.
 */
package io.apptheus.cli;
