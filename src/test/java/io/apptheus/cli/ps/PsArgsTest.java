package io.apptheus.cli.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PsArgsTest {

    private static PsArgs.Parsed parse(String line) {
        return PsArgs.parse(line.isBlank() ? List.of() : List.of(line.strip().split(" +")));
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        // args                                   | sort  | json  | watch | url
        "''                                       | CPU   | false | false | http://127.0.0.1:9091",
        "--sort mem                               | MEM   | false | false | http://127.0.0.1:9091",
        "--sort=IO                                | IO    | false | false | http://127.0.0.1:9091",
        "-sort start --json                       | START | true  | false | http://127.0.0.1:9091",
        "--watch --address node17:9100            | CPU   | false | true  | http://node17:9100",
        "--address=:9091                          | CPU   | false | false | http://127.0.0.1:9091",
        "--address 0.0.0.0:9200                   | CPU   | false | false | http://127.0.0.1:9200",
        "--address [::1]:9091                     | CPU   | false | false | http://[::1]:9091",
        "--address [::]:9091                      | CPU   | false | false | http://[::1]:9091",
        "--web.listen-address=10.1.2.3:9091 --json| CPU   | true  | false | http://10.1.2.3:9091",
        "--sort cpu --sort mem                    | MEM   | false | false | http://127.0.0.1:9091",
    })
    void options(String args, PsArgs.Sort sort, boolean json, boolean watch, String url) {
        PsArgs.Options o = assertInstanceOf(PsArgs.Options.class, parse(args));
        assertEquals(sort, o.sort());
        assertEquals(json, o.json());
        assertEquals(watch, o.watch());
        assertEquals(url, o.baseUrl());
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        "--sort                | flag --sort needs a value",
        "--sort disk           | invalid value \"disk\" for flag --sort: must be one of cpu, mem, io, start",
        "--json=yes            | invalid value \"yes\" for flag --json: must be one of true, false",
        "--address 9091        | invalid value \"9091\" for flag --address: must be [HOST]:PORT, e.g. :9091",
        "--address ::1:9091    | invalid value \"::1:9091\" for flag --address: an IPv6 host must be in brackets, e.g. [::1]:9091",
        "--address host:http   | invalid value \"host:http\" for flag --address: port \"http\" is not a number",
        "--address host:0      | invalid value \"host:0\" for flag --address: port 0 is out of range",
        "--address host:70000  | invalid value \"host:70000\" for flag --address: port 70000 is out of range",
        "--all                 | unknown flag --all (see apptheus ps --help)",
        "starter_42            | unexpected argument \"starter_42\" (see apptheus ps --help)",
        "--                    | unexpected argument \"--\" (see apptheus ps --help)",
    })
    void usageErrorsNameTheArgument(String args, String message) {
        assertEquals(message, assertInstanceOf(PsArgs.Invalid.class, parse(args)).message());
    }

    @Test
    void helpWinsWherever() {
        assertInstanceOf(PsArgs.Help.class, parse("--sort mem -h"));
        assertInstanceOf(PsArgs.Help.class, parse("--help --bogus"));
    }
}
