#!/usr/bin/env bash
# Builds apptheus-<version>-1.noarch.rpm from the built application (target/quarkus-app) and
# deploy/ with deploy/rpm/apptheus.spec. `./mvnw package` runs it (exec-maven-plugin).
#
#   deploy/rpm/build-rpm.sh --version=MAVEN_VERSION --out=DIR [--app=DIR] [--third-party=FILE]
#
# Needs rpmbuild (Debian: apt-get install rpm). Without it, it says so and does nothing (exit 0),
# unless CI=true. On a machine whose rpm lacks the %systemd_* macros (Debian's), it loads the
# stand-ins of deploy/rpm/macros.systemd-standin and skips the build-dependency check
# (systemd-rpm-macros is not an RPM there); on EL both are the real thing.
set -euo pipefail

RPM_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
DEPLOY=$(dirname -- "$RPM_DIR")
REPO=$(dirname -- "$DEPLOY")

version='' out='' app='' third_party=''
for arg in "$@"; do
    case $arg in
        --version=*) version=${arg#*=} ;;
        --out=*) out=${arg#*=} ;;
        --app=*) app=${arg#*=} ;;
        --third-party=*) third_party=${arg#*=} ;;
        *)
            sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
            exit 2
            ;;
    esac
done
[[ -n $version && -n $out ]] || {
    echo "build-rpm: --version and --out are required" >&2
    exit 2
}
app=${app:-$REPO/target/quarkus-app}
third_party=${third_party:-$REPO/target/license/THIRD-PARTY.txt}
rpm_version=${version/-SNAPSHOT/\~SNAPSHOT}

say() { echo "build-rpm: $*"; }
missing() {
    if [[ ${CI:-} == true ]]; then
        echo "build-rpm: error: $1 (CI=true: the package must be built)" >&2
        exit 1
    fi
    say "skipped: $1"
    exit 0
}
command -v rpmbuild >/dev/null || missing "no rpmbuild (Debian: apt-get install rpm)"
[[ -f $app/quarkus-run.jar ]] || missing "no $app/quarkus-run.jar (a native-only build?)"
[[ -f $third_party ]] || missing "no $third_party (license-maven-plugin's add-third-party)"

mkdir -p "$out"
out=$(cd -- "$out" && pwd -P)
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || date +%s)}

# Source0: what the spec's %install takes
src=$work/src/apptheus-$rpm_version
mkdir -p "$src/deploy/debian" "$src/docs" "$work/SOURCES"
cp -a -- "$app" "$src/quarkus-app"
rm -f -- "$src/quarkus-app/quarkus-app-dependencies.txt"
chmod -R u=rwX,go=rX -- "$src/quarkus-app"
cp -a -- "$DEPLOY/bin" "$DEPLOY/systemd" "$DEPLOY/man" "$DEPLOY/apptainer" "$DEPLOY/grafana" "$src/deploy/"
mkdir -p "$src/deploy/prometheus"
cp -a -- "$DEPLOY/prometheus/prometheus.yml" "$DEPLOY/prometheus/rules" "$src/deploy/prometheus/"
cp -- "$DEPLOY/debian/apptheus.copyright" "$src/deploy/debian/"
cp -- "$REPO/docs/install.md" "$src/docs/"
cp -- "$third_party" "$src/THIRD-PARTY.txt"
tar -C "$work/src" --owner=0 --group=0 --numeric-owner -czf "$work/SOURCES/apptheus-$rpm_version.tar.gz" \
    "apptheus-$rpm_version"

# a snapshot gets a changelog entry of its own, so that the newest entry names the version built
spec=$work/apptheus.spec
if [[ $rpm_version == *~* ]]; then
    revision=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    awk -v head="* $(LC_ALL=C date -u -d "@$SOURCE_DATE_EPOCH" '+%a %b %d %Y') Apptheus maintainers <apptheus@users.noreply.github.com> - $rpm_version-1" \
        -v rev="$revision" '{ print } /^%changelog$/ { print head; print "- Snapshot built from the Apptheus repository at revision " rev "."; print "" }' \
        "$RPM_DIR/apptheus.spec" >"$spec"
else
    cp -- "$RPM_DIR/apptheus.spec" "$spec"
fi

args=(--define "_topdir $work" --define "apptheus_version $rpm_version" --define "_binary_payload w9.gzdio"
    --define "packager Apptheus maintainers <apptheus@users.noreply.github.com>")
if [[ -z $(rpm --eval '%{?systemd_post:defined}') ]]; then
    args+=(--load "$RPM_DIR/macros.systemd-standin" --nodeps)
fi
# Debian's brp-compress (which gzips the man page) is bash run as sh; give it bash
if [[ $(rpm --eval '%__brp_compress') == /usr/lib/rpm/brp-compress* ]] && head -1 /usr/lib/rpm/brp-compress | grep -q '/bin/sh'; then
    args+=(--define "__brp_compress bash $(rpm --eval '%__brp_compress')")
fi
rpmbuild "${args[@]}" --quiet -bb "$spec"
for f in "$work"/RPMS/*/*.rpm; do
    cp -- "$f" "$out/"
    say "built $out/${f##*/}"
done
