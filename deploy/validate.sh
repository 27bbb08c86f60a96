#!/usr/bin/env bash
# Checks every file under deploy/ with the tools that understand it. Changes nothing on
# the host (install.sh is exercised under a temporary --destdir), leaves nothing running.
#
#   deploy/validate.sh            # all checks
#   deploy/validate.sh --no-live  # without the ~25 s run of a real Prometheus
#   deploy/validate.sh --no-real  # without the real runs: the packages installed, upgraded and
#                                 # removed in a real systemd, the unit run by it, lintian, rpmlint
#                                 # (the failsafe ITs of docs/install.md, a few minutes)
#
# Tools: promtool + prometheus (apt-get install prometheus), systemd-analyze, python3 with
# yaml (python3-yaml); shellcheck and yamllint are used when installed.
# Ends with "N passed, M failed"; exit status 1 if anything failed.
set -uo pipefail

DEPLOY=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(dirname -- "$DEPLOY")
live=1
real=1
for arg in "$@"; do
    case $arg in
        --no-live) live=0 ;;
        --no-real) real=0 ;;
        *)
            echo "usage: deploy/validate.sh [--no-live] [--no-real]" >&2
            exit 2
            ;;
    esac
done
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

# check NAME COMMAND...: runs COMMAND, output to the log, one line of verdict.
check() {
    local name=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        passed=$((passed + 1))
        echo "ok    $name"
    else
        failed=$((failed + 1))
        echo "FAIL  $name"
        sed 's/^/      /' "$work/out"
    fi
}
skip() { echo "skip  $1"; }
have() { command -v "$1" >/dev/null 2>&1; }

cd -- "$REPO" || exit 1

# shell
for f in deploy/install.sh deploy/validate.sh deploy/prometheus/tests/live-queries.sh deploy/test/systemd-box.sh \
    deploy/debian/build-deb.sh deploy/rpm/build-rpm.sh \
    deploy/prometheus/apptheus-file-sd.sh deploy/prometheus/tests/kubernetes-as-file-sd.sh bench/fleet.sh; do
    check "bash -n $f" bash -n "$f"
done
check "sh -n deploy/bin/apptheus" sh -n deploy/bin/apptheus
if have shellcheck; then
    check "shellcheck" shellcheck deploy/install.sh deploy/validate.sh deploy/bin/apptheus deploy/prometheus/tests/live-queries.sh \
        deploy/test/systemd-box.sh deploy/debian/build-deb.sh deploy/rpm/build-rpm.sh \
        deploy/prometheus/apptheus-file-sd.sh deploy/prometheus/tests/kubernetes-as-file-sd.sh bench/fleet.sh
    check "shellcheck -s sh: Debian maintainer scripts" shellcheck -s sh deploy/debian/*.postinst deploy/debian/*.prerm \
        deploy/debian/*.postrm
else
    skip "shellcheck (not installed)"
fi

# systemd: verify wants ExecStart to exist, so a copy points at a stub launcher.
if have systemd-analyze; then
    printf '#!/bin/sh\n' >"$work/apptheus" && chmod +x "$work/apptheus"
    sed "s|^ExecStart=/usr/bin/apptheus|ExecStart=$work/apptheus|" deploy/systemd/apptheus.service >"$work/apptheus.service"
    cp deploy/systemd/apptheus.socket "$work/apptheus.socket"
    check "systemd-analyze verify apptheus.service + .socket (ExecStart -> stub; man page not installed here)" \
        systemd-analyze verify --man=no "$work/apptheus.service" "$work/apptheus.socket"
    # shellcheck disable=SC2016 # $u expands in the inner shell
    check "unit keeps Delegate=yes, KillMode=process, OOMPolicy=continue, relative cgroup parent" bash -c '
        u=deploy/systemd/apptheus.service
        grep -qx Delegate=yes $u && grep -qx KillMode=process $u && grep -qx OOMPolicy=continue $u &&
            grep -qx "Environment=APPTHEUS_CGROUP_PARENT=[^/].*" $u'
    check "unit: no cgroup-limit settings that would hit containers" bash -c \
        '! grep -E "^(Memory(Max|High|Limit)|CPUQuota|TasksMax=[0-9]|IO(Weight|DeviceWeight|[A-Z][a-z]*(Bandwidth|IOPS)Max|DeviceLatencyTargetSec)|DeviceAllow|DevicePolicy|PrivateDevices|ProtectClock|IPAddress(Allow|Deny)|ProtectControlGroups)=" deploy/systemd/apptheus.service'
else
    skip "systemd-analyze (not installed)"
fi

# Prometheus
if have promtool; then
    check "promtool check config" promtool check config deploy/prometheus/prometheus.yml
    check "promtool check config prometheus-fleet.yml" promtool check config deploy/prometheus/prometheus-fleet.yml
    # Debian's promtool has no Kubernetes discovery: the same file with file_sd in its place
    deploy/prometheus/tests/kubernetes-as-file-sd.sh "$work/k8s/*.json" >"$work/prometheus-kubernetes.yml"
    check "promtool check config prometheus-kubernetes.yml (kubernetes_sd -> file_sd)" \
        promtool check config "$work/prometheus-kubernetes.yml"
    check "promtool check rules" promtool check rules deploy/prometheus/rules/*.yml
    check "promtool test rules" promtool test rules deploy/prometheus/tests/*.test.yml
else
    skip "promtool (apt-get install prometheus)"
fi

# Grafana
check "apptheus.json is JSON" python3 -m json.tool deploy/grafana/apptheus.json
check "apptheus.json + panel-queries.txt match generate.py" python3 deploy/grafana/generate.py --check
check "fleet.json is JSON" python3 -m json.tool deploy/grafana/fleet.json
check "fleet.json + fleet-panel-queries.txt match generate-fleet.py" python3 deploy/grafana/generate-fleet.py --check
# shellcheck disable=SC2016 # expanded by the inner shell
check "apptheus-file-sd.sh: node list -> file_sd JSON, bad names refused" bash -c '
    out=$(printf "node001\nnode002 10.1.0.2 # c\n\n" | deploy/prometheus/apptheus-file-sd.sh -p 9091) &&
    [[ $(python3 -c "import json,sys; print(json.load(sys.stdin))" <<<"$out") == "[{'"'"'targets'"'"': ['"'"'node001:9091'"'"'], '"'"'labels'"'"': {'"'"'node'"'"': '"'"'node001'"'"'}}, {'"'"'targets'"'"': ['"'"'10.1.0.2:9091'"'"'], '"'"'labels'"'"': {'"'"'node'"'"': '"'"'node002'"'"'}}]" ]] &&
    ! printf "no\"de\n" | deploy/prometheus/apptheus-file-sd.sh 2>/dev/null'
check "dashboard: schemaVersion, \${DS_PROMETHEUS}, user/name variables" python3 - <<'EOF'
import json
d = json.load(open("deploy/grafana/apptheus.json"))
assert 36 <= d["schemaVersion"] <= 41, d["schemaVersion"]
names = {v["name"]: v for v in d["templating"]["list"]}
assert names["DS_PROMETHEUS"]["type"] == "datasource"
for v in ("user", "name"):
    assert names[v]["definition"].startswith("label_values("), v
targets = [t for p in d["panels"] for t in p.get("targets", [])]
assert all(p["datasource"]["uid"] == "${DS_PROMETHEUS}" for p in d["panels"] if p["type"] != "row")
assert len(targets) == len(open("deploy/grafana/panel-queries.txt").read().splitlines())
EOF

# Kubernetes
check "daemonset.yaml parses (one DaemonSet)" python3 -c '
import yaml, sys
docs = list(yaml.safe_load_all(open("deploy/kubernetes/daemonset.yaml")))
assert len(docs) == 1 and docs[0]["kind"] == "DaemonSet", docs
s = docs[0]["spec"]["template"]["spec"]
assert s["hostPID"] is True and s["containers"][0]["securityContext"]["privileged"] is True
'
if have yamllint; then
    check "yamllint deploy/" yamllint -c deploy/.yamllint deploy/
else
    skip "yamllint (not installed)"
fi

# install.sh round trip under a temporary root (needs the built jar; does not build)
if [[ -f target/quarkus-app/quarkus-run.jar ]]; then
    root=$work/root
    check "install.sh --destdir: first run" deploy/install.sh --jvm --destdir="$root" --no-build
    check "install.sh --destdir: second run changes nothing" bash -c \
        "out=\$(deploy/install.sh --jvm --destdir='$root' --no-build) && ! grep -q '^apptheus-install: installed' <<<\"\$out\""
    # The staged launcher names the final /opt/apptheus; this copy names the staged one.
    sed "s|^APP_DIR=.*|APP_DIR='$root/opt/apptheus'|" "$root/usr/local/bin/apptheus" >"$work/launcher"
    check "launcher finds Java 17+ and the JVM accepts its flags (-version)" env \
        APPTHEUS_JAVA_OPTS=-version sh "$work/launcher"
    check "install.sh --destdir --uninstall leaves nothing" bash -c \
        "deploy/install.sh --destdir='$root' --uninstall && [[ -z \$(find '$root' -type f) ]]"
else
    skip "install.sh round trip (no target/quarkus-app; run ./mvnw -B -DskipTests package)"
fi
# the same with the native executable, when a -Dnative build left one (here: the stand-in's, allowed
# for this staged copy only)
runner=""
for f in target/*-runner; do
    [[ -x $f && ( -z $runner || $f -nt $runner ) ]] && runner=$f
done
if [[ -n $runner ]]; then
    root=$work/root-native
    check "install.sh --native --destdir: installs the executable alone" bash -c \
        "APPTHEUS_INSTALL_STANDIN=1 deploy/install.sh --native --destdir='$root' && [[ -x '$root/opt/apptheus/apptheus' && ! -e '$root/opt/apptheus/quarkus-run.jar' ]]"
    sed "s|^APP_DIR=.*|APP_DIR='$root/opt/apptheus'|" "$root/usr/local/bin/apptheus" >"$work/launcher-native"
    check "launcher runs the native executable (--version; no jar is installed)" \
        sh "$work/launcher-native" --version
    check "install.sh --native --destdir --uninstall leaves nothing" bash -c \
        "deploy/install.sh --destdir='$root' --uninstall && [[ -z \$(find '$root' -type f) ]]"
else
    skip "install.sh round trip of the native executable (no target/*-runner; ./mvnw -B package -Dnative)"
fi

# The real runs: the packages built by ./mvnw package, installed, upgraded, removed and purged by
# dpkg in a real systemd (deploy/test/systemd-box.sh), the unit run by it, lintian and rpmlint
if ((real)) && compgen -G "target/apptheus_*_all.deb" >/dev/null; then
    check "real: DebianPackageIT, SystemdUnitIT, RpmPackageIT, PackageLintIT (./mvnw failsafe)" \
        ./mvnw -B -q test-compile failsafe:integration-test failsafe:verify \
        -Dit.test=DebianPackageIT,SystemdUnitIT,RpmPackageIT,PackageLintIT
elif ((real)); then
    skip "real runs (no target/apptheus_*_all.deb; run ./mvnw -B -DskipTests package)"
else
    skip "real runs (--no-real)"
fi

# A real Prometheus evaluating every dashboard query and rule
if ((live)) && have prometheus; then
    check "live: panel queries and rules on a real Prometheus" deploy/prometheus/tests/live-queries.sh
else
    skip "live Prometheus queries"
fi

echo "$passed passed, $failed failed"
((failed == 0))
