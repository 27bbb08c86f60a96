package io.apptheus.verify;

/** A caller as the kernel vouches for it (SO_PEERCRED), plus the agent's connection number. */
public record Peer(long connectionId, long pid, long uid, long gid) {
}
