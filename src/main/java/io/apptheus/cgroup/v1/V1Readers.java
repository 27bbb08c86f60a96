package io.apptheus.cgroup.v1;

import java.nio.file.Path;
import java.util.Optional;

import io.apptheus.cgroup.ControllerReader;

// TEMPORARY STUB until the readers branch is merged
public final class V1Readers {
    public static Optional<ControllerReader> forController(String c, Path dir) {
        return Optional.empty();
    }
    public static ControllerReader processCount(Path dir) {
        throw new UnsupportedOperationException("stub");
    }
}
