package io.apptheus.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {

    private static ConnectionLimits.Key key(String address) throws Exception {
        return ConnectionLimits.key(InetAddress.getByName(address));
    }

    @Test
    void anIpv4ClientIsItsAddressAndAMappedOneTheSame() throws Exception {
        assertEquals(key("127.0.0.1"), key("::ffff:127.0.0.1"));
        assertNotEquals(key("127.0.0.1"), key("127.0.0.2"));
        assertEquals("127.0.0.1", key("::ffff:127.0.0.1").toString());
    }

    @Test
    void anIpv6ClientIsItsSlash64() throws Exception {
        assertEquals(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assertNotEquals(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assertEquals("2001:db8:1:2:0:0:0:0/64", key("2001:db8:1:2::77").toString());
        assertNotEquals(key("::1"), key("127.0.0.1"));
    }

    @Test
    void oneAddressPastItsBoundIsRefusedAndAnotherStillGetsIn() throws Exception {
        ConnectionLimits l = new ConnectionLimits(10, 3);
        ConnectionLimits.Key attacker = key("127.0.0.1");
        for (int i = 0; i < 3; i++) {
            assertNull(l.acquire(attacker));
        }
        assertEquals(ConnectionLimits.Refusal.ADDRESS, l.acquire(attacker));
        assertNull(l.acquire(key("127.0.0.2")), "Prometheus on another address");
        assertEquals(4, l.open());
        assertEquals(3, l.open(attacker));
        l.release(attacker);
        assertNull(l.acquire(attacker), "a place freed is taken again");
    }

    @Test
    void pastTheTotalEveryAddressIsRefusedAndReleasesBringItBack() throws Exception {
        ConnectionLimits l = new ConnectionLimits(4, 4);
        List<ConnectionLimits.Key> keys = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            keys.add(key("127.0.0." + i));
            assertNull(l.acquire(keys.get(i - 1)));
        }
        assertEquals(ConnectionLimits.Refusal.TOTAL, l.acquire(key("127.0.0.9")));
        assertEquals(4, l.open(), "a refusal takes nothing");
        keys.forEach(l::release);
        assertEquals(0, l.open());
        assertEquals(0, l.open(keys.get(0)), "an address's count goes with its last connection");
        assertNull(l.acquire(key("127.0.0.9")));
    }

    @Test
    void concurrentAcceptsAndClosesNeverExceedTheBoundsNorLoseACount() throws Exception {
        ConnectionLimits l = new ConnectionLimits(1000, 50);
        ConnectionLimits.Key k = key("127.0.0.1");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        int[] maxSeen = {0};
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    if (l.acquire(k) == null) {
                        synchronized (maxSeen) {
                            maxSeen[0] = Math.max(maxSeen[0], l.open(k));
                        }
                        l.release(k);
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(0, l.open());
        assertEquals(0, l.open(k));
        assertEquals(true, maxSeen[0] <= 50, "at most 50 at once: " + maxSeen[0]);
    }
}
