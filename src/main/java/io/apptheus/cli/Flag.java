package io.apptheus.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One command-line flag: its name (without the leading dashes), the help line, and how its values
 * become configuration properties. A repeatable flag's {@code toProperties} gets every value given
 * so far, in order; any other flag's gets only its last. {@code toProperties} throws
 * {@link IllegalArgumentException} with a short reason when a value is bad. A boolean flag, as in
 * kingpin (the Go original's parser), may stand alone ({@code --web.systemd-socket}), take
 * {@code =true}/{@code =false}, or be negated ({@code --no-web.systemd-socket}).
 */
public record Flag(String name, String valueHint, String defaultValue, String help, boolean repeatable, boolean bool,
            Function<List<String>, Map<String, String>> toProperties) {

    public static Flag simple(String name, String property, String hint, String defaultValue, String help,
                       Function<String, String> normalise) {
        return new Flag(name, hint, defaultValue, help, false, false,
                v -> Map.of(property, normalise.apply(v.get(v.size() - 1))));
    }

    public static Flag repeatable(String name, String hint, String defaultValue, String help,
                           Function<List<String>, Map<String, String>> toProperties) {
        return new Flag(name, hint, defaultValue, help, true, false, toProperties);
    }

    public static Flag bool(String name, String property, String defaultValue, String help) {
        return new Flag(name, "true|false", defaultValue, help, false, true,
                v -> Map.of(property, Flags.bool(v.get(v.size() - 1))));
    }

    /** The environment variable that stands for this flag: APPTHEUS_WEB_LISTEN_ADDRESS for web.listen-address. */
    String envName() {
        return FlagScanner.ENV_PREFIX + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
