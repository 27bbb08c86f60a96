package io.apptheus.cli.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.apptheus.status.StatusJson;
import io.apptheus.status.Views;

class PsTableTest {

    /** The API's JSON for the fixed containers, as ps receives it. */
    private static List<PsRow> rows() {
        return PsRow.parseList(StatusJson.list(Views.AGENT, Views.NODE, Views.NOW, Views.all(), false).encode());
    }

    @Test
    void busiestCpuFirstAligned() {
        assertEquals("""
                NAME               USER    INSTANCE    PID    CPU   MEM / LIMIT        IO R/W /s     THREADS      UP   STATE
                starter_4242       alice   web1       4242   1.98   48.0MiB / 2.0GiB   0B / 1.2MiB         3   5m12s   running
                starter-suid_777   1234    (run)       777   0.25   2.5GiB / max       - / -              17   1h01m   running
                starter_99         root    -            99      -   0B / max           - / -               0   1m00s   exited-retained
                """, PsTable.format(rows(), PsArgs.Sort.CPU));
    }

    @Test
    void sortsByMemoryIoAndStart() {
        assertEquals(List.of("starter-suid_777", "starter_4242", "starter_99"), names(PsArgs.Sort.MEM));
        assertEquals(List.of("starter_4242", "starter-suid_777", "starter_99"), names(PsArgs.Sort.IO));
        assertEquals(List.of("starter_99", "starter_4242", "starter-suid_777"), names(PsArgs.Sort.START));
    }

    @Test
    void noContainersIsTheHeaderAlone() {
        assertEquals("NAME   USER   INSTANCE   PID   CPU   MEM / LIMIT   IO R/W /s   THREADS   UP   STATE\n",
                PsTable.format(List.of(), PsArgs.Sort.CPU));
    }

    @Test
    void anAnswerThatIsNotTheApiIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PsRow.parseList("<html>hello</html>"));
        assertThrows(IllegalArgumentException.class, () -> PsRow.parseList("{\"status\":\"UP\"}"));
        assertThrows(IllegalArgumentException.class, () -> PsRow.parseList("[1,2]"));
    }

    private static List<String> names(PsArgs.Sort sort) {
        return PsTable.format(rows(), sort).lines().skip(1).map(l -> l.split(" +")[0]).toList();
    }
}
