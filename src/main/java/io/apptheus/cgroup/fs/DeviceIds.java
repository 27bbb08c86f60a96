package io.apptheus.cgroup.fs;

/**
 * The "maj:min" Strings of the block devices of one cgroup, made once per device and reused from
 * sample to sample, so that keying {@code StatsBuffer.io(majMin)} allocates nothing. A cgroup
 * sees a handful of devices, so a linear search is enough.
 */
public final class DeviceIds {

    private long[] ids = new long[4];
    private String[] names = new String[4];
    private int size;

    /** One long for a device number: major in the high 32 bits, minor in the low 32. */
    public static long pack(int major, int minor) {
        return ((long) major << 32) | (minor & 0xFFFFFFFFL);
    }

    /** "8:0" for {@code pack(8, 0)}. */
    public String name(long id) {
        for (int i = 0; i < size; i++) {
            if (ids[i] == id) {
                return names[i];
            }
        }
        return add(id);
    }

    private String add(long id) {
        if (size == ids.length) {
            ids = java.util.Arrays.copyOf(ids, size * 2);
            names = java.util.Arrays.copyOf(names, size * 2);
        }
        ids[size] = id;
        names[size] = NAMES.computeIfAbsent(id, i -> (i >>> 32) + ":" + (i & 0xFFFFFFFFL));
        return names[size++];
    }

    /** The names, shared by every cgroup: on v1 each container lists every disk of the host. */
    private static final java.util.Map<Long, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();
}
