/**
 * The event-bus contract between {@code gateway}, {@code registration} and {@code monitor}: the
 * addresses, the message a registration carries ({@link io.apptheus.registration.contract.Peer})
 * and its one result ({@link io.apptheus.registration.contract.Result}), which is also the
 * refusal of {@code verify} and the label of {@code apptheus_registrations_total}.
 *
 * <p>May import: nothing of the agent (a leaf, so that every package of the flow may use it).
 */
package io.apptheus.registration.contract;
