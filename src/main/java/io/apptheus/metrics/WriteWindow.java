package io.apptheus.metrics;

import java.io.IOException;
import java.time.Duration;

/**
 * How many bytes of one answer are handed to Vert.x and not yet written to the socket. The scrape
 * is written by a worker thread; each write becomes a task on the connection's event loop. Without
 * a bound, a worker renders a whole exposition (1 MB at 200 containers) into tasks faster than a
 * busy event loop or a client that does not read takes them: 200 parallel scrapes of 200 containers
 * once queued 1,137 chunks (37 MB) in Vert.x's write tasks and the launcher's 96 MB heap ran out
 * (heap dump, docs/security.md). Here the worker waits while more than {@link #BYTES} are in
 * flight, and gives up when nothing was written for the write timeout.
 */
final class WriteWindow {

    /** Bytes of one answer in flight at most: a few chunks, so that the socket never waits for us. */
    static final int BYTES = 4 * ChunkedWriter.CHUNK;

    private final long timeoutNanos;
    private long inFlight;
    private Throwable failed;

    WriteWindow(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Waits until {@code length} more bytes fit, then counts them.
     *
     * @throws IOException if a write failed (the client went away) or none completed for the timeout
     */
    synchronized void acquire(int length) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (failed == null && inFlight > 0 && inFlight + length > BYTES) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("the client took nothing of the answer for "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms (--web.write-timeout)");
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the answer was written", e);
            }
        }
        if (failed != null) {
            throw new IOException("writing the answer failed: " + failed, failed);
        }
        inFlight += length;
    }

    /** A write of {@code length} bytes completed (on the event loop). */
    synchronized void written(int length, Throwable failure) {
        inFlight -= length;
        if (failure != null && failed == null) {
            failed = failure;
        }
        notifyAll();
    }
}
