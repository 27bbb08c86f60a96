#!/usr/bin/env bash
# Many short Slurm jobs in a row, each running the fake starter under the agent, on the confined
# one-node Slurm of the end-to-end tests (src/test/java/io/apptheus/it/support/SlurmCluster.java):
# counts the cgroup directories left in Slurm's tree and slurmd.log's "cgroup is not empty" lines
# for job, step and task cgroups (debug2, DebugFlags=CGROUP).
#
#   bench/slurm-jobs.sh [--jobs N] [--placement auto|nested|root] [--artifact JAR]
#
#   --jobs N        jobs (default 200; three in four end by themselves once the agent has moved
#                   their container, every fourth cancels itself with scancel once moved; half
#                   run as root, half as nobody; two at a time on the two CPUs)
#   --placement P   the agent's --cgroup.placement (default auto)
#   --artifact JAR  another agent jar (e.g. an older build) instead of target/quarkus-app
#
# It runs SlurmEndIT#manyShortJobsInARowLeaveNoCgroupBehind through ./mvnw verify (which builds the
# jar first), prints the test's summary line (jobs, leftover directories, "not empty" lines, how
# each container's end was seen, seconds, load before and after) and exits with the test's
# status. Root, and slurm-wlm + munge installed (.ci/run's packages). Everything the run starts
# or creates (daemons, cgroups, files) is stopped and removed by the test harness, also on failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
jobs=200
placement=auto
artifact=
while (($#)); do
    case $1 in
        --jobs) jobs=$2; shift 2 ;;
        --placement) placement=$2; shift 2 ;;
        --artifact) artifact=$2; shift 2 ;;
        *) echo "usage: $0 [--jobs N] [--placement auto|nested|root] [--artifact JAR]" >&2; exit 2 ;;
    esac
done

props=(-Dapptheus.slurm.jobs="$jobs" -Dapptheus.slurm.placement="$placement")
[[ -n $artifact ]] && props+=(-Dapptheus.slurm.artifact="$(readlink -f "$artifact")")
log=$(mktemp /tmp/slurm-jobs.XXXXXX.log)
echo "slurm-jobs.sh: $jobs jobs, placement $placement${artifact:+, agent $artifact}; load $(cut -d' ' -f1-3 /proc/loadavg); log $log"
cd "$repo"
status=0
./mvnw -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test='SlurmEndIT#manyShortJobsInARowLeaveNoCgroupBehind' "${props[@]}" >"$log" 2>&1 || status=$?
grep -h '^slurm-jobs:' "$log" || echo "slurm-jobs.sh: no summary line; see $log"
grep -h -A3 'manyShortJobsInARowLeaveNoCgroupBehind.*<<<' "$log" | head -8 || true
echo "slurm-jobs.sh: commit $(git rev-parse --short HEAD), exit $status, load now $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
