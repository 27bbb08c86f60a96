package io.apptheus.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** What this build is: from apptheus-build.properties, written by Maven at build time. */
public record BuildInfo(String version, String revision, String branch, String javaVersion) {

    private static final String RESOURCE = "/apptheus-build.properties";

    public static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable build stamp leaves "unknown" values; never a reason not to start
        }
        return new BuildInfo(value(p, "version"), value(p, "revision"), value(p, "branch"),
                System.getProperty("java.version", "unknown"));
    }

    /** Unfiltered placeholders ("${git.branch}") mean the build had no git metadata. */
    private static String value(Properties p, String key) {
        String v = p.getProperty(key, "");
        return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }
}
