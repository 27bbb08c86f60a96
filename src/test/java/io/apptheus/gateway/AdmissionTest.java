package io.apptheus.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AdmissionTest {

    private static final long MS = 1_000_000L;
    private static final long ATTACKER = 65534;
    private static final long ROOT = 0;

    @Test
    void aUidPastItsBoundIsRefusedAndOthersStillWait() {
        Admission<String> a = new Admission<>(10, 3, 1, 0);
        for (int i = 0; i < 3; i++) {
            a.enqueue(ATTACKER, "x" + i, 0);
        }
        assertEquals(Admission.Verdict.REFUSED_UID, a.check(ATTACKER));
        assertEquals(Admission.Verdict.ADMITTED, a.check(ROOT));
        assertThrows(IllegalStateException.class, () -> a.enqueue(ATTACKER, "x3", 0));
        assertEquals(3, a.waiting(ATTACKER));
    }

    @Test
    void pastTheTotalEveryUidIsRefused() {
        Admission<String> a = new Admission<>(4, 3, 1, 0);
        a.enqueue(1, "a", 0);
        a.enqueue(2, "b", 0);
        a.enqueue(3, "c", 0);
        a.enqueue(4, "d", 0);
        assertEquals(Admission.Verdict.REFUSED_TOTAL, a.check(5));
        assertEquals(Admission.Verdict.REFUSED_TOTAL, a.check(1));
    }

    @Test
    void usersAreServedInTurnWhateverTheirQueue() {
        Admission<String> a = new Admission<>(1000, 1000, 1, 0);
        for (int i = 0; i < 500; i++) {
            a.enqueue(ATTACKER, "attacker" + i, 0);
        }
        a.enqueue(ROOT, "starter0", 0);
        a.enqueue(ROOT, "starter1", 0);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String next = a.next(0);
            order.add(next);
            assertNull(a.next(0), "one in flight at a time");
            a.done(next.startsWith("attacker") ? ATTACKER : ROOT, false, 0);
        }
        assertEquals(List.of("attacker0", "starter0", "attacker1", "starter1", "attacker2"), order);
    }

    @Test
    void inFlightIsBoundedAndFreedByDone() {
        Admission<String> a = new Admission<>(100, 100, 2, 0);
        for (int i = 0; i < 5; i++) {
            a.enqueue(ROOT, "s" + i, 0);
        }
        assertEquals("s0", a.next(0));
        assertEquals("s1", a.next(0));
        assertNull(a.next(0));
        assertEquals(2, a.inFlight());
        assertEquals(5, a.waiting(), "in flight counts as waiting until answered");
        a.done(ROOT, false, 0);
        assertEquals(4, a.waiting());
        assertEquals("s2", a.next(0));
    }

    @Test
    void aConnectionClosedBeforeItsTurnFreesItsPlaceAndIsNeverServed() {
        Admission<String> a = new Admission<>(2, 2, 1, 0);
        Admission.Ticket<String> t0 = a.enqueue(ATTACKER, "a0", 0);
        a.enqueue(ATTACKER, "a1", 0);
        assertEquals(Admission.Verdict.REFUSED_UID, a.check(ATTACKER));
        a.cancel(t0, 0);
        a.cancel(t0, 0); // twice is harmless
        assertEquals(1, a.waiting());
        assertEquals(Admission.Verdict.ADMITTED, a.check(ATTACKER));
        assertEquals("a1", a.next(0));
        a.done(ATTACKER, false, 0);
        assertEquals(0, a.waiting());
        assertEquals(0, a.users(), "an idle user is forgotten");
    }

    @Test
    void cancellingAfterTheTurnCameChangesNothing() {
        Admission<String> a = new Admission<>(5, 5, 1, 0);
        Admission.Ticket<String> t = a.enqueue(ROOT, "s", 0);
        assertEquals("s", a.next(0));
        a.cancel(t, 0);
        assertEquals(1, a.waiting(), "still being verified");
        a.done(ROOT, false, 0);
        assertEquals(0, a.waiting());
    }

    @Test
    void anUntrustedCallerMakesItsUidWaitAndOnlyItsUid() {
        Admission<String> a = new Admission<>(100, 100, 4, 100 * MS);
        a.enqueue(ATTACKER, "a0", 0);
        a.enqueue(ATTACKER, "a1", 0);
        assertEquals("a0", a.next(0));
        a.done(ATTACKER, true, 0);
        assertNull(a.next(50 * MS), "backing off");
        assertEquals(50 * MS, a.nanosUntilReady(50 * MS));
        a.enqueue(ROOT, "s0", 50 * MS);
        assertEquals("s0", a.next(50 * MS), "another uid is served meanwhile");
        a.done(ROOT, true, 50 * MS);
        assertEquals("a1", a.next(100 * MS));
        assertEquals(-1, a.nanosUntilReady(100 * MS), "root backs off with nothing queued: no timer");
    }

    @Test
    void afterAnUntrustedCallerItsUidIsVerifiedOneAtATimeUntilATrustedOne() {
        Admission<String> a = new Admission<>(100, 100, 8, 10 * MS);
        for (int i = 0; i < 6; i++) {
            a.enqueue(ATTACKER, "a" + i, 0);
        }
        assertEquals("a0", a.next(0));
        assertEquals("a1", a.next(0), "not suspect yet: several at once");
        a.done(ATTACKER, true, 0);
        assertNull(a.next(10 * MS), "a1 is still in flight: one at a time now");
        a.done(ATTACKER, true, 1 * MS);
        assertNull(a.next(10 * MS), "the back-off runs from the last verdict");
        assertEquals("a2", a.next(11 * MS));
        assertNull(a.next(30 * MS));
        a.done(ATTACKER, false, 30 * MS); // a trusted one lifts it
        assertEquals("a3", a.next(30 * MS));
        assertEquals("a4", a.next(30 * MS));
    }

    @Test
    void aTrustedOrExitedCallerDoesNotBackOff() {
        Admission<String> a = new Admission<>(100, 100, 4, 100 * MS);
        a.enqueue(ROOT, "s0", 0);
        a.enqueue(ROOT, "s1", 0);
        assertEquals("s0", a.next(0));
        a.done(ROOT, false, 0);
        assertEquals("s1", a.next(0));
    }

    @Test
    void closingEverythingAndReconnectingDoesNotSkipTheBackOff() {
        Admission<String> a = new Admission<>(100, 100, 4, 100 * MS);
        a.enqueue(ATTACKER, "a0", 0);
        assertEquals("a0", a.next(0));
        a.done(ATTACKER, true, 0);
        assertEquals(0, a.waiting(ATTACKER));
        a.enqueue(ATTACKER, "a1", 10 * MS);
        assertNull(a.next(10 * MS));
        assertEquals(90 * MS, a.nanosUntilReady(10 * MS));
        assertEquals("a1", a.next(100 * MS));
    }

    @Test
    void aUserBackingOffWhileQueuedIsParkedNotScannedOverAndOver() {
        Admission<String> a = new Admission<>(100, 100, 1, 100 * MS);
        a.enqueue(ATTACKER, "a0", 0);
        a.enqueue(ATTACKER, "a1", 0);
        a.enqueue(ROOT, "s0", 0);
        a.enqueue(ROOT, "s1", 0);
        assertEquals("a0", a.next(0));
        a.done(ATTACKER, true, 0);
        assertEquals("s0", a.next(1 * MS));
        a.done(ROOT, false, 1 * MS);
        assertEquals("s1", a.next(2 * MS), "the attacker is parked, root goes on");
        a.done(ROOT, false, 2 * MS);
        assertNull(a.next(3 * MS));
        assertEquals(97 * MS, a.nanosUntilReady(3 * MS));
        assertEquals("a1", a.next(100 * MS));
    }

    @Test
    void manyUsersBackingOffAreForgottenOnceTheirBackOffEnds() {
        Admission<String> a = new Admission<>(100_000, 10, 1, 10 * MS);
        for (long uid = 1000; uid < 1500; uid++) {
            a.enqueue(uid, "c", 0);
            assertEquals("c", a.next(0));
            a.done(uid, true, 0);
        }
        assertEquals(0, a.users());
        // once its back-off ended, a uid is served at once
        a.enqueue(1000, "again", 20 * MS);
        assertEquals("again", a.next(20 * MS));
    }
}
