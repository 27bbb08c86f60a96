package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import java.nio.file.Path;

/**
 * Parser of nested-keyed files: a line key, then "subkey=value" pairs.
 *
 * <pre>
 * 254:0 rbytes=16777216 wbytes=16777216 rios=16 wios=17 dbytes=0 dios=0     v2 io.stat
 * some avg10=19.25 avg60=5.11 avg300=1.13 total=3057153                    PSI cpu.pressure
 * full avg10=9.57 avg60=2.54 avg300=0.56 total=1520984
 * </pre>
 *
 * Only the sub-keys asked for are parsed: others may hold decimals (PSI avg10=19.25, io.stat
 * cost.usage= with iocost). io.stat is empty for a cgroup that did no block I/O, and lists a
 * device only once it saw I/O in this cgroup. Iterate with {@link #next()}; the line key is read
 * with {@link #keyIs} or {@link #device()}.
 */
public final class NestedKeyed {

    private final byte[][] subKeys;
    private final long[] values;
    private final Lines lines = new Lines();
    private int keyStart;
    private int keyEnd;
    private long found;

    /** @param subKeys the sub-keys to parse, at most 64; their index is their position here */
    public NestedKeyed(String... subKeys) {
        if (subKeys.length > 64) {
            throw new IllegalArgumentException("at most 64 sub-keys");
        }
        this.subKeys = Lines.asciiShared(subKeys);
        this.values = new long[subKeys.length];
    }

    public NestedKeyed reset(Path file, byte[] b, int length) {
        lines.reset(file, b, length);
        return this;
    }

    /** The same for what {@code file} just read ({@link KernelFile#read()} returned {@code length}). */
    public NestedKeyed reset(KernelFile file, int length) {
        lines.reset(file, file.bytes(), length);
        return this;
    }

    /** Moves to the next line and parses its sub-keys; false at the end of the file. */
    public boolean next() throws CgroupReadException {
        if (!lines.next()) {
            return false;
        }
        lines.token();
        keyStart = lines.tokenStart();
        keyEnd = lines.tokenEnd();
        found = 0;
        while (lines.token()) {
            int eq = lines.indexInToken((byte) '=');
            if (eq < 0) {
                throw lines.malformed("not \"key subkey=value ...\"");
            }
            int k = subKeyIndex(eq);
            if (k >= 0) {
                values[k] = lines.number(eq + 1, lines.tokenEnd());
                found |= 1L << k;
            }
        }
        return true;
    }

    private int subKeyIndex(int eq) {
        for (int k = 0; k < subKeys.length; k++) {
            if (lines.regionIs(lines.tokenStart(), eq, subKeys[k])) {
                return k;
            }
        }
        return -1;
    }

    /** Whether the current line's key is {@code word} (ASCII bytes, e.g. "some"). */
    public boolean keyIs(byte[] word) {
        return lines.regionIs(keyStart, keyEnd, word);
    }

    /** The current line's key read as a block device "maj:min", packed by {@link DeviceIds}. */
    public long device() throws CgroupReadException {
        return lines.device(keyStart, keyEnd);
    }

    public boolean has(int subKey) {
        return (found & (1L << subKey)) != 0;
    }

    public long get(int subKey) {
        return values[subKey];
    }

    /** A malformed-line error for the current line, for checks made by the caller. */
    public CgroupReadException malformed(String why) {
        return lines.malformed(why);
    }
}
