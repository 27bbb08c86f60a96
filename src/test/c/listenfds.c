/*
 * listenfds: systemd's socket activation protocol (sd_listen_fds(3)), for the tests. Opens a
 * listening TCP socket per HOST:PORT argument, puts them at descriptors 3, 4, ... and execs the
 * command with LISTEN_PID (its own PID, kept across exec) and LISTEN_FDS set, as systemd does for
 * a service started by its .socket unit. The sockets are non-blocking (NonBlocking=yes) unless
 * --blocking is given first.
 *
 *   listenfds [--blocking] 127.0.0.1:9100 [::1]:9100 -- command args...
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_on(const char *spec, int blocking) {
    char host[128];
    const char *colon = strrchr(spec, ':');
    if (!colon || (size_t)(colon - spec) >= sizeof host) {
        fprintf(stderr, "listenfds: bad address %s\n", spec);
        exit(2);
    }
    memcpy(host, spec, colon - spec);
    host[colon - spec] = 0;
    int port = atoi(colon + 1);
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    int family;
    if (host[0] == '[') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        host[strlen(host) - 1] = 0;
        family = a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) {
            fprintf(stderr, "listenfds: bad IPv6 address %s\n", host + 1);
            exit(2);
        }
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        family = a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
            fprintf(stderr, "listenfds: bad IPv4 address %s\n", host);
            exit(2);
        }
        len = sizeof *a;
    }
    int fd = socket(family, SOCK_STREAM | (blocking ? 0 : SOCK_NONBLOCK), 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
            || (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)
            || bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 128) < 0) {
        fprintf(stderr, "listenfds: %s: %s\n", spec, strerror(errno));
        exit(2);
    }
    return fd;
}

int main(int argc, char **argv) {
    int i = 1, blocking = 0, n = 0;
    if (i < argc && strcmp(argv[i], "--blocking") == 0) {
        blocking = 1;
        i++;
    }
    int fds[16];
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (n == 16) {
            fprintf(stderr, "listenfds: at most 16 sockets\n");
            return 2;
        }
        fds[n++] = listen_on(argv[i], blocking);
    }
    if (i + 1 >= argc || n == 0) {
        fprintf(stderr, "usage: listenfds [--blocking] HOST:PORT... -- command args...\n");
        return 2;
    }
    /* move them to 3..3+n-1 without one overwriting another: first above the range, then down */
    for (int k = 0; k < n; k++) {
        int high = fcntl(fds[k], F_DUPFD, 3 + n + 16);
        close(fds[k]);
        fds[k] = high;
    }
    for (int k = 0; k < n; k++) {
        if (dup2(fds[k], 3 + k) < 0) {
            perror("listenfds: dup2");
            return 2;
        }
        close(fds[k]);
    }
    char buf[32];
    snprintf(buf, sizeof buf, "%d", (int)getpid());
    setenv("LISTEN_PID", buf, 1);
    snprintf(buf, sizeof buf, "%d", n);
    setenv("LISTEN_FDS", buf, 1);
    execvp(argv[i + 1], argv + i + 1);
    fprintf(stderr, "listenfds: %s: %s\n", argv[i + 1], strerror(errno));
    return 127;
}
