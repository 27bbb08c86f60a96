package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import io.apptheus.it.support.BoxAgent;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.SystemdBox;

/**
 * apptheus.service as shipped, run by a real systemd (Debian 12's, PID 1 of its own namespaces
 * with real cgroup controllers, see {@link SystemdBox}) from the installed Debian package: the
 * hardening lets everything the agent does through (and a blocked call kills it visibly), stop
 * and restart leave containers running and adopted, a crash is restarted, a site's line in
 * /etc/default/apptheus wins, and a broken one stops the agent with one line and no restart loop.
 * The steps run in order on one box; containers are fake starters run as user nobody in units of
 * their own, as a user's job runs Apptainer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdUnitIT {

    private static final String DROP_INS = "/etc/systemd/system/apptheus.service.d/";
    private static final String UNIT_CGROUP = "/system.slice/apptheus.service";

    private final ItResources it = new ItResources();
    private SystemdBox box;
    private BoxAgent agent;
    private long container;

    @BeforeAll
    void boot() {
        box = it.register(SystemdBox.boot(it.tempDir().resolve("box")));
        agent = new BoxAgent(box);
        agent.installFakeStarter();
        agent.install(BoxAgent.deb("apptheus"));
        agent.awaitServing(9091);
    }

    @AfterAll
    void stop() {
        it.close();
    }

    private Map<String, String> containerLabels() {
        return Scrape.named("starter_" + container);
    }

    private void restart() {
        box.exec("systemctl", "daemon-reload").ok();
        box.exec(Duration.ofMinutes(3), "systemctl", "restart", "apptheus").ok();
    }

    @Test
    @Order(1)
    void theHardenedAgentMonitorsAnotherUsersContainerInsideItsDelegatedCgroup() {
        long pid = agent.mainPid();
        String status = box.exec("cat", "/proc/" + pid + "/status").ok().out();
        assertTrue(status.contains("NoNewPrivs:\t1") && status.contains("Seccomp:\t2"), status);
        for (String p : List.of("ProtectSystem=strict", "ProtectHome=yes", "NoNewPrivileges=yes", "Delegate=yes",
                "KillMode=process", "PrivateTmp=yes", "RestrictNamespaces=yes", "LockPersonality=yes")) {
            String[] kv = p.split("=");
            assertEquals(kv[1], box.show("apptheus", kv[0]), p);
        }
        assertEquals(Set.of("AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"),
                Set.of(box.show("apptheus", "RestrictAddressFamilies").split(" ")));
        assertTrue(box.show("apptheus", "SystemCallFilter").contains("epoll_wait"), "@system-service is in force");

        container = agent.startContainer("job1", "nobody", "sleep", "900");
        // the starter and the workload it forked before it connected: both moved
        Scrape s = agent.awaitScrape("nobody's container is monitored", 9091,
                x -> x.value("container_processes", containerLabels()).orElse(0) == 2);
        Map<String, String> labels = s.series("container_memory_usage_bytes", containerLabels()).get(0).labels();
        assertEquals("nobody", labels.get("user"), "/proc/PID of another user was read");
        assertEquals(UNIT_CGROUP + "/metric_gateway/starter_" + container, labels.get("id"));

        // Delegate=yes: in every hierarchy systemd delegates, the container sits below the unit's cgroup
        long child = agent.childrenOf(container).get(0);
        Map<String, String> of = agent.cgroupOf(child);
        Map<String, String> own = agent.cgroupOf(agent.mainPid());
        int checked = 0;
        for (String h : Set.of("cpu", "cpu,cpuacct", "memory", "pids", "blkio", "unified")) {
            if (of.containsKey(h)) {
                assertTrue(own.get(h).startsWith(UNIT_CGROUP), "the agent in " + h + ": " + own);
                assertEquals(UNIT_CGROUP + "/metric_gateway/starter_" + container, of.get(h), h + ": " + of);
                checked++;
            }
        }
        assertTrue(checked >= 4, "hierarchies checked: " + of);
    }

    @Test
    @Order(2)
    void everyCallTheAgentMakesPassesItsSystemCallFilter() {
        // SystemCallErrorNumber= (empty): a call outside @system-service kills the agent (SIGSYS)
        // instead of failing with EPERM where only a log line would show it
        box.write(DROP_INS + "strict.conf", "[Service]\nSystemCallErrorNumber=\nLimitCORE=0\n");
        restart();
        assertEquals("2147483646", box.show("apptheus", "SystemCallErrorNumber"), "kill, not an errno");
        agent.awaitServing(9091);
        agent.awaitScrape("the container adopted under the strict filter", 9091,
                x -> x.has("container_memory_usage_bytes", containerLabels()));
        long second = agent.startContainer("job2", "nobody", "burn", "2", "2", "8");
        agent.awaitScrape("a new container registered and ended under the strict filter", 9091,
                x -> x.value("container_processes", Scrape.named("starter_" + second)).orElse(-1) == 0);
        box.exec("systemctl", "stop", "apptheus").ok();
        assertEquals("success", box.show("apptheus", "Result"), box.journal("apptheus"));
        assertEquals("0", box.show("apptheus", "ExecMainStatus"));
        box.exec("rm", DROP_INS + "strict.conf").ok();
        restart();
        agent.awaitServing(9091);
    }

    @Test
    @Order(3)
    void aBlockedCallShowsAsAKilledAgent() {
        // the same strict filter with epoll_ctl taken out: Netty's first epoll registration is fatal
        box.write(DROP_INS + "canary.conf", "[Service]\nSystemCallErrorNumber=\nSystemCallFilter=~epoll_ctl\n"
                + "LimitCORE=0\nRestart=no\n");
        box.exec("systemctl", "daemon-reload").ok();
        box.exec("systemctl", "restart", "apptheus");
        box.await("the agent killed by SIGSYS", BoxAgent.START, () -> box.show("apptheus", "ExecMainStatus"),
                "31"::equals);
        assertEquals("failed", box.show("apptheus", "ActiveState"));
        box.exec("rm", DROP_INS + "canary.conf").ok();
        box.exec("systemctl", "reset-failed", "apptheus").ok();
        restart();
        agent.awaitServing(9091);
    }

    @Test
    @Order(4)
    void stopExitsZeroAndTheContainerRunsOn() {
        box.exec("systemctl", "stop", "apptheus").ok();
        assertEquals("inactive", box.show("apptheus", "ActiveState"));
        assertEquals("success", box.show("apptheus", "Result"));
        assertEquals("0", box.show("apptheus", "ExecMainStatus"), "SIGTERM ends the agent with 0");
        assertTrue(agent.alive(container), "KillMode=process: the container lives");
        long child = agent.childrenOf(container).get(0);
        assertEquals(UNIT_CGROUP + "/metric_gateway/starter_" + container, agent.cgroupOf(child).get("memory"),
                "and stays in its cgroup for the next start");
        assertTrue(box.exec("test", "-e", "/run/apptheus/gateway.sock").exit() != 0, "no stale socket");
    }

    @Test
    @Order(5)
    void startAndRestartAdoptTheRunningContainer() {
        box.exec(Duration.ofMinutes(3), "systemctl", "start", "apptheus").ok();
        agent.awaitScrape("the container adopted after start", 9091, x -> x.has("container_memory_usage_bytes",
                containerLabels()));
        long before = agent.mainPid();
        restart();
        assertNotEquals(before, agent.mainPid());
        agent.awaitScrape("the container adopted after restart", 9091,
                x -> x.has("container_memory_usage_bytes", containerLabels()));
        assertTrue(box.journal("apptheus").contains("container starter_" + container + ": adopted"));
    }

    @Test
    @Order(6)
    void aKilledAgentIsRestartedAfterRestartSec() {
        assertEquals("5s", box.show("apptheus", "RestartUSec"));
        int restarts = Integer.parseInt(box.show("apptheus", "NRestarts"));
        long before = agent.mainPid();
        long killedAt = System.nanoTime();
        box.exec("kill", "-KILL", Long.toString(before)).ok();
        box.await("systemd restarted the killed agent", BoxAgent.START,
                () -> box.show("apptheus", "NRestarts") + " " + box.show("apptheus", "MainPID"),
                v -> v.startsWith((restarts + 1) + " ") && !v.endsWith(" 0") && !v.endsWith(" " + before));
        System.out.printf("SystemdUnitIT: kill -9 -> new main process after %.1f s (RestartSec=5s)%n",
                (System.nanoTime() - killedAt) / 1e9);
        agent.awaitScrape("the container adopted after the crash", 9091,
                x -> x.has("container_memory_usage_bytes", containerLabels()));
    }

    @Test
    @Order(7)
    void aSitesLineInTheSettingsFileWins() {
        box.sh("cp /etc/default/apptheus /root/apptheus.default && "
                + "echo 'APPTHEUS_WEB_LISTEN_ADDRESS=127.0.0.1:9100' >> /etc/default/apptheus").ok();
        restart();
        agent.awaitServing(9100);
        assertTrue(box.curl(9091, "/metrics").exit() != 0, "nothing on :9091 any more");
        box.exec("cp", "/root/apptheus.default", "/etc/default/apptheus").ok();
        restart();
        agent.awaitServing(9091);
    }

    @Test
    @Order(8)
    void aBrokenSettingsFileStopsTheAgentWithOneLineAndNoRestartLoop() {
        String[][] broken = {
                {"APPTHEUS_TRUST_PATHS=/usr/libexec/apptainer/bin/starter",
                        "apptheus: unknown environment variable APPTHEUS_TRUST_PATHS: no flag is called --trust_paths"
                                + " (did you mean APPTHEUS_TRUST_PATH?) (see --help)"},
                {"APPTHEUS_MONITOR_INTERVAL=fast",
                        "apptheus: invalid value \"fast\" for APPTHEUS_MONITOR_INTERVAL (--monitor.interval): "}};
        for (String[] b : broken) {
            box.sh("cp /root/apptheus.default /etc/default/apptheus && echo '" + b[0] + "' >> /etc/default/apptheus")
                    .ok();
            int restarts = Integer.parseInt(box.show("apptheus", "NRestarts"));
            box.exec("systemctl", "restart", "apptheus");
            box.await("the agent stopped on " + b[0], BoxAgent.START, () -> box.show("apptheus", "ActiveState"),
                    "failed"::equals);
            assertEquals("2", box.show("apptheus", "ExecMainStatus"));
            String status = box.exec("systemctl", "status", "--no-pager", "-l", "-n", "20", "apptheus").out();
            assertTrue(status.contains(b[1]), "systemctl status shows the line:\n" + status);
            // RestartSec=5s: a restart loop would have restarted it twice by now
            box.exec("sleep", "12").ok();
            assertEquals("failed", box.show("apptheus", "ActiveState"));
            assertEquals(Integer.toString(restarts), box.show("apptheus", "NRestarts"), "no restart loop");
            long lines = box.journal("apptheus").lines().filter(l -> l.startsWith("apptheus: ")).count();
            assertTrue(lines >= 1, box.journal("apptheus"));
            box.exec("systemctl", "reset-failed", "apptheus").ok();
        }
        box.exec("cp", "/root/apptheus.default", "/etc/default/apptheus").ok();
        restart();
        agent.awaitServing(9091);
    }

    @Test
    @Order(9)
    void withTheSocketUnitTheAgentServesOnSystemdsSocketAndAScrapeStartsIt() {
        box.sh("cp /root/apptheus.default /etc/default/apptheus && "
                + "echo APPTHEUS_WEB_SYSTEMD_SOCKET=true >> /etc/default/apptheus").ok();
        box.exec("systemctl", "stop", "apptheus").ok(); // it holds the port
        box.exec("systemctl", "enable", "--now", "apptheus.socket").ok();
        box.exec(Duration.ofMinutes(3), "systemctl", "start", "apptheus").ok();
        agent.awaitServing(9091);
        agent.awaitScrape("the container adopted behind the socket unit", 9091,
                x -> x.has("container_processes", containerLabels()));
        // the one listening socket on :9091 is systemd's (PID 1 holds it) and the agent serves on it
        String owners = box.sh("inode=$(awk '$4 == \"0A\" && $2 ~ /:2383$/ { print $10 }' /proc/net/tcp /proc/net/tcp6);"
                + " echo listeners=$(echo $inode | wc -w);"
                + " for p in 1 $(systemctl show -p MainPID --value apptheus); do"
                + "   ls -l /proc/$p/fd 2>/dev/null | grep -q \"socket:\\[$inode\\]\" && echo holder=$p; done").ok().out();
        assertTrue(owners.contains("listeners=1") && owners.contains("holder=1")
                && owners.contains("holder=" + agent.mainPid()), owners);

        // with the agent stopped, systemd keeps the port; a scrape starts the agent again
        box.exec("systemctl", "stop", "apptheus.service").ok();
        assertEquals("active", box.show("apptheus.socket", "ActiveState"));
        box.curl(9091, "/metrics"); // may time out while the agent starts: the connection is what counts
        box.await("a connection to the socket started the agent", BoxAgent.START,
                () -> box.show("apptheus", "ActiveState"), "active"::equals);
        agent.awaitServing(9091);

        box.exec("systemctl", "disable", "--now", "apptheus.socket").ok();
        box.exec("cp", "/root/apptheus.default", "/etc/default/apptheus").ok();
        restart();
        agent.awaitServing(9091);
    }
}
