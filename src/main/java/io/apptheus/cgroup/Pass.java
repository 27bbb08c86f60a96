package io.apptheus.cgroup;

import io.apptheus.cgroup.fs.KernelFile;

/**
 * Which files one read of a container covers, by their {@link Refresh}. A sweep reads every
 * container with {@link #EVERY_SWEEP}, then, by what that showed and the slow period, with
 * {@link #ACTIVE} or {@link #SLOW}; the first and the final sample of a container are {@link #ALL}.
 */
public final class Pass {

    /** The files read at every sweep. */
    public static final Pass EVERY_SWEEP = new Pass(bit(Refresh.EVERY_SWEEP));
    /** The files read at a sweep while the container is active. */
    public static final Pass ACTIVE = new Pass(bit(Refresh.WHILE_ACTIVE));
    /** The files of the slow period; the files read while active too, so that none is older. */
    public static final Pass SLOW = new Pass(bit(Refresh.WHILE_ACTIVE) | bit(Refresh.SLOW));
    /** Every file. */
    public static final Pass ALL = new Pass(bit(Refresh.EVERY_SWEEP) | bit(Refresh.WHILE_ACTIVE) | bit(Refresh.SLOW));

    private final int refreshes;

    private Pass(int refreshes) {
        this.refreshes = refreshes;
    }

    private static int bit(Refresh r) {
        return 1 << r.ordinal();
    }

    /** Whether this pass reads files of {@code refresh}. */
    public boolean covers(Refresh refresh) {
        return (refreshes & bit(refresh)) != 0;
    }

    /** Whether this pass reads {@code file}: false for a file the cgroup does not have (null). */
    public boolean reads(KernelFile file) {
        return file != null && covers(file.refresh());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Pass");
        for (Refresh r : Refresh.values()) {
            if (covers(r)) {
                sb.append(' ').append(r);
            }
        }
        return sb.toString();
    }
}
