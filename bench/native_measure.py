#!/usr/bin/env python3
"""Start-up time and memory of one agent command, measured the same way for the jar and the native
executable (bench/native.sh runs it for both).

    native_measure.py --label native --fakestarter BIN [--containers 100] [--runs 3] -- CMD [ARGS...]

CMD is the agent without its flags (e.g. target/apptheus-0.1.0-SNAPSHOT-runner, or java <launcher
flags> -jar target/quarkus-app/quarkus-run.jar); the flags (socket, trust list, a relative cgroup
parent, a free 127.0.0.1 port) are added here. Needs root. For each run:

  start-up   wall time from exec to the first 200 of /q/health/ready (polled every 2 ms), and what
             Quarkus logs ("started in 0.033s");
  idle       VmRSS after 10 s with no container (the sweep runs every 0.5 s);
  loaded     N fake starters ("fakestarter SOCKET sleep 60", Apptainer's order: fork, then connect)
             registered; after 10 s of steady state, 5 scrapes of /metrics, then VmRSS, VmHWM (peak)
             and the CPU the agent used over a 20 s window;
  stop       SIGTERM after the containers are gone: exit code and time.

Prints one JSON object per run and a markdown summary (median of the runs). Every process and
cgroup it creates is removed, also on failure or Ctrl-C.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def metric(text, name):
    m = re.search(r"^" + re.escape(name) + r"(?:\{[^}]*\})? (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def wait_until(what, timeout, fn, every=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout} s")
        time.sleep(every)


def cgroup_dirs(name):
    out = subprocess.run(["find", "/sys/fs/cgroup", "-maxdepth", "8", "-type", "d", "-name", name, "-prune"],
                         capture_output=True, text=True).stdout.split()
    return out


def remove_cgroups(name):
    for top in cgroup_dirs(name):
        for d in sorted((r for r, _, _ in os.walk(top)), key=len, reverse=True):
            try:
                with open(os.path.join(d, "cgroup.procs")) as f:
                    for pid in f.read().split():
                        try:
                            os.kill(int(pid), signal.SIGKILL)
                        except ProcessLookupError:
                            pass
            except OSError:
                pass
            for _ in range(50):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


def one_run(args, cmd, n):
    work = tempfile.mkdtemp(prefix="apptheus-nbench.", dir="/tmp")
    os.chmod(work, 0o755)
    parent = "apptheus-nbench-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=8))
    starters, agent = [], None
    try:
        os.makedirs(os.path.join(work, "run"), mode=0o755)
        trusted = os.path.join(work, "trusted", "starter")
        os.makedirs(os.path.dirname(trusted), mode=0o755)
        shutil.copy2(args.fakestarter, trusted)
        sock = os.path.join(work, "run", "gateway.sock")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        full = cmd + [f"--socket.path={sock}", f"--trust.path={trusted}", f"--cgroup.parent={parent}",
                      f"--web.listen-address=127.0.0.1:{port}", "--metrics.retain-exited=0s"]
        log = open(os.path.join(work, "agent.log"), "w+")
        t0 = time.monotonic()
        agent = subprocess.Popen(full, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)

        def ready():
            if agent.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"agent exited {agent.returncode}:\n{log.read()[-3000:]}")
            try:
                return get(base + "/q/health/ready", 0.5)[0] == 200
            except OSError:
                return False

        wait_until("ready", 60, ready, every=0.002)
        startup_ms = (time.monotonic() - t0) * 1000
        time.sleep(0.2)
        log.seek(0)
        m = re.search(r"started in ([0-9.]+)s", log.read())
        quarkus_ms = float(m.group(1)) * 1000 if m else None
        rss_start = status_kib(agent.pid, "VmRSS")

        time.sleep(10)
        rss_idle = status_kib(agent.pid, "VmRSS")
        idle_anon = status_kib(agent.pid, "RssAnon")

        env = dict(os.environ)
        for _ in range(n):
            starters.append(subprocess.Popen([trusted, sock, "sleep", "60"], stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                             start_new_session=True, env=env))
        t_reg = time.monotonic()
        wait_until(f"{n} containers", 60,
                   lambda: metric(get(base + "/metrics")[1], "apptheus_containers") == n, every=0.2)
        register_s = time.monotonic() - t_reg
        time.sleep(10)
        scrape_bytes = 0
        for _ in range(5):
            scrape_bytes = len(get(base + "/metrics", 10)[1].encode())
        c0, w0 = cpu_seconds(agent.pid), time.monotonic()
        time.sleep(20)
        cpu_pct = (cpu_seconds(agent.pid) - c0) / (time.monotonic() - w0) * 100
        rss_loaded = status_kib(agent.pid, "VmRSS")
        rss_anon, rss_file = status_kib(agent.pid, "RssAnon"), status_kib(agent.pid, "RssFile")
        hwm = status_kib(agent.pid, "VmHWM")
        threads = status_kib(agent.pid, "Threads")
        accepted = metric(get(base + "/metrics")[1], 'apptheus_registrations_total{result="accepted",}')

        for p in starters:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for p in starters:
            p.wait()
        wait_until("containers gone", 30, lambda: metric(get(base + "/metrics")[1], "apptheus_containers") == 0)
        t_stop = time.monotonic()
        agent.send_signal(signal.SIGTERM)
        code = agent.wait(timeout=15)
        stop_ms = (time.monotonic() - t_stop) * 1000
        return {
            "label": args.label, "containers": n, "startup_ms": round(startup_ms, 1),
            "quarkus_started_ms": quarkus_ms, "rss_start_mib": round(rss_start / 1024, 1),
            "rss_idle_mib": round(rss_idle / 1024, 1), "rss_idle_anon_mib": round(idle_anon / 1024, 1), "rss_loaded_mib": round(rss_loaded / 1024, 1),
            "rss_loaded_anon_mib": round(rss_anon / 1024, 1), "rss_loaded_file_mib": round(rss_file / 1024, 1),
            "hwm_mib": round(hwm / 1024, 1), "cpu_pct_loaded": round(cpu_pct, 2), "threads": threads,
            "register_s": round(register_s, 2), "accepted": accepted, "scrape_kib": round(scrape_bytes / 1024, 1),
            "exit_code": code, "stop_ms": round(stop_ms, 1), "socket_removed": not os.path.exists(sock),
        }
    finally:
        for p in starters:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
        if agent is not None and agent.poll() is None:
            agent.terminate()
            try:
                agent.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(agent.pid, signal.SIGKILL)
                agent.wait()
        remove_cgroups(parent)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--label", required=True)
    ap.add_argument("--fakestarter", required=True)
    ap.add_argument("--containers", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="append the runs' JSON lines to this file")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no agent command after --")
    if os.geteuid() != 0:
        sys.exit("native_measure: must run as root")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    runs = []
    for _ in range(args.runs):
        r = one_run(args, cmd, args.containers)
        print(json.dumps(r), flush=True)
        runs.append(r)
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps(r) + "\n")
    med = {k: statistics.median([r[k] for r in runs]) for k in
           ("startup_ms", "quarkus_started_ms", "rss_idle_mib", "rss_loaded_mib", "hwm_mib", "cpu_pct_loaded")
           if all(r[k] is not None for r in runs)}
    print(f"| {args.label} | {med.get('startup_ms', '?'):.0f} ms | {med.get('quarkus_started_ms', float('nan')):.0f} ms"
          f" | {med['rss_idle_mib']:.1f} MiB | {med['rss_loaded_mib']:.1f} MiB | {med['hwm_mib']:.1f} MiB"
          f" | {med['cpu_pct_loaded']:.2f} % |")


if __name__ == "__main__":
    main()
