package io.apptheus.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.apptheus.proc.ProcReader;
import io.apptheus.proc.ProcStat;
import io.apptheus.registration.contract.Peer;
import io.apptheus.registration.contract.Result;

/**
 * Accepts a caller only if the file it executes is one of the trusted paths. Matching is by file
 * identity (device and inode of /proc/PID/exe against each trusted path, both resolved by stat), so
 * a trust entry that is a symlink (Debian's /usr/bin/socat → socat1) still matches, and a copy
 * elsewhere does not. The trusted files are stat'ed at each check: an upgrade that replaces the
 * starter is picked up without a restart.
 */
public final class TrustPolicy {

    private final List<Path> trusted;
    private final ProcReader proc;

    public TrustPolicy(List<Path> trusted, ProcReader proc) {
        this.trusted = List.copyOf(trusted);
        this.proc = proc;
    }

    public List<Path> trusted() {
        return trusted;
    }

    /**
     * Checks the caller. Its start time, read with its credentials at connect, is compared before
     * and after {@code exe} is read: a PID that now names another process is refused as raced.
     */
    public Verdict verify(Peer peer) {
        String exe = "?";
        try {
            if (peer.startTime() == Peer.REUSED_START) {
                return new Verdict.Rejected(peer, exe, Result.RACED, "caller exited before it was accepted; its PID now names"
                        + " another process");
            }
            if (peer.startTime() == Peer.UNKNOWN_START) {
                return new Verdict.Rejected(peer, exe, Result.GONE, "caller exited before it could be verified");
            }
            ProcStat before = proc.stat(peer.pid());
            if (before.startTime() != peer.startTime()) {
                return new Verdict.Rejected(peer, exe, Result.RACED, "caller's PID now names another process");
            }
            if (before.zombie()) {
                return new Verdict.Rejected(peer, exe, Result.GONE, "caller is a zombie");
            }
            exe = proc.exe(peer.pid());
            if (exe.endsWith(" (deleted)")) {
                return new Verdict.Rejected(peer, exe, Result.UNTRUSTED, "caller's executable was deleted or replaced");
            }
            Object identity = proc.exeIdentity(peer.pid());
            Optional<Path> entry = trustedEntry(identity);
            if (entry.isEmpty()) {
                return new Verdict.Rejected(peer, exe, Result.UNTRUSTED, "executable is not a trusted path");
            }
            if (proc.stat(peer.pid()).startTime() != peer.startTime()) {
                return new Verdict.Rejected(peer, exe, Result.RACED, "caller's PID was reused while it was verified");
            }
            return new Verdict.Trusted(peer, exe, entry.get(), peer.startTime());
        } catch (IOException e) {
            if (ProcReader.isGone(e)) {
                return new Verdict.Rejected(peer, exe, Result.GONE, "caller exited before it could be verified");
            }
            return new Verdict.Rejected(peer, exe, Result.GONE, "cannot read /proc/" + peer.pid() + ": " + e);
        } catch (RuntimeException e) {
            return new Verdict.Rejected(peer, exe, Result.GONE, "cannot read /proc/" + peer.pid() + ": " + e);
        }
    }

    /** The first trusted path whose file has this identity. */
    private Optional<Path> trustedEntry(Object identity) {
        if (identity == null) {
            return Optional.empty();
        }
        for (Path t : trusted) {
            try {
                Object key = Files.readAttributes(t, BasicFileAttributes.class).fileKey();
                if (Objects.equals(key, identity)) {
                    return Optional.of(t);
                }
            } catch (IOException e) {
                // a trusted path that does not exist (yet) trusts nobody
            }
        }
        return Optional.empty();
    }
}
