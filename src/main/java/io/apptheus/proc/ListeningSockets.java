package io.apptheus.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a file descriptor this process inherited is: the listening TCP sockets systemd passes for
 * socket activation (fd 3 onwards, {@code LISTEN_FDS}). Read from procfs, so that the agent knows
 * their addresses before any network code starts: {@code /proc/self/fd/N} names the socket's
 * inode ({@code socket:[12345]}), {@code /proc/self/net/tcp} and {@code tcp6} give that inode's
 * local address and state, {@code /proc/self/fdinfo/N} its file status flags.
 */
public final class ListeningSockets {

    /** TCP_LISTEN in the kernel's enum of TCP states, as /proc/net/tcp prints it (hex). */
    private static final int TCP_LISTEN = 0x0A;
    /** O_NONBLOCK on x86 and arm64, as fdinfo's octal "flags:" shows it. */
    private static final int O_NONBLOCK = 04000;

    /** An inherited listening socket: its descriptor, its address (IPv6 without brackets) and port. */
    public record Socket(int fd, String host, int port, boolean nonBlocking) {

        /** host:port as --web.listen-address writes it, IPv6 in brackets. */
        public String address() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final Path procRoot;

    public ListeningSockets(Path procRoot) {
        this.procRoot = procRoot;
    }

    /**
     * The listening TCP socket behind descriptor {@code fd} of this process.
     *
     * @throws IOException naming the descriptor when it is not open, not a socket, or not a
     *                     listening TCP socket
     */
    public Socket of(int fd) throws IOException {
        Path link = procRoot.resolve("self/fd/" + fd);
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException e) {
            throw new IOException("file descriptor " + fd + " is not open");
        }
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            throw new IOException("file descriptor " + fd + " is not a socket (" + target + ")");
        }
        long inode = Long.parseLong(target.substring(8, target.length() - 1));
        boolean nonBlocking = (flags(Files.readString(procRoot.resolve("self/fdinfo/" + fd))) & O_NONBLOCK) != 0;
        for (String table : List.of("tcp", "tcp6")) {
            Path file = procRoot.resolve("self/net/" + table);
            if (!Files.exists(file)) {
                continue;
            }
            for (Entry e : parseTable(Files.readString(file))) {
                if (e.inode == inode) {
                    if (e.state != TCP_LISTEN) {
                        throw new IOException("file descriptor " + fd + " is a TCP socket that is not listening");
                    }
                    return new Socket(fd, e.host, e.port, nonBlocking);
                }
            }
        }
        throw new IOException("file descriptor " + fd + " is not a TCP socket (socket inode " + inode
                + " is in neither /proc/self/net/tcp nor tcp6)");
    }

    /** One row of /proc/net/tcp or tcp6. */
    record Entry(String host, int port, int state, long inode) {
    }

    /**
     * Parses /proc/net/tcp or tcp6. A row, after the header line:
     * <pre>
     *    0: 0100007F:238D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23456 1 ...
     * </pre>
     * The local address is the IPv4 address as one 32-bit word in host byte order (0100007F is
     * 127.0.0.1 on a little-endian machine), or the IPv6 address as four such words; the port is
     * plain hex; the state is hex (0A: listening); the inode is the tenth field.
     */
    static List<Entry> parseTable(String text) {
        List<Entry> out = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            int colon = f[1].indexOf(':');
            String hex = f[1].substring(0, colon);
            int port = Integer.parseInt(f[1].substring(colon + 1), 16);
            out.add(new Entry(address(hex), port, Integer.parseInt(f[3], 16), Long.parseLong(f[9])));
        }
        return out;
    }

    private static String address(String hex) {
        if (hex.length() == 8) {
            byte[] b = word(hex);
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        if (hex.length() != 32) {
            throw new IllegalArgumentException("not an address: " + hex);
        }
        byte[] all = new byte[16];
        for (int w = 0; w < 4; w++) {
            System.arraycopy(word(hex.substring(w * 8, w * 8 + 8)), 0, all, w * 4, 4);
        }
        try {
            String s = java.net.InetAddress.getByAddress(all).getHostAddress();
            return s.toLowerCase(Locale.ROOT).replaceAll("%.*$", "");
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + hex, e);
        }
    }

    /** One 32-bit word printed in host (little-endian) byte order, as network-order bytes. */
    private static byte[] word(String hex8) {
        long v = Long.parseLong(hex8, 16);
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    /** The "flags:" field of a fdinfo file, octal. */
    static int flags(String fdinfo) {
        for (String line : fdinfo.split("\n")) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new IllegalArgumentException("no flags: line in fdinfo");
    }
}
