#!/usr/bin/env bash
# A simulated cluster on this machine: K "nodes", each an Apptheus agent with its own socket,
# cgroup parent and loopback address (127.0.10.1:9091, 127.0.10.2:9091, ...: the same port on
# every node, as at a site), each with M fake-starter containers of several users and Slurm-like
# job ids; a real Prometheus (deploy/prometheus/prometheus-fleet.yml) that finds the nodes through
# file_sd and remote-writes into a VictoriaMetrics started on loopback. docs/fleet.md explains it.
#
#   bench/fleet.sh start K M [options]   start everything, wait until every target is scraped
#   bench/fleet.sh status                targets, containers per node, alerts
#   bench/fleet.sh stop [--keep]         stop everything by PID, remove the cgroups (and the
#                                        state directory unless --keep)
#   bench/fleet.sh stop-agent NODE       SIGTERM one node's agent (NODE: 1..K)
#   bench/fleet.sh end-container NODE J  kill every process of container J (0..M-1) of NODE
#   bench/fleet.sh config [--scrape D] [--eval D] [--no-drop] [--store URL]
#                                        a Prometheus configuration for the running fleet
#
# Options of start:
#   --net A.B.C        node addresses A.B.C.1 .. A.B.C.K (default 127.0.10; must be in 127/8)
#   --port N           the agents' port on every node (default 9091)
#   --scrape DUR       override the config's scrape interval of job apptheus (default: as shipped, 5s)
#   --eval DUR         override the rule evaluation interval (default: as shipped, 15s)
#   --retain DUR       agents' --metrics.retain-exited (default 60s, the agent's default)
#   --prom-port N      Prometheus on 127.0.0.1:N (default 19090)
#   --vm-port N        VictoriaMetrics on 127.0.0.1:N (default 18428)
#   --no-prometheus    agents and containers only (bench/fleet-cost.sh starts its own servers)
#   --no-store         no VictoriaMetrics, no remote_write
#   --active N         the first N containers of a node run one of the five active workloads
#                      (cpu, io, memory, throttled, oom); the rest sleep (default: all M)
# Every command takes --dir DIR: the state directory (default /tmp/apptheus-fleet, or $FLEET_DIR).
# The agents: java -jar target/quarkus-app/quarkus-run.jar (or $APPTHEUS_JAR) with the launcher's
# JVM flags; with $FLEET_NATIVE set, that native executable instead (FleetIT under -Dnative).
#
# The cgroup parent of node N is apptheus-fleet-<random>/nodeN, RELATIVE: each agent is started
# in this script's own cgroups and nests it there (never at a hierarchy root, never in a cgroup
# someone else made). Every process started is listed in DIR/pids with its start time, and only a
# process whose start time still matches is signalled; every cgroup directory is listed in
# DIR/cgroups and removed by stop, which also runs when start fails half-way.
set -euo pipefail

REPO=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=${FLEET_DIR:-/tmp/apptheus-fleet}
USERS=(alice bob carol dave)
FIRST_UID=20001
STARTER_DELAY_MS=1500

die() {
    echo "fleet: $*" >&2
    exit 1
}
log() { echo "fleet: $*" >&2; }

# ---- processes: every one recorded as "kind name pid starttime" ------------------------------

# starttime PID: sets ST to field 22 of /proc/PID/stat (clock ticks after boot), empty if gone.
# Without a subshell: stop checks a thousand PIDs.
starttime() {
    local line f
    ST=
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    line=${line##*) } # the command name may hold spaces and parentheses
    read -ra f <<<"$line"
    ST=${f[19]}
}

record() { # kind name pid (a background job of this shell: disowned, so that no "Killed" is reported)
    disown "$3" 2>/dev/null || true
    starttime "$3" || true
    echo "$1 $2 $3 ${ST:-0}" >>"$DIR/pids"
}

# alive PID STARTTIME: the recorded process, not a newcomer that got its PID
alive() { starttime "$1" && [[ $ST == "$2" ]]; }

# signal SIG KIND [NAME]: signals every recorded, still matching process of that kind (and name)
signal() {
    local sig=$1 kind=$2 name=${3:-} k n pid st
    [[ -f $DIR/pids ]] || return 0
    while read -r k n pid st; do
        [[ $k == "$kind" && ( -z $name || $n == "$name" ) ]] || continue
        if alive "$pid" "$st"; then kill "-$sig" "$pid" 2>/dev/null || true; fi
    done <"$DIR/pids"
}

# wait_gone KIND SECONDS [NAME]: true when no recorded process of that kind (and name) is left
wait_gone() {
    local kind=$1 secs=$2 name=${3:-} k n pid st left i
    for ((i = 0; i < secs * 10; i++)); do
        left=0
        while read -r k n pid st; do
            [[ $k == "$kind" && ( -z $name || $n == "$name" ) ]] || continue
            alive "$pid" "$st" && left=1
        done <"$DIR/pids"
        ((left)) || return 0
        sleep 0.1
    done
    return 1
}

stop_kind() { # kind grace-seconds [name]
    signal TERM "$1" "${3:-}"
    wait_gone "$1" "$2" "${3:-}" || {
        log "$1 ${3:-} still running after $2 s: SIGKILL"
        signal KILL "$1" "${3:-}"
        wait_gone "$1" 5 "${3:-}" || log "WARNING: $1 ${3:-} survived SIGKILL"
    }
}

# ---- cgroups ----------------------------------------------------------------------------------

# The directory of this shell's own cgroup in every mounted hierarchy the agent samples, one
# "key dir" a line (key: the v1 controller list, or "unified").
own_cgroup_dirs() {
    local id ctrls path mnt root fstype opts
    while IFS=: read -r id ctrls path; do
        if [[ $id == 0 && -z $ctrls ]]; then
            fstype=cgroup2
        else
            fstype=cgroup
        fi
        # mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE SOURCE SUPEROPTS
        while read -r _ _ _ root mnt _ rest; do
            rest=" $rest"
            rest=${rest#* - }
            read -r f _ opts <<<"$rest"
            [[ $f == "$fstype" ]] || continue
            if [[ $fstype == cgroup ]]; then
                [[ ,$opts, == *,${ctrls%%,*},* ]] || continue
                case ,$ctrls, in *,cpu,* | *,cpuacct,* | *,memory,* | *,pids,* | *,blkio,*) ;; *) continue ;; esac
            fi
            local rel=$path
            [[ $root != / && ( $rel == "$root" || $rel == "$root"/* ) ]] && rel=${rel#"$root"}
            echo "${ctrls:-unified} $mnt${rel%/}"
            break
        done </proc/self/mountinfo
    done </proc/self/cgroup
}

# Every process in the fleet's cgroups, SIGKILLed; then the directories, deepest first (rmdir
# of a cgroup fails while it has a process or a child: retried). One find per tree and round,
# since a thousand containers make six thousand directories.
remove_cgroups() {
    [[ -f $DIR/cgroups ]] || return 0
    local top i left pid
    for ((i = 0; i < 100; i++)); do
        left=0
        while read -r top; do
            [[ -d $top ]] || continue
            left=1
            while read -r pid; do
                [[ -n $pid && $pid != "$$" ]] && kill -KILL "$pid" 2>/dev/null
            done < <(find "$top" -name cgroup.procs -exec cat {} + 2>/dev/null)
            find "$top" -depth -type d -exec rmdir {} + 2>/dev/null || true
        done <"$DIR/cgroups"
        ((left)) || return 0
        sleep 0.2
    done
    log "WARNING: cgroups left:"
    while read -r top; do [[ -d $top ]] && find "$top" -type d >&2; done <"$DIR/cgroups"
    return 1
}

# ---- commands ---------------------------------------------------------------------------------

cmd_stop() {
    local keep=0
    [[ ${1:-} == --keep ]] && keep=1
    [[ -d $DIR ]] || {
        log "nothing to stop ($DIR does not exist)"
        return 0
    }
    touch "$DIR/pids"
    local rc=0
    # containers first: their agents see them end and remove their cgroups themselves
    signal KILL container
    stop_kind agent 10
    stop_kind prometheus 20
    stop_kind victoria-metrics 20
    remove_cgroups || rc=1
    if ((keep)); then
        log "stopped; state kept in $DIR"
    else
        rm -rf -- "$DIR"
        log "stopped; $DIR removed"
    fi
    return $rc
}

cmd_stop_agent() {
    local node=${1:?NODE}
    grep -q "^agent node$node " "$DIR/pids" || die "no agent node$node in $DIR/pids"
    stop_kind agent 10 "node$node"
    log "agent of node$node stopped"
}

cmd_end_container() {
    local node=${1:?NODE} j=${2:?J} k n pid st dir killed=0
    while read -r k n pid st; do
        [[ $k == container && $n == "node$node/$j" ]] || continue
        alive "$pid" "$st" || continue
        # the agent moved the starter and its workload into <parent>/nodeN/starter_<pid>
        while read -r _ dir; do
            dir=$dir/$(cat "$DIR/parent")/node$node/starter_$pid
            [[ -f $dir/cgroup.procs ]] || continue
            while read -r p; do kill -KILL "$p" 2>/dev/null && killed=$((killed + 1)); done <"$dir/cgroup.procs"
        done <"$DIR/owncg"
        kill -KILL "$pid" 2>/dev/null || true
    done <"$DIR/pids"
    log "container $j of node$node ended ($killed processes killed)"
}

cmd_status() {
    [[ -f $DIR/fleet.env ]] || die "no fleet in $DIR"
    # shellcheck source=/dev/null
    . "$DIR/fleet.env"
    local i
    for ((i = 1; i <= K; i++)); do
        printf 'node%-3s %s:%s  containers=%s\n' "$i" "$NET.$i" "$PORT" \
            "$(curl -fsS "http://$NET.$i:$PORT/metrics" 2>/dev/null | awk '/^apptheus_containers /{print $2}' || echo down)"
    done
    if [[ -n ${PROM_URL:-} ]]; then
        curl -fsS "$PROM_URL/api/v1/targets?state=active" | tr '{' '\n' | grep -o '"health":"[a-z]*"' | sort | uniq -c || true
        curl -fsS "$PROM_URL/api/v1/alerts" | grep -o '"alertname":"[A-Za-z]*"[^}]*"state":"[a-z]*"' || true
    fi
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

# ---- start ------------------------------------------------------------------------------------

cmd_start() {
    (($# >= 2)) || usage
    local K=$1 M=$2
    shift 2
    if ! [[ $K =~ ^[0-9]+$ && $M =~ ^[0-9]+$ ]] || ((K < 1 || K > 250 || M > 2000)); then
        die "K must be 1..250 and M 0..2000"
    fi
    local NET=127.0.10 PORT=9091 SCRAPE='' EVAL='' RETAIN=60s PROM_PORT=19090 VM_PORT=18428 prom=1 store=1 active=$M
    while (($#)); do
        case $1 in
        --net) NET=$2; shift ;;
        --port) PORT=$2; shift ;;
        --scrape) SCRAPE=$2; shift ;;
        --eval) EVAL=$2; shift ;;
        --retain) RETAIN=$2; shift ;;
        --prom-port) PROM_PORT=$2; shift ;;
        --vm-port) VM_PORT=$2; shift ;;
        --no-prometheus) prom=0 ;;
        --no-store) store=0 ;;
        --active) active=$2; shift ;;
        *) usage ;;
        esac
        shift
    done
    [[ $NET =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "--net must be A.B.C inside 127/8, got '$NET'"
    [[ -e $DIR ]] && die "$DIR exists: a fleet runs there (bench/fleet.sh stop), or remove it"
    [[ $(id -u) == 0 ]] || die "needs root (agents move processes between cgroups)"
    local tool
    local agent_cmd
    if [[ -n ${FLEET_NATIVE:-} ]]; then
        [[ -x $FLEET_NATIVE ]] || die "FLEET_NATIVE=$FLEET_NATIVE is not an executable"
        agent_cmd=("$FLEET_NATIVE")
    else
        command -v java >/dev/null || die "java not found"
        local jar=${APPTHEUS_JAR:-$REPO/target/quarkus-app/quarkus-run.jar}
        [[ -f $jar ]] || die "no agent at $jar: run ./mvnw -B -DskipTests package"
        # the agent's own JVM flags are those of deploy/bin/apptheus (smallest footprint)
        agent_cmd=(java -XX:+UseSerialGC -Xms16m -Xmx96m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20
            -XX:MaxMetaspaceSize=96m -XX:ReservedCodeCacheSize=32m -Xss512k -XX:TieredStopAtLevel=1
            -XX:+ExitOnOutOfMemoryError -Dquarkus.thread-pool.max-threads=16 -jar "$jar")
    fi
    for tool in setpriv unshare curl; do
        command -v "$tool" >/dev/null || die "$tool not found"
    done
    if ((prom)); then command -v prometheus >/dev/null || die "prometheus not found (apt-get install prometheus)"; fi
    if ((prom && store)); then
        command -v victoria-metrics >/dev/null || die "victoria-metrics not found (apt-get install victoria-metrics)"
    fi

    mkdir -p "$DIR" && chmod 0755 "$DIR"
    touch "$DIR/pids" "$DIR/cgroups"
    trap 'start_failed' EXIT
    cat >"$DIR/fleet.env" <<EOF
K=$K
M=$M
NET=$NET
PORT=$PORT
EOF

    # the trusted starter: root-owned, 0755, at a path only this fleet trusts
    local starter=$DIR/libexec/apptainer/bin/starter
    install -d -m 0755 "$DIR/libexec" "$DIR/libexec/apptainer" "$DIR/libexec/apptainer/bin"
    local fake=$REPO/target/it-bin/fakestarter
    if [[ ! -x $fake || $fake -ot $REPO/src/test/c/fakestarter.c ]]; then
        command -v gcc >/dev/null || die "gcc not found (it builds src/test/c/fakestarter.c)"
        fake=$DIR/fakestarter.build
        gcc -O2 -Wall -Wextra -pthread -o "$fake" "$REPO/src/test/c/fakestarter.c"
    fi
    install -m 0755 -o root -g root "$fake" "$starter"

    # user names for the agents: /etc/passwd plus the fleet's users, bind-mounted over
    # /etc/passwd in each agent's own mount namespace (the host's file is not touched)
    cp /etc/passwd "$DIR/passwd"
    local u
    for u in "${!USERS[@]}"; do
        echo "${USERS[$u]}:x:$((FIRST_UID + u)):$((FIRST_UID + u)):fleet user:/nonexistent:/usr/sbin/nologin" >>"$DIR/passwd"
    done

    local parent
    parent=apptheus-fleet-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
    echo "$parent" >"$DIR/parent"
    own_cgroup_dirs >"$DIR/owncg"
    [[ -s $DIR/owncg ]] || die "no cgroup hierarchy found in /proc/self/cgroup"
    awk -v p="$parent" '{ print $2 "/" p }' "$DIR/owncg" | sort -u >"$DIR/cgroups"

    # ---- agents
    local n
    : >"$DIR/nodes.txt"
    for ((n = 1; n <= K; n++)); do
        local nd=$DIR/node$n
        mkdir -p "$nd/run" && chmod 0755 "$nd" "$nd/run"
        mkdir "$nd/scratch" && chmod 1777 "$nd/scratch"
        echo "node$n $NET.$n" >>"$DIR/nodes.txt"
        # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
        unshare --mount --propagation private -- sh -c 'mount --bind "$0" /etc/passwd && exec "$@"' "$DIR/passwd" \
            "${agent_cmd[@]}" \
            --socket.path="$nd/run/gateway.sock" --trust.path="$starter" --cgroup.parent="$parent/node$n" \
            --web.listen-address="$NET.$n:$PORT" --metrics.retain-exited="$RETAIN" --label.slurm=true \
            </dev/null >"$nd/agent.log" 2>&1 &
        record agent "node$n" $!
    done
    for ((n = 1; n <= K; n++)); do
        local i
        for ((i = 0; i < 1200; i++)); do
            [[ -S $DIR/node$n/run/gateway.sock ]] && curl -fsS -o /dev/null "http://$NET.$n:$PORT/q/health/ready" 2>/dev/null && break
            agent_alive "$n" ||
                die "agent of node$n exited: $(tail -5 "$DIR/node$n/agent.log")"
            sleep 0.1
        done
        ((i < 1200)) || die "agent of node$n not ready after 120 s: $(tail -5 "$DIR/node$n/agent.log")"
    done
    log "$K agents ready on $NET.1..$NET.$K:$PORT"

    # ---- containers
    echo "node	container	user	uid	slurm_job_id	workload	starter_pid" >"$DIR/containers.tsv"
    for ((n = 1; n <= K; n++)); do
        local j
        for ((j = 0; j < M; j++)); do
            start_container "$n" "$j" "$M" "$active" "$starter"
        done
    done
    # wait for the agents to hold every container, then set the limits of the throttled and the
    # oom containers on the cgroups the agents made (their workloads wait 3 s for that)
    for ((n = 1; n <= K; n++)); do
        local have i
        for ((i = 0; i < 600; i++)); do
            have=$(curl -fsS "http://$NET.$n:$PORT/metrics" | awk '/^apptheus_containers /{print int($2)}') || have=0
            ((${have:-0} >= M)) && break
            sleep 0.2
        done
        ((${have:-0} >= M)) || die "node$n monitors ${have:-0} of $M containers after 120 s"
    done
    set_limits
    touch "$DIR/go"
    log "$((K * M)) containers running ($M per node, ${#USERS[@]} users)"

    # ---- VictoriaMetrics and Prometheus
    if ((prom && store)); then
        mkdir -p "$DIR/vm"
        # -search.latencyOffset=0s: by default the last 30 s are hidden from queries (for slow
        # remote writers); this store takes one Prometheus on loopback.
        victoria-metrics -storageDataPath="$DIR/vm/data" -httpListenAddr="127.0.0.1:$VM_PORT" \
            -retentionPeriod=1d -search.latencyOffset=0s -loggerLevel=WARN -memory.allowedBytes=512MiB \
            </dev/null >"$DIR/vm/vm.log" 2>&1 &
        record victoria-metrics vm $!
        wait_http "http://127.0.0.1:$VM_PORT/health" victoria-metrics "$DIR/vm/vm.log"
        echo "VM_URL=http://127.0.0.1:$VM_PORT" >>"$DIR/fleet.env"
    fi
    if ((prom)); then
        mkdir -p "$DIR/prometheus/apptheus-targets"
        "$REPO/deploy/prometheus/apptheus-file-sd.sh" -p "$PORT" -o "$DIR/prometheus/apptheus-targets/nodes.json" "$DIR/nodes.txt"
        STORE_URL=
        ((store)) && STORE_URL=http://127.0.0.1:$VM_PORT/api/v1/write
        fleet_config >"$DIR/prometheus/prometheus.yml"
        prometheus --config.file="$DIR/prometheus/prometheus.yml" --storage.tsdb.path="$DIR/prometheus/data" \
            --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle \
            </dev/null >"$DIR/prometheus/prometheus.log" 2>&1 &
        record prometheus prometheus $!
        wait_http "http://127.0.0.1:$PROM_PORT/-/ready" prometheus "$DIR/prometheus/prometheus.log"
        echo "PROM_URL=http://127.0.0.1:$PROM_PORT" >>"$DIR/fleet.env"
        local i up
        for ((i = 0; i < 600; i++)); do
            up=$(curl -fsS "http://127.0.0.1:$PROM_PORT/api/v1/targets?state=active" | grep -o '"health":"up"' | wc -l) || up=0
            ((up >= K)) && break
            sleep 0.2
        done
        ((up >= K)) || die "Prometheus scrapes $up of $K nodes after 120 s"
        log "Prometheus http://127.0.0.1:$PROM_PORT scrapes all $K nodes"
    fi
    trap - EXIT
    log "state in $DIR; stop with: bench/fleet.sh stop${FLEET_DIR:+ (FLEET_DIR=$DIR)}"
}

start_failed() {
    log "start failed: stopping what was started (logs kept in $DIR)"
    cmd_stop --keep || true
}

agent_alive() {
    local pid st
    read -r pid st < <(awk -v n="node$1" '$1 == "agent" && $2 == n { print $3, $4 }' "$DIR/pids")
    [[ -n ${pid:-} ]] && alive "$pid" "$st"
}

wait_http() { # url name log
    local i
    for ((i = 0; i < 600; i++)); do
        curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    die "$2 not ready after 60 s: $(tail -5 "$3")"
}

# Container J of node N: its user and Slurm job, and one of five active workloads for the first
# --active containers (the rest sleep). Jobs: containers 2b and 2b+1 of every node are job
# 100000+b, a job spanning all nodes; the last container of a node (M > 1) is a node-local job
# 200000+N. A job's containers belong to one user.
start_container() {
    local n=$1 j=$2 M=$3 active=$4 starter=$5 job u kind script
    if ((M > 1 && j == M - 1)); then
        job=$((200000 + n))
        u=$((n % ${#USERS[@]}))
    else
        job=$((100000 + j / 2))
        u=$(((j / 2) % ${#USERS[@]}))
    fi
    local uid=$((FIRST_UID + u)) scratch=$DIR/node$n/scratch
    if ((j < active)); then
        kind=$(((j + n) % 5)) # a different mix on each node
    else
        kind="sleep"
    fi
    # Workloads run as the user once DIR/go exists (limits are set before). A busy loop of
    # the shell is the CPU load (a few % of a core); dd with O_DIRECT bypasses the page cache so
    # the bytes reach the block device counters; the oom workload runs a second fake starter
    # (its socket does not exist, so it runs unmonitored inside this container) that touches
    # 64 MiB under a 32 MiB limit: the kernel kills it, the container goes on.
    local go="while [ ! -e $DIR/go ]; do sleep 1; done;"
    # shellcheck disable=SC2016 # $i is the container shell's
    case $kind in
    0) kind=cpu script='sleep 3; while :; do i=0; while [ $i -lt 4000 ]; do i=$((i+1)); done; sleep 1; done' ;;
    1) kind=io script="sleep 3; while :; do dd if=/dev/zero of=$scratch/io.$j bs=64k count=16 oflag=direct status=none; sleep 5; done" ;;
    2) kind=memory script="sleep 3; exec $starter $DIR/none.sock hold 24 100000" ;;
    3) kind=throttled script='sleep 3; while :; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1; done' ;;
    4) kind=oom script="sleep 3; while :; do $starter $DIR/none.sock hold 64 1 >/dev/null 2>&1; sleep 15; done" ;;
    sleep) go='' script='exec sleep 100000' ;;
    esac
    setpriv --reuid="$uid" --regid="$uid" --clear-groups \
        env SLURM_JOB_ID="$job" FAKESTARTER_START_DELAY_MS="$STARTER_DELAY_MS" \
        "$starter" "$DIR/node$n/run/gateway.sock" exec sh -c "cd $scratch && $go $script" \
        </dev/null >"$DIR/node$n/container-$j.out" 2>&1 &
    record container "node$n/$j" $!
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "node$n" "$j" "${USERS[$u]}" "$uid" "$job" "$kind" $! >>"$DIR/containers.tsv"
}

# cpu quota 0.1 core for "throttled", memory limit 32 MiB for "oom", on v1 and v2 alike
set_limits() {
    local parent node j kind pid key dir
    parent=$(cat "$DIR/parent")
    while IFS=$'\t' read -r node j _ _ _ kind pid; do
        [[ $kind == throttled || $kind == oom ]] || continue
        while read -r key dir; do
            dir=$dir/$parent/$node/starter_$pid
            [[ -d $dir ]] || continue
            case $kind/$key in
            throttled/*cpu*) [[ -f $dir/cpu.cfs_quota_us ]] && echo 10000 >"$dir/cpu.cfs_quota_us" ;;
            throttled/unified) [[ -f $dir/cpu.max ]] && echo "10000 100000" >"$dir/cpu.max" ;;
            oom/memory) echo $((32 << 20)) >"$dir/memory.limit_in_bytes" ;; # before the workload touches memory
            oom/unified) [[ -f $dir/memory.max ]] && echo $((32 << 20)) >"$dir/memory.max" ;;
            esac
        done <"$DIR/owncg"
    done < <(tail -n +2 "$DIR/containers.tsv")
}

# deploy/prometheus/prometheus-fleet.yml for this machine: target files, rule files and the
# store's URL made absolute; SCRAPE/EVAL override the shipped intervals, DROP=0 removes the drop
# list, an empty STORE_URL the remote_write section.
fleet_config() {
    local rules=$REPO/deploy/prometheus/rules
    sed -e "s#'apptheus-targets/#'$DIR/prometheus/apptheus-targets/#" \
        -e "s#^  - rules/#  - $rules/#" \
        -e "s#url: http://[^ ]*/api/v1/write#url: ${STORE_URL:-none}#" \
        ${SCRAPE:+-e "s#^    scrape_interval: .*#    scrape_interval: $SCRAPE#"} \
        ${SCRAPE:+-e "s#^    scrape_timeout: .*#    scrape_timeout: $(timeout_for "$SCRAPE")#"} \
        ${EVAL:+-e "s#^  evaluation_interval: .*#  evaluation_interval: $EVAL#"} \
        "$REPO/deploy/prometheus/prometheus-fleet.yml" |
        if ((${DROP:-1})); then cat; else sed '/^    metric_relabel_configs:/,/^        action: drop/d'; fi |
        if [[ -n ${STORE_URL:-} ]]; then cat; else sed '/^remote_write:/,$d'; fi
}

# the shipped 4 s timeout where the interval allows it, else the interval
timeout_for() {
    case $1 in 1s | 2s | 3s | 4s) echo "$1" ;; *) echo 4s ;; esac
}

# bench/fleet.sh config [--scrape D] [--eval D] [--no-drop] [--store URL]: the configuration of a
# Prometheus for the running fleet (bench/fleet_cost.py starts several variants side by side).
cmd_config() {
    [[ -f $DIR/fleet.env ]] || die "no fleet in $DIR"
    DROP=1 STORE_URL=
    while (($#)); do
        case $1 in
        --scrape) SCRAPE=$2; shift ;;
        --eval) EVAL=$2; shift ;;
        --no-drop) DROP=0 ;;
        --store) STORE_URL=$2; shift ;;
        *) usage ;;
        esac
        shift
    done
    if [[ ! -f $DIR/prometheus/apptheus-targets/nodes.json ]]; then
        # shellcheck source=/dev/null
        . "$DIR/fleet.env"
        mkdir -p "$DIR/prometheus/apptheus-targets"
        "$REPO/deploy/prometheus/apptheus-file-sd.sh" -p "$PORT" -o "$DIR/prometheus/apptheus-targets/nodes.json" "$DIR/nodes.txt"
    fi
    fleet_config
}

main() {
    local cmd=${1:-}
    (($#)) && shift
    local args=()
    while (($#)); do
        if [[ $1 == --dir ]]; then
            DIR=$2
            shift 2
        else
            args+=("$1")
            shift
        fi
    done
    DIR=$(realpath -m -- "$DIR")
    case $cmd in
    start) cmd_start "${args[@]}" ;;
    stop) cmd_stop "${args[@]}" ;;
    status) cmd_status ;;
    stop-agent) cmd_stop_agent "${args[@]}" ;;
    end-container) cmd_end_container "${args[@]}" ;;
    config) cmd_config "${args[@]}" ;;
    *) usage ;;
    esac
}

main "$@"
