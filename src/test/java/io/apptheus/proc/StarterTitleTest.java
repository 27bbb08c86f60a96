package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StarterTitleTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
        // cmdline as ProcReader.cmdline returns it (NULs as spaces, trailing NULs dropped)
        "Apptainer instance: svc-jaws [jaws-task-log-staging] | INSTANCE | jaws-task-log-staging | svc-jaws",
        "Apptainer instance: alice [web1]                     | INSTANCE | web1                  | alice",
        "'Apptainer instance: alice [web1]    '               | INSTANCE | web1                  | alice",
        "Singularity instance: bob [db]                       | INSTANCE | db                    | bob",
        "Apptainer runtime parent                             | RUN      | ''                    | ''",
        "Singularity runtime parent                           | RUN      | ''                    | ''",
        "Apptainer instance: alice []                         | UNKNOWN  | ''                    | ''",
        "Apptainer instance: alice                            | UNKNOWN  | ''                    | ''",
        "/usr/libexec/apptainer/bin/starter /tmp/s.sock burn 2| UNKNOWN  | ''                    | ''",
        "''                                                   | UNKNOWN  | ''                    | ''",
        "apptainer runtime parent                             | UNKNOWN  | ''                    | ''",
    })
    void parsesTheStartersProcessTitle(String cmdline, StarterTitle.Kind kind, String instance, String user) {
        assertEquals(new StarterTitle(kind, instance, user), StarterTitle.parse(cmdline));
    }
}
