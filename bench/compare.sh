#!/usr/bin/env bash
# The Go original beside this agent, JVM and native, in one run (bench/README.md).
#
#   bench/compare.sh [--sizes 0,100,1000] [--window 20] [--native PATH] [--no-native] [--no-save]
#                    [--go PATH] [--no-go] [--no-jvm] [--keep] [other options of bench/compare.py]
#
# Agents, each with its installed flags:
#   go      ../shared/anchors/apptheus-go-tickerfix (--go PATH for another build)
#   native  target/*-runner (./mvnw package -Dnative; bench/native.sh builds one with the stand-in),
#           started through deploy/bin/apptheus as installed with it (deploy/install.sh)
#   jvm     target/quarkus-app through deploy/bin/apptheus (built with ./mvnw package if missing)
# For each N the three run one after the other; the table (start, CPU, RSS, threads, scrape,
# series, µs per series and per container-sample, load before and after) is printed and appended to
# bench/RESULTS.md. Needs root, gcc, python3, java. The Go original puts its cgroups at the ROOT
# of every hierarchy (/metric_gateway): run this with nothing else using that name; whatever the
# run made is removed at the end, on failure and Ctrl-C too. More agents (another build, other
# run-time options): --agent NAME=COMMAND, e.g. "native-xmn16=env APPTHEUS_NATIVE_OPTS=-Xmn16m L"
# with L a copy of deploy/bin/apptheus whose @APP_DIR@ holds that build as `apptheus`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

die() {
    echo "compare: $*" >&2
    exit 2
}

go_bin=$(cd "$repo/.." && pwd)/shared/anchors/apptheus-go-tickerfix
native=
use_native=1
use_go=1
use_jvm=1
save=1
keep=0
pass=()
while [ $# -gt 0 ]; do
    case $1 in
        --go) go_bin=${2?}; shift 2 ;;
        --native) native=${2?}; shift 2 ;;
        --no-native) use_native=0; shift ;;
        --no-go) use_go=0; shift ;;
        --no-jvm) use_jvm=0; shift ;;
        --no-save) save=0; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done

[ "$(id -u)" = 0 ] || die "must run as root (the agents create cgroups and move processes)"
command -v gcc >/dev/null || die "gcc not found"
command -v python3 >/dev/null || die "python3 not found"
[ "$use_go" = 0 ] || [ -x "$go_bin" ] || die "no Go original at $go_bin (--go PATH)"
if [ "$use_native" = 1 ] && [ -z "$native" ]; then
    for f in "$repo"/target/*-runner; do
        if [ -x "$f" ] && { [ -z "$native" ] || [ "$f" -nt "$native" ]; }; then native=$f; fi
    done
    [ -n "$native" ] || die "no target/*-runner: build one (bench/native.sh test, or ./mvnw package -Dnative), give --native PATH, or --no-native"
fi

work=$(mktemp -d /tmp/apptheus-compare.XXXXXX)
chmod 755 "$work"
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    if [ -f "$work/pgids" ]; then # last resort if compare.py could not clean up
        while read -r g; do kill -KILL -- "-$g" 2>/dev/null || true; done <"$work/pgids"
        # the Go original's cgroups of our starters (their PIDs are the process groups above)
        sleep 0.5
        while read -r g; do
            find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path "*/metric_gateway/*_$g" \
                -exec rmdir {} + 2>/dev/null || true
        done <"$work/pgids"
    fi
    remove_leftovers "$work" apptheus-cmp- compare
    if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then
        echo "compare: logs kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$work/bin" "$work/app"
gcc -O2 -Wall -Wextra -pthread -o "$work/bin/fakestarter" "$repo/src/test/c/fakestarter.c"

jar="$repo/target/quarkus-app/quarkus-run.jar"
if [ "$use_jvm" = 1 ] && [ ! -f "$jar" ]; then
    echo "compare: building the jar (./mvnw -B -q package -DskipTests)" >&2
    (cd "$repo" && ./mvnw -B -q package -DskipTests)
fi
# The launcher as deploy/install.sh installs it: for the JVM pointed at the build's quarkus-app;
# for the native executable at a directory holding only that executable
sed "s#@APP_DIR@#$repo/target/quarkus-app#" "$repo/deploy/bin/apptheus" >"$work/bin/apptheus-jvm"
sed "s#@APP_DIR@#$work/app#" "$repo/deploy/bin/apptheus" >"$work/bin/apptheus-native"
chmod 755 "$work/bin/apptheus-jvm" "$work/bin/apptheus-native"

agents=()
labels=
if [ "$use_go" = 1 ]; then
    agents+=(--agent "go=$go_bin")
    labels+="go = $(basename "$go_bin") (../shared/anchors); "
fi
if [ "$use_native" = 1 ]; then
    ln -s "$(readlink -f "$native")" "$work/app/apptheus"
    agents+=(--agent "native=$work/bin/apptheus-native")
    labels+="native = $(basename "$native") ($(stat -c %s "$native") bytes, built $(date -u -r "$native" '+%F %H:%M UTC')) through deploy/bin/apptheus${APPTHEUS_NATIVE_OPTS:+ + $APPTHEUS_NATIVE_OPTS}; "
fi
if [ "$use_jvm" = 1 ]; then
    agents+=(--agent "jvm=$work/bin/apptheus-jvm")
    # shellcheck disable=SC2016 # literal $ in the pattern
    flags=$(sed -n '/^exec "\$java_bin"/,/-jar/p' "$repo/deploy/bin/apptheus" | grep -o -- '-[XD][^ ]*' | tr '\n' ' ')
    labels+="jvm = $(java -version 2>&1 | head -1 | cut -d'"' -f2), deploy/bin/apptheus: ${flags% }${APPTHEUS_JAVA_OPTS:+ + $APPTHEUS_JAVA_OPTS}"
fi

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$repo" status --porcelain -- src deploy 2>/dev/null)" ] || commit="$commit+dirty"
extra=()
[ "$save" = 1 ] && extra+=(--results "$here/RESULTS.md")

python3 "$here/compare.py" "${agents[@]}" --labels "$labels" --workdir "$work" \
    --fakestarter "$work/bin/fakestarter" --commit "$commit" --json "$work/results.json" "${extra[@]}" "${pass[@]}"
