package io.apptheus.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Small /proc helpers for tests: states, parents, signals and killing a whole process tree.
 *
 * <p>Children are found by scanning the {@code PPid} of every process ({@link
 * ProcessHandle#descendants()}), not through {@code /proc/PID/task/TID/children}: that file needs
 * CONFIG_PROC_CHILDREN, which this machine's kernel (6.18, firecracker) lacks.
 */
public final class Procs {
    private Procs() {
    }

    /**
     * The state letter of {@code /proc/PID/stat} (R, S, D, T, t, Z, X, ...), empty if there is no
     * such process. Format: {@code 1234 (comm with ) maybe) S 1 ...}: the state follows the last ')'.
     */
    public static Optional<Character> state(long pid) {
        return statFields(pid).map(f -> f[0].charAt(0));
    }

    /** The parent PID from {@code /proc/PID/stat} (4th field), empty if there is no such process. */
    public static OptionalLong ppid(long pid) {
        Optional<String[]> f = statFields(pid);
        return f.isPresent() ? OptionalLong.of(Long.parseLong(f.get()[1])) : OptionalLong.empty();
    }

    /** Alive and not a zombie (a zombie has exited, only its parent has not reaped it yet). */
    public static boolean isRunning(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        Optional<Character> s = state(h.pid());
        return s.isPresent() && s.get() != 'Z' && s.get() != 'X';
    }

    /** {@code /proc/PID/exe} resolved, empty if the process is gone or has no exe (kernel thread). */
    public static Optional<Path> exe(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Sends a signal by name (TERM, KILL, STOP, CONT, ...) with the shell's builtin kill (no procps
     * needed); processes already gone are ignored.
     */
    public static void signal(String signal, Collection<Long> pids) {
        if (pids.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "kill -s \"$0\" \"$@\"", signal));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("kill -s " + signal + " " + pids + " did not return");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -s " + signal + " " + pids, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + pids, e);
        }
    }

    /**
     * Kills the roots and all their descendants with SIGKILL. The tree is first frozen with SIGSTOP,
     * round after round until no new descendant appears (a stopped process cannot fork, and a parent
     * killed first would let its children escape to PID 1 before we saw them), then killed. Waits up
     * to {@code wait} for every process to be gone or a zombie.
     *
     * @return the processes that were killed (empty if none was alive)
     */
    public static List<ProcessHandle> killTree(Collection<ProcessHandle> roots, Duration wait) {
        Set<ProcessHandle> seen = new LinkedHashSet<>();
        for (int round = 0; round < 50; round++) {
            List<ProcessHandle> fresh = new ArrayList<>();
            for (ProcessHandle r : roots) {
                if (r.isAlive() && seen.add(r)) {
                    fresh.add(r);
                }
            }
            for (ProcessHandle h : List.copyOf(seen)) {
                h.descendants().forEach(d -> {
                    if (seen.add(d)) {
                        fresh.add(d);
                    }
                });
            }
            if (fresh.isEmpty()) {
                break;
            }
            signal("STOP", fresh.stream().map(ProcessHandle::pid).collect(Collectors.toList()));
            awaitStopped(fresh, Duration.ofMillis(500));
        }
        seen.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + wait.toNanos();
        while (seen.stream().anyMatch(Procs::isRunning) && System.nanoTime() < deadline) {
            sleep(10);
        }
        return List.copyOf(seen);
    }

    private static void awaitStopped(List<ProcessHandle> procs, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = procs.stream().allMatch(h -> {
                Optional<Character> s = state(h.pid());
                return !h.isAlive() || s.isEmpty() || "TtZX".indexOf(s.get()) >= 0;
            });
            if (all) {
                return;
            }
            sleep(2);
        }
    }

    /** Fields of /proc/PID/stat from the state on: [0] state, [1] ppid, ... */
    private static Optional<String[]> statFields(long pid) {
        String text;
        try {
            text = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "stat")),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        int close = text.lastIndexOf(')');
        if (close < 0 || close + 2 >= text.length()) {
            return Optional.empty();
        }
        return Optional.of(text.substring(close + 2).trim().split(" "));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
