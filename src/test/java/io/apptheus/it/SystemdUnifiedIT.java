package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.apptheus.it.support.BoxAgent;
import io.apptheus.it.support.ItResources;
import io.apptheus.it.support.Scrape;
import io.apptheus.it.support.SystemdBox;
import io.apptheus.it.support.TestCgroups;

/**
 * apptheus.service under a systemd that runs on the cgroup2 hierarchy alone, as on hosts with pure
 * cgroup v2 (most production): with Delegate=yes the agent moves itself into the leaf
 * {@code <unit>/agent} (v2's "no internal processes" rule for a cgroup that delegates controllers)
 * and puts the containers in {@code <unit>/metric_gateway}; a restart adopts them. On a hybrid host
 * this hierarchy has no controllers (they are bound to v1), so this shows the layout and
 * delegation, not resource control; {@link SystemdUnitIT} runs hybrid with real controllers.
 */
class SystemdUnifiedIT {

    @RegisterExtension
    final ItResources it = new ItResources();

    @Test
    void theAgentMovesIntoItsLeafAndTheContainersSitUnderTheUnit() {
        SystemdBox box = it.register(SystemdBox.boot(it.tempDir().resolve("box"), true));
        BoxAgent agent = new BoxAgent(box);
        assertEquals("0::/init.scope", box.exec("cat", "/proc/1/cgroup").ok().out().lines()
                .filter(l -> l.startsWith("0::")).findFirst().orElse(""), "systemd runs on cgroup2");
        assertTrue(box.exec("test", "-e", "/sys/fs/cgroup/cgroup.subtree_control").exit() == 0);
        agent.installFakeStarter();
        agent.install(BoxAgent.deb("apptheus"));
        agent.awaitServing(9091);

        long container = agent.startContainer("job1", "nobody", "sleep", "900");
        Map<String, String> labels = Scrape.named("starter_" + container);
        agent.awaitScrape("the container is monitored", 9091, s -> s.value("container_processes", labels).orElse(0) == 2);
        assertEquals("/system.slice/apptheus.service/agent", agent.cgroupOf(agent.mainPid()).get(TestCgroups.UNIFIED),
                "the agent left the unit's cgroup for its leaf");
        long child = agent.childrenOf(container).get(0);
        assertEquals("/system.slice/apptheus.service/metric_gateway/starter_" + container,
                agent.cgroupOf(child).get(TestCgroups.UNIFIED));

        long before = agent.mainPid();
        box.exec(Duration.ofMinutes(3), "systemctl", "restart", "apptheus").ok();
        agent.awaitServing(9091);
        assertNotEquals(before, agent.mainPid());
        agent.awaitScrape("the container adopted after restart", 9091, s -> s.value("container_processes", labels)
                .orElse(0) == 2);
        assertEquals("/system.slice/apptheus.service/agent", agent.cgroupOf(agent.mainPid()).get(TestCgroups.UNIFIED));
        assertEquals("0", box.show("apptheus", "NRestarts"));
    }
}
