package io.apptheus.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the trust list at start. A trusted executable is the agent's whole security policy: an
 * entry that someone other than root could replace would let that user register any process.
 * Refused: relative paths, anything that is not a regular file, files (or their directory) owned by
 * or writable by anyone but root. Warned: entries that do not exist (Apptainer not installed yet).
 */
public final class TrustEntries {

    private TrustEntries() {
    }

    /** Returns warnings; throws with every problem listed when an entry is unsafe. */
    public static List<String> check(List<Path> entries) throws IOException {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path p : entries) {
            if (!p.isAbsolute()) {
                errors.add(p + " is not an absolute path");
                continue;
            }
            if (!Files.exists(p)) {
                warnings.add("trusted path " + p + " does not exist (yet): it trusts nobody until it does");
                continue;
            }
            Path real = p.toRealPath();
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                errors.add(p + " is not a regular file");
                continue;
            }
            unsafe(real).ifPresent(why -> errors.add(p + (real.equals(p) ? "" : " (" + real + ")") + " " + why));
            unsafe(real.getParent()).ifPresent(why -> errors.add(p + ": its directory " + real.getParent() + " " + why));
        }
        if (!errors.isEmpty()) {
            throw new IOException("unsafe --trust.path: " + String.join("; ", errors));
        }
        return warnings;
    }

    private static java.util.Optional<String> unsafe(Path p) throws IOException {
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (uid != 0) {
            return java.util.Optional.of("is owned by uid " + uid + ", not root");
        }
        if ((mode & 0022) != 0) {
            return java.util.Optional.of(String.format("is writable by group or others (mode %04o)", mode & 07777));
        }
        return java.util.Optional.empty();
    }
}
