package io.apptheus.verify;

import java.nio.file.Path;

import io.apptheus.registration.contract.Peer;
import io.apptheus.registration.contract.Result;

/** The trust policy's answer for one caller. */
public sealed interface Verdict {

    /**
     * The caller runs a trusted executable; {@code startTime} pins the process against PID reuse.
     *
     * @param entry the trusted path (as given by --trust.path) whose file the caller runs: the
     *              container's name comes from it, never from {@code exe}, the path the caller ran
     *              it by (a bind mount in the caller's own mount namespace names it as the caller likes)
     */
    record Trusted(Peer peer, String exe, Path entry, long startTime) implements Verdict {

        /** {@code <entry's file name>_<pid>}: the container's name, its cgroup's and its label's. */
        public String containerName() {
            return entry.getFileName() + "_" + peer.pid();
        }
    }

    /** Refused: {@code result} is UNTRUSTED, GONE or RACED; {@code reason} is for the log line. */
    record Rejected(Peer peer, String exe, Result result, String reason) implements Verdict {
    }
}
