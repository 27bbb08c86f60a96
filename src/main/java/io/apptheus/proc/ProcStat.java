package io.apptheus.proc;

/**
 * The fields of /proc/PID/stat the agent needs. The line reads
 * {@code 1234 (starter-suid) S 1 1234 ... } — comm may hold spaces and parentheses, so fields are
 * counted after the last ')': state is field 3, ppid field 4, starttime field 22 (clock ticks since
 * boot).
 */
public record ProcStat(char state, long ppid, long startTime) {

    public static ProcStat parse(String line) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + line);
        }
        String[] f = line.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state); field 22 is f[19]
        if (f.length < 20) {
            throw new IllegalArgumentException("short /proc/PID/stat line: " + line);
        }
        return new ProcStat(f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[19]));
    }

    public boolean zombie() {
        return state == 'Z' || state == 'X';
    }
}
