package io.apptheus.gateway;

import org.jboss.logging.Logger;

/**
 * The log lines of connections refused at accept. A flood refuses thousands a second: the first
 * refusal of a quiet period is logged as it happens, the next ones are counted and summed up at
 * most once per {@code periodNanos}, each line naming the last caller refused; the counter in
 * /metrics has them all.
 */
final class RefusalLog {

    private final Logger log;
    private final long periodNanos;
    private long windowStart;
    private boolean quiet = true;
    private long suppressed;
    private long lastPid;
    private long lastUid;
    private String lastWhy = "";

    RefusalLog(Logger log, long periodNanos) {
        this.log = log;
        this.periodNanos = periodNanos;
    }

    /** From the gateway's event loop and the acceptor thread. */
    synchronized void refused(long pid, long uid, String why, long nowNanos) {
        if (quiet || nowNanos - windowStart >= periodNanos) {
            flush(nowNanos);
            log.warnf("pid %d uid %d: refused at accept: %s", pid, uid, why);
            quiet = false;
            windowStart = nowNanos;
            return;
        }
        suppressed++;
        lastPid = pid;
        lastUid = uid;
        lastWhy = why;
    }

    /** Sums up what was held back, if a period is over; a period with no refusal ends the flood. */
    synchronized void flush(long nowNanos) {
        if (quiet || nowNanos - windowStart < periodNanos) {
            return;
        }
        if (suppressed == 0) {
            quiet = true;
            return;
        }
        log.warnf("%d more connections refused at accept in the last %d s (the last: pid %d uid %d: %s)",
                suppressed, (nowNanos - windowStart) / 1_000_000_000L, lastPid, lastUid, lastWhy);
        suppressed = 0;
        windowStart = nowNanos;
    }
}
