package io.apptheus.gateway;

/** Event-bus addresses between the gateway and the monitor. */
public final class Addresses {

    /** Request: a {@link io.apptheus.verify.Peer}; reply: {@link #ACCEPTED} or a refusal reason. */
    public static final String REGISTRATION = "apptheus.registration";
    /** Published by the gateway with the connection id (Long) when a starter's connection closes. */
    public static final String CONNECTION_CLOSED = "apptheus.connection.closed";
    /** Sent by the monitor with the connection id (Long) when the gateway should close it. */
    public static final String CLOSE_CONNECTION = "apptheus.connection.close";

    public static final String ACCEPTED = "accepted";

    private Addresses() {
    }
}
