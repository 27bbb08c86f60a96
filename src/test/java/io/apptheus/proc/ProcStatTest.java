package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ProcStatTest {

    @Test
    void fieldsAfterTheLastParenthesis() {
        // a comm with spaces and a parenthesis, as a program may set it
        String line = "4242 (Apptainer (x) y) S 1 4242 4242 0 -1 4194560 103 0 0 0 0 0 0 0 20 0 1 0 "
                + "123456 10485760 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        ProcStat s = ProcStat.parse(line);
        assertEquals('S', s.state());
        assertEquals(123456, s.startTime());
        assertEquals(1, s.ppid());
        assertTrue(ProcStat.parse(line.replace(") S 1", ") Z 1")).zombie());
    }

    @Test
    void ownProcessIsReadable() throws Exception {
        ProcReader proc = new ProcReader(Path.of("/proc"));
        long self = ProcessHandle.current().pid();
        assertTrue(proc.stat(self).startTime() > 0);
        assertTrue(proc.exe(self).endsWith("java"));
    }

    @Test
    void treeFindsChildrenAndGrandchildren() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "sleep 30 & sh -c 'sleep 30 & wait' & wait").start();
        try {
            ProcReader proc = new ProcReader(Path.of("/proc"));
            Set<Long> tree = Set.of();
            for (int i = 0; i < 100 && tree.size() < 4; i++) {
                Thread.sleep(20);
                tree = proc.tree(p.pid());
            }
            // sh, sleep, sh, sleep
            assertEquals(4, tree.size(), tree.toString());
            assertEquals(p.pid(), tree.iterator().next());
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void goneProcessHasNoChildren() throws Exception {
        assertTrue(new ProcReader(Path.of("/proc")).children(Integer.MAX_VALUE - 1L).isEmpty());
    }

    @Test
    void withoutTheChildrenFileTheTreeComesFromPpid(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        // a procfs of a kernel built without CONFIG_PROC_CHILDREN: task dirs, no children files
        writeProc(root, 10, 1);
        writeProc(root, 11, 10);
        writeProc(root, 12, 11);
        writeProc(root, 13, 1);
        assertEquals(java.util.List.of(10L, 11L, 12L), java.util.List.copyOf(new ProcReader(root).tree(10)));
    }

    private static void writeProc(Path root, long pid, long ppid) throws Exception {
        Path dir = java.nio.file.Files.createDirectories(root.resolve(pid + "/task/" + pid));
        java.nio.file.Files.writeString(root.resolve(pid + "/stat"), pid + " (x) S " + ppid
                + " 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0");
    }

    @Test
    void errorsOfAnExitingProcessMeanGone() {
        assertTrue(ProcReader.isGone(new java.nio.file.NoSuchFileException("/proc/1/stat")));
        assertTrue(ProcReader.isGone(new java.nio.file.FileSystemException("/proc/1/exe", null, "No such process")));
        assertTrue(ProcReader.isGone(new java.io.IOException("No such process")), "ESRCH from read()");
        assertTrue(!ProcReader.isGone(new java.io.IOException("Permission denied")));
    }
}
