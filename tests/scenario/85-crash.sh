# 85-crash: configure killed (SIGKILL) at every step of its work, then run
# again. strace's fault injection kills it on its Nth call of a system call
# (every N, for each call that changes files or makes them durable), so no
# hook in the component is needed. After each kill: every config file and
# the status file is wholly the old or wholly the new version, no disk
# image exists short under its final name, no existing disk has changed;
# and the next configure converges to exactly what an uninterrupted run
# makes, leaving no temporary file behind.

# Old profile: guests a and b. New: a's memory changed, b gone (its file
# is retired), c new with two new disks.
crash_profiles() {
  base='xen.uuid_a=0000000a-1111-4222-8333-444444444444
xen.memory_a=256
xen.maxmem_a=1024
xen.disk_a=2
xen.mac_a=00:16:3e:00:00:0a'
  printf '%s\n' 'xen.virtualmachines=a b' "$base" \
    'xen.uuid_b=0000000b-1111-4222-8333-444444444444' 'xen.memory_b=128' 'xen.disk_b=1' \
    >"$T/old.res"
  printf '%s\n' 'xen.virtualmachines=a c' "$base" \
    'xen.uuid_c=0000000c-1111-4222-8333-444444444444' 'xen.memory_c=128' 'xen.disk_c=3' \
    'xen.disksec_c=4' | sed 's/^xen.memory_a=256$/xen.memory_a=512/' >"$T/new.res"
}

# The files of a root, without logs, lock, the disk record and the probe
# cache (which hold times): path, size, and a checksum of the first MiB.
tree() {
  (cd "$1" && find . \( -path ./var/log -o -path ./run/lcfg/xen.lock -o -path ./var/lib/lcfg/xen/disks \
     -o -path ./var/lib/lcfg/xen/probes \) \
     -prune -o -type f -print | while read -r f; do
     printf '%s %s %s\n' "$(printf '%s' "$f" | sed 's/[0-9]\{8\}-[0-9]\{6\}/STAMP/')" \
       "$(stat -c %s "$f")" "$(head -c 1048576 "$f" | cksum)"
   done | LC_ALL=C sort)
}

# Is FILE (under root $1) absent, or equal to one of the versions given?
one_of() { # ROOT PATH VERSION-FILE...
  r=$1; p=$2; shift 2
  [ -e "$r$p" ] || return 0
  for v in "$@"; do cmp -s "$r$p" "$v" && return 0; done
  fail "$p is neither version:"; sed 's/^/        /' "$r$p" | head -5
  return 1
}

t_killed_configure_leaves_old_or_new_and_converges() {
  command -v strace >/dev/null || skip "strace is not installed"
  strace -qq -o /dev/null -e inject=getpid:retval=1 true 2>/dev/null ||
    skip "strace cannot trace here (ptrace not allowed)"
  crash_profiles
  xen --resources "$T/old.res" configure
  expect_rc 0
  cp -a "$ROOT" "$T/old"
  # What an uninterrupted run makes.
  cp -a "$T/old" "$T/ref"
  "$XEN" --root "$T/ref" --resources "$T/new.res" configure >/dev/null 2>&1
  tree "$T/ref" >"$T/ref.tree"
  # A disk is summed by its size, allocation and first MiB (the rest is a
  # hole: reading gigabytes of zeros would prove no more).
  disk_id() { echo "$(stat -c '%s %b' "$1") $(dd if="$1" bs=1M count=1 2>/dev/null | cksum)"; }
  sum_a=$(disk_id "$T/old/var/lib/xen/images/a.img")
  kills=0
  for sc in openat write fsync fdatasync ftruncate fallocate fchmod close rename renameat renameat2 \
            link linkat symlink symlinkat unlink unlinkat mkdir mkdirat; do
    n=1
    while :; do
      w=$T/w; rm -rf "$w"; cp -a "$T/old" "$w"
      rc=0
      # (Under AddressSanitizer the leak check at exit runs in a thread of
      # its own, which a kill aimed at the component must not hit.)
      ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
      strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=KILL:when=$n \
        "$XEN" --root "$w" --resources "$T/new.res" configure >/dev/null 2>&1 || rc=$?
      [ $rc -eq 0 ] && break
      [ $rc -eq 137 ] || { fail "configure under strace ($sc #$n) exited $rc"; return 1; }
      kills=$((kills + 1))
      # Right after the kill.
      one_of "$w" /etc/xen/a.cfg "$T/old/etc/xen/a.cfg" "$T/ref/etc/xen/a.cfg"
      one_of "$w" /etc/xen/b.cfg "$T/old/etc/xen/b.cfg"
      one_of "$w" /etc/xen/c.cfg "$T/ref/etc/xen/c.cfg"
      [ -e "$w/etc/xen/a.cfg" ] || { fail "$sc #$n: a's config is gone"; return 1; }
      one_of "$w" /run/lcfg/status/xen "$T/old/run/lcfg/status/xen" "$T/ref/run/lcfg/status/xen"
      for img in "$w"/var/lib/xen/images/*.img; do
        [ -e "$img" ] || continue
        case $(basename "$img") in
          a.img) want=2 ;; b.img) want=1 ;; c.img) want=3 ;; c-2.img) want=4 ;;
          *) fail "$sc #$n: unexpected image $img"; return 1 ;;
        esac
        size=$(stat -c %s "$img")
        [ "$size" -eq $((want * 1073741824)) ] ||
          { fail "$sc #$n: $(basename "$img") is $size bytes under its final name"; return 1; }
        # Recorded (pending, or made) before it existed: never unclaimed.
        grep -q " /var/lib/xen/images/$(basename "$img")\$" "$w/var/lib/lcfg/xen/disks" ||
          { fail "$sc #$n: $(basename "$img") exists but is not in the disk record"; return 1; }
      done
      [ "$(disk_id "$w/var/lib/xen/images/a.img")" = "$sum_a" ] ||
        { fail "$sc #$n: a's disk changed"; return 1; }
      # The next run converges, and leaves no temporaries.
      "$XEN" --root "$w" --resources "$T/new.res" configure >"$T/out" 2>"$T/err" ||
        { fail "$sc #$n: the run after the kill failed:"; sed 's/^/        /' "$T/err"; return 1; }
      tree "$w" >"$T/w.tree"
      cmp -s "$T/w.tree" "$T/ref.tree" ||
        { fail "$sc #$n: the rerun does not converge:"; diff "$T/ref.tree" "$T/w.tree" | sed 's/^/        /'; return 1; }
      left=$(find "$w" -name '.lcfg-xen.*' | head -3)
      [ -z "$left" ] || { fail "$sc #$n: temporaries left: $left"; return 1; }
      # Every image is recorded by its identity for its guest (a's copy,
      # made by cp -a, is another file: recorded as found).
      for img in "$w"/var/lib/xen/images/*.img; do
        g=$(basename "$img" .img); g=${g%-2}
        [ "$g" != b ] || continue # left the profile: nobody's to claim
        grep -Eq "^f:$(stat -c '%d:%i' "$img") $g .* (created|found) /var/lib/xen/images/$(basename "$img")\$" \
          "$w/var/lib/lcfg/xen/disks" ||
          { fail "$sc #$n: $(basename "$img") is not recorded as $g's:"; sed 's/^/        /' "$w/var/lib/lcfg/xen/disks"; return 1; }
        case $g in c) grep -q "^f:$(stat -c '%d:%i' "$img") c .* created " "$w/var/lib/lcfg/xen/disks" ||
          { fail "$sc #$n: $(basename "$img") is not recorded as made for c"; return 1; } ;; esac
      done
      n=$((n + 1))
    done
  done
  # Enough points were tried for the test to mean something.
  [ $kills -ge 40 ] || { fail "only $kills kill points"; return 1; }
  echo "      configure killed at $kills points: old or new every time, each rerun converged"
}

t_stale_temporaries_are_removed_by_the_next_run() {
  crash_profiles
  xen --resources "$T/old.res" configure
  # As a run killed between writing and renaming leaves them.
  echo half >"$ROOT/etc/xen/.lcfg-xen.a.cfg.Ab12Cd"
  echo half >"$ROOT/run/lcfg/status/.lcfg-xen.xen.x9Y8z7"
  # The autostart link a killed run was making (hidden from xendomains).
  mkdir -p "$ROOT/etc/xen/auto"; ln -s /etc/xen/a.cfg "$ROOT/etc/xen/auto/.lcfg-xen.a.cfg.newlnk"
  # As versions before the prefix named the status file's temporaries.
  echo half >"$ROOT/run/lcfg/status/.#xen.q1W2e3"
  # Not ours: other names (other programs' temporaries in the shared
  # status directory too) are left alone.
  echo mine >"$ROOT/etc/xen/.#notes"
  echo mine >"$ROOT/etc/xen/.lcfg-xen.a.cfg.toolong1"
  echo mine >"$ROOT/etc/xen/.#b.cfg.Zz9Zz9"
  echo theirs >"$ROOT/run/lcfg/status/.#network.Ab12Cd"
  echo theirs >"$ROOT/run/lcfg/status/.#xen2.Ab12Cd"
  xen --resources "$T/new.res" configure
  expect_rc 0
  grep "temporary" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: configure: removed 1 temporary file left in /etc/xen by an interrupted run
[INFO] xen: configure: removed 1 temporary file left in /etc/xen/auto by an interrupted run
[INFO] xen: configure: removed 1 temporary file left in /run/lcfg/status by an interrupted run
[INFO] xen: configure: removed 1 temporary file of /run/lcfg/status/xen left by an interrupted run"
  (cd "$ROOT/run/lcfg/status" && ls -A | LC_ALL=C sort) >"$T/ls"
  expect_text "$T/ls" ".#network.Ab12Cd
.#xen2.Ab12Cd
xen"
  (cd "$ROOT/etc/xen" && ls -A | LC_ALL=C sort) >"$T/ls"
  expect_text "$T/ls" ".#b.cfg.Zz9Zz9
.#notes
.lcfg-xen.a.cfg.toolong1
a.cfg
auto
c.cfg"
}

# start killed at every step that changes the simulator's state or takes a
# lock, with guests booting side by side. Only the parent is traced: the
# boots it started run on, as creates do when xl's caller dies. Neither the
# killed run's children nor the next run may wait forever (a child that
# kept its parent's copy of the simulator's lock would: the lock outlives
# the parent, and the child's own request for it never returns), and the
# next start must bring every guest up.
t_killed_start_never_hangs_and_converges() {
  command -v strace >/dev/null || skip "strace is not installed"
  strace -qq -o /dev/null -e inject=getpid:retval=1 true 2>/dev/null ||
    skip "strace cannot trace here (ptrace not allowed)"
  printf '%s\n' 'xen.virtualmachines=g1 g2 g3' >"$T/res"
  for i in 1 2 3; do
    printf 'xen.uuid_g%d=0000000%d-1111-4222-8333-444444444444\nxen.memory_g%d=128\nxen.disk_g%d=1\nxen.boot_g%d=yes\n' \
      $i $i $i $i $i >>"$T/res"
  done
  xen --resources "$T/res" configure
  expect_rc 0
  mkdir -p "$ROOT/var/lib/lcfg/xen/sim"
  # Creates that take a while, so that the parent works while they run.
  echo '* create_ms=30' >"$ROOT/var/lib/lcfg/xen/sim/control"
  cp -a "$ROOT" "$T/old"
  kills=0
  for sc in openat write fsync fdatasync rename renameat renameat2 unlink unlinkat flock; do
    n=1
    while :; do
      w=$T/w; rm -rf "$w"; cp -a "$T/old" "$w"
      rc=0
      ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
      timeout 60 strace -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=KILL:when=$n \
        "$XEN" --root "$w" --hypervisor sim --resources "$T/res" start >/dev/null 2>&1 || rc=$?
      [ $rc -eq 0 ] && break
      [ $rc -eq 137 ] || { pkill -KILL -f -- "--root $w " || :; fail "start under strace ($sc #$n) exited $rc"; return 1; }
      kills=$((kills + 1))
      rc=0
      timeout 60 "$XEN" --root "$w" --hypervisor sim --resources "$T/res" start >"$T/out" 2>"$T/err" || rc=$?
      if [ $rc -ne 0 ]; then
        pkill -KILL -f -- "--root $w " || :
        [ $rc -eq 124 ] && { fail "$sc #$n: the start after the kill waited for 60 s"; return 1; }
        fail "$sc #$n: the start after the kill exited $rc:"; sed 's/^/        /' "$T/err"; return 1
      fi
      # Every guest is up, each once.
      "$XEN" --root "$w" --hypervisor sim --resources "$T/res" start >/dev/null 2>"$T/err2"
      grep -E "running \(|booted" "$T/err2" | sed -E 's/domid [0-9]+/domid N/' | LC_ALL=C sort >"$T/msgs"
      expect_text "$T/msgs" "[INFO] xen: guest 'g1': running (domid N)
[INFO] xen: guest 'g2': running (domid N)
[INFO] xen: guest 'g3': running (domid N)" || { fail "after $sc #$n"; return 1; }
      left=$(find "$w" -name '.lcfg-xen.*' | head -3)
      [ -z "$left" ] || { fail "$sc #$n: temporaries left: $left"; return 1; }
      n=$((n + 1))
    done
  done
  [ $kills -ge 20 ] || { fail "only $kills kill points"; return 1; }
  echo "      start killed at $kills points: no run waited forever, every rerun brought all guests up"
}
