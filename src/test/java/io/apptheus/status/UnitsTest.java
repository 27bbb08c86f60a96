package io.apptheus.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitsTest {

    @ParameterizedTest
    @CsvSource({"0,0B", "512,512B", "1023,1023B", "1024,1.0KiB", "1536,1.5KiB", "50331648,48.0MiB",
        "1073741824,1.0GiB", "1048550,1.0MiB", "NaN,-", "Infinity,max", "-5,0B"})
    void bytes(double value, String text) {
        assertEquals(text, Units.bytes(value));
    }

    @ParameterizedTest
    @CsvSource({"0,0s", "59.9,59s", "60,1m00s", "312,5m12s", "3700,1h01m", "86399,23h59m", "183600,2d03h", "NaN,-"})
    void duration(double seconds, String text) {
        assertEquals(text, Units.duration(seconds));
    }

    @ParameterizedTest
    @CsvSource({"0,0.00", "1.982,1.98", "12.345,12.35", "NaN,-"})
    void cores(double value, String text) {
        assertEquals(text, Units.cores(value));
    }
}
