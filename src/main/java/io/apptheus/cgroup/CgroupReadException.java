package io.apptheus.cgroup;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A cgroup file could not be read or parsed. The message names the file:
 * {@code cannot read /sys/fs/cgroup/memory/x/memory.stat: line 3 "foo": not "key value"}.
 */
public final class CgroupReadException extends IOException {

    /** Why the read failed; {@link #label()} is a short token fit for a metric label. */
    public enum Reason {
        /** The cgroup was removed: ENOENT on open, ENODEV on reading a file kept open. */
        VANISHED,
        /** The file was read but its content is not in the expected format. */
        MALFORMED,
        /** Any other I/O error (EACCES, EOPNOTSUPP, EIO, ...). */
        IO;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Path file;
    private final Reason reason;

    public CgroupReadException(Path file, Reason reason, String detail, Throwable cause) {
        super("cannot read " + file + ": " + detail, cause);
        this.file = file;
        this.reason = reason;
    }

    public static CgroupReadException malformed(Path file, String detail) {
        return new CgroupReadException(file, Reason.MALFORMED, detail, null);
    }

    /**
     * Classifies an I/O error. Reading a kernfs file whose cgroup was removed fails with ENODEV
     * ("No such device") even though the fd is still open; opening it fails with ENOENT. The JDK
     * has no exception class for ENODEV and its message may be localised, so a file that no longer
     * exists after the error also counts as vanished.
     */
    public static CgroupReadException of(Path file, IOException e) {
        String why = errorText(e);
        boolean vanished = e instanceof NoSuchFileException
                || "No such device".equals(why)
                || Files.notExists(file);
        return new CgroupReadException(file, vanished ? Reason.VANISHED : Reason.IO,
                vanished ? "vanished (" + why + ")" : why, e);
    }

    /** The errno text: FileSystemException puts the path in getMessage(), the reason apart. */
    private static String errorText(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        String why = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        return why != null ? why : e.getClass().getSimpleName();
    }

    public Path file() {
        return file;
    }

    public Reason kind() {
        return reason;
    }

    /** {@code vanished}, {@code malformed} or {@code io}. */
    public String reason() {
        return reason.label();
    }

    public boolean vanished() {
        return reason == Reason.VANISHED;
    }
}
