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

    @org.junit.jupiter.api.Test
    void namesAreCutToTheBound() {
        StarterTitle huge = StarterTitle.parse("Apptainer instance: " + "u".repeat(500) + " [" + "x".repeat(960_000)
                + "]", 128);
        assertEquals(new StarterTitle(StarterTitle.Kind.INSTANCE, "x".repeat(128), "u".repeat(128)), huge);
        // a title cut by the read bound before its "]" still names its (cut) instance
        assertEquals("x".repeat(10), StarterTitle.parse("Apptainer instance: bob [" + "x".repeat(4000), 10).instance());
        assertEquals("web\033]0;pwned\007", StarterTitle.parse("Apptainer instance: bob [web\033]0;pwned\007]", 128)
                .instance(), "control characters are kept here: each place escapes them by its own rules");
    }

    @org.junit.jupiter.api.Test
    void cmdlineAndEnvironmentAsRead() {
        assertEquals("Apptainer instance: bob [web1]",
                ProcReader.cmdlineText("Apptainer instance: bob [web1]\0\0\0".getBytes()));
        assertEquals("a b c", ProcReader.cmdlineText("a\0b\0c\0".getBytes()));
        byte[] env = "PATH=/bin\0SLURM_JOB_ID=4242\0X=1\0".getBytes();
        assertEquals(java.util.Optional.of("4242"), ProcReader.findVariable(env, "SLURM_JOB_ID", 128));
        assertEquals(java.util.Optional.of("42"), ProcReader.findVariable(env, "SLURM_JOB_ID", 2));
        assertEquals(java.util.Optional.empty(), ProcReader.findVariable(env, "SLURM", 128));
        // the variable past the read bound is not found (the bound cut the environment)
        assertEquals(java.util.Optional.empty(), ProcReader.findVariable(java.util.Arrays.copyOf(env, 12),
                "SLURM_JOB_ID", 128));
    }
}
