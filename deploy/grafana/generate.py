#!/usr/bin/env python3
"""Writes apptheus.json (Grafana dashboard) and panel-queries.txt from the panel list below.

    python3 deploy/grafana/generate.py          # rewrite both files
    python3 deploy/grafana/generate.py --check  # exit 1 if either file is out of date

panel-queries.txt holds every panel query, one per line, with the dashboard variables
replaced so that Prometheus accepts it as is: $instance, $user, $slurm_job_id, $name -> .* (what "All"
sends, allValue), $__rate_interval -> 1m. Template-variable queries (label_values(...))
are Grafana functions, not PromQL, and are not listed.
"""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}

# Selectors: job="apptheus" keeps cAdvisor's series of the same names out.
AGENT = 'job="apptheus", instance=~"$instance"'
CTR = 'job="apptheus", instance=~"$instance", user=~"$user", name=~"$name"'
BY_CTR = "instance, name, user"
LEGEND_CTR = "{{user}} {{name}} @ {{instance}}"
JOB = 'job="apptheus", instance=~"$instance", user=~"$user", slurm_job_id=~"$slurm_job_id"'
BY_JOB = "slurm_job_id, user"
LEGEND_JOB = "job {{slurm_job_id}} ({{user}})"


def q(expr, legend, **extra):
    return dict(expr=" ".join(expr.split()), legend=legend, **extra)


def pressure(kind):
    return [
        q(f"sum by ({BY_CTR}) (rate(container_pressure_{res}_{kind}_seconds_total{{{CTR}}}[$__rate_interval]))",
          f"{res} {LEGEND_CTR}")
        for res in ("cpu", "memory", "io")
    ]


ROWS = [
    ("Containers", [
        dict(title="CPU cores used per container", unit="none", w=12,
             description="rate(container_cpu_usage_seconds_total): 1 = one core fully busy.",
             targets=[q(f"sum by ({BY_CTR}) (rate(container_cpu_usage_seconds_total{{{CTR}}}[$__rate_interval]))",
                        LEGEND_CTR)]),
        dict(title="CPU throttled (share of CFS periods)", unit="percentunit", w=12,
             description="Throttled periods / periods: only containers with a CPU quota have any.",
             targets=[q(f"""sum by ({BY_CTR}) (rate(container_cpu_cfs_throttled_periods_total{{{CTR}}}[$__rate_interval]))
                          / sum by ({BY_CTR}) (rate(container_cpu_cfs_periods_total{{{CTR}}}[$__rate_interval]) > 0)""",
                        LEGEND_CTR)]),
        dict(title="Memory working set vs limit", unit="bytes", w=12,
             description="Working set = usage - inactive file cache. Dashed: the memory limit, "
                         "shown only when finite (+Inf = no limit).",
             dashed_prefix="limit ",
             targets=[q(f"max by ({BY_CTR}) (container_memory_working_set_bytes{{{CTR}}})", LEGEND_CTR),
                      q(f"max by ({BY_CTR}) (container_spec_memory_limit_bytes{{{CTR}}} < 9e18)",
                        f"limit {LEGEND_CTR}")]),
        dict(title="Block IO bytes/s (reads up, writes down)", unit="Bps", w=12,
             description="All devices together; writes are drawn below the axis.",
             negative_prefix="write ",
             targets=[q(f"sum by ({BY_CTR}) (rate(container_fs_reads_bytes_total{{{CTR}}}[$__rate_interval]))",
                        f"read {LEGEND_CTR}"),
                      q(f"sum by ({BY_CTR}) (rate(container_fs_writes_bytes_total{{{CTR}}}[$__rate_interval]))",
                        f"write {LEGEND_CTR}")]),
        dict(title="Pressure (PSI): some task waiting", unit="percentunit", w=12,
             description="Share of wall time in which at least one task of the container waited "
                         "for CPU, memory or IO (the 'some' line of *.pressure).",
             targets=pressure("waiting")),
        dict(title="Pressure (PSI): all tasks stalled", unit="percentunit", w=12,
             description="Share of wall time in which all non-idle tasks were stalled at once "
                         "(the 'full' line of *.pressure).",
             targets=pressure("stalled")),
        dict(title="OOM kills", unit="none", w=12, bars=True,
             description="Processes killed by the kernel OOM killer inside the container "
                         "(memory.events oom_kill).",
             targets=[q(f"sum by ({BY_CTR}) (increase(container_oom_events_total{{{CTR}}}[$__rate_interval])) > 0",
                        LEGEND_CTR)]),
        dict(title="Containers per user", unit="none", w=12, stack=True,
             description="Running containers, plus ended ones for --metrics.retain-exited.",
             targets=[q('count by (user, uid) (container_last_seen{job="apptheus", instance=~"$instance", user=~"$user"})',
                        "{{user}} ({{uid}})")]),
    ]),
    ("Slurm jobs", [
        dict(title="CPU cores used per Slurm job", unit="none", w=12,
             description="Containers started in Slurm jobs (agent flag --label.slurm=true), summed per job over "
                         "all nodes; choose jobs with the Slurm job variable. docs/slurm.md.",
             targets=[q(f"sum by ({BY_JOB}) (rate(container_cpu_usage_seconds_total{{{JOB}}}[$__rate_interval]))",
                        LEGEND_JOB)]),
        dict(title="Memory working set per Slurm job", unit="bytes", w=12,
             description="In placement auto a container's memory is its Slurm task's, within the job's --mem.",
             targets=[q(f"sum by ({BY_JOB}) (container_memory_working_set_bytes{{{JOB}}})", LEGEND_JOB)]),
        dict(title="OOM kills per Slurm job", unit="none", w=12, bars=True,
             description="Kills by the job's memory limit; the job then ends OUT_OF_MEMORY unless the "
                         "container survives the kill.",
             targets=[q(f"sum by ({BY_JOB}) (increase(container_oom_events_total{{{JOB}}}[$__rate_interval])) > 0",
                        LEGEND_JOB)]),
        dict(title="Containers per Slurm job", unit="none", w=12, stack=True,
             description="Running containers, plus ended ones for --metrics.retain-exited.",
             targets=[q(f"count by ({BY_JOB}) (container_last_seen{{{JOB}}})", LEGEND_JOB)]),
    ]),
    ("Agent health", [
        dict(title="Agent up", kind="stat", unit="none", w=6, h=6,
             description="Prometheus' scrape of each agent: 1 = up.",
             targets=[q(f"up{{{AGENT}}}", "{{instance}}")]),
        dict(title="Monitored containers / open connections", unit="none", w=9, h=6,
             targets=[q(f"sum by (instance) (apptheus_containers{{{AGENT}}})", "containers {{instance}}"),
                      q(f"sum by (instance) (apptheus_connections_open{{{AGENT}}})", "connections {{instance}}")]),
        dict(title="Sweep duration p99", unit="s", w=9, h=6,
             description="99th percentile of one sweep over all containers; must stay well "
                         "under --monitor.interval (0.5 s).",
             targets=[q(f"histogram_quantile(0.99, sum by (instance, le) (rate(apptheus_sweep_duration_seconds_bucket{{{AGENT}}}[$__rate_interval])))",
                        "{{instance}}")]),
        dict(title="Registrations by result", unit="reqps", w=8, h=7,
             description="accepted, untrusted (caller not in --trust.path), raced (ended before "
                         "it was moved), refused_limit, error.",
             targets=[q(f"sum by (instance, result) (rate(apptheus_registrations_total{{{AGENT}}}[$__rate_interval]))",
                        "{{result}} {{instance}}")]),
        dict(title="Sample and cleanup errors", unit="reqps", w=8, h=7,
             targets=[q(f"sum by (instance, reason) (rate(apptheus_sample_errors_total{{{AGENT}}}[$__rate_interval]))",
                        "sample {{reason}} {{instance}}"),
                      q(f"sum by (instance) (rate(apptheus_cleanup_failures_total{{{AGENT}}}[$__rate_interval]))",
                        "cleanup {{instance}}")]),
        dict(title="Agent CPU and JVM memory", unit="bytes", w=8, h=7,
             right_prefix="cpu ",
             description="Heap + non-heap in use (left); process_cpu_usage, 1 = all cores (right).",
             targets=[q(f"sum by (instance, area) (jvm_memory_used_bytes{{{AGENT}}})", "{{area}} {{instance}}"),
                      q(f"max by (instance) (process_cpu_usage{{{AGENT}}})", "cpu {{instance}}")]),
        dict(title="Build", kind="table", w=24, h=5,
             targets=[q(f"max by (instance, version, revision, branch, javaversion) (apptheus_build_info{{{AGENT}}})",
                        "", instant=True, format="table")]),
    ]),
]


def override_by_prefix(prefix, props):
    return {"matcher": {"id": "byRegexp", "options": f"/^{re.escape(prefix)}/"}, "properties": props}


def panel(spec, pid, x, y):
    kind = spec.get("kind", "timeseries")
    targets = []
    for i, t in enumerate(spec["targets"]):
        tgt = {"datasource": DS, "editorMode": "code", "expr": t["expr"], "legendFormat": t["legend"] or "__auto",
               "range": not t.get("instant", False), "instant": t.get("instant", False), "refId": chr(ord("A") + i)}
        if t.get("format"):
            tgt["format"] = t["format"]
        targets.append(tgt)
    p = {"id": pid, "type": kind, "title": spec["title"], "description": spec.get("description", ""),
         "datasource": DS, "gridPos": {"h": spec.get("h", 8), "w": spec["w"], "x": x, "y": y},
         "targets": targets}
    if kind == "timeseries":
        custom = {"drawStyle": "bars" if spec.get("bars") else "line", "lineWidth": 1,
                  "fillOpacity": 60 if spec.get("bars") or spec.get("stack") else 0,
                  "showPoints": "never", "spanNulls": False, "axisSoftMin": 0,
                  "stacking": {"mode": "normal" if spec.get("stack") else "none", "group": "A"}}
        overrides = []
        if spec.get("dashed_prefix"):
            overrides.append(override_by_prefix(spec["dashed_prefix"], [
                {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}]))
        if spec.get("negative_prefix"):
            overrides.append(override_by_prefix(spec["negative_prefix"], [
                {"id": "custom.transform", "value": "negative-Y"}]))
            del custom["axisSoftMin"]
        if spec.get("right_prefix"):
            overrides.append(override_by_prefix(spec["right_prefix"], [
                {"id": "custom.axisPlacement", "value": "right"}, {"id": "unit", "value": "percentunit"}]))
        p["fieldConfig"] = {"defaults": {"unit": spec["unit"], "custom": custom}, "overrides": overrides}
        p["options"] = {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True,
                                   "calcs": ["mean", "max"]},
                        "tooltip": {"mode": "multi", "sort": "desc"}}
    elif kind == "stat":
        p["fieldConfig"] = {"defaults": {"unit": spec["unit"], "mappings": [
            {"type": "value", "options": {"0": {"text": "DOWN", "color": "red"}, "1": {"text": "UP", "color": "green"}}}],
            "thresholds": {"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "green", "value": 1}]}},
            "overrides": []}
        p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                        "colorMode": "background", "graphMode": "none", "textMode": "value_and_name",
                        "orientation": "auto", "justifyMode": "auto"}
    elif kind == "table":
        p["fieldConfig"] = {"defaults": {}, "overrides": []}
        p["options"] = {"showHeader": True, "cellHeight": "sm"}
        p["transformations"] = [{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True}}}]
    return p


def query_var(name, label, definition):
    return {"name": name, "label": label, "type": "query", "datasource": DS, "definition": definition,
            "query": {"qryType": 1, "query": definition, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "refresh": 2, "includeAll": True, "allValue": ".*", "multi": True, "sort": 1, "hide": 0,
            "regex": "", "current": {}, "options": [], "skipUrlSync": False}


def dashboard():
    panels, pid, y = [], 1, 0
    for title, specs in ROWS:
        panels.append({"id": pid, "type": "row", "title": title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})
        pid, y, x, row_h = pid + 1, y + 1, 0, 0
        for spec in specs:
            if x + spec["w"] > 24:
                x, y, row_h = 0, y + row_h, 0
            panels.append(panel(spec, pid, x, y))
            pid, x, row_h = pid + 1, x + spec["w"], max(row_h, spec.get("h", 8))
        y += row_h
    templating = [
        {"name": "DS_PROMETHEUS", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {}, "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1,
         "regex": "", "skipUrlSync": False},
        query_var("instance", "Node", 'label_values(up{job="apptheus"}, instance)'),
        query_var("user", "User", 'label_values(container_last_seen{job="apptheus", instance=~"$instance"}, user)'),
        query_var("slurm_job_id", "Slurm job",
                  'label_values(container_last_seen{job="apptheus", instance=~"$instance", user=~"$user"}, slurm_job_id)'),
        query_var("name", "Container",
                  'label_values(container_last_seen{job="apptheus", instance=~"$instance", user=~"$user"}, name)'),
    ]
    return {
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "description": "Apptainer containers measured by Apptheus (cgroup counters), and the agent's health. "
                       "Generated by deploy/grafana/generate.py.",
        "editable": True, "fiscalYearStartMonth": 0, "graphTooltip": 1, "id": None, "links": [],
        "panels": panels, "refresh": "30s", "schemaVersion": 39, "tags": ["apptheus", "apptainer", "hpc"],
        "templating": {"list": templating}, "time": {"from": "now-1h", "to": "now"}, "timepicker": {},
        "timezone": "", "title": "Apptheus - Apptainer containers", "uid": "apptheus", "version": 1,
        "weekStart": "",
    }


DASHBOARD_VARIABLES = ("$instance", "$user", "$slurm_job_id", "$name")


def panel_queries(dash, variables=DASHBOARD_VARIABLES):
    """Every panel's query with the dashboard's variables matching anything: what a test runs."""
    lines = []
    for p in dash["panels"]:
        for t in p.get("targets", []):
            expr = t["expr"]
            for var in variables:
                expr = expr.replace(var, ".*")
            expr = expr.replace("$__rate_interval", "1m")
            assert "$" not in expr, expr
            lines.append(expr)
    return "\n".join(lines) + "\n"


def write_or_check(outputs, script):
    """Writes the generated files, or with --check says which differ from what is committed."""
    if "--check" in sys.argv[1:]:
        stale = [str(p) for p, text in outputs.items() if not p.exists() or p.read_text() != text]
        if stale:
            print(f"out of date (run deploy/grafana/{script}):", *stale)
            return 1
        print(" and ".join(p.name for p in outputs), "are up to date")
        return 0
    for path, text in outputs.items():
        path.write_text(text)
        print("wrote", path)
    return 0


def main():
    dash = dashboard()
    return write_or_check({HERE / "apptheus.json": json.dumps(dash, indent=2) + "\n",
                           HERE / "panel-queries.txt": panel_queries(dash)}, "generate.py")


if __name__ == "__main__":
    sys.exit(main())
