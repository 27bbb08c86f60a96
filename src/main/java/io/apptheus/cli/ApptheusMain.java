package io.apptheus.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.apptheus.cli.ps.PsCommand;
import io.apptheus.logging.Logfmt;
import io.apptheus.metrics.BuildInfo;
import io.apptheus.proc.ListeningSockets;
import io.apptheus.web.QuarkusWebProperties;
import io.apptheus.web.WebConfig;
import io.apptheus.web.WebConfigException;
import io.apptheus.web.WebConfigLoader;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/** The one place argv enters: flags become configuration, then Quarkus starts the agent. */
@QuarkusMain
public final class ApptheusMain {

    static final int EXIT_NOT_ROOT = 1;
    static final int EXIT_USAGE = 2;

    private ApptheusMain() {
    }

    public static void main(String... args) {
        CommandLine cmd = FlagParser.parse(args, System.getenv());
        if (cmd instanceof CommandLine.Help) {
            System.out.print(FlagParser.usage());
            System.exit(0);
        } else if (cmd instanceof CommandLine.Version) {
            BuildInfo info = BuildInfo.load();
            System.out.println("apptheus " + info.version() + " (revision " + info.revision() + ", java "
                    + info.javaVersion() + ")");
            System.exit(0);
        } else if (cmd instanceof CommandLine.Ps ps) {
            // a client of the running agent: no root, no Quarkus
            System.exit(PsCommand.run(ps.args(), System.out, System.err));
        } else if (cmd instanceof CommandLine.Invalid invalid) {
            System.err.println("apptheus: " + invalid.message());
            System.exit(EXIT_USAGE);
        }
        CommandLine.Run run = (CommandLine.Run) cmd;
        if (!runsAsRoot()) {
            System.err.println("apptheus: must run as root (effective uid 0): it creates cgroups and moves"
                    + " processes; try sudo apptheus");
            System.exit(EXIT_NOT_ROOT);
        }
        Map<String, String> properties = new LinkedHashMap<>(run.properties());
        List<String> warnings = new ArrayList<>(run.warnings());
        try {
            webConfig(properties, warnings);
        } catch (WebConfigException e) {
            System.err.println("apptheus: " + e.getMessage());
            System.exit(e.exitCode());
        }
        if (Boolean.parseBoolean(properties.get("apptheus.web.systemd-socket"))) {
            try {
                properties.putAll(SystemdSockets.properties(System.getenv(), ProcessHandle.current().pid(),
                        new ListeningSockets(Path.of("/proc"))));
            } catch (IllegalArgumentException e) {
                System.err.println("apptheus: " + e.getMessage());
                System.exit(EXIT_USAGE);
            }
        }
        for (Map.Entry<String, String> e : properties.entrySet()) {
            System.setProperty(e.getKey(), e.getValue());
        }
        boolean json = "true".equals(properties.getOrDefault("quarkus.log.console.json.enabled",
                System.getenv().getOrDefault("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false")));
        for (String w : warnings) {
            // the agent's log has begun: in its format (the paths in a warning are the admin's, but
            // the line must parse like every other)
            System.err.println(earlyLogLine(json, "warn", w));
        }
        Quarkus.run();
    }

    /** A log record written before Quarkus's logging is set up, in the format chosen by --log.format. */
    static String earlyLogLine(boolean json, String level, String message) {
        java.time.Instant now = java.time.Instant.now();
        long pid = ProcessHandle.current().pid();
        if (json) {
            return new io.vertx.core.json.JsonObject().put("timestamp", now.toString())
                    .put("level", level.equals("warn") ? "WARN" : level.toUpperCase(java.util.Locale.ROOT))
                    .put("loggerName", ApptheusMain.class.getName()).put("message", message).put("processId", pid)
                    .encode();
        }
        return Logfmt.line(now, level, "ApptheusMain", message, pid, null);
    }

    /**
     * Validates {@code --web.config.file} (or its APPTHEUS_WEB_CONFIG_FILE) and adds the Quarkus TLS and
     * permission properties it stands for; the beans of io.apptheus.web read the same file again.
     */
    private static void webConfig(Map<String, String> properties, List<String> warnings) throws WebConfigException {
        String file = properties.get("apptheus.web.config-file");
        if (file == null || file.isBlank()) {
            return;
        }
        Path path = Path.of(file).toAbsolutePath().normalize();
        WebConfig config = WebConfigLoader.load(path);
        properties.put("apptheus.web.config-file", path.toString());
        properties.putAll(QuarkusWebProperties.of(config));
        warnings.addAll(config.warnings());
    }

    private static boolean runsAsRoot() {
        try {
            return RootCheck.isRoot(Path.of("/proc/self/status"));
        } catch (IOException | RuntimeException e) {
            System.err.println("apptheus: cannot read /proc/self/status to check for root: " + e.getMessage());
            return false;
        }
    }
}
