package io.apptheus.monitor;

import java.time.Duration;

import io.apptheus.cgroup.Pass;
import io.apptheus.cgroup.Refresh;

/**
 * When the sweep reads each {@link Refresh} class of a container's files: the every-sweep files at
 * every sweep; the while-active files at the sweeps of the activity window after the container's
 * CPU time or memory usage last moved; all of them once per slow period, at the container's phase
 * (containers are spread over the period, so that every sweep reads about as many files).
 */
final class ReadSchedule {

    /**
     * The default slow period ({@code --monitor.slow-interval}), for limits and settings, and the
     * while-active files of an idle container (so that nothing is older than this, whatever the
     * kernel did). 30 s rather than 10 s: those files are most of the sweep's file opens, and at
     * 1,000 containers 10 s cost a third more CPU and a sweep p99 over 50 ms (docs/decisions/
     * hot-and-cold-files.md), for limits that an administrator sets when the job starts.
     */
    static final Duration SLOW_PERIOD = Duration.ofSeconds(30);
    /**
     * How long after the container's CPU time or memory usage last moved its while-active files are
     * still read: the CFS bandwidth timer counts periods for up to two periods after the group
     * last ran, and a period is at most 1 s; a loop or dm worker submits the lower device's IO
     * moments after the container's task.
     */
    static final Duration ACTIVE_WINDOW = Duration.ofSeconds(2);

    private final int slowEvery;
    private final int activeSweeps;

    ReadSchedule(Duration interval) {
        this(interval, SLOW_PERIOD);
    }

    /** @param slowPeriod how often the slow files are read; rounded to whole sweeps, at least one */
    ReadSchedule(Duration interval, Duration slowPeriod) {
        double nanos = interval.toNanos();
        this.slowEvery = (int) Math.max(1, Math.round(slowPeriod.toNanos() / nanos));
        // the sweep that saw the move, then every sweep that can start within the window after it
        this.activeSweeps = (int) Math.ceil(ACTIVE_WINDOW.toNanos() / nanos) + 1;
    }

    /** Sweeps per slow period: the number of phases. */
    int slowEvery() {
        return slowEvery;
    }

    /** Sweeps during which a container counts as active after the sweep that saw it move. */
    int activeSweeps() {
        return activeSweeps;
    }

    /**
     * What sweep {@code sweep} reads of a container of phase {@code phase} after its every-sweep
     * files; null for nothing more.
     *
     * @param activeUntil the last sweep of its activity window
     */
    Pass after(long sweep, int phase, long activeUntil) {
        if ((sweep + phase) % slowEvery == 0) {
            return Pass.SLOW;
        }
        return sweep <= activeUntil ? Pass.ACTIVE : null;
    }
}
