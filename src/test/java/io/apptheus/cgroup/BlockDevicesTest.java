package io.apptheus.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class BlockDevicesTest {

    @Test
    void namesFromUeventOfBothV2Captures() {
        for (String capture : new String[] {Fixtures.V2_61, Fixtures.V2_612}) {
            BlockDevices devices = new BlockDevices(Fixtures.path(capture, "sys"));
            assertEquals("vda", devices.name("254:0"));
            assertEquals("vdb", devices.name("254:16"));
        }
    }

    @Test
    void nameOfThisHost() {
        assertEquals("vda", new BlockDevices(Fixtures.path(Fixtures.V1_HYBRID, "sys")).name("254:0"));
    }

    @Test
    void unknownDeviceFallsBackToMajMinAndIsCached() {
        BlockDevices devices = new BlockDevices(Fixtures.path(Fixtures.V2_61, "sys"));
        String name = devices.name("8:0");
        assertEquals("8:0", name);
        assertSame(name, devices.name("8:0"));
    }

    @Test
    void notAMajMinIsNeverLookedUp() {
        BlockDevices devices = new BlockDevices(Fixtures.path(Fixtures.V2_61, "sys"));
        assertEquals("../254:0", devices.name("../254:0"));
    }
}
