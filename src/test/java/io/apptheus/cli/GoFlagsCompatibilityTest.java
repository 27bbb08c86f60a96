package io.apptheus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * An admin's command line for the Go original must start this agent: every flag that
 * {@code apptheus-go --help} lists (kept as src/test/resources/anchors/apptheus-go-help.txt) is
 * accepted with the default it shows, and a boolean in both kingpin forms.
 */
class GoFlagsCompatibilityTest {

    /**
     * A flag line of kingpin's help, indented by two ("-h, --[no-]help") or six spaces
     * ("--socket.path=..."); wrapped help text is indented further.
     */
    private static final Pattern FLAG = Pattern.compile("^(?:  -h, |      )--(\\[no-])?([a-z][a-z0-9.-]*)(?:=(\\S*))?",
            Pattern.MULTILINE);

    record GoFlag(String name, boolean bool, String shownDefault) {
    }

    static List<GoFlag> flags(String help) {
        List<GoFlag> out = new ArrayList<>();
        Matcher m = FLAG.matcher(help);
        while (m.find()) {
            String shown = m.group(3) == null ? "" : m.group(3).replaceAll("^\"|\"$", "");
            out.add(new GoFlag(m.group(2), m.group(1) != null, shown));
        }
        return out;
    }

    private static String fixture() throws IOException {
        try (InputStream in = GoFlagsCompatibilityTest.class.getResourceAsStream("/anchors/apptheus-go-help.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theFixtureListsTheOriginalsFlags() throws IOException {
        List<String> names = flags(fixture()).stream().map(GoFlag::name).toList();
        assertEquals(List.of("help", "web.systemd-socket", "web.listen-address", "web.config.file",
                "web.telemetry-path", "web.external-url", "web.route-prefix", "persistence.file",
                "persistence.interval", "socket.path", "trust.path", "monitor.inverval", "log.level", "log.format",
                "version"), names);
    }

    @Test
    void everyFlagOfTheOriginalIsAcceptedWithTheDefaultItShows() throws IOException {
        for (GoFlag f : flags(fixture())) {
            List<String[]> lines = new ArrayList<>();
            if (f.bool()) {
                lines.add(new String[] {"--" + f.name()});
                lines.add(new String[] {"--no-" + f.name()});
            } else {
                lines.add(new String[] {"--" + f.name() + "=" + f.shownDefault()});
                lines.add(new String[] {"--" + f.name(), f.shownDefault()});
            }
            for (String[] argv : lines) {
                CommandLine c = FlagParser.parse(argv);
                assertFalse(c instanceof CommandLine.Invalid, String.join(" ", argv) + ": " + c);
                if (f.name().equals("help") && !argv[0].startsWith("--no-")) {
                    assertInstanceOf(CommandLine.Help.class, c);
                } else if (f.name().equals("version") && !argv[0].startsWith("--no-")) {
                    assertInstanceOf(CommandLine.Version.class, c);
                }
            }
        }
    }

    @Test
    void everyFlagOfTheOriginalIsInOurHelp() throws IOException {
        String ours = FlagParser.usage();
        for (GoFlag f : flags(fixture())) {
            if (f.name().startsWith("persistence.")) {
                continue; // accepted with a warning; no meaning here
            }
            assertTrue(ours.contains("--" + f.name()) || ours.contains("--[no-]" + f.name()), f.name());
        }
    }

    /**
     * Where the Go original is at hand (../shared/anchors, on the project's machines), its own
     * --help is the fixture: a newer build with another flag shows up here.
     */
    @Test
    void theFixtureIsWhatTheOriginalPrintsWhereItIsAtHand() throws Exception {
        Path go = Path.of("../shared/anchors/apptheus-go");
        if (!Files.isExecutable(go)) {
            System.out.println("GoFlagsCompatibilityTest: " + go.toAbsolutePath()
                    + " is not here; the checked-in fixture stands for it");
            return;
        }
        Process p = new ProcessBuilder(go.toString(), "--help").redirectErrorStream(true).start();
        String live = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(flags(fixture()), flags(live));
    }
}
