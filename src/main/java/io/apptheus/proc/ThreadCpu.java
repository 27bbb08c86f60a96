package io.apptheus.proc;

/**
 * The CPU time of a process's live threads, as the scheduler counts it: the runtime of each thread
 * in nanoseconds (first field of /proc/PID/task/TID/schedstat, exact), split into user and system
 * time in proportion of the thread's tick samples (fields 14 and 15 of /proc/PID/task/TID/stat),
 * as the kernel splits a task's rusage; a thread no tick found counts as user time, as the
 * kernel's cputime_adjust does. Threads that have exited are not counted (their time is in the
 * process's total only as ticks).
 *
 * <pre>
 * schedstat   7451229 1523105 12          runtime ns, run-queue wait ns, timeslices
 * stat        4242 (burn) R 1 ... 52 3 ...   after the last ')': field 3 is f[0], utime f[11], stime f[12]
 * </pre>
 */
public record ThreadCpu(long totalNs, long userNs, long systemNs) {

    public static final ThreadCpu NONE = new ThreadCpu(0, 0, 0);

    /** One thread's time from the text of its schedstat and stat files. */
    public static ThreadCpu parse(String schedstat, String stat) {
        String[] s = schedstat.trim().split("\\s+");
        long runtime = Long.parseLong(s[0]);
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        if (f.length < 13) {
            throw new IllegalArgumentException("short /proc/PID/stat line: " + stat);
        }
        long utime = Long.parseLong(f[11]);
        long stime = Long.parseLong(f[12]);
        long user = utime + stime == 0 ? runtime : Math.round(runtime * (double) utime / (utime + stime));
        return new ThreadCpu(runtime, user, runtime - user);
    }

    public ThreadCpu plus(ThreadCpu o) {
        return new ThreadCpu(totalNs + o.totalNs, userNs + o.userNs, systemNs + o.systemNs);
    }
}
