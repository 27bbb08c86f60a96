package io.apptheus.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One command-line flag: its name (without the leading dashes), the help line, and how its values
 * become configuration properties. A repeatable flag's {@code toProperties} gets every value given
 * so far, in order; any other flag's gets only its last. {@code toProperties} throws
 * {@link IllegalArgumentException} with a short reason when a value is bad.
 */
record Flag(String name, String valueHint, String defaultValue, String help, boolean repeatable,
            Function<List<String>, Map<String, String>> toProperties) {

    static Flag simple(String name, String property, String hint, String defaultValue, String help,
                       Function<String, String> normalise) {
        return new Flag(name, hint, defaultValue, help, false,
                v -> Map.of(property, normalise.apply(v.get(v.size() - 1))));
    }

    static Flag repeatable(String name, String hint, String defaultValue, String help,
                           Function<List<String>, Map<String, String>> toProperties) {
        return new Flag(name, hint, defaultValue, help, true, toProperties);
    }
}
