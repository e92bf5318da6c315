#!/bin/sh
# bench/disks.sh XEN: the cost of creating a sparse image does not depend
# on its size. Times configure (one guest, one new image) for 1 GB and
# 1 TB images over repeated runs, as whole processes, and prints the
# median and the spread of each.
set -eu
xen=${1:-build/xen}
case $xen in /*) ;; *) xen=$PWD/$xen ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-21}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_one() { # SIZE-GB -> elapsed microseconds of one cold configure
  r=$work/root; rm -rf "$r"
  mkdir -p "$r/usr/lib/lcfg/conf/xen" "$r/var/lib/xen/images"
  cp "$top"/templates/*.tmpl "$r/usr/lib/lcfg/conf/xen/"
  printf '%s\n' 'xen.virtualmachines=b1' 'xen.uuid_b1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a' \
    'xen.memory_b1=512' "xen.disk_b1=$1" >"$work/res"
  s=$(date +%s%N)
  "$xen" --root "$r" --resources "$work/res" configure 2>/dev/null
  e=$(date +%s%N)
  echo $(( (e - s) / 1000 ))
}

stats() { # numbers on stdin -> "median min max"
  sort -n | awk '{ v[NR] = $1 } END { printf "%d %d %d\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}

printf '%-8s %10s %10s %10s   (configure with one new sparse image, %d runs, microseconds)\n' \
  size median min max "$runs"
for gb in 1 1024; do
  i=0; : >"$work/t"
  while [ $i -lt "$runs" ]; do run_one $gb >>"$work/t"; i=$((i + 1)); done
  set -- $(stats <"$work/t")
  printf '%-8s %10s %10s %10s\n' "$([ $gb = 1 ] && echo 1GB || echo 1TB)" "$1" "$2" "$3"
done
