package io.apptheus.registration.contract;

/** Event-bus addresses between the gateway, the registrar and the monitor. */
public final class Addresses {

    /** Request: a {@link Peer}; reply: the {@link Result}. */
    public static final String REGISTRATION = "apptheus.registration";
    /** Published by the gateway with the connection id (Long) when a starter's connection closes. */
    public static final String CONNECTION_CLOSED = "apptheus.connection.closed";
    /** Sent by the monitor with the connection id (Long) when the gateway should close it. */
    public static final String CLOSE_CONNECTION = "apptheus.connection.close";

    private Addresses() {
    }
}
