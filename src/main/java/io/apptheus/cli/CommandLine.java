package io.apptheus.cli;

import java.util.List;
import java.util.Map;

/** What the command line asks for. */
public sealed interface CommandLine {

    /** Run the agent with these configuration properties (flag values, normalised). */
    record Run(Map<String, String> properties, List<String> warnings) implements CommandLine {
    }

    /** {@code apptheus ps ARGS...}: the table of the local agent's containers; parsed by the ps client. */
    record Ps(List<String> args) implements CommandLine {
        public Ps {
            args = List.copyOf(args);
        }
    }

    record Help() implements CommandLine {
    }

    record Version() implements CommandLine {
    }

    /** A usage error: the one-line message names the flag. */
    record Invalid(String message) implements CommandLine {
    }
}
