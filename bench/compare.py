#!/usr/bin/env python3
"""The Go original beside this agent (JVM and native) in one run: the orchestrator behind
bench/compare.sh (see bench/README.md, section "Beside the Go original").

For each size N and each agent, one after the other (the agents interleaved within a size, so
they share the machine's load of that moment): start the agent, time exec -> first 200 of
/metrics, register N fake starters (sleeping workloads) through the real socket, settle, then a
window with no scrape: CPU (utime+stime) and RSS at its end (VmRSS, RssAnon, RssFile); then
scrapes: latency to the last byte, series and bytes. Load average before and after each row.

The Go original has no cgroup-parent flag: it creates /metric_gateway/<exe>_<pid> at the ROOT of
every hierarchy (../shared/anchors/README.md). Its starters are killed, then exactly the
directories named after them are removed, deepest first, and /metric_gateway itself only if this
run created it and it is empty. This agent's cgroups are nested under the harness's own cgroup.
"""
import argparse
import datetime
import json
import os
import random
import resource
import shlex
import signal
import socket
import statistics
import string
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (http_get, kib, loadavg, log, machine, own_cgroup_dirs, procs_in_tree,  # noqa: E402
                   read_status, rmdir_tree, tree_cpu)

GO_ROOT = "metric_gateway"  # the Go original's fixed parent, at each hierarchy root


def hierarchy_roots():
    """Mount points of every cgroup hierarchy (v1 controllers and cgroup2)."""
    roots = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, right = line.split(" - ", 1)
            if right.split(" ", 1)[0] in ("cgroup", "cgroup2") and left.split(" ")[3] == "/":
                roots.append(left.split(" ")[4])
    return sorted(set(roots))


def free_port():
    """A port below the ephemeral range (32768-60999 here), so that no outgoing connection of
    another process takes it between this check and the agent's bind."""
    for _ in range(100):
        port = random.randint(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 20000-32000")


def series_of(body):
    return sum(1 for line in body.split(b"\n") if line and not line.startswith(b"#"))


class Agent:
    """One implementation under test: how to start it and where its cgroups go."""

    def __init__(self, name, cmd, go=False):
        self.name, self.cmd, self.go = name, cmd, go


class Compare:
    def __init__(self, a):
        self.a = a
        self.run_id = "apptheus-cmp-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=6))
        self.work = a.workdir
        self.dirs = own_cgroup_dirs()
        self.roots = hierarchy_roots()
        self.pgids_file = os.path.join(self.work, "pgids")
        self.proc = None
        self.starters = []
        with open(os.path.join(self.work, "run_id"), "w") as f:
            f.write(self.run_id + "\n")

    def track(self, pgid):
        with open(self.pgids_file, "a") as f:
            f.write(f"{pgid}\n")

    # ------------------------------------------------------------ agent
    def start(self, agent, n, sock, port, parent):
        a = self.a
        flags = [f"--socket.path={sock}", f"--trust.path={a.fakestarter}",
                 f"--web.listen-address=127.0.0.1:{port}"]
        if agent.go:
            flags.append(f"--monitor.inverval={a.interval}")  # sic: the original's spelling
        else:
            flags += [f"--monitor.interval={a.interval}", f"--cgroup.parent={parent}"]
        cmd = shlex.split(agent.cmd) + flags
        logf = open(os.path.join(self.work, f"{agent.name}-{n}.log"), "wb")
        log(f"{agent.name} N={n}: {' '.join(shlex.quote(c) for c in cmd)}")
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                             start_new_session=True)
        logf.close()
        self.proc = p
        self.track(p.pid)
        deadline = time.time() + 120
        while time.time() < deadline:
            if p.poll() is not None:
                raise RuntimeError(f"{agent.name} exited with {p.returncode}; see {self.work}/{agent.name}-{n}.log")
            try:
                if os.path.exists(sock) and http_get(port, "/metrics", timeout=5)["status"] == 200:
                    return (time.perf_counter() - t0) * 1000
            except OSError:
                pass
            time.sleep(0.002)
        raise RuntimeError(f"{agent.name} not ready after 120 s")

    def stop(self):
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)

    # ------------------------------------------------------------ starters
    def register(self, n, sock, mark):
        """n fake starters, 64 connecting at a time; done when the starter is in a cgroup under `mark`
        (the Go original moves only the starter; this agent the starter and its workload)."""
        pending, done, spawned = {}, 0, 0
        last = time.time()
        while done < n:
            while spawned < n and len(pending) < 64:
                p = subprocess.Popen([self.a.fakestarter, sock, "sleep", "1000000"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                self.starters.append(p)
                self.track(p.pid)
                pending[p.pid] = p
                spawned += 1
            for pid in list(pending):
                try:
                    with open(f"/proc/{pid}/cgroup") as f:
                        moved = mark in f.read()
                except OSError:
                    moved = False
                if moved or pending[pid].poll() is not None:
                    if pending.pop(pid).poll() is None:
                        done += 1
                    last = time.time()
            if spawned >= n and not pending:
                break
            if time.time() - last > 60:
                log(f"no registration for 60 s; {done} of {n}")
                break
            time.sleep(0.02)
        return done

    def kill_starters(self):
        for p in self.starters:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        for p in self.starters:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    def clean(self, agent, parent, pids, go_root_new):
        if agent.go:
            # /metric_gateway/<exe>_<pid> at each root, for our starters only; then the parent if
            # this run made it (rmdir refuses a non-empty one)
            for root in self.roots:
                top = os.path.join(root, GO_ROOT)
                try:
                    names = os.listdir(top)
                except OSError:
                    continue
                for name in names:
                    if name.rsplit("_", 1)[-1] in pids:
                        left = rmdir_tree(os.path.join(top, name))
                        if left:
                            log(f"could not remove {left[:3]}")
                if root in go_root_new:
                    try:
                        os.rmdir(top)
                    except OSError as e:
                        log(f"kept {top}: {e}")
        else:
            for d in self.dirs.values():
                top = os.path.join(d, parent)
                for p in procs_in_tree(top):
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        pass
                left = rmdir_tree(top)
                if left:
                    log(f"could not remove {left[:3]}")

    # ------------------------------------------------------------ one row
    def row(self, agent, n):
        a = self.a
        parent = f"{self.run_id}-{agent.name}-{n}"
        sock = os.path.join(self.work, f"{agent.name}-{n}", "gw.sock")
        os.makedirs(os.path.dirname(sock), mode=0o755, exist_ok=True)
        port = free_port()
        go_root_new = {r for r in self.roots if not os.path.isdir(os.path.join(r, GO_ROOT))} if agent.go else set()
        mark = f"/{GO_ROOT}/" if agent.go else f"/{parent}/"
        r = {"agent": agent.name, "n": n, "load_before": loadavg()}
        pids = set()
        try:
            for attempt in range(3):
                try:
                    r["start_ms"] = self.start(agent, n, sock, port, parent)
                    break
                except RuntimeError:
                    with open(os.path.join(self.work, f"{agent.name}-{n}.log"), errors="replace") as f:
                        if attempt == 2 or "address already in use" not in f.read().lower():
                            raise
                    log(f"{agent.name} N={n}: port {port} taken meanwhile; another")
                    self.stop()
                    port = free_port()
            pid = self.proc.pid
            r["registered"] = self.register(n, sock, mark) if n else 0
            pids = {str(p.pid) for p in self.starters}
            time.sleep(a.settle)
            c0, t0 = tree_cpu(pid), time.time()
            time.sleep(a.window)
            c1, t1 = tree_cpu(pid), time.time()
            st = read_status(pid)
            r.update({"cpu_pct": 100 * (c1 - c0) / (t1 - t0), "rss_mib": kib(st.get("VmRSS")) / 1024,
                      "anon_mib": kib(st.get("RssAnon")) / 1024, "file_mib": kib(st.get("RssFile")) / 1024,
                      "hwm_mib": kib(st.get("VmHWM")) / 1024, "threads": int(st.get("Threads", "0"))})
            if r["registered"]:
                r["us_per_ctr_sample"] = 1e6 * (c1 - c0) / (r["registered"] * (t1 - t0) / a.interval_s)
            lat, body = [], b""
            for _ in range(a.scrapes):
                h = http_get(port, "/metrics", timeout=60)
                if h["status"] != 200:
                    raise RuntimeError(f"/metrics answered {h['status']}")
                lat.append(h["seconds"] * 1000)
                body = h["body"]
                time.sleep(random.uniform(0.1, 0.3))
            r.update({"scrape_ms": statistics.median(lat), "scrape_min_ms": min(lat), "series": series_of(body),
                      "scrape_kib": len(body) / 1024})
            r["us_per_series"] = 1000 * r["scrape_ms"] / r["series"]
            log(f"{agent.name} N={n}: CPU {r['cpu_pct']:.2f} %, RSS {r['rss_mib']:.1f} MiB "
                f"(anon {r['anon_mib']:.1f}), scrape {r['scrape_ms']:.1f} ms, {r['series']} series")
        except Exception as e:  # one row failing does not hide the others
            log(f"{agent.name} N={n}: failed: {e}")
            r["error"] = str(e)
        finally:
            pids |= {str(p.pid) for p in self.starters}
            self.stop()
            self.kill_starters()
            self.starters = []
            time.sleep(0.5)
            self.clean(agent, parent, pids, go_root_new)
            r["load_after"] = loadavg()
        return r


def fmt(v, spec):
    return "–" if v is None else format(v, spec)


def table(rows):
    head = ["N", "agent", "start ms", "CPU % of a core", "RSS MiB (anon + file)", "threads",
            "scrape ms (min)", "series", "µs/series", "µs/ctr-sample", "load before → after"]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(["---:", ":---"] + ["---:"] * (len(head) - 3) + [":---"]) + "|"]
    for r in rows:
        reg = "" if r.get("registered", r["n"]) == r["n"] else f" (**{r.get('registered')}** reg'd)"
        out.append("| " + " | ".join([
            f"{r['n']:,}{reg}", r["agent"], fmt(r.get("start_ms"), ".0f"), fmt(r.get("cpu_pct"), ".2f"),
            f"{fmt(r.get('rss_mib'), '.1f')} ({fmt(r.get('anon_mib'), '.1f')} + {fmt(r.get('file_mib'), '.1f')})",
            fmt(r.get("threads"), "d"),
            f"{fmt(r.get('scrape_ms'), '.1f')} ({fmt(r.get('scrape_min_ms'), '.1f')})",
            fmt(r.get("series"), ",d"), fmt(r.get("us_per_series"), ".2f"), fmt(r.get("us_per_ctr_sample"), ".1f"),
            f"{r.get('load_before', '?')} → {r.get('load_after', '?')}",
        ]) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agent", action="append", required=True,
                    help="NAME=COMMAND (without flags); a NAME starting with 'go' gets the Go original's flags")
    ap.add_argument("--sizes", default="0,100,1000")
    ap.add_argument("--interval", default="0.5s")
    ap.add_argument("--settle", type=float, default=10)
    ap.add_argument("--window", type=float, default=20)
    ap.add_argument("--scrapes", type=int, default=10)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--fakestarter", required=True)
    ap.add_argument("--labels", default="", help="text for the header: what each agent is")
    ap.add_argument("--commit", default="")
    ap.add_argument("--results", default="")
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    a.interval_s = float(a.interval[:-2]) / 1000 if a.interval.endswith("ms") else float(a.interval.rstrip("s"))
    agents = []
    for spec in a.agent:
        name, _, cmd = spec.partition("=")
        agents.append(Agent(name, cmd, go=name.startswith("go")))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    c = Compare(a)

    def interrupted(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    started = datetime.datetime.now(datetime.timezone.utc)
    load0 = loadavg()
    log(f"run {c.run_id}; hierarchies {c.roots}; load {load0}")
    rows, rc = [], 0
    try:
        for n in [int(x) for x in a.sizes.split(",") if x.strip()]:
            for agent in agents:
                rows.append(c.row(agent, n))
                rc |= 1 if rows[-1].get("error") else 0
                if a.json:
                    with open(a.json, "w") as f:
                        json.dump(rows, f, indent=1)
    except KeyboardInterrupt:
        log("interrupted")
        rc = 130
    finally:
        c.stop()
        c.kill_starters()
    header = (f"Date: {started.strftime('%Y-%m-%d %H:%M UTC')} · commit {a.commit or '?'} · machine: {machine()}\n"
              f"Agents: {a.labels}\n"
              f"Interval {a.interval}, {a.settle:.0f} s settling, {a.window:.0f} s window (no scrape), then "
              f"{a.scrapes} scrapes (median, min); load average at the start {load0}, at the end {loadavg()}\n")
    t = table(rows)
    print("\n" + header + "\n" + t)
    for r in rows:
        if r.get("error"):
            print(f"\n{r['agent']} N={r['n']}: error: {r['error']}")
    if a.results and rows:
        with open(a.results, "a") as f:
            f.write("\n" + header + "\n" + t + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
