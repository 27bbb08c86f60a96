/*
 * churn: a hostile local user's connection churn on the agent's Unix socket, for bench/attack.py
 * and the end-to-end tests (run it as an unprivileged user, e.g. setpriv --reuid=65534).
 *
 * Usage: churn SOCKET CONNECTIONS SECONDS
 *
 * Holds CONNECTIONS connections to SOCKET for SECONDS, and reconnects each one as soon as the agent
 * closes it. Connects are non-blocking: a connect refused with EAGAIN (the listener's backlog is
 * full) is tried again at once, in a loop, so that the backlog stays as full as one process can
 * keep it. It sends nothing. Its soft RLIMIT_NOFILE is raised to the hard limit first.
 *
 * Prints one line at the end: "churn: sockets=.. seconds=.. connects=.. eagain=.. closed_by_agent=..
 * errors=.. held=.." (held: connected when the time ran out, in the backlog or accepted).
 *
 * Build: gcc -O2 -Wall -Wextra -o churn churn.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

static struct sockaddr_un addr;
static long long connects, eagain, closed_by_agent, errors;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One connect attempt on fd; returns the new state. */
static int try_connect(int fd)
{
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 || errno == EISCONN) {
        connects++;
        return CONNECTED;
    }
    if (errno == EAGAIN || errno == EINTR) {
        eagain += errno == EAGAIN;
        return CONNECTING;
    }
    errors++;
    return IDLE;
}

static int new_socket(void)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        errors++;
    return fd;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: churn SOCKET CONNECTIONS SECONDS\n");
        return 2;
    }
    int n = atoi(argv[2]);
    double seconds = atof(argv[3]);
    if (n <= 0 || seconds <= 0 || strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "churn: bad arguments\n");
        return 2;
    }
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, argv[1]);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int *fds = calloc((size_t)n, sizeof(int));
    char *state = calloc((size_t)n, 1);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (fds == NULL || state == NULL || ep < 0) {
        perror("churn");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        fds[i] = -1;
        state[i] = IDLE;
    }
    double deadline = now_s() + seconds;
    struct epoll_event events[512];
    while (now_s() < deadline) {
        int waiting = 0;
        for (int i = 0; i < n; i++) {
            if (state[i] == IDLE) {
                fds[i] = new_socket();
                if (fds[i] < 0)
                    continue;
                state[i] = CONNECTING;
            }
            if (state[i] == CONNECTING) {
                int s = try_connect(fds[i]);
                if (s == CONNECTED) {
                    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u32 = (unsigned)i };
                    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
                } else if (s == IDLE) {
                    close(fds[i]);
                    fds[i] = -1;
                }
                state[i] = (char)s;
                waiting += s != CONNECTED;
            }
        }
        /* no wait while some connect is still refused: the backlog is retried at once */
        int got = epoll_wait(ep, events, 512, waiting ? 0 : 50);
        for (int e = 0; e < got; e++) {
            int i = (int)events[e].data.u32;
            char buf[256];
            ssize_t r = read(fds[i], buf, sizeof buf);
            if (r > 0)
                continue;
            if (r < 0 && errno == EAGAIN)
                continue;
            /* EOF or error: the agent closed it; reconnect on the next round */
            closed_by_agent++;
            epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
            close(fds[i]);
            fds[i] = -1;
            state[i] = IDLE;
        }
    }
    int held = 0;
    for (int i = 0; i < n; i++)
        held += state[i] == CONNECTED;
    printf("churn: sockets=%d seconds=%.1f connects=%lld eagain=%lld closed_by_agent=%lld errors=%lld held=%d\n", n,
           seconds, connects, eagain, closed_by_agent, errors, held);
    return 0;
}
