/**
 * {@code apptheus ps}: reads the running agent's status API over HTTP and prints a table or JSON.
 * A client of the agent, not part of it: it shares only the formatting of units with the page.
 *
 * <p>May import: {@code cli} (the flag reader, the listen address parser), {@code status} (units)
 * and {@code proc} (what a control character is, one definition for the log and the terminal).
 */
package io.apptheus.cli.ps;
