package io.apptheus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** APPTHEUS_<FLAG> variables: the names systemd's /etc/default/apptheus uses. */
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
        assertEquals("APPTHEUS_WEB_LISTEN_ADDRESS", EnvironmentFlags.variable("web.listen-address"));
        assertEquals("APPTHEUS_TRUST_PATH", EnvironmentFlags.variable("trust.path"));
        assertEquals("APPTHEUS_METRICS_RETAIN_EXITED", EnvironmentFlags.variable("metrics.retain-exited"));
        long distinct = Flags.ALL.stream().map(f -> EnvironmentFlags.variable(f.name())).distinct().count();
        assertEquals(Flags.ALL.size(), distinct, "two flags share a variable");
    }

    @Test
    void variablesAreCheckedAndNormalisedAsTheirFlags() {
        Map<String, String> p = run(Map.of(
                "APPTHEUS_TRUST_PATH", "/usr/libexec/apptainer/bin/starter;/usr/libexec/apptainer/bin/starter-suid",
                "APPTHEUS_MONITOR_INTERVAL", "250ms",
                "APPTHEUS_LOG_FORMAT", "json",
                "APPTHEUS_CGROUP_PARENT", "metric_gateway/"));
        assertEquals("/usr/libexec/apptainer/bin/starter;/usr/libexec/apptainer/bin/starter-suid",
                p.get("apptheus.trust.path"));
        assertEquals("PT0.25S", p.get("apptheus.monitor.interval"));
        assertEquals("true", p.get("quarkus.log.console.json.enabled"), "not only apptheus.* properties");
        assertEquals("metric_gateway", p.get("apptheus.cgroup.parent"));
    }

    @Test
    void theListenAddressVariableMovesTheHttpServer() {
        Map<String, String> p = run(Map.of("APPTHEUS_WEB_LISTEN_ADDRESS", "127.0.0.1:9100, [::1]:9101"));
        assertEquals("127.0.0.1", p.get("quarkus.http.host"));
        assertEquals("9100", p.get("quarkus.http.port"));
        assertEquals("127.0.0.1:9100,[::1]:9101", p.get("apptheus.web.listen-address"));
    }

    @Test
    void aFlagWinsOverItsVariable() {
        Map<String, String> env = Map.of("APPTHEUS_WEB_LISTEN_ADDRESS", "127.0.0.1:9100,127.0.0.1:9101",
                "APPTHEUS_SOCKET_PATH", "/run/a.sock");
        Map<String, String> p = run(env, "--web.listen-address=:9200", "--socket.path=/run/b.sock");
        assertEquals("0.0.0.0", p.get("quarkus.http.host"));
        assertEquals("9200", p.get("quarkus.http.port"));
        assertEquals("0.0.0.0:9200", p.get("apptheus.web.listen-address"), "the flag's list replaces the variable's");
        assertEquals("/run/b.sock", p.get("apptheus.socket.path"));
    }

    @Test
    void aMisspeltVariableIsOneLineNamingItAndTheNearestName() {
        String m = invalid(Map.of("APPTHEUS_TRUST_PATHS", "/x"));
        assertTrue(m.startsWith("unknown environment variable APPTHEUS_TRUST_PATHS (did you mean APPTHEUS_TRUST_PATH?)"), m);
        assertFalse(m.contains("\n"));
        assertTrue(invalid(Map.of("APPTHEUS_LISTEN_ADDRESS", ":9091")).contains("APPTHEUS_WEB_LISTEN_ADDRESS"),
                "the old deploy kit's name points to the new one");
        assertEquals("unknown environment variable APPTHEUS_COMPLETELY_DIFFERENT (each flag --x.y-z is"
                + " APPTHEUS_X_Y_Z; see --help)", invalid(Map.of("APPTHEUS_COMPLETELY_DIFFERENT", "1")));
    }

    @Test
    void aBadValueNamesTheVariableAndItsFlag() {
        String m = invalid(Map.of("APPTHEUS_MONITOR_INTERVAL", "fast"));
        assertTrue(m.startsWith("invalid value \"fast\" for APPTHEUS_MONITOR_INTERVAL (--monitor.interval): "), m);
        assertTrue(invalid(Map.of("APPTHEUS_LOG_FORMAT", "text")).contains("logfmt, json"));
    }

    @Test
    void anEchoedValueIsBoundedAndOnOneLine() {
        String m = invalid(Map.of("APPTHEUS_MONITOR_INTERVAL", "1s\nfake log line\u001b[31m" + "x".repeat(500)));
        assertFalse(m.contains("\n") || m.contains("\u001b"), m);
        assertTrue(m.contains("\\x0a") && m.contains("(521 characters)"), m);
        assertTrue(m.length() < 600, m);
    }

    @Test
    void otherVariablesAndTheLaunchersAreLeftAlone() {
        assertEquals(Map.of(), run(Map.of("PATH", "/usr/bin", "APPTHEUS_JAVA_OPTS", "-Xmx1g",
                "APPTHEUS_EXTRA_ARGS", "--log.level=debug", "apptheus_lower", "x")));
    }

    @Test
    void helpVersionAndPsIgnoreTheEnvironment() {
        Map<String, String> broken = Map.of("APPTHEUS_NO_SUCH", "1");
        assertInstanceOf(CommandLine.Help.class, FlagParser.parse(new String[] {"--help"}, broken));
        assertInstanceOf(CommandLine.Version.class, FlagParser.parse(new String[] {"--version"}, broken));
        assertInstanceOf(CommandLine.Ps.class, FlagParser.parse(new String[] {"ps"}, broken));
    }

    @Test
    void theHelpExplainsTheNames() {
        assertTrue(FlagParser.usage().contains("APPTHEUS_WEB_LISTEN_ADDRESS"));
    }
}
