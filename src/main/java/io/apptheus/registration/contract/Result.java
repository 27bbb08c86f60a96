package io.apptheus.registration.contract;

/**
 * How one starter connection's registration ended: the value of
 * {@code apptheus_registrations_total}'s {@code result} label, the event-bus reply to a
 * registration, and the verdict of the trust policy when it refuses.
 */
public enum Result {
    /** Verified, moved and monitored. */
    ACCEPTED,
    /** The caller's executable is not a trusted path (or was deleted or replaced). */
    UNTRUSTED,
    /** The caller exited before it could be verified or moved. */
    GONE,
    /** The caller's PID named another process while it was verified or moved. */
    RACED,
    /** Refused by a bound (--monitor.max-containers, --socket.max-waiting). */
    REFUSED_LIMIT,
    /**
     * The caller is monitored already (the same process connected again, e.g. code that connected,
     * then exec'd the trusted starter, which connects itself): nothing changes, the new connection
     * is closed; counted, logged at debug level only.
     */
    ALREADY_MONITORED,
    /**
     * Refused at accept: the caller's uid has --socket.max-waiting-per-uid connections waiting to
     * be verified already (one user's flood, contained before any /proc read).
     */
    REFUSED_UID_LIMIT,
    /** The agent failed (a cgroup it could not make or write); the caller's processes were moved back. */
    ERROR;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);

    /** The label value, as published and documented. */
    public String label() {
        return label;
    }
}
