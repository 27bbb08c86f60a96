/**
 * The agent's settings: the {@code apptheus.*} configuration mapping (flags, properties and
 * environment variables all land here) and small value parsers of its own, such as the trust
 * list.
 *
 * <p>May import: nothing of the agent; every other package may import it.
 */
package io.apptheus.config;
