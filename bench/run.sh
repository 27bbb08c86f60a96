#!/usr/bin/env bash
# Apptheus agent benchmark: one command, see bench/README.md.
#
#   bench/run.sh [--agent-cmd 'CMD'] [--sizes 10,100,1000,2000] [--window 30] [--interval 0.5s]
#                [--jfr DIR] [--no-save] [--keep] [other options of bench/bench.py]
#
# Needs root, gcc, java (for the default agent), python3. Builds the helpers (fake starter, floor
# reader, registration storm) into a temporary directory, builds the agent jar if it is missing,
# runs bench/bench.py, prints one markdown table and appends it to bench/RESULTS.md. Whatever it
# started or created is removed on exit, on failure and on Ctrl-C too.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

die() {
    echo "bench: $*" >&2
    exit 2
}

agent_cmd=
jfr_dir=
save=1
keep=0
pass=()
while [ $# -gt 0 ]; do
    case $1 in
        --agent-cmd) agent_cmd=${2?}; shift 2 ;;
        --agent-cmd=*) agent_cmd=${1#*=}; shift ;;
        --jfr) jfr_dir=${2?}; shift 2 ;;
        --jfr=*) jfr_dir=${1#*=}; shift ;;
        --no-save) save=0; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done

[ "$(id -u)" = 0 ] || die "must run as root (it creates cgroups and the agent moves processes)"
command -v gcc >/dev/null || die "gcc not found"
command -v python3 >/dev/null || die "python3 not found"

work=$(mktemp -d /tmp/apptheus-bench.XXXXXX)
chmod 755 "$work"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    # last resort if bench.py could not clean up: its process groups, then its cgroups
    remove_leftovers "$work" apptheus-bench- bench
    if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then
        echo "bench: logs kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$work/bin"
gcc -O2 -Wall -Wextra -pthread -o "$work/bin/fakestarter" "$repo/src/test/c/fakestarter.c"
gcc -O2 -Wall -Wextra -o "$work/bin/floor" "$here/floor.c"
gcc -O2 -Wall -Wextra -o "$work/bin/regstorm" "$here/regstorm.c"
gcc -O2 -Wall -Wextra -o "$work/bin/regfloor" "$here/regfloor.c"

label=
if [ -z "$agent_cmd" ]; then
    command -v java >/dev/null || die "java not found"
    jar="$repo/target/quarkus-app/quarkus-run.jar"
    if [ ! -f "$jar" ]; then
        echo "bench: building the agent (./mvnw -B -q package -DskipTests)" >&2
        (cd "$repo" && ./mvnw -B -q package -DskipTests)
    fi
    # the installed launcher with its JVM flags, pointed at this build
    sed "s#@APP_DIR@#$repo/target/quarkus-app#" "$repo/deploy/bin/apptheus" >"$work/bin/apptheus"
    chmod 755 "$work/bin/apptheus"
    agent_cmd="$work/bin/apptheus"
    # shellcheck disable=SC2016 # literal $ in the patterns
    flags=$(sed -n '/^exec "\$java_bin"/,/-jar/p' "$repo/deploy/bin/apptheus" | grep -o -- '-[XD][^ ]*' | tr '\n' ' ')
    # shellcheck disable=SC2016
    arenas=$(sed -n 's/^MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-\([0-9]*\)}$/\1/p' "$repo/deploy/bin/apptheus")
    label="deploy/bin/apptheus (APP_DIR=target/quarkus-app): ${flags% }${arenas:+, MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-$arenas}}${APPTHEUS_JAVA_OPTS:+ + $APPTHEUS_JAVA_OPTS}"
fi

commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$repo" status --porcelain -- src deploy 2>/dev/null)" ]; then
    commit="$commit+dirty"
fi

extra=()
if [ -n "$jfr_dir" ]; then
    mkdir -p "$jfr_dir"
    jfr_dir=$(cd "$jfr_dir" && pwd)
    java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    # the profile settings, with per-thread allocation totals every second and samples every ms
    sed -e '/name="jdk.ThreadAllocationStatistics"/,/<\/event>/s#<setting name="period">everyChunk</setting>#<setting name="period">1 s</setting>#' \
        -e '/name="jdk.ExecutionSample"/,/<\/event>/s#>10 ms<#>1 ms<#' \
        -e '/name="jdk.NativeMethodSample"/,/<\/event>/s#>20 ms<#>1 ms<#' \
        "$java_home/lib/jfr/profile.jfc" >"$jfr_dir/bench.jfc"
    extra+=(--jfr "$jfr_dir" --jfc "$jfr_dir/bench.jfc")
    save=0 # a profiled run costs more CPU: never mixed into RESULTS.md
fi
if [ "$save" = 1 ]; then
    extra+=(--results "$here/RESULTS.md")
fi

python3 "$here/bench.py" --agent-cmd "$agent_cmd" --agent-label "$label" --workdir "$work" \
    --fakestarter "$work/bin/fakestarter" --floor "$work/bin/floor" --regstorm "$work/bin/regstorm" \
    --regfloor "$work/bin/regfloor" \
    --commit "$commit" --json "$work/results.json" "${extra[@]}" "${pass[@]}"
