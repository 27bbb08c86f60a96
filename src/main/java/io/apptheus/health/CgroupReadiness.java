package io.apptheus.health;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.apptheus.cgroup.CgroupManager;
import io.apptheus.cgroup.Hierarchy;

/** Ready when a cgroup layout was detected and the containers' parent is writable in every hierarchy. */
@Readiness
@Singleton
public class CgroupReadiness implements HealthCheck {

    private final CgroupManager cgroups;

    CgroupReadiness(CgroupManager cgroups) {
        this.cgroups = cgroups;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("cgroup parent")
                .withData("layout", cgroups.layout().describe());
        if (cgroups.layout().hierarchies().isEmpty()) {
            return b.down().withData("reason", "no cgroup hierarchy detected in /proc/self/mountinfo").build();
        }
        for (Map.Entry<Hierarchy, Path> e : cgroups.parentDirs().entrySet()) {
            Path dir = e.getValue();
            if (!Files.isDirectory(dir) || !Files.isWritable(dir.resolve("cgroup.procs"))) {
                return b.down().withData("reason", dir + " is missing or not writable").build();
            }
        }
        return b.up().withData("parent", cgroups.parentDirs().values().iterator().next().toString()).build();
    }
}
