#!/usr/bin/env python3
"""A stand-in for the agent's /metrics: the series names and labels of the agent's contract,
with counters that grow with time, for testing rules and dashboard queries against a real
Prometheus (deploy/prometheus/tests/live-queries.sh). Not the agent's real output.

    fake_apptheus.py PORT     # serves http://127.0.0.1:PORT/metrics, stops after 10 minutes
"""
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

START = time.time()
CONTAINERS = [  # (name, pid, uid, user, instance, cores, memory limit or None)
    ("starter-suid_1234", 1234, 1000, "alice", "", 1.5, 2 * 2**30),
    ("starter-suid_1300", 1300, 1001, "bob", "bob-db", 0.25, None),
]
COUNTERS = ["container_cpu_usage_seconds_total", "container_cpu_user_seconds_total",
            "container_cpu_system_seconds_total", "container_cpu_cfs_periods_total",
            "container_cpu_cfs_throttled_periods_total", "container_cpu_cfs_throttled_seconds_total",
            "container_memory_events_high_total", "container_memory_events_max_total",
            "container_oom_events_total"] + [
    f"container_pressure_{r}_{k}_seconds_total" for r in ("cpu", "memory", "io") for k in ("waiting", "stalled")]
DEVICE_COUNTERS = ["container_fs_reads_bytes_total", "container_fs_writes_bytes_total",
                   "container_fs_reads_total", "container_fs_writes_total"]
GAUGES = ["container_memory_usage_bytes", "container_memory_working_set_bytes", "container_memory_rss",
          "container_memory_cache", "container_memory_swap", "container_memory_max_usage_bytes",
          "container_spec_memory_limit_bytes", "container_spec_memory_swap_limit_bytes",
          "container_spec_cpu_quota", "container_spec_cpu_period", "container_processes", "container_threads",
          "container_threads_max", "container_last_seen", "container_start_time_seconds"]


def fmt(v):
    return "+Inf" if v == float("inf") else repr(float(v))


def exposition():
    t = time.time() - START
    out = []
    for metric in COUNTERS + DEVICE_COUNTERS + GAUGES:
        out.append(f"# TYPE {metric} {'gauge' if metric in GAUGES else 'counter'}")
        for name, pid, uid, user, inst, cores, limit in CONTAINERS:
            labels = (f'id="/system.slice/apptheus.service/metric_gateway/{name}",name="{name}",pid="{pid}",'
                      f'uid="{uid}",user="{user}",apptainer_instance="{inst}"')
            if metric in DEVICE_COUNTERS:
                for dev in ("sda", "nvme0n1"):
                    out.append(f'{metric}{{{labels},device="{dev}"}} {fmt(t * 1e6 * cores)}')
                continue
            if metric == "container_oom_events_total":
                v = int(t // 5)  # one kill every 5 s
            elif metric == "container_spec_memory_limit_bytes":
                v = limit if limit else float("inf")
            elif metric in GAUGES:
                v = 1.5e9 * cores if "memory" in metric else time.time() if metric == "container_last_seen" else 1
            else:
                v = t * cores
            out.append(f"{metric}{{{labels}}} {fmt(v)}")
    out += [
        "# TYPE apptheus_build_info gauge",
        'apptheus_build_info{version="0.1.0",revision="abc",branch="deploy",javaversion="17.0.15"} 1',
        "# TYPE apptheus_containers gauge", f"apptheus_containers {len(CONTAINERS)}",
        "# TYPE apptheus_connections_open gauge", f"apptheus_connections_open {len(CONTAINERS)}",
        "# TYPE apptheus_registrations_total counter",
        *(f'apptheus_registrations_total{{result="{r}"}} {fmt(t // 3)}'
          for r in ("accepted", "untrusted", "raced", "refused_limit", "error")),
        "# TYPE apptheus_sample_errors_total counter", f'apptheus_sample_errors_total{{reason="read"}} {fmt(t // 2)}',
        "# TYPE apptheus_cleanup_failures_total counter", f"apptheus_cleanup_failures_total {fmt(t // 4)}",
        "# TYPE apptheus_sweep_duration_seconds histogram",
        *(f'apptheus_sweep_duration_seconds_bucket{{le="{le}"}} {fmt(2 * t)}' for le in ("0.001", "0.01", "0.1", "+Inf")),
        f"apptheus_sweep_duration_seconds_sum {fmt(2 * t * 0.002)}",
        f"apptheus_sweep_duration_seconds_count {fmt(2 * t)}",
        "# TYPE process_cpu_usage gauge", "process_cpu_usage 0.01",
        "# TYPE jvm_memory_used_bytes gauge",
        'jvm_memory_used_bytes{area="heap",id="Tenured Gen"} 2.0E7',
        'jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 4.0E7',
    ]
    return "\n".join(out) + "\n"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = exposition().encode() if self.path == "/metrics" else b'{"status":"UP"}'
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4" if self.path == "/metrics" else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    threading.Timer(600, server.shutdown).start()  # never outlive a forgotten test
    server.serve_forever()


if __name__ == "__main__":
    main()
