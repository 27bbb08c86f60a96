#!/usr/bin/env bash
# Hostile local users against the agent (issue 13, items 1 and 2): see bench/README.md, "Attacks".
#
#   bench/attack.sh [--containers 1000] [--connections 10000] [--http-connections 10000]
#                   [--http-processes 2] [--burst 100] [--attack-seconds 45] [--no-save] [--keep]
#
# Needs root, gcc, python3, java 17+, setpriv (the attackers run as uid 65534). Builds the helpers
# (fake starter, registration storm, attacker) into a temporary directory, builds the agent jar
# if it is missing, runs bench/attack.py with the installed launcher's JVM flags, prints one
# markdown table and appends it to bench/RESULTS.md. Whatever it started or created is removed on
# exit, on failure and on Ctrl-C too.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
save=1
keep=0
pass=()
while [ $# -gt 0 ]; do
    case $1 in
        --no-save) save=0; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) pass+=("$1"); shift ;;
    esac
done
die() {
    echo "attack: $*" >&2
    exit 2
}
[ "$(id -u)" = 0 ] || die "must run as root"
for tool in gcc python3 java setpriv; do
    command -v "$tool" >/dev/null || die "$tool not found"
done

work=$(mktemp -d /tmp/apptheus-attack.XXXXXX)
chmod 755 "$work"
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    remove_leftovers "$work" apptheus-bench- attack
    if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then
        echo "attack: logs kept in $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$work/bin"
chmod 755 "$work/bin"
gcc -O2 -Wall -Wextra -pthread -o "$work/bin/fakestarter" "$repo/src/test/c/fakestarter.c"
gcc -O2 -Wall -Wextra -o "$work/bin/regstorm" "$here/regstorm.c"
gcc -O2 -Wall -Wextra -o "$work/bin/hostile" "$repo/src/test/c/hostile.c"
jar="$repo/target/quarkus-app/quarkus-run.jar"
if [ ! -f "$jar" ]; then
    (cd "$repo" && ./mvnw -B -q package -DskipTests)
fi
sed "s#@APP_DIR@#$repo/target/quarkus-app#" "$repo/deploy/bin/apptheus" >"$work/bin/apptheus"
chmod 755 "$work/bin/apptheus"
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$repo" status --porcelain -- src deploy 2>/dev/null)" ]; then
    commit="$commit+dirty"
fi
extra=()
if [ "$save" = 1 ]; then
    extra+=(--results "$here/RESULTS.md")
fi
python3 "$here/attack.py" --agent-cmd "$work/bin/apptheus" --agent-label "deploy/bin/apptheus (launcher flags)" \
    --workdir "$work" --fakestarter "$work/bin/fakestarter" --regstorm "$work/bin/regstorm" \
    --hostile "$work/bin/hostile" --commit "$commit" "${extra[@]}" "${pass[@]}"
