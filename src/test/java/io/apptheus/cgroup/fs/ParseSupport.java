package io.apptheus.cgroup.fs;

import java.nio.charset.StandardCharsets;

/** Kernel output pasted as a String, as the bytes a read would return. */
final class ParseSupport {

    private ParseSupport() {
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
