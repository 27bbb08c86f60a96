/**
 * Logging: the logfmt format of the agent's log (--log.format=logfmt, the default), one line per
 * record whatever a message carries.
 *
 * <p>May import: nothing of the agent.
 */
package io.apptheus.logging;
