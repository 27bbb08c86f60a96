#!/usr/bin/env python3
"""Writes fleet.json (Grafana dashboard for many nodes) and fleet-panel-queries.txt.

    python3 deploy/grafana/generate-fleet.py          # rewrite both files
    python3 deploy/grafana/generate-fleet.py --check  # exit 1 if either file is out of date

Every panel reads the fleet recording rules (deploy/prometheus/rules/apptheus-fleet-recording.yml
and apptheus-recording.yml), never the per-container series: a query over 5,000 nodes stays a
query over nodes, users and jobs. It works on Prometheus and on a PromQL store fed by remote_write
(VictoriaMetrics, Mimir, Thanos), which FleetIT checks query by query.

fleet-panel-queries.txt: one query per line as Prometheus takes it, with $node, $user and $job
replaced by .* (what "All" sends) and $__rate_interval by 1m. FleetIT also runs each query that
has $node once per node with $node set to that node alone, and expects data every time.
"""
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in deploy/grafana
sys.path.insert(0, str(HERE))
from generate import DS, panel, panel_queries, q, query_var, write_or_check  # noqa: E402  (apptheus.json's builder)

NODE = 'node=~"$node"'
USER = 'user=~"$user"'
JOB = 'slurm_job_id!="", slurm_job_id=~"$job", user=~"$user"'


def bars(title, expr, legend, unit, w=8, h=9, description=""):
    """A horizontal bar gauge of an instant query (top N)."""
    return dict(kind="bargauge", title=title, unit=unit, w=w, h=h, description=description,
                targets=[q(expr, legend, instant=True)])


ROWS = [
    ("Fleet", [
        dict(title="Agents up / nodes listed", kind="stat", unit="none", w=6, h=5,
             description="Nodes whose agent Prometheus scraped at the last scrape, and all nodes of the target list.",
             targets=[q(f"sum(node:up:max{{{NODE}}})", "up"), q(f"count(node:up:max{{{NODE}}})", "listed")]),
        dict(title="Containers", kind="stat", unit="none", w=6, h=5,
             description="Running containers, plus ended ones for --metrics.retain-exited.",
             targets=[q(f"sum(node:container_last_seen:count{{{NODE}}})", "containers")]),
        dict(title="Jobs / users", kind="stat", unit="none", w=6, h=5,
             description="Slurm jobs and users with at least one container.",
             targets=[q(f"count(slurm_job:container_last_seen:count{{{JOB}}})", "jobs"),
                      q(f"count(user:container_last_seen:count{{{USER}}})", "users")]),
        dict(title="CPU cores used, all containers", kind="stat", unit="none", w=6, h=5,
             targets=[q(f"sum(node:container_cpu_usage_seconds:rate1m{{{NODE}}})", "cores")]),
    ]),
    ("Nodes by load", [
        bars("Nodes by CPU cores used (top 20)", f"topk(20, node:container_cpu_usage_seconds:rate1m{{{NODE}}})",
             "{{node}}", "none", description="Containers' CPU, 1 = one core fully busy."),
        bars("Nodes by memory working set (top 20)",
             f"topk(20, node:container_memory_working_set_bytes:sum{{{NODE}}})", "{{node}}", "bytes"),
        bars("Nodes by CPU throttling (top 20)",
             f"topk(20, node:container_cpu_cfs_throttled_seconds:rate1m{{{NODE}}})", "{{node}}", "none",
             description="CPU time held back by the containers' CFS quotas, in cores."),
        dict(title="CPU cores used per node", unit="none", w=12,
             targets=[q(f"node:container_cpu_usage_seconds:rate1m{{{NODE}}}", "{{node}}")]),
        dict(title="Memory working set per node", unit="bytes", w=12,
             targets=[q(f"node:container_memory_working_set_bytes:sum{{{NODE}}}", "{{node}}")]),
        dict(title="Block IO per node (reads up, writes down)", unit="Bps", w=12, negative_prefix="write ",
             targets=[q(f"node:container_fs_reads_bytes:rate1m{{{NODE}}}", "read {{node}}"),
                      q(f"node:container_fs_writes_bytes:rate1m{{{NODE}}}", "write {{node}}")]),
        dict(title="OOM kills per node (last 5 minutes)", unit="none", w=12, bars=True,
             targets=[q(f"node:container_oom_events:increase5m{{{NODE}}}", "{{node}}")]),
        dict(title="Containers per node", unit="none", w=12, stack=True,
             targets=[q(f"node:container_last_seen:count{{{NODE}}}", "{{node}}")]),
        dict(title="Agents down", kind="table", w=12, h=8,
             description="Listed nodes whose agent was not scraped (ApptheusDown fires after 2 minutes).",
             targets=[q(f"node:up:max{{{NODE}}} == 0", "", instant=True, format="table")]),
    ]),
    ("Users", [
        bars("Top users by CPU cores", f"topk(10, user:container_cpu_usage_seconds:rate1m{{{USER}}})",
             "{{user}}", "none"),
        bars("Top users by memory working set", f"topk(10, user:container_memory_working_set_bytes:sum{{{USER}}})",
             "{{user}}", "bytes"),
        bars("Top users by containers", f"topk(10, user:container_last_seen:count{{{USER}}})", "{{user}}", "none"),
        dict(title="CPU cores per user", unit="none", w=12, stack=True,
             targets=[q(f"user:container_cpu_usage_seconds:rate1m{{{USER}}}", "{{user}}")]),
        dict(title="OOM kills and CPU throttling per user", unit="none", w=12, right_prefix="throttled ",
             description="OOM kills in the last 5 minutes (left); CPU time held back by quotas, in cores (right).",
             targets=[q(f"user:container_oom_events:increase5m{{{USER}}}", "oom {{user}}"),
                      q(f"user:container_cpu_cfs_throttled_seconds:rate1m{{{USER}}}", "throttled {{user}}")]),
    ]),
    ("Jobs", [
        bars("Top jobs by CPU cores", f"topk(15, slurm_job:container_cpu_usage_seconds:rate1m{{{JOB}}})",
             "{{slurm_job_id}} ({{user}})", "none"),
        bars("Top jobs by memory working set",
             f"topk(15, slurm_job:container_memory_working_set_bytes:sum{{{JOB}}})",
             "{{slurm_job_id}} ({{user}})", "bytes"),
        bars("Top jobs by block IO written",
             f"topk(15, slurm_job:container_fs_writes_bytes:rate1m{{{JOB}}})", "{{slurm_job_id}} ({{user}})", "Bps"),
        dict(title="Jobs: nodes and containers", kind="table", w=12, h=9,
             description="Nodes each job has containers on, and its containers.",
             targets=[q(f"slurm_job:node:count{{{JOB}}}", "", instant=True, format="table"),
                      q(f"slurm_job:container_last_seen:count{{{JOB}}}", "", instant=True, format="table")]),
        dict(title="CPU cores of the selected jobs, per node", unit="none", w=12, h=9, stack=True,
             targets=[q(f"node_slurm_job:container_cpu_usage_seconds:rate1m{{{JOB}, {NODE}}}",
                        "{{slurm_job_id}} @ {{node}}")]),
        dict(title="OOM kills per job and node (last 5 minutes)", kind="table", w=12, h=8,
             targets=[q(f"node_slurm_job:container_oom_events:increase5m{{{JOB}, {NODE}}} > 0", "",
                        instant=True, format="table")]),
        dict(title="Most throttled jobs (share of CFS periods)", kind="table", w=12, h=8,
             targets=[q(f"topk(15, node_slurm_job:container_cpu_cfs_throttled_periods:ratio_rate1m{{{JOB}, {NODE}}})",
                        "", instant=True, format="table")]),
    ]),
]


def bargauge(spec, pid, x, y):
    p = panel(dict(spec, kind="table"), pid, x, y)
    p["type"] = "bargauge"
    p["fieldConfig"] = {"defaults": {"unit": spec["unit"], "min": 0, "color": {"mode": "continuous-GrYlRd"}},
                        "overrides": []}
    p["options"] = {"orientation": "horizontal", "displayMode": "gradient", "showUnfilled": True,
                    "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                    "valueMode": "color", "namePlacement": "left", "sizing": "auto"}
    del p["transformations"]
    return p


def dashboard():
    panels, pid, y = [], 1, 0
    for title, specs in ROWS:
        panels.append({"id": pid, "type": "row", "title": title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        pid, y, x, row_h = pid + 1, y + 1, 0, 0
        for spec in specs:
            if x + spec["w"] > 24:
                x, y, row_h = 0, y + row_h, 0
            build = bargauge if spec.get("kind") == "bargauge" else panel
            panels.append(build(spec, pid, x, y))
            pid, x, row_h = pid + 1, x + spec["w"], max(row_h, spec.get("h", 8))
        y += row_h
    templating = [
        {"name": "DS_PROMETHEUS", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1,
         "regex": "", "skipUrlSync": False},
        query_var("node", "Node", "label_values(node:up:max, node)"),
        query_var("user", "User", "label_values(user:container_last_seen:count, user)"),
        query_var("job", "Slurm job", 'label_values(slurm_job:container_last_seen:count{user=~"$user"}, slurm_job_id)'),
    ]
    return {
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "description": "Apptainer containers across a cluster: nodes by load, top users, top Slurm jobs. "
                       "Reads the fleet recording rules only. Generated by deploy/grafana/generate-fleet.py.",
        "editable": True, "fiscalYearStartMonth": 0, "graphTooltip": 1, "id": None,
        "links": [{"title": "Per container", "type": "dashboards", "tags": ["apptheus"], "asDropdown": False}],
        "panels": panels, "refresh": "1m", "schemaVersion": 39, "tags": ["apptheus", "apptainer", "hpc", "fleet"],
        "templating": {"list": templating}, "time": {"from": "now-6h", "to": "now"}, "timepicker": {},
        "timezone": "", "title": "Apptheus - fleet", "uid": "apptheus-fleet", "version": 1, "weekStart": "",
    }


def main():
    dash = dashboard()
    return write_or_check({HERE / "fleet.json": json.dumps(dash, indent=2) + "\n",
                           HERE / "fleet-panel-queries.txt": panel_queries(dash, ("$node", "$user", "$job"))},
                          "generate-fleet.py")


if __name__ == "__main__":
    sys.exit(main())
