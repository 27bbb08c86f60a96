package io.apptheus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The agent's own writer gives the client's bytes, in both formats, for families of every shape:
 * counters and gauges, no labels and many, label values and help texts with the characters that
 * must be escaped, non-ASCII, and every kind of value. ExpositionGoldenTest does the same on the
 * real containers of the fixtures.
 */
class SeriesTextWriterTest {

    private static final String[] NASTY = {"", "plain", "with \"quotes\"", "back\\slash", "new\nline", "tab\there",
        "é€😀", "\\\"\n", "}{,=", "a\u2028b", "\ud83d", "trailing\\"};

    private static String direct(ExpositionFormat format, List<FamilySink.Source> families) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ChunkedWriter chunks = new ChunkedWriter((b, n) -> bytes.write(b, 0, n), 100)) { // many chunk ends
            SeriesTextWriter writer = new SeriesTextWriter(chunks, format);
            families.forEach(f -> f.writeTo(writer));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String client(ExpositionFormat format, List<FamilySink.Source> families) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(); // encoded as the route encodes it
        try (ChunkedWriter chunks = new ChunkedWriter((b, n) -> bytes.write(b, 0, n))) {
            PrometheusExposition.writeThroughClient(chunks, format.contentType, families);
        }
        String s = bytes.toString(StandardCharsets.UTF_8);
        return format == ExpositionFormat.OPENMETRICS_100 ? s.substring(0, s.length() - "# EOF\n".length()) : s;
    }

    private static List<FamilySink.Source> randomFamilies(SplittableRandom r) {
        List<FamilySink.Source> families = new ArrayList<>();
        for (int f = 0; f < 30; f++) {
            String name = "family_" + f;
            FamilySink.Type type = r.nextBoolean() ? FamilySink.Type.COUNTER : FamilySink.Type.GAUGE;
            String help = "help " + NASTY[r.nextInt(NASTY.length)] + " of " + name;
            List<ContainerLabels> labels = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (int s = r.nextInt(1, 12); s > 0; s--) {
                labels.add(r.nextInt(5) == 0 ? ContainerLabels.NONE : ContainerLabels.of(
                        new ContainerLabels.Switches(r.nextBoolean(), r.nextBoolean(), r.nextBoolean()),
                        NASTY[r.nextInt(NASTY.length)], NASTY[r.nextInt(NASTY.length)], r.nextLong(1 << 22),
                        r.nextLong(70_000), "user", "inst", "42"));
                values.add(value(r));
            }
            String sample = type == FamilySink.Type.COUNTER ? name + "_total" : name;
            families.add(sink -> {
                sink.family(name, type, help);
                for (int i = 0; i < labels.size(); i++) {
                    sink.sample(sample, labels.get(i), values.get(i));
                }
            });
        }
        return families;
    }

    private static double value(SplittableRandom r) {
        return switch (r.nextInt(7)) {
            case 0 -> r.nextLong(1L << r.nextInt(1, 62));
            case 1 -> r.nextLong(1L << r.nextInt(1, 55)) / 1e9;
            case 2 -> Double.longBitsToDouble(r.nextLong());
            case 3 -> Double.POSITIVE_INFINITY;
            case 4 -> Double.NaN;
            case 5 -> -r.nextDouble();
            default -> 0.0;
        };
    }

    @Test
    void sameBytesAsTheClientInBothFormats() throws IOException {
        SplittableRandom r = new SplittableRandom(14);
        for (int round = 0; round < 50; round++) {
            List<FamilySink.Source> families = randomFamilies(r);
            for (ExpositionFormat format : ExpositionFormat.values()) {
                assertSameLines(client(format, families), direct(format, families), format + ", round " + round);
            }
        }
    }

    /** Equal texts; if not, the first line that differs (a whole exposition is too long to read). */
    private static void assertSameLines(String expected, String actual, String what) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.min(e.length, a.length); i++) {
            assertEquals(e[i], a[i], what + ", line " + (i + 1));
        }
        assertEquals(expected, actual, what);
    }

    @Test
    void aContainersLabelBlockIsMadeOncePerFormat() {
        ContainerLabels l = ContainerLabels.of(new ContainerLabels.Switches(false, false, false), "/a\"b", "n_1", 1,
                0, "", "", "");
        assertEquals("{id=\"/a\\\"b\",name=\"n_1\",pid=\"1\",uid=\"0\",}", text(l, ExpositionFormat.TEXT_004));
        assertEquals("{id=\"/a\\\"b\",name=\"n_1\",pid=\"1\",uid=\"0\"}", text(l, ExpositionFormat.OPENMETRICS_100));
        assertSame(l.rendered(ExpositionFormat.TEXT_004), l.rendered(ExpositionFormat.TEXT_004), "kept, not made again");
        assertEquals("", text(ContainerLabels.NONE, ExpositionFormat.OPENMETRICS_100));
    }

    private static String text(ContainerLabels labels, ExpositionFormat format) {
        return new String(labels.rendered(format), StandardCharsets.UTF_8);
    }

    @Test
    void theNegotiatedContentTypesAreTheFormats() {
        assertEquals(ExpositionFormat.TEXT_004, ExpositionFormat.of(PrometheusExposition.contentType(null)));
        assertEquals(ExpositionFormat.OPENMETRICS_100, ExpositionFormat.of(PrometheusExposition.contentType(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")));
    }
}
