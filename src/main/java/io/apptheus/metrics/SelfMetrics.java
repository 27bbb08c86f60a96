package io.apptheus.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.inject.Singleton;

import io.apptheus.registration.contract.Result;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The agent's own metrics: what it accepted, refused, sampled and failed at. */
@Singleton
public class SelfMetrics {

    private final MeterRegistry registry;
    private final Timer sweep;
    private final Timer sweepLag;
    private final Counter cleanupFailures;

    SelfMetrics(MeterRegistry registry) {
        this.registry = registry;
        BuildInfo info = BuildInfo.load();
        Gauge.builder("apptheus.build.info", () -> 1)
                .description("A metric with a constant '1' value labeled by version, revision, branch and"
                        + " javaversion from which apptheus was built")
                .tags("version", info.version(), "revision", info.revision(), "branch", info.branch(),
                        "javaversion", info.javaVersion())
                .register(registry);
        for (Result r : Result.values()) { // every result published from the start at 0
            registrationCounter(r);
        }
        for (String r : List.of("vanished", "malformed", "io", "internal")) {
            sampleErrorCounter(r);
        }
        for (String limit : List.of("total", "address")) {
            httpRefusedCounter(limit);
        }
        for (String timeout : List.of("header", "idle")) {
            httpTimedOutCounter(timeout);
        }
        // Buckets fine enough to read a p99 against the sweep's 50 ms target (bench/README.md),
        // a superset of the first ones (1, 5, 10, 25, 50, 100, 250, 500, 1000 ms) so that queries
        // on those still hold.
        this.sweep = Timer.builder("apptheus.sweep.duration")
                .description("Time one sweep took to sample every monitored container")
                .serviceLevelObjectives(us(500), ms(1), ms(2), ms(3), ms(5), ms(7), ms(10), ms(15), ms(20), ms(25),
                        ms(30), ms(40), ms(50), ms(75), ms(100), ms(150), ms(250), ms(500), ms(1000))
                .register(registry);
        this.sweepLag = Timer.builder("apptheus.sweep.lag")
                .description("How late a sweep started after its scheduled time")
                .serviceLevelObjectives(us(250), us(500), ms(1), ms(2), ms(3), ms(5), ms(10), ms(25), ms(50),
                        ms(100), ms(250), ms(500))
                .register(registry);
        this.cleanupFailures = Counter.builder("apptheus.cleanup.failures")
                .description("Container cgroups that could not be removed when their container ended")
                .register(registry);
    }

    public void registration(Result result) {
        registrationCounter(result).increment();
    }

    public void containers(Supplier<Number> count) {
        Gauge.builder("apptheus.containers", count).description("Containers monitored now (running or retained)")
                .strongReference(true).register(registry);
    }

    public void connectionsOpen(Supplier<Number> count) {
        Gauge.builder("apptheus.connections.open", count).description("Starter connections held open now")
                .strongReference(true).register(registry);
    }

    public void connectionsWaiting(Supplier<Number> count) {
        Gauge.builder("apptheus.connections.waiting", count)
                .description("Starter connections waiting for their turn or being verified now (--socket.max-waiting)")
                .strongReference(true).register(registry);
    }

    public void httpConnectionsOpen(Supplier<Number> count) {
        Gauge.builder("apptheus.http.connections.open", count)
                .description("HTTP connections open now, all listeners (--web.max-connections)")
                .strongReference(true).register(registry);
    }

    /** {@code limit}: total (--web.max-connections) or address (--web.max-connections-per-address). */
    public void httpConnectionRefused(String limit) {
        httpRefusedCounter(limit).increment();
    }

    /** {@code timeout}: header (--web.read-header-timeout) or idle (--web.idle-timeout). */
    public void httpConnectionTimedOut(String timeout) {
        httpTimedOutCounter(timeout).increment();
    }

    private Counter httpRefusedCounter(String limit) {
        return Counter.builder("apptheus.http.connections.refused")
                .description("HTTP connections closed at accept because a bound was reached")
                .tag("limit", limit).register(registry);
    }

    private Counter httpTimedOutCounter(String timeout) {
        return Counter.builder("apptheus.http.connections.timed.out")
                .description("HTTP connections closed by the agent because a client was too slow or silent")
                .tag("timeout", timeout).register(registry);
    }

    public void sampleError(String reason) {
        sampleErrorCounter(reason).increment();
    }

    private Counter sampleErrorCounter(String reason) {
        return Counter.builder("apptheus.sample.errors").description("Cgroup files that could not be read or parsed")
                .tag("reason", reason).register(registry);
    }

    public void cleanupFailure() {
        cleanupFailures.increment();
    }

    /** One sweep over every container took {@code nanos}. */
    public void sweepTook(long nanos) {
        sweep.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A sweep started {@code millis} after its scheduled time. */
    public void sweepLate(long millis) {
        sweepLag.record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    private Counter registrationCounter(Result result) {
        return Counter.builder("apptheus.registrations")
                .description("Starter connections by outcome of their registration")
                .tag("result", result.label()).register(registry);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static Duration us(long micros) {
        return Duration.ofNanos(micros * 1000);
    }
}
