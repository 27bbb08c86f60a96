/*
 * regstorm: registration latency under concurrent connects, for bench/run.sh.
 *
 * Usage: regstorm SOCKET MARK K COUNT TIMEOUT_SECONDS [WAITROOM]
 *
 * Makes COUNT starters like Apptainer's (and like src/test/c/fakestarter.c): each forks its
 * workload (a process that pauses), then waits on a common barrier. When all are ready the barrier
 * opens and every starter connects to SOCKET at once, noting the time just before connect(). A
 * registration is done when the workload PID is in the container's cgroup: K lines of
 * /proc/WORKLOAD/cgroup contain MARK (e.g. "/apptheus-bench-x-1000/").
 *
 * How "done" is seen without polling 100 processes: with WAITROOM (a directory of the cgroup2
 * hierarchy made by the caller), each workload first waits in its own cgroup WAITROOM/w<i>, whose
 * cgroup.events is watched with inotify. When the agent moves the workload out, "populated" drops
 * to 0 and the event arrives; /proc/WORKLOAD/cgroup is then checked, and only if some hierarchy is
 * not done yet is that workload polled every 100 us until it is. Without WAITROOM every pending
 * workload is polled every 250 us (costs CPU that the agent then lacks: prefer WAITROOM).
 *
 * Connects are non-blocking, as Go's net.Dial (Apptainer) makes them: see dial().
 *
 * Prints: "regstorm: count=.. connected=.. eagain=.. registered=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 * method=inotify|poll", then "latencies_ms: ..." (sorted). Afterwards the workloads are killed,
 * their starters exit (closing their connections) and the waiting-room cgroups are removed.
 *
 * Build: gcc -O2 -Wall -Wextra -o regstorm regstorm.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct slot {
    volatile pid_t starter;
    volatile pid_t workload;
    volatile long long t_connect;
    volatile int connected;
    volatile int eagain;
    long long t_done;
    int state; /* 0 pending, 1 polling, 2 done */
    int wd;
    int procfd;
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Connects as Apptainer's starter does: Go's net.Dial uses a non-blocking socket, and a Unix
 * connect refused with EAGAIN (the listener's backlog is full) fails the dial at once; the
 * container then runs unmonitored. So a full backlog costs a registration, and it is counted.
 */
static int dial(const char *path, int *eagain)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path)
        return -1;
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int r;
    do {
        r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        *eagain = errno == EAGAIN;
        close(fd);
        return -1;
    }
    return fd;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n < 0 ? -1 : 0;
}

/* Lines of /proc/PID/cgroup (fd kept open) that contain mark; -1 when the process is gone. */
static int lines_in(int fd, const char *mark)
{
    char buf[8192];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    int count = 0;
    for (char *line = buf; line != NULL && *line;) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (strstr(line, mark) != NULL)
            count++;
        line = nl != NULL ? nl + 1 : NULL;
    }
    return count;
}

static int populated(const char *events_path)
{
    char buf[256];
    int fd = open(events_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strstr(buf, "populated ");
    return p != NULL ? atoi(p + 10) : -1;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void starter(struct slot *s, const char *sock, int barrier_rd, int ready_wr)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    pid_t w = fork();
    if (w < 0)
        _exit(1);
    if (w == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;)
            pause();
    }
    s->workload = w;
    char one = 1;
    if (write(ready_wr, &one, 1) != 1)
        _exit(1);
    close(ready_wr);
    char c;
    while (read(barrier_rd, &c, 1) < 0 && errno == EINTR)
        ;
    s->t_connect = now_ns();
    int eagain = 0;
    int fd = dial(sock, &eagain);
    s->connected = fd >= 0;
    s->eagain = eagain;
    /* hold the connection until the workload ends, as a starter does */
    while (waitpid(w, NULL, 0) < 0 && errno == EINTR)
        ;
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc < 6 || argc > 7) {
        fprintf(stderr, "usage: regstorm SOCKET MARK K COUNT TIMEOUT_SECONDS [WAITROOM]\n");
        return 2;
    }
    const char *sock = argv[1], *mark = argv[2];
    int k = atoi(argv[3]);
    int count = atoi(argv[4]);
    double timeout = atof(argv[5]);
    const char *room = argc == 7 && strcmp(argv[6], "-") != 0 ? argv[6] : NULL;
    if (k <= 0 || count <= 0 || timeout <= 0) {
        fprintf(stderr, "regstorm: bad arguments\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct slot *slots = mmap(NULL, sizeof(struct slot) * (size_t)count, PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) {
        perror("regstorm: mmap");
        return 1;
    }
    int barrier[2], ready[2];
    if (pipe2(barrier, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
        perror("regstorm: pipe");
        return 1;
    }
    int started = 0;
    for (; started < count; started++) {
        pid_t p = fork();
        if (p < 0) {
            perror("regstorm: fork");
            break;
        }
        if (p == 0) {
            close(barrier[1]);
            close(ready[0]);
            starter(&slots[started], sock, barrier[0], ready[1]);
        }
        slots[started].starter = p;
    }
    close(barrier[0]);
    close(ready[1]);
    for (int got = 0; got < started;) {
        char buf[256];
        ssize_t n = read(ready[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (int)n;
    }

    const char *method = room != NULL ? "inotify" : "poll";
    int ino = -1;
    char path[4096];
    for (int i = 0; i < started; i++) {
        slots[i].wd = -1;
        slots[i].state = 0;
        snprintf(path, sizeof path, "/proc/%d/cgroup", (int)slots[i].workload);
        slots[i].procfd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (room != NULL) {
        ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        for (int i = 0; i < started && ino >= 0; i++) {
            char pid[32];
            snprintf(path, sizeof path, "%s/w%d", room, i);
            snprintf(pid, sizeof pid, "%d", (int)slots[i].workload);
            if (mkdir(path, 0755) != 0 && errno != EEXIST) {
                fprintf(stderr, "regstorm: mkdir %s: %s; polling instead\n", path, strerror(errno));
                room = NULL;
                break;
            }
            snprintf(path, sizeof path, "%s/w%d/cgroup.procs", room, i);
            if (write_file(path, pid) != 0) {
                fprintf(stderr, "regstorm: move into %s: %s; polling instead\n", path, strerror(errno));
                room = NULL;
                break;
            }
            snprintf(path, sizeof path, "%s/w%d/cgroup.events", room, i);
            slots[i].wd = inotify_add_watch(ino, path, IN_MODIFY);
        }
        if (room == NULL) {
            method = "poll";
            for (int i = 0; i < started; i++)
                slots[i].state = 1;
        }
    } else {
        for (int i = 0; i < started; i++)
            slots[i].state = 1;
    }

    /* open the barrier: every starter connects now */
    close(barrier[1]);
    long long deadline = now_ns() + (long long)(timeout * 1e9);
    int done = 0;
    long poll_us = room != NULL ? 100 : 250;
    while (done < started && now_ns() < deadline) {
        int polling = 0;
        for (int i = 0; i < started; i++)
            polling += slots[i].state == 1;
        struct pollfd pfd = { .fd = ino, .events = POLLIN };
        if (ino >= 0 && room != NULL) {
            struct timespec ts = { 0, polling ? poll_us * 1000 : 20 * 1000000L };
            ppoll(&pfd, 1, &ts, NULL);
            char ev[16384];
            ssize_t n;
            while ((n = read(ino, ev, sizeof ev)) > 0) {
                long long t = now_ns();
                for (char *p = ev; p < ev + n;) {
                    struct inotify_event *e = (struct inotify_event *)p;
                    for (int i = 0; i < started; i++) {
                        if (slots[i].wd == e->wd && slots[i].state == 0) {
                            snprintf(path, sizeof path, "%s/w%d/cgroup.events", room, i);
                            if (populated(path) == 0) {
                                if (lines_in(slots[i].procfd, mark) >= k) {
                                    slots[i].t_done = t;
                                    slots[i].state = 2;
                                    done++;
                                } else {
                                    slots[i].state = 1;
                                }
                            }
                        }
                    }
                    p += sizeof(struct inotify_event) + e->len;
                }
            }
        } else {
            struct timespec ts = { 0, poll_us * 1000 };
            nanosleep(&ts, NULL);
        }
        for (int i = 0; i < started; i++) {
            if (slots[i].state == 1 && slots[i].t_connect != 0) {
                int c = lines_in(slots[i].procfd, mark);
                if (c >= k) {
                    slots[i].t_done = now_ns();
                    slots[i].state = 2;
                    done++;
                }
            }
        }
    }

    long long *lat = calloc((size_t)(started > 0 ? started : 1), sizeof(long long));
    int connected = 0, refused = 0;
    for (int i = 0; i < started; i++) {
        connected += slots[i].connected;
        refused += slots[i].eagain;
    }
    int m = 0;
    for (int i = 0; i < started; i++)
        if (slots[i].state == 2)
            lat[m++] = slots[i].t_done - slots[i].t_connect;
    qsort(lat, (size_t)m, sizeof(long long), cmp_ll);
#define PCT(p) (m ? (double)lat[(int)((p) * (m - 1) + 0.5)] / 1e6 : 0.0)
    printf("regstorm: count=%d connected=%d eagain=%d registered=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
           "method=%s\n",
           started, connected, refused, m, PCT(0.5), PCT(0.9), PCT(0.99), m ? (double)lat[m - 1] / 1e6 : 0.0, method);
    printf("latencies_ms:");
    for (int i = 0; i < m; i++)
        printf(" %.3f", (double)lat[i] / 1e6);
    printf("\n");
    fflush(stdout);

    /* end: kill the workloads; their starters then exit and hang up */
    for (int i = 0; i < started; i++)
        if (slots[i].workload > 0)
            kill(slots[i].workload, SIGKILL);
    for (int i = 0; i < started; i++)
        while (waitpid(slots[i].starter, NULL, 0) < 0 && errno == EINTR)
            ;
    if (room != NULL) {
        for (int i = 0; i < started; i++) {
            snprintf(path, sizeof path, "%s/w%d", room, i);
            for (int t = 0; t < 50 && rmdir(path) != 0 && errno == EBUSY; t++)
                usleep(20000);
        }
    }
    return m == started ? 0 : 3;
}
