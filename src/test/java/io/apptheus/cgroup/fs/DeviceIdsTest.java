package io.apptheus.cgroup.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class DeviceIdsTest {

    @Test
    void nameIsMadeOnceAndReused() {
        DeviceIds ids = new DeviceIds();
        String vda = ids.name(DeviceIds.pack(254, 0));
        assertEquals("254:0", vda);
        for (int minor = 1; minor < 10; minor++) {
            assertEquals("8:" + minor, ids.name(DeviceIds.pack(8, minor)));
        }
        assertSame(vda, ids.name(DeviceIds.pack(254, 0)));
    }

    @Test
    void largeNumbersStayPositive() {
        assertEquals("2147483647:4294967295", new DeviceIds().name(DeviceIds.pack(Integer.MAX_VALUE, -1)));
    }
}
