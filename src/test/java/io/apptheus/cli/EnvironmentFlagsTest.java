package io.apptheus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * APPTHEUS_<FLAG> variables, the names /etc/default/apptheus uses, beyond FlagParserTest: what a
 * mistake in that file prints (the journal line of `systemctl status`), and the names' uniqueness.
 */
class EnvironmentFlagsTest {

    private static Map<String, String> run(Map<String, String> env, String... args) {
        CommandLine c = FlagParser.parse(args, env);
        return assertInstanceOf(CommandLine.Run.class, c, () -> c.toString()).properties();
    }

    private static String invalid(Map<String, String> env, String... args) {
        CommandLine c = FlagParser.parse(args, env);
        return assertInstanceOf(CommandLine.Invalid.class, c, () -> c.toString()).message();
    }

    @Test
    void everyFlagHasAVariableOfItsOwn() {
        long distinct = Flags.ALL.stream().map(Flag::envName).distinct().count();
        assertEquals(Flags.ALL.size(), distinct, "two flags share a variable");
        assertTrue(Flags.ALL.stream().map(Flag::envName).noneMatch(FlagScanner.NOT_FLAGS::contains));
    }

    @Test
    void variablesAreCheckedAndNormalisedAsTheirFlags() {
        Map<String, String> p = run(Map.of(
                "APPTHEUS_TRUST_PATH", "/usr/libexec/apptainer/bin/starter;/usr/libexec/apptainer/bin/starter-suid",
                "APPTHEUS_MONITOR_INTERVAL", "250ms",
                "APPTHEUS_CGROUP_PARENT", "metric_gateway/"));
        assertEquals("/usr/libexec/apptainer/bin/starter;/usr/libexec/apptainer/bin/starter-suid",
                p.get("apptheus.trust.path"));
        assertEquals("PT0.25S", p.get("apptheus.monitor.interval"));
        assertEquals("metric_gateway", p.get("apptheus.cgroup.parent"));
    }

    @Test
    void aMisspeltVariableNamesTheNearestOne() {
        assertTrue(invalid(Map.of("APPTHEUS_TRUST_PATHS", "/x"))
                .contains("(did you mean APPTHEUS_TRUST_PATH?)"));
        assertTrue(invalid(Map.of("APPTHEUS_LISTEN_ADDRESS", ":9091")).contains("APPTHEUS_WEB_LISTEN_ADDRESS"),
                "the old deploy kit's name points to the new one");
        assertFalse(invalid(Map.of("APPTHEUS_COMPLETELY_DIFFERENT", "1")).contains("did you mean"));
    }

    @Test
    void anEchoedValueIsBoundedAndOnOneLine() {
        String value = "1s\nfake log line\u001b[31m" + "x".repeat(500);
        String m = invalid(Map.of("APPTHEUS_MONITOR_INTERVAL", value));
        assertTrue(m.startsWith("invalid value \"1s\\x0afake log line\\x1b[31m"), m);
        assertFalse(m.contains("\n") || m.contains("\u001b"), m);
        assertTrue(m.contains("(" + value.length() + " characters)"), m);
        assertTrue(m.length() < 600, m);
    }

    @Test
    void theLaunchersVariablesAndOthersAreLeftAlone() {
        assertEquals(Map.of(), run(Map.of("PATH", "/usr/bin", "APPTHEUS_JAVA_OPTS", "-Xmx1g",
                "APPTHEUS_NATIVE_OPTS", "-Xmn8m", "APPTHEUS_EXTRA_ARGS", "--log.level=debug", "apptheus_lower", "x")));
    }

    @Test
    void psIgnoresTheEnvironment() {
        assertInstanceOf(CommandLine.Ps.class, FlagParser.parse(new String[] {"ps"}, Map.of("APPTHEUS_NO_SUCH", "1")));
    }
}
