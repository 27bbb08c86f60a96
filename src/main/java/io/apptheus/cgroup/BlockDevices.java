package io.apptheus.cgroup;

import java.nio.file.Path;

// TEMPORARY STUB until the readers branch is merged
public final class BlockDevices {
    public BlockDevices(Path sys) {
    }
    public String name(String majMin) {
        return majMin;
    }
}
