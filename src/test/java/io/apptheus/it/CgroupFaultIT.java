package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static io.apptheus.it.support.Scrape.named;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.TestCgroups;

/**
 * cgroup faults made for real on the agent's own cgroups (all under this test's parent, nested in
 * the test's own cgroups): a parent removed under the agent, a move the kernel refuses, a
 * container's cgroup removed while it runs. Each is logged with the container and the file,
 * counted, and leaves the other containers and the next callers alone.
 */
class CgroupFaultIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Map<String, String> DELAYED = Map.of("FAKESTARTER_START_DELAY_MS", "300");

    @RegisterExtension
    final ItResources it = new ItResources();

    private FakeStarter.Handle starter(String... workload) {
        return it.starters().start(it.trustedStarter(), it.socketPath(), DELAYED, workload);
    }

    private Path parentIn(String hierarchy) {
        Path dir = it.cgroups().dirsOf(it.cgroupParent()).get(hierarchy);
        assumeTrue(dir != null, "no " + hierarchy + " hierarchy here");
        return dir;
    }

    /** A hierarchy of the agent's that is not the one it counts processes in (on pure v2: the only one). */
    private String sampledHierarchy() {
        return it.cgroups().dirsOf(it.cgroupParent()).containsKey("memory") ? "memory" : TestCgroups.UNIFIED;
    }

    private static HttpResponse<String> awaitReadiness(AgentProcess agent, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (;;) {
            String last;
            try {
                HttpResponse<String> r = agent.get(AgentProcess.READY_PATH);
                if (r.statusCode() == status) {
                    return r;
                }
                last = r.statusCode() + ": " + r.body();
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            assertTrue(System.nanoTime() < deadline, "readiness stays " + last);
            Thread.sleep(100);
        }
    }

    private List<Path> containerCgroupsLeft(String name) {
        return it.cgroups().leftovers(it.cgroupParent()).stream()
                .filter(p -> p.getFileName().toString().equals(name)).toList();
    }

    @Test
    void aParentRemovedUnderTheAgentMakesItUnreadyUntilTheNextCallerHasItMadeAgain() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        Path parent = parentIn(sampledHierarchy());
        Files.delete(parent); // empty: no container yet; an administrator's clean-up script could do it

        HttpResponse<String> down = awaitReadiness(agent, 503);
        assertTrue(down.body().contains(parent.toString()), "readiness names the missing parent: " + down.body());

        FakeStarter.Handle h = starter("sleep", "3");
        String name = "starter_" + h.pid();
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.value("container_processes", named(name)).orElse(0) >= 1);
        assertTrue(Files.isDirectory(parent.resolve(name)), "the parent was made again, with the container in it");
        assertTrue(agent.log().contains("the cgroup parent [" + parent + "] is missing; making it again"),
                agent.logTail(20));
        awaitReadiness(agent, 200);

        assertEquals(0, h.awaitExit(Duration.ofSeconds(20)));
        agent.awaitScrape(Duration.ofSeconds(60), s -> s.value("container_processes", named(name)).orElse(-1) == 0);
        assertEquals(List.of(), containerCgroupsLeft(name));
    }

    @Test
    void aReadOnlyHierarchyKeepsTheAgentUnreadyAndItsCallersAreRefusedWithACountedError() throws Exception {
        String hierarchy = sampledHierarchy();
        Path mount = it.cgroups().mountPoint(hierarchy).orElseThrow();
        // read-only in a mount namespace of the agent's own (as a container runtime mounts cgroupfs
        // for an unprivileged pod); the host's mount is untouched
        AgentProcess agent = it.agent().wrappedBy("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -o remount,bind,ro \"$0\" && exec \"$@\"", mount.toString()).start();
        agent.awaitLog("cannot prepare the cgroup parent", READY);
        Path parent = parentIn(hierarchy);
        HttpResponse<String> down = awaitReadiness(agent, 503);
        assertTrue(down.body().contains(parent.toString()), "readiness names the parent: " + down.body());
        assertEquals(200, agent.get("/q/health/live").statusCode(), "alive: it serves what it can");

        Map<String, String> own = it.cgroups().cgroupOf(ProcessHandle.current().pid());
        FakeStarter.Handle refused = starter("sleep", "2");
        String name = "starter_" + refused.pid();
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.registrations("error") == 1);
        String line = agent.log().lines().filter(l -> l.contains("container " + name + ":")
                && l.contains("registration failed")).findFirst().orElse("");
        assertTrue(line.contains(parent.toString()) && line.contains("Read-only file system"),
                "the log names the container, the directory and the cause: " + agent.logTail(20));
        assertEquals(own, it.cgroups().cgroupOf(refused.childPid()), "the workload stays where its job put it");
        assertEquals(0, refused.awaitExit(Duration.ofSeconds(20)), "a refused container still runs");
        assertTrue(containerCgroupsLeft(name).isEmpty());
    }

    @Test
    void aMoveTheKernelRefusesIsLoggedCountedAndUndoneAndTheNextCallerIsServed() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        // A threaded child makes the parent a thread root; a domain cgroup made below it then is
        // "domain invalid", and the kernel refuses (EOPNOTSUPP) to move a process into it.
        Path threads = Files.createDirectory(parentIn(TestCgroups.UNIFIED).resolve("threads"));
        Files.writeString(threads.resolve("cgroup.type"), "threaded");
        Map<String, String> own = it.cgroups().cgroupOf(ProcessHandle.current().pid());

        FakeStarter.Handle refused = starter("sleep", "4");
        String name = "starter_" + refused.pid();
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60), x -> x.registrations("error") == 1);
        assertFalse(s.has("container_processes", named(name)));
        assertEquals(0.0, s.registrations("accepted"));
        String line = agent.log().lines().filter(l -> l.contains("container " + name + ":")
                && l.contains("registration failed")).findFirst().orElse("");
        assertTrue(line.contains("cgroup.procs") && line.contains("Operation not supported"),
                "the log names the container, the file and the cause: " + agent.logTail(20));
        // the caller and its workload are back where their job had them, in every hierarchy
        assertEquals(own, it.cgroups().cgroupOf(refused.pid()));
        assertEquals(own, it.cgroups().cgroupOf(refused.childPid()));
        agent.awaitScrape(Duration.ofSeconds(60), x -> containerCgroupsLeft(name).isEmpty());
        assertTrue(refused.isChildRunning(), "a refused container still runs, unmonitored");

        Files.delete(threads); // the parent is a domain again
        FakeStarter.Handle served = starter("sleep", "2");
        String next = "starter_" + served.pid();
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.value("container_processes", named(next)).orElse(0) >= 1);
        awaitReadiness(agent, 200);
        assertEquals(0, served.awaitExit(Duration.ofSeconds(20)));
        assertEquals(0, refused.awaitExit(Duration.ofSeconds(20)));
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.value("container_processes", named(next)).orElse(-1) == 0);
        assertEquals(List.of(), containerCgroupsLeft(next));
    }

    @Test
    void cgroupsRemovedUnderRunningContainersAreCountedAndTheOtherContainersAreUntouched() throws Exception {
        assumeTrue(it.cgroups().dirsOf(it.cgroupParent()).keySet().containsAll(List.of("memory", TestCgroups.UNIFIED)),
                "a hybrid host: processes counted in the unified hierarchy, memory sampled in v1");
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle sampled = starter("sleep", "6");
        FakeStarter.Handle counted = starter("sleep", "8");
        FakeStarter.Handle bystander = starter("burn", "8");
        String sampledName = "starter_" + sampled.pid();
        String countedName = "starter_" + counted.pid();
        String bystanderName = "starter_" + bystander.pid();
        agent.awaitScrape(Duration.ofSeconds(60), x -> List.of(sampledName, countedName, bystanderName).stream()
                .allMatch(n -> x.value("container_processes", named(n)).orElse(0) >= 2));

        // 1. a hierarchy the agent only samples: its files vanish, the rest of the container goes on
        String hierarchy = "memory";
        removeUnderRunningProcesses(hierarchy, sampledName);
        Scrape first = agent.awaitScrape(Duration.ofSeconds(60), x -> x.value("apptheus_sample_errors_total",
                Map.of("reason", "vanished")).orElse(0) >= 1);
        String line = agent.log().lines().filter(l -> l.contains("container " + sampledName + ":")
                && l.contains("vanished")).findFirst().orElse("");
        assertTrue(line.contains(parentIn(hierarchy).resolve(sampledName).toString()),
                "the log names the container and the file: " + agent.logTail(20));
        double seen = first.value("container_last_seen", named(sampledName)).orElseThrow();
        double burnt = first.value("container_cpu_usage_seconds_total", named(bystanderName)).orElseThrow();
        Scrape later = agent.awaitScrape(Duration.ofSeconds(60), x ->
                x.value("container_last_seen", named(sampledName)).orElse(0) > seen
                && x.value("container_cpu_usage_seconds_total", named(bystanderName)).orElse(0) > burnt);
        assertEquals(2.0, later.value("container_processes", named(sampledName)).orElseThrow(),
                "its other files are still read");

        // 2. the hierarchy it counts processes in: the container ends, its other cgroups are
        // removed once its processes are gone (busy until then: counted, retried at each sweep)
        removeUnderRunningProcesses(TestCgroups.UNIFIED, countedName);
        agent.awaitScrape(Duration.ofSeconds(60), x -> x.value("container_processes", named(countedName))
                .orElse(-1) == 0 && x.value("apptheus_cleanup_failures_total").orElse(0) >= 1);
        assertTrue(counted.isChildRunning(), "ended while its processes still run elsewhere");

        for (FakeStarter.Handle h : List.of(sampled, counted, bystander)) {
            assertEquals(0, h.awaitExit(Duration.ofSeconds(20)));
        }
        Scrape end = agent.awaitScrape(Duration.ofSeconds(60), x -> List.of(sampledName, countedName, bystanderName)
                .stream().allMatch(n -> x.value("container_processes", named(n)).orElse(-1) == 0)
                && List.of(sampledName, countedName, bystanderName).stream().allMatch(n -> containerCgroupsLeft(n)
                        .isEmpty()));
        assertTrue(end.value("container_cpu_usage_seconds_total", named(bystanderName)).orElseThrow()
                >= 0.8 * bystander.childCpuSeconds(), "the bystander's counters are whole");
        assertEquals(0.0, end.registrations("error"));
        assertTrue(agent.isAlive());
    }

    /**
     * Moves every process of a container's cgroup in one hierarchy to a cgroup of the test's own
     * under the parent ({@code aside}, not named like a container), then removes the emptied cgroup.
     */
    private void removeUnderRunningProcesses(String hierarchy, String name) throws IOException {
        Path parent = parentIn(hierarchy);
        Path aside = parent.resolve("aside");
        if (!Files.isDirectory(aside)) {
            Files.createDirectory(aside);
        }
        Path dir = parent.resolve(name);
        for (long pid : TestCgroups.procs(dir)) {
            TestCgroups.attach(pid, aside);
        }
        Files.delete(dir);
    }
}
