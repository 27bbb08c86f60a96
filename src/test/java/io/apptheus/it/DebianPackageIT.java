package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 * The Debian package's life in a real systemd (Debian 12's, PID 1 of its own namespaces, see
 * {@link SystemdBox}): dpkg installs it and its maintainer scripts enable and start the unit; a
 * second build upgrades it (the site's edited /etc/default/apptheus stays, the agent is restarted
 * and adopts the running container); remove stops it and leaves the settings; purge removes them.
 * The demo starter's package makes the agent trust it without any setting. The steps run in order
 * on one box.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackageIT {

    private final ItResources it = new ItResources();
    private SystemdBox box;
    private BoxAgent agent;
    private long container;

    @BeforeAll
    void boot() {
        Path deb = BoxAgent.deb("apptheus");
        box = it.register(SystemdBox.boot(it.tempDir().resolve("box")));
        agent = new BoxAgent(box);
        agent.installFakeStarter();
        assertTrue(deb.getFileName().toString().endsWith("_all.deb"), deb.toString());
    }

    @AfterAll
    void stop() {
        it.close();
    }

    @Test
    @Order(1)
    void installEnablesAndStartsTheUnit() {
        String out = agent.install(BoxAgent.deb("apptheus"));
        assertTrue(out.contains("Setting up apptheus"), out);
        assertEquals("enabled", box.exec("systemctl", "is-enabled", "apptheus").out().strip());
        assertEquals("disabled", box.exec("systemctl", "is-enabled", "apptheus.socket").out().strip(),
                "the socket needs APPTHEUS_WEB_SYSTEMD_SOCKET=true: off until the site turns it on");
        agent.awaitServing(9091);
        assertEquals("/etc/default/apptheus", box.exec("dpkg-query", "-W", "-f=${Conffiles}", "apptheus").out()
                .strip().split(" ")[0], "the settings are a conffile");
        String files = box.exec("dpkg", "-L", "apptheus").ok().out();
        for (String f : List.of("/usr/bin/apptheus", "/lib/systemd/system/apptheus.service",
                "/lib/systemd/system/apptheus.socket", "/usr/share/man/man8/apptheus.8.gz",
                "/usr/share/apptheus/quarkus-app/quarkus-run.jar",
                "/usr/share/apptheus/apptainer/apptainer.conf.snippet",
                "/usr/share/apptheus/prometheus/prometheus.yml",
                "/usr/share/apptheus/prometheus/rules/apptheus-alerts.yml",
                "/usr/share/apptheus/grafana/apptheus.json", "/usr/share/doc/apptheus/copyright",
                "/usr/share/doc/apptheus/THIRD-PARTY.txt.gz")) {
            assertTrue(files.contains(f + "\n"), f + " in dpkg -L apptheus:\n" + files);
        }
        String version = box.exec("apptheus", "--version").ok().out();
        assertTrue(version.startsWith("apptheus "), version);
        String man = box.sh("zcat /usr/share/man/man8/apptheus.8.gz").ok().out();
        assertTrue(man.startsWith(".\\\"") && man.contains(".TH APPTHEUS 8") && man.contains("APPTHEUS_"), man);
    }

    @Test
    @Order(2)
    void aContainerIsMonitoredWithoutAnySetting() {
        container = agent.startContainer("job1", "nobody", "sleep", "600");
        Map<String, String> labels = Scrape.named("starter_" + container);
        Scrape s = agent.awaitScrape("the container's series", 9091, x -> x.has("container_cpu_usage_seconds_total", labels));
        assertEquals("nobody", s.series("container_cpu_usage_seconds_total", labels).get(0).labels().get("user"));
        assertTrue(box.journal("apptheus").contains("no --trust.path or APPTHEUS_TRUST_PATH given: trusting "
                + BoxAgent.STARTER + ";"), "the launcher says which starters it trusts");
    }

    @Test
    @Order(3)
    void anUpgradeKeepsTheSitesSettingsRestartsTheAgentAndItAdoptsTheContainer() throws Exception {
        box.sh("echo 'APPTHEUS_METRICS_RETAIN_EXITED=90s' >> /etc/default/apptheus").ok();
        String edited = box.exec("cat", "/etc/default/apptheus").ok().out();
        long before = agent.mainPid();
        String oldVersion = box.exec("dpkg-query", "-W", "-f=${Version}", "apptheus").ok().out();

        Path second = it.tempDir().resolve("second");
        Path script = Path.of(System.getProperty("basedir", ".")).resolve("deploy/debian/build-deb.sh").toAbsolutePath();
        SystemdBox.Result built = SystemdBox.runOnHost(List.of("bash", script.toString(), "--version=0.0.0",
                "--deb-version=" + oldVersion + "+upgrade1", "--out=" + second), Duration.ofMinutes(10));
        built.ok();
        Path deb = second.resolve("apptheus_" + oldVersion + "+upgrade1_all.deb");

        String out = agent.install(deb);
        assertTrue(out.contains("Unpacking apptheus (" + oldVersion + "+upgrade1) over (" + oldVersion + ")"), out);
        assertEquals(edited, box.exec("cat", "/etc/default/apptheus").ok().out(), "the site's line survives");
        assertFalse(box.exec("test", "-e", "/etc/default/apptheus.dpkg-dist").exit() == 0);
        agent.awaitServing(9091);
        assertNotEquals(before, agent.mainPid(), "postinst restarted the agent");
        assertTrue(agent.alive(container), "the container survived the restart (KillMode=process)");
        agent.awaitScrape("the new agent adopted the container", 9091,
                s -> s.has("container_cpu_usage_seconds_total", Scrape.named("starter_" + container)));
        assertTrue(box.journal("apptheus").contains("container starter_" + container + ": adopted"),
                box.journal("apptheus"));
        String api = box.curl(9091, "/api/v1/containers").out();
        assertTrue(api.matches("(?s).*\"retain_exited_seconds\"\\s*:\\s*90(\\.0)?\\b.*"),
                "the site's setting is in effect: " + api);
    }

    @Test
    @Order(4)
    void theDemoStarterIsTrustedOnceItsPackageIsInstalled() {
        long before = agent.mainPid();
        agent.install(BoxAgent.deb("apptheus-demo-starter"));
        agent.awaitServing(9091);
        assertNotEquals(before, agent.mainPid(), "its postinst restarted the running agent");
        assertEquals("700 root", box.exec("stat", "-c", "%a %U", "/usr/sbin/apptheus-demo-starter").ok().out().strip());
        // runuser, not setpriv: setpriv keeps its capabilities until the exec, which then passes
        SystemdBox.Result denied = box.exec("runuser", "-u", "nobody", "--", "/usr/sbin/apptheus-demo-starter", "1");
        assertTrue(denied.exit() != 0 && denied.err().contains("Permission denied"), "only root runs it: " + denied.both());
        SystemdBox.Result demo = box.exec(Duration.ofMinutes(2), "apptheus-demo-starter", "5");
        assertEquals(0, demo.exit(), demo.both());
        assertTrue(demo.out().contains("monitored; its series are named apptheus-demo-starter_"), demo.out());
        String name = demo.out().replaceAll("(?s).*series are named (apptheus-demo-starter_\\d+).*", "$1");
        double burned = Double.parseDouble(demo.out().replaceAll("(?s).*child_cpu_seconds=([0-9.]+).*", "$1"));
        // its final values: as much CPU as the workload's own rusage says (80 %: the last sample's lag)
        agent.awaitScrape("the demo container's final values", 9091,
                s -> s.value("container_processes", Scrape.named(name)).orElse(-1) == 0
                        && s.value("container_cpu_usage_seconds_total", Scrape.named(name)).orElse(0) >= 0.8 * burned);
    }

    @Test
    @Order(5)
    void removeStopsTheAgentKeepsTheSettingsAndTheContainerRuns() {
        box.exec("dpkg", "-r", "apptheus-demo-starter").ok();
        agent.awaitServing(9091); // its postrm restarted the agent: let it finish starting
        String out = box.exec(Duration.ofMinutes(5), "dpkg", "-r", "apptheus").ok().both();
        assertTrue(out.contains("Removing apptheus"), out);
        assertEquals("inactive", box.show("apptheus", "ActiveState"));
        assertEquals("0", box.show("apptheus", "ExecMainStatus"), "the agent exited 0 on SIGTERM");
        assertTrue(box.exec("test", "-e", "/lib/systemd/system/apptheus.service").exit() != 0);
        assertTrue(box.exec("test", "-e", "/etc/default/apptheus").exit() == 0, "conffiles stay until purge");
        assertTrue(agent.alive(container), "the container runs on, unmonitored");
        assertEquals("rc", box.exec("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "apptheus").out().strip());
    }

    @Test
    @Order(6)
    void purgeRemovesTheSettingsAndTheUnitsState() {
        box.exec("dpkg", "-P", "apptheus").ok();
        for (String gone : List.of("/etc/default/apptheus", "/var/log/apptheus",
                "/etc/systemd/system/multi-user.target.wants/apptheus.service",
                "/var/lib/systemd/deb-systemd-helper-enabled/apptheus.service.dsh-also")) {
            assertTrue(box.exec("test", "-e", gone).exit() != 0, gone + " is gone after purge");
        }
        SystemdBox.Result status = box.exec("dpkg-query", "-W", "-f=${db:Status-Abbrev}", "apptheus");
        assertTrue(status.exit() != 0 || status.out().startsWith("pn") || status.out().startsWith("un"),
                "not installed, no files: " + status.both());
    }
}
