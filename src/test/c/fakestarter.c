/*
 * fakestarter: a stand-in for Apptainer's starter, for Apptheus end-to-end tests.
 *
 * Usage: fakestarter SOCKET WORKLOAD [ARGS...]
 *   burn SECONDS [THREADS [MIB]]  spin THREADS (default 1) threads for SECONDS of wall time,
 *                            holding MIB MiB of touched memory (default 0) meanwhile
 *   sleep SECONDS            sleep
 *   hold MIB SECONDS         malloc + memset MIB MiB, then sleep SECONDS
 *   threads N SECONDS        N extra threads, each sleeping SECONDS
 *   fork N SECONDS           fork N children (grandchildren of the master), each sleeping SECONDS
 *   write PATH MIB           O_DIRECT write MIB MiB to PATH, fsync, exit
 *   exec CMD [ARGS...]       the container process execs CMD (e.g. stress-ng)
 *   exit                     no workload: connect, then exit at once
 * Workloads that keep counters moving, for freshness tests and the benchmark:
 *   mix SECONDS              one thread alternating a user-mode loop and reads of /dev/zero
 *                            (kernel time: the kernel clears the buffer), about half each
 *   ioloop PATH KIB MS SECONDS    every MS ms: an O_DIRECT write of KIB KiB to PATH, then an
 *                            O_DIRECT read of it back
 *   forkloop MS LIFE_MS SECONDS   every MS ms fork a child that sleeps LIFE_MS ms; a refused fork
 *                            (a pids limit) is counted, not fatal
 *   oomloop MIB MS SECONDS   every MS ms fork a child that makes itself the OOM killer's first
 *                            choice (oom_score_adj 1000) and touches MIB MiB, then sleeps 1 s
 *   steps MIB MS SECONDS     every MS ms hold MIB MiB more (touched), up to 4 steps, then free all
 *   pulse MS SECONDS         every MS ms wake and spin for about 0.1 ms
 *   spin CPU_SECONDS [HOLD_SECONDS]   spin until this process has used CPU_SECONDS of CPU time (a
 *                            job of that length whatever the machine's load), then sleep HOLD_SECONDS
 *
 * Like Apptainer's starter, the master forks the workload ("container") process FIRST, then
 * connects to SOCKET, sends nothing and holds the connection until the child ends. A failed
 * connect is reported on stderr and the workload still runs (unmonitored). The connect is
 * non-blocking, as Go's net.Dial makes it: a full listen backlog fails it at once (EAGAIN). If the agent closes
 * the connection first, the master keeps waiting for its child.
 *
 * stdout, one line each:
 *   fakestarter: pid=<master> child=<child> connected=<0|1>
 *   fakestarter: child_cpu_seconds=<user+sys, %.6f> child_maxrss_kib=<ru_maxrss>
 *                child_user_seconds=<%.6f> child_system_seconds=<%.6f>
 *                self_cpu_seconds=<the master's own user+sys, %.6f>   (all on the same line)
 * Env FAKESTARTER_READY_FILE: when set, that file is created after the connect attempt
 * (content: "pid=<master> child=<child> connected=<0|1>\n").
 * Env FAKESTARTER_START_DELAY_MS: the child waits that long before its workload, as Apptainer's
 * container process waits for the master's setup before it execs the user's program (memory a
 * process charged before it was moved stays with its old cgroup).
 * Env FAKESTARTER_START_FIFO: the child opens this FIFO and reads it to EOF before its workload:
 * it waits, using no CPU, until the test opens the FIFO for writing and closes it.
 * Env FAKESTARTER_CONNECT_DELAY_MS: the master waits that long before it connects (e.g. for a
 * test to replace its executable meanwhile).
 * Env FAKESTARTER_TITLE: the master overwrites its argv with this process title before it
 * connects, as Apptainer's starter does ("Apptainer instance: USER [NAME]", "Apptainer runtime
 * parent"); /proc/PID/cmdline then shows it (see FAKESTARTER_TITLE_PAD for long titles).
 * Env FAKESTARTER_TITLE_PAD: "@PAD@" in FAKESTARTER_TITLE stands for that many 'x' bytes; if the
 * title is then longer than the argv, the master first re-execs itself with filler arguments
 * (after an "@fill@" marker, ignored) so that the whole title fits (up to the kernel's ARG_MAX).
 *
 * Drivers (many starters from one command, for flood and soak tests; every process involved runs
 * this same executable, so the agent sees the same /proc/PID/exe):
 *   flood N PARALLEL           N child processes, PARALLEL at a time, each connects and exits at once
 *   connects N                 this one process connects N times, closing each connection at once
 *   lifecycles N PARALLEL MS   N complete starters, PARALLEL at a time: each forks a worker that
 *                              burns 5 ms of CPU then sleeps MS ms, connects, waits for the
 *                              worker, closes, exits
 *   spam KIB SECONDS           connect, write KIB KiB (non-blocking, as much as the agent takes), then
 *                              hold the connection SECONDS while a child sleeps
 *   halfclose SECONDS          connect, shutdown(SHUT_WR) at once, child sleeps SECONDS
 *   pidreuse BURST MS TRIES    BURST lifecycles (MS) queue registrations; caller A connects,
 *                              exits 50 ms later, and a fork B takes A's PID (ns_last_pid, root)
 *                              while A's registration waits; B holds MS ms, then prints
 *                              "fakestarter: pidreuse-holder pid=<B> cgroups=<its /proc/self/cgroup,
 *                              ';'-separated>"; prints "fakestarter: pidreuse pid=<A> reused=<0|1>
 *                              tries=<bursts made>"
 *   scrapes N HOST PORT PATH STALL_MS
 *                              N HTTP GETs of PATH at once on 127.0.0.0/8: connect and send all N,
 *                              read nothing for STALL_MS, then read every answer to its end;
 *                              ok = answered "HTTP/1.1 200", busy = "HTTP/1.1 503"; prints
 *                              "fakestarter: scrapes ok=<n> busy=<n> failed=<n> bytes=<total read>"
 *   connectexec TRUSTED WORKLOAD...
 *                              connect (the connection survives the exec), then exec TRUSTED
 *                              SOCKET WORKLOAD...: untrusted code that becomes the trusted starter
 * Drivers print "fakestarter: <driver> ok=<n> failed=<n>" and exit 0.
 *
 * Build: gcc -O2 -Wall -Wextra -pthread -o fakestarter fakestarter.c
 *
 * With -DAPPTHEUS_DEMO the same file builds apptheus-demo-starter, shipped in a package of its
 * own so that a new user sees a container's series without Apptainer: no drivers, one fixed
 * workload (one busy thread holding 64 MiB), and a word on whether the agent kept the connection:
 *   apptheus-demo-starter [--socket PATH] [SECONDS]     (default /run/apptheus/gateway.sock, 60 s)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <poll.h>

#define MIB (1024L * 1024L)
#define DIRECT_ALIGN 4096

enum workload { W_BURN, W_SLEEP, W_HOLD, W_THREADS, W_FORK, W_WRITE, W_EXEC, W_EXIT, W_MIX, W_IOLOOP, W_FORKLOOP,
                W_OOMLOOP, W_STEPS, W_PULSE, W_SPIN };

struct spec {
    enum workload kind;
    double seconds;
    long count;       /* threads for burn/threads, children for fork, MiB for hold/write */
    long mib;         /* memory held by burn */
    long period_ms;   /* the loops' period */
    long life_ms;     /* forkloop: how long each child lives */
    const char *path; /* write */
    char **argv;      /* exec */
};

static void usage(void)
{
    fprintf(stderr,
            "usage: fakestarter SOCKET WORKLOAD [ARGS...]\n"
            "  burn SECONDS [THREADS [MIB]] | sleep SECONDS | hold MIB SECONDS | threads N SECONDS\n"
            "  fork N SECONDS | write PATH MIB | exit | mix SECONDS | ioloop PATH KIB MS SECONDS\n"
            "  forkloop MS LIFE_MS SECONDS | oomloop MIB MS SECONDS | steps MIB MS SECONDS | pulse MS SECONDS\n"
            "  spin CPU_SECONDS [HOLD_SECONDS]\n");
    exit(2);
}

static double parse_seconds(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1e7) {
        fprintf(stderr, "fakestarter: bad SECONDS '%s'\n", s);
        usage();
    }
    return v;
}

static long parse_count(const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "fakestarter: bad count '%s' (expected %ld..%ld)\n", s, min, max);
        usage();
    }
    return v;
}

static struct spec parse_workload(int argc, char **argv)
{
    struct spec sp = { .kind = W_EXIT, .seconds = 0, .count = 0, .path = NULL };
    const char *w = argv[0];
    if (strcmp(w, "burn") == 0 && argc >= 2 && argc <= 4) {
        sp.kind = W_BURN;
        sp.seconds = parse_seconds(argv[1]);
        sp.count = argc >= 3 ? parse_count(argv[2], 1, 4096) : 1;
        sp.mib = argc == 4 ? parse_count(argv[3], 0, 1L << 20) : 0;
    } else if (strcmp(w, "sleep") == 0 && argc == 2) {
        sp.kind = W_SLEEP;
        sp.seconds = parse_seconds(argv[1]);
    } else if (strcmp(w, "hold") == 0 && argc == 3) {
        sp.kind = W_HOLD;
        sp.count = parse_count(argv[1], 0, 1L << 20);
        sp.seconds = parse_seconds(argv[2]);
    } else if (strcmp(w, "threads") == 0 && argc == 3) {
        sp.kind = W_THREADS;
        sp.count = parse_count(argv[1], 0, 32768);
        sp.seconds = parse_seconds(argv[2]);
    } else if (strcmp(w, "fork") == 0 && argc == 3) {
        sp.kind = W_FORK;
        sp.count = parse_count(argv[1], 0, 32768);
        sp.seconds = parse_seconds(argv[2]);
    } else if (strcmp(w, "write") == 0 && argc == 3) {
        sp.kind = W_WRITE;
        sp.path = argv[1];
        sp.count = parse_count(argv[2], 0, 1L << 20);
    } else if (strcmp(w, "exec") == 0 && argc >= 2) {
        sp.kind = W_EXEC;
        sp.argv = argv + 1;
    } else if (strcmp(w, "mix") == 0 && argc == 2) {
        sp.kind = W_MIX;
        sp.seconds = parse_seconds(argv[1]);
    } else if (strcmp(w, "ioloop") == 0 && argc == 5) {
        sp.kind = W_IOLOOP;
        sp.path = argv[1];
        sp.count = parse_count(argv[2], 4, 1L << 20);
        sp.period_ms = parse_count(argv[3], 1, 3600000);
        sp.seconds = parse_seconds(argv[4]);
    } else if (strcmp(w, "forkloop") == 0 && argc == 4) {
        sp.kind = W_FORKLOOP;
        sp.period_ms = parse_count(argv[1], 1, 3600000);
        sp.life_ms = parse_count(argv[2], 0, 3600000);
        sp.seconds = parse_seconds(argv[3]);
    } else if ((strcmp(w, "oomloop") == 0 || strcmp(w, "steps") == 0) && argc == 4) {
        sp.kind = strcmp(w, "oomloop") == 0 ? W_OOMLOOP : W_STEPS;
        sp.mib = parse_count(argv[1], 1, 1L << 20);
        sp.period_ms = parse_count(argv[2], 1, 3600000);
        sp.seconds = parse_seconds(argv[3]);
    } else if (strcmp(w, "pulse") == 0 && argc == 3) {
        sp.kind = W_PULSE;
        sp.period_ms = parse_count(argv[1], 1, 3600000);
        sp.seconds = parse_seconds(argv[2]);
    } else if (strcmp(w, "spin") == 0 && (argc == 2 || argc == 3)) {
        sp.kind = W_SPIN;
        sp.seconds = parse_seconds(argv[1]);
        sp.period_ms = argc == 3 ? (long)(parse_seconds(argv[2]) * 1000) : 0;
    } else if (strcmp(w, "exit") == 0 && argc == 1) {
        sp.kind = W_EXIT;
    } else {
        usage();
    }
    return sp;
}

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(double seconds)
{
    double deadline = now_mono() + seconds;
    for (;;) {
        double left = deadline - now_mono();
        if (left <= 0)
            return;
        struct timespec ts = { .tv_sec = (time_t)left, .tv_nsec = (long)((left - (double)(time_t)left) * 1e9) };
        nanosleep(&ts, NULL); /* EINTR: loop recomputes what is left */
    }
}

static volatile unsigned long burn_sink;

static void *burn_thread(void *arg)
{
    double deadline = *(const double *)arg;
    unsigned long x = 0;
    for (;;) {
        for (int i = 0; i < 100000; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
        burn_sink = x;
        if (now_mono() >= deadline)
            break;
    }
    return NULL;
}

static void *sleep_thread(void *arg)
{
    sleep_seconds(*(const double *)arg);
    return NULL;
}

/* Starts n threads running fn(arg), plus fn in the calling thread when self is set; joins all. */
static int run_threads(long n, void *(*fn)(void *), void *arg, int self)
{
    pthread_t *tids = calloc((size_t)(n > 0 ? n : 1), sizeof(pthread_t));
    if (tids == NULL) {
        perror("fakestarter: calloc");
        return 1;
    }
    long started = 0;
    int rc = 0;
    for (; started < n; started++) {
        int e = pthread_create(&tids[started], NULL, fn, arg);
        if (e != 0) {
            fprintf(stderr, "fakestarter: pthread_create: %s\n", strerror(e));
            rc = 1;
            break;
        }
    }
    if (self)
        fn(arg);
    for (long i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    free(tids);
    return rc;
}

static int do_write(const char *path, long mib)
{
    int direct = 1;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    if (fd < 0 && errno == EINVAL) {
        /* e.g. tmpfs: no O_DIRECT; write through the page cache and fsync instead */
        fprintf(stderr, "fakestarter: O_DIRECT not supported on %s, using buffered write + fsync\n", path);
        direct = 0;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    if (fd < 0) {
        fprintf(stderr, "fakestarter: open %s: %s\n", path, strerror(errno));
        return 1;
    }
    void *buf = NULL;
    int e = posix_memalign(&buf, DIRECT_ALIGN, MIB);
    if (e != 0) {
        fprintf(stderr, "fakestarter: posix_memalign: %s\n", strerror(e));
        close(fd);
        return 1;
    }
    memset(buf, 0xa5, MIB);
    for (long i = 0; i < mib; i++) {
        size_t done = 0;
        while (done < (size_t)MIB) {
            ssize_t w = write(fd, (char *)buf + done, (size_t)MIB - done);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                fprintf(stderr, "fakestarter: write %s: %s\n", path, strerror(errno));
                free(buf);
                close(fd);
                return 1;
            }
            done += (size_t)w;
            if (direct && done % DIRECT_ALIGN != 0 && done < (size_t)MIB) {
                fprintf(stderr, "fakestarter: short unaligned O_DIRECT write on %s\n", path);
                free(buf);
                close(fd);
                return 1;
            }
        }
    }
    free(buf);
    if (fsync(fd) != 0) {
        fprintf(stderr, "fakestarter: fsync %s: %s\n", path, strerror(errno));
        close(fd);
        return 1;
    }
    close(fd);
    return 0;
}

static int do_fork(long n, double seconds)
{
    int rc = 0;
    long forked = 0;
    for (; forked < n; forked++) {
        pid_t p = fork();
        if (p < 0) {
            fprintf(stderr, "fakestarter: fork: %s\n", strerror(errno));
            rc = 1;
            break;
        }
        if (p == 0) {
            sleep_seconds(seconds);
            _exit(0);
        }
    }
    /* reap them so that their CPU time reaches the master's RUSAGE_CHILDREN */
    for (;;) {
        pid_t w = waitpid(-1, NULL, 0);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: all reaped */
        }
    }
    return rc;
}

/* Reaps the children that have ended, without waiting. */
static void reap_ended(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

/* Reaps every child, waiting: their CPU time then reaches the master's RUSAGE_CHILDREN. */
static void reap_all(void)
{
    for (;;) {
        pid_t w = waitpid(-1, NULL, 0);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return;
    }
}

static int do_mix(double seconds)
{
    int zero = open("/dev/zero", O_RDONLY);
    if (zero < 0) {
        fprintf(stderr, "fakestarter: open /dev/zero: %s\n", strerror(errno));
        return 1;
    }
    static char buf[256 * 1024];
    double deadline = now_mono() + seconds;
    unsigned long x = 0;
    while (now_mono() < deadline) {
        for (int i = 0; i < 200000; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
        burn_sink = x;
        for (int i = 0; i < 64; i++) {
            if (read(zero, buf, sizeof buf) < 0 && errno != EINTR) {
                fprintf(stderr, "fakestarter: read /dev/zero: %s\n", strerror(errno));
                close(zero);
                return 1;
            }
        }
    }
    close(zero);
    return 0;
}

static int do_ioloop(const char *path, long kib, long period_ms, double seconds)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    if (fd < 0) {
        fprintf(stderr, "fakestarter: open %s with O_DIRECT: %s\n", path, strerror(errno));
        return 1;
    }
    size_t bytes = (size_t)kib * 1024;
    void *buf = NULL;
    if (posix_memalign(&buf, DIRECT_ALIGN, bytes) != 0) {
        close(fd);
        return 1;
    }
    memset(buf, 0xa5, bytes);
    double deadline = now_mono() + seconds;
    int rc = 0;
    while (now_mono() < deadline) {
        if (pwrite(fd, buf, bytes, 0) != (ssize_t)bytes || pread(fd, buf, bytes, 0) != (ssize_t)bytes) {
            fprintf(stderr, "fakestarter: O_DIRECT io on %s: %s\n", path, strerror(errno));
            rc = 1;
            break;
        }
        sleep_seconds(period_ms / 1000.0);
    }
    free(buf);
    close(fd);
    return rc;
}

static int do_forkloop(long period_ms, long life_ms, double seconds)
{
    double deadline = now_mono() + seconds;
    long forked = 0, refused = 0;
    while (now_mono() < deadline) {
        pid_t p = fork();
        if (p == 0) {
            sleep_seconds(life_ms / 1000.0);
            _exit(0);
        }
        if (p > 0)
            forked++;
        else
            refused++;
        /* reap as children end: a zombie still counts in pids.current */
        double next = now_mono() + period_ms / 1000.0;
        while (now_mono() < next) {
            reap_ended();
            sleep_seconds(0.01);
        }
    }
    reap_all();
    fprintf(stderr, "fakestarter: forkloop forked=%ld refused=%ld\n", forked, refused);
    return 0;
}

static int do_oomloop(long mib, long period_ms, double seconds)
{
    double deadline = now_mono() + seconds;
    long killed = 0;
    while (now_mono() < deadline) {
        pid_t p = fork();
        if (p == 0) {
            int fd = open("/proc/self/oom_score_adj", O_WRONLY);
            if (fd >= 0) {
                if (write(fd, "1000", 4) != 4)
                    _exit(3);
                close(fd);
            }
            size_t bytes = (size_t)mib * MIB;
            char *m = malloc(bytes);
            if (m == NULL)
                _exit(2);
            memset(m, 0x5a, bytes);
            burn_sink = (unsigned long)m[bytes - 1]; /* or the compiler drops the memset */
            sleep_seconds(1);
            _exit(0);
        }
        if (p > 0) {
            int status;
            while (waitpid(p, &status, 0) < 0 && errno == EINTR) {
            }
            killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
        }
        sleep_seconds(period_ms / 1000.0);
    }
    fprintf(stderr, "fakestarter: oomloop killed=%ld\n", killed);
    return 0;
}

static int do_steps(long mib, long period_ms, double seconds)
{
    size_t step = (size_t)mib * MIB;
    char *held[4] = { NULL, NULL, NULL, NULL };
    int n = 0;
    double deadline = now_mono() + seconds;
    while (now_mono() < deadline) {
        if (n == 4) {
            for (int i = 0; i < 4; i++)
                munmap(held[i], step); /* mmap, not malloc: the pages go back to the kernel at once */
            n = 0;
        } else {
            void *m = mmap(NULL, step, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m == MAP_FAILED) {
                fprintf(stderr, "fakestarter: mmap %ld MiB: %s\n", mib, strerror(errno));
                return 1;
            }
            memset(m, 0x5a, step);
            held[n++] = m;
        }
        sleep_seconds(period_ms / 1000.0);
    }
    for (int i = 0; i < n; i++)
        munmap(held[i], step);
    return 0;
}

static int do_pulse(long period_ms, double seconds)
{
    double deadline = now_mono() + seconds;
    while (now_mono() < deadline) {
        double spin = now_mono() + 0.0001;
        unsigned long x = 0;
        while (now_mono() < spin)
            x += 1;
        burn_sink = x;
        sleep_seconds(period_ms / 1000.0);
    }
    return 0;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int do_spin(double cpu_seconds, double hold_seconds)
{
    unsigned long x = 0;
    while (cpu_now() < cpu_seconds) {
        for (int i = 0; i < 10000; i++)
            x = x * 6364136223846793005UL + 1442695040888963407UL;
        burn_sink = x;
    }
    sleep_seconds(hold_seconds);
    return 0;
}

static int run_workload(const struct spec *sp)
{
    switch (sp->kind) {
    case W_BURN: {
        size_t bytes = (size_t)sp->mib * (size_t)MIB;
        char *held = bytes > 0 ? malloc(bytes) : NULL;
        if (held != NULL)
            memset(held, 0x5a, bytes);
        double deadline = now_mono() + sp->seconds;
        int rc = run_threads(sp->count - 1, burn_thread, &deadline, 1);
        if (held != NULL)
            burn_sink = (unsigned long)held[bytes - 1];
        free(held);
        return rc;
    }
    case W_SLEEP:
        sleep_seconds(sp->seconds);
        return 0;
    case W_HOLD: {
        size_t bytes = (size_t)sp->count * (size_t)MIB;
        char *p = malloc(bytes > 0 ? bytes : 1);
        if (p == NULL) {
            fprintf(stderr, "fakestarter: malloc %ld MiB failed\n", sp->count);
            return 1;
        }
        memset(p, 0x5a, bytes);
        sleep_seconds(sp->seconds);
        /* keep the memory live until the end */
        burn_sink = (unsigned long)p[bytes > 0 ? bytes - 1 : 0];
        free(p);
        return 0;
    }
    case W_THREADS: {
        double seconds = sp->seconds;
        return run_threads(sp->count, sleep_thread, &seconds, 0);
    }
    case W_FORK:
        return do_fork(sp->count, sp->seconds);
    case W_EXEC:
        execvp(sp->argv[0], sp->argv);
        fprintf(stderr, "fakestarter: exec %s: %s\n", sp->argv[0], strerror(errno));
        return 1;
    case W_WRITE:
        return do_write(sp->path, sp->count);
    case W_EXIT:
        return 0;
    case W_MIX:
        return do_mix(sp->seconds);
    case W_IOLOOP:
        return do_ioloop(sp->path, sp->count, sp->period_ms, sp->seconds);
    case W_FORKLOOP:
        return do_forkloop(sp->period_ms, sp->life_ms, sp->seconds);
    case W_OOMLOOP:
        return do_oomloop(sp->mib, sp->period_ms, sp->seconds);
    case W_STEPS:
        return do_steps(sp->mib, sp->period_ms, sp->seconds);
    case W_PULSE:
        return do_pulse(sp->period_ms, sp->seconds);
    case W_SPIN:
        return do_spin(sp->seconds, sp->period_ms / 1000.0);
    }
    return 1;
}

static int dial(const char *path)
{
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(addr.sun_path, path);
    /* as Apptainer's starter (Go's net.Dial): a non-blocking connect, so that a full listen
     * backlog fails the dial with EAGAIN instead of waiting; the socket is blocking afterwards */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int r;
    do {
        r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

static void write_ready_file(const char *path, pid_t self, pid_t child, int connected)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)self) >= sizeof tmp) {
        fprintf(stderr, "fakestarter: ready file path too long\n");
        return;
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        fprintf(stderr, "fakestarter: cannot create %s: %s\n", tmp, strerror(errno));
        return;
    }
    fprintf(f, "pid=%d child=%d connected=%d\n", (int)self, (int)child, connected);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "fakestarter: cannot create %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
}

/* Overwrites the argv strings (contiguous in memory) with title, NUL-padded: the process title. */
static void set_title(int argc, char **argv, const char *title)
{
    char *start = argv[0];
    char *end = argv[argc - 1] + strlen(argv[argc - 1]);
    size_t room = (size_t)(end - start);
    size_t n = strlen(title);
    if (n > room)
        n = room;
    memset(start, 0, room);
    memcpy(start, title, n);
}

/* argc including the filler arguments after "@fill@" (set_title may use their bytes too). */
static int full_argc;

/* FAKESTARTER_TITLE with "@PAD@" replaced by FAKESTARTER_TITLE_PAD 'x' bytes; NULL if unset. */
static char *expand_title(void)
{
    const char *t = getenv("FAKESTARTER_TITLE");
    if (t == NULL || t[0] == '\0')
        return NULL;
    const char *pad_env = getenv("FAKESTARTER_TITLE_PAD");
    long pad = pad_env != NULL ? atol(pad_env) : 0;
    const char *at = strstr(t, "@PAD@");
    if (at == NULL || pad <= 0)
        return strdup(t);
    size_t head = (size_t)(at - t);
    size_t tail = strlen(at + 5);
    char *out = malloc(head + (size_t)pad + tail + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, t, head);
    memset(out + head, 'x', (size_t)pad);
    memcpy(out + head + pad, at + 5, tail + 1);
    return out;
}

/* Re-execs this binary with filler arguments so that the argv holds at least `need` bytes. */
static void grow_argv(int argc, char **argv, size_t need)
{
    const size_t piece = 100000; /* below MAX_ARG_STRLEN (128 KiB) */
    size_t have = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
    size_t pieces = (need - have) / piece + 1;
    char **nargv = calloc((size_t)argc + pieces + 2, sizeof(char *));
    char *filler = malloc(piece + 1);
    if (nargv == NULL || filler == NULL) {
        fprintf(stderr, "fakestarter: out of memory\n");
        exit(1);
    }
    memset(filler, 'f', piece);
    filler[piece] = '\0';
    int n = 0;
    for (int i = 0; i < argc; i++)
        nargv[n++] = argv[i];
    nargv[n++] = "@fill@";
    for (size_t i = 0; i < pieces; i++)
        nargv[n++] = filler;
    nargv[n] = NULL;
    char self[4096];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    if (k <= 0) {
        fprintf(stderr, "fakestarter: readlink /proc/self/exe: %s\n", strerror(errno));
        exit(1);
    }
    self[k] = '\0';
    execv(self, nargv);
    fprintf(stderr, "fakestarter: re-exec with a longer argv: %s\n", strerror(errno));
    exit(1);
}

/* What starter_main calls itself in its output, and how long it waits to see whether the agent
 * closes the connection at once (a refusal) before it says the container is monitored; 0: not at all. */
static const char *prog = "fakestarter";
static int verdict_wait_ms;

static void report_verdict(int fd, pid_t self)
{
    struct pollfd p = { .fd = fd, .events = POLLRDHUP };
    int r;
    do {
        r = poll(&p, 1, verdict_wait_ms);
    } while (r < 0 && errno == EINTR);
    if (r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
        printf("%s: the agent closed the connection: not trusted or refused; the container runs on,"
               " unmonitored (journalctl -u apptheus says why)\n", prog);
    } else {
        printf("%s: monitored; its series are named %s_%d:\n"
               "  curl -s localhost:9091/metrics | grep 'name=\"%s_%d\"'\n",
               prog, prog, (int)self, prog, (int)self);
    }
    fflush(stdout);
}

static int starter_main(int argc, char **argv)
{
    if (argc < 3)
        usage();
    char *title = expand_title();
    if (title != NULL && full_argc == argc) {
        size_t have = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
        if (strlen(title) > have)
            grow_argv(argc, argv, strlen(title));
    }
    const char *sock_path = argv[1];
    struct spec sp = parse_workload(argc - 2, argv + 2);

    /* 1. fork the "container" first, as Apptainer's starter does */
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "fakestarter: fork: %s\n", strerror(errno));
        return 1;
    }
    if (child == 0) {
        const char *fifo = getenv("FAKESTARTER_START_FIFO");
        if (fifo != NULL && fifo[0] != '\0') {
            int f = open(fifo, O_RDONLY);
            if (f < 0) {
                fprintf(stderr, "fakestarter: open %s: %s\n", fifo, strerror(errno));
                _exit(1);
            }
            char b[64];
            for (;;) {
                ssize_t r = read(f, b, sizeof b);
                if (r > 0 || (r < 0 && errno == EINTR))
                    continue;
                break;
            }
            close(f);
        }
        const char *delay = getenv("FAKESTARTER_START_DELAY_MS");
        if (delay != NULL && atoi(delay) > 0) {
            struct timespec ts = {atoi(delay) / 1000, (long)(atoi(delay) % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
        _exit(run_workload(&sp) == 0 ? 0 : 1);
    }

    /* 2. the master: never die of a peer that went away (we never write anyway) */
    signal(SIGPIPE, SIG_IGN);

    if (title != NULL) {
        sock_path = strdup(sock_path); /* it lives in argv */
        if (sock_path == NULL) {
            fprintf(stderr, "fakestarter: out of memory\n");
            return 1;
        }
        set_title(full_argc, argv, title);
        free(title);
    }

    const char *connect_delay = getenv("FAKESTARTER_CONNECT_DELAY_MS");
    if (connect_delay != NULL && atoi(connect_delay) > 0)
        sleep_seconds(atoi(connect_delay) / 1000.0);

    int fd = dial(sock_path);
    int connected = fd >= 0;
    if (!connected) {
        fprintf(stderr, "%s: connect to %s failed: %s\n", prog, sock_path, strerror(errno));
        if (verdict_wait_ms > 0)
            fprintf(stderr, "%s: the container runs unmonitored; is the agent running? (systemctl status apptheus)\n",
                    prog);
    }

    pid_t self = getpid();
    printf("%s: pid=%d child=%d connected=%d\n", prog, (int)self, (int)child, connected);
    fflush(stdout);
    if (connected && verdict_wait_ms > 0)
        report_verdict(fd, self);

    const char *ready = getenv("FAKESTARTER_READY_FILE");
    if (ready != NULL && ready[0] != '\0')
        write_ready_file(ready, self, child, connected);

    /* 3. hold the connection (send nothing, read nothing) until the container ends; if the agent
     * closes its end first, nothing happens here: we just keep waiting for the child. */
    int status = 0;
    for (;;) {
        pid_t w = waitpid(child, &status, 0);
        if (w == child)
            break;
        if (w < 0 && errno != EINTR) {
            fprintf(stderr, "fakestarter: waitpid: %s\n", strerror(errno));
            break;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        fprintf(stderr, "%s: child exited with status %d\n", prog, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "%s: child killed by signal %d\n", prog, WTERMSIG(status));

    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    getrusage(RUSAGE_CHILDREN, &ru);
    double user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
    double sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    struct rusage self_ru;
    memset(&self_ru, 0, sizeof self_ru);
    getrusage(RUSAGE_SELF, &self_ru);
    double self_cpu = (double)self_ru.ru_utime.tv_sec + (double)self_ru.ru_utime.tv_usec / 1e6 +
                      (double)self_ru.ru_stime.tv_sec + (double)self_ru.ru_stime.tv_usec / 1e6;
    printf("%s: child_cpu_seconds=%.6f child_maxrss_kib=%ld child_user_seconds=%.6f child_system_seconds=%.6f"
           " self_cpu_seconds=%.6f\n", prog, user + sys, ru.ru_maxrss, user, sys, self_cpu);
    fflush(stdout);

    /* 4. the container ended: close the connection and go */
    if (connected)
        close(fd);
    return 0;
}

#ifndef APPTHEUS_DEMO
/* ---- drivers: many starters from one command ---- */

static void burn_ms(long ms)
{
    double end = now_mono() + ms / 1000.0;
    volatile unsigned long x = 0;
    while (now_mono() < end)
        for (int i = 0; i < 10000; i++)
            x += (unsigned long)i;
    burn_sink = x;
}

/* pidreuse's barrier: when >= 0, one_lifecycle waits for EOF on the gate before it connects, and
 * writes a byte to connected once its connect returned. */
static int lifecycle_gate_fd = -1;
static int lifecycle_connected_fd = -1;

/* One complete starter: fork the worker first, connect, hold until the worker ends. */
static int one_lifecycle(const char *sock, long ms)
{
    pid_t w = fork();
    if (w < 0)
        return 1;
    if (w == 0) {
        burn_ms(5);
        sleep_seconds(ms / 1000.0);
        _exit(0);
    }
    if (lifecycle_gate_fd >= 0) {
        char g;
        while (read(lifecycle_gate_fd, &g, 1) < 0 && errno == EINTR)
            ;
        close(lifecycle_gate_fd);
    }
    int fd = dial(sock);
    if (lifecycle_connected_fd >= 0) {
        char c = fd >= 0 ? '1' : '0';
        if (write(lifecycle_connected_fd, &c, 1) != 1)
            fprintf(stderr, "fakestarter: barrier: %s\n", strerror(errno));
        close(lifecycle_connected_fd);
    }
    int status = 0;
    while (waitpid(w, &status, 0) < 0 && errno == EINTR)
        ;
    if (fd < 0)
        return 1;
    close(fd);
    return 0;
}

static int one_flood(const char *sock)
{
    int fd = dial(sock);
    if (fd < 0)
        return 1;
    close(fd);
    return 0;
}

/* Runs n children, at most parallel at a time; a child's exit status 0 counts as ok. */
static int drive(const char *name, const char *sock, long n, long parallel, long ms)
{
    long started = 0, running = 0, ok = 0, failed = 0;
    while (started < n || running > 0) {
        while (started < n && running < parallel) {
            pid_t p = fork();
            if (p < 0) {
                failed++;
                started++;
                continue;
            }
            if (p == 0)
                _exit(ms >= 0 ? one_lifecycle(sock, ms) : one_flood(sock));
            started++;
            running++;
        }
        int status = 0;
        pid_t w = wait(&status);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        running--;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ok++;
        else
            failed++;
    }
    printf("fakestarter: %s ok=%ld failed=%ld\n", name, ok, failed);
    fflush(stdout);
    return 0;
}

/* Connects, then misbehaves on the wire while a child stands in for the container. */
static int misbehave(const char *sock, long spam_kib, int half_close, double seconds)
{
    pid_t child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        sleep_seconds(seconds);
        _exit(0);
    }
    signal(SIGPIPE, SIG_IGN);
    int fd = dial(sock);
    printf("fakestarter: pid=%d child=%d connected=%d\n", (int)getpid(), (int)child, fd >= 0);
    fflush(stdout);
    long sent = 0;
    if (fd >= 0 && half_close)
        shutdown(fd, SHUT_WR);
    if (fd >= 0 && spam_kib > 0) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        static char junk[1024];
        memset(junk, 'x', sizeof junk);
        for (long i = 0; i < spam_kib; i++) {
            ssize_t r = write(fd, junk, sizeof junk);
            if (r <= 0)
                break;
            sent += r;
        }
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    printf("fakestarter: misbehave sent=%ld\n", sent);
    fflush(stdout);
    if (fd >= 0)
        close(fd);
    return 0;
}

static int connects(const char *sock, long n)
{
    long ok = 0, failed = 0;
    for (long i = 0; i < n; i++) {
        if (one_flood(sock) == 0)
            ok++;
        else
            failed++;
    }
    printf("fakestarter: connects ok=%ld failed=%ld\n", ok, failed);
    fflush(stdout);
    return 0;
}

/* Writes "PID-1" to ns_last_pid so that the next fork gets PID; 0 on success. Root only. */
static int next_pid_will_be(pid_t pid)
{
    int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d", (int)pid - 1);
    int r = write(fd, buf, (size_t)n) == n ? 0 : -1;
    close(fd);
    return r;
}

/* Prints this process's /proc/self/cgroup on one line, entries separated by ';'. */
static void print_own_cgroups(const char *what)
{
    char buf[4096];
    int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    for (char *c = buf; *c; c++)
        if (*c == '\n')
            *c = ';';
    printf("fakestarter: %s pid=%d cgroups=%s\n", what, (int)getpid(), buf);
    fflush(stdout);
}

/*
 * PID reuse under the agent's feet. A burst of starters (holding hold_ms), all connecting at the
 * same instant, queues registrations in the agent; once each of them has connected, caller A connects, stays until the agent has surely
 * read its credentials and start time (at accept), and exits; B, a fork of this same trusted
 * binary, is made to take A's PID (ns_last_pid) while A's registration still waits behind the
 * burst's. The agent must see that the PID now names another process (start time), refuse it as
 * "raced" and leave B where it is. B prints its own cgroups at the end of its hold. Tries again
 * (with a new burst) if another process took the PID first. Prints "pidreuse pid=A reused=1|0
 * tries=T".
 */
static int pidreuse(const char *sock, long burst, long hold_ms, long tries)
{
    signal(SIGPIPE, SIG_IGN);
    for (long t = 0; t < tries; t++) {
        int gate[2], connected[2];
        if (pipe(gate) != 0 || pipe(connected) != 0)
            return 1;
        for (long i = 0; i < burst; i++) {
            pid_t p = fork();
            if (p == 0) {
                close(gate[1]);
                close(connected[0]);
                lifecycle_gate_fd = gate[0];
                lifecycle_connected_fd = connected[1];
                _exit(one_lifecycle(sock, hold_ms));
            }
        }
        close(gate[0]);
        close(connected[1]);
        sleep_seconds(0.2); /* the burst has forked its workers and waits at the gate */
        close(gate[1]);     /* all of them connect at once */
        /* every starter of the burst has connected: their registrations are queued before A's */
        char byte;
        for (long i = 0; i < burst; i++)
            if (read(connected[0], &byte, 1) != 1)
                break;
        close(connected[0]);
        int go[2], ready[2];
        if (pipe(go) != 0 || pipe(ready) != 0)
            return 1;
        pid_t a = fork();
        if (a == 0) {
            close(go[1]);
            close(ready[0]);
            int fd = dial(sock);
            char c = fd >= 0 ? '1' : '0';
            if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
                _exit(1);
            _exit(0);
        }
        close(go[0]);
        close(ready[1]);
        char c = '0';
        if (read(ready[0], &c, 1) != 1 || c != '1') {
            fprintf(stderr, "fakestarter: pidreuse: caller could not connect\n");
            return 1;
        }
        sleep_seconds(0.05); /* the agent accepted A and read its start time (at accept) */
        close(go[1]);        /* A exits */
        close(ready[0]);
        while (waitpid(a, NULL, 0) < 0 && errno == EINTR)
            ;
        if (next_pid_will_be(a) != 0) {
            fprintf(stderr, "fakestarter: pidreuse: ns_last_pid: %s\n", strerror(errno));
            return 1;
        }
        pid_t b = fork();
        if (b == 0) {
            sleep_seconds(hold_ms / 1000.0);
            print_own_cgroups("pidreuse-holder");
            _exit(0);
        }
        if (b == a) {
            printf("fakestarter: pidreuse pid=%d reused=1 tries=%ld\n", (int)a, t + 1);
            fflush(stdout);
            while (wait(NULL) > 0 || errno == EINTR)
                ;
            return 0;
        }
        kill(b, SIGKILL);
        while (wait(NULL) > 0 || errno == EINTR) /* the burst ends too before the next try */
            ;
    }
    printf("fakestarter: pidreuse pid=0 reused=0 tries=%ld\n", tries);
    fflush(stdout);
    return 0;
}

/* N GETs at once: all connected and sent before any is read; read after stall_ms. */
static int scrapes(long n, const char *host, long port, const char *path, long stall_ms)
{
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 || (ntohl(addr.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "fakestarter: scrapes: %s is not an address in 127.0.0.0/8\n", host);
        return 2;
    }
    struct pollfd *fds = calloc((size_t)n, sizeof *fds);
    char (*head)[16] = calloc((size_t)n, sizeof *head);
    long *got = calloc((size_t)n, sizeof *got);
    if (fds == NULL || head == NULL || got == NULL)
        return 1;
    char req[1024];
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%ld\r\nConnection: close\r\n\r\n", path,
                       host, port);
    long failed = 0;
    for (long i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || write(fd, req, (size_t)len) != len) {
            if (fd >= 0)
                close(fd);
            fds[i].fd = -1;
            failed++;
            continue;
        }
        fds[i].fd = fd;
        fds[i].events = POLLIN;
    }
    sleep_seconds(stall_ms / 1000.0);
    static char buf[65536];
    long open_fds = n - failed;
    long long total = 0;
    while (open_fds > 0) {
        int r = poll(fds, (nfds_t)n, 60000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break; /* a minute without a byte: the rest count as failed */
        for (long i = 0; i < n; i++) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            ssize_t k = read(fds[i].fd, buf, sizeof buf);
            if (k > 0) {
                if (got[i] < 15) {
                    long c = 15 - got[i] < k ? 15 - got[i] : (long)k;
                    memcpy(head[i] + got[i], buf, (size_t)c);
                }
                got[i] += k;
                total += k;
                continue;
            }
            if (k < 0 && errno == EINTR)
                continue;
            close(fds[i].fd);
            fds[i].fd = -1;
            open_fds--;
        }
    }
    long ok = 0, busy = 0;
    for (long i = 0; i < n; i++) {
        if (fds[i].fd >= 0) {
            close(fds[i].fd);
            fds[i].fd = -1;
        }
        if (got[i] >= 12 && memcmp(head[i], "HTTP/1.1 200", 12) == 0)
            ok++;
        else if (got[i] >= 12 && memcmp(head[i], "HTTP/1.1 503", 12) == 0)
            busy++;
    }
    printf("fakestarter: scrapes ok=%ld busy=%ld failed=%ld bytes=%lld\n", ok, busy, n - ok - busy, total);
    fflush(stdout);
    return 0;
}

/* Untrusted code that connects, then execs the trusted starter: the connection survives the exec. */
static int connectexec(const char *sock, char **exec_argv)
{
    int fd = dial(sock);
    if (fd < 0) {
        fprintf(stderr, "fakestarter: connectexec: connect failed: %s\n", strerror(errno));
    } else {
        fcntl(fd, F_SETFD, 0); /* no FD_CLOEXEC: the starter inherits it */
    }
    printf("fakestarter: connectexec pid=%d connected=%d\n", (int)getpid(), fd >= 0);
    fflush(stdout);
    execv(exec_argv[0], exec_argv);
    fprintf(stderr, "fakestarter: connectexec: exec %s: %s\n", exec_argv[0], strerror(errno));
    return 1;
}

int main(int argc, char **argv)
{
    full_argc = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "@fill@") == 0) {
            argc = i;
            break;
        }
    }
    if (argc >= 8 && strcmp(argv[2], "scrapes") == 0)
        return scrapes(parse_count(argv[3], 1, 100000), argv[4], parse_count(argv[5], 1, 65535), argv[6],
                       parse_count(argv[7], 0, 3600000));
    if (argc >= 5 && strcmp(argv[2], "connectexec") == 0) {
        /* TRUSTED SOCKET WORKLOAD...: argv[3] becomes argv[0], the socket argv[1] */
        char **nargv = calloc((size_t)argc, sizeof(char *));
        if (nargv == NULL)
            return 1;
        int k = 0;
        nargv[k++] = argv[3];
        nargv[k++] = argv[1];
        for (int i = 4; i < argc; i++)
            nargv[k++] = argv[i];
        nargv[k] = NULL;
        return connectexec(argv[1], nargv);
    }
    if (argc >= 4 && strcmp(argv[2], "connects") == 0)
        return connects(argv[1], parse_count(argv[3], 0, 1000000));
    if (argc >= 5 && strcmp(argv[2], "flood") == 0)
        return drive("flood", argv[1], parse_count(argv[3], 0, 1000000), parse_count(argv[4], 1, 4096), -1);
    if (argc >= 6 && strcmp(argv[2], "lifecycles") == 0)
        return drive("lifecycles", argv[1], parse_count(argv[3], 0, 1000000), parse_count(argv[4], 1, 4096),
                     parse_count(argv[5], 0, 3600000));
    if (argc >= 5 && strcmp(argv[2], "spam") == 0)
        return misbehave(argv[1], parse_count(argv[3], 0, 1L << 20), 0, parse_seconds(argv[4]));
    if (argc >= 6 && strcmp(argv[2], "pidreuse") == 0)
        return pidreuse(argv[1], parse_count(argv[3], 0, 4096), parse_count(argv[4], 0, 3600000),
                        parse_count(argv[5], 1, 1000));
    if (argc >= 4 && strcmp(argv[2], "halfclose") == 0)
        return misbehave(argv[1], 0, 1, parse_seconds(argv[3]));
    return starter_main(argc, argv);
}
#else /* APPTHEUS_DEMO */

static void demo_usage(FILE *out, int rc)
{
    fprintf(out,
            "usage: apptheus-demo-starter [--socket PATH] [SECONDS]\n"
            "Stands in for Apptainer's starter, so that Apptheus can be tried without Apptainer: forks a\n"
            "\"container\" that keeps one CPU busy and holds 64 MiB for SECONDS (default 60, at most 3600),\n"
            "then connects to the agent's socket (default /run/apptheus/gateway.sock, or\n"
            "$APPTHEUS_SOCKET_PATH) and holds the connection until the container ends, as the real starter\n"
            "does. The agent monitors it only if this program's path is trusted: with no trust path set,\n"
            "the launcher trusts /usr/sbin/apptheus-demo-starter (apptheus(8)).\n");
    exit(rc);
}

int main(int argc, char **argv)
{
    const char *sock = getenv("APPTHEUS_SOCKET_PATH");
    const char *seconds = "60";
    if (sock == NULL || sock[0] == '\0')
        sock = "/run/apptheus/gateway.sock";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            demo_usage(stdout, 0);
        else if ((strcmp(argv[i], "--socket") == 0 || strcmp(argv[i], "-s") == 0) && i + 1 < argc)
            sock = argv[++i];
        else if (strncmp(argv[i], "--socket=", 9) == 0)
            sock = argv[i] + 9;
        else if (argv[i][0] != '-' && i == argc - 1)
            seconds = argv[i];
        else
            demo_usage(stderr, 2);
    }
    double s = parse_seconds(seconds);
    if (s < 1 || s > 3600) {
        fprintf(stderr, "apptheus-demo-starter: SECONDS must be 1 to 3600, not %s\n", seconds);
        return 2;
    }
    unsetenv("FAKESTARTER_TITLE"); /* the title would overwrite argv, which is ours below */
    prog = "apptheus-demo-starter";
    verdict_wait_ms = 3000;
    printf("%s: a container that burns one CPU and holds 64 MiB for %s s, monitored through %s\n", prog,
           seconds, sock);
    fflush(stdout);
    char *args[] = { argv[0], (char *)sock, "burn", (char *)seconds, "1", "64", NULL };
    return starter_main(6, args);
}
#endif /* APPTHEUS_DEMO */
