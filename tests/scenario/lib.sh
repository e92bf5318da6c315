# lib.sh: a tiny harness for scenario tests of the whole binary.
#
#   XEN=build/xen sh tests/scenario/lib.sh tests/scenario/NN-name.sh
#
# A scenario file defines functions named t_<case>; each runs in a subshell
# with a fresh sandbox ($T, root $ROOT) under "set -e": the first helper
# that returns non-zero ends the case as failed (the helpers print why). Prints "ok"/"FAIL" per case and a final
# "RESULT passed failed skipped" line for tests/run-tests.
# REGENERATE=1 makes expect_golden rewrite its golden file instead.

TOP=$(pwd)
case ${XEN:-} in /*) ;; ?*) XEN=$TOP/$XEN ;; esac
DATA=$TOP/tests/data
# The simulator runs only when asked for (src/hv.c): the tests ask.
LCFGXEN_HYPERVISOR=sim
export LCFGXEN_HYPERVISOR

# Run the component; stdout in $T/out, stderr in $T/err, status in $RC.
xen() {
  RC=0
  "$XEN" --root "$ROOT" "$@" >"$T/out" 2>"$T/err" || RC=$?
}

# The simulated hypervisor's state, under the root (src/hv_sim.c).
SIM=var/lib/lcfg/xen/sim

# N guests g1..gN (boot set), with extra resource lines.
guests() {
  n=$1; shift
  list=""; i=1
  while [ $i -le "$n" ]; do list="$list g$i"; i=$((i + 1)); done
  { echo "xen.virtualmachines=${list# }"
    i=1
    while [ $i -le "$n" ]; do
      printf 'xen.uuid_g%d=%08d-1111-4222-8333-444444444444\nxen.memory_g%d=128\nxen.disk_g%d=1\nxen.boot_g%d=yes\n' \
        $i $i $i $i $i
      i=$((i + 1))
    done
  } >"$T/base"
  : >"$T/extra"
  for l in "$@"; do printf '%s\n' "$l" >>"$T/extra"; done
  # An extra line replaces the generated one with the same resource.
  awk -F= -v extra="$T/extra" 'BEGIN { while ((getline l < extra) > 0) { split(l, f, "="); over[f[1]] = 1 } }
    !($1 in over)' "$T/base" >"$T/res"
  cat "$T/extra" >>"$T/res"
}

# By name: domids of guests booted side by side are a race.
domains() { awk '!/^#/ && NF > 3 { print $2, $4 }' "$ROOT/$SIM/domains" | LC_ALL=C sort; }

# Say why a case fails (the caller then returns 1).
fail() { echo "      $*"; }

expect_rc() {
  [ "$RC" -eq "$1" ] || { fail "exit status $RC, expected $1; stderr:"; sed 's/^/        /' "$T/err"; return 1; }
}

# expect_text FILE EXPECTED-TEXT: the file's whole content.
expect_text() {
  if [ -n "$2" ]; then printf '%s\n' "$2"; fi >"$T/expected"
  if ! cmp -s "$T/expected" "$1"; then
    fail "$(basename "$1") differs from what was expected:"
    diff -u "$T/expected" "$1" | sed 's/^/        /'
    return 1
  fi
}

# expect_last FILE LINE: the file's last line (e.g. the [OK] summary).
expect_last() {
  tail -n 1 "$1" >"$T/last"
  expect_text "$T/last" "$2"
}

# expect_msgs FILE TEXT: the messages without the per-disk lines and the
# disk counts of the summary (for tests about something else).
expect_msgs() {
  grep -v "': disk " "$1" | sed -E 's/; disks: [^;]*//' >"$T/msgs"
  expect_text "$T/msgs" "$2"
}

# expect_summary FILE LINE: the last line, without the summary's disk counts.
expect_summary() {
  tail -n 1 "$1" | sed -E 's/; disks: [^;]*//' >"$T/last"
  expect_text "$T/last" "$2"
}

# expect_golden FILE GOLDEN: the file's whole content against golden data.
expect_golden() {
  if [ "${REGENERATE:-}" = 1 ]; then cp "$1" "$2"; return 0; fi
  [ -f "$2" ] || { fail "golden file $2 is missing"; return 1; }
  if ! cmp -s "$2" "$1"; then
    fail "$(basename "$1") differs from $2:"
    diff -u "$2" "$1" | sed 's/^/        /'
    return 1
  fi
}

expect_exists() { [ -e "$1" ] || { fail "$1 does not exist"; return 1; }; }
expect_absent() { [ ! -e "$1" ] || { fail "$1 exists, but should not"; return 1; }; }

# xl_parse CFG: what the real xl parser builds from a config (JSON on
# stdout); skips the case when xl is not installed.
xl_parse() {
  [ -x /usr/lib/xen-4.17/bin/xl ] || skip "xl 4.17 is not installed (apt-get install xen-utils-4.17)"
  "$TOP/tests/tools/xl-parse" "$TOP/$BUILD/xl-parse-shim.so" "$1"
}

# A listing of every file under the root except the log and the lock, with
# checksums: compare before and after to prove nothing was written.
# Big (sparse) disk images are summed by their first MiB, inode, size,
# allocation and mtime: reading gigabytes of holes would prove no more.
snapshot() {
  (cd "$ROOT" && find . \( -path ./var/log -o -path ./run/lcfg/xen.lock -o -path ./var/lcfg/lock \) -prune -o -type f -print | LC_ALL=C sort | while read -r f; do
    printf '%s %s %s\n' "$(stat -c '%i %s %b %Y %a' "$f")" \
      "$(dd if="$f" bs=1M count=1 2>/dev/null | cksum)" "$f"; done)
}

skip() { echo "SKIP $*"; exit 77; }

[ -n "${XEN:-}" ] && [ -x "$XEN" ] || { echo "lib.sh: XEN must name the built component"; echo "RESULT 0 1 0"; exit 1; }
scenario=$1
. "$scenario"

# A scenario may also define data-driven cases: data_cases prints one case
# name per line, and data_case NAME runs it.
list() {
  grep -o '^t_[A-Za-z0-9_]*' "$scenario"
  if command -v data_cases >/dev/null 2>&1; then data_cases | sed 's/^/data_case /'; fi
}

passed=0 failed=0 skipped=0
list | while read -r t arg; do echo "$t${arg:+ $arg}"; done >"${TMPDIR:-/tmp}/xen-cases.$$"
while read -r t arg; do
  name=$(basename "$scenario" .sh):${arg:-${t#t_}}
  if [ -n "${TESTS:-}" ] && ! printf '%s\n' "$name" | grep -Eq "$TESTS"; then continue; fi
  T=$(mktemp -d "${TMPDIR:-/tmp}/xen-test.XXXXXX")
  ROOT=$T/root
  # The templates are where the component looks for them: under its root.
  mkdir -p "$ROOT/usr/lib/lcfg/conf/xen"
  cp "$TOP"/templates/*.tmpl "$ROOT/usr/lib/lcfg/conf/xen/"
  # The default image directory exists, as on a Xen host.
  mkdir -p "$ROOT/var/lib/xen/images"
  out=$( (set -e; "$t" $arg) 2>&1 ); rc=$?
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); echo "ok   $name"; [ -z "$out" ] || printf "%s\n" "$out"
  elif [ $rc -eq 77 ]; then
    skipped=$((skipped + 1)); echo "skip $name: ${out#SKIP }"
  else
    failed=$((failed + 1)); echo "FAIL $name"; [ -n "$out" ] && printf '%s\n' "$out"
  fi
  rm -rf "$T"
done <"${TMPDIR:-/tmp}/xen-cases.$$"
rm -f "${TMPDIR:-/tmp}/xen-cases.$$"
echo "RESULT $passed $failed $skipped"
