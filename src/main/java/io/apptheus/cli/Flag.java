package io.apptheus.cli;

import java.util.Map;
import java.util.function.Function;

/**
 * One command-line flag: its name (without the leading dashes), the help line, and how its value
 * becomes configuration properties. {@code toProperties} throws {@link IllegalArgumentException}
 * with a short reason when the value is bad.
 */
record Flag(String name, String valueHint, String defaultValue, String help,
            Function<String, Map<String, String>> toProperties) {

    static Flag simple(String name, String property, String hint, String defaultValue, String help,
                       Function<String, String> normalise) {
        return new Flag(name, hint, defaultValue, help, v -> Map.of(property, normalise.apply(v)));
    }
}
