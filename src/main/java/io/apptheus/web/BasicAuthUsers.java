package io.apptheus.web;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;

/**
 * The {@code basic_auth_users} of a web config: checks a user name and password against the
 * user's bcrypt hash, as exporter-toolkit does. An unknown user is checked against a hash of the
 * same cost, so timing does not tell which users exist. A bcrypt check costs tens of milliseconds
 * by design: successful checks are remembered (as a salted SHA-256 of user and password, never
 * the password) so that a scrape every few seconds costs one bcrypt in all, not one each.
 */
public final class BasicAuthUsers {

    private static final int CACHE_LIMIT = 256;

    private final Map<String, String> hashes;
    private final String decoyHash;
    private final byte[] salt = new byte[16];
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    // Go's bcrypt, like OpenBSD's, uses the first 72 bytes of a longer password
    private final BCrypt.Verifyer verifyer = BCrypt.verifyer(null, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));

    public BasicAuthUsers(Map<String, String> userToBcryptHash) {
        this.hashes = Map.copyOf(userToBcryptHash);
        new SecureRandom().nextBytes(salt);
        int cost = hashes.values().stream().mapToInt(BasicAuthUsers::cost).max().orElse(4);
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        this.decoyHash = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(cost,
                HexFormat.of().formatHex(random).toCharArray());
    }

    public boolean isEmpty() {
        return hashes.isEmpty();
    }

    /** True when this user and password passed {@link #verify} before: no bcrypt needed. */
    public boolean isRemembered(String user, char[] password) {
        return verified.contains(fingerprint(user, password));
    }

    /** The bcrypt check; takes as long for an unknown user as for a known one. */
    public boolean verify(String user, char[] password) {
        String hash = hashes.get(user);
        boolean ok = verifyer.verify(password, hash != null ? hash : decoyHash).verified && hash != null;
        if (ok) {
            if (verified.size() >= CACHE_LIMIT) {
                verified.clear();
            }
            verified.add(fingerprint(user, password));
        }
        return ok;
    }

    /** "$2y$10$..." has cost 10. */
    static int cost(String bcryptHash) {
        return Integer.parseInt(bcryptHash.substring(4, 6));
    }

    private String fingerprint(String user, char[] password) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(salt);
        sha.update(user.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        ByteBuffer pw = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        sha.update(pw.duplicate());
        if (pw.hasArray()) {
            Arrays.fill(pw.array(), (byte) 0);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
