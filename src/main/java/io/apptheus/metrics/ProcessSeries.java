package io.apptheus.metrics;

import java.io.IOException;

import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.apptheus.proc.ProcReader;
import io.apptheus.proc.SelfUsage;

/**
 * The standard process metrics of every Prometheus client, with its names, units and help
 * ({@code process_cpu_seconds_total}, {@code process_resident_memory_bytes}, ...), and Micrometer's
 * two file-descriptor gauges under their old names, all from one read of /proc/self per scrape.
 * Micrometer's own {@code process.start.time} and {@code process.files.*} meters are filtered out
 * ({@link LintCleanNames}): the first would clash with the standard name, the others would list
 * /proc/self/fd a second time.
 */
@Singleton
public class ProcessSeries {

    private static final Logger LOG = Logger.getLogger(ProcessSeries.class);

    private final ProcReader proc;
    private volatile boolean failedBefore;

    ProcessSeries(ProcReader proc) {
        this.proc = proc;
    }

    void describe(FamilySink sink) {
        for (Family f : Family.values()) {
            sink.family(f.name, f.type, f.help);
        }
    }

    void collect(FamilySink sink) {
        SelfUsage u;
        try {
            u = SelfUsage.read(proc.procRoot());
        } catch (IOException | RuntimeException e) {
            if (!failedBefore) {
                failedBefore = true;
                LOG.warnf("process metrics left out of the scrape: %s", e.getMessage());
            }
            return;
        }
        emit(sink, Family.CPU, u.cpuSeconds());
        emit(sink, Family.RESIDENT, u.residentBytes());
        emit(sink, Family.VIRTUAL, u.virtualBytes());
        emit(sink, Family.OPEN_FDS, u.openFds());
        emit(sink, Family.MAX_FDS, u.maxFds());
        emit(sink, Family.START_TIME, u.startTimeSeconds());
        emit(sink, Family.FILES_OPEN, u.openFds());
        emit(sink, Family.FILES_MAX, u.maxFds());
    }

    private static void emit(FamilySink sink, Family f, double value) {
        sink.family(f.name, f.type, f.help);
        sink.sample(f.sample, ContainerLabels.NONE, value);
    }

    private enum Family {
        CPU("process_cpu_seconds", FamilySink.Type.COUNTER, "Total user and system CPU time spent in seconds."),
        RESIDENT("process_resident_memory_bytes", FamilySink.Type.GAUGE, "Resident memory size in bytes."),
        VIRTUAL("process_virtual_memory_bytes", FamilySink.Type.GAUGE, "Virtual memory size in bytes."),
        OPEN_FDS("process_open_fds", FamilySink.Type.GAUGE, "Number of open file descriptors."),
        MAX_FDS("process_max_fds", FamilySink.Type.GAUGE, "Maximum number of open file descriptors."),
        START_TIME("process_start_time_seconds", FamilySink.Type.GAUGE,
                "Start time of the process since unix epoch in seconds."),
        // Micrometer's FileDescriptorMetrics names, kept for dashboards built on them
        FILES_OPEN("process_files_open_files", FamilySink.Type.GAUGE, "The open file descriptor count"),
        FILES_MAX("process_files_max_files", FamilySink.Type.GAUGE, "The maximum file descriptor count");

        final String name;
        final String sample;
        final FamilySink.Type type;
        final String help;

        Family(String name, FamilySink.Type type, String help) {
            this.name = name;
            this.sample = type == FamilySink.Type.COUNTER ? name + "_total" : name;
            this.type = type;
            this.help = help;
        }
    }
}
