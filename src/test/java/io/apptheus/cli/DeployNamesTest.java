package io.apptheus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The deploy kit speaks the agent's language: every APPTHEUS_ name the unit, /etc/default/apptheus
 * and the man page use is one the agent knows (a misspelt one would stop the agent), the unit
 * passes no flag (so every line of the settings file takes effect), and apptheus(8) describes
 * every flag of --help.
 */
class DeployNamesTest {

    private static final Pattern NAME = Pattern.compile("\\bAPPTHEUS_[A-Z0-9_]+");

    private static String read(String path) throws IOException {
        return Files.readString(Path.of(System.getProperty("basedir", ".")).resolve(path));
    }

    private static Set<String> known() {
        Set<String> names = new TreeSet<>(FlagScanner.NOT_FLAGS);
        Flags.ALL.forEach(f -> names.add(f.envName()));
        return names;
    }

    @Test
    void everyVariableTheDeployKitNamesIsTheAgentsOwn() throws IOException {
        for (String file : List.of("deploy/systemd/apptheus.service", "deploy/systemd/apptheus.default",
                "deploy/systemd/apptheus.socket", "deploy/man/apptheus.8", "deploy/bin/apptheus")) {
            Matcher m = NAME.matcher(read(file));
            while (m.find()) {
                String name = m.group();
                if (name.equals("APPTHEUS_") || name.equals("APPTHEUS_X_Y_Z")) {
                    continue;
                }
                assertTrue(known().contains(name), file + " names " + name + ", which the agent does not know; known: "
                        + known());
            }
        }
    }

    @Test
    void theUnitPassesNoFlagOnlyTheSitesExtraArguments() throws IOException {
        String unit = read("deploy/systemd/apptheus.service");
        List<String> exec = unit.lines().filter(l -> l.startsWith("ExecStart=")).toList();
        assertEquals(List.of("ExecStart=/usr/bin/apptheus $APPTHEUS_EXTRA_ARGS"), exec);
        assertTrue(unit.contains("RestartPreventExitStatus=2 78"), "a usage error (2) is not retried");
        assertTrue(unit.contains("EnvironmentFile=-/etc/default/apptheus"));
    }

    @Test
    void theManPageDescribesEveryFlag() throws IOException {
        String man = read("deploy/man/apptheus.8");
        for (Flag f : Flags.ALL) {
            assertTrue(man.contains("\\-\\-" + f.name()), "apptheus(8) lacks --" + f.name());
        }
    }
}
