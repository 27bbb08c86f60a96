package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.StatsBuffer;
import java.nio.file.Path;

/**
 * Parser of the one-line value files: {@code memory.current}, {@code pids.max},
 * {@code cpuacct.usage}, {@code cpu.cfs_quota_us}, and of the two-value v2 {@code cpu.max}.
 *
 * <pre>
 * 67350528          memory.current
 * max               memory.max, pids.max, memory.swap.max: no limit → {@link StatsBuffer#UNLIMITED}
 * -1                v1 cpu.cfs_quota_us: no limit (left to the reader: -1 is a plain number here)
 * 50000 100000      v2 cpu.max: "$MAX $PERIOD", $MAX may be "max"
 * </pre>
 *
 * The kernel never leaves these files empty, so an empty file is malformed.
 */
public final class SingleValue {

    private SingleValue() {
    }

    /** The single value of a one-value file. */
    public static long parse(Path file, byte[] b, int length) throws CgroupReadException {
        return parse(new Lines().reset(file, b, length), 0, 1);
    }

    /** Value number {@code index} (from 0) of a file holding exactly {@code count} values. */
    public static long parse(Path file, byte[] b, int length, int index, int count)
            throws CgroupReadException {
        return parse(new Lines().reset(file, b, length), index, count);
    }

    static long parse(Lines lines, int index, int count) throws CgroupReadException {
        if (!lines.next()) {
            throw CgroupReadException.malformed(lines.file(), "empty file");
        }
        long value = 0;
        for (int i = 0; i < count; i++) {
            if (!lines.token()) {
                throw lines.malformed(expected(count));
            }
            if (i == index) {
                value = lines.tokenNumberOrMax();
            }
        }
        if (lines.token() || lines.next()) {
            throw lines.malformed(expected(count));
        }
        return value;
    }

    private static String expected(int count) {
        return count == 1 ? "not a single value" : "not " + count + " values";
    }
}
