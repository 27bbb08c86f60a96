#!/usr/bin/env bash
# Runs every dashboard query (deploy/grafana/panel-queries.txt) and every recording rule
# against a real Prometheus that scrapes fake_apptheus.py, and checks that the rule files
# load with health "ok". Everything listens on 127.0.0.1 only, stops within ~2 minutes,
# and is killed (by PID) on exit.
#
#   deploy/prometheus/tests/live-queries.sh    # needs prometheus (apt-get install prometheus), python3
#   PROM_PORT=19090 FAKE_PORT=19091 ...          # ports, if those are taken
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
DEPLOY=$(cd -- "$HERE/../.." && pwd -P)
PROM_PORT=${PROM_PORT:-19090}
FAKE_PORT=${FAKE_PORT:-19091}
PROMETHEUS=${PROMETHEUS:-prometheus}
command -v "$PROMETHEUS" >/dev/null || {
    echo "live-queries: no prometheus binary (apt-get install prometheus); skipped"
    exit 0
}

work=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf -- "$work"
}
trap cleanup EXIT

# The shipped config, pointed at the fake agent and sped up (1 s scrapes and rule runs).
cp -r -- "$DEPLOY/prometheus/rules" "$work/rules"
sed -e "s/localhost:9091/127.0.0.1:$FAKE_PORT/" \
    -e 's/scrape_interval: .*/scrape_interval: 1s/' \
    -e 's/scrape_timeout: .*/scrape_timeout: 1s/' \
    -e 's/evaluation_interval: .*/evaluation_interval: 1s/' \
    "$DEPLOY/prometheus/prometheus.yml" >"$work/prometheus.yml"

python3 "$HERE/fake_apptheus.py" "$FAKE_PORT" &
pids+=($!)
"$PROMETHEUS" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" >"$work/prometheus.log" 2>&1 &
pids+=($!)

python3 - "$PROM_PORT" "$DEPLOY/grafana/panel-queries.txt" "$work/prometheus.log" <<'EOF'
import json, sys, time, urllib.parse, urllib.request

port, queries_file, log = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"

def get(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)

def query(expr):
    try:
        return get("/api/v1/query", query=expr)
    except urllib.error.HTTPError as e:  # 400 carries the PromQL error
        return json.load(e)

deadline = time.time() + 60
while True:
    try:
        if query('up{job="apptheus"} == 1')["data"]["result"]:
            break
    except (OSError, ValueError, KeyError):
        pass
    if time.time() > deadline:
        sys.exit("live-queries: Prometheus never scraped the fake agent; log:\n" + open(log).read()[-3000:])
    time.sleep(1)
time.sleep(15)  # rate() needs two scrapes, OOM kills come every 5 s, rules run every 1 s

passed = failed = 0
def check(what, expr):
    global passed, failed
    r = query(expr)
    n = len(r.get("data", {}).get("result", [])) if r.get("status") == "success" else -1
    if n > 0:
        passed += 1
        print(f"ok   {n:2d} series  {what}: {expr}")
    else:
        failed += 1
        print(f"FAIL {'error: ' + r.get('error', '') if n < 0 else 'no data'}  {what}: {expr}")

for line in open(queries_file):
    if line.strip():
        check("panel", line.strip())

groups = get("/api/v1/rules")["data"]["groups"]
for g in groups:
    for rule in g["rules"]:
        if rule["health"] != "ok":
            failed += 1
            print(f"FAIL rule {rule['name']} health={rule['health']} {rule.get('lastError', '')}")
        elif rule["type"] == "recording":
            check("record", rule["name"])
        else:
            passed += 1
            print(f"ok   rule {rule['name']} loads and evaluates (state {rule['state']})")
if not groups:
    failed += 1
    print("FAIL no rule groups loaded")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
EOF
