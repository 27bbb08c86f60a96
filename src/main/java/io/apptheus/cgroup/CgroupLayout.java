package io.apptheus.cgroup;

import java.util.List;
import java.util.Optional;

/** The cgroup hierarchies of this host that the agent uses, as detected at start. */
public record CgroupLayout(List<Hierarchy> hierarchies) {

    public enum Mode { V1, V2, HYBRID }

    public Mode mode() {
        boolean v2 = unified().isPresent();
        boolean v1 = hierarchies.stream().anyMatch(h -> !h.unified());
        return v1 && v2 ? Mode.HYBRID : v2 ? Mode.V2 : Mode.V1;
    }

    public Optional<Hierarchy> unified() {
        return hierarchies.stream().filter(Hierarchy::unified).findFirst();
    }

    public Optional<Hierarchy> v1(String controller) {
        return hierarchies.stream().filter(h -> !h.unified() && h.controllers().contains(controller)).findFirst();
    }

    public String describe() {
        StringBuilder sb = new StringBuilder(mode().name().toLowerCase(java.util.Locale.ROOT)).append(':');
        for (Hierarchy h : hierarchies) {
            sb.append(' ').append(h.label()).append('=').append(h.mountPoint());
        }
        return sb.toString();
    }
}
