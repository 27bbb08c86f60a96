package io.apptheus.cgroup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The few writes the agent makes to cgroupfs: mkdir, cgroup.procs, subtree_control, rmdir. */
public final class CgroupFs {

    private static final int PROCS_RETRIES = 5;

    private CgroupFs() {
    }

    /**
     * Moves the thread group of {@code pid} into {@code dir}. Returns false if the process is gone
     * (ESRCH). EINVAL can mean the task is still being created (TASK_NEW): retried after a pause.
     */
    public static boolean moveProcess(Path dir, long pid) throws IOException {
        Path procs = dir.resolve("cgroup.procs");
        for (int attempt = 1; ; attempt++) {
            try {
                Files.writeString(procs, Long.toString(pid), StandardOpenOption.WRITE);
                return true;
            } catch (IOException e) {
                // open() errors come as a FileSystemException (path and reason apart); write() errors,
                // where the kernel says no (ESRCH, EINVAL, EOPNOTSUPP, EBUSY), as a plain IOException
                String why = String.valueOf(e instanceof FileSystemException f ? f.getReason() : e.getMessage());
                if (why.contains("No such process")) {
                    return false;
                }
                if (why.contains("Invalid argument") && attempt < PROCS_RETRIES) {
                    pause(2L * attempt);
                    continue;
                }
                throw new IOException("cannot move pid " + pid + " into " + procs + ": " + why, e);
            }
        }
    }

    /**
     * Removes a cgroup directory, once. rmdir fails with EBUSY while a task (a zombie included)
     * is still charged to it: then this returns false and the caller retries later (the sweep
     * retries at every pass, so no thread ever sleeps on a busy cgroup).
     */
    public static boolean remove(Path dir) throws IOException {
        try {
            Files.delete(dir);
            return true;
        } catch (NoSuchFileException e) {
            return true;
        } catch (DirectoryNotEmptyException e) {
            throw new IOException("cannot remove " + dir + ": it has child cgroups", e);
        } catch (FileSystemException e) {
            String why = String.valueOf(e.getReason());
            if (why.contains("busy")) {
                return false;
            }
            throw new IOException("cannot remove " + dir + ": " + why, e);
        }
    }

    /** Number of processes listed in {@code dir/cgroup.procs}. */
    public static int processCount(Path dir) throws IOException {
        byte[] b = Files.readAllBytes(dir.resolve("cgroup.procs"));
        int n = 0;
        for (byte c : b) {
            if (c == '\n') {
                n++;
            }
        }
        return n;
    }

    /** The PIDs listed in {@code dir/cgroup.procs}. */
    public static List<Long> processes(Path dir) throws IOException {
        List<Long> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
            if (!line.isBlank()) {
                out.add(Long.parseLong(line.trim()));
            }
        }
        return out;
    }

    /** Sets the user xattr {@code name} of {@code dir} to {@code values}, space-separated; false if it cannot. */
    static boolean setAttribute(Path dir, String name, long... values) {
        StringBuilder sb = new StringBuilder();
        for (long v : values) {
            sb.append(sb.length() == 0 ? "" : " ").append(v);
        }
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class);
            if (view == null) {
                return false;
            }
            view.write(name, ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII)));
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The {@code count} numbers of the user xattr {@code name} of {@code dir}; empty if absent or not that. */
    static Optional<long[]> attribute(Path dir, String name, int count) {
        try {
            UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class);
            if (view == null || !view.list().contains(name)) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.allocate(Math.min(view.size(name), 256));
            view.read(name, b);
            String[] f = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim().split(" ");
            if (f.length != count) {
                return Optional.empty();
            }
            long[] out = new long[count];
            for (int i = 0; i < count; i++) {
                out[i] = Long.parseLong(f[i]);
            }
            return Optional.of(out);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
