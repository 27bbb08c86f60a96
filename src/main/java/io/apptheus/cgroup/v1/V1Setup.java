package io.apptheus.cgroup.v1;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * What a v1 container cgroup needs before its processes move in, set only on the cgroups the agent
 * creates:
 * <ul>
 * <li>memory: {@code memory.move_charge_at_immigrate = 3} (anon and file pages), so memory the
 * container charged before the move comes with it; a no-op with a one-time kernel warning on recent
 * kernels, where it is deprecated, and absent from v2 (memory counts from the move there).</li>
 * <li>blkio: since 6.10 (commit a3166c51702b) the blkio.throttle.* counters stay at zero on disks
 * that never had a throttle rule. A rule of U64_MAX bytes/s means "no limit" and is not even
 * listed, but it turns the accounting on for that disk: written for every disk of
 * /sys/block.</li>
 * </ul>
 */
public final class V1Setup {

    private static final Logger LOG = Logger.getLogger(V1Setup.class);
    /** U64_MAX: the kernel's "no limit" for blkio.throttle.*_bps_device. */
    static final String NO_LIMIT = "18446744073709551615";

    private final List<String> disks;

    public V1Setup(Path sysRoot) {
        this.disks = disks(sysRoot.resolve("block"));
    }

    public void prepare(String controller, Path dir) {
        switch (controller) {
            case "memory" -> write(dir.resolve("memory.move_charge_at_immigrate"), "3");
            case "blkio" -> {
                for (String majMin : disks) {
                    write(dir.resolve("blkio.throttle.read_bps_device"), majMin + " " + NO_LIMIT);
                }
            }
            default -> {
            }
        }
    }

    /** MAJ:MIN of every block device in /sys/block (its "dev" file reads "254:0"). */
    static List<String> disks(Path sysBlock) {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(sysBlock)) {
            for (Path d : dir) {
                try {
                    out.add(Files.readString(d.resolve("dev")).trim());
                } catch (IOException e) {
                    // not a device with a number
                }
            }
        } catch (IOException e) {
            LOG.debugf("cannot list %s: %s", sysBlock, e.getMessage());
        }
        return out;
    }

    private static void write(Path file, String value) {
        try {
            if (Files.exists(file)) {
                Files.writeString(file, value);
            }
        } catch (IOException e) {
            LOG.debugf("cannot set %s to %s: %s", file, value, e.getMessage());
        }
    }
}
