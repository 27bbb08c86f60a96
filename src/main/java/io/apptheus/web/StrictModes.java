package io.apptheus.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The ownership and mode checks sshd's StrictModes makes of a user's files, made of the web config
 * and the files it names: whoever can change them can turn authentication off, or put their own
 * CA or key in. Refused (the agent does not start): a file, or the directory it is in, owned by
 * anyone but root (or the agent's own user), or writable by group or others; a directory with the
 * sticky bit (/tmp) may be writable by others, since nobody else can replace a file it holds that
 * root owns. Warned: a private key readable by others. Symlinks are followed (a Kubernetes
 * ConfigMap or Secret is a chain of them): the file and directory at the end are checked.
 */
final class StrictModes {

    private static final int STICKY = 01000;

    private StrictModes() {
    }

    /**
     * @param config the web config file, for the message
     * @param key    the key of the file in the web config ("the web config itself" for the file)
     * @return warnings
     * @throws WebConfigException (exit code 1) naming the file and what is wrong
     */
    static List<String> check(Path config, String key, Path file, boolean secret, long selfUid)
            throws WebConfigException {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            return List.of(); // a missing file is reported by the reader, with its key
        }
        try {
            Optional<String> bad = unsafe(real, selfUid, false);
            if (bad.isEmpty()) {
                bad = unsafe(real.getParent(), selfUid, true).map(why -> "its directory " + real.getParent() + " " + why);
            }
            if (bad.isPresent()) {
                throw new WebConfigException("web config " + config + ": " + key + " " + file
                        + (real.equals(file) ? "" : " (" + real + ")") + " " + bad.get()
                        + "; refused as sshd's StrictModes does: only root may be able to change it",
                        WebConfigException.UNSAFE);
            }
            int mode = mode(real);
            if (secret && (mode & 0004) != 0) {
                return List.of("web config " + config + ": " + key + " " + file + " is readable by every user"
                        + String.format(" (mode %04o): chmod 600 it", mode & 07777));
            }
            return List.of();
        } catch (IOException e) {
            throw new WebConfigException("web config " + config + ": " + key + " " + file + ": cannot check its owner"
                    + " and mode: " + e.getMessage(), WebConfigException.UNSAFE);
        }
    }

    private static Optional<String> unsafe(Path p, long selfUid, boolean directory) throws IOException {
        int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = mode(p);
        if (uid != 0 && uid != selfUid) {
            return Optional.of("is owned by uid " + uid + ", not root");
        }
        boolean stickyDir = directory && (mode & STICKY) != 0;
        if ((mode & 0022) != 0 && !stickyDir) {
            return Optional.of(String.format("is writable by group or others (mode %04o)", mode & 07777));
        }
        return Optional.empty();
    }

    private static int mode(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    /** The agent's effective uid: the owner of /proc/self (0 for the agent, any user in a unit test). */
    static long selfUid() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
