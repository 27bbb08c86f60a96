package io.apptheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The walls between the agent's packages, read from the compiled classes (every reference counts:
 * imports, fully qualified names, annotations, signatures). Each package may use itself and the
 * packages of {@link #MAY_IMPORT}; its package-info.java says the same in its "May import:" line,
 * which this test reads too. Move a wall only on purpose: in the package-info and here.
 */
class WallsTest {

    private static final String ROOT = "io.apptheus";

    /** Package (below io.apptheus) → the agent's packages it may use besides itself. */
    static final Map<String, Set<String>> MAY_IMPORT = Map.ofEntries(
            Map.entry("cli", Set.of("cli.ps", "config", "web", "metrics", "proc", "logging")),
            Map.entry("logging", Set.of()),
            Map.entry("cli.ps", Set.of("cli", "status", "proc")),
            Map.entry("config", Set.of()),
            Map.entry("gateway", Set.of("registration.contract", "config", "proc", "metrics")),
            Map.entry("registration", Set.of("registration.contract", "verify", "cgroup", "cgroup.v1", "proc",
                    "monitor", "metrics", "config")),
            Map.entry("registration.contract", Set.of()),
            Map.entry("verify", Set.of("registration.contract", "proc")),
            Map.entry("proc", Set.of()),
            Map.entry("cgroup", Set.of("cgroup.fs", "cgroup.v1", "cgroup.v2")),
            Map.entry("cgroup.fs", Set.of("cgroup")),
            Map.entry("cgroup.v1", Set.of("cgroup", "cgroup.fs")),
            Map.entry("cgroup.v2", Set.of("cgroup", "cgroup.fs")),
            Map.entry("monitor", Set.of("registration.contract", "cgroup", "cgroup.fs", "proc", "metrics", "config")),
            Map.entry("metrics", Set.of("registration.contract", "cgroup", "proc", "config")),
            Map.entry("health", Set.of("gateway", "cgroup")),
            Map.entry("status", Set.of("monitor", "cgroup", "proc", "metrics", "config")),
            Map.entry("web", Set.of("config", "gateway", "metrics")));

    /** The one class of metrics that may name the Prometheus client and its registry class. */
    static final String PROMETHEUS_CLIENT_CLASS = ROOT + ".metrics.PrometheusExposition";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        assertTrue(classes.size() > 50, "the agent's classes are on the class path: " + classes.size());
    }

    @Test
    void everyPackageUsesOnlyThePackagesItMayImport() {
        List<String> crossings = new ArrayList<>();
        for (JavaClass c : classes) {
            String from = local(c.getPackageName());
            Set<String> allowed = MAY_IMPORT.get(from);
            if (allowed == null) {
                continue; // everyPackageHasAWallAndAPackageInfo names it
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String target = d.getTargetClass().getBaseComponentType().getPackageName();
                if (!target.equals(ROOT) && !target.startsWith(ROOT + ".")) {
                    continue;
                }
                String to = local(target);
                if (!to.equals(from) && !allowed.contains(to)) {
                    crossings.add(from + " → " + to + ": " + d.getDescription());
                }
            }
        }
        assertEquals(List.of(), dedup(crossings), "imports across a wall (see WallsTest.MAY_IMPORT)");
    }

    @Test
    void onlyGatewayTouchesNetty() {
        assertEquals(List.of(), users(name -> name.startsWith("io.netty."), c -> local(c.getPackageName())
                .equals("gateway")), "Netty types outside gateway");
    }

    @Test
    void onlyMetricsTouchesMicrometerAndOneClassThePrometheusClient() {
        assertEquals(List.of(), users(name -> name.startsWith("io.micrometer."),
                c -> local(c.getPackageName()).equals("metrics")), "Micrometer types outside metrics");
        assertEquals(List.of(), users(name -> name.startsWith("io.prometheus.") || name.startsWith(
                "io.micrometer.prometheus."), c -> topLevel(c).equals(PROMETHEUS_CLIENT_CLASS)),
                "Prometheus client types outside " + PROMETHEUS_CLIENT_CLASS);
    }

    /** argv enters through cli alone: the one main method, @QuarkusMain and Quarkus.run; no QuarkusApplication elsewhere. */
    @Test
    void argvEntersOnlyThroughCli() {
        List<String> entries = new ArrayList<>();
        for (JavaClass c : classes) {
            if (local(c.getPackageName()).equals("cli")) {
                continue;
            }
            for (JavaMethod m : c.getMethods()) {
                if (m.getName().equals("main") && m.getModifiers().contains(com.tngtech.archunit.core.domain
                        .JavaModifier.STATIC)) {
                    entries.add(m.getFullName());
                }
            }
            if (c.isAnnotatedWith("io.quarkus.runtime.annotations.QuarkusMain")
                    || c.isAssignableTo("io.quarkus.runtime.QuarkusApplication")) {
                entries.add(c.getName());
            }
        }
        for (JavaClass c : classes) {
            if (!local(c.getPackageName()).equals("cli")) {
                c.getMethodCallsFromSelf().stream()
                        .filter(call -> call.getTargetOwner().getName().equals("io.quarkus.runtime.Quarkus")
                                && call.getName().equals("run"))
                        .forEach(call -> entries.add(call.getDescription()));
            }
        }
        assertEquals(List.of(), entries, "entry points outside cli");
    }

    /** Every package with classes has a wall here and a package-info.java whose "May import:" agrees. */
    @Test
    void everyPackageHasAWallAndAPackageInfo() throws IOException {
        Set<String> packages = new TreeSet<>();
        classes.forEach(c -> packages.add(local(c.getPackageName())));
        packages.remove("");
        assertEquals(new TreeSet<>(MAY_IMPORT.keySet()), packages, "packages and WallsTest.MAY_IMPORT");
        for (String p : packages) {
            Path info = Path.of("src/main/java", (ROOT + "." + p).replace('.', '/'), "package-info.java");
            assertTrue(Files.isRegularFile(info), "no " + info);
            assertEquals(new TreeSet<>(MAY_IMPORT.get(p)), mayImport(Files.readString(info)),
                    info + ": its \"May import:\" line and WallsTest.MAY_IMPORT");
        }
    }

    /** From "May import:" to the end of its sentence (a period before white space). */
    private static final Pattern MAY_IMPORT_SENTENCE = Pattern.compile("May import:(.*?)\\.(\\s|$)", Pattern.DOTALL);
    private static final Pattern ASIDE = Pattern.compile("\\([^)]*\\)");
    private static final Pattern CODE = Pattern.compile("\\{@code ([a-z0-9.]+)\\}");

    /**
     * The packages named by {@code May import: {@code a}, {@code b} (why) and {@code c}.}: every
     * {@code {@code x}} of that sentence outside parentheses ("nothing of the agent" names none).
     */
    static Set<String> mayImport(String packageInfo) {
        Matcher m = MAY_IMPORT_SENTENCE.matcher(packageInfo);
        assertTrue(m.find(), "no \"May import:\" sentence");
        Set<String> out = new TreeSet<>();
        Matcher code = CODE.matcher(ASIDE.matcher(m.group(1)).replaceAll(""));
        while (code.find()) {
            out.add(code.group(1));
        }
        return out;
    }

    @Test
    void theMayImportLineIsReadAsWritten() {
        assertEquals(Set.of("cgroup", "registration.contract", "proc"), mayImport("<p>May import: {@code cgroup},"
                + " {@code registration.contract}\n * (the {@code Peer}, {@code verify}'s) and {@code proc}. Never {@code cli}."));
        assertEquals(Set.of(), mayImport("<p>May import: nothing of the agent."));
    }

    /** The agent's classes (outside {@code allowedIn}) that reference a class named as {@code target} accepts. */
    private static List<String> users(Predicate<String> target, Predicate<JavaClass> allowedIn) {
        List<String> out = new ArrayList<>();
        for (JavaClass c : classes) {
            if (allowedIn.test(c)) {
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                if (target.test(d.getTargetClass().getBaseComponentType().getName())) {
                    out.add(d.getDescription());
                }
            }
        }
        return dedup(out);
    }

    private static String local(String pkg) {
        return pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
    }

    private static String topLevel(JavaClass c) {
        String n = c.getName();
        int dollar = n.indexOf('$');
        return dollar < 0 ? n : n.substring(0, dollar);
    }

    private static List<String> dedup(List<String> in) {
        return List.copyOf(new TreeSet<>(in));
    }
}
