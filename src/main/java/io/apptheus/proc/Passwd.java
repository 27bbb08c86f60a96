package io.apptheus.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * User names by uid from {@code <root>/etc/passwd}, re-read when the file changes (size or mtime).
 * Users that only a directory service knows (LDAP, SSSD) are not in the file: their uid is shown
 * as a number. Thread-safe.
 */
public final class Passwd {

    private final Path file;
    private Map<Long, String> names = Map.of();
    private Object seen;

    /** @param root the file system root, {@code /} on the host; a fixture directory in tests */
    public Passwd(Path root) {
        this.file = root.resolve("etc/passwd");
    }

    /** The user name of {@code uid}, or the uid as a number if the file does not name it. */
    public synchronized String nameOf(long uid) {
        refresh();
        String name = names.get(uid);
        return name != null ? name : Long.toString(uid);
    }

    private void refresh() {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Object stamp = a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
            if (!stamp.equals(seen)) {
                names = parse(Files.readString(file, StandardCharsets.UTF_8));
                seen = stamp;
            }
        } catch (NoSuchFileException e) {
            names = Map.of();
            seen = null;
        } catch (IOException | RuntimeException e) {
            // keep the names read last time; numbers are shown for the rest
        }
    }

    /**
     * Parses passwd(5) lines {@code name:password:uid:gid:gecos:home:shell}, e.g.
     * {@code alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash}. The first line of a uid wins, as
     * with getpwuid(3); comments, NIS compat lines ({@code +}, {@code -}) and malformed lines are
     * skipped.
     */
    public static Map<Long, String> parse(String text) {
        Map<Long, String> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("+") || line.startsWith("-")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length < 4 || f[0].isEmpty()) {
                continue;
            }
            try {
                out.putIfAbsent(Long.parseLong(f[2].strip()), f[0]);
            } catch (NumberFormatException e) {
                // not a passwd line
            }
        }
        return out;
    }
}
