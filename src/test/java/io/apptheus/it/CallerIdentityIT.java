package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.AgentProcess;
import io.apptheus.it.support.FakeStarter;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Launcher;
import io.apptheus.it.support.Scrape;

/**
 * Who the caller is, whatever it calls itself: a user who bind-mounts the trusted starter over a
 * file named as they like (in their own user and mount namespace) gets the trusted entry's name;
 * code that connects and then execs the trusted starter makes no error and no noise.
 */
class CallerIdentityIT {

    private static final Duration READY = Duration.ofSeconds(60);

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void aBindMountedStarterIsNamedAfterTheTrustedEntryNotTheCallersFile() throws Exception {
        assumeUserNamespaces();
        AgentProcess agent = it.agent().start().awaitReady(READY);
        Path home = Files.createDirectories(it.tempDir().resolve("home"));
        Files.setAttribute(home, "unix:uid", 65534);
        List<FakeStarter.Handle> callers = new ArrayList<>();
        for (String evil : new String[] {"x\"y{z}#q <b>\\_10281", "line\nbreak", "../../escape"}) {
            Path file = home.resolve(evil.replace("/", "_"));
            // as uid 65534: a user namespace (root inside), a mount namespace, the trusted file mounted over
            // theirs; exec keeps the PID, so the handle's PID is the caller's
            // ($1 their file, $2 the trusted starter, then its arguments)
            String script = ": > \"$1\" && mount --bind \"$2\" \"$1\" && f=\"$1\" && shift 2 && exec \"$f\" \"$@\"";
            List<String> wrapper = new ArrayList<>(Launcher.NOBODY);
            wrapper.addAll(List.of("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, "sh",
                    file.toString()));
            callers.add(it.starters().startAs(wrapper, it.trustedStarter(), it.socketPath(), Map.of(), "sleep", "20"));
        }
        Scrape s = agent.awaitScrape(Duration.ofSeconds(30), x -> x.registrations("accepted") == callers.size());
        for (FakeStarter.Handle h : callers) {
            String name = "starter_" + h.pid();
            assertTrue(s.has("container_processes", Scrape.named(name)), name + " in\n" + s.raw());
            Map<String, String> cg = it.cgroups().cgroupOf(h.childPid());
            List<String> ours = cg.values().stream().filter(p -> p.contains(it.cgroupParent())).toList();
            assertFalse(ours.isEmpty(), "moved into the container's cgroup: " + cg);
            assertTrue(ours.stream().allMatch(p -> p.endsWith("/" + it.cgroupParent() + "/" + name)),
                    "the cgroup is " + name + ": " + cg);
        }
        assertEquals(callers.size(), s.series("container_processes").size());
        assertFalse(s.raw().contains("10281") || s.raw().contains("break") || s.raw().contains("escape"), s.raw());
        assertEquals(0.0, s.registrations("error"));
    }

    @Test
    void codeThatConnectsThenExecsTheStarterIsAQuietCountedResult() throws Exception {
        AgentProcess agent = it.agent().start().awaitReady(READY);
        int tries = 0;
        double seen = 0;
        while (seen == 0) {
            tries++;
            // untrusted code connects, then becomes the trusted starter (same PID), which connects itself 0.5 s later
            FakeStarter.Handle h = it.starters().startAs(Launcher.NOBODY, it.untrustedStarter(), it.socketPath(),
                    Map.of("FAKESTARTER_CONNECT_DELAY_MS", "500"), "connectexec", it.trustedStarter().toString(),
                    "sleep", "3");
            int attempt = tries;
            // (a scrape writes the containers' series before the counters: wait for both)
            Scrape s = agent.awaitScrape(Duration.ofSeconds(30), x -> x.registrations("accepted")
                    + x.registrations("untrusted") + x.registrations("already_monitored") == 2 * attempt
                    && x.has("container_processes", Scrape.named("starter_" + h.pid())));
            assertEquals(0.0, s.registrations("error"), agent.logTail(20));
            assertEquals(attempt, s.registrations("accepted"), "each process is monitored once: " + agent.logTail(20));
            seen = s.registrations("already_monitored");
            assertTrue(seen > 0 || tries < 10, "the first connection was verified before the exec 10 times");
        }
        assertEquals(List.of(), agent.log().lines().filter(l -> l.contains("level=error") || l.contains("level=warn")
                && l.contains("cgroup")).toList());
        assertTrue(agent.isAlive());
    }

    /** Unprivileged user namespaces (Debian 12: on); without them the attack does not exist, but CI must have them. */
    private static void assumeUserNamespaces() throws Exception {
        List<String> cmd = new ArrayList<>(Launcher.NOBODY);
        cmd.addAll(List.of("unshare", "--user", "--map-root-user", "--mount", "true"));
        boolean ok = new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor() == 0;
        if (!ok && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0?)");
        }
        Assumptions.assumeTrue(ok, "unprivileged user namespaces are off");
    }
}
