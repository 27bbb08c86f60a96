package io.apptheus.metrics;

import io.micrometer.core.instrument.Tags;

/**
 * The labels of every series of a container. {@code id}, {@code name}, {@code pid} and {@code uid}
 * always; {@code user}, {@code apptainer_instance} and {@code slurm_job_id} when switched on (each
 * adds one value per container, so it costs no series of its own, but it is stored with every
 * sample). Every container carries the same label names (Prometheus requires one label set per
 * metric family), with an empty value where a label is unknown.
 */
public final class ContainerLabels {

    /** Which optional labels to publish (--label.user, --label.instance, --label.slurm). */
    public record Switches(boolean user, boolean instance, boolean slurm) {
    }

    private ContainerLabels() {
    }

    public static Tags of(Switches on, String id, String name, long pid, long uid, String user, String instance,
                          String slurmJobId) {
        Tags t = Tags.of("id", id, "name", name, "pid", Long.toString(pid), "uid", Long.toString(uid));
        if (on.user()) {
            t = t.and("user", sanitise(user));
        }
        if (on.instance()) {
            t = t.and("apptainer_instance", sanitise(instance));
        }
        if (on.slurm()) {
            t = t.and("slurm_job_id", sanitise(slurmJobId));
        }
        return t;
    }

    /**
     * Keeps letters, digits and {@code . _ - @ +} and replaces any other character by {@code _}: a
     * user or instance name comes from outside the agent's control. It does not cut: the value was
     * cut when it was read (io.apptheus.proc.UserStrings, --label.max-value-bytes), so the label,
     * the status API, the page and {@code apptheus ps} show the same prefix of it.
     */
    static String sanitise(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i += Character.charCount(value.codePointAt(i))) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == '@' || c == '+';
            sb.append(ok ? c : '_');
        }
        return sb.toString();
    }
}
