#!/usr/bin/env bash
# Prints prometheus-kubernetes.yml with its kubernetes_sd_configs block replaced by file_sd_configs
# reading FILES (a glob) and its rule files made absolute (so the copy can live anywhere),
# everything else unchanged: Debian's promtool and Prometheus have no
# Kubernetes discovery. The target files stand in for the pod role's discovery: they carry the
# __meta_kubernetes_* labels the relabelling reads (FleetIT writes such files).
#
#   kubernetes-as-file-sd.sh [CONFIG] FILES
set -euo pipefail
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
if (($# == 2)); then
    config=$1
    shift
else
    config=$here/../prometheus-kubernetes.yml
fi
(($# == 1)) || {
    echo "usage: $0 [CONFIG] FILES" >&2
    exit 2
}
grep -q '^    kubernetes_sd_configs:$' "$config" || {
    echo "$0: no kubernetes_sd_configs block in $config" >&2
    exit 1
}
dir=$(cd -- "$(dirname -- "$config")" && pwd -P)
awk -v files="$1" -v dir="$dir" '
    /^  - rules\// { print "  - " dir "/" substr($0, 5); next }
    /^    kubernetes_sd_configs:$/ { print "    file_sd_configs:"; print "      - files: [\x27" files "\x27]"; skip = 1; next }
    skip && /^    [a-z_]+:/ { skip = 0 }
    !skip { print }
' "$config"
