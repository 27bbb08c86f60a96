#!/usr/bin/env python3
"""Summarises a JFR recording of the agent (from bench/run.sh --jfr DIR).

Usage: bench/jfrsum.py RECORDING.jfr [--top 25] [--threads REGEX]

Prints: CPU samples (jdk.ExecutionSample) by thread, by top frame and inclusively by method;
allocation (jdk.ObjectAllocationSample weights) by class and by allocating frame; the bytes each
thread allocated per second (jdk.ThreadAllocationStatistics, sampled every second by bench.jfc).
"""
import argparse
import collections
import json
import re
import subprocess
import sys


def events(path, name):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", name, path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


# native frames where a thread waits rather than runs (jdk.NativeMethodSample samples both)
WAITING = re.compile(r"epollWait|EPoll\.wait|accept0|Net\.poll|socketRead|Unsafe\.park|Thread\.sleep|Object\.wait|"
                     r"waitForReferencePendingList|FileDispatcherImpl\.read0|ProcessHandleImpl\.waitForProcessExit")
# the recording's own machinery
SELF = re.compile(r"Attach Listener|JFR |Notification Thread")


def frame_name(f):
    m = f["method"]
    return f'{m["type"]["name"]}.{m["name"]}'


def thread_name(t):
    if not t:
        return "?"
    n = t.get("javaName") or t.get("osName") or "?"
    return re.sub(r"\d+$", "N", n)


def show(title, counter, total, top, unit=""):
    print(f"\n## {title}")
    for k, v in counter.most_common(top):
        print(f"{100 * v / total:6.1f}%  {v:>12,.0f}{unit}  {k}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("jfr")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--threads", default="")
    a = ap.parse_args()
    tre = re.compile(a.threads) if a.threads else None

    ev = events(a.jfr, "jdk.ExecutionSample") + events(a.jfr, "jdk.NativeMethodSample")
    by_thread, top_frame, inclusive, app_top = (collections.Counter() for _ in range(4))
    n = 0
    for e in ev:
        v = e["values"]
        t = thread_name(v.get("sampledThread"))
        if tre and not tre.search(t):
            continue
        frames = v["stackTrace"]["frames"] if v.get("stackTrace") else []
        if frames and WAITING.search(frame_name(frames[0])):
            continue
        n += 1
        by_thread[t] += 1
        if frames:
            top_frame[frame_name(frames[0])] += 1
            for f in {frame_name(f) for f in frames}:
                inclusive[f] += 1
            for f in frames:
                if f["method"]["type"]["name"].startswith("io.apptheus"):
                    app_top[frame_name(f)] += 1
                    break
    print(f"# {a.jfr}: {n} execution samples (Java and native)")
    if n:
        show("CPU samples by thread", by_thread, n, a.top)
        show("CPU samples by top frame (self)", top_frame, n, a.top)
        show("CPU samples by method (inclusive)", inclusive, n, a.top)
        show("CPU samples by innermost io.apptheus frame", app_top, n, a.top)

    ev = events(a.jfr, "jdk.ObjectAllocationSample")
    by_class, by_frame, by_site = collections.Counter(), collections.Counter(), collections.Counter()
    total = 0
    for e in ev:
        v = e["values"]
        t = thread_name(v.get("eventThread"))
        if (tre and not tre.search(t)) or SELF.search(t):
            continue
        w = v.get("weight", 0)
        total += w
        by_class[v["objectClass"]["name"]] += w
        frames = v["stackTrace"]["frames"] if v.get("stackTrace") else []
        if frames:
            by_frame[frame_name(frames[0])] += w
            app = next((frame_name(f) for f in frames if f["method"]["type"]["name"].startswith("io.apptheus")), "-")
            by_site[f"{t}: {app}"] += w
    if total:
        print(f"\n# allocation samples: {total / 1e6:,.1f} MB estimated in total")
        show("allocated bytes by class", by_class, total, a.top, " B")
        show("allocated bytes by allocating frame", by_frame, total, a.top, " B")
        show("allocated bytes by thread: innermost io.apptheus frame", by_site, total, a.top, " B")

    ev = events(a.jfr, "jdk.ThreadAllocationStatistics")
    series = collections.defaultdict(list)
    for e in ev:
        v = e["values"]
        t = v.get("thread") or {}
        if not SELF.search(t.get("javaName") or ""):
            series[f'{t.get("javaName")} #{t.get("javaThreadId")}'].append((e["values"]["startTime"], v["allocated"]))
    if series:
        print("\n## allocated bytes per second by thread (first to last sample)")
        rows = []
        for t, pts in series.items():
            pts.sort()
            if len(pts) >= 2:
                # startTime is ISO text; JFR samples every second: use the sample count
                rate = (pts[-1][1] - pts[0][1]) / (len(pts) - 1)
                rows.append((rate, t))
        for rate, t in sorted(rows, reverse=True)[: a.top]:
            print(f"{rate:>14,.0f} B/s  {t}")


if __name__ == "__main__":
    sys.exit(main())
