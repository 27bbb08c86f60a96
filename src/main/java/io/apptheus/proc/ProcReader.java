package io.apptheus.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads what the agent needs of a process from procfs; the root is a parameter for tests. What the
 * process's user controls (its title, environment, executable path) is read with the bounds of
 * {@link UserStrings.Limits}.
 */
public final class ProcReader {

    private static final int USER_HZ = 100;

    private final Path procRoot;
    private final UserStrings.Limits limits;

    public ProcReader(Path procRoot) {
        this(procRoot, UserStrings.Limits.DEFAULTS);
    }

    public ProcReader(Path procRoot, UserStrings.Limits limits) {
        this.procRoot = procRoot;
        this.limits = limits;
    }

    public UserStrings.Limits limits() {
        return limits;
    }

    public Path procRoot() {
        return procRoot;
    }

    /**
     * The target of /proc/PID/exe as the kernel prints it (ends in " (deleted)" if unlinked), cut
     * at the read bound: an untrusted caller names its file as it likes, and it is logged.
     */
    public String exe(long pid) throws IOException {
        return UserStrings.cut(Files.readSymbolicLink(pidDir(pid).resolve("exe")).toString(), limits.readBytes());
    }

    /** Identity (device, inode) of the file the process executes; stat follows the magic link. */
    public Object exeIdentity(long pid) throws IOException {
        return Files.readAttributes(pidDir(pid).resolve("exe"), BasicFileAttributes.class).fileKey();
    }

    /**
     * The PID that pidfd {@code fd} of this process names now, from {@code /proc/self/fdinfo/FD}:
     * the process's PID while it lives (a zombie included), -1 once it has been reaped, whatever
     * process that number names since.
     */
    public long pidOfPidFd(int fd) throws IOException {
        return parsePidFdInfo(Files.readString(procRoot.resolve("self/fdinfo/" + fd), StandardCharsets.UTF_8));
    }

    /** The {@code Pid:} line of a pidfd's fdinfo ({@code Pid:\t1234}, {@code Pid:\t-1}). */
    static long parsePidFdInfo(String fdinfo) throws IOException {
        for (String line : fdinfo.split("\n")) {
            if (line.startsWith("Pid:")) {
                try {
                    return Long.parseLong(line.substring(4).trim());
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        throw new IOException("not the fdinfo of a pidfd: no Pid line");
    }

    /** Field 22 (starttime, clock ticks after boot) and field 3 (state) of /proc/PID/stat. */
    public ProcStat stat(long pid) throws IOException {
        return ProcStat.parse(Files.readString(pidDir(pid).resolve("stat"), StandardCharsets.UTF_8));
    }

    /**
     * When the process started, in seconds since the epoch: boot time ("btime" in /proc/stat)
     * plus its starttime in clock ticks (USER_HZ, 100 on every Linux architecture the agent runs on).
     */
    public double startSeconds(long pid) throws IOException {
        long btime = 0;
        for (String line : Files.readAllLines(procRoot.resolve("stat"))) {
            if (line.startsWith("btime ")) {
                btime = Long.parseLong(line.substring(6).trim());
            }
        }
        return btime + stat(pid).startTime() / (double) USER_HZ;
    }

    /** The real uid of the process, from the "Uid:" line of /proc/PID/status. */
    public long uid(long pid) throws IOException {
        for (String line : Files.readAllLines(pidDir(pid).resolve("status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no Uid line in /proc/" + pid + "/status");
    }

    /**
     * The value of {@code name} in the process's environment at exec time (/proc/PID/environ:
     * NUL-separated NAME=VALUE), or empty.
     */
    public java.util.Optional<String> environ(long pid, String name) throws IOException {
        return findVariable(UserStrings.readAtMost(pidDir(pid).resolve("environ"), limits.environBytes()), name,
                limits.valueBytes());
    }

    /**
     * The value of {@code name} in NUL-separated NAME=VALUE entries (only the first
     * {@code --proc.max-environ-bytes} of them are read), cut to {@code maxValueBytes}.
     */
    static java.util.Optional<String> findVariable(byte[] env, String name, int maxValueBytes) {
        byte[] prefix = (name + "=").getBytes(StandardCharsets.UTF_8);
        for (int start = 0; start < env.length; ) {
            int end = start;
            while (end < env.length && env[end] != 0) {
                end++;
            }
            if (end - start >= prefix.length && java.util.Arrays.equals(env, start, start + prefix.length, prefix, 0,
                    prefix.length)) {
                int from = start + prefix.length;
                int len = Math.min(end - from, maxValueBytes);
                return java.util.Optional.of(UserStrings.utf8(env, from, len));
            }
            start = end + 1;
        }
        return java.util.Optional.empty();
    }

    /**
     * The CPU time of the live threads of {@code pid} (see {@link ThreadCpu}); {@link ThreadCpu#NONE}
     * if the process is gone. A thread that exits while it is read is left out.
     */
    public ThreadCpu cpu(long pid) throws IOException {
        ThreadCpu sum = ThreadCpu.NONE;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(pidDir(pid).resolve("task"))) {
            for (Path task : dir) {
                try {
                    sum = sum.plus(ThreadCpu.parse(Files.readString(task.resolve("schedstat")),
                            Files.readString(task.resolve("stat"))));
                } catch (IOException e) {
                    if (!isGone(e)) {
                        throw e;
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return ThreadCpu.NONE;
        }
        return sum;
    }

    /** The text of /proc/PID/cgroup: one "ID:CONTROLLERS:PATH" line per hierarchy. */
    public String cgroup(long pid) throws IOException {
        return Files.readString(pidDir(pid).resolve("cgroup"), StandardCharsets.UTF_8);
    }

    /**
     * NUL-separated argv joined with spaces; a process title set by the program shows here. Only
     * the first {@code --proc.max-read-bytes} are read: the starter's user sets its title.
     */
    public String cmdline(long pid) throws IOException {
        return cmdlineText(UserStrings.readAtMost(pidDir(pid).resolve("cmdline"), limits.readBytes()));
    }

    static String cmdlineText(byte[] raw) {
        int len = raw.length;
        while (len > 0 && raw[len - 1] == 0) {
            len--;
        }
        return UserStrings.utf8(raw, 0, len).replace('\0', ' ');
    }

    /** What the starter's title says it runs, its names cut to {@code --label.max-value-bytes}. */
    public StarterTitle starterTitle(long pid) throws IOException {
        return StarterTitle.parse(cmdline(pid), limits.valueBytes());
    }

    /**
     * The direct children of every thread of {@code pid}, from /proc/PID/task/TID/children (a
     * space-separated list of PIDs; needs CONFIG_PROC_CHILDREN), else by scanning the PPid of every
     * process. Empty if the process is gone.
     */
    public Set<Long> children(long pid) throws IOException {
        Set<Long> out = new LinkedHashSet<>();
        boolean supported = false;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(pidDir(pid).resolve("task"))) {
            for (Path task : dir) {
                try {
                    parsePidList(Files.readString(task.resolve("children")), out);
                    supported = true;
                } catch (IOException e) {
                    if (!isGone(e)) {
                        throw e;
                    }
                    // the thread exited while we listed (ENOENT, ESRCH), or the kernel lacks the file
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return supported ? out : childrenByScan(pid);
    }

    private Set<Long> childrenByScan(long pid) throws IOException {
        Set<Long> out = new LinkedHashSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(procRoot, p -> isNumeric(p.getFileName().toString()))) {
            for (Path p : dir) {
                try {
                    long child = Long.parseLong(p.getFileName().toString());
                    if (stat(child).ppid() == pid) {
                        out.add(child);
                    }
                } catch (IllegalArgumentException e) {
                    // not a stat line we can read: not our child
                } catch (IOException e) {
                    if (!isGone(e)) {
                        throw e;
                    }
                    // another process exited while we scanned (ENOENT, ESRCH): not the caller's failure
                }
            }
        }
        return out;
    }

    private static boolean isNumeric(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /** {@code pid} and all its descendants at this instant, parents before children. */
    public Set<Long> tree(long pid) throws IOException {
        Set<Long> out = new LinkedHashSet<>();
        out.add(pid);
        Long[] frontier = {pid};
        while (frontier.length > 0) {
            Set<Long> next = new LinkedHashSet<>();
            for (long p : frontier) {
                for (long c : children(p)) {
                    if (out.add(c)) {
                        next.add(c);
                    }
                }
            }
            frontier = next.toArray(new Long[0]);
        }
        return out;
    }

    /**
     * Whether an error reading /proc/PID means the process is gone: ENOENT once it is reaped,
     * ESRCH ("No such process") while it exits — from open (a FileSystemException whose reason
     * says so) or from read (a plain IOException whose message does).
     */
    public static boolean isGone(IOException e) {
        if (e instanceof NoSuchFileException) {
            return true;
        }
        String why = e instanceof java.nio.file.FileSystemException f ? f.getReason() : e.getMessage();
        return why != null && why.contains("No such process");
    }

    static void parsePidList(String text, Set<Long> out) {
        for (String tok : text.trim().split("\\s+")) {
            if (!tok.isEmpty()) {
                out.add(Long.parseLong(tok));
            }
        }
    }

    private Path pidDir(long pid) {
        return procRoot.resolve(Long.toString(pid));
    }
}
