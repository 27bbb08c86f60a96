package io.apptheus.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class ListeningSocketsTest {

    /** Rows captured from /proc/net/tcp and tcp6 on the CI machine (Debian 12, x86_64, 6.18). */
    private static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:4E17 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 626443 1 0000000000000000 100 0 0 10 0
               1: 0100007F:4E17 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 626501 1 0000000000000000 20 4 30 10 -1
               2: 00000000:2383 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0000000000000000 100 0 0 10 0
            """;
    private static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:4E17 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 652474 1 0000000000000000 100 0 0 10 0
               1: 00000000000000000000000000000000:2383 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18 1 0000000000000000 100 0 0 10 0
            """;

    @Test
    void parsesAddressesPortsStatesAndInodes() {
        List<ListeningSockets.Entry> v4 = ListeningSockets.parseTable(TCP);
        assertEquals(new ListeningSockets.Entry("127.0.0.1", 19991, 0x0A, 626443), v4.get(0));
        assertEquals(0x01, v4.get(1).state(), "an established connection");
        assertEquals(new ListeningSockets.Entry("0.0.0.0", 9091, 0x0A, 17), v4.get(2));
        List<ListeningSockets.Entry> v6 = ListeningSockets.parseTable(TCP6);
        assertEquals(new ListeningSockets.Entry("0:0:0:0:0:0:0:1", 19991, 0x0A, 652474), v6.get(0));
        assertEquals("0:0:0:0:0:0:0:0", v6.get(1).host());
    }

    @Test
    void fdinfoFlagsAreOctal() {
        assertEquals(04002, ListeningSockets.flags("pos:\t0\nflags:\t04002\nmnt_id:\t10\n"));
        assertEquals(02, ListeningSockets.flags("pos:\t0\nflags:\t02\n"));
    }

    @Test
    void findsALiveListeningSocketOfThisProcessAndRefusesOtherDescriptors() throws IOException {
        ListeningSockets sockets = new ListeningSockets(Path.of("/proc"));
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            ListeningSockets.Socket found = null;
            for (int fd = 3; fd < 4096 && found == null; fd++) {
                try {
                    ListeningSockets.Socket s = sockets.of(fd);
                    if (s.port() == port) {
                        found = s;
                    }
                } catch (IOException e) {
                    // another descriptor of the test JVM: a jar, a pipe, a socket that does not listen
                }
            }
            assertNotNull(found, "the channel's socket among this process's descriptors");
            assertEquals("127.0.0.1:" + port, found.address());
            assertTrue(found.nonBlocking());
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
                assertTrue(client.isConnected());
            }
        }
        IOException e = assertThrows(IOException.class, () -> sockets.of(4095));
        assertTrue(e.getMessage().contains("4095"), e.getMessage());
    }
}
