package io.apptheus.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Names of block devices by "major:minor", for the device label of the I/O metrics. sysfs links
 * {@code /sys/dev/block/<maj:min>} to the device, whose {@code uevent} holds its name:
 *
 * <pre>
 * MAJOR=254
 * MINOR=0
 * DEVNAME=vda
 * DEVTYPE=disk
 * </pre>
 *
 * Names are read once and cached, unknown devices included (they fall back to "maj:min"). A
 * major:minor freed by hot-unplug and given to another device keeps its first name.
 */
public final class BlockDevices {

    private static final Pattern MAJ_MIN = Pattern.compile("[0-9]{1,10}:[0-9]{1,10}");
    private static final String DEVNAME = "DEVNAME=";

    private final Path sysRoot;
    private final Map<String, String> names = new ConcurrentHashMap<>();

    /** @param sysRoot where sysfs is mounted: {@code /sys}, or a fixture tree in tests */
    public BlockDevices(Path sysRoot) {
        this.sysRoot = sysRoot;
    }

    /** The kernel name of device {@code majMin} ("vda" for "254:0"), else {@code majMin}. */
    public String name(String majMin) {
        return names.computeIfAbsent(majMin, this::lookUp);
    }

    private String lookUp(String majMin) {
        if (!MAJ_MIN.matcher(majMin).matches()) {
            return majMin;
        }
        Path uevent = sysRoot.resolve("dev").resolve("block").resolve(majMin).resolve("uevent");
        try {
            for (String line : Files.readAllLines(uevent, StandardCharsets.UTF_8)) {
                if (line.startsWith(DEVNAME) && line.length() > DEVNAME.length()) {
                    return line.substring(DEVNAME.length());
                }
            }
        } catch (IOException e) {
            // no such device in sysfs (removed, or another mount namespace): keep the number
        }
        return majMin;
    }
}
