package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.apptheus.cgroup.v1.V1Readers;
import io.apptheus.cgroup.v2.V2Readers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reads (never writes) the root cgroups of the host running the tests, when it has them: the
 * kept-open pread path against real kernfs files. Skipped elsewhere.
 */
class LiveHostSmokeTest {

    @Test
    void cgroup2RootTwice() throws CgroupReadException {
        Path root = Path.of("/sys/fs/cgroup/unified");
        if (!Files.exists(root.resolve("cpu.stat"))) {
            root = Path.of("/sys/fs/cgroup");
        }
        assumeTrue(Files.exists(root.resolve("cpu.stat")), "no cgroup2 here");
        List<ControllerReader> readers = V2Readers.forCgroup(root);
        StatsBuffer out = new StatsBuffer();
        try {
            for (ControllerReader reader : readers) {
                reader.readInto(out);
            }
            long first = out.raw(Stat.CPU_USAGE_NS);
            for (ControllerReader reader : readers) {
                reader.readInto(out);
            }
            assertTrue(first > 0 && out.raw(Stat.CPU_USAGE_NS) >= first);
        } finally {
            readers.forEach(ControllerReader::close);
        }
    }

    @Test
    void v1RootsOfEachController() throws CgroupReadException {
        // every v1 hierarchy mounted here is read; a host with none (pure v2) skips the test
        List<String> mounted = V1Readers.CONTROLLERS.stream()
                .filter(c -> Files.exists(Path.of("/sys/fs/cgroup", c, "cgroup.procs"))).toList();
        assumeTrue(!mounted.isEmpty(), "no v1 hierarchy here");
        for (String controller : mounted) {
            Path dir = Path.of("/sys/fs/cgroup", controller);
            StatsBuffer out = new StatsBuffer();
            var reader = V1Readers.forController(controller, dir);
            if (reader.isPresent()) {
                try (ControllerReader r = reader.get()) {
                    r.readInto(out);
                    for (Stat stat : r.provides()) {
                        assertTrue(out.has(stat) || stat == Stat.MEMORY_SWAP_BYTES, controller + " " + stat);
                    }
                }
            }
        }
    }
}
