package io.apptheus.verify;

import io.apptheus.registration.contract.Peer;
import io.apptheus.registration.contract.Result;

/** The trust policy's answer for one caller. */
public sealed interface Verdict {

    /** The caller runs a trusted executable; {@code startTime} pins the process against PID reuse. */
    record Trusted(Peer peer, String exe, long startTime) implements Verdict {
    }

    /** Refused: {@code result} is UNTRUSTED, GONE or RACED; {@code reason} is for the log line. */
    record Rejected(Peer peer, String exe, Result result, String reason) implements Verdict {
    }
}
