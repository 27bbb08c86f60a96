/**
 * Readers of {@code /proc}, whose root is a parameter: a process's stat, exe, uid, environment,
 * cgroups, children and title, the users of {@code /etc/passwd}, and the agent's own usage for the
 * standard process metrics. Pure parsers with a few lines of I/O around them.
 *
 * <p>May import: nothing of the agent.
 */
package io.apptheus.proc;
