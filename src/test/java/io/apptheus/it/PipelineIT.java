package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.apptheus.it.support.Scrape.named;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;

/**
 * The path of one container through the packaged agent, on this machine's real cgroups: a trusted
 * starter that forked its workload before it connected is moved with that workload into its own
 * cgroup, measured, and cleaned up when it ends.
 */
class PipelineIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void measuresTheAlreadyForkedWorkloadAndCleansUpAfterRetention() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(3)).start().awaitReady(READY);
        // the workload holds 48 MiB and burns 2 s of CPU; like Apptainer's container process it
        // starts its work a moment after the fork, once the master has connected
        FakeStarter.Handle starter = it.starters().start(it.trustedStarter(), it.socketPath(),
                Map.of("FAKESTARTER_START_DELAY_MS", "300"), "burn", "2", "1", "48");
        String name = "starter_" + starter.pid();

        Scrape running = agent.awaitScrape(Duration.ofSeconds(60),
                s -> s.value("container_memory_usage_bytes", named(name)).orElse(0) > 32 << 20);
        Map<String, String> labels = running.series("container_cpu_usage_seconds_total", named(name)).get(0).labels();
        assertEquals(Long.toString(starter.pid()), labels.get("pid"));
        assertEquals("0", labels.get("uid"));
        assertTrue(labels.get("id").endsWith("/" + it.cgroupParent() + "/" + name), labels.toString());
        assertTrue(running.value("container_threads", named(name)).orElse(0) >= 2, "master and workload threads");
        assertEquals(1.0, running.value("apptheus_containers").orElseThrow());

        // the workload was forked before the connect: it must be in the container's cgroup
        Path workloadCgroup = it.cgroups().dirOf(starter.childPid(), "cpuacct");
        assertTrue(workloadCgroup.endsWith(Path.of(it.cgroupParent(), name)), workloadCgroup.toString());

        assertEquals(0, starter.awaitExit(Duration.ofSeconds(30)));
        double burned = starter.childCpuSeconds();
        Scrape ended = agent.awaitScrape(Duration.ofSeconds(30),
                s -> s.value("container_processes", named(name)).orElse(-1) == 0);
        double measured = ended.value("container_cpu_usage_seconds_total", named(name)).orElseThrow();
        assertTrue(measured >= 0.8 * burned, "measured " + measured + " s of " + burned + " s burned");
        assertTrue(it.cgroups().leftovers(it.cgroupParent()).stream().noneMatch(p -> p.endsWith(name)),
                "the cgroup is removed at once: " + it.cgroups().leftovers(it.cgroupParent()));

        // final values stay for the retention, then every series goes
        Thread.sleep(1000);
        assertTrue(agent.scrape().has("container_cpu_usage_seconds_total", named(name)), "retained");
        Scrape after = agent.awaitScrape(Duration.ofSeconds(60), s -> !s.raw().contains(name));
        assertEquals(0.0, after.value("apptheus_containers").orElseThrow());
        assertEquals(1.0, after.value("apptheus_registrations_total", Map.of("result", "accepted")).orElseThrow());
    }

    @Test
    void untrustedCopyIsRefusedCountedAndHasNoSeries() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        FakeStarter.Handle starter = it.start(it.untrustedStarter(), it.socketPath(), "sleep", "3");
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60),
                x -> x.value("apptheus_registrations_total", Map.of("result", "untrusted")).orElse(0) == 1);
        assertFalse(s.raw().contains("starter_" + starter.pid()));
        assertTrue(agent.log().contains("refused pid " + starter.pid()), agent.logTail(20));
        assertEquals(0, starter.awaitExit(Duration.ofSeconds(10)), "a refused starter still runs its container");
        assertTrue(it.cgroups().leftovers(it.cgroupParent()).stream()
                .noneMatch(p -> p.getFileName().toString().startsWith("starter_")));
    }

    @Test
    void aClosedConnectionDoesNotEndAContainerWhoseProcessesRun() throws Exception {
        AgentProcess agent = it.agent().retainExited(Duration.ofSeconds(30)).start().awaitReady(READY);
        FakeStarter.Handle starter = it.start(it.trustedStarter(), it.socketPath(), "sleep", "60");
        String name = "starter_" + starter.pid();
        agent.awaitScrape(Duration.ofSeconds(30), s -> s.has("container_processes", named(name)));
        long child = starter.childPid();
        starter.handle().destroyForcibly(); // the master dies: its connection closes, the workload lives on
        agent.awaitScrape(Duration.ofSeconds(30), x -> x.value("container_processes", named(name)).orElse(-1) == 1);
        Thread.sleep(1500); // a few sweeps more: the closed connection alone must not end the container
        Scrape s = agent.scrape();
        assertEquals(1.0, s.value("container_processes", named(name)).orElseThrow(), "workload " + child);
        ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
        Scrape ended = agent.awaitScrape(Duration.ofSeconds(30),
                x -> x.value("container_processes", named(name)).orElse(-1) == 0);
        assertTrue(ended.has("container_cpu_usage_seconds_total", named(name)), "final values kept");
    }

    @Test
    void seedUsageTrustsBothStarterPathsAndServesBuildInfo() throws Exception {
        Path suid = it.trustedStarter().resolveSibling("starter-suid");
        Files.copy(it.trustedStarter(), suid);
        AgentProcess agent = it.agent().trustPaths(it.trustedStarter(), suid).start().awaitReady(READY);
        FakeStarter.Handle a = it.start(suid, it.socketPath(), "sleep", "2");
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60),
                x -> x.has("container_processes", named("starter-suid_" + a.pid())));
        assertTrue(s.has("apptheus_build_info", Map.of()), "build info");
        Map<String, String> build = s.series("apptheus_build_info").get(0).labels();
        assertTrue(build.keySet().containsAll(java.util.Set.of("version", "revision", "branch", "javaversion")),
                build.toString());
        assertEquals(200, agent.get("/q/health/live").statusCode());
        assertEquals(200, agent.get("/q/health/ready").statusCode());
    }

    @Test
    void identityLabelsComeFromTheKernelAndTheStartersOwnTitleAndEnvironment() throws Exception {
        AgentProcess agent = it.agent().flag("--label.slurm", "true").start().awaitReady(READY);
        FakeStarter.Handle instance = it.starters().start(it.trustedStarter(), it.socketPath(),
                Map.of("FAKESTARTER_TITLE", "Apptainer instance: root [web1]", "SLURM_JOB_ID", "4242"), "sleep", "3");
        FakeStarter.Handle plain = it.starters().start(it.trustedStarter(), it.socketPath(),
                Map.of("FAKESTARTER_TITLE", "Apptainer runtime parent"), "sleep", "3");
        Scrape s = agent.awaitScrape(Duration.ofSeconds(60),
                x -> x.has("container_processes", named("starter_" + instance.pid()))
                        && x.has("container_processes", named("starter_" + plain.pid())));
        Map<String, String> a = s.series("container_processes", named("starter_" + instance.pid())).get(0).labels();
        assertEquals("root", a.get("user"));
        assertEquals("web1", a.get("apptainer_instance"));
        assertEquals("4242", a.get("slurm_job_id"));
        Map<String, String> b = s.series("container_processes", named("starter_" + plain.pid())).get(0).labels();
        assertEquals("", b.getOrDefault("apptainer_instance", ""), "a plain run is no instance");
        assertEquals("", b.getOrDefault("slurm_job_id", ""), "not under Slurm");
    }

    @Test
    void servesExactlyTheConfiguredTelemetryPath() throws Exception {
        AgentProcess agent = it.agent().telemetryPath("/custom/scrape").start().awaitReady(READY);
        assertEquals(200, agent.get("/custom/scrape").statusCode());
        assertTrue(agent.get("/custom/scrape").body().contains("apptheus_build_info"));
        assertEquals(404, agent.get("/metrics").statusCode());

        // content negotiation as Prometheus does it: OpenMetrics when asked for, else text 0.0.4
        var http = java.net.http.HttpClient.newHttpClient();
        var om = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(agent.baseUrl() + "/custom/scrape"))
                .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                om.headers().toString());
        assertTrue(om.body().strip().endsWith("# EOF"), "OpenMetrics ends with # EOF");
        var text = agent.get("/custom/scrape");
        assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    }

    @Test
    void sigtermRemovesTheSocketAndExitsCleanly() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        assertTrue(Files.exists(it.socketPath()));
        assertEquals("rwxrwxrwx", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(it.socketPath())));
        agent.sigterm();
        int code = agent.awaitExit(Duration.ofSeconds(5));
        assertEquals(0, code, agent.logTail(20));
        assertFalse(Files.exists(it.socketPath()), "socket removed");
    }
}
