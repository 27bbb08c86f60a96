package io.apptheus.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import io.apptheus.cli.ps.PsCommand;
import io.apptheus.metrics.BuildInfo;
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
        CommandLine cmd = FlagParser.parse(args);
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
        for (Map.Entry<String, String> e : run.properties().entrySet()) {
            System.setProperty(e.getKey(), e.getValue());
        }
        for (String w : run.warnings()) {
            System.err.println("apptheus: warning: " + w);
        }
        Quarkus.run();
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
