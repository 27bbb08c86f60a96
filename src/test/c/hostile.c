/*
 * hostile: what an unprivileged local user can throw at the agent, for the end-to-end tests
 * (HostileUsersIT) and bench/attack.py. Run it as that user (setpriv --reuid=65534 ...); it raises
 * its soft RLIMIT_NOFILE to the hard limit, holds at most CONNECTIONS sockets and stops after
 * SECONDS.
 *
 * Usage:
 *   hostile socket-churn SOCKET CONNECTIONS SECONDS
 *       Holds CONNECTIONS connections to the Unix socket SOCKET and reconnects each one as soon as
 *       the agent closes it. Connects are non-blocking, and one refused with EAGAIN (the listen
 *       backlog is full) is tried again at once, in a loop: the backlog stays as full as one
 *       process can keep it. Sends nothing.
 *   hostile http-slowloris HOST PORT SOURCE CONNECTIONS SECONDS TRICKLE_MS
 *       Holds CONNECTIONS TCP connections from the local address SOURCE to HOST:PORT, each with a
 *       request head that never ends: "GET /metrics HTTP/1.1" and a Host line at once, then one
 *       more header line every TRICKLE_MS (0: nothing more). A connection the server closes is
 *       made again at once. Only addresses of 127.0.0.0/8 are accepted.
 *
 * Prints one line at the end:
 *   hostile: socket-churn sockets=.. seconds=.. connects=.. eagain=.. closed_by_agent=.. errors=.. held=..
 *   hostile: http-slowloris sockets=.. seconds=.. connects=.. closed_by_server=.. closed_within_1s=..
 *            lifetime_p50_ms=.. lifetime_max_ms=.. errors=.. open=..
 * held/open: connected when the time ran out (in a listen backlog, or accepted). lifetime: how long
 * the server kept a connection whose request never ended (from connect() to the close seen).
 *
 * Build: gcc -O2 -Wall -Wextra -o hostile hostile.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { IDLE, CONNECTING, CONNECTED };

static long long connects, eagain, closed, closed_fast, errors;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int parse_positive(const char *s, const char *what)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 1000000) {
        fprintf(stderr, "hostile: bad %s '%s'\n", what, s);
        exit(2);
    }
    return (int)v;
}

/* Did the peer close? Reads and drops whatever it sent; 1 on EOF or error. */
static int hung_up(int fd)
{
    char buf[4096];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r > 0)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        return 1;
    }
}

static int socket_churn(const char *path, int n, double seconds)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        fprintf(stderr, "hostile: socket path too long\n");
        return 2;
    }
    strcpy(addr.sun_path, path);
    int *fds = calloc((size_t)n, sizeof(int));
    char *state = calloc((size_t)n, 1);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (fds == NULL || state == NULL || ep < 0) {
        perror("hostile");
        return 1;
    }
    double deadline = now_s() + seconds;
    struct epoll_event events[512];
    while (now_s() < deadline) {
        int retry = 0;
        for (int i = 0; i < n; i++) {
            if (state[i] == IDLE) {
                fds[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fds[i] < 0) {
                    errors++;
                    continue;
                }
                state[i] = CONNECTING;
            }
            if (state[i] != CONNECTING)
                continue;
            if (connect(fds[i], (struct sockaddr *)&addr, sizeof addr) == 0 || errno == EISCONN) {
                connects++;
                state[i] = CONNECTED;
                struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = (unsigned)i };
                epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
            } else if (errno == EAGAIN || errno == EINTR) {
                eagain += errno == EAGAIN;
                retry = 1;
            } else {
                errors++;
                close(fds[i]);
                state[i] = IDLE;
            }
        }
        /* no wait while a connect was refused: the backlog is tried again at once */
        int got = epoll_wait(ep, events, 512, retry ? 0 : 50);
        for (int e = 0; e < got; e++) {
            int i = (int)events[e].data.u32;
            if (!hung_up(fds[i]))
                continue;
            closed++;
            epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
            close(fds[i]);
            state[i] = IDLE;
        }
    }
    int held = 0;
    for (int i = 0; i < n; i++)
        held += state[i] == CONNECTED;
    printf("hostile: socket-churn sockets=%d seconds=%.1f connects=%lld eagain=%lld closed_by_agent=%lld errors=%lld "
           "held=%d\n", n, seconds, connects, eagain, closed, errors, held);
    return 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

struct conn {
    int fd;
    char state;
    double opened;     /* connect() called */
    double next_write; /* next header line due */
};

static int http_slowloris(const char *host, int port, const char *source, int n, double seconds, int trickle_ms)
{
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    struct sockaddr_in from = { .sin_family = AF_INET, .sin_port = 0 };
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1 || inet_pton(AF_INET, source, &from.sin_addr) != 1
        || (ntohl(to.sin_addr.s_addr) >> 24) != 127 || (ntohl(from.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "hostile: HOST and SOURCE must be IPv4 addresses of 127.0.0.0/8\n");
        return 2;
    }
    static const char head[] = "GET /metrics HTTP/1.1\r\nHost: agent\r\n";
    struct conn *c = calloc((size_t)n, sizeof *c);
    int cap = 1 << 16, nlife = 0;
    int *life = malloc(sizeof(int) * (size_t)cap);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (c == NULL || life == NULL || ep < 0) {
        perror("hostile");
        return 1;
    }
    double deadline = now_s() + seconds;
    struct epoll_event events[512];
    while (now_s() < deadline) {
        double t = now_s();
        for (int i = 0; i < n; i++) {
            if (c[i].state == IDLE) {
                int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                int one = 1;
                /* the source address without a port of its own: connect() picks the port knowing the
                 * destination; bind() to port 0 of thousands of sockets searches the port range each time */
                if (fd >= 0)
                    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
                if (fd < 0 || bind(fd, (struct sockaddr *)&from, sizeof from) != 0) {
                    errors++;
                    if (fd >= 0)
                        close(fd);
                    continue;
                }
                c[i].fd = fd;
                c[i].opened = t;
                if (connect(fd, (struct sockaddr *)&to, sizeof to) != 0 && errno != EINPROGRESS) {
                    errors++;
                    close(fd);
                    continue;
                }
                c[i].state = CONNECTING;
                struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u32 = (unsigned)i };
                epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            } else if (c[i].state == CONNECTED && trickle_ms > 0 && t >= c[i].next_write) {
                char line[64];
                int len = snprintf(line, sizeof line, "X-Slow-%d: %d\r\n", i, (int)(t * 1000) % 100000);
                if (write(c[i].fd, line, (size_t)len) < 0 && errno != EAGAIN)
                    c[i].next_write = t + 3600; /* let the read side notice the close */
                else
                    c[i].next_write = t + trickle_ms / 1000.0;
            }
        }
        int got = epoll_wait(ep, events, 512, 20);
        t = now_s();
        for (int e = 0; e < got; e++) {
            int i = (int)events[e].data.u32;
            struct conn *k = &c[i];
            if (k->state == CONNECTING && (events[e].events & EPOLLOUT)) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err == 0 && write(k->fd, head, sizeof head - 1) == (ssize_t)(sizeof head - 1)) {
                    connects++;
                    k->state = CONNECTED;
                    k->next_write = t + trickle_ms / 1000.0;
                    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = (unsigned)i };
                    epoll_ctl(ep, EPOLL_CTL_MOD, k->fd, &ev);
                    continue;
                }
                errors++;
            } else if (k->state == CONNECTED) {
                if (!hung_up(k->fd))
                    continue;
                closed++;
                if (nlife == cap) {
                    int *grown = realloc(life, sizeof(int) * (size_t)cap * 2);
                    if (grown != NULL) {
                        life = grown;
                        cap *= 2;
                    }
                }
                if (nlife < cap)
                    life[nlife++] = (int)((t - k->opened) * 1000);
                closed_fast += t - k->opened < 1.0;
            } else {
                continue;
            }
            epoll_ctl(ep, EPOLL_CTL_DEL, k->fd, NULL);
            close(k->fd);
            k->state = IDLE;
        }
    }
    int open = 0;
    for (int i = 0; i < n; i++)
        open += c[i].state == CONNECTED;
    qsort(life, (size_t)nlife, sizeof(int), cmp_int);
    printf("hostile: http-slowloris sockets=%d seconds=%.1f connects=%lld closed_by_server=%lld closed_within_1s=%lld "
           "lifetime_p50_ms=%d lifetime_max_ms=%d errors=%lld open=%d\n", n, seconds, connects, closed, closed_fast,
           nlife ? life[nlife / 2] : 0, nlife ? life[nlife - 1] : 0, errors, open);
    return 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN); /* a write to a connection the agent closed fails with EPIPE instead */
    raise_nofile();
    if (argc == 5 && strcmp(argv[1], "socket-churn") == 0)
        return socket_churn(argv[2], parse_positive(argv[3], "CONNECTIONS"), parse_positive(argv[4], "SECONDS"));
    if (argc == 8 && strcmp(argv[1], "http-slowloris") == 0)
        return http_slowloris(argv[2], parse_positive(argv[3], "PORT"), argv[4], parse_positive(argv[5], "CONNECTIONS"),
                              parse_positive(argv[6], "SECONDS"), parse_positive(argv[7], "TRICKLE_MS"));
    fprintf(stderr, "usage: hostile socket-churn SOCKET CONNECTIONS SECONDS\n"
                    "       hostile http-slowloris HOST PORT SOURCE CONNECTIONS SECONDS TRICKLE_MS\n");
    return 2;
}
