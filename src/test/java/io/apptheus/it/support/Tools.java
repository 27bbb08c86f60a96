package io.apptheus.it.support;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;

/**
 * Host tools a test needs (stress-ng, promtool, Prometheus, Chromium). On a developer's machine a
 * missing tool skips the test; under {@code CI=true} (.ci/run, which installs them) it fails it, so
 * that CI can never pass by skipping.
 */
public final class Tools {

    private Tools() {
    }

    /** Skips (or, under CI=true, fails) unless {@code present}; {@code what} says what is missing. */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if (underCi()) {
            fail(what + " (CI=true: a test that needs a tool fails when it is missing)");
        }
        assumeTrue(false, what);
    }

    /** {@link #require} an executable file at {@code path}. */
    public static void requireExecutable(String path, String what) {
        require(new File(path).canExecute(), what);
    }

    static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
