package io.apptheus.cgroup.fs;

import io.apptheus.cgroup.CgroupReadException;
import io.apptheus.cgroup.ControllerReader;
import io.apptheus.cgroup.Stat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The files of one reader: opened together from one cgroup directory, closed together, and the
 * Stats they feed. A file the cgroup does not have is not an error: {@link #open} returns null
 * for it and its Stats are not provided; a reader that found none of its files is not made.
 */
public final class CgroupFiles implements AutoCloseable {

    /** A reader's constructor: opens its files through {@code files}. */
    @FunctionalInterface
    public interface Opener {
        ControllerReader open(CgroupFiles files) throws CgroupReadException;
    }

    /**
     * What becomes of a reader's cold files, those {@link ControllerReader#readHotInto} skips:
     * kept open like the others, or opened at each (seldom) read, which saves an fd and ~5.5 KiB
     * of kernel memory each: 17 of the 23 files of a container on a hybrid host.
     */
    public enum ColdFiles { KEEP_OPEN, REOPEN }

    private final Path dir;
    private final ColdFiles cold;
    private final ArrayList<KernelFile> opened = new ArrayList<>();
    private final EnumSet<Stat> provided = EnumSet.noneOf(Stat.class);

    private CgroupFiles(Path dir, ColdFiles cold) {
        this.dir = dir;
        this.cold = cold;
    }

    /**
     * Runs {@code opener} on the files of {@code dir}, every file kept open. Empty when none of the
     * files it asked for exists; on failure the files already opened are closed.
     */
    public static Optional<ControllerReader> reader(Path dir, Opener opener) throws CgroupReadException {
        return reader(dir, ColdFiles.KEEP_OPEN, opener);
    }

    /** The same, with the cold files kept open or not as {@code cold} says. */
    public static Optional<ControllerReader> reader(Path dir, ColdFiles cold, Opener opener)
            throws CgroupReadException {
        CgroupFiles files = new CgroupFiles(dir, cold);
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
     * The file {@code name} of this cgroup kept open, or null when the cgroup has none; when it
     * exists, {@code feeds} are provided.
     */
    public KernelFile open(String name, Stat... feeds) throws CgroupReadException {
        KernelFile file = KernelFile.openIfExists(dir, name).orElse(null);
        if (file != null) {
            opened.add(file);
            provided.addAll(Arrays.asList(feeds));
        }
        return file;
    }

    /**
     * Like {@link #open}, for a file read only by full samples ({@link ControllerReader#readInto}),
     * not by {@link ControllerReader#readHotInto}: kept open or opened at each read, as the policy
     * given to {@link #reader} says.
     */
    public KernelFile openCold(String name, Stat... feeds) throws CgroupReadException {
        if (cold == ColdFiles.KEEP_OPEN) {
            return open(name, feeds);
        }
        KernelFile file = KernelFile.reopenedIfExists(dir, name).orElse(null);
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
