#!/usr/bin/env bash
# Install Apptheus on this host (or remove it with --uninstall). Safe to re-run.
#
#   deploy/install.sh [--native|--jvm] [--prefix=DIR] [--bindir=DIR] [--destdir=DIR] [--no-build] [--enable]
#   deploy/install.sh --uninstall [--purge] [--prefix=DIR] [--bindir=DIR] [--destdir=DIR]
#
# Installs one form of the agent (docs/native.md says which to choose):
#   target/apptheus-*-runner -> /opt/apptheus/apptheus  (native executable, from ./mvnw package -Dnative)
#   or target/quarkus-app/   -> /opt/apptheus/          (fast-jar for Java 17+; built with ./mvnw if missing)
#   deploy/bin/apptheus   -> /usr/local/bin/apptheus    (launcher: runs whichever is installed)
#   deploy/systemd/apptheus.service -> /etc/systemd/system/apptheus.service
#   deploy/systemd/apptheus.default -> /etc/default/apptheus  (only if absent)
# and runs `systemctl daemon-reload` only when systemd is PID 1.
# Which form: --native or --jvm; without either, the native executable if the last build made one
# (target/*-runner newer than target/quarkus-app), else the fast-jar. An executable built by the
# test machines' native-image stand-in (it needs the stand-in's libjvm.so) is refused.
#
# --uninstall removes the app dir, the launcher and the unit (stopping and
# disabling it first when systemd runs; containers keep running, see the unit).
# /etc/default/apptheus is removed only if it is byte-identical to what install
# wrote; an edited one is kept (like a dpkg conffile) unless --purge is given.
# --destdir=DIR stages everything under DIR and never calls systemctl (packaging, tests).
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
NAME=apptheus
MARKER="installed by apptheus deploy/install.sh"

action=install
destdir=
app_dir=/opt/apptheus
bin_dir=/usr/local/bin
unit_dir=/etc/systemd/system
default_file=/etc/default/apptheus
build=1
enable=0
purge=0
form= # native or jvm; chosen in do_install when not given

say() { echo "apptheus-install: $*"; }
die() {
    echo "apptheus-install: error: $*" >&2
    exit 1
}
usage() {
    sed -n '2,23s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
    exit "${1:-0}"
}

for arg in "$@"; do
    case $arg in
        --uninstall) action=uninstall ;;
        --purge) purge=1 ;;
        --prefix=*) app_dir=${arg#*=} ;;
        --bindir=*) bin_dir=${arg#*=} ;;
        --destdir=*) destdir=${arg#*=} ;;
        --no-build) build=0 ;;
        --enable) enable=1 ;;
        --native) form=native ;;
        --jvm) form=jvm ;;
        -h | --help) usage 0 ;;
        *)
            echo "apptheus-install: unknown option: $arg" >&2
            usage 2 >&2
            ;;
    esac
done
for d in "$app_dir" "$bin_dir"; do
    [[ $d == /* && $d != / ]] || die "--prefix/--bindir must be absolute paths other than /: '$d'"
done
destdir=${destdir%/}
if [[ -n $destdir ]]; then
    mkdir -p "$destdir"
    destdir=$(cd -- "$destdir" && pwd -P)
fi

APP=$destdir$app_dir
LAUNCHER=$destdir$bin_dir/$NAME
UNIT=$destdir$unit_dir/$NAME.service
WANTS=$destdir$unit_dir/multi-user.target.wants/$NAME.service
DEFAULTS=$destdir$default_file
DEFAULTS_SUM=$APP/.etc-default.sha256 # checksum of the env file as install wrote it

systemd_running() {
    [[ -z $destdir && -d /run/systemd/system && $(cat /proc/1/comm 2>/dev/null) == systemd ]]
}
systemd_note() {
    if [[ -n $destdir ]]; then
        say "--destdir given: skipped systemctl ($*)"
    else
        say "systemd is not PID 1 here (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown)): skipped systemctl ($*)"
    fi
}

# Prints the major version of the java at $1, or nothing.
java_major() {
    local v
    v=$("$1" -version 2>&1 | sed -n '1s/^[^"]*"\([^"]*\)".*/\1/p') || true
    [[ $v == 1.* ]] && v=${v#1.}
    v=${v%%[!0-9]*}
    echo "$v"
}

find_java() {
    local j=${JAVA:-java} major
    [[ $j == */* ]] || j=$(command -v "$j" 2>/dev/null) || j=
    [[ -n $j && -x $j ]] || die "no Java found (JAVA='${JAVA:-}'); install Java 17+ (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA=/path/to/bin/java"
    major=$(java_major "$j")
    [[ $major =~ ^[0-9]+$ ]] || die "cannot tell the version of $j; Java 17+ is required"
    ((major >= 17)) || die "$j is Java $major; Java 17+ is required (set JAVA=/path/to/java17/bin/java)"
    say "java: $j (Java $major)"
}

# The native executable of the last -Dnative build, or nothing.
native_runner() {
    local r="" f
    for f in "$REPO_ROOT"/target/*-runner; do
        [[ -x $f && ( -z $r || $f -nt $r ) ]] && r=$f
    done
    [[ -n $r ]] && echo "$r"
}

# Sets form (native or jvm) and runner: as asked, else the newer build.
choose_form() {
    local jar=$REPO_ROOT/target/quarkus-app/quarkus-run.jar
    runner=$(native_runner) || true
    if [[ -z $form ]]; then
        if [[ -n $runner && (! -f $jar || $runner -nt $jar) ]]; then
            form=native
            say "form: native executable $runner (the last build; --jvm installs the fast-jar)"
        else
            form=jvm
            say "form: fast-jar (no newer target/*-runner; --native installs one built with ./mvnw package -Dnative)"
        fi
    fi
    if [[ $form == native ]]; then
        [[ -n $runner ]] || die "--native: no target/*-runner; build it with ./mvnw -B package -Dnative (docs/native.md)"
        # the stand-in's executables load its stub libjvm.so through an absolute RUNPATH: for tests here only
        if command -v readelf >/dev/null 2>&1 && readelf -d "$runner" 2>/dev/null | grep -q 'Shared library: \[libjvm\.so\]'; then
            [[ ${APPTHEUS_INSTALL_STANDIN:-} == 1 ]] ||
                die "$runner needs libjvm.so: built with the native-image stand-in, for tests on its machine only (docs/native.md); build with Mandrel or GraalVM"
            say "warning: $runner was built with the native-image stand-in (APPTHEUS_INSTALL_STANDIN=1): never ship it"
        fi
    fi
}

build_if_missing() {
    local jar=$REPO_ROOT/target/quarkus-app/quarkus-run.jar
    if [[ ! -f $jar ]]; then
        ((build)) || die "$jar is missing and --no-build was given; run ./mvnw -B -DskipTests package in $REPO_ROOT"
        say "$jar is missing: building with ./mvnw -B -DskipTests package in $REPO_ROOT"
        (cd -- "$REPO_ROOT" && ./mvnw -B -DskipTests package)
        [[ -f $jar ]] || die "the build did not produce $jar"
    fi
}

# Apptainer's libexec/apptainer directory, where starter and starter-suid live.
apptainer_libexec() {
    local d
    if command -v apptainer >/dev/null 2>&1 && d=$(apptainer buildcfg LIBEXECDIR 2>/dev/null) && [[ -n $d ]]; then
        echo "$d/apptainer"
        return
    fi
    for d in /usr/libexec/apptainer /usr/local/libexec/apptainer; do
        [[ -d $d/bin ]] && {
            echo "$d"
            return
        }
    done
    echo /usr/libexec/apptainer
}

# install_file MODE SRC DEST: copies only when the content differs; reports what it did.
install_file() {
    local mode=$1 src=$2 dest=$3
    if [[ -f $dest ]] && cmp -s "$src" "$dest"; then
        say "unchanged $dest"
        return 1
    fi
    mkdir -p "$(dirname -- "$dest")"
    install -m "$mode" "$src" "$dest.tmp.$$"
    mv -f "$dest.tmp.$$" "$dest"
    say "installed $dest"
}

ours() { [[ -f $1 ]] && grep -q "$MARKER" "$1"; }

do_install() {
    [[ -n $destdir || $EUID -eq 0 ]] || die "run as root (or stage with --destdir=DIR)"
    choose_form
    if [[ $form == jvm ]]; then
        find_java
        build_if_missing
    fi
    tmp=$(mktemp -d)
    stage=$APP.new.$$
    trap 'rm -rf -- "$tmp" "$stage"' EXIT

    # 1. the application tree (the fast-jar, or the native executable alone), swapped in whole so
    #    a running agent keeps its open files
    rm -rf -- "$stage"
    mkdir -p -- "$stage"
    if [[ $form == native ]]; then
        install -m 0755 "$runner" "$stage/apptheus"
    else
        cp -a -- "$REPO_ROOT/target/quarkus-app/." "$stage/"
    fi
    install -m 0644 "$SCRIPT_DIR/README.md" "$stage/README.md"
    install -m 0644 "$SCRIPT_DIR/apptainer/apptainer.conf.snippet" "$stage/apptainer.conf.snippet"
    echo "$MARKER" >"$stage/.installed-by"
    [[ -f $DEFAULTS_SUM ]] && cp -p -- "$DEFAULTS_SUM" "$stage/"
    chmod -R u+rwX,go+rX,go-w -- "$stage"
    if [[ -e $APP ]] && diff -rq -- "$APP" "$stage" >/dev/null 2>&1; then
        rm -rf -- "$stage"
        say "unchanged $APP"
    else
        if [[ -e $APP ]]; then
            [[ -f $APP/.installed-by ]] || {
                rm -rf -- "$stage"
                die "$APP exists but was not installed by this script; move it away or use --prefix"
            }
            mv -- "$APP" "$APP.old.$$"
            mv -- "$stage" "$APP"
            rm -rf -- "$APP.old.$$"
        else
            mkdir -p -- "$(dirname -- "$APP")"
            mv -- "$stage" "$APP"
        fi
        say "installed $APP ($([[ $form == native ]] && echo "native executable" || echo "fast-jar"))"
    fi

    # 2. the launcher
    [[ ! -e $LAUNCHER ]] || ours "$LAUNCHER" || die "$LAUNCHER exists and is not ours; remove it or use --bindir"
    sed "s|@APP_DIR@|$app_dir|g" "$SCRIPT_DIR/bin/apptheus" >"$tmp/launcher"
    install_file 0755 "$tmp/launcher" "$LAUNCHER" || true

    # 3. the unit (ExecStart follows --bindir)
    local unit_changed=0
    [[ ! -e $UNIT ]] || ours "$UNIT" || die "$UNIT exists and is not ours; remove it first"
    sed -e "s|^ExecStart=/usr/bin/apptheus|ExecStart=$bin_dir/$NAME|" \
        -e "s|^# Shipped by the apptheus package as .*|# $MARKER (re-running it overwrites this file; use drop-ins)|" \
        "$SCRIPT_DIR/systemd/apptheus.service" >"$tmp/unit"
    install_file 0644 "$tmp/unit" "$UNIT" && unit_changed=1

    # 4. the site settings: written once, never overwritten
    if [[ -e $DEFAULTS ]]; then
        say "kept existing $DEFAULTS"
    else
        local libexec
        install_file 0644 "$SCRIPT_DIR/systemd/apptheus.default" "$DEFAULTS" || true
        sha256sum <"$DEFAULTS" | cut -d' ' -f1 >"$DEFAULTS_SUM"
        # the launcher picks the trust path at each start while APPTHEUS_TRUST_PATH is unset
        libexec=$(apptainer_libexec)
        say "trust path: chosen by the launcher at each start; now $libexec/bin/starter;$libexec/bin/starter-suid" \
            "(set APPTHEUS_TRUST_PATH in $DEFAULTS to choose yourself)"
        [[ -x $libexec/bin/starter || -x $libexec/bin/starter-suid ]] ||
            say "warning: no Apptainer starter in $libexec/bin yet"
    fi

    # 5. systemd
    if systemd_running; then
        ((unit_changed)) && systemctl daemon-reload && say "systemctl daemon-reload"
        if ((enable)); then
            systemctl enable --now "$NAME.service"
            say "enabled and started $NAME.service"
        elif systemctl is-active -q "$NAME.service"; then
            say "$NAME.service is running the previous version: systemctl restart $NAME"
        else
            say "start it with: systemctl enable --now $NAME"
        fi
    else
        if ((enable)); then systemd_note "daemon-reload and start"; else systemd_note "daemon-reload"; fi
        if ((enable)); then
            mkdir -p -- "$(dirname -- "$WANTS")"
            ln -sfn "../$NAME.service" "$WANTS"
            say "enabled $NAME.service for multi-user.target (link $WANTS)"
        fi
    fi
    say "next: put the lines of $app_dir/apptainer.conf.snippet into apptainer.conf"
}

do_uninstall() {
    [[ -n $destdir || $EUID -eq 0 ]] || die "run as root (or use --destdir=DIR)"
    local removed=0
    if systemd_running && systemctl cat "$NAME.service" >/dev/null 2>&1; then
        # KillMode=process: stopping signals the agent only; containers keep running
        # and their cgroups stay until they end.
        systemctl disable --now "$NAME.service" || say "warning: could not stop/disable $NAME.service"
    elif [[ -L $WANTS ]]; then
        rm -f -- "$WANTS" && say "removed $WANTS"
    fi
    if [[ -e $UNIT ]]; then
        if ours "$UNIT"; then
            rm -f -- "$UNIT" && say "removed $UNIT" && removed=1
        else
            say "kept $UNIT: not installed by this script"
        fi
    fi
    [[ -d $UNIT.d ]] && say "kept drop-ins in $UNIT.d (yours)"
    if systemd_running; then
        systemctl daemon-reload
    else
        systemd_note "stop, disable and daemon-reload"
    fi

    if [[ -e $LAUNCHER ]]; then
        if ours "$LAUNCHER"; then
            rm -f -- "$LAUNCHER" && say "removed $LAUNCHER" && removed=1
        else
            say "kept $LAUNCHER: not installed by this script"
        fi
    fi

    local want_sum=
    [[ -f $DEFAULTS_SUM ]] && want_sum=$(<"$DEFAULTS_SUM")
    if [[ -e $DEFAULTS ]]; then
        if ((purge)); then
            rm -f -- "$DEFAULTS" && say "removed $DEFAULTS (--purge)" && removed=1
        elif [[ -n $want_sum && $(sha256sum <"$DEFAULTS" | cut -d' ' -f1) == "$want_sum" ]]; then
            rm -f -- "$DEFAULTS" && say "removed $DEFAULTS (unmodified)" && removed=1
        else
            say "kept $DEFAULTS: edited since install (use --purge to remove it)"
        fi
    fi

    if [[ -e $APP ]]; then
        if [[ -f $APP/.installed-by ]]; then
            rm -rf -- "$APP" && say "removed $APP" && removed=1
        else
            say "kept $APP: not installed by this script"
        fi
    fi
    ((removed)) || say "nothing to remove"
}

case $action in
    install) do_install ;;
    uninstall) do_uninstall ;;
esac
