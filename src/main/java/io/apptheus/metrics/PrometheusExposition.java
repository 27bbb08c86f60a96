package io.apptheus.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import io.quarkus.runtime.StartupEvent;

/**
 * The one class that names the Prometheus client (simpleclient 0.16, under Micrometer's
 * {@link PrometheusMeterRegistry}), so that the move to client 1.x changes this file only. A scrape
 * is the containers' families, written straight from their buffers by {@link SeriesTextWriter}
 * in the format the client's negotiation chose, then the registry's own scrape (the agent's meters,
 * the runtime's, and the standard process metrics, one collector of this class), which ends an
 * OpenMetrics exposition with its {@code # EOF}. Why the containers are not the client's to write:
 * docs/decisions/exposition.md. Their names are still the registry's: the collector describes them,
 * so a meter that took one fails at start.
 */
@Singleton
public class PrometheusExposition {

    private final PrometheusMeterRegistry registry;
    private final ContainerSeries containers;
    private final ProcessSeries process;

    PrometheusExposition(PrometheusMeterRegistry registry, ContainerSeries containers, ProcessSeries process) {
        this.registry = registry;
        this.containers = containers;
        this.process = process;
    }

    void register(@Observes StartupEvent event) {
        register();
    }

    /** Adds the collector; a name it describes that a meter already has fails here, at start. */
    void register() {
        registry.getPrometheusRegistry().register(new AgentCollector());
    }

    /** The client's negotiation: OpenMetrics 1.0.0 if the Accept header names it, else text 0.0.4. */
    static String contentType(String accept) {
        return TextFormat.chooseContentType(accept);
    }

    /**
     * Every series (the containers', the agent's, the runtime's) in {@code contentType}, into the
     * route's chunks; any other Writer (tests, tools) gets the same text once it is complete.
     */
    void scrape(Writer out, String contentType) throws IOException {
        if (out instanceof ChunkedWriter chunks) {
            scrape(chunks, contentType);
            return;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ChunkedWriter chunks = new ChunkedWriter((b, n) -> bytes.write(b, 0, n))) {
            scrape(chunks, contentType);
        }
        out.write(bytes.toString(StandardCharsets.UTF_8));
    }

    private void scrape(ChunkedWriter out, String contentType) throws IOException {
        SeriesTextWriter direct = new SeriesTextWriter(out, ExpositionFormat.of(contentType));
        for (FamilySink.Source family : containers.families()) {
            family.writeTo(direct);
        }
        registry.scrape(out, contentType);
    }

    /**
     * {@code families} as the client writes them, {@code # EOF} included for OpenMetrics: the
     * reference the direct writer is held to (SeriesTextWriterTest) and the cost it spares (ScrapeCost).
     */
    static void writeThroughClient(Writer out, String contentType, List<FamilySink.Source> families)
            throws IOException {
        Families f = new Families();
        for (FamilySink.Source family : families) {
            family.writeTo(f);
        }
        TextFormat.writeFormat(contentType, out, Collections.enumeration(f.done()));
    }

    /** The process metrics; the containers' families are described only, for the name check. */
    private final class AgentCollector extends Collector implements Collector.Describable {
        @Override
        public List<MetricFamilySamples> collect() {
            Families f = new Families();
            process.collect(f);
            return f.done();
        }

        @Override
        public List<MetricFamilySamples> describe() {
            Families f = new Families();
            process.describe(f);
            containers.describe(f);
            return f.done();
        }
    }

    /** The sink that makes the client's families: one Sample per series, label lists shared. */
    private static final class Families implements FamilySink {
        private final List<Collector.MetricFamilySamples> out = new ArrayList<>();
        private String name;
        private Collector.Type type;
        private String help;
        private List<Collector.MetricFamilySamples.Sample> samples;

        @Override
        public void family(String name, Type type, String help) {
            finish();
            this.name = name;
            this.type = type == Type.COUNTER ? Collector.Type.COUNTER : Collector.Type.GAUGE;
            this.help = help;
            this.samples = new ArrayList<>();
        }

        @Override
        public void sample(String sampleName, ContainerLabels labels, double value) {
            samples.add(new Collector.MetricFamilySamples.Sample(sampleName, labels.names(), labels.values(), value));
        }

        private void finish() {
            if (name != null) {
                out.add(new Collector.MetricFamilySamples(name, type, help, samples));
                name = null;
            }
        }

        List<Collector.MetricFamilySamples> done() {
            finish();
            return out;
        }
    }
}
