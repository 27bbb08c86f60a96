#!/usr/bin/env bash
# systemd-box.sh - a real systemd (Debian 12's, v252) as PID 1 of its own pid, mount, cgroup, uts,
# ipc and network namespaces, on a host whose PID 1 is not systemd, for the tests of the package
# and the unit. Not systemd-nspawn: started from a process at a hierarchy's root it would create
# and remove cgroups there (../shared/systemd/README.md).
#
#   systemd-box.sh root                 print the cached Debian root, building it first if missing
#   systemd-box.sh cached               exit 0 if the root is cached, 1 if it must be built
#   systemd-box.sh start STATE          boot a box; its files live in STATE (an empty directory)
#   systemd-box.sh exec STATE CMD...    run CMD inside (namespaces of PID 1, clean environment)
#   systemd-box.sh stop STATE           power off, kill what is left, remove every cgroup, mount
#                                       and file the box made; safe to repeat
#
# The root: mmdebstrap minbase + systemd, dbus, procps and a Java 17 runtime, made once and kept
# read-only in $APPTHEUS_BOX_CACHE (default /var/cache/apptheus-test); every box boots an overlay
# of it whose upper layer is STATE/upper, so dpkg and systemd write only there.
#
# Cgroups: for every hierarchy the host has mounted, the box gets a directory of its own below
# this process's own cgroup (STATE/cgroups lists them), bind-mounted at the same place under the
# box's /sys/fs/cgroup, and PID 1 starts in a cgroup namespace rooted there. So systemd and what it
# runs (the agent, its containers' cgroups) have real controllers, and nothing is created or
# changed anywhere else. The tmpfs holding those bind mounts is read-only: systemd cannot mount
# the hierarchies the host does not mount (a fresh mount would be a new, global hierarchy).
#
# STATE/share on the host is /srv/host in the box (read-only): put .deb files and binaries there.
#
# APPTHEUS_BOX_CGROUP=unified boots systemd on the cgroup2 hierarchy alone (its directory of the
# box as the box's /sys/fs/cgroup), as on a host with pure cgroup v2; on a hybrid host that
# hierarchy has no controllers (they are all bound to v1), so it shows v2's delegation rules
# without resource control. The default (hybrid) mounts every hierarchy the host has.
set -euo pipefail

SELF=$(readlink -f "$0")
CACHE=${APPTHEUS_BOX_CACHE:-/var/cache/apptheus-test}
SUITE=bookworm
INCLUDE=systemd,systemd-sysv,dbus,procps,openjdk-17-jre-headless
# Bump when the root's preparation below changes: the cache key names it.
RECIPE=1
BOX_TAG=apptheus-box

log() { echo "systemd-box: $*" >&2; }
die() {
    log "$*"
    exit 1
}

root_dir() {
    local key
    key=$(printf '%s %s %s' "$SUITE" "$INCLUDE" "$RECIPE" | sha256sum | cut -c1-12)
    echo "$CACHE/root-$SUITE-$key"
}

# Builds the root once (several tests or sessions may ask at the same time: one builds, the
# others wait on the lock), then prints its path.
cmd_root() {
    local root tmp t0
    root=$(root_dir)
    mkdir -p "$CACHE"
    exec 9>"$CACHE/build.lock"
    flock 9
    if [[ ! -x $root/lib/systemd/systemd ]]; then
        command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (apt-get install mmdebstrap)"
        tmp=$root.tmp.$$
        rm -rf -- "$tmp"
        t0=$(date +%s)
        log "building $root with mmdebstrap ($SUITE: $INCLUDE); takes a minute or more"
        mmdebstrap --quiet --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" >&2
        prepare_root "$tmp"
        mv -- "$tmp" "$root"
        log "built $root in $(($(date +%s) - t0)) s"
    fi
    flock -u 9
    echo "$root"
}

prepare_root() {
    local r=$1
    # an empty machine-id means "first boot": systemd-firstboot would ask questions
    tr -d - </proc/sys/kernel/random/uuid >"$r/etc/machine-id"
    # no consoles to log in on
    ln -sfn /dev/null "$r/etc/systemd/system/getty.target"
    ln -sfn /dev/null "$r/etc/systemd/system/console-getty.service"
    # timers that would run apt or fstrim while a test runs
    local t
    for t in apt-daily.timer apt-daily-upgrade.timer fstrim.timer e2scrub_all.timer dpkg-db-backup.timer; do
        ln -sfn /dev/null "$r/etc/systemd/system/$t"
    done
    mkdir -p "$r/srv/host" "$r/oldroot"
}

# The hierarchies mounted under /sys/fs/cgroup: "<mount point> <key> <root>" per line, each once.
# The key is what /proc/self/cgroup calls the hierarchy: the controllers or name= of a v1 mount's
# options (cpu / cpu,cpuacct / name=systemd), "unified" for cgroup2; root is the mount's root
# inside its hierarchy (/ unless the host itself runs in a container).
hierarchies() {
    awk '{
        for (i = 7; $i != "-"; i++) ;
        fstype = $(i + 1); opts = $(i + 3)
        if ($5 != "/sys/fs/cgroup" && index($5, "/sys/fs/cgroup/") != 1) next
        if (fstype == "cgroup2") key = "unified"
        else if (fstype == "cgroup") {
            n = split(opts, o, ","); key = ""
            for (j = 1; j <= n; j++)
                if (o[j] !~ /^(rw|ro|noprefix|clone_children|xattr|cpuset_v2_mode|favordynmods|nsdelegate|release_agent=.*)$/)
                    key = key (key == "" ? "" : ",") o[j]
        } else next
        if (!seen[key]++) print $5, key, $4
    }' /proc/self/mountinfo
}

# This process's cgroup in a hierarchy (from /proc/self/cgroup) as a directory.
own_dir() {
    local mnt=$1 key=$2 mroot=$3 path
    if [[ $key == unified ]]; then
        path=$(awk -F: '$1 == "0" && $2 == "" { print $3 }' /proc/self/cgroup)
    else
        path=$(awk -F: -v k="$key" '$2 == k { print $3 }' /proc/self/cgroup)
    fi
    [[ -n $path ]] || die "no line for $key in /proc/self/cgroup"
    [[ $mroot == / ]] || path=${path#"$mroot"}
    path=${path%/}
    echo "$mnt$path"
}

cmd_start() {
    local state=$1 root id mnt key dir
    [[ -d $state ]] || die "no directory $state"
    state=$(cd "$state" && pwd -P)
    [[ ! -e $state/pid1 ]] || die "$state already holds a box (pid1 $(cat "$state/pid1"))"
    root=$(cmd_root)
    id=$BOX_TAG-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
    mkdir -p "$state/upper" "$state/work" "$state/merged" "$state/share"
    echo "$root" >"$state/root"
    : >"$state/cgroups"
    while read -r mnt key mroot; do
        dir=$(own_dir "$mnt" "$key" "$mroot")/$id
        mkdir "$dir"
        echo "$mnt $key $dir" >>"$state/cgroups"
        [[ ${APPTHEUS_BOX_CGROUP:-} != unified || $key == unified ]] || echo "$mnt $key $dir" >>"$state/cgroups.hidden"
        if [[ -e $dir/cpuset.cpus ]]; then # a v1 cpuset child starts empty: no task may join it
            cat "$(dirname "$dir")/cpuset.cpus" >"$dir/cpuset.cpus"
            cat "$(dirname "$dir")/cpuset.mems" >"$dir/cpuset.mems"
        fi
    done < <(hierarchies)
    [[ -s $state/cgroups ]] || die "no cgroup hierarchy is mounted"

    # script(1) gives the box a pty as its console (systemd logs only to a tty)
    script -q -f -e -c "'$SELF' launch '$state'" "$state/console.log" >"$state/script.out" 2>&1 </dev/null &
    echo $! >"$state/script.pid"

    local u="" p="" st=""
    for _ in $(seq 100); do
        [[ -s $state/unshare.pid ]] && u=$(cat "$state/unshare.pid") && break
        sleep 0.1
    done
    [[ -n $u ]] || { cat "$state/script.out" "$state/console.log" >&2 || true; die "unshare did not start"; }
    for _ in $(seq 100); do
        p=$(awk '{ print $1 }' "/proc/$u/task/$u/children" 2>/dev/null || true)
        [[ -n $p ]] && break
        sleep 0.1
    done
    [[ -n $p ]] || { cat "$state/script.out" "$state/console.log" >&2 || true; die "no PID 1 in the box"; }
    echo "$p" >"$state/pid1"
    for _ in $(seq 600); do
        st=$(cmd_exec "$state" systemctl is-system-running 2>/dev/null || true)
        case $st in running | degraded) break ;; esac
        kill -0 "$p" 2>/dev/null || { tail -50 "$state/console.log" >&2 || true; die "PID 1 ($p) died while booting"; }
        sleep 0.2
    done
    case $st in running | degraded) ;; *) die "systemd did not finish booting: '$st'" ;; esac
    log "box $id: PID 1 is $p, system $st"
}

# Under script(1): joins the box's cgroups, then makes the namespaces and forks PID 1.
cmd_launch() {
    local state=$1 mnt key dir
    while read -r mnt key dir; do
        echo $$ >"$dir/cgroup.procs"
    done <"$state/cgroups"
    echo $$ >"$state/unshare.pid"
    exec unshare --mount --propagation private --pid --fork --uts --ipc --net --cgroup "$SELF" inner "$state"
}

# PID 1 of the new namespaces: mounts the box's file systems, then becomes systemd.
cmd_inner() {
    local state=$1 root m
    root=$(cat "$state/root")
    m=$state/merged
    mount -t overlay overlay -o "lowerdir=$root,upperdir=$state/upper,workdir=$state/work" "$m"
    mount -t proc -o nosuid,nodev,noexec proc "$m/proc"
    for p in sys sysrq-trigger; do # kernel tunables stay read-only, as nspawn does
        [[ -e $m/proc/$p ]] || continue
        mount --bind "$m/proc/$p" "$m/proc/$p"
        mount -o remount,bind,ro "$m/proc/$p"
    done
    tr -d '\n' </proc/sys/kernel/random/uuid >"$state/boot_id" # journalctl -b: this boot only
    mount --bind "$state/boot_id" "$m/proc/sys/kernel/random/boot_id"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$m/sys"
    mount_cgroups "$state" "$m"
    mount -t tmpfs -o mode=755,nosuid tmpfs "$m/dev"
    mknod -m 666 "$m/dev/null" c 1 3
    mknod -m 666 "$m/dev/zero" c 1 5
    mknod -m 666 "$m/dev/full" c 1 7
    mknod -m 666 "$m/dev/random" c 1 8
    mknod -m 666 "$m/dev/urandom" c 1 9
    mknod -m 666 "$m/dev/tty" c 5 0
    mkdir "$m/dev/pts" "$m/dev/shm" "$m/dev/mqueue"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5,nosuid,noexec devpts "$m/dev/pts"
    ln -s pts/ptmx "$m/dev/ptmx"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$m/dev/shm"
    ln -s /proc/self/fd "$m/dev/fd"
    ln -s /proc/self/fd/0 "$m/dev/stdin"
    ln -s /proc/self/fd/1 "$m/dev/stdout"
    ln -s /proc/self/fd/2 "$m/dev/stderr"
    touch "$m/dev/console"
    mount --bind "$(readlink /proc/self/fd/0)" "$m/dev/console"
    mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$m/run"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$m/tmp"
    mount --bind "$state/share" "$m/srv/host"
    mount -o remount,bind,ro "$m/srv/host"
    cd "$m"
    pivot_root . oldroot
    cd /
    umount -l /oldroot
    # the capabilities nspawn drops; CAP_SYS_ADMIN stays (services make namespaces)
    exec /usr/bin/env -i container=apptheus-test TERM=dumb \
        /usr/bin/setpriv --bounding-set=-sys_module,-sys_rawio,-sys_time,-sys_pacct,-syslog,-wake_alarm,-block_suspend,-mac_admin,-mac_override \
        /lib/systemd/systemd --log-target=journal-or-kmsg --show-status=no
}

# The box's /sys/fs/cgroup: on a host with v1 hierarchies a read-only tmpfs holding a bind mount
# of the box's own directory of each (at the host's mount point name, co-mount symlinks copied);
# on a cgroup2-only host the box's cgroup2 directory itself.
mount_cgroups() {
    local state=$1 m=$2 mnt key dir name
    if [[ $(awk '$1 == "/sys/fs/cgroup" { print $2 }' "$state/cgroups") == unified ]] || [[ -f $state/cgroups.hidden ]]; then
        # cgroup2 only: the box's cgroup2 directory is its /sys/fs/cgroup (the v1 ones, joined
        # all the same, stay unmounted in the box)
        mount --bind "$(awk '$2 == "unified" { print $3 }' "$state/cgroups")" "$m/sys/fs/cgroup"
        return
    fi
    mount -t tmpfs -o mode=755,nosuid,nodev,noexec tmpfs "$m/sys/fs/cgroup"
    while read -r mnt key dir; do
        name=${mnt#/sys/fs/cgroup/}
        mkdir -p "$m/sys/fs/cgroup/$name"
        mount --bind "$dir" "$m/sys/fs/cgroup/$name"
    done <"$state/cgroups"
    for name in /sys/fs/cgroup/*; do
        [[ -L $name ]] && ln -s "$(readlink "$name")" "$m/sys/fs/cgroup/${name##*/}"
    done
    mount -o remount,ro,nosuid,nodev,noexec tmpfs "$m/sys/fs/cgroup"
}

cmd_exec() {
    local state=$1
    shift
    nsenter -t "$(cat "$state/pid1")" -m -u -i -n -p -C -r -w \
        /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        SYSTEMD_PAGER= SYSTEMD_COLORS=0 TERM=dumb LANG=C.UTF-8 "$@"
}

alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

cmd_stop() {
    local state=$1 p="" u="" s=""
    [[ -d $state ]] || return 0
    state=$(cd "$state" && pwd -P)
    [[ -f $state/pid1 ]] && p=$(cat "$state/pid1")
    [[ -f $state/unshare.pid ]] && u=$(cat "$state/unshare.pid")
    [[ -f $state/script.pid ]] && s=$(cat "$state/script.pid")
    if alive "$p"; then
        cmd_exec "$state" systemctl poweroff --no-block >/dev/null 2>&1 || true
        for _ in $(seq 150); do alive "$p" || break; sleep 0.2; done
        # every process of the box's pid namespace dies with its PID 1
        alive "$p" && { log "poweroff took over 30 s: SIGKILL PID 1 ($p)"; kill -KILL "$p" || true; }
    fi
    for _ in $(seq 100); do alive "$u" || alive "$s" || break; sleep 0.1; done
    if alive "$s"; then kill -KILL "$s" 2>/dev/null || true; fi
    # the box's cgroups, deepest first; a process still inside one (entered with nsenter, not
    # in the pid namespace) is killed by PID
    if [[ -f $state/cgroups ]]; then
        local mnt key top left pid
        while read -r mnt key top; do
            [[ -d $top ]] || continue
            for _ in $(seq 100); do
                left=$(find "$top" -name cgroup.procs -exec cat {} + 2>/dev/null || true)
                for pid in $left; do kill -KILL "$pid" 2>/dev/null || true; done
                find "$top" -depth -type d -exec rmdir {} + 2>/dev/null || true
                [[ -d $top ]] || break
                sleep 0.1
            done
            [[ ! -d $top ]] || log "could not remove $top: $(find "$top" -type d | head -5 | tr '\n' ' ')"
        done <"$state/cgroups"
    fi
    rm -f -- "$state/pid1"
    rm -rf -- "$state/upper" "$state/work"
}

case ${1:-} in
    root) cmd_root ;;
    cached) [[ -x $(root_dir)/lib/systemd/systemd ]] ;;
    start) cmd_start "${2:?STATE}" ;;
    launch) cmd_launch "${2:?STATE}" ;;
    inner) cmd_inner "${2:?STATE}" ;;
    exec)
        state=${2:?STATE}
        shift 2
        cmd_exec "$state" "$@"
        ;;
    stop) cmd_stop "${2:?STATE}" ;;
    *)
        sed -n '2,20p' "$SELF"
        exit 2
        ;;
esac
