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

    private static CommandLine withEnv(Map<String, String> env, String... args) {
        return FlagParser.parse(args, env);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--label.slurm|true",
            "--label.slurm=false|false",
            "--label.slurm=true|true",
            "--no-label.slurm|false",
            "-no-label.slurm|false"})
    void booleansTakeKingpinsForms(String arg, String expected) {
        assertEquals(expected, run(arg).get("apptheus.label.slurm"));
    }

    @Test
    void aBooleanTakesTrueOrFalseAsTheNextArgumentAndNothingElse() {
        assertEquals("false", run("--label.user", "false").get("apptheus.label.user"));
        Map<String, String> p = run("--label.user", "--socket.path=/a.sock");
        assertEquals("true", p.get("apptheus.label.user"));
        assertEquals("/a.sock", p.get("apptheus.socket.path"));
        assertTrue(invalid("--label.user=yes").contains("--label.user"));
        assertTrue(invalid("--no-label.user=true").contains("unknown flag --no-label.user"));
        assertTrue(invalid("--no-socket.path").contains("unknown flag --no-socket.path"), "only booleans negate");
    }

    @Test
    void kingpinsNegatedHelpAndVersionAreAcceptedAndDoNothing() {
        assertEquals(Map.of(), run("--no-help", "--no-version"));
        assertInstanceOf(CommandLine.Help.class, FlagParser.parse(new String[] {"--help-long"}));
    }

    @Test
    void routePrefixAndExternalUrl() {
        assertEquals("/apptheus", run("--web.route-prefix=/apptheus/").get("apptheus.web.route-prefix"));
        assertEquals("/", run("--web.route-prefix=").get("apptheus.web.route-prefix"));
        assertEquals("https://proxy.example.org/nodes/n17/",
                run("--web.external-url=https://proxy.example.org/nodes/n17/").get("apptheus.web.external-url"));
        assertTrue(invalid("--web.route-prefix=apptheus").contains("--web.route-prefix"));
        assertTrue(invalid("--web.route-prefix=/a b").contains("--web.route-prefix"));
        assertTrue(invalid("--web.external-url=proxy:9091").contains("--web.external-url"));
        assertTrue(invalid("--web.external-url=ftp://x/").contains("--web.external-url"));
        assertEquals("true", run("--web.systemd-socket").get("apptheus.web.systemd-socket"));
    }

    @Test
    void everyFlagIsAlsoAnEnvironmentVariableAndTheCommandLineWins() {
        Map<String, String> env = Map.of("APPTHEUS_SOCKET_PATH", "/run/x/g.sock",
                "APPTHEUS_WEB_LISTEN_ADDRESS", "127.0.0.1:9100 [::1]:9100",
                "APPTHEUS_LOG_FORMAT", "json", "APPTHEUS_LABEL_SLURM", "true",
                "APPTHEUS_JAVA_OPTS", "-Xmx64m", "PATH", "/usr/bin");
        Map<String, String> p = ((CommandLine.Run) withEnv(env)).properties();
        assertEquals("/run/x/g.sock", p.get("apptheus.socket.path"));
        assertEquals("127.0.0.1", p.get("quarkus.http.host"), "the variable goes through the flag's own mapping");
        assertEquals("9100", p.get("quarkus.http.port"));
        assertEquals("127.0.0.1:9100,[::1]:9100", p.get("apptheus.web.listen-address"));
        assertEquals("true", p.get("quarkus.log.console.json.enabled"));
        assertEquals("true", p.get("apptheus.label.slurm"));

        Map<String, String> q = ((CommandLine.Run) withEnv(env, "--web.listen-address=:9091",
                "--socket.path=/run/y.sock")).properties();
        assertEquals("/run/y.sock", q.get("apptheus.socket.path"));
        assertEquals("0.0.0.0:9091", q.get("apptheus.web.listen-address"), "the flag's values replace the variable's");
        assertEquals("0.0.0.0", q.get("quarkus.http.host"));
    }

    @Test
    void aTypoOrABadValueInTheEnvironmentIsOneLineNamingTheVariable() {
        CommandLine typo = withEnv(Map.of("APPTHEUS_WEB_LISTEN_ADRESS", ":9091"));
        assertEquals("unknown environment variable APPTHEUS_WEB_LISTEN_ADRESS: no flag is called"
                + " --web_listen_adress (did you mean APPTHEUS_WEB_LISTEN_ADDRESS?) (see --help)",
                assertInstanceOf(CommandLine.Invalid.class, typo).message());
        String bad = assertInstanceOf(CommandLine.Invalid.class,
                withEnv(Map.of("APPTHEUS_LOG_FORMAT", "text"))).message();
        assertEquals("invalid value \"text\" for APPTHEUS_LOG_FORMAT (--log.format): must be one of logfmt, json", bad);
        assertInstanceOf(CommandLine.Invalid.class, withEnv(Map.of("APPTHEUS_LOG_FORMAT", "text"), "--log.format=json"),
                "a bad variable is an error even where a flag overrides it: the file still says something wrong");
    }
}
