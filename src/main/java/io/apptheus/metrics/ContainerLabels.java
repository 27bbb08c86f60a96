package io.apptheus.metrics;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The labels of every series of a container. {@code id}, {@code name}, {@code pid} and {@code uid}
 * always; {@code user}, {@code apptainer_instance} and {@code slurm_job_id} when switched on (each
 * adds one value per container, so it costs no series of its own, but it is stored with every
 * sample). Every container carries the same label names (Prometheus requires one label set per
 * metric family), with an empty value where a label is unknown. Names are in key order, as
 * Micrometer ordered its tags when these series were meters, so that the exposition did not change.
 */
public final class ContainerLabels {

    /** Which optional labels to publish (--label.user, --label.instance, --label.slurm). */
    public record Switches(boolean user, boolean instance, boolean slurm) {
    }

    /** No labels: the process metrics' samples. */
    static final ContainerLabels NONE = new ContainerLabels("", Map.of());

    private final String containerName;
    private final List<String> names;
    private final List<String> values;
    /**
     * The label block as each format writes it, in UTF-8, made at the first scrape in that format
     * (scrapes run on worker threads: the array publishes the bytes safely; two that race make
     * the same bytes).
     */
    private final AtomicReferenceArray<byte[]> rendered = new AtomicReferenceArray<>(ExpositionFormat.values().length);

    private ContainerLabels(String containerName, Map<String, String> sorted) {
        this.containerName = containerName;
        this.names = List.copyOf(sorted.keySet());
        this.values = List.copyOf(sorted.values());
    }

    public static ContainerLabels of(Switches on, String id, String name, long pid, long uid, String user,
                                     String instance, String slurmJobId) {
        Map<String, String> t = new TreeMap<>();
        t.put("id", id);
        t.put("name", name);
        t.put("pid", Long.toString(pid));
        t.put("uid", Long.toString(uid));
        if (on.user()) {
            t.put("user", sanitise(user));
        }
        if (on.instance()) {
            t.put("apptainer_instance", sanitise(instance));
        }
        if (on.slurm()) {
            t.put("slurm_job_id", sanitise(slurmJobId));
        }
        return new ContainerLabels(name, t);
    }

    /** The same labels and {@code device}, for a block device's series. */
    ContainerLabels withDevice(String device) {
        Map<String, String> t = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            t.put(names.get(i), values.get(i));
        }
        t.put("device", device);
        return new ContainerLabels(containerName, t);
    }

    /** The container's name, {@code <exe>_<pid>} (the compat names' {@code job}). */
    String containerName() {
        return containerName;
    }

    /** Label names in key order; the same list object for every series of the container. */
    List<String> names() {
        return names;
    }

    /** Label values in the order of {@link #names()}; the same list object for every series. */
    List<String> values() {
        return values;
    }

    /** The label block, {@code {name="value",...}}, escaped and laid out as {@code format} writes it, in UTF-8. */
    byte[] rendered(ExpositionFormat format) {
        byte[] r = rendered.get(format.ordinal());
        if (r == null) {
            r = format.labels(names, values).getBytes(StandardCharsets.UTF_8);
            rendered.set(format.ordinal(), r);
        }
        return r;
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

    /** {@code name="value"} pairs, for logs and tests. */
    @Override
    public String toString() {
        List<String> pairs = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            pairs.add(names.get(i) + "=\"" + values.get(i) + "\"");
        }
        return "{" + String.join(",", pairs) + "}";
    }
}
