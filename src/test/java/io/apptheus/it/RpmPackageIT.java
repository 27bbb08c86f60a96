package io.apptheus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.apptheus.it.support.BoxAgent;
import io.apptheus.it.support.SystemdBox;

/**
 * The RPM for EL8/EL9 that ./mvnw package builds with Debian's rpmbuild. Installing it cannot be
 * tested on Debian (no rpm database, dnf or EL systemd here); what can be is tested: the payload's
 * files, owners and modes, the same layout as the Debian package, the settings file marked
 * %config(noreplace), the Java requirement, and the shell syntax and systemd calls of its scriptlets.
 */
class RpmPackageIT {

    static Path rpm() throws IOException {
        SystemdBox.require(Files.isExecutable(Path.of("/usr/bin/rpm")), "rpm is not installed (apt-get install rpm)");
        Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/rpm");
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "apptheus-*.noarch.rpm")) {
                ds.forEach(found::add);
            }
        }
        SystemdBox.require(found.size() == 1, "want one target/rpm/apptheus-*.noarch.rpm (./mvnw package builds it), have "
                + found);
        return found.get(0);
    }

    private static String query(Path rpm, String... args) {
        List<String> cmd = new ArrayList<>(List.of("rpm", "-qp"));
        cmd.addAll(List.of(args));
        cmd.add(rpm.toString());
        return SystemdBox.runOnHost(cmd, Duration.ofMinutes(2)).ok().out();
    }

    @Test
    void thePayloadHasTheDebianPackagesLayoutRootOwnedWithTheirModes() throws IOException {
        Path rpm = rpm();
        Map<String, String> modes = new LinkedHashMap<>();
        for (String line : query(rpm, "--qf", "[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\\n]")
                .split("\n")) {
            String[] f = line.split(" ", 3);
            assertEquals("root:root", f[1], line);
            modes.put(f[2], f[0]);
        }
        assertEquals("-rwxr-xr-x", modes.get("/usr/bin/apptheus"));
        for (String f : List.of("/usr/lib/systemd/system/apptheus.service", "/usr/lib/systemd/system/apptheus.socket",
                "/etc/default/apptheus", "/usr/share/apptheus/quarkus-app/quarkus-run.jar",
                "/usr/share/apptheus/apptainer/apptainer.conf.snippet", "/usr/share/apptheus/grafana/apptheus.json",
                "/usr/share/apptheus/prometheus/prometheus.yml")) {
            assertEquals("-rw-r--r--", modes.get(f), f);
        }
        assertTrue(modes.keySet().stream().anyMatch(f -> f.matches("/usr/share/man/man8/apptheus\\.8(\\.gz)?")),
                modes.keySet().toString());
        modes.forEach((f, m) -> {
            assertTrue(m.charAt(5) != 'w' && m.charAt(8) != 'w', "no group/other write: " + m + " " + f);
            if (m.startsWith("d")) {
                assertEquals("drwxr-xr-x", m, f);
            }
        });
        assertTrue(query(rpm, "-c").contains("/etc/default/apptheus"), "a config file");
        String flags = query(rpm, "--qf", "[%{FILEFLAGS:fflags} %{FILENAMES}\\n]");
        assertTrue(flags.contains("cn /etc/default/apptheus"), "%config(noreplace):\n" + flags);

        // the same files as the Debian package: units in /usr/lib instead of /lib, docs where each distribution keeps them
        Set<String> rpmFiles = layout(modes.keySet().stream().filter(f -> !modes.get(f).startsWith("d"))
                .collect(Collectors.toList()));
        List<String> debList = new ArrayList<>();
        for (String line : SystemdBox.runOnHost(List.of("dpkg-deb", "-c", BoxAgent.deb("apptheus").toString()),
                Duration.ofMinutes(2)).ok().out().split("\n")) {
            if (line.startsWith("-")) {
                debList.add(line.substring(line.indexOf("./") + 1));
            }
        }
        assertEquals(layout(debList), rpmFiles);
    }

    // files other than docs, licences and lintian overrides; /lib/systemd as /usr/lib/systemd; man pages without .gz
    private static Set<String> layout(List<String> files) {
        return files.stream().filter(f -> !f.startsWith("/usr/share/doc/") && !f.startsWith("/usr/share/licenses/")
                        && !f.startsWith("/usr/share/lintian/"))
                .map(f -> f.replaceFirst("^/lib/systemd/", "/usr/lib/systemd/").replaceFirst("\\.gz$", ""))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void itNeedsJava17AndItsScriptletsAreValidShellCallingSystemd() throws IOException {
        Path rpm = rpm();
        assertTrue(query(rpm, "--requires").lines().anyMatch(l -> l.strip().equals("java-headless >= 1:17")),
                query(rpm, "--requires"));
        String scripts = query(rpm, "--scripts");
        Map<String, String> bodies = new LinkedHashMap<>();
        String current = null;
        StringBuilder body = new StringBuilder();
        for (String line : scripts.split("\n", -1)) {
            if (line.matches("^\\w+ scriptlet \\(using /bin/sh\\):$")) {
                if (current != null) {
                    bodies.put(current, body.toString());
                }
                current = line.substring(0, line.indexOf(' '));
                body.setLength(0);
            } else {
                body.append(line).append('\n');
            }
        }
        if (current != null) {
            bodies.put(current, body.toString());
        }
        assertEquals(Set.of("postinstall", "preuninstall", "postuninstall"), bodies.keySet(), scripts);
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            for (String shell : List.of("sh", "bash")) {
                SystemdBox.Result r = SystemdBox.runOnHost(List.of(shell, "-n", "-c", e.getValue()), Duration.ofSeconds(30));
                assertEquals(0, r.exit(), shell + " -n " + e.getKey() + ": " + r.err() + "\n" + e.getValue());
            }
        }
        assertTrue(bodies.get("postinstall").contains("install-system-units apptheus.service apptheus.socket"),
                bodies.get("postinstall"));
        assertTrue(bodies.get("preuninstall").contains("remove-system-units apptheus.service apptheus.socket"),
                bodies.get("preuninstall"));
        assertTrue(bodies.get("postuninstall").contains("mark-restart-system-units apptheus.service"),
                bodies.get("postuninstall"));
    }
}
