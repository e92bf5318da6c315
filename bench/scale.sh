#!/bin/sh
# bench/scale.sh XEN: how the component's phases grow with the number of
# guests. For 1, 10, 100 and 1000 guests (each with two image disks and
# two NICs; bench/gen-profile) it times, as whole processes over repeated
# runs: xmllint --noout on the profile (the floor: merely reading the
# input), a cold configure (every config file and sparse disk created), a
# no-op configure, a configure with one guest changed, status, and start
# and stop on the simulated hypervisor. Prints median, min and max in
# milliseconds, each configure's ratio to the xmllint floor, the peak RSS
# of a no-op configure, and how each phase grows from 100 to 1000 guests.
# Each size is measured on two kinds of profile: "own" (bench/gen-profile:
# only the resources the guests set) and "server" (bench/gen-server-profile:
# as the LCFG server compiles it, every resource of the schema with its
# cfg:derivation, cfg:type and a contextual value on every tenth guest).
#
#   RUNS=N (default 11), COLD_RUNS=N (default 5), SIZES="1 10 100 1000",
#   SHAPES="own server", DISKS=D NICS=N (each guest's disks and NICs in
#   all, default 2 and 2: the seed's; more are items of disks_<tag> and
#   nics_<tag>)
set -eu
xen=${1:-build/xen}
case $xen in /*) ;; *) xen=$PWD/$xen ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-11}
cold_runs=${COLD_RUNS:-5}
sizes=${SIZES:-1 10 100 1000}
shapes=${SHAPES:-own server}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v xmllint >/dev/null || { echo "bench: xmllint is missing (apt-get install libxml2-utils)" >&2; exit 1; }

fresh_root() {
  rm -rf "$1"
  mkdir -p "$1/usr/lib/lcfg/conf/xen" "$1/var/lib/xen/images"
  cp "$top"/templates/*.tmpl "$1/usr/lib/lcfg/conf/xen/"
}

now_us() { echo $(( $(date +%s%N) / 1000 )); }

# time_us CMD...: microseconds of one run, its output thrown away.
time_us() {
  s=$(now_us)
  "$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
  e=$(now_us)
  echo $((e - s))
}

stats() { # numbers (us) on stdin -> "median min max" in ms
  sort -n | awk '{ v[NR] = $1 } END { printf "%.2f %.2f %.2f\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'
}

row() { # N PHASE FILE [FLOOR-MS]
  set -- "$1" "$2" $(stats <"$3") "${4:-}"
  ratio=""
  [ -n "$6" ] && ratio=$(awk -v a="$3" -v b="$6" 'BEGIN { printf "%.1fx", a / b }')
  printf '%6s  %-22s %10s %10s %10s  %s\n' "$1" "$2" "$3" "$4" "$5" "$ratio"
  echo "$1|$shape $2|$3" >>"$work/medians"
}

: >"$work/medians"
for shape in $shapes; do
gen=$top/bench/gen-profile
[ "$shape" = server ] && gen=$top/bench/gen-server-profile
echo
echo "profiles: $shape ($(basename "$gen"); ${DISKS:-2} disks, ${NICS:-2} NICs a guest)"
printf '%6s  %-22s %10s %10s %10s  %s\n' guests phase "median ms" "min" "max" "vs xmllint"
for n in $sizes; do
  "$gen" -d "${DISKS:-2}" -n "${NICS:-2}" "$n" >"$work/p.xml"
  "$gen" -d "${DISKS:-2}" -n "${NICS:-2}" "$n" changed >"$work/p2.xml"
  root=$work/root
  sim=$root/var/lib/lcfg/xen/sim

  : >"$work/t"; i=0
  while [ $i -lt "$runs" ]; do time_us xmllint --noout "$work/p.xml" >>"$work/t"; i=$((i + 1)); done
  floor=$(stats <"$work/t" | cut -d' ' -f1)
  row "$n" "xmllint --noout" "$work/t"

  : >"$work/t"; i=0
  while [ $i -lt "$cold_runs" ]; do
    fresh_root "$root"
    time_us "$xen" --root "$root" --profile "$work/p.xml" configure >>"$work/t"; i=$((i + 1))
  done
  row "$n" "configure (cold)" "$work/t" "$floor"

  : >"$work/t"; i=0
  while [ $i -lt "$runs" ]; do
    time_us "$xen" --root "$root" --profile "$work/p.xml" configure >>"$work/t"; i=$((i + 1))
  done
  row "$n" "configure (no-op)" "$work/t" "$floor"

  # Each run changes guest b1's memory, back and forth.
  : >"$work/t"; i=0
  while [ $i -lt "$runs" ]; do
    p=$work/p2.xml; [ $((i % 2)) -eq 1 ] && p=$work/p.xml
    time_us "$xen" --root "$root" --profile "$p" configure >>"$work/t"; i=$((i + 1))
  done
  row "$n" "configure (1 changed)" "$work/t" "$floor"

  : >"$work/t"; i=0
  while [ $i -lt "$runs" ]; do time_us "$xen" --root "$root" status >>"$work/t"; i=$((i + 1)); done
  row "$n" "status" "$work/t"

  # start and stop on the simulator: guests that shut down at once.
  mkdir -p "$sim"; echo '* shutdown_ms=0' >"$sim/control"
  : >"$work/t"; : >"$work/t2"; i=0
  while [ $i -lt "$runs" ]; do
    time_us "$xen" --root "$root" --hypervisor sim --profile "$work/p.xml" start >>"$work/t"
    time_us "$xen" --root "$root" --hypervisor sim stop >>"$work/t2"
    i=$((i + 1))
  done
  row "$n" "start (sim)" "$work/t"
  row "$n" "stop (sim)" "$work/t2"

  /usr/bin/time -o "$work/rss" -f '%M' "$xen" --root "$root" --hypervisor sim --profile "$work/p.xml" configure \
    >/dev/null 2>&1
  printf '%6s  %-22s %10s KB\n' "$n" "peak RSS (no-op)" "$(cat "$work/rss")"
  # Instructions (valgrind): the same on a loaded machine, unlike seconds.
  if command -v valgrind >/dev/null && [ "${INSTR:-1}" = 1 ]; then
    ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
           sed -n 's/.*Collected : //p'; }
    a=$(ir xmllint --noout "$work/p.xml")
    # Twice: under valgrind the program's file looks like another one, so
    # the first run renders every guest again (src/rendered.c); the second
    # is the no-op.
    ir "$xen" --root "$root" --hypervisor sim --profile "$work/p.xml" configure >/dev/null
    b=$(ir "$xen" --root "$root" --hypervisor sim --profile "$work/p.xml" configure)
    c=$(ir "$xen" --root "$root" --hypervisor sim --profile "$work/p2.xml" configure)
    printf '%6s  %-22s %10s M instructions; xmllint %s M: %s\n' "$n" "no-op configure" \
      $((b / 1000000)) $((a / 1000000)) "$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.1fx", b / a }')"
    printf '%6s  %-22s %10s M instructions: %s the no-op\n' "$n" "1 changed" \
      $((c / 1000000)) "$(awk -v b="$b" -v c="$c" 'BEGIN { printf "%.2fx", c / b }')"
  fi
done
done

# Growth from 100 to 1000 guests, per phase (linear: about 10x).
if echo " $sizes " | grep -q ' 100 ' && echo " $sizes " | grep -q ' 1000 '; then
  echo
  echo "growth from 100 to 1000 guests (linear is 10x):"
  awk -F'|' '{ m[$1 "|" $2] = $3; ph[$2] = 1 }
       END { for (p in ph) if ((("100|" p) in m) && m["100|" p] > 0)
               printf "  %-22s %.1fx\n", p, m["1000|" p] / m["100|" p] }' \
    "$work/medians" | sort
fi
