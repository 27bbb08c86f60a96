package io.apptheus.verify;

/** The trust policy's answer for one caller. */
public sealed interface Verdict {

    /** The caller runs a trusted executable; {@code startTime} pins the process against PID reuse. */
    record Trusted(Peer peer, String exe, long startTime) implements Verdict {
    }

    /**
     * Refused. {@code result} is the label value of apptheus_registrations_total
     * (untrusted, gone); {@code reason} is for the log line.
     */
    record Rejected(Peer peer, String exe, String result, String reason) implements Verdict {
    }
}
