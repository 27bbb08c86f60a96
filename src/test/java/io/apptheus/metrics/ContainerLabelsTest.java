package io.apptheus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;


class ContainerLabelsTest {

    @Test
    void optionalLabelsFollowTheSwitches() {
        var all = ContainerLabels.of(new ContainerLabels.Switches(true, true, true), "/mg/starter_1", "starter_1", 1, 1000,
                "alice", "web1", "4242");
        assertEquals(List.of("apptainer_instance", "id", "name", "pid", "slurm_job_id", "uid", "user"),
                all.names());
        var none = ContainerLabels.of(new ContainerLabels.Switches(false, false, false), "/mg/starter_1", "starter_1", 1,
                1000, "alice", "web1", "4242");
        assertEquals(List.of("id", "name", "pid", "uid"), none.names());
        assertEquals(List.of("/mg/starter_1", "starter_1", "1", "1000"), none.values());
        var device = none.withDevice("sda");
        assertEquals(List.of("device", "id", "name", "pid", "uid"), device.names());
        assertEquals(List.of("sda", "/mg/starter_1", "starter_1", "1", "1000"), device.values());
    }

    @Test
    void valuesAreBoundedAndTamed() {
        assertEquals("my_instance__rm_-rf", ContainerLabels.sanitise("my instance; rm -rf"));
        assertEquals("", ContainerLabels.sanitise(null));
        // cut when read (proc.UserStrings, --label.max-value-bytes), not again here: one cut everywhere
        assertEquals(500, ContainerLabels.sanitise("x".repeat(500)).length());
        assertEquals("_x", ContainerLabels.sanitise("\uD83D\uDE00x"), "one _ per character, not per UTF-16 unit");
        assertEquals("j.doe@example.org", ContainerLabels.sanitise("j.doe@example.org"));
        assertEquals("__", ContainerLabels.sanitise("é\n"));
    }
}
