package io.apptheus.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.apptheus.proc.ListeningSockets;

/**
 * {@code --web.systemd-socket}: the HTTP listeners are the sockets systemd passed (sd_listen_fds(3):
 * {@code LISTEN_PID} is this process, {@code LISTEN_FDS} sockets from descriptor 3 on). Their
 * addresses become the listen addresses, so that {@code web.HttpListeners} asks
 * for exactly those, and {@code apptheus.web.systemd-fds} tells the gateway's transport which
 * descriptors to serve instead of binding new sockets.
 */
final class SystemdSockets {

    static final int FIRST_FD = 3;
    /** More would be a unit file error; the bound keeps a typo'd LISTEN_FDS from walking the fd table. */
    static final int MAX_FDS = 64;

    private SystemdSockets() {
    }

    /** The properties that point the HTTP listeners at the passed sockets; the message names the cause. */
    static Map<String, String> properties(Map<String, String> env, long pid, ListeningSockets sockets) {
        String listenPid = env.get("LISTEN_PID");
        String listenFds = env.get("LISTEN_FDS");
        if (listenPid == null || listenFds == null) {
            throw new IllegalArgumentException("--web.systemd-socket: systemd passed no socket (LISTEN_PID and"
                    + " LISTEN_FDS are not set); start the agent through its .socket unit, or drop the flag");
        }
        if (!listenPid.equals(Long.toString(pid))) {
            throw new IllegalArgumentException("--web.systemd-socket: the sockets were passed to process " + listenPid
                    + ", not to this one (" + pid + ")");
        }
        int n;
        try {
            n = Integer.parseInt(listenFds);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > MAX_FDS) {
            throw new IllegalArgumentException("--web.systemd-socket: LISTEN_FDS=" + listenFds
                    + " is not a number of sockets from 1 to " + MAX_FDS);
        }
        List<String> addresses = new ArrayList<>();
        List<String> fds = new ArrayList<>();
        for (int fd = FIRST_FD; fd < FIRST_FD + n; fd++) {
            ListeningSockets.Socket s;
            try {
                s = sockets.of(fd);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("--web.systemd-socket: " + e.getMessage()
                        + " (the .socket unit needs ListenStream= lines only)");
            }
            if (!s.nonBlocking()) {
                // epoll accepts until EAGAIN: a blocking listener would stop the event loop in accept()
                throw new IllegalArgumentException("--web.systemd-socket: socket " + fd + " (" + s.address()
                        + ") is in blocking mode; set NonBlocking=yes in the service unit's [Service] section");
            }
            if (addresses.contains(s.address())) {
                throw new IllegalArgumentException("--web.systemd-socket: two sockets listen on " + s.address());
            }
            addresses.add(s.address());
            fds.add(Integer.toString(fd));
        }
        Map<String, String> props = new LinkedHashMap<>(ListenAddress.toProperties(addresses));
        props.put("apptheus.web.systemd-fds", String.join(",", fds));
        return props;
    }
}
