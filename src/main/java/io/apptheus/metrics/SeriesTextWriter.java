package io.apptheus.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes families straight into the scrape's chunks in the negotiated format, byte for byte as the
 * Prometheus client would write them: the containers' series, which are almost all of a large
 * node's scrape. Why not through the client (docs/decisions/exposition.md): its writer escapes
 * every label value a character at a time and formats every value anew, ~30,000 times per scrape
 * at 1,000 containers, which kept the scrape over its 100 ms budget with the launcher's C1. Here a
 * container's label block is escaped and encoded once per format and kept with its labels
 * ({@link ContainerLabels#rendered}), a family's sample name is encoded once, and values are
 * written by {@link SampleValueText}: a sample is three copies of bytes and a number.
 */
final class SeriesTextWriter implements FamilySink {

    private static final byte[] SPACE = {' '};

    private final ChunkedWriter out;
    private final ExpositionFormat format;
    private final byte[] number = new byte[SampleValueText.MAX_CHARS];
    private String name;
    private byte[] nameBytes;

    SeriesTextWriter(ChunkedWriter out, ExpositionFormat format) {
        this.out = out;
        this.format = format;
    }

    @Override
    public void family(String name, Type type, String help) {
        try {
            out.write(format.header(name, type, help));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void sample(String name, ContainerLabels labels, double value) {
        if (!name.equals(this.name)) { // the samples of a family share their name: encoded once
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        }
        out.writeBytes(nameBytes, 0, nameBytes.length);
        byte[] l = labels.rendered(format);
        out.writeBytes(l, 0, l.length);
        out.writeBytes(SPACE, 0, 1);
        int n = SampleValueText.format(value, number);
        number[n] = '\n'; // MAX_CHARS leaves room for it
        out.writeBytes(number, 0, n + 1);
    }
}
