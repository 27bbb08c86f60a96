# shellcheck shell=bash
# Shared by bench/run.sh, bench/attack.sh and bench/compare.sh (sourced, not run).

# remove_leftovers WORK PREFIX TOOL: the last resort when the Python harness could not clean up:
# kills the process groups listed in WORK/pgids, then the processes left in the cgroups of the run
# named in WORK/run_id (only if that name starts with PREFIX, so that nothing else is touched)
# and removes those cgroups, depth first, retrying while the kernel still holds them.
remove_leftovers() {
    local work=$1 prefix=$2 tool=$3 g run_id d p
    if [ -f "$work/pgids" ]; then
        while read -r g; do kill -KILL -- "-$g" 2>/dev/null || true; done <"$work/pgids"
    fi
    [ -f "$work/run_id" ] || return 0
    run_id=$(cat "$work/run_id")
    case $run_id in
        "$prefix"?*) ;;
        *) return 0 ;;
    esac
    find /sys/fs/cgroup -maxdepth 8 -type d -name "${run_id}*" -prune -print 2>/dev/null |
        while read -r d; do
            find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null |
                while read -r p; do kill -KILL "$p" 2>/dev/null || true; done
            for _ in 1 2 3 4 5 6 7 8 9 10; do
                find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
                [ -d "$d" ] || break
                sleep 0.5
            done
            if [ -d "$d" ]; then echo "$tool: could not remove $d" >&2; fi
        done
    return 0
}
