# 95-faults: failures of the machine under configure, and load: a full or
# failing disk (injected with strace), twenty runs at once, a 50 MB
# profile, 10,000 guests. Each must end with a clear message and nothing
# lost.

SIM=var/lib/lcfg/xen/sim

two_guests() {
  printf '%s\n' 'xen.virtualmachines=a b' \
    'xen.uuid_a=0000000a-1111-4222-8333-444444444444' 'xen.memory_a=256' 'xen.disk_a=1' \
    'xen.boot_a=yes' \
    'xen.uuid_b=0000000b-1111-4222-8333-444444444444' 'xen.memory_b=128' 'xen.disk_b=1' \
    'xen.boot_b=yes' >"$T/res"
}

need_strace() {
  command -v strace >/dev/null || skip "strace is not installed"
  strace -qq -o /dev/null -e inject=getpid:retval=1 true 2>/dev/null ||
    skip "strace cannot trace here (ptrace not allowed)"
}

# configure under strace, failing the system call $1 with errno $2 from
# its call number $3 on.
faulty_configure() {
  RC=0
  strace -f -qq -o /dev/null -e trace="$1" -e inject="$1":error="$2":when="$3+" \
    "$XEN" --root "$ROOT" --resources "$T/res2" configure >"$T/out" 2>"$T/err" || RC=$?
}

t_io_errors_change_nothing_they_cannot_finish() {
  need_strace
  two_guests
  xen --resources "$T/res" configure
  expect_rc 0
  sed 's/^xen.memory_a=256$/xen.memory_a=512/' "$T/res" >"$T/res2"
  cp -a "$ROOT" "$T/before"
  # fsync fails (EIO): the file is not replaced, nothing is recorded.
  faulty_configure fsync EIO 1
  expect_rc 1
  grep -E "ERROR|FAIL" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'a': cannot fsync $ROOT/etc/xen/a.cfg: Input/output error
[FAIL] xen: configure: 2 guests: 0 created, 0 updated, 1 unchanged, 0 retired; disks: 0 created, 2 present, 0 of another size, 0 refused; 1 disk or file failed, so the saved resources are left as they were"
  cmp "$ROOT/etc/xen/a.cfg" "$T/before/etc/xen/a.cfg"
  cmp "$ROOT/run/lcfg/status/xen" "$T/before/run/lcfg/status/xen"
  left=$(find "$ROOT" -name '.#*')
  [ -z "$left" ] || { fail "temporaries left: $left"; return 1; }
  # The rename fails (EIO) too: the same.
  faulty_configure rename EIO 1
  expect_rc 1
  grep -E "ERROR" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'a': cannot rename $ROOT/etc/xen/a.cfg: Input/output error"
  cmp "$ROOT/etc/xen/a.cfg" "$T/before/etc/xen/a.cfg"
  # With the disk back, the change goes in.
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -c "memory = 512" "$ROOT/etc/xen/a.cfg" >"$T/n"
  expect_text "$T/n" "1"
}

t_full_filesystem_changes_nothing_it_cannot_finish() {
  [ "$(id -u)" = 0 ] || skip "mounting a small filesystem needs root"
  two_guests
  xen --resources "$T/res" configure
  expect_rc 0
  cp -a "$ROOT/etc/xen" "$T/before"
  mount -t tmpfs -o size=64k tmpfs "$ROOT/etc/xen" 2>/dev/null || skip "cannot mount a tmpfs here"
  cp "$T/before"/*.cfg "$ROOT/etc/xen/"
  dd if=/dev/zero of="$ROOT/etc/xen/filler" bs=4k 2>/dev/null || true
  sed 's/^xen.memory_a=256$/xen.memory_a=512/' "$T/res" >"$T/res2"
  xen --resources "$T/res2" configure
  rc=$RC
  cp "$T/err" "$T/err.full"
  cmp "$ROOT/etc/xen/a.cfg" "$T/before/a.cfg"
  left=$(find "$ROOT/etc/xen" -name '.#*')
  rm -f "$ROOT/etc/xen/filler"
  xen --resources "$T/res2" configure
  rc2=$RC
  umount "$ROOT/etc/xen"
  [ $rc -eq 1 ] || { fail "configure on a full filesystem exited $rc"; return 1; }
  grep -E "ERROR" "$T/err.full" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'a': cannot write $ROOT/etc/xen/a.cfg: No space left on device"
  [ -z "$left" ] || { fail "temporaries left: $left"; return 1; }
  [ $rc2 -eq 0 ] || { fail "configure after space was freed exited $rc2"; return 1; }
}

t_new_disk_on_a_failing_device_is_not_left_behind() {
  need_strace
  two_guests
  xen --resources "$T/res" configure
  printf '%s\n' 'xen.virtualmachines=a b c' 'xen.uuid_c=0000000c-1111-4222-8333-444444444444' \
    'xen.memory_c=128' 'xen.disk_c=2' >"$T/extra"
  grep -v '^xen.virtualmachines=' "$T/res" >>"$T/extra"; mv "$T/extra" "$T/res2"
  # The image's fsync fails: it must not appear under its name.
  faulty_configure fsync EIO 1
  expect_rc 1
  grep "ERROR" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'c': disk /var/lib/xen/images/c.img: cannot fsync it: Input/output error (the partial file was removed)
[ERROR] xen: guest 'c': cannot fsync $ROOT/etc/xen/c.cfg: Input/output error"
  expect_absent "$ROOT/var/lib/xen/images/c.img"
  expect_absent "$ROOT/etc/xen/c.cfg"
}

t_twenty_runs_at_once_are_serialised() {
  two_guests
  xen --resources "$T/res" configure
  mkdir -p "$ROOT/$SIM"; echo '* create_ms=50 shutdown_ms=50' >"$ROOT/$SIM/control"
  i=0
  while [ $i -lt 20 ]; do
    case $((i % 3)) in 0) m=configure ;; 1) m=start ;; 2) m=stop ;; esac
    ( rc=0; "$XEN" --root "$ROOT" --hypervisor sim --lock-timeout 30 --resources "$T/res" $m \
        >"$T/out.$i" 2>"$T/err.$i" || rc=$?; echo $rc >"$T/rc.$i" ) &
    i=$((i + 1))
  done
  wait
  i=0
  while [ $i -lt 20 ]; do
    rc=$(cat "$T/rc.$i")
    [ "$rc" -eq 0 ] || { fail "run $i exited $rc:"; sed 's/^/        /' "$T/err.$i"; return 1; }
    i=$((i + 1))
  done
  # Whatever the order, the state is whole and the next run converges.
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  awk '!/^#/ && NF > 3 { print $2, $4 }' "$ROOT/$SIM/domains" | sort >"$T/d"
  expect_text "$T/d" "Domain-0 running
a running
b running"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_last "$T/err" "[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; disks: 0 created, 2 present, 0 of another size, 0 refused; saved resources unchanged"
  # With a short wait, the busy ones say so and exit 2, changing nothing.
  echo '* create_ms=1500' >"$ROOT/$SIM/control"
  xen --hypervisor sim stop
  ( "$XEN" --root "$ROOT" --hypervisor sim --resources "$T/res" start >/dev/null 2>&1 ) &
  # Until start is booting (it holds the lock from its beginning).
  i=0
  while [ "$(cut -d' ' -f1 "$ROOT/$SIM/creating" 2>/dev/null)" != 2 ] && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
  done
  xen --lock-timeout 0 --resources "$T/res" configure
  expect_rc 2
  grep -c "busy: another run holds the lock" "$T/err" >"$T/n"
  expect_text "$T/n" "1"
  wait
}

t_big_profile_of_many_components_reads_only_xen() {
  # 50 MB of other components around a small xen component.
  awk 'BEGIN {
    print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    print "<profile xmlns=\"http://www.lcfg.org/namespace/profile-1.1\" xmlns:cfg=\"http://www.lcfg.org/namespace/cfg-1.0\">"
    print " <lcfg><components>"
    for (c = 0; c < 800; c++) {
      printf "  <comp%d>\n", c
      for (r = 0; r < 1000; r++) printf "   <res%d>value %d of component %d, some padding text</res%d>\n", r, r, c, r
      printf "  </comp%d>\n", c
    }
    print "  <xen><virtualmachines cfg:template=\"uuid_$ memory_$ disk_$\">"
    print "   <virtualmachines_RECORD cfg:name=\"web1\"><uuid>6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a</uuid><memory>512</memory><disk>1</disk></virtualmachines_RECORD>"
    print "  </virtualmachines></xen>"
    print " </components></lcfg>"
    print "</profile>"
  }' >"$T/big.xml"
  size=$(stat -c %s "$T/big.xml")
  [ "$size" -gt 50000000 ] || { fail "the profile is only $size bytes"; return 1; }
  xen --profile "$T/big.xml" configure
  expect_rc 0
  expect_last "$T/err" "[OK] xen: configure: 1 guest: 1 created, 0 updated, 0 unchanged, 0 retired; disks: 1 created, 0 present, 0 of another size, 0 refused; saved resources created"
  grep -c '^xen\.' "$ROOT/run/lcfg/status/xen" >/dev/null
}

t_ten_thousand_guests() {
  n=10000
  { printf 'xen.virtualmachines='
    seq 1 $n | sed 's/^/g/' | tr '\n' ' '; echo
    seq 1 $n | awk '{ printf "xen.uuid_g%d=%08x-1111-4222-8333-444444444444\nxen.memory_g%d=128\nxen.disktype_g%d=none\n", $1, $1, $1, $1 }'
  } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_last "$T/err" "[OK] xen: configure: 10000 guests: 10000 created, 0 updated, 0 unchanged, 0 retired; disks: 0 created, 0 present, 0 of another size, 0 refused; saved resources created"
  ls "$ROOT/etc/xen" | grep -c '\.cfg$' >"$T/n"
  expect_text "$T/n" "10000"
  # Nothing changed: nothing rewritten.
  xen --resources "$T/res" configure
  expect_rc 0
  expect_last "$T/err" "[OK] xen: configure: 10000 guests: 0 created, 0 updated, 10000 unchanged, 0 retired; disks: 0 created, 0 present, 0 of another size, 0 refused; saved resources unchanged"
  # One guest fewer: one file retired, the others left alone.
  sed -i 's/ g10000 *$//; /_g10000=/d' "$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_last "$T/err" "[OK] xen: configure: 9999 guests: 0 created, 0 updated, 9999 unchanged, 1 retired; disks: 0 created, 0 present, 0 of another size, 0 refused; saved resources updated"
}
