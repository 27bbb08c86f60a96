package io.apptheus.cgroup;

import java.nio.file.Path;
import java.util.Map;

/**
 * The cgroup the agent made for one container: one directory per hierarchy.
 *
 * @param name the directory name, {@code <exe>_<pid>}
 * @param id   its path inside the first hierarchy (the unified one where mounted), e.g.
 *             {@code /metric_gateway/starter_1234}: the {@code id} label
 * @param dirs directory per hierarchy, in the layout's order
 */
public record ContainerCgroup(String name, String id, Map<Hierarchy, Path> dirs) {
}
