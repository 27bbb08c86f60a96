package io.apptheus.metrics;

import java.io.IOException;
import java.io.Writer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.exporter.common.TextFormat;
import io.quarkus.runtime.StartupEvent;

/**
 * The one class that names the Prometheus client (simpleclient 0.16, under Micrometer's
 * {@link PrometheusMeterRegistry}), so that the move to client 1.x changes this file only. It adds
 * one collector to the registry's own {@code CollectorRegistry}: the containers' series and the
 * standard process metrics, built at scrape time from their buffers and /proc/self. The registry's
 * scrape is then the one exposition, with the client's text formats and negotiation, on every
 * path that serves it.
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

    /** Every series of the registry (the agent's, the runtime's, ours) in {@code contentType}. */
    void scrape(Writer out, String contentType) throws IOException {
        registry.scrape(out, contentType);
    }

    private final class AgentCollector extends Collector implements Collector.Describable {
        /** The process metrics (a few, read once) at once; the containers' families one at a time. */
        @Override
        public List<MetricFamilySamples> collect() {
            Families f = new Families();
            process.collect(f);
            return new OneAtATime(f.done(), containers.families());
        }

        @Override
        public List<MetricFamilySamples> describe() {
            Families f = new Families();
            process.describe(f);
            containers.describe(f);
            return f.done();
        }
    }

    /**
     * The families of a scrape, those of {@code later} built at {@link #get} (the client's
     * exposition walks the list once, writing each family before it asks for the next): see
     * {@link ContainerSeries#families()} for why.
     */
    private static final class OneAtATime extends AbstractList<Collector.MetricFamilySamples> {
        private final List<Collector.MetricFamilySamples> built;
        private final List<FamilySink.Source> later;

        OneAtATime(List<Collector.MetricFamilySamples> built, List<FamilySink.Source> later) {
            this.built = built;
            this.later = later;
        }

        @Override
        public Collector.MetricFamilySamples get(int index) {
            if (index < built.size()) {
                return built.get(index);
            }
            Families f = new Families();
            later.get(index - built.size()).writeTo(f);
            List<Collector.MetricFamilySamples> one = f.done();
            if (one.size() != 1) {
                throw new IllegalStateException("a family source wrote " + one.size() + " families");
            }
            return one.get(0);
        }

        @Override
        public int size() {
            return built.size() + later.size();
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
        public void sample(String sampleName, List<String> labelNames, List<String> labelValues, double value) {
            samples.add(new Collector.MetricFamilySamples.Sample(sampleName, labelNames, labelValues, value));
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
