package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Refresh;
import io.apptheus.cgroup.Stat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The files of one reader: opened together from one cgroup directory, closed together, and the
 * Stats they feed. When each is read, and whether it stays open, is the {@link Refresh.Table}'s
 * decision, not the reader's. A file the cgroup does not have is not an error: {@link #open}
 * returns null for it and its Stats are not provided; a reader that found none of its files is
 * not made.
 */
public final class CgroupFiles implements AutoCloseable {

    /** A reader's constructor: opens its files through {@code files}. */
    @FunctionalInterface
    public interface Opener {
        ControllerReader open(CgroupFiles files) throws CgroupReadException;
    }

    private final Path dir;
    private final Refresh.Table table;
    private final ArrayList<KernelFile> opened = new ArrayList<>();
    private final EnumSet<Stat> provided = EnumSet.noneOf(Stat.class);

    private CgroupFiles(Path dir, Refresh.Table table) {
        this.dir = dir;
        this.table = table;
    }

    /**
     * Runs {@code opener} on the files of {@code dir}, a directory of a hierarchy of kind
     * {@code table}. Empty when none of the files it asked for exists; on failure the files
     * already opened are closed.
     */
    public static Optional<ControllerReader> reader(Path dir, Refresh.Table table, Opener opener)
            throws CgroupReadException {
        CgroupFiles files = new CgroupFiles(dir, table);
        try {
            ControllerReader reader = opener.open(files);
            if (files.opened.isEmpty()) {
                return Optional.empty();
            }
            files.opened.trimToSize(); // kept for close(): one per reader and container
            return Optional.of(reader);
        } catch (CgroupReadException | RuntimeException e) {
            files.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * The file {@code name} of this cgroup, or null when the cgroup has none; when it exists,
     * {@code feeds} are provided.
     */
    public KernelFile open(String name, Stat... feeds) throws CgroupReadException {
        KernelFile file = KernelFile.ifExists(dir, name, table.rule(name)).orElse(null);
        if (file != null) {
            opened.add(file);
            provided.addAll(Arrays.asList(feeds));
        }
        return file;
    }

    /** Provides {@code stat}, for a value derived from several files. */
    public void provide(Stat stat) {
        provided.add(stat);
    }

    /** A copy of the Stats provided by the files found. */
    public Set<Stat> provided() {
        return EnumSet.copyOf(provided);
    }

    @Override
    public void close() {
        for (KernelFile file : opened) {
            file.close();
        }
    }
}
