package io.apptheus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FlagParserTest {

    private static Map<String, String> run(String... args) {
        CommandLine c = FlagParser.parse(args);
        return assertInstanceOf(CommandLine.Run.class, c, () -> c.toString()).properties();
    }

    private static String invalid(String... args) {
        CommandLine c = FlagParser.parse(args);
        return assertInstanceOf(CommandLine.Invalid.class, c, () -> c.toString()).message();
    }

    @Test
    void seedUsageQuotedKeepsBothTrustedPaths() {
        Map<String, String> p = run(
                "--trust.path=/usr/local/libexec/apptainer/bin/starter;/usr/local/libexec/apptainer/bin/starter-suid");
        assertEquals("/usr/local/libexec/apptainer/bin/starter;/usr/local/libexec/apptainer/bin/starter-suid",
                p.get("apptheus.trust.path"));
    }

    @Test
    void seedUsageUnquotedLeavesTheFirstPath() {
        // the shell ends the command at ';', so the agent sees only the first entry
        assertEquals("/usr/local/libexec/apptainer/bin/starter",
                run("--trust.path=/usr/local/libexec/apptainer/bin/starter").get("apptheus.trust.path"));
    }

    @Test
    void noFlagsSetsNothing() {
        assertEquals(Map.of(), run());
    }

    @ParameterizedTest
    @CsvSource({
            "--monitor.interval=0.5s, PT0.5S",
            "--monitor.inverval=0.5s, PT0.5S",
            "--monitor.interval=250ms, PT0.25S",
            "--monitor.interval=1m30s, PT1M30S",
            "-monitor.interval=2s, PT2S"})
    void intervalsInGoSyntax(String arg, String expected) {
        assertEquals(expected, run(arg).get("apptheus.monitor.interval"));
    }

    @Test
    void valueAsNextArgument() {
        Map<String, String> p = run("--socket.path", "/tmp/x.sock", "--cgroup.parent", "/metric_gateway/");
        assertEquals("/tmp/x.sock", p.get("apptheus.socket.path"));
        assertEquals("/metric_gateway", p.get("apptheus.cgroup.parent"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            ":9091|0.0.0.0|9091",
            "127.0.0.1:9100|127.0.0.1|9100",
            "localhost:0|localhost|0",
            "[::1]:9091|::1|9091"})
    void listenAddress(String addr, String host, String port) {
        Map<String, String> p = run("--web.listen-address=" + addr);
        assertEquals(host, p.get("quarkus.http.host"));
        assertEquals(port, p.get("quarkus.http.port"));
    }

    @Test
    void listenAddressGivenTwice() {
        Map<String, String> p = run("--web.listen-address=127.0.0.1:9091", "--web.listen-address", "[::1]:9100");
        assertEquals("127.0.0.1", p.get("quarkus.http.host"), "Quarkus serves the first");
        assertEquals("9091", p.get("quarkus.http.port"));
        assertEquals("127.0.0.1:9091,[::1]:9100", p.get("apptheus.web.listen-address"));
        assertEquals("0.0.0.0:9091", run().getOrDefault("apptheus.web.listen-address", "0.0.0.0:9091"));
        assertTrue(invalid("--web.listen-address=:9091", "--web.listen-address=:9091").contains("given twice"));
        assertTrue(FlagParser.usage().contains("(repeatable)"));
    }

    @Test
    void webConfigFile() {
        assertEquals("/etc/apptheus/web.yml", run("--web.config.file=/etc/apptheus/web.yml").get("apptheus.web.config-file"));
        assertEquals("", run("--web.config.file=").get("apptheus.web.config-file"), "empty: none, as in exporter-toolkit");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--monitor.interval=fast|--monitor.interval",
            "--monitor.interval=0s|--monitor.interval",
            "--metrics.retain-exited=-1s|--metrics.retain-exited",
            "--web.listen-address=9091|--web.listen-address",
            "--web.listen-address=:99999|--web.listen-address",
            "--web.listen-address=::1:9091|--web.listen-address",
            "--web.telemetry-path=metrics|--web.telemetry-path",
            "--web.telemetry-path=/q/metrics|--web.telemetry-path",
            "--socket.path=relative.sock|--socket.path",
            "--trust.path=bin/starter|--trust.path",
            "--cgroup.parent=../escape|--cgroup.parent",
            "--log.level=chatty|--log.level",
            "--no.such.flag=1|--no.such.flag",
            "--socket.path|--socket.path"})
    void badInputNamesTheFlag(String arg, String flag) {
        String message = invalid(arg);
        assertTrue(message.contains(flag), message);
    }

    @Test
    void positionalArgumentIsAnError() {
        assertTrue(invalid("/usr/local/libexec/apptainer/bin/starter-suid").contains("unexpected argument"));
    }

    @Test
    void helpAndVersion() {
        assertInstanceOf(CommandLine.Help.class, FlagParser.parse(new String[] {"--help"}));
        assertInstanceOf(CommandLine.Help.class, FlagParser.parse(new String[] {"--socket.path=/a", "-h"}));
        assertInstanceOf(CommandLine.Version.class, FlagParser.parse(new String[] {"--version"}));
        assertTrue(FlagParser.usage().contains("--trust.path"));
    }

    @Test
    void logFormat() {
        assertEquals("true", run("--log.format=json").get("quarkus.log.console.json.enabled"));
        assertEquals("false", run("--log.format=logfmt").get("quarkus.log.console.json.enabled"));
        assertTrue(invalid("--log.format=xml").contains("--log.format"));
    }

    @Test
    void apptheusPersistenceFlagsAreAcceptedWithAWarning() {
        CommandLine.Run r = (CommandLine.Run) FlagParser.parse(new String[] {"--persistence.file=/var/x"});
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).contains("persistence.file"));
    }

    @Test
    void psHandsEverythingAfterItToThePsClient() {
        CommandLine c = FlagParser.parse(new String[] {"ps", "--sort", "mem", "--help"});
        assertEquals(new CommandLine.Ps(java.util.List.of("--sort", "mem", "--help")),
                assertInstanceOf(CommandLine.Ps.class, c));
        assertTrue(invalid("--sort=mem", "ps").contains("--sort"), "ps must come first");
    }
}
