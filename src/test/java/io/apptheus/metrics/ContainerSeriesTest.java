package io.apptheus.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.apptheus.cgroup.Stat;
import io.apptheus.cgroup.StatsBuffer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The families of a scrape: which there are, and that each reads the buffers when it is written. */
class ContainerSeriesTest {

    private final ContainerSeries series = new ContainerSeries(new SimpleMeterRegistry(), false);

    /** What a source wrote: its family's name, then "sample=value" per sample. */
    private static List<String> written(FamilySink.Source source) {
        List<String> out = new ArrayList<>();
        source.writeTo(new FamilySink() {
            @Override
            public void family(String name, Type type, String help) {
                out.add(name);
            }

            @Override
            public void sample(String name, ContainerLabels labels, double value) {
                out.add(name + "=" + value);
            }
        });
        return out;
    }

    private StatsBuffer publish(String name, Stat... provides) {
        StatsBuffer stats = new StatsBuffer();
        ContainerLabels labels = ContainerLabels.of(new ContainerLabels.Switches(false, false, false),
                "/apptheus/" + name, name, 1, 0, "", "", "");
        series.publish(stats, labels, EnumSet.of(provides[0], provides), ExpositionGoldenTest.LIFECYCLE);
        return stats;
    }

    @Test
    void noContainerNoFamily() {
        assertEquals(List.of(), series.families());
    }

    @Test
    void aFamilyReadsTheBuffersWhenItIsWrittenNotWhenTheScrapeBegins() {
        StatsBuffer a = publish("a", Stat.CPU_USAGE_NS, Stat.PROCESSES);
        a.set(Stat.CPU_USAGE_NS, 1_000_000_000L);
        List<FamilySink.Source> families = series.families();
        a.set(Stat.CPU_USAGE_NS, 3_000_000_000L); // a sweep between the scrape's start and this family
        assertEquals(List.of("container_cpu_usage_seconds", "container_cpu_usage_seconds_total=3.0"),
                written(families.get(0)));
    }

    @Test
    void onlyTheRowsSomeContainerProvidesThenStartAndLastSeen() {
        publish("a", Stat.PROCESSES);
        publish("b", Stat.PROCESSES, Stat.THREADS);
        List<String> names = series.families().stream().map(f -> written(f).get(0)).toList();
        assertEquals(List.of("container_processes", "container_threads", "container_start_time_seconds",
                "container_last_seen"), names);
    }

    @Test
    void aRowHasASampleForEachContainerThatProvidesIt() {
        publish("a", Stat.PROCESSES).set(Stat.PROCESSES, 2);
        publish("b", Stat.PROCESSES, Stat.THREADS).set(Stat.PROCESSES, 5);
        assertEquals(List.of("container_processes", "container_processes=2.0", "container_processes=5.0"),
                written(series.families().get(0)));
        assertEquals(2, written(series.families().get(1)).size(), "threads: b only");
    }
}
