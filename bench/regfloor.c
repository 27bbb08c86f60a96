/*
 * regfloor: the kernel's share of a registration, for bench/run.sh.
 *
 * Usage: regfloor COUNT DIR...
 *
 * Does what an agent must do for each of COUNT registrations of a starter with one workload, and
 * nothing else: mkdir a cgroup under every DIR (one per hierarchy), then move the starter and its
 * workload into it (two cgroup.procs writes per hierarchy). The registrations run back to back, as
 * if COUNT starters had connected at the same instant and the kernel's cgroup lock served them one
 * after the other, which it does (cgroup_mutex). Prints the completion time of registration i
 * counted from the start: its p50 and p99 over the COUNT are the best p50/p99 latency any agent
 * can reach for a burst of COUNT concurrent connects on this machine.
 *
 *   regfloor: count=.. hierarchies=.. per_reg_ms=.. mkdir_ms=.. moves_ms=.. p50_ms=.. p99_ms=..
 *
 * Build: gcc -O2 -Wall -Wextra -o regfloor regfloor.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int move(const char *dir, pid_t pid)
{
    char path[4200], text[32];
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    snprintf(text, sizeof text, "%d", (int)pid);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: regfloor COUNT DIR...\n");
        return 2;
    }
    int count = atoi(argv[1]);
    int nh = argc - 2;
    char **dirs = argv + 2;
    pid_t *pids = calloc((size_t)count * 2, sizeof(pid_t));
    long long *done = calloc((size_t)count, sizeof(long long));
    for (int i = 0; i < 2 * count; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            for (;;)
                pause();
        }
    }
    char path[4096];
    long long t_mkdir = 0, t_move = 0, failures = 0;
    long long t0 = now_ns();
    for (int i = 0; i < count; i++) {
        long long a = now_ns();
        for (int h = 0; h < nh; h++) {
            snprintf(path, sizeof path, "%s/regfloor-%d", dirs[h], i);
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                failures++;
        }
        long long b = now_ns();
        for (int k = 0; k < 2; k++)
            for (int h = 0; h < nh; h++) {
                snprintf(path, sizeof path, "%s/regfloor-%d", dirs[h], i);
                if (move(path, pids[2 * i + k]) != 0)
                    failures++;
            }
        long long c = now_ns();
        t_mkdir += b - a;
        t_move += c - b;
        done[i] = c - t0;
    }
    printf("regfloor: count=%d hierarchies=%d failures=%lld per_reg_ms=%.3f mkdir_ms=%.3f moves_ms=%.3f "
           "p50_ms=%.3f p99_ms=%.3f\n",
           count, nh, failures, (double)done[count - 1] / 1e6 / count, (double)t_mkdir / 1e6 / count,
           (double)t_move / 1e6 / count, (double)done[(int)(0.5 * (count - 1) + 0.5)] / 1e6,
           (double)done[(int)(0.99 * (count - 1) + 0.5)] / 1e6);
    fflush(stdout);
    for (int i = 0; i < 2 * count; i++)
        kill(pids[i], SIGKILL);
    for (int i = 0; i < 2 * count; i++)
        waitpid(pids[i], NULL, 0);
    for (int i = 0; i < count; i++)
        for (int h = 0; h < nh; h++) {
            snprintf(path, sizeof path, "%s/regfloor-%d", dirs[h], i);
            for (int t = 0; t < 50 && rmdir(path) != 0 && errno == EBUSY; t++)
                usleep(20000);
        }
    return failures ? 1 : 0;
}
