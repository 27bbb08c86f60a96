#!/usr/bin/env python3
"""Apptheus agent benchmark: the orchestrator behind bench/run.sh (see bench/README.md).

For each size N: start the agent (its cgroup parent nested under this harness's own cgroup),
measure it idle, register N fake starters through the real socket, let it settle, then measure a
steady window (CPU, reads, RSS, fds, sweep duration and lag), a series of scrapes (latency, size,
sweep-start drift from container_last_seen), a burst of concurrent registrations, and finally the
floor: the same cgroup files read by a minimal C loop. Everything it starts or creates is removed,
on failure too (bench/run.sh adds a trap as a last resort).
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import string
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- cgroup layout of this harness

def own_cgroup_dirs():
    """{hierarchy label: own cgroup directory} for every mounted hierarchy this process is in."""
    mounts = []  # (mountpoint, root, fstype, superopts)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.rstrip("\n").split(" - ", 1)
            lf = left.split(" ")
            rf = right.split(" ")
            fstype = rf[0]
            if fstype in ("cgroup", "cgroup2"):
                mounts.append((lf[4], lf[3], fstype, set(rf[2].split(",")) if len(rf) > 2 else set()))
    out = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            hid, ctrls, path = line.rstrip("\n").split(":", 2)
            if hid == "0":
                cands = [m for m in mounts if m[2] == "cgroup2"]
                label = "unified"
            else:
                names = set(ctrls.split(","))
                cands = [m for m in mounts if m[2] == "cgroup" and names <= m[3]]
                label = ctrls
            for mp, root, _, _ in cands:
                rel = os.path.relpath(path, root) if path.startswith(root) else None
                if rel is None:
                    continue
                d = os.path.normpath(os.path.join(mp, rel))
                if os.path.isdir(d):
                    out[label] = d
                    break
    return out


def rmdir_tree(top, deadline_s=20.0):
    """Removes the cgroup directory tree `top` bottom-up, retrying EBUSY; returns what is left."""
    if not os.path.isdir(top):
        return []
    end = time.time() + deadline_s
    delay = 0.01
    while True:
        left = []
        for root, dirs, _ in os.walk(top, topdown=False):
            try:
                os.rmdir(root)
            except FileNotFoundError:
                pass
            except OSError:
                left.append(root)
        if not left or time.time() > end:
            return left
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


def procs_in_tree(top):
    pids = set()
    for root, _, files in os.walk(top):
        if "cgroup.procs" in files:
            try:
                with open(os.path.join(root, "cgroup.procs")) as f:
                    pids.update(int(x) for x in f.read().split())
            except OSError:
                pass
    return pids


# ---------------------------------------------------------------- /proc readers

def read_stat(pid):
    """(utime+stime in seconds, threads) of one process."""
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] is field 3 (state): utime = field 14, stime = 15, num_threads = 20
    return (int(rest[11]) + int(rest[12])) / CLK_TCK, int(rest[17])


def descendants(pid):
    out = [pid]
    i = 0
    while i < len(out):
        p = out[i]
        i += 1
        try:
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    out.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def tree_cpu(pid):
    total = 0.0
    for p in descendants(pid):
        try:
            total += read_stat(p)[0]
        except OSError:
            pass
    return total


def read_io(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/io") as f:
            for line in f:
                k, v = line.split(":")
                out[k] = int(v)
    except OSError:
        pass
    return out


def read_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def kib(v):
    return int(v.split()[0]) if v else 0


def fd_targets(pid):
    out = []
    d = f"/proc/{pid}/fd"
    for fd in os.listdir(d):
        try:
            out.append(os.readlink(f"{d}/{fd}"))
        except OSError:
            pass
    return out


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---------------------------------------------------------------- HTTP

def http_get(port, path, timeout=30.0, tries=1):
    """GET; returns dict(status, body, seconds, ttfb, chunked)."""
    for attempt in range(tries - 1):
        try:
            return http_get(port, path, timeout)
        except OSError as e:
            log(f"GET {path}: {e}; retrying")
            time.sleep(0.5)
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "text/plain;version=0.0.4;q=1,*/*;q=0.1"})
        r = conn.getresponse()
        ttfb = time.perf_counter() - t0
        body = r.read()
        t1 = time.perf_counter()
        return {"status": r.status, "body": body, "seconds": t1 - t0, "ttfb": ttfb,
                "chunked": (r.getheader("Transfer-Encoding") or "").lower() == "chunked",
                "length_header": r.getheader("Content-Length")}
    finally:
        conn.close()


SAMPLE_RE = re.compile(rb"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", re.M)


def self_metrics(body):
    """The agent's own apptheus_* series: {name: {labels: value}}."""
    out = {}
    for line in body.split(b"\n"):
        if not line.startswith(b"apptheus_"):
            continue
        m = SAMPLE_RE.match(line)
        if m:
            name = m.group(1).decode()
            out.setdefault(name, {})[(m.group(2) or b"").decode()] = float(m.group(3))
    return out


def last_seen_min(body):
    """The smallest container_last_seen of a scrape: the start of the latest complete sweep."""
    best = None
    for m in re.finditer(rb"^container_last_seen\{[^}]*\}\s+(\S+)", body, re.M):
        v = float(m.group(1))
        best = v if best is None or v < best else best
    return best


def histogram(metrics, name):
    """{le: cumulative count} and count/sum of a Prometheus histogram, or None."""
    b = metrics.get(name + "_bucket")
    if not b:
        return None
    buckets = {}
    for labels, v in b.items():
        m = re.search(r'le="([^"]+)"', labels)
        if m:
            buckets[float(m.group(1))] = v
    return {"buckets": buckets, "count": sum(metrics.get(name + "_count", {}).values()),
            "sum": sum(metrics.get(name + "_sum", {}).values())}


def hist_delta(a, b):
    if not a or not b:
        return None
    return {"buckets": {le: b["buckets"].get(le, 0) - a["buckets"].get(le, 0) for le in b["buckets"]},
            "count": b["count"] - a["count"], "sum": b["sum"] - a["sum"]}


def hist_quantile(h, q):
    """Like PromQL histogram_quantile: linear inside the bucket. Returns (value, upper bound text)."""
    if not h or h["count"] <= 0:
        return None
    les = sorted(h["buckets"])
    total = h["buckets"][les[-1]]
    if total <= 0:
        return None
    rank = q * total
    prev_le, prev_c = 0.0, 0.0
    for le in les:
        c = h["buckets"][le]
        if c >= rank:
            if le == float("inf"):
                return prev_le  # beyond the last finite bucket: a lower bound
            if c == prev_c:
                return le
            return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return les[-1]


def pct(values, q):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


# ---------------------------------------------------------------- the run

class Bench:
    def __init__(self, a):
        self.a = a
        self.run_id = "apptheus-bench-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=6))
        self.work = a.workdir
        self.state_file = os.path.join(self.work, "pgids")
        self.pgids = set()
        self.agent = None
        self.starters = []  # Popen
        self.dirs = own_cgroup_dirs()
        self.results = []
        self.partial = None
        with open(os.path.join(self.work, "run_id"), "w") as f:
            f.write(self.run_id + "\n")

    # --- bookkeeping for the bash trap
    def track(self, pgid):
        self.pgids.add(pgid)
        with open(self.state_file, "a") as f:
            f.write(f"{pgid}\n")

    def kill_group(self, pgid, sig=signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            pass

    # --- agent
    def agent_cmd(self, n, parent, sock, port):
        cmd = shlex.split(self.a.agent_cmd)
        trust = f"{self.a.fakestarter};{self.a.regstorm}"
        cmd += [f"--socket.path={sock}", f"--trust.path={trust}", f"--cgroup.parent={parent}",
                f"--monitor.interval={self.a.interval_text}", f"--web.listen-address=127.0.0.1:{port}",
                f"--web.telemetry-path={self.a.telemetry_path}"]
        return cmd

    def start_agent(self, n, parent, sock, port):
        cmd = self.agent_cmd(n, parent, sock, port)
        env = dict(os.environ)
        logf = open(os.path.join(self.work, f"agent-{n}.log"), "wb")
        log(f"N={n}: starting agent: {' '.join(shlex.quote(c) for c in cmd)}")
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)
        logf.close()
        self.agent = p
        self.track(p.pid)
        deadline = time.time() + 90
        while time.time() < deadline:
            if p.poll() is not None:
                raise RuntimeError(f"agent exited with {p.returncode}; see {self.work}/agent-{n}.log")
            if os.path.exists(sock):
                try:
                    r = http_get(port, self.a.telemetry_path, timeout=5)
                    if r["status"] == 200:
                        return p
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("agent not ready after 90 s")

    def java_pid(self):
        """The process that does the work: the agent, or its only descendant if it forked a JVM."""
        d = descendants(self.agent.pid)
        return d[-1] if len(d) > 1 else self.agent.pid

    def stop_agent(self):
        p = self.agent
        if p is None:
            return
        if p.poll() is None:
            self.kill_group(p.pid, signal.SIGTERM)
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_group(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
        self.agent = None

    # --- starters
    def spawn_starter(self, sock):
        p = subprocess.Popen([self.a.fakestarter, sock] + self.a.workload.split(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.starters.append(p)
        self.track(p.pid)
        return p

    def stop_starters(self):
        for p in self.starters:
            self.kill_group(p.pid, signal.SIGKILL)
        for p in self.starters:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        self.starters = []

    @staticmethod
    def child_of(pid):
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = f.read().split()
            return int(kids[0]) if kids else None
        except OSError:
            return None

    @staticmethod
    def lines_with(pid, mark):
        try:
            with open(f"/proc/{pid}/cgroup") as f:
                return sum(1 for line in f if mark in line)
        except OSError:
            return -1

    def register(self, n, sock, mark, k):
        """Starts n fake starters, at most `inflight` registering at once; returns (registered, seconds)."""
        inflight_max = 64
        pending = {}  # master pid -> [Popen, child]
        done = 0
        spawned = 0
        t0 = time.time()
        last_progress = time.time()
        while done < n:
            while spawned < n and len(pending) < inflight_max:
                p = self.spawn_starter(sock)
                pending[p.pid] = [p, None]
                spawned += 1
            finished = []
            for pid, entry in pending.items():
                if entry[1] is None:
                    entry[1] = self.child_of(pid)
                if entry[1] is not None and self.lines_with(entry[1], mark) >= k:
                    finished.append(pid)
                elif entry[0].poll() is not None:
                    finished.append(pid)  # the starter died: counted as not registered
            for pid in finished:
                entry = pending.pop(pid)
                if entry[0].poll() is None:
                    done += 1
                last_progress = time.time()
            if spawned >= n and not pending:
                break
            if time.time() - last_progress > self.a.register_timeout:
                log(f"N={n}: no registration for {self.a.register_timeout:.0f} s; {done} of {n} registered")
                break
            time.sleep(0.02)
        return done, time.time() - t0

    # --- measurements
    def scrape_self(self, port):
        r = http_get(port, self.a.telemetry_path, timeout=60, tries=3)
        return self_metrics(r["body"]), r

    def curl_scrapes(self, port):
        """Scrape durations as curl (C, like Prometheus' Go client, not Python) reads the answer.

        Python's http.client reading a 10 MB chunked answer is itself a part of the figures above;
        curl shows how much. Empty if curl is not installed."""
        if not shutil.which("curl"):
            return []
        out = []
        for _ in range(self.a.scrapes // 2):
            r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                                "-H", "Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1",
                                f"http://127.0.0.1:{port}{self.a.telemetry_path}"],
                               capture_output=True, text=True, timeout=60)
            code, seconds = (r.stdout.split() + ["", ""])[:2]
            if code != "200":
                raise RuntimeError(f"curl scrape answered {code}: {r.stderr.strip()}")
            out.append(float(seconds))
            time.sleep(random.uniform(0.05, 0.35))
        return out

    @staticmethod
    def thread_cpu(pid):
        out = {}
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return out
        for t in tids:
            try:
                with open(f"/proc/{pid}/task/{t}/stat") as f:
                    s = f.read()
                name = s[s.index("(") + 1:s.rindex(")")]
                rest = s[s.rindex(")") + 2:].split()
                out[(t, name)] = (int(rest[11]) + int(rest[12])) / CLK_TCK
            except (OSError, ValueError):
                pass
        return out

    def window(self, pid, seconds):
        """CPU, reads and memory of the agent over `seconds`; RSS sampled every second."""
        th0 = self.thread_cpu(pid)
        io0 = read_io(pid)
        c0 = tree_cpu(pid)
        t0 = time.time()
        rss_max = 0
        end = t0 + seconds
        while True:
            st = read_status(pid)
            rss_max = max(rss_max, kib(st.get("VmRSS")))
            left = end - time.time()
            if left <= 0:
                break
            time.sleep(min(1.0, left))
        c1 = tree_cpu(pid)
        t1 = time.time()
        io1 = read_io(pid)
        th1 = self.thread_cpu(pid)
        by_name = {}
        for key, v in th1.items():
            name = re.sub(r"[-#]?\d+$", "-N", key[1])
            by_name[name] = by_name.get(name, 0.0) + v - th0.get(key, 0.0)
        threads_cpu = {k: round(100 * v / (t1 - t0), 2) for k, v in sorted(by_name.items(), key=lambda x: -x[1]) if v > 0}
        st = read_status(pid)
        return {"threads_cpu_pct": threads_cpu, "cpu_s": c1 - c0, "seconds": t1 - t0, "syscr": io1.get("syscr", 0) - io0.get("syscr", 0),
                "rchar": io1.get("rchar", 0) - io0.get("rchar", 0), "rss_kib": kib(st.get("VmRSS")),
                "rss_max_kib": max(rss_max, kib(st.get("VmRSS"))), "hwm_kib": kib(st.get("VmHWM")),
                "threads": int(st.get("Threads", "0"))}

    def jfr(self, pid, action, n, phase="steady"):
        """JFR recording of one phase (steady, scrape, burst) through jcmd, when --jfr is given."""
        if not self.a.jfr:
            return
        jcmd = shutil.which("jcmd")
        if not jcmd:
            log("jcmd not found: no JFR recording")
            return
        out = os.path.join(self.a.jfr, f"{phase}-{n}.jfr")
        if action == "start":
            args = [jcmd, str(pid), "JFR.start", f"name={phase}", f"settings={self.a.jfc}"]
        else:
            args = [jcmd, str(pid), "JFR.stop", f"name={phase}", f"filename={out}"]
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        if action == "stop" and phase == "steady":
            with open(os.path.join(self.a.jfr, f"histo-{n}.txt"), "w") as f:
                subprocess.run([jcmd, str(pid), "GC.class_histogram"], stdout=f, stderr=subprocess.DEVNULL, timeout=60)
            with open(os.path.join(self.a.jfr, f"nmt-{n}.txt"), "w") as f:  # with -XX:NativeMemoryTracking
                subprocess.run([jcmd, str(pid), "VM.native_memory", "summary"], stdout=f, stderr=subprocess.DEVNULL,
                               timeout=60)
            with open(os.path.join(self.a.jfr, f"status-{n}.txt"), "w") as f:
                with open(f"/proc/{pid}/status") as st:
                    f.write(st.read())
                with open(f"/proc/{pid}/smaps_rollup") as st:
                    f.write(st.read())
        if action == "stop":
            log(f"N={n}: JFR recording of the {phase} phase in {out}")

    def drift_from_last_seen(self, samples):
        """Sweep-start phases from last_seen (ms, wall clock): spread above the earliest phase."""
        iv = self.a.interval
        ph = sorted({round(s % iv, 6) for s in samples if s})
        if len(ph) < 2:
            return None
        best = None
        for ref in ph:
            d = sorted(((p - ref) % iv) for p in ph)
            score = pct(d, 0.99)
            if best is None or score < best[0]:
                best = (score, d)
        d = best[1]
        return {"p50_ms": pct(d, 0.5) * 1000, "p99_ms": pct(d, 0.99) * 1000, "max_ms": d[-1] * 1000,
                "samples": len(samples)}

    def run_size(self, n):
        a = self.a
        parent = f"{self.run_id}-{n}"
        sock = os.path.join(self.work, f"run-{n}", "gw.sock")
        os.makedirs(os.path.dirname(sock), mode=0o755, exist_ok=True)
        port = a.port
        res = {"n": n, "load_before": loadavg()}
        self.partial = res  # what was measured, should this size fail
        mark = f"/{parent}/"
        try:
            try:
                return self.measure(n, parent, sock, port, res, mark)
            except Exception as e:
                agent = self.agent
                if agent is not None and agent.poll() is not None:
                    tail = ""
                    try:
                        with open(os.path.join(self.work, f"agent-{n}.log"), errors="replace") as f:
                            tail = f.read().strip().splitlines()[-1]
                    except (OSError, IndexError):
                        pass
                    raise RuntimeError(f"the agent exited ({agent.returncode}): {tail}") from e
                raise
        finally:
            self.stop_agent()
            self.stop_starters()
            for d in self.dirs.values():
                for name in (parent, parent + "-storm"):
                    left = rmdir_tree(os.path.join(d, name))
                    if left:
                        stray = procs_in_tree(os.path.join(d, name))
                        for p in stray:
                            try:
                                os.kill(p, signal.SIGKILL)
                            except OSError:
                                pass
                        left = rmdir_tree(os.path.join(d, name))
                        if left:
                            log(f"could not remove {left[:3]}")

    def measure(self, n, parent, sock, port, res, mark):
        a = self.a
        self.start_agent(n, parent, sock, port)
        pid = self.java_pid()
        # where the agent put its parent: under our own cgroup in each hierarchy
        parents = [os.path.join(d, parent) for d in self.dirs.values() if os.path.isdir(os.path.join(d, parent))]
        k = len(parents)
        res["hierarchies"] = k
        if k == 0:
            raise RuntimeError(f"agent made no {parent} under {list(self.dirs.values())}")
        time.sleep(2)
        base_fds = len(fd_targets(pid))
        idle = self.window(pid, a.idle)
        res["idle_cpu_pct"] = 100 * idle["cpu_s"] / idle["seconds"]
        res["idle_rss_mib"] = idle["rss_kib"] / 1024

        log(f"N={n}: registering {n} starters")
        registered, reg_s = self.register(n, sock, mark, k)
        res["registered"] = registered
        res["bulk_reg_s"] = reg_s
        log(f"N={n}: {registered} registered in {reg_s:.1f} s; settling {a.warmup:.0f} s")
        if self.agent.poll() is not None:
            raise RuntimeError("agent died during registration")
        time.sleep(a.warmup)

        fds = fd_targets(pid)
        cg_files = sorted({t for t in fds if t.startswith("/sys/fs/cgroup/") and mark in t})
        res["fds_total"] = len(fds)
        res["fds_per_ctr"] = (len(fds) - base_fds) / registered if registered else None
        res["cg_files_per_ctr"] = len(cg_files) / registered if registered else None
        res["sockets"] = sum(1 for t in fds if t.startswith("socket:"))
        res["nofile"] = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        # kept-open cgroup files of one container, for the record
        if cg_files:
            one = cg_files[0].split(mark, 1)[1].split("/", 1)[0]
            res["files_of_one"] = sorted(t.split(mark + one + "/", 1)[1] for t in cg_files
                                         if (mark + one + "/") in t)

        # files the agent opens at each read (not kept open) and how often: the floor does the same
        cold = self.discover_cold(pid, mark, registered)
        res["cold_opens_per_ctr_sample"] = cold["per_ctr_sample"] if cold else None
        if cold is not None:
            time.sleep(2)  # let the agent settle after strace detached

        # --- steady window (no scrape inside it)
        m0, _ = self.scrape_self(port)
        time.sleep(1)
        self.jfr(pid, "start", n)
        w = self.window(pid, a.window)
        self.jfr(pid, "stop", n)
        time.sleep(0.3)
        m1, _ = self.scrape_self(port)
        sweeps = w["seconds"] / a.interval
        samples = registered * sweeps
        res.update({"cpu_pct": 100 * w["cpu_s"] / w["seconds"], "window_s": w["seconds"],
                    "cpu_us_per_ctr_sample": 1e6 * w["cpu_s"] / samples if samples else None,
                    "marginal_us_per_ctr_sample": 1e6 * (w["cpu_s"] - idle["cpu_s"] / idle["seconds"] * w["seconds"]) / samples if samples else None,
                    "reads_per_ctr_sample": w["syscr"] / samples if samples else None,
                    "bytes_per_ctr_sample": w["rchar"] / samples if samples else None,
                    "rss_mib": w["rss_kib"] / 1024, "rss_max_mib": w["rss_max_kib"] / 1024,
                    "hwm_mib": w["hwm_kib"] / 1024, "threads": w["threads"],
                    "threads_cpu_pct": w["threads_cpu_pct"]})
        hd = hist_delta(histogram(m0, "apptheus_sweep_duration_seconds"),
                        histogram(m1, "apptheus_sweep_duration_seconds"))
        if hd and hd["count"] > 0:
            res["sweeps"] = hd["count"]
            res["sweeps_expected"] = (w["seconds"] + 1.3) / a.interval
            res["sweep_mean_ms"] = 1000 * hd["sum"] / hd["count"]
            res["sweep_p50_ms"] = 1000 * hist_quantile(hd, 0.5)
            res["sweep_p99_ms"] = 1000 * hist_quantile(hd, 0.99)
            res["sweep_buckets"] = len(hd["buckets"])
        ld = hist_delta(histogram(m0, "apptheus_sweep_lag_seconds"), histogram(m1, "apptheus_sweep_lag_seconds"))
        if ld and ld["count"] > 0:
            res["lag_p50_ms"] = 1000 * hist_quantile(ld, 0.5)
            res["lag_p99_ms"] = 1000 * hist_quantile(ld, 0.99)
            res["lag_mean_ms"] = 1000 * ld["sum"] / ld["count"]
        skipped = m1.get("apptheus_sweep_skipped_total")
        if skipped is not None:
            res["sweeps_skipped"] = sum(skipped.values()) - sum(m0.get("apptheus_sweep_skipped_total", {}).values())
        log(f"N={n}: window: CPU {res['cpu_pct']:.2f} % of a core (by thread: {w['threads_cpu_pct']}), "
            f"RSS {res['rss_mib']:.0f} MiB, sweep p99 {res.get('sweep_p99_ms', float('nan')):.1f} ms")

        # --- scrapes
        self.jfr(pid, "start", n, "scrape")
        c0 = tree_cpu(pid)
        t0 = time.time()
        lat, ttfb, sizes, chunked, seen = [], [], [], [], []
        for i in range(a.scrapes):
            r = http_get(port, a.telemetry_path, timeout=60)
            if r["status"] != 200:
                raise RuntimeError(f"scrape answered {r['status']}")
            lat.append(r["seconds"])
            ttfb.append(r["ttfb"])
            sizes.append(len(r["body"]))
            chunked.append(r["chunked"])
            seen.append(last_seen_min(r["body"]))
            time.sleep(random.uniform(0.05, 0.35))
        phase_s = time.time() - t0
        c1 = tree_cpu(pid)
        self.jfr(pid, "stop", n, "scrape")
        steady_rate = w["cpu_s"] / w["seconds"]
        res.update({"scrape_p50_ms": 1000 * pct(lat, 0.5), "scrape_p99_ms": 1000 * pct(lat, 0.99),
                    "scrape_max_ms": 1000 * max(lat), "scrape_ttfb_p50_ms": 1000 * pct(ttfb, 0.5),
                    "scrape_mb": pct(sizes, 0.5) / 1e6, "scrape_chunked": all(chunked),
                    "scrape_cpu_ms": 1000 * max(0.0, (c1 - c0) - steady_rate * phase_s) / a.scrapes,
                    "scrapes": a.scrapes})
        curl = self.curl_scrapes(port)
        if curl:
            res.update({"scrape_curl_p50_ms": 1000 * pct(curl, 0.5), "scrape_curl_p99_ms": 1000 * pct(curl, 0.99),
                        "scrape_curl_max_ms": 1000 * max(curl)})
            log(f"N={n}: the same scrapes by curl ({len(curl)}): p50 {res['scrape_curl_p50_ms']:.1f} ms "
                f"p99 {res['scrape_curl_p99_ms']:.1f} ms max {res['scrape_curl_max_ms']:.1f} ms")
        dr = self.drift_from_last_seen(seen)
        if dr:
            res["seen_drift_p50_ms"] = dr["p50_ms"]
            res["seen_drift_p99_ms"] = dr["p99_ms"]
            res["seen_drift_max_ms"] = dr["max_ms"]
        log(f"N={n}: scrape p50 {res['scrape_p50_ms']:.1f} ms p99 {res['scrape_p99_ms']:.1f} ms, "
            f"{res['scrape_mb']:.2f} MB, chunked={res['scrape_chunked']}; slowest "
            f"{', '.join(f'{1000 * x:.0f}' for x in sorted(lat)[-3:])} ms (scrapes "
            f"{', '.join(str(i + 1) for i in sorted(range(len(lat)), key=lat.__getitem__)[-3:])}), "
            f"first byte p50 {res['scrape_ttfb_p50_ms']:.1f} ms")

        # --- registration burst
        self.jfr(pid, "start", n, "burst")
        c0, t0 = tree_cpu(pid), time.time()
        res.update(self.burst(n, sock, mark, k))
        time.sleep(1)  # the burst's containers end: part of their cost
        if a.burst > 0:
            res["reg_cpu_ms"] = 1000 * (tree_cpu(pid) - c0 - steady_rate * (time.time() - t0)) / a.burst
        self.jfr(pid, "stop", n, "burst")
        res["rss_end_mib"] = kib(read_status(pid).get("VmRSS")) / 1024
        res["load_after"] = loadavg()

        # --- floors, agent stopped: registrations by the kernel alone, and the same kept-open
        # files read by a minimal C loop
        self.stop_agent()
        res.update(self.regfloor(n, parents))
        # the agent's reads per container-sample beyond one per kept-open file are its reads of
        # the files it opens each time (tracing slows the agent, so the rate comes from here)
        every = {}
        if cold and cold["paths"] and registered:
            cold_reads = res["reads_per_ctr_sample"] - len(cg_files) / registered
            if cold_reads > 0:
                k = max(1, round(len(cold["paths"]) / (registered * cold_reads)))
                every = {p: k for p in cold["paths"]}
                res["cold_every"] = k
        res.update(self.floor(n, cg_files, every, registered))
        return res

    def burst(self, n, sock, mark, k):
        a = self.a
        if a.burst <= 0:
            return {}
        room = None
        if "unified" in self.dirs:
            room = os.path.join(self.dirs["unified"], f"{self.run_id}-{n}-storm")
            try:
                os.mkdir(room)
            except OSError as e:
                log(f"no waiting room ({e}); regstorm polls")
                room = None
        cmd = [a.regstorm, sock, mark, str(k), str(a.burst), "60", room or "-"]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        self.track(p.pid)
        try:
            out, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            self.kill_group(p.pid)
            out, err = p.communicate()
        if room:
            rmdir_tree(room)
        m = re.search(r"regstorm: (.*)", out)
        if not m:
            log(f"regstorm failed: {err.strip()}")
            return {"reg_error": err.strip()[:200]}
        kv = dict(x.split("=", 1) for x in m.group(1).split())
        log(f"N={n}: burst of {a.burst}: {m.group(1)}")
        return {"reg_p50_ms": float(kv["p50_ms"]), "reg_p99_ms": float(kv["p99_ms"]),
                "reg_max_ms": float(kv["max_ms"]), "reg_ok": int(kv["registered"]), "reg_count": int(kv["count"]),
                "reg_eagain": int(kv.get("eagain", 0)), "reg_method": kv["method"]}

    def regfloor(self, n, parents):
        a = self.a
        if a.burst <= 0:
            return {}
        r = subprocess.run([a.regfloor, str(a.burst)] + parents, capture_output=True, text=True, timeout=120)
        m = re.search(r"regfloor: (.*)", r.stdout)
        if not m:
            log(f"regfloor failed: {r.stderr.strip()}")
            return {}
        kv = dict(x.split("=", 1) for x in m.group(1).split())
        log(f"N={n}: registration floor: {m.group(1)}")
        return {"regfloor_p50_ms": float(kv["p50_ms"]), "regfloor_p99_ms": float(kv["p99_ms"]),
                "regfloor_per_reg_ms": float(kv["per_reg_ms"])}

    def discover_cold(self, pid, mark, registered):
        """Which container files the agent opens while it runs (rather than keeping them open), and
        how often: strace of openat only (seccomp-bpf: other syscalls run untraced), outside the
        measured window. {path: every K samples}."""
        a = self.a
        strace = shutil.which("strace")
        if not strace or a.cold_discovery <= 0 or not registered:
            return None
        out = os.path.join(self.work, "strace.txt")
        p = subprocess.Popen([strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=openat", "-e", "status=successful",
                              "-s", "4096", "-o", out, "-p", str(pid)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        self.track(p.pid)
        time.sleep(a.cold_discovery)
        os.killpg(p.pid, signal.SIGINT)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill_group(p.pid)
            p.wait()
        counts = {}
        rx = re.compile(r'openat\([^,]*, "([^"]+)"')
        try:
            with open(out) as f:
                for line in f:
                    m = rx.search(line)
                    if m and mark in m.group(1):
                        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        except OSError:
            return None
        samples = a.cold_discovery / a.interval
        per = sum(counts.values()) / (registered * samples)
        log(f"cold files: {len(counts)} opened in {a.cold_discovery:.0f} s ({per:.2f} opens per container-sample "
            f"while traced)")
        return {"paths": sorted(counts), "per_ctr_sample": per}

    def floor(self, n, files, cold, registered):
        a = self.a
        if not files or not registered:
            return {}
        lst = os.path.join(self.work, f"files-{n}.txt")
        with open(lst, "w") as f:
            f.write("".join(f"0 {p}\n" for p in files))
            f.write("".join(f"{k} {p}\n" for p, k in sorted(cold.items()) if p not in set(files)))
        secs = min(a.window, a.floor_window)
        r = subprocess.run([a.floor, lst, str(a.interval), str(secs)], capture_output=True, text=True, timeout=secs + 60)
        kv = dict(x.split("=", 1) for x in r.stdout.split())
        if "samples" not in kv:
            log(f"floor failed: {r.stderr.strip()}")
            return {}
        samples = int(kv["samples"]) * registered
        out = {"floor_files": int(kv["files"]), "floor_cold_files": int(kv["cold_files"]),
               "floor_failed": int(kv["failed"]),
               "floor_us_per_ctr_sample": 1e6 * float(kv["cpu_s"]) / samples,
               "floor_reads_per_ctr_sample": int(kv["reads"]) / samples,
               "floor_sweep_p50_ms": float(kv["sweep_p50_ms"]), "floor_sweep_p99_ms": float(kv["sweep_p99_ms"]),
               "floor_cpu_pct": 100 * float(kv["cpu_s"]) / (int(kv["samples"]) * a.interval)}
        log(f"N={n}: floor {out['floor_us_per_ctr_sample']:.2f} us per container-sample over {kv['files']} files "
            f"kept open and {kv['cold_files']} opened at each read")
        return out

    def cleanup_all(self):
        self.stop_agent()
        self.stop_starters()
        for g in list(self.pgids):
            self.kill_group(g)
        for d in self.dirs.values():
            try:
                names = [x for x in os.listdir(d) if x.startswith(self.run_id)]
            except OSError:
                continue
            for name in names:
                top = os.path.join(d, name)
                for p in procs_in_tree(top):
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        pass
                left = rmdir_tree(top)
                if left:
                    log(f"could not remove {left[:3]}")


# ---------------------------------------------------------------- report

def fmt(v, spec=".1f", dash="–"):
    if v is None:
        return dash
    return format(v, spec)


def table(results, interval):
    head = ["N", "reg'd", "CPU % of a core (idle)", "µs/ctr-sample", "floor µs", "ratio",
            "reads/ctr-sample agent/floor", "RSS MiB", "fds/ctr", "sweep p50/p99 ms", "lag p50/p99 ms",
            "start jitter p99 ms", "reg p50/p99 ms", "reg floor p50/p99 ms", "reg CPU ms", "scrape p50/p99 ms", "scrape MB",
            "scrape CPU ms"]
    rows = ["| " + " | ".join(head) + " |", "|" + "|".join("---:" for _ in head) + "|"]
    for r in results:
        ratio = None
        if r.get("cpu_us_per_ctr_sample") and r.get("floor_us_per_ctr_sample"):
            ratio = r["cpu_us_per_ctr_sample"] / r["floor_us_per_ctr_sample"]
        reg = f"{r.get('registered', 0)}" if r.get("registered") == r["n"] else f"**{r.get('registered', 0)}**"
        rows.append("| " + " | ".join([
            f"{r['n']:,}", reg, f"{fmt(r.get('cpu_pct'), '.2f')} ({fmt(r.get('idle_cpu_pct'), '.2f')})",
            fmt(r.get("cpu_us_per_ctr_sample"), ".1f"),
            fmt(r.get("floor_us_per_ctr_sample"), ".1f"), fmt(ratio, ".2f") + ("×" if ratio else ""),
            f"{fmt(r.get('reads_per_ctr_sample'), '.1f')} / {fmt(r.get('floor_reads_per_ctr_sample'), '.1f')}",
            f"{fmt(r.get('rss_mib'), '.0f')}", fmt(r.get("fds_per_ctr"), ".1f"),
            f"{fmt(r.get('sweep_p50_ms'), '.1f')} / {fmt(r.get('sweep_p99_ms'), '.1f')}",
            f"{fmt(r.get('lag_p50_ms'), '.1f')} / {fmt(r.get('lag_p99_ms'), '.1f')}",
            fmt(r.get("seen_drift_p99_ms"), ".0f"),
            f"{fmt(r.get('reg_p50_ms'), '.1f')} / {fmt(r.get('reg_p99_ms'), '.1f')}",
            f"{fmt(r.get('regfloor_p50_ms'), '.1f')} / {fmt(r.get('regfloor_p99_ms'), '.1f')}",
            fmt(r.get("reg_cpu_ms"), ".2f"),
            f"{fmt(r.get('scrape_p50_ms'), '.0f')} / {fmt(r.get('scrape_p99_ms'), '.0f')}",
            fmt(r.get("scrape_mb"), ".2f"), fmt(r.get("scrape_cpu_ms"), ".0f"),
        ]) + " |")
    return "\n".join(rows)


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024 // 1024
    osname = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{osname}, kernel {platform.release()}, {os.cpu_count()} × {cpu}, {mem} GiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--agent-cmd", required=True)
    ap.add_argument("--agent-label", default="")
    ap.add_argument("--workload", default="sleep 1000000",
                    help="fake starter workload of the N containers (default: sleep; 'pulse 250 1000000' wakes "
                         "each every 250 ms, so that every container is active at every sweep)")
    ap.add_argument("--sizes", default="10,100,1000,2000")
    ap.add_argument("--window", type=float, default=30)
    ap.add_argument("--interval", default="0.5s")
    ap.add_argument("--warmup", type=float, default=10)
    ap.add_argument("--idle", type=float, default=5)
    ap.add_argument("--scrapes", type=int, default=40)
    ap.add_argument("--burst", type=int, default=100)
    ap.add_argument("--floor-window", type=float, default=20)
    ap.add_argument("--register-timeout", type=float, default=30)
    ap.add_argument("--cold-discovery", type=float, default=8)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--telemetry-path", default="/metrics")
    ap.add_argument("--jfr", default="")
    ap.add_argument("--jfc", default="profile")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--fakestarter", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--regstorm", required=True)
    ap.add_argument("--regfloor", required=True)
    ap.add_argument("--results", default="")
    ap.add_argument("--commit", default="")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    iv = a.interval.strip()
    a.interval_text = iv
    a.interval = float(iv[:-2]) / 1000 if iv.endswith("ms") else float(iv.rstrip("s"))
    if a.port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        a.port = s.getsockname()[1]
        s.close()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    b = Bench(a)
    log(f"run {b.run_id}; own cgroups: {b.dirs}; open files limit {hard}; load {loadavg()}")
    stop = {"sig": None}

    def on_signal(sig, _):
        stop["sig"] = sig
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    started = datetime.datetime.now(datetime.timezone.utc)
    rc = 0
    try:
        for n in [int(x) for x in a.sizes.split(",") if x.strip()]:
            try:
                r = b.run_size(n)
            except KeyboardInterrupt:
                raise
            except Exception as e:  # one size failing does not hide the others
                import traceback
                log(f"N={n}: failed: {e}\n{traceback.format_exc()}")
                r = dict(b.partial or {"n": n})
                r["error"] = str(e)
                rc = 1
            b.results.append(r)
            if a.json:
                with open(a.json, "w") as f:
                    json.dump(b.results, f, indent=1, default=str)
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        rc = 130
    finally:
        b.cleanup_all()

    if not b.results:
        return rc
    t = table(b.results, a.interval)
    header = (f"Date: {started.strftime('%Y-%m-%d %H:%M UTC')} · commit {a.commit or '?'} · machine: {machine()}\n"
              f"Agent: {a.agent_label if a.agent_label else '`' + a.agent_cmd + '`'}\n"
              f"Workload of the N containers: `{a.workload}`\n"
              f"Interval {a.interval_text}, steady window {a.window:.0f} s after {a.warmup:.0f} s settling, "
              f"{a.scrapes} scrapes, burst of {a.burst} concurrent connects, open-files limit "
              f"{resource.getrlimit(resource.RLIMIT_NOFILE)[1]}; load average before/after each size: "
              + "; ".join(f"N={r['n']}: {r.get('load_before', '?')} → {r.get('load_after', '?')}" for r in b.results)
              + "\n")
    print()
    print(header)
    print(t)
    for r in b.results:
        if r.get("error"):
            print(f"\nN={r['n']}: error: {r['error']}")
    if a.results:
        with open(a.results, "a") as f:
            f.write("\n" + header + "\n" + t + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
