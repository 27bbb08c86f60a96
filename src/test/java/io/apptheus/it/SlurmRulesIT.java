package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Slurm recording rules (deploy/prometheus/rules/apptheus-slurm.yml) pass {@code promtool
 * check rules} and their unit tests ({@code promtool test rules}, with the per-job and per-user
 * sums worked out by hand in deploy/prometheus/tests/apptheus-slurm.test.yml).
 */
class SlurmRulesIT {

    private static String promtool(String... args) throws Exception {
        if (!new File("/usr/bin/promtool").canExecute()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI=true and promtool is missing (.ci/run installs prometheus)");
            }
            Assumptions.abort("promtool is not installed (apt-get install prometheus)");
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish");
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    @Test
    void slurmRulesPassPromtoolsCheckAndTheirUnitTests() throws Exception {
        promtool("check", "rules", "deploy/prometheus/rules/apptheus-slurm.yml");
        promtool("test", "rules", "deploy/prometheus/tests/apptheus-slurm.test.yml");
    }
}
