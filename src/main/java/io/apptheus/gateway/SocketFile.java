package io.apptheus.gateway;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The life of the socket file: its directory is created 0755 if missing and must be a root-owned
 * directory nobody else can write (no symlink tricks); a stale socket is replaced only if nobody
 * answers on it; anything else at the path stops the start; the socket is made 0777 so that every
 * user's starter can reach it. A refusal is one line (the path and the reason), never a stack trace.
 */
final class SocketFile {

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFile() {
    }

    /**
     * Makes the socket's place ready, or stops the start with one line naming the path and the
     * reason: a ConfigurationException, which Quarkus prints as its message alone (no stack trace)
     * before it exits with 1.
     */
    static void prepare(Path socket) {
        try {
            check(socket);
        } catch (IOException e) {
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
                why = f.getFile() + ": " + f.getReason(); // e.g. createDirectories: "Permission denied"
            }
            throw new ConfigurationException("apptheus: cannot serve the socket " + socket + ": " + why);
        }
    }

    private static void check(Path socket) throws IOException {
        Path dir = socket.toAbsolutePath().getParent();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        checkDirectory(dir);
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(socket)) {
            throw new IOException(socket + " exists and is not a socket; remove it or choose another --socket.path");
        }
        if (answers(socket)) {
            throw new IOException("another agent is listening on " + socket);
        }
        Files.delete(socket);
    }

    static void makeWorldWritable(Path socket) throws IOException {
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    static boolean isSocket(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void checkDirectory(Path dir) throws IOException {
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("socket directory " + dir + " is not a directory (symlinks are refused)");
        }
        int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (uid != 0 || (mode & 0022) != 0) {
            throw new IOException("socket directory " + dir + " must be owned by root and writable by root only"
                    + String.format(" (owner uid %d, mode %04o)", uid, mode & 07777));
        }
    }

    private static boolean answers(Path socket) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            return ch.isConnected();
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
