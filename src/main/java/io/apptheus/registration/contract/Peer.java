package io.apptheus.registration.contract;

/**
 * A caller as the kernel vouches for it (SO_PEERCRED) at connect time, plus the agent's
 * connection number and the caller's start time (field 22 of /proc/PID/stat, read right after
 * the credentials; -1 if it was already gone), which pins the PID against reuse.
 */
public record Peer(long connectionId, long pid, long uid, long gid, long startTime) {

    /** The caller was gone before its start time could be read. */
    public static final long UNKNOWN_START = -1;
    /**
     * The caller was gone before its connection was accepted, and its PID names another process
     * since (seen with SO_PEERPIDFD, which names the process that connected).
     */
    public static final long REUSED_START = -2;
}
