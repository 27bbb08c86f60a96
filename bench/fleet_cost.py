#!/usr/bin/env python3
"""What a fleet of Apptheus nodes costs Prometheus and a remote-write store, measured.

    bench/fleet_cost.py [--nodes 10] [--containers 100] [--minutes 30] [--dir /tmp/apptheus-fleet-cost] [--out F]
    bench/fleet_cost.py --report F     # the tables again, from the JSON a run wrote

Starts a simulated cluster with bench/fleet.sh (agents and containers only; 5 active containers
per node, the rest sleep) and, side by side on the same agents, four Prometheus servers that differ
in one knob each (deploy/prometheus/prometheus-fleet.yml, rewritten by `fleet.sh config`):

    full-5s    scrape 5 s, no drop list
    drop-5s    scrape 5 s, the shipped drop list (metric_relabel_configs), remote_write into
               VictoriaMetrics: the deploy configuration
    drop-15s   scrape 15 s, drop list
    drop-30s   scrape 30 s, drop list

All evaluate the shipped rules every 15 s. Their TSDB cuts a block every 10 minutes
(--storage.tsdb.min/max-block-duration=10m, instead of 2 h) so that compacted bytes can be
measured within the run. At the end it prints, per variant: series per container and per node
(agent's own), samples/s per node, head series, RSS, heap, bytes on disk (WAL, head chunks,
blocks) and per container-hour; and for VictoriaMetrics bytes per sample and per container-hour.
Everything started is stopped (fleet.sh stop), also on ^C or failure. Prints `uptime` before and
after: figures on a loaded machine are marked as such in bench/RESULTS.md.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FLEET = REPO / "bench" / "fleet.sh"
VARIANTS = [  # name, scrape interval, drop list, remote write
    ("empty", "5s", True, False),  # no targets: the baseline the others' memory is measured against
    ("full-5s", "5s", False, False),
    ("drop-5s", "5s", True, True),
    ("drop-15s", "15s", True, False),
    ("drop-30s", "30s", True, False),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=60, tries=5):
    """GET with retries: on a loaded machine a Prometheus can take seconds to answer."""
    for i in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=timeout) as r:
                return r.read().decode()
        except OSError:
            if i == tries - 1:
                raise
            time.sleep(5)


def query(base, promql):
    body = json.loads(get(f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql})))
    assert body["status"] == "success", body
    return body["data"]["result"]


def scalar(base, promql):
    r = query(base, promql)
    return float(r[0]["value"][1]) if r else float("nan")


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except FileNotFoundError:
                pass
    return total


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


class Run:
    def __init__(self, args):
        self.args = args
        self.dir = Path(args.dir)
        self.procs = []  # (name, Popen)

    def fleet(self, *argv, capture=False):
        cmd = [str(FLEET), *argv, "--dir", str(self.dir)]
        if capture:
            return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        subprocess.run(cmd, check=True)

    def start(self):
        self.fleet("start", str(self.args.nodes), str(self.args.containers), "--no-prometheus", "--active", "5",
                   "--net", self.args.net)
        vm_port = free_port()
        vm_dir = self.dir / "cost" / "vm"
        vm_dir.mkdir(parents=True)
        self.vm = f"http://127.0.0.1:{vm_port}"
        self.spawn("victoria-metrics", ["victoria-metrics", f"-storageDataPath={vm_dir / 'data'}",
                                        f"-httpListenAddr=127.0.0.1:{vm_port}", "-retentionPeriod=1d",
                                        "-search.latencyOffset=0s", "-loggerLevel=WARN"], vm_dir / "vm.log")
        self.wait(f"{self.vm}/health")
        self.prom = {}
        for name, interval, drop, store in VARIANTS:
            d = self.dir / "cost" / name
            d.mkdir(parents=True)
            argv = ["config", "--scrape", interval]
            if not drop:
                argv.append("--no-drop")
            if store:
                argv += ["--store", f"{self.vm}/api/v1/write"]
            config = self.fleet(*argv, capture=True)
            if name == "empty":
                config = config.replace(str(self.dir / "prometheus" / "apptheus-targets"), str(d / "no-targets"))
            (d / "prometheus.yml").write_text(config)
            port = free_port()
            self.spawn(name, ["prometheus", f"--config.file={d / 'prometheus.yml'}", f"--storage.tsdb.path={d / 'data'}",
                              f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.min-block-duration=10m",
                              "--storage.tsdb.max-block-duration=10m", "--storage.tsdb.retention.time=1d"],
                       d / "prometheus.log")
            self.prom[name] = (f"http://127.0.0.1:{port}", d / "data", interval)
        for base, _, _ in self.prom.values():
            self.wait(f"{base}/-/ready")

    def spawn(self, name, cmd, log):
        with open(log, "w") as out:
            p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append((name, p))

    def wait(self, url, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                get(url, timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{url} not ready after {seconds} s")

    def stop(self):
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
        if self.dir.exists():
            self.fleet("stop")

    def sample(self, base, data):
        own = own_metrics(get(base + "/metrics"))  # Prometheus does not scrape itself here
        return {
            "head_series": own["prometheus_tsdb_head_series"],
            "rss": own["process_resident_memory_bytes"],
            "heap": own["go_memstats_heap_inuse_bytes"],
            "samples_appended": own["prometheus_tsdb_head_samples_appended_total"],
            "recorded_series": scalar(base, 'count({__name__=~".+:.+"})'),
            "scraped": scalar(base, 'sum(scrape_samples_scraped{job="apptheus"})'),
            "kept": scalar(base, 'sum(scrape_samples_post_metric_relabeling{job="apptheus"})'),
            "wal": du(data / "wal"),
            "chunks_head": du(data / "chunks_head"),
            "blocks": sum(du(p) for p in data.iterdir() if p.is_dir() and len(p.name) == 26),
            "block_count": sum(1 for p in data.iterdir() if p.is_dir() and len(p.name) == 26),
        }

    def blocks(self, data):
        """Compacted blocks: (bytes, samples, series, hours) of each, from meta.json."""
        out = []
        for p in sorted(data.iterdir()):
            meta = p / "meta.json"
            if p.is_dir() and meta.exists():
                m = json.loads(meta.read_text())
                out.append((du(p), m["stats"]["numSamples"], m["stats"]["numSeries"],
                            (m["maxTime"] - m["minTime"]) / 3.6e6, du(p / "chunks"), (p / "index").stat().st_size))
        return out


def own_metrics(text):
    """Sum of each metric's samples in a text exposition (labels ignored)."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            name = name.split("{", 1)[0]
            out[name] = out.get(name, 0.0) + float(value)
    return out


def per_container_and_node(base):
    """Series per container and per node (the agent's own), as scraped and as kept."""
    ctr = query(base, 'count by (node) ({job="apptheus", name!="", __name__!~".+:.+"})')
    containers = query(base, 'count by (node) (container_last_seen{job="apptheus"})')
    own = query(base, 'count by (node) ({job="apptheus", name=""})')
    n_ctr = sum(float(x["value"][1]) for x in containers)
    return (sum(float(x["value"][1]) for x in ctr) / n_ctr,
            sum(float(x["value"][1]) for x in own) / max(1, len(own)), n_ctr)


def vm_figures(text, containers, t0):
    """VictoriaMetrics' own /metrics (they are not in its PromQL store): rows and bytes stored."""
    rows = size = rss = 0.0
    for line in text.splitlines():
        name, _, value = line.rpartition(" ")
        if name.startswith('vm_rows{type="storage/'):
            rows += float(value)
        elif name.startswith("vm_data_size_bytes{"):
            size += float(value)
        elif name == "process_resident_memory_bytes":
            rss = float(value)
    hours = (time.time() - t0) / 3600
    return {"rows": rows, "bytes": size, "rss": rss, "bytes_per_sample": size / rows if rows else None,
            "bytes_per_container_hour": size / containers / hours}


def report(r):
    """Markdown tables from a result: the measured variants, then 100 / 1,000 / 5,000 nodes."""
    nodes, per_node = r["nodes"], r["containers_per_node"]
    empty = r.get("empty", {})
    lines = [f"{nodes} nodes x {per_node} containers ({nodes * per_node}), {r['minutes']:g} min; "
             f"uptime before: {r['uptime_before']}; after: {r['uptime_after']}", "",
             "| variant | series / container | agent's own series / node | samples/s / node | head series "
             "| RSS | heap floor | heap / series | CPU (cores) | chunk bytes / sample | index bytes / series / block |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, _, _, _ in VARIANTS:
        v = r.get(name)
        if not v or name == "empty":
            continue
        v["heap_per_series"] = ((v["heap_floor"] - empty["heap_floor"]) / (v["head_series"] - empty["head_series"])
                                if v.get("heap_floor") and empty.get("heap_floor") else None)
        lines.append(" | ".join([
            f"| {name}", f"{v['series_per_container']:.1f}", f"{v['series_per_node_own']:.0f}",
            f"{v['samples_per_s_per_node']:.0f}", f"{v['head_series']:,.0f}", f"{v['rss'] / 2**20:.0f} MiB",
            f"{v['heap_floor'] / 2**20:.0f} MiB" if v.get("heap_floor") else "-",
            f"{v['heap_per_series']:,.0f} B" if v.get("heap_per_series") else "-",
            f"{v.get('cpu_cores', float('nan')):.3f}",
            f"{v['chunk_bytes_per_sample']:.2f}" if v.get("chunk_bytes_per_sample") else "-",
            f"{v['index_bytes_per_series_block']:.0f} |" if v.get("index_bytes_per_series_block") else "- |"]))
    if empty:
        lines += ["", f"Baseline (same rules, no target): RSS {empty['rss'] / 2**20:.0f} MiB, heap floor "
                      f"{empty['heap_floor'] / 2**20:.0f} MiB, {empty['head_series']:,.0f} head series."]
    vm = r.get("victoria-metrics", {})
    if vm.get("bytes_per_sample"):
        lines += ["", f"VictoriaMetrics (fed by drop-5s): {vm['rows']:,.0f} samples in {vm['bytes'] / 2**20:.1f} MiB "
                      f"= {vm['bytes_per_sample']:.2f} bytes/sample, {vm['bytes_per_container_hour'] / 1024:.1f} KiB "
                      f"per container-hour, RSS {vm['rss'] / 2**20:.0f} MiB"]
    # Extrapolation, 100 containers a node: series and samples scale with nodes; memory with head
    # series; a day of TSDB = 12 two-hour blocks: chunks per sample + an index per series and block.
    lines += ["", "| nodes x 100 containers | variant | series | samples/s | Prometheus heap | TSDB / day "
                  "| VictoriaMetrics / day |", "|---|---|---:|---:|---:|---:|---:|"]
    for n in (100, 1000, 5000):
        for name, interval, _, _ in VARIANTS:
            v = r.get(name)
            if not v or name == "empty" or not v.get("chunk_bytes_per_sample"):
                continue
            series = n * (100 * v["series_per_container"] + v["series_per_node_own"])
            sps = series / float(interval.rstrip("s"))
            heap = series * v["heap_per_series"] if v.get("heap_per_series") else float("nan")
            tsdb = sps * 86400 * v["chunk_bytes_per_sample"] + 12 * series * v["index_bytes_per_series_block"]
            vmday = sps * 86400 * vm["bytes_per_sample"] if vm.get("bytes_per_sample") else float("nan")
            lines.append(f"| {n:,} | {name} | {series / 1e6:.2f} M | {sps / 1e3:,.0f} k | {heap / 2**30:,.1f} GiB "
                         f"| {tsdb / 2**30:,.1f} GiB | {vmday / 2**30:,.1f} GiB |")
    return "\n".join(lines)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--report":
        print(report(json.loads(Path(sys.argv[2]).read_text())))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=10)
    ap.add_argument("--containers", type=int, default=100)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--net", default="127.0.10")
    ap.add_argument("--dir", default="/tmp/apptheus-fleet-cost")
    ap.add_argument("--out", default=None, help="also write the JSON result here")
    args = ap.parse_args()
    for tool in ("prometheus", "victoria-metrics", "java"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found")
    run = Run(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    before = uptime()
    result = {"nodes": args.nodes, "containers_per_node": args.containers, "minutes": args.minutes,
              "uptime_before": before}
    print("uptime before:", before, flush=True)
    try:
        run.start()
        t0 = time.time()
        cpu0 = {n: own_metrics(get(b + "/metrics"))["process_cpu_seconds_total"] for n, (b, _, _) in run.prom.items()}
        heap_seen = {n: [] for n in run.prom}
        last_print = t0
        while time.time() - t0 < args.minutes * 60:
            time.sleep(15)
            if time.time() - t0 > args.minutes * 60 / 2:  # the floor of the heap after the start-up
                for n, (b, _, _) in run.prom.items():
                    heap_seen[n].append(own_metrics(get(b + "/metrics"))["go_memstats_heap_inuse_bytes"])
            if time.time() - last_print < 60:
                continue
            last_print = time.time()
            own = own_metrics(get(run.prom["drop-5s"][0] + "/metrics"))
            print(f"{(time.time() - t0) / 60:5.1f} min  drop-5s: head series {own['prometheus_tsdb_head_series']:.0f}"
                  f"  rss {own['process_resident_memory_bytes'] / 2**20:.0f} MiB  load {os.getloadavg()[0]:.1f}",
                  flush=True)
        containers = args.nodes * args.containers
        for name, (base, data, interval) in run.prom.items():
            s = run.sample(base, data)
            if name == "empty":
                s["heap_floor"] = min(heap_seen[name]) if heap_seen[name] else None
                result[name] = s
                continue
            per_ctr, per_node_own, n_ctr = per_container_and_node(base)
            secs = float(interval.rstrip("s"))
            blocks = run.blocks(data)
            full = [b for b in blocks if b[3] >= 0.16]  # whole 10-minute blocks
            # a block = chunks (per sample) + index (per series): a 2 h block holds 12x the samples
            # of a 10-minute one with the same index, so both parts are kept apart
            chunk_per_sample = sum(b[4] for b in full) / sum(b[1] for b in full) if full else None
            index_per_series = sum(b[5] for b in full) / sum(b[2] for b in full) if full else None
            s.update(chunk_bytes_per_sample=chunk_per_sample, index_bytes_per_series_block=index_per_series,
                     heap_floor=min(heap_seen[name]) if heap_seen[name] else None,
                     cpu_cores=(own_metrics(get(base + "/metrics"))["process_cpu_seconds_total"] - cpu0[name])
                     / (time.time() - t0),
                     series_per_container=per_ctr, series_per_node_own=per_node_own, containers_seen=n_ctr,
                     samples_per_s_per_node=s["kept"] / args.nodes / secs,
                     scraped_per_s_per_node=s["scraped"] / args.nodes / secs,
                     rss_per_head_series=s["rss"] / s["head_series"],
                     blocks_detail=blocks,
                     block_bytes_per_sample=(sum(b[0] for b in full) / sum(b[1] for b in full)) if full else None,
                     block_bytes_per_container_hour=(sum(b[0] for b in full) / sum(b[3] for b in full) / containers)
                     if full else None)
            result[name] = s
        result["victoria-metrics"] = vm_figures(get(run.vm + "/metrics"), containers, t0)
    finally:
        result["uptime_after"] = uptime()
        print("uptime after:", result["uptime_after"], flush=True)
        run.stop()
    out = json.dumps(result, indent=1, default=str)
    print(out)
    print(report(result))
    if args.out:
        Path(args.out).write_text(out)


if __name__ == "__main__":
    main()
