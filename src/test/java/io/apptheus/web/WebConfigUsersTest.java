package io.apptheus.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import at.favre.lib.crypto.bcrypt.BCrypt;

/** {@link BasicAuthUsers}: bcrypt checks of the basic_auth_users hashes. */
class WebConfigUsersTest {

    @Test
    void htpasswdsHashOfExporterToolkit() {
        BasicAuthUsers users = new BasicAuthUsers(Map.of("alice", WebConfigParserTest.HASH));
        assertTrue(users.verify("alice", "fakepassword".toCharArray()));
        assertFalse(users.verify("alice", "fakepassword ".toCharArray()));
        assertFalse(users.verify("bob", "fakepassword".toCharArray()), "unknown user");
    }

    @Test
    void goAndOpenBsdVersions() {
        for (BCrypt.Version v : new BCrypt.Version[] {BCrypt.Version.VERSION_2A, BCrypt.Version.VERSION_2B,
                BCrypt.Version.VERSION_2Y}) {
            String hash = BCrypt.with(v).hashToString(4, "s3cret".toCharArray());
            BasicAuthUsers users = new BasicAuthUsers(Map.of("p", hash));
            assertTrue(users.verify("p", "s3cret".toCharArray()), hash);
            assertFalse(users.verify("p", "S3cret".toCharArray()), hash);
        }
    }

    @Test
    void onlySuccessesAreRemembered() {
        String hash = BCrypt.withDefaults().hashToString(4, "right".toCharArray());
        BasicAuthUsers users = new BasicAuthUsers(Map.of("p", hash));
        assertFalse(users.isRemembered("p", "right".toCharArray()));
        assertFalse(users.verify("p", "wrong".toCharArray()));
        assertFalse(users.isRemembered("p", "wrong".toCharArray()));
        assertTrue(users.verify("p", "right".toCharArray()));
        assertTrue(users.isRemembered("p", "right".toCharArray()));
        assertFalse(users.isRemembered("q", "right".toCharArray()), "another user, same password");
        assertFalse(users.isRemembered("p", "righ".toCharArray()));
    }

    @Test
    void passwordsPast72BytesAreCutAsGoDoes() {
        String seventyTwo = "x".repeat(72);
        String hash = BCrypt.withDefaults().hashToString(4, seventyTwo.toCharArray());
        BasicAuthUsers users = new BasicAuthUsers(Map.of("p", hash));
        assertTrue(users.verify("p", (seventyTwo + "tail").toCharArray()));
        assertFalse(users.verify("p", "".toCharArray()));
    }
}
