package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.apptheus.it.support.BoxAgent;
import io.apptheus.it.support.SystemdBox;

/**
 * The packages ./mvnw package built, as Debian's and Fedora's linters see them: lintian and
 * rpmlint report nothing but what deploy/debian/*.lintian-overrides and deploy/rpm/apptheus.rpmlintrc
 * explain, line by line.
 */
class PackageLintIT {

    private static Path base() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    }

    @Test
    void lintianFindsNothingUnexplainedInEitherDebianPackage() {
        SystemdBox.require(Files.isExecutable(Path.of("/usr/bin/lintian")), "lintian is not installed (apt-get install lintian)");
        Path agent = BoxAgent.deb("apptheus");
        Path demo = BoxAgent.deb("apptheus-demo-starter");
        SystemdBox.Result r = SystemdBox.runOnHost(List.of("lintian", "--pedantic", "--display-info",
                "--fail-on", "error,warning,info,pedantic", agent.toString(), demo.toString()),
                Duration.ofMinutes(15));
        // an override that matches nothing is reported too (unused-override), so each is still needed
        String unexplained = r.out().lines().filter(l -> !l.isBlank()).collect(Collectors.joining("\n"));
        assertEquals("", unexplained, "lintian tags without an override:\n" + r.both());
        assertEquals(0, r.exit(), r.both());
    }

    @Test
    void rpmlintFindsNothingUnexplainedInTheSpecOrTheRpm() throws Exception {
        SystemdBox.require(Files.isExecutable(Path.of("/usr/bin/rpmlint")), "rpmlint is not installed (apt-get install rpmlint)");
        Path rpm = RpmPackageIT.rpm();
        SystemdBox.Result r = SystemdBox.runOnHost(List.of("rpmlint", "-c",
                base().resolve("deploy/rpm/rpmlint.toml").toString(), "-r",
                base().resolve("deploy/rpm/apptheus.rpmlintrc").toString(), rpm.toString(),
                base().resolve("deploy/rpm/apptheus.spec").toString()), Duration.ofMinutes(10));
        assertEquals(0, r.exit(), r.both());
        assertTrue(r.out().contains("0 errors, 0 warnings"), r.both());
    }
}
