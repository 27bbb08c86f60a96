#!/usr/bin/env python3
"""Hostile local users against the agent: the orchestrator behind bench/attack.sh (issue 13, items
1 and 2; see bench/README.md, "Attacks").

Starts the agent with the launcher's flags, registers N containers (`--containers`), then:

1. baseline: a burst of `--burst` concurrent trusted starters (bench/regstorm.c, which dials as
   Go does: a full listen backlog fails the dial), and scrapes from 127.0.0.2;
2. socket churn: uid 65534 holds `--connections` connections to the socket and reconnects each
   one the agent closes (src/test/c/hostile.c socket-churn); once it runs, the same burst and
   scrapes;
3. HTTP slowloris: uid 65534 holds `--http-processes` × `--http-connections` half-sent requests
   from 127.0.0.1 (one process trickles a header line every second, the others send nothing
   more); meanwhile scrapes, health probes and API reads from 127.0.0.2 every half second, the
   same burst, and the agent's file descriptors, RSS, heap and sample errors.

Prints one markdown table and appends it to --results. Everything it starts or creates is removed.
"""
import argparse
import datetime
import http.client
import os
import re
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the same harness: agent start, registration, burst, cleanup)
from bench import log, loadavg, tree_cpu, read_status, kib, fd_targets, self_metrics, pct  # noqa: E402

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def get_from(source, port, path, timeout=10.0):
    """GET from a given local address; (status or None, seconds, body)."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Accept": "text/plain;version=0.0.4"})
        r = conn.getresponse()
        body = r.read()
        return r.status, time.perf_counter() - t0, body
    except OSError:
        return None, time.perf_counter() - t0, b""
    finally:
        conn.close()


def total(metrics, name, match=""):
    return sum(v for labels, v in metrics.get(name, {}).items() if match in labels)


class Attack:
    def __init__(self, a):
        self.a = a
        a.interval_text = "0.5s"
        a.telemetry_path = "/metrics"
        a.register_timeout = 60
        self.b = bench.Bench(a)
        self.port = a.port
        self.attackers = []

    def users_cgroup(self):
        """A cpu cgroup for the attackers beside the agent's (as user.slice or a Slurm job is beside
        the agent's service under systemd); None with --attacker-cgroup=same."""
        if self.a.attacker_cgroup != "own":
            return None
        for label in ("cpu", "cpu,cpuacct", "unified"):
            d = self.b.dirs.get(label)
            if d:
                path = os.path.join(d, f"{self.b.run_id}-users")
                try:
                    os.makedirs(path, exist_ok=True)
                    return path
                except OSError as e:
                    log(f"no cgroup for the attackers in {d}: {e}")
        return None

    def hostile(self, *args):
        cmd = NOBODY + [self.a.hostile] + [str(x) for x in args]
        group = self.users_cgroup()
        if group:
            # moves itself first, so that the attacker never runs in the agent's cgroup
            cmd = ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', group] + cmd
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        self.b.track(p.pid)
        self.attackers.append(p)
        return p

    def finish(self, p):
        out, _ = p.communicate(timeout=self.a.attack_seconds + 60)
        m = re.search(r"hostile: \S+ (.*)", out or "")
        return dict(x.split("=", 1) for x in m.group(1).split()) if m else {"error": (out or "").strip()[-200:]}

    def watch(self, pid, seconds, scrape_paths):
        """Scrapes from 127.0.0.2 every half second for `seconds`; agent fds, RSS, CPU meanwhile."""
        end = time.time() + seconds
        c0, t0 = tree_cpu(pid), time.time()
        lat, fails, fds, rss, probes = [], 0, [], [], {p: [0, 0] for p in scrape_paths}
        while time.time() < end:
            for path in scrape_paths:
                status, secs, body = get_from("127.0.0.2", self.port, path)
                probes[path][0 if status == 200 else 1] += 1
                if path == "/metrics":
                    if status == 200:
                        lat.append(secs)
                    else:
                        fails += 1
            try:
                fds.append(len(fd_targets(pid)))
                rss.append(kib(read_status(pid).get("VmRSS")) / 1024)
            except OSError:
                pass
            time.sleep(0.5)
        cpu = 100 * (tree_cpu(pid) - c0) / (time.time() - t0)
        return {"scrape_p50_ms": 1000 * pct(lat, 0.5) if lat else None,
                "scrape_p99_ms": 1000 * pct(lat, 0.99) if lat else None,
                "scrapes_ok": len(lat), "scrapes_failed": fails,
                "probes": {p: f"{ok}/{ok + bad}" for p, (ok, bad) in probes.items()},
                "fds_max": max(fds) if fds else None, "rss_max_mib": max(rss) if rss else None,
                "agent_cpu_pct": cpu}

    def metrics(self):
        """The agent's own series, and its heap in use (jvm_memory_used_bytes, area heap) as "heap"."""
        status, _, body = get_from("127.0.0.2", self.port, "/metrics", timeout=30)
        if status != 200:
            return {}
        m = self_metrics(body)
        heap = [float(x) for x in re.findall(rb'^jvm_memory_used_bytes\{[^}]*area="heap"[^}]*\}\s+(\S+)', body, re.M)]
        m["heap"] = sum(heap) if heap else None
        return m

    def phase(self, name, pid, sock, mark, k, start_attack):
        a = self.a
        res = {"phase": name, "load_before": loadavg()}
        m0 = self.metrics()
        procs = start_attack()
        if procs:
            time.sleep(a.settle)
        res["watch_before"] = self.watch(pid, 5, ["/metrics"])
        burst = self.b.burst(a.containers, sock, mark, k)
        res.update(burst)
        res["watch"] = self.watch(pid, 5, ["/metrics", "/q/health/live", "/api/v1/containers"])
        m1 = self.metrics()
        res["load_after"] = loadavg()
        res["attackers"] = [self.finish(p) for p in procs]
        m2 = self.metrics() or m1
        for key, series, match in [("untrusted", "apptheus_registrations_total", "untrusted"),
                                 ("refused_uid_limit", "apptheus_registrations_total", "refused_uid_limit"),
                                 ("refused_limit", "apptheus_registrations_total", '"refused_limit"'),
                                 ("http_refused", "apptheus_http_connections_refused_total", ""),
                                 ("http_timed_out", "apptheus_http_connections_timed_out_total", ""),
                                 ("sample_errors", "apptheus_sample_errors_total", "")]:
            res[key] = total(m2, series, match) - total(m0, series, match)
        res["heap_mib"] = m1["heap"] / 2**20 if m1.get("heap") is not None else None
        res["agent_alive"] = self.b.agent.poll() is None
        log(f"{name}: {res}")
        return res

    def run(self):
        a = self.a
        b = self.b
        n = a.containers
        parent = f"{b.run_id}-{n}"
        sock = os.path.join(a.workdir, "run", "gw.sock")
        os.makedirs(os.path.dirname(sock), mode=0o755, exist_ok=True)
        os.chmod(a.workdir, 0o755)
        b.start_agent(n, parent, sock, self.port)
        pid = b.java_pid()
        parents = [os.path.join(d, parent) for d in b.dirs.values() if os.path.isdir(os.path.join(d, parent))]
        k = len(parents)
        mark = f"/{parent}/"
        registered, _ = b.register(n, sock, mark, k)
        log(f"{registered} of {n} containers registered; agent fds {len(fd_targets(pid))}")
        time.sleep(5)
        results = [self.phase("no attack", pid, sock, mark, k, lambda: [])]
        results.append(self.phase(f"socket churn, {a.connections:,} connections of uid 65534", pid, sock, mark, k,
                                  lambda: [self.hostile("socket-churn", sock, a.connections, a.attack_seconds)]))
        time.sleep(5)
        results.append(self.phase(
            f"HTTP slowloris, {a.http_processes} × {a.http_connections:,} half-sent requests from 127.0.0.1", pid,
            sock, mark, k, lambda: [self.hostile("http-slowloris", "127.0.0.1", self.port, "127.0.0.1",
                                                 a.http_connections, a.attack_seconds, 1000 if i == 0 else 0)
                                    for i in range(a.http_processes)]))
        return registered, results


def table(rows):
    head = ["phase", "burst registered (dial EAGAIN)", "reg p50/p99 ms", "scrapes from 127.0.0.2 ok/failed",
            "scrape p50/p99 ms", "health, API ok", "agent CPU %", "fds max", "RSS max MiB", "heap MiB",
            "untrusted / refused_uid_limit / refused_limit", "HTTP refused / timed out", "sample errors",
            "attacker", "load before → after"]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        w = r.get("watch", {})
        wb = r.get("watch_before", {})
        ok = (wb.get("scrapes_ok") or 0) + (w.get("scrapes_ok") or 0)
        bad = (wb.get("scrapes_failed") or 0) + (w.get("scrapes_failed") or 0)
        att = "; ".join(" ".join(f"{k}={v}" for k, v in x.items() if k in (
            "connects", "eagain", "closed_by_agent", "held", "closed_by_server", "lifetime_max_ms", "open", "error"))
                        for x in r.get("attackers", [])) or "–"
        out.append("| " + " | ".join([
            r["phase"], f"{r.get('reg_ok', '?')}/{r.get('reg_count', '?')} ({r.get('reg_eagain', 0)})",
            f"{bench.fmt(r.get('reg_p50_ms'))} / {bench.fmt(r.get('reg_p99_ms'))}", f"{ok}/{bad}",
            f"{bench.fmt(w.get('scrape_p50_ms'), '.0f')} / {bench.fmt(w.get('scrape_p99_ms'), '.0f')}",
            ", ".join(v for p, v in w.get("probes", {}).items() if p != "/metrics") or "–",
            bench.fmt(max(wb.get("agent_cpu_pct") or 0, w.get("agent_cpu_pct") or 0), ".0f"),
            str(max(wb.get("fds_max") or 0, w.get("fds_max") or 0)),
            bench.fmt(max(wb.get("rss_max_mib") or 0, w.get("rss_max_mib") or 0), ".0f"),
            bench.fmt(r.get("heap_mib"), ".0f"),
            f"{r.get('untrusted', 0):.0f} / {r.get('refused_uid_limit', 0):.0f} / {r.get('refused_limit', 0):.0f}",
            f"{r.get('http_refused', 0):.0f} / {r.get('http_timed_out', 0):.0f}", f"{r.get('sample_errors', 0):.0f}",
            att, f"{r.get('load_before', '?')} → {r.get('load_after', '?')}"]) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--agent-cmd", required=True)
    ap.add_argument("--agent-label", default="")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--fakestarter", required=True)
    ap.add_argument("--regstorm", required=True)
    ap.add_argument("--hostile", required=True)
    ap.add_argument("--containers", type=int, default=1000)
    ap.add_argument("--burst", type=int, default=100)
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--http-connections", type=int, default=10000)
    ap.add_argument("--http-processes", type=int, default=2)
    ap.add_argument("--attack-seconds", type=int, default=45)
    ap.add_argument("--settle", type=float, default=8)
    ap.add_argument("--attacker-cgroup", choices=["own", "same"], default="own",
                    help="own: the attackers run in a cpu cgroup beside the agent's (as users' processes do "
                         "under systemd or Slurm); same: in the harness's cgroup, with the agent")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--results", default="")
    ap.add_argument("--commit", default="")
    ap.add_argument("--workload", default="sleep 1000000", help="fake starter workload of the containers")
    a = ap.parse_args()
    if a.port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        a.port = s.getsockname()[1]
        s.close()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    t = Attack(a)
    started = datetime.datetime.now(datetime.timezone.utc)

    def on_signal(sig, _):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    rc = 0
    rows = []
    registered = 0
    try:
        registered, rows = t.run()
    except KeyboardInterrupt:
        rc = 130
    except Exception as e:  # report what was measured
        import traceback
        log(f"failed: {e}\n{traceback.format_exc()}")
        rc = 1
    finally:
        for p in t.attackers:
            t.b.kill_group(p.pid)
        t.b.cleanup_all()
    if not rows:
        return rc or 1
    header = (f"Date: {started.strftime('%Y-%m-%d %H:%M UTC')} · commit {a.commit or '?'} · machine: {bench.machine()}\n"
              f"Agent: {a.agent_label or a.agent_cmd}; {registered} containers running; open-files limit "
              f"{resource.getrlimit(resource.RLIMIT_NOFILE)[1]}; attacks of {a.attack_seconds} s, the burst "
              f"{a.settle:.0f} s into each; attackers as uid 65534 in "
              f"{'a cpu cgroup beside the agent' if a.attacker_cgroup == 'own' else 'the agent cgroup'}\n")
    print()
    print(header)
    print(table(rows))
    if a.results:
        with open(a.results, "a") as f:
            f.write("\n" + header + "\n" + table(rows) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
