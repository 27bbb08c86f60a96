package io.apptheus.cli.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void readsEveryKindOfValue() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "a\"b\\c/\n\t\u00e9\u20ac");
        expected.put("n", -1.5e3);
        expected.put("i", 42.0);
        expected.put("t", true);
        expected.put("f", false);
        expected.put("z", null);
        expected.put("a", Arrays.asList(1.0, "x", null, List.of(), Map.of()));
        assertEquals(expected, Json.parse(
                " {\"s\":\"a\\\"b\\\\c\\/\\n\\t\\u00e9€\", \"n\" : -1.5E3,\"i\":42,\"t\":true,\"f\":false,\"z\":null,"
                        + "\n\"a\":[1,\"x\",null,[],{}]} "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]x", "[1 2]", "\"abc", "tru", "{a:1}", "1 2",
        "\"\\x\"", "\"\\u12\"", "--1", "<html>"})
    void refusesWhatIsNotJson(String text) {
        assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
    }
}
