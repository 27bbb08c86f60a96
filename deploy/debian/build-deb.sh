#!/usr/bin/env bash
# Builds the Debian packages from the built application (target/quarkus-app) and deploy/:
#   apptheus_<version>_all.deb                    the agent, its unit, settings, man page, files
#   apptheus-demo-starter_<version>_<arch>.deb    the demo starter (src/test/c/fakestarter.c)
# `./mvnw package` runs it (exec-maven-plugin); the tests run it again for an upgrade.
#
#   deploy/debian/build-deb.sh --version=MAVEN_VERSION --out=DIR [--app=DIR] [--deb-version=V]
#       [--third-party=FILE]
#
# FILE (default target/license/THIRD-PARTY.txt, license-maven-plugin's list of the bundled jars)
# goes to /usr/share/doc/apptheus; every jar in it not under an Apache licence must be named in
# deploy/debian/apptheus.copyright, else the build fails.
# Needs dpkg-deb, gzip and, for the demo starter, gcc. Without dpkg-deb it says so and does
# nothing (exit 0), unless CI=true: CI must build them. The Debian version is the Maven one with
# "-SNAPSHOT" as "~SNAPSHOT" (sorts before the release), unless --deb-version gives one.
set -euo pipefail

DEBIAN_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
DEPLOY=$(dirname -- "$DEBIAN_DIR")
REPO=$(dirname -- "$DEPLOY")
MAINTAINER="Apptheus maintainers <apptheus@users.noreply.github.com>"

version='' out='' app='' deb_version='' third_party=''
for arg in "$@"; do
    case $arg in
        --version=*) version=${arg#*=} ;;
        --out=*) out=${arg#*=} ;;
        --app=*) app=${arg#*=} ;;
        --deb-version=*) deb_version=${arg#*=} ;;
        --third-party=*) third_party=${arg#*=} ;;
        *)
            sed -n '2,17s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
            exit 2
            ;;
    esac
done
[[ -n $version && -n $out ]] || {
    echo "build-deb: --version and --out are required" >&2
    exit 2
}
app=${app:-$REPO/target/quarkus-app}
third_party=${third_party:-$REPO/target/license/THIRD-PARTY.txt}
deb_version=${deb_version:-${version/-SNAPSHOT/\~SNAPSHOT}}

say() { echo "build-deb: $*"; }
missing() {
    if [[ ${CI:-} == true ]]; then
        echo "build-deb: error: $1 (CI=true: the packages must be built)" >&2
        exit 1
    fi
    say "skipped: $1"
    exit 0
}
command -v dpkg-deb >/dev/null || missing "no dpkg-deb (Debian's dpkg) on this machine"
[[ -f $app/quarkus-run.jar ]] || missing "no $app/quarkus-run.jar (a native-only build?)"
[[ -f $third_party ]] || missing "no $third_party (license-maven-plugin's add-third-party)"
# jars under another licence than Apache's must have their paragraph in the copyright file
unnamed=$(grep -v -i 'apache' "$third_party" | sed -n 's/.*(\([^: ]*:[^: ]*\):[^ ]* - .*/\1/p' |
    while read -r ga; do grep -qF "$ga" "$DEBIAN_DIR/apptheus.copyright" || echo "$ga"; done)
[[ -z $unnamed ]] || {
    echo "build-deb: bundled jars under a licence not named in deploy/debian/apptheus.copyright: $unnamed" >&2
    exit 1
}

mkdir -p "$out"
out=$(cd -- "$out" && pwd -P)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}
revision=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

# install_file MODE SRC DEST (DEST relative to the package root $root)
install_file() { install -D -m "$1" "$2" "$root/$3"; }
# gzip -9n: no name or time stamp in the header (reproducible, as dh_compress does)
install_gz() {
    mkdir -p "$(dirname -- "$root/$2")"
    gzip -9nc "$1" >"$root/$2"
    chmod 0644 "$root/$2"
}

changelog() { # $1 = package
    cat <<EOF
$1 ($deb_version) unstable; urgency=medium

  * Built from the Apptheus repository at revision $revision.

 -- $MAINTAINER  $(date -u -R -d "@$SOURCE_DATE_EPOCH")
EOF
}

# common_doc PACKAGE: copyright and changelog.gz
common_doc() {
    install_file 0644 "$DEBIAN_DIR/$1.copyright" "usr/share/doc/$1/copyright"
    changelog "$1" >"$work/changelog"
    install_gz "$work/changelog" "usr/share/doc/$1/changelog.gz"
}

# overrides PACKAGE: the lintian tags explained in deploy/debian/PACKAGE.lintian-overrides, if any
overrides() {
    [[ ! -f $DEBIAN_DIR/$1.lintian-overrides ]] ||
        install_file 0644 "$DEBIAN_DIR/$1.lintian-overrides" "usr/share/lintian/overrides/$1"
}

# finish PACKAGE ARCH: control file, md5sums, and the .deb in $out
finish() {
    local pkg=$1 arch=$2 size deb
    mkdir -p "$root/DEBIAN"
    size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
    sed -e "s|@VERSION@|$deb_version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$MAINTAINER|" \
        -e "s|@INSTALLED_SIZE@|$size|" -e "s|@SHLIBS@|${shlibs:-}|" \
        "$DEBIAN_DIR/$pkg.control" >"$root/DEBIAN/control"
    (cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
        xargs -0r md5sum) >"$root/DEBIAN/md5sums"
    chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
    # every file and directory: root-owned, no group/other write, directories 0755
    find "$root" -type d -exec chmod 0755 {} +
    deb=$out/${pkg}_${deb_version}_${arch}.deb
    # gzip: the jars are compressed already; xz would take minutes to gain a few per cent
    dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
    say "built $deb"
}

# ---- apptheus (all) ----
root=$work/apptheus
mkdir -p "$root/usr/share/apptheus"
cp -a -- "$app" "$root/usr/share/apptheus/quarkus-app"
rm -f -- "$root/usr/share/apptheus/quarkus-app/quarkus-app-dependencies.txt"
chmod -R u=rwX,go=rX -- "$root/usr/share/apptheus/quarkus-app"
sed "s|@APP_DIR@|/usr/share/apptheus/quarkus-app|g" "$DEPLOY/bin/apptheus" >"$work/launcher"
install_file 0755 "$work/launcher" usr/bin/apptheus
install_file 0644 "$DEPLOY/systemd/apptheus.service" lib/systemd/system/apptheus.service
install_file 0644 "$DEPLOY/systemd/apptheus.socket" lib/systemd/system/apptheus.socket
install_file 0644 "$DEPLOY/systemd/apptheus.default" etc/default/apptheus
install_gz "$DEPLOY/man/apptheus.8" usr/share/man/man8/apptheus.8.gz
install_file 0644 "$DEPLOY/apptainer/apptainer.conf.snippet" usr/share/apptheus/apptainer/apptainer.conf.snippet
install_file 0644 "$DEPLOY/prometheus/prometheus.yml" usr/share/apptheus/prometheus/prometheus.yml
for f in "$DEPLOY"/prometheus/rules/*.yml; do
    install_file 0644 "$f" "usr/share/apptheus/prometheus/rules/${f##*/}"
done
install_file 0644 "$DEPLOY/grafana/apptheus.json" usr/share/apptheus/grafana/apptheus.json
common_doc apptheus
install_gz "$third_party" usr/share/doc/apptheus/THIRD-PARTY.txt.gz
overrides apptheus
mkdir -p "$root/DEBIAN"
echo /etc/default/apptheus >"$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "$DEBIAN_DIR/apptheus.$s" "$root/DEBIAN/$s"; done
finish apptheus all

# ---- apptheus-demo-starter (this machine's architecture) ----
if ! command -v gcc >/dev/null; then
    missing "no gcc: apptheus-demo-starter not built"
fi
arch=$(dpkg --print-architecture)
root=$work/apptheus-demo-starter
mkdir -p "$root/usr/sbin"
gcc -O2 -g -Wall -Wextra -pthread -DAPPTHEUS_DEMO -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
    -fPIE -pie -Wl,-z,relro,-z,now -o "$work/demo" "$REPO/src/test/c/fakestarter.c"
strip --remove-section=.comment --remove-section=.note --strip-unneeded -o "$root/usr/sbin/apptheus-demo-starter" "$work/demo"
# 0700: only root can run it, so trusting it gives no one else a way into the agent's cgroups
chmod 0700 "$root/usr/sbin/apptheus-demo-starter"
needed=$(readelf -d "$root/usr/sbin/apptheus-demo-starter" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
[[ $needed == "libc.so.6 " ]] || {
    echo "build-deb: the demo starter needs more than libc.so.6 ($needed): update its Depends" >&2
    exit 1
}
glibc=$(objdump -T "$root/usr/sbin/apptheus-demo-starter" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' |
    sort -t. -k1,1n -k2,2n -k3,3n | tail -1)
shlibs="libc6 (>= $glibc)"
install_gz "$DEPLOY/man/apptheus-demo-starter.8" usr/share/man/man8/apptheus-demo-starter.8.gz
common_doc apptheus-demo-starter
overrides apptheus-demo-starter
mkdir -p "$root/DEBIAN"
for s in postinst postrm; do install -m 0755 "$DEBIAN_DIR/apptheus-demo-starter.$s" "$root/DEBIAN/$s"; done
finish apptheus-demo-starter "$arch"
