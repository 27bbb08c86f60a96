#!/usr/bin/env bash
# The native executable on these machines, with the native-image stand-in (docs/native.md).
#
#   bench/native.sh [setup|test|measure|all]...      (default: all = setup test measure)
#
#   setup    assemble a GraalVM home with a working native-image from the stand-in in
#            $NATIVE_IMAGE_STANDIN (default /work/shared/tools/native-image-standin) into
#            $NATIVE_GRAALVM_HOME (default /opt/gvm-standin); kept if it already answers --version
#   test     ./mvnw -B verify -Dnative with that home: unit tests, the native build
#            (target/apptheus-<version>-runner), then every integration test against it
#            (the AgentProcess ITs through -Dapptheus.native, PackagedAgentIT through
#            @QuarkusIntegrationTest); log in target/native-verify.log, build time printed
#   measure  builds the jar too (./mvnw package), then bench/native_measure.py for the native
#            executable and for the jar with deploy/bin/apptheus's JVM flags: start-up, RSS idle and
#            with $CONTAINERS (default 100) fake starters, CPU; $RUNS runs each (default 3);
#            a markdown table on stdout, JSON lines in target/native-measure.jsonl
#
# Needs root, gcc, python3, Java 17 for Maven and the jar, and ~4 GB of free memory for the build.
# The stand-in's binary is for checks on these machines only: it loads Temurin 25's shared
# libraries and a stub libjvm.so from $NATIVE_GRAALVM_HOME. Never ship it; users build with Mandrel
# or GraalVM, or with -Dquarkus.native.container-build=true (docs/native.md).
# .ci/run does not use any of this.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
standin=${NATIVE_IMAGE_STANDIN:-/work/shared/tools/native-image-standin}
ghome=${NATIVE_GRAALVM_HOME:-/opt/gvm-standin}
containers=${CONTAINERS:-100}
runs=${RUNS:-3}

die() {
    echo "native.sh: $*" >&2
    exit 2
}

setup() {
    if "$ghome/bin/native-image" --version >/dev/null 2>&1; then
        echo "native.sh: using $ghome ($("$ghome/bin/native-image" --version | head -1))"
        return
    fi
    [ -x "$standin/setup.sh" ] || die "no native-image stand-in at $standin (set NATIVE_IMAGE_STANDIN," \
        "or build with Mandrel/GraalVM or -Dquarkus.native.container-build=true, see README.md, section Native executable)"
    "$standin/setup.sh" "$ghome"
}

run_tests() {
    cd "$repo"
    local log=target/native-verify.log start rc=0
    mkdir -p target
    start=$(date +%s)
    ./mvnw -B verify -Dnative "-Dquarkus.native.graalvm-home=$ghome" >"$log" 2>&1 || rc=$?
    grep -E "Finished generating|Peak RSS|in total file size|Tests run:|FAIL|BUILD" "$log" | grep -v "^\[INFO\] Tests run: [0-9]*, Failures: 0, Errors: 0, Skipped: 0, Time" || true
    echo "native.sh: ./mvnw verify -Dnative: exit $rc after $(($(date +%s) - start)) s; log $log"
    ls -l target/*-runner 2>/dev/null || true
    return $rc
}

measure() {
    cd "$repo"
    local runner work jvm_flags
    runner=$(ls target/*-runner 2>/dev/null | head -1)
    [ -n "$runner" ] || die "no target/*-runner: run '$0 test' first"
    ./mvnw -B -q package -DskipTests
    [ -f target/quarkus-app/quarkus-run.jar ] || die "no target/quarkus-app/quarkus-run.jar after ./mvnw package"
    work=$(mktemp -d /tmp/apptheus-native-measure.XXXXXX)
    trap 'rm -rf "$work"' RETURN
    gcc -O2 -Wall -pthread -o "$work/fakestarter" src/test/c/fakestarter.c
    # the JVM flags the installed launcher uses, from its exec line
    jvm_flags=$(sed -n '/^exec "\$java_bin"/,/-jar/p' deploy/bin/apptheus | grep -oE -- '-X[^ \\]+' | tr '\n' ' ')
    echo "| agent | start-up (exec to ready) | Quarkus \"started in\" | RSS idle | RSS, $containers containers | peak RSS (VmHWM) | CPU, $containers containers |"
    echo "|---|---|---|---|---|---|---|"
    python3 bench/native_measure.py --label "native $(basename "$runner")" --fakestarter "$work/fakestarter" \
        --containers "$containers" --runs "$runs" --json target/native-measure.jsonl -- "$runner" | grep '^|'
    # shellcheck disable=SC2086 # the flags are split on purpose
    python3 bench/native_measure.py --label "JVM $(java -version 2>&1 | head -1 | cut -d'"' -f2), $jvm_flags" \
        --fakestarter "$work/fakestarter" --containers "$containers" --runs "$runs" \
        --json target/native-measure.jsonl -- java $jvm_flags -jar target/quarkus-app/quarkus-run.jar | grep '^|'
    ls -l "$runner" target/quarkus-app/quarkus-run.jar
    du -sh target/quarkus-app
}

[ "$(id -u)" = 0 ] || die "must run as root (the agent creates cgroups and moves processes)"
[ $# -gt 0 ] || set -- all
for step in "$@"; do
    case $step in
        setup) setup ;;
        test) setup; run_tests ;;
        measure) measure ;;
        all) setup; run_tests; measure ;;
        -h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown step $step (setup, test, measure, all)" ;;
    esac
done
