package io.apptheus.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ProcsTest {
    @Test
    void stopsAndKillsATree() throws Exception {
        // sh forks two sleeps and waits: a root with two children
        Process sh = new ProcessBuilder("/bin/sh", "-c", "sleep 60 & sleep 60 & wait").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sh.toHandle().children().count() < 2 && System.nanoTime() < deadline) {
                Procs.sleep(5);
            }
            List<ProcessHandle> kids = sh.toHandle().children().toList();
            assertEquals(2, kids.size());
            assertEquals(OptionalLong.of(sh.pid()), Procs.ppid(kids.get(0).pid()));

            Procs.signal("STOP", List.of(kids.get(0).pid()));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Procs.state(kids.get(0).pid()).equals(Optional.of('T')) && System.nanoTime() < deadline) {
                Procs.sleep(5);
            }
            assertEquals(Optional.of('T'), Procs.state(kids.get(0).pid()));

            List<ProcessHandle> killed = Procs.killTree(List.of(sh.toHandle()), Duration.ofSeconds(5));
            assertEquals(3, killed.size());
            killed.forEach(h -> assertFalse(Procs.isRunning(h), "still running: " + h.pid()));
            assertTrue(sh.waitFor(5, TimeUnit.SECONDS));
        } finally {
            Procs.killTree(List.of(sh.toHandle()), Duration.ofSeconds(5));
        }
    }
}
