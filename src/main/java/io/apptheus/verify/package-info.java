/**
 * The trust policy: a {@code Peer} in, {@code Trusted} or {@code Rejected(result)} out, decided by
 * whether {@code /proc/PID/exe} is the same file as a trusted path, over a small {@code /proc}
 * reader whose root is a parameter. Knows no cgroups and no meters.
 *
 * <p>May import: {@code registration.contract} (the Peer and the Result of a refusal) and
 * {@code proc}.
 */
package io.apptheus.verify;
