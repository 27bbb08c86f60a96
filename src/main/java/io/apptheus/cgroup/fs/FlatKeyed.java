package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import java.nio.file.Path;

/**
 * Parser of flat-keyed files, one "key value" per line: {@code cpu.stat}, {@code memory.stat},
 * {@code memory.events}, {@code pids.events}, {@code memory.oom_control}, {@code cpuacct.stat}.
 *
 * <pre>
 * usage_usec 1559122
 * user_usec 1503009
 * nr_throttled 31
 * </pre>
 *
 * Values are found by key, never by line number: kernels add keys between existing ones (6.12's
 * memory.stat has pgdemote_* and pgpromote_success between pgsteal and pgscan; 6.12's cpu.stat has
 * nice_usec). Keys not asked for are skipped without parsing their values. An empty file sets
 * nothing. Reused from sample to sample: parse, then {@link #has}/{@link #get} by key index.
 */
public final class FlatKeyed {

    private static final String NOT_KEY_VALUE = "not \"key value\"";

    private final byte[][] keys;
    private final long[] values;
    private final Lines lines = new Lines();
    private long found;

    /** @param keys the keys to look for, at most 64; their index is their position here */
    public FlatKeyed(String... keys) {
        if (keys.length > 64) {
            throw new IllegalArgumentException("at most 64 keys");
        }
        this.keys = Lines.asciiShared(keys);
        this.values = new long[keys.length];
    }

    public void parse(Path file, byte[] b, int length) throws CgroupReadException {
        lines.reset(file, b, length);
        parseLines();
    }

    /** The same for what {@code file} just read. */
    void parse(KernelFile file, int length) throws CgroupReadException {
        lines.reset(file, file.bytes(), length);
        parseLines();
    }

    private void parseLines() throws CgroupReadException {
        found = 0;
        while (lines.next()) {
            lines.token();
            int key = keyIndex();
            if (!lines.token()) {
                throw lines.malformed(NOT_KEY_VALUE);
            }
            if (key >= 0) {
                values[key] = lines.tokenNumber();
                found |= 1L << key;
            }
            if (lines.token()) {
                throw lines.malformed(NOT_KEY_VALUE);
            }
        }
    }

    private int keyIndex() {
        for (int k = 0; k < keys.length; k++) {
            if (lines.tokenIs(keys[k])) {
                return k;
            }
        }
        return -1;
    }

    /** Whether key number {@code key} was in the last parsed file. */
    public boolean has(int key) {
        return (found & (1L << key)) != 0;
    }

    /** The value of key number {@code key} in the last parsed file; check {@link #has} first. */
    public long get(int key) {
        return values[key];
    }

    /** Sets {@code stat} to the value of key number {@code key} when the file had it. */
    public void copy(int key, StatsBuffer out, Stat stat) {
        copy(key, out, stat, 1);
    }

    /** Same, with the value multiplied by {@code scale} (1000 for µs → ns). */
    public void copy(int key, StatsBuffer out, Stat stat, long scale) {
        if (has(key)) {
            out.set(stat, values[key] * scale);
        }
    }
}
