package io.apptheus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RootCheckTest {

    @Test
    void effectiveUidIsTheSecondField() {
        // sudo'd setuid program: real 1000, effective 0
        String status = "Name:\tapptheus\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
        assertEquals(0, RootCheck.effectiveUid(status).getAsLong());
        assertEquals(1000, RootCheck.effectiveUid("Uid:\t0\t1000\t1000\t1000\n").getAsLong());
        assertTrue(RootCheck.effectiveUid("Name:\tx\n").isEmpty());
    }
}
