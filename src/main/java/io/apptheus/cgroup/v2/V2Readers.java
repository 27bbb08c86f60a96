package io.apptheus.cgroup.v2;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.apptheus.cgroup.ControllerReader;

// TEMPORARY STUB until the readers branch is merged
public final class V2Readers {
    public static List<ControllerReader> forCgroup(Path dir) {
        return List.of();
    }
    public static Optional<ControllerReader> pressure(Path dir) {
        return Optional.empty();
    }
}
