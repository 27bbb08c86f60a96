#!/usr/bin/env bash
# Writes a Prometheus file_sd target file for the Apptheus agents of a node list.
#
#   apptheus-file-sd.sh [-p PORT] [-o FILE] [NODELIST]
#
# NODELIST (a file, or standard input when absent or "-"): one node a line, "NAME [ADDRESS]";
# ADDRESS defaults to NAME (a host name, an IPv4 address or a [bracketed] IPv6 address). Blank
# lines and "#" comments are skipped. Each node becomes one target group:
#
#   {"targets": ["ADDRESS:PORT"], "labels": {"node": "NAME"}}
#
# so the `node` label is the scheduler's node name even where Prometheus reaches the agent by
# another address. PORT defaults to 9091 (the agent's --web.listen-address). With -o the file is
# written next to FILE and renamed over it: Prometheus watches the directory and must never read a
# half-written list. Slurm, every node of the cluster (or of a partition with -p to sinfo):
#
#   sinfo -h -N -o %N | sort -u | apptheus-file-sd.sh -o /etc/prometheus/apptheus-targets/slurm.json
#
# A name or address with any other character is refused with its line number (exit 1): the file
# is JSON and the names become label values.
set -euo pipefail

port=9091
out=
usage() {
    echo "usage: $0 [-p PORT] [-o FILE] [NODELIST]" >&2
    exit 2
}
while getopts 'p:o:h' opt; do
    case $opt in
    p) port=$OPTARG ;;
    o) out=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
(($# <= 1)) || usage
if ! [[ $port =~ ^[0-9]{1,5}$ ]] || ((port < 1 || port > 65535)); then
    echo "$0: bad port '$port'" >&2
    exit 2
fi
input=${1:--}

name_re='^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'
addr_re='^([A-Za-z0-9][A-Za-z0-9._-]{0,252}|\[[0-9A-Fa-f:.]{2,45}\])$'

json='['
sep=''
n=0
lineno=0
declare -A seen=()
while IFS= read -r line || [[ -n $line ]]; do
    lineno=$((lineno + 1))
    line=${line%%#*}
    read -r name addr extra <<<"$line" || true
    [[ -z ${name:-} ]] && continue
    if [[ -n ${extra:-} ]]; then
        echo "$0: line $lineno: expected 'NAME [ADDRESS]', got '$line'" >&2
        exit 1
    fi
    addr=${addr:-$name}
    if ! [[ $name =~ $name_re ]] || ! [[ $addr =~ $addr_re ]]; then
        echo "$0: line $lineno: bad node name or address '$name ${addr}'" >&2
        exit 1
    fi
    if [[ -n ${seen[$name]:-} ]]; then
        echo "$0: line $lineno: node '$name' listed twice (first on line ${seen[$name]})" >&2
        exit 1
    fi
    seen[$name]=$lineno
    json+="$sep"$'\n'"  {\"targets\": [\"$addr:$port\"], \"labels\": {\"node\": \"$name\"}}"
    sep=','
    n=$((n + 1))
done < <(if [[ $input == - ]]; then cat; else cat -- "$input"; fi)
json+=$'\n]\n'
((n > 0)) || json=$'[]\n'

if [[ -z $out ]]; then
    printf '%s' "$json"
else
    tmp=$(dirname -- "$out")/.$(basename -- "$out").tmp.$$
    printf '%s' "$json" >"$tmp"
    mv -f -- "$tmp" "$out"
    echo "$0: $n node(s) -> $out" >&2
fi
