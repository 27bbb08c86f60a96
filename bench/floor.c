/*
 * floor: the physical cost of sampling cgroup files, for bench/run.sh.
 *
 * Usage: floor LISTFILE INTERVAL_SECONDS SECONDS
 *
 * LISTFILE has one file per line, "K PATH" or just "PATH" (K = 0). K = 0: the file is opened once
 * and pread from offset 0 every sample. K >= 1: the file is opened, read and closed every K-th
 * sample only (files spread over the K phases), as an agent does with files it reads seldom and
 * does not keep open. Samples start every INTERVAL_SECONDS (absolute deadlines, no drift) until
 * SECONDS have passed. One read per file and sample: a cgroup file is a seq_file, so a read
 * shorter than the buffer is the whole file; a read that fills the buffer is continued. Nothing
 * is parsed: this is the floor that any agent reading these files on that schedule pays.
 *
 * Prints one line of key=value pairs:
 *   files (kept open), cold_files, samples, cpu_s (user+sys of this process, getrusage), user_s, sys_s,
 *   reads (pread calls), opens (of cold files), bytes, sweep_p50_ms, sweep_p99_ms, sweep_max_ms (time to read all files
 *   once), lag_p50_ms, lag_p99_ms (sample start behind its deadline)
 *
 * Build: gcc -O2 -Wall -Wextra -o floor floor.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double rusage_s(const struct timeval *tv)
{
    return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(long long *v, long n, double p)
{
    if (n == 0)
        return 0;
    long i = (long)(p * (double)(n - 1) + 0.5);
    return (double)v[i] / 1e6;
}

/* Reads a whole file from offset 0 with pread, as the agent re-reads a file it keeps open. */
static void read_whole(int fd, char *buf, long long *reads, long long *bytes)
{
    off_t off = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, BUF_SIZE, off);
        (*reads)++;
        if (n <= 0)
            return;
        *bytes += n;
        if (n < BUF_SIZE)
            return;
        off += n;
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: floor LISTFILE INTERVAL_SECONDS SECONDS\n");
        return 2;
    }
    double interval = atof(argv[2]), seconds = atof(argv[3]);
    if (interval <= 0 || seconds <= 0) {
        fprintf(stderr, "floor: bad interval or duration\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (list == NULL) {
        perror("floor: list");
        return 1;
    }
    long cap = 1024, nfd = 0, failed = 0, ncold = 0;
    int *fds = malloc(sizeof(int) * (size_t)cap);
    long ccap = 1024;
    char **cold = malloc(sizeof(char *) * (size_t)ccap);
    long *cold_every = malloc(sizeof(long) * (size_t)ccap);
    char line[4096];
    while (fgets(line, sizeof line, list) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0')
            continue;
        long every = 0;
        char *path = line;
        if (line[0] >= '0' && line[0] <= '9') {
            every = strtol(line, &path, 10);
            while (*path == ' ')
                path++;
        }
        if (every > 0) {
            if (ncold == ccap) {
                ccap *= 2;
                cold = realloc(cold, sizeof(char *) * (size_t)ccap);
                cold_every = realloc(cold_every, sizeof(long) * (size_t)ccap);
            }
            cold[ncold] = strdup(path);
            cold_every[ncold++] = every;
            continue;
        }
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (failed++ < 5)
                fprintf(stderr, "floor: open %s: %s\n", path, strerror(errno));
            continue;
        }
        if (nfd == cap) {
            cap *= 2;
            fds = realloc(fds, sizeof(int) * (size_t)cap);
        }
        fds[nfd++] = fd;
    }
    fclose(list);

    static char buf[BUF_SIZE];
    long long step = (long long)(interval * 1e9);
    long max_samples = (long)(seconds / interval) + 2;
    long long *sweep = calloc((size_t)max_samples, sizeof(long long));
    long long *lag = calloc((size_t)max_samples, sizeof(long long));
    long samples = 0;
    long long reads = 0, bytes = 0, opens = 0;

    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    long long start = now_ns() + step; /* first deadline one interval away */
    long long end = start + (long long)(seconds * 1e9);
    for (long long deadline = start; deadline < end && samples < max_samples; deadline += step) {
        struct timespec ts = { .tv_sec = deadline / 1000000000LL, .tv_nsec = deadline % 1000000000LL };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        long long t0 = now_ns();
        for (long i = 0; i < nfd; i++) {
            read_whole(fds[i], buf, &reads, &bytes);
        }
        for (long i = 0; i < ncold; i++) {
            if ((samples + i) % cold_every[i] != 0)
                continue;
            int fd = open(cold[i], O_RDONLY | O_CLOEXEC);
            opens++;
            if (fd < 0) {
                failed++;
                continue;
            }
            read_whole(fd, buf, &reads, &bytes);
            close(fd);
        }
        long long t1 = now_ns();
        sweep[samples] = t1 - t0;
        lag[samples] = t0 - deadline;
        samples++;
    }
    getrusage(RUSAGE_SELF, &r1);
    double user = rusage_s(&r1.ru_utime) - rusage_s(&r0.ru_utime);
    double sys = rusage_s(&r1.ru_stime) - rusage_s(&r0.ru_stime);
    qsort(sweep, (size_t)samples, sizeof(long long), cmp_ll);
    qsort(lag, (size_t)samples, sizeof(long long), cmp_ll);
    printf("files=%ld cold_files=%ld failed=%ld samples=%ld cpu_s=%.6f user_s=%.6f sys_s=%.6f reads=%lld opens=%lld "
           "bytes=%lld sweep_p50_ms=%.3f sweep_p99_ms=%.3f sweep_max_ms=%.3f lag_p50_ms=%.3f lag_p99_ms=%.3f\n",
           nfd, ncold, failed, samples, user + sys, user, sys, reads, opens, bytes, pct_ms(sweep, samples, 0.5),
           pct_ms(sweep, samples, 0.99), samples ? (double)sweep[samples - 1] / 1e6 : 0.0,
           pct_ms(lag, samples, 0.5), pct_ms(lag, samples, 0.99));
    for (long i = 0; i < nfd; i++)
        close(fds[i]);
    return 0;
}
