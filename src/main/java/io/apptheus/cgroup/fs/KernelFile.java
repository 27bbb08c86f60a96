package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.Refresh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;

/**
 * A cgroup file kept open and re-read from offset 0 with a positional read (pread) into a reused
 * buffer: no open/close and no allocation per sample.
 *
 * <p>Kernel facts: cgroupfs reports a size of 0 for every file, so the size cannot be asked
 * first. A seq_file read at offset 0 restarts the file from its first record (seq_read_iter), so
 * a pread at 0 always returns a fresh snapshot; measured here, 2.8–3.4 µs against 8.5 µs for
 * open-read-close. After the cgroup is removed an fd kept open reads ENODEV.
 */
public final class KernelFile implements AutoCloseable {

    /**
     * Files are read into a buffer of the reading thread, shared by every file it reads: the sweep
     * reads one file and parses it before the next. It starts at 4 KiB and doubles to fit the
     * largest file the thread met. A buffer per file was 94 KiB of heap per container at 4 KiB
     * (the agent ran out of its 96 MiB heap at ~700 containers), ~6 KiB at 128 bytes.
     */
    static final int INITIAL_CAPACITY = 4096;
    /** A read of at most this many bytes that leaves room in the buffer is the whole file. */
    static final int WHOLE_IF_SHORTER = 2048;
    /** Bigger than any cgroup file: a root cgroup.procs with pid_max 4194304 PIDs is 32 MiB. */
    static final int MAX_CAPACITY = 64 << 20;

    private static final Set<StandardOpenOption> READ = Set.of(StandardOpenOption.READ);

    /*
     * The directory (the container's, shared by all its files there) and the name (a constant of
     * the reader): no Path is kept per file. A Path and its String (made by FileChannel.open) were
     * ~300 bytes, a Lines cursor 48 more: 23 files, ~8 KiB of heap per container. The path is made
     * again at each open of a file opened at each read, and for an error message.
     */
    private final Path dir;
    private final String name;
    /** Null for a file opened at each read (see {@link #ifExists}). */
    private final FileChannel channel;
    private final Refresh refresh;

    /**
     * A thread's read buffer, and its cursor over what it holds. The kernel writes into a direct
     * buffer and the content is copied into the array the parsers read: a read into a heap buffer
     * takes a temporary direct buffer from the JDK's per-thread cache, reads into it, copies and
     * gives it back at every read: here only the copy is left.
     */
    private static final class Scratch {
        byte[] bytes;
        ByteBuffer direct;
        final Lines lines = new Lines();

        Scratch(int capacity) {
            resize(capacity);
        }

        void resize(int capacity) {
            bytes = new byte[capacity];
            direct = ByteBuffer.allocateDirect(capacity);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> new Scratch(INITIAL_CAPACITY));

    private KernelFile(Path dir, String name, FileChannel channel, Refresh refresh, int capacity) {
        this.dir = dir;
        this.name = name;
        this.channel = channel;
        this.refresh = refresh;
        Scratch scratch = SCRATCH.get();
        if (scratch.bytes.length < capacity) {
            scratch.resize(capacity);
        }
    }

    /** Opens {@code path} for reading, kept open; empty when it does not exist (controller absent). */
    public static Optional<KernelFile> openIfExists(Path path) throws CgroupReadException {
        return openIfExists(path, INITIAL_CAPACITY);
    }

    static Optional<KernelFile> openIfExists(Path path, int capacity) throws CgroupReadException {
        return ifExists(parent(path), path.getFileName().toString(), new Refresh.Rule(Refresh.EVERY_SWEEP, true),
                capacity);
    }

    /**
     * File {@code name} of directory {@code dir}, read when {@code rule} says; empty when it does
     * not exist. A file not kept open is opened, read and closed at each {@link #read()}: for a
     * file read seldom, this trades an open and a close (about 10 µs more, and some garbage) for
     * an fd and the kernel's ~5.5 KiB (seq_file buffer, struct file) held between reads. It is
     * opened once here to tell whether it exists.
     */
    public static Optional<KernelFile> ifExists(Path dir, String name, Refresh.Rule rule) throws CgroupReadException {
        return ifExists(dir, name, rule, INITIAL_CAPACITY);
    }

    private static Optional<KernelFile> ifExists(Path dir, String name, Refresh.Rule rule, int capacity)
            throws CgroupReadException {
        Path path = dir.resolve(name);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(path, READ);
            KernelFile file = new KernelFile(dir, name, rule.keptOpen() ? channel : null, rule.refresh(), capacity);
            if (!rule.keptOpen()) {
                closeQuietly(channel);
            }
            return Optional.of(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw CgroupReadException.of(path, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Path parent(Path path) {
        Path parent = path.getParent();
        return parent != null ? parent : path.getFileSystem().getPath("");
    }

    /** The file's path, made at each call. */
    public Path path() {
        return dir.resolve(name);
    }

    /** Whether the fd stays open between reads. */
    public boolean keptOpen() {
        return channel != null;
    }

    /** When this file is read (see {@link Refresh}). */
    public Refresh refresh() {
        return refresh;
    }

    /**
     * Reads the whole file again; its content is then {@code bytes()[0, length)}. When the file
     * fills the buffer, the buffer doubles and the file is read again from 0, so that one sample
     * never mixes two snapshots.
     *
     * @return the length of the content
     */
    public int read() throws CgroupReadException {
        Scratch scratch = SCRATCH.get();
        while (true) {
            int n = readOnce(scratch.direct);
            if (n < scratch.bytes.length) {
                scratch.direct.get(0, scratch.bytes, 0, n);
                return n;
            }
            if (scratch.bytes.length >= MAX_CAPACITY) {
                throw new CgroupReadException(path(), CgroupReadException.Reason.IO,
                        "larger than " + MAX_CAPACITY + " bytes", null);
            }
            scratch.resize(scratch.bytes.length * 2);
        }
    }

    /**
     * Reads from offset 0 until EOF or a full buffer. A short read is in general not EOF, but one
     * of at most {@link #WHOLE_IF_SHORTER} bytes is: a cgroup file is a seq_file, whose read fills
     * the caller's buffer with records until the next one does not fit in its own buffer of at
     * least a page (4 KiB and more; a single-record file's buffer grows to fit the record), so it
     * stops early only past a page minus one record, and cgroup records (a pid of cgroup.procs, a
     * whole single-record file) that end a short read are shorter than that. A regular file reads
     * whole below its size. This spares the second pread that only saw EOF: half the reads.
     */
    private int readOnce(ByteBuffer buffer) throws CgroupReadException {
        if (channel != null) {
            return readOnce(channel, buffer);
        }
        FileChannel ch;
        Path path = path();
        try {
            ch = FileChannel.open(path, READ);
        } catch (IOException e) {
            throw CgroupReadException.of(path, e);
        }
        try {
            return readOnce(ch, buffer);
        } finally {
            closeQuietly(ch);
        }
    }

    private int readOnce(FileChannel ch, ByteBuffer buffer) throws CgroupReadException {
        buffer.clear();
        int total = 0;
        try {
            while (buffer.hasRemaining()) {
                int n = ch.read(buffer, total);
                if (n <= 0) {
                    break;
                }
                total += n;
                if (total <= WHOLE_IF_SHORTER && buffer.hasRemaining()) {
                    break;
                }
            }
        } catch (IOException e) {
            throw CgroupReadException.of(path(), e);
        }
        return total;
    }

    /**
     * The calling thread's buffer, which holds what its last {@link #read()} of any file read:
     * parse it before reading another file on this thread; it is replaced when it grows, so fetch
     * it after reading.
     */
    public byte[] bytes() {
        return SCRATCH.get().bytes;
    }

    /** Reads a single-value file such as {@code memory.current}: see {@link SingleValue#parse}. */
    public long readValue() throws CgroupReadException {
        int n = read();
        Scratch scratch = SCRATCH.get();
        return SingleValue.parse(scratch.lines.reset(this, scratch.bytes, n), 0, 1);
    }

    /**
     * Value number {@code index} of the {@code count} values of the content just read, e.g.
     * "50000 100000" of {@code cpu.max}: see {@link SingleValue}.
     *
     * @param length what {@link #read()} returned
     */
    public long field(int length, int index, int count) throws CgroupReadException {
        Scratch scratch = SCRATCH.get();
        return SingleValue.parse(scratch.lines.reset(this, scratch.bytes, length), index, count);
    }

    /** Reads a flat-keyed file such as {@code cpu.stat} into {@code keys}. */
    public void readKeyed(FlatKeyed keys) throws CgroupReadException {
        int n = read();
        keys.parse(this, n);
    }

    @Override
    public void close() {
        if (channel != null) {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            // nothing to do: the fd is released either way
        }
    }
}
