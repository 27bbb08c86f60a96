/**
 * {@code apptheus ps}: reads the running agent's status API over HTTP and prints a table or JSON.
 * A client of the agent, not part of it: it shares only the formatting of units with the page.
 *
 * <p>May import: {@code cli} (the listen address parser) and {@code status} (units).
 */
package io.apptheus.cli.ps;
