package io.apptheus.gateway;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Which connection is verified next, and which is refused at accept. Every user (the caller's uid
 * as SO_PEERCRED gives it) has a queue of its own, and the queues are served in turn, one
 * connection each: one user's thousands of connections cost another user's starter at most a turn
 * per busy user, never a place behind all of them. The kernel gives the uid with the connection,
 * while the trust check needs /proc: so a flood is contained before any work is spent on it (why
 * this design: docs/decisions/hostile-connections.md).
 *
 * <ul>
 * <li>Connections not answered yet (waiting or being verified) are bounded in all
 * ({@code maxWaiting}) and per uid ({@code maxWaitingPerUid}); a connection past either is
 * refused at accept, which costs an accept and a close. A waiting connection is held, not closed:
 * a user whose connections are all held cannot churn them, and the listen backlog stays free for
 * everyone else's starters.
 * <li>At most {@code maxInFlight} are being verified at once, so that the order is decided here
 * and not in the worker pool's queue.
 * <li>A uid whose caller was untrusted has its callers verified one at a time, each no sooner than
 * {@code untrustedBackoffNanos} after the previous verdict, until one is not untrusted: no user
 * makes the agent verify its connections as fast as it can reconnect them. Only untrusted callers
 * count, not exited ones: uid 0 may be shared by every user's setuid starter.
 * </ul>
 *
 * <p>Not thread-safe: the gateway calls it from its one event loop.
 *
 * @param <T> what waits: the gateway's connection record
 */
final class Admission<T> {

    enum Verdict { ADMITTED, REFUSED_TOTAL, REFUSED_UID }

    /** A place in a uid's queue; {@link #cancel} it when the connection closes before its turn. */
    static final class Ticket<T> {
        final long uid;
        final T item;
        private boolean done;

        private Ticket(long uid, T item) {
            this.uid = uid;
            this.item = item;
        }
    }

    private static final class User<T> {
        final long uid;
        /** Insertion-ordered: FIFO, and a connection closing while it waits leaves in O(1). */
        final LinkedHashSet<Ticket<T>> queue = new LinkedHashSet<>();
        int inFlight;
        long readyAt;
        /** Its last verdict was untrusted: one at a time, each after the back-off. */
        boolean suspect;
        /** In {@code ring} (to be served) or in {@code parked} (backing off); never both. */
        boolean inRing;
        boolean parked;

        User(long uid) {
            this.uid = uid;
        }

        int count() {
            return queue.size() + inFlight;
        }
    }

    private final int maxWaiting;
    private final int maxWaitingPerUid;
    private final int maxInFlight;
    private final long untrustedBackoffNanos;
    private final Map<Long, User<T>> users = new HashMap<>();
    /** Users with a queued connection that may be served, in the order they are served. */
    private final ArrayDeque<User<T>> ring = new ArrayDeque<>();
    /** Users backing off, by the end of their back-off. */
    private final PriorityQueue<User<T>> parked = new PriorityQueue<>(Comparator.comparingLong(u -> u.readyAt));
    /** uid → end of its back-off, for users with nothing queued or in flight; purged as it grows. */
    private final Map<Long, Long> backingOff = new HashMap<>();
    private int purgeAt = 64;
    private int waiting;
    private int inFlight;

    Admission(int maxWaiting, int maxWaitingPerUid, int maxInFlight, long untrustedBackoffNanos) {
        if (maxWaiting < 1 || maxWaitingPerUid < 1 || maxInFlight < 1 || untrustedBackoffNanos < 0) {
            throw new IllegalArgumentException("bounds must be positive");
        }
        this.maxWaiting = maxWaiting;
        this.maxWaitingPerUid = maxWaitingPerUid;
        this.maxInFlight = maxInFlight;
        this.untrustedBackoffNanos = untrustedBackoffNanos;
    }

    /** Whether a new connection of {@code uid} may wait for its turn. */
    Verdict check(long uid) {
        User<T> u = users.get(uid);
        if (u != null && u.count() >= maxWaitingPerUid) {
            return Verdict.REFUSED_UID;
        }
        return waiting >= maxWaiting ? Verdict.REFUSED_TOTAL : Verdict.ADMITTED;
    }

    /** Queues a connection that {@link #check} admitted. */
    Ticket<T> enqueue(long uid, T item, long nowNanos) {
        if (check(uid) != Verdict.ADMITTED) {
            throw new IllegalStateException("uid " + uid + " has no room");
        }
        User<T> u = users.get(uid);
        if (u == null) {
            u = new User<>(uid);
            Long until = backingOff.remove(uid);
            u.readyAt = until != null ? until : nowNanos;
            u.suspect = until != null;
            users.put(uid, u);
        }
        Ticket<T> t = new Ticket<>(uid, item);
        u.queue.add(t);
        waiting++;
        schedule(u, nowNanos);
        return t;
    }

    /**
     * The connection closed: if it was still waiting for its turn, its place is freed.
     *
     * @return whether it was still waiting (it never reached the registrar)
     */
    boolean cancel(Ticket<T> ticket, long nowNanos) {
        if (ticket.done) {
            return false;
        }
        User<T> u = users.get(ticket.uid);
        if (u != null && u.queue.remove(ticket)) {
            ticket.done = true;
            waiting--;
            forgetIfIdle(u, nowNanos);
            return true;
        }
        return false;
    }

    /**
     * The next connection to verify, taking the users in turn; null if none may start now (all
     * in-flight places taken, nothing queued, or every user with a queue backing off).
     */
    T next(long nowNanos) {
        while (!parked.isEmpty() && parked.peek().readyAt - nowNanos <= 0) {
            User<T> u = parked.poll();
            u.parked = false;
            if (u.queue.isEmpty()) {
                forgetIfIdle(u, nowNanos);
            } else {
                u.inRing = true;
                ring.addLast(u);
            }
        }
        while (inFlight < maxInFlight && !ring.isEmpty()) {
            User<T> u = ring.pollFirst();
            u.inRing = false;
            if (u.queue.isEmpty()) { // emptied by cancel()
                forgetIfIdle(u, nowNanos);
                continue;
            }
            if (u.suspect && u.inFlight > 0) { // done() brings it back
                continue;
            }
            if (u.readyAt - nowNanos > 0) { // began backing off while in the ring
                schedule(u, nowNanos);
                continue;
            }
            Iterator<Ticket<T>> it = u.queue.iterator();
            Ticket<T> t = it.next();
            it.remove();
            t.done = true;
            u.inFlight++;
            inFlight++;
            if (!u.queue.isEmpty()) {
                u.inRing = true;
                ring.addLast(u);
            }
            return t.item;
        }
        return null;
    }

    /** A verification handed out by {@link #next} ended; an untrusted caller makes its uid back off. */
    void done(long uid, boolean untrusted, long nowNanos) {
        User<T> u = users.get(uid);
        if (u == null || u.inFlight == 0) {
            throw new IllegalStateException("uid " + uid + " has nothing in flight");
        }
        u.inFlight--;
        inFlight--;
        waiting--;
        u.suspect = untrusted;
        if (untrusted) {
            u.readyAt = nowNanos + untrustedBackoffNanos;
        }
        if (!u.queue.isEmpty()) {
            schedule(u, nowNanos);
        }
        forgetIfIdle(u, nowNanos);
    }

    /**
     * Nanoseconds until a user that backs off may be served, when nothing can be served now and a
     * timer is therefore needed; -1 when none is (nothing parked, or a verification in flight
     * whose end serves the next).
     */
    long nanosUntilReady(long nowNanos) {
        if (parked.isEmpty() || inFlight >= maxInFlight) {
            return -1;
        }
        return Math.max(0, parked.peek().readyAt - nowNanos);
    }

    /** Connections not answered yet: queued or being verified. */
    int waiting() {
        return waiting;
    }

    int inFlight() {
        return inFlight;
    }

    /** Connections of one uid not answered yet. */
    int waiting(long uid) {
        User<T> u = users.get(uid);
        return u == null ? 0 : u.count();
    }

    /** Users known: with a connection queued or in flight, or backing off with one queued. */
    int users() {
        return users.size();
    }

    private void schedule(User<T> u, long nowNanos) {
        if (u.inRing || u.parked) {
            return;
        }
        if (u.readyAt - nowNanos > 0) {
            u.parked = true;
            parked.add(u);
        } else {
            u.inRing = true;
            ring.addLast(u);
        }
    }

    /**
     * A user with nothing queued or in flight is dropped; if it still backs off, the end of its
     * back-off is kept aside, so that closing everything and reconnecting does not skip it.
     */
    private void forgetIfIdle(User<T> u, long nowNanos) {
        if (u.count() != 0 || u.inRing || u.parked) {
            return;
        }
        users.remove(u.uid);
        if (u.readyAt - nowNanos > 0) {
            backingOff.put(u.uid, u.readyAt);
            if (backingOff.size() >= purgeAt) {
                backingOff.values().removeIf(until -> until - nowNanos <= 0);
                purgeAt = Math.max(64, 2 * backingOff.size());
            }
        }
    }
}
