# 95-faults: failures of the machine under configure, and load: a full or
# failing disk (injected with strace), twenty runs at once, a 50 MB
# profile, 10,000 guests; and hypervisor calls that hang. Each must end
# with a clear message and nothing lost.


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
  # The directory's fsync fails, once for all the files written there
  # (after them): the file is in place, but not known to be durable, so it
  # counts as failed and nothing is recorded.
  faulty_configure fsync EIO 2
  expect_rc 1
  grep -E "ERROR|FAIL" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'a': cannot fsync the directory of $ROOT/etc/xen/a.cfg: Input/output error
[FAIL] xen: configure: 2 guests: 0 created, 0 updated, 1 unchanged, 0 retired; disks: 0 created, 2 present, 0 of another size, 0 refused; 1 disk or file failed, so the saved resources are left as they were"
  cmp "$ROOT/run/lcfg/status/xen" "$T/before/run/lcfg/status/xen"
  cp "$T/before/etc/xen/a.cfg" "$ROOT/etc/xen/a.cfg"
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
  # Every fsync fails: the disk's record (written before the disk is
  # made) cannot be, so the disk is not made.
  faulty_configure fsync EIO 1
  expect_rc 1
  grep "ERROR" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'c': disk /var/lib/xen/images/c.img: not created: its record cannot be written: cannot fsync $ROOT/var/lib/lcfg/xen/disks: Input/output error
[ERROR] xen: guest 'c': held back: disk /var/lib/xen/images/c.img failed: it has no config and is not booted
[ERROR] xen: configure: cannot save the record of managed guests: cannot fsync $ROOT/var/lib/lcfg/xen/guests: Input/output error"
  expect_absent "$ROOT/var/lib/xen/images/c.img"
  expect_absent "$ROOT/etc/xen/c.cfg"
  # The record made (its file and directory), the image's fsync fails: it
  # must not appear under its name.
  faulty_configure fsync EIO 3
  expect_rc 1
  grep "ERROR" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'c': disk /var/lib/xen/images/c.img: cannot fsync it: Input/output error (the partial file was removed)
[ERROR] xen: guest 'c': held back: disk /var/lib/xen/images/c.img failed: it has no config and is not booted
[ERROR] xen: configure: cannot save the record of managed guests: cannot fsync $ROOT/var/lib/lcfg/xen/guests: Input/output error"
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

# A hypervisor call that hangs: the simulator's hang control makes an
# operation wait for xl's timeout (xen.xlcreatetimeout, xen.xltimeout)
# and fail with the xen backend's words; tests/unit/test-hv-xen.c kills
# a real hanging xl. Each run must say which guest, which xl command and
# what timeout, exit 1, leave nothing half-done, and the next run
# converges.


t_hanging_create_times_out_and_the_next_run_boots_the_guest() {
  two_guests
  printf '%s\n' xen.xlcreatetimeout=1 xen.parallel=1 >>"$T/res"
  mkdir -p "$ROOT/$SIM"; echo 'a hang=create' >"$ROOT/$SIM/control"
  s=$(date +%s%N)
  xen --hypervisor sim --resources "$T/res" start
  ms=$(( ($(date +%s%N) - s) / 1000000 ))
  expect_rc 1
  grep -E "boot|start:|half-built" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: start: booting 2 guests, 1 at a time
[ERROR] xen: guest 'a': boot failed: xl create -f /etc/xen/a.cfg: timed out after 1 s
[WARNING] xen: guest 'a': its half-built domain (domid 1) was destroyed
[INFO] xen: guest 'b': booted (domid 2)
[FAIL] xen: start: 1 guest could not be booted"
  # Given up at the timeout, and the other guest booted after it.
  [ $ms -ge 1000 ] && [ $ms -lt 6000 ] || { fail "start took $ms ms; the create timeout is 1 s"; return 1; }
  # Nothing half-done: no domain of a, no create in progress, no
  # temporary file; configure's part was done and recorded.
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
b running"
  expect_text "$ROOT/$SIM/creating" "0 1"
  left=$(find "$ROOT" -name '.#*')
  [ -z "$left" ] || { fail "temporaries left: $left"; return 1; }
  grep -qx 'xen.xlcreatetimeout=1' "$ROOT/run/lcfg/status/xen" || { fail "the configuration was not saved"; return 1; }
  # Once xl no longer hangs, the next run boots it, and b is left alone.
  : >"$ROOT/$SIM/control"
  xen --hypervisor sim run
  expect_rc 0
  expect_text "$T/err" "[WARNING] xen: guest 'a': was not running (stopped by hand, or crashed and destroyed)
[INFO] xen: guest 'b': running (domid 2)
[INFO] xen: guest 'a': booted (domid 3)
[OK] xen: run: guests with boot set are running"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
a running
b running"
}

t_hanging_destroy_is_reported_and_the_next_stop_converges() {
  two_guests
  printf '%s\n' xen.xltimeout=1 xen.shutdowntimeout_b=1 xen.parallel=1 >>"$T/res"
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  # b ignores the shutdown request, and xl destroy hangs on it.
  printf 'a shutdown_ms=100\nb ignore_shutdown=1 hang=destroy\n' >"$ROOT/$SIM/control"
  s=$(date +%s%N)
  xen --hypervisor sim stop
  ms=$(( ($(date +%s%N) - s) / 1000000 ))
  expect_rc 1
  sed -E 's/in [0-9.]+ s$/in N s/' "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'a': shut down in N s
[ERROR] xen: guest 'b': did not shut down in 1 s and cannot be destroyed: xl destroy 2: timed out after 1 s
[FAIL] xen: stop: 1 guest could not be stopped"
  # Its shutdown timeout, then xl's.
  [ $ms -ge 2000 ] && [ $ms -lt 6000 ] || { fail "stop took $ms ms; the timeouts add up to 2 s"; return 1; }
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
b running"
  # Once xl no longer hangs, stop again destroys it.
  echo 'b ignore_shutdown=1' >"$ROOT/$SIM/control"
  xen --hypervisor sim stop
  expect_rc 0
  expect_text "$T/err" "[WARNING] xen: guest 'b': destroyed after 1 s timeout
[OK] xen: stop: 1 guest stopped"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
}

t_hanging_live_change_fails_configure_and_the_next_applies_it() {
  two_guests
  printf '%s\n' xen.xltimeout=1 xen.maxmem_a=512 xen.parallel=1 >>"$T/res"
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  sed 's/^xen.memory_a=256$/xen.memory_a=384/' "$T/res" >"$T/res2"
  cp "$ROOT/run/lcfg/status/xen" "$T/status.before"
  echo 'a hang=set_memory' >"$ROOT/$SIM/control"
  xen --hypervisor sim --resources "$T/res2" configure
  expect_rc 1
  grep -E "ERROR|FAIL|live" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'a': cannot change its memory live: xl mem-set 1 393216k: timed out after 1 s
[FAIL] xen: configure: 2 guests: 0 created, 1 updated, 1 unchanged, 0 retired; disks: 0 created, 2 present, 0 of another size, 0 refused; 1 hypervisor action failed; saved resources updated"
  # The domain is unchanged; the files, and so the saved resources, are
  # the new ones (the live change is judged against the domain each run).
  awk '$2 == "a" { print $6, $7 }' "$ROOT/$SIM/domains" >"$T/mem"
  expect_text "$T/mem" "262144 262144"
  ! cmp -s "$ROOT/run/lcfg/status/xen" "$T/status.before"
  # Once xl no longer hangs, the next configure applies it.
  : >"$ROOT/$SIM/control"
  xen --hypervisor sim --resources "$T/res2" configure
  expect_rc 0
  grep -E "live" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'a': memory 256 -> 384 MB applied live"
  expect_summary "$T/err" "[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged"
  awk '$2 == "a" { print $6, $7 }' "$ROOT/$SIM/domains" >"$T/mem"
  expect_text "$T/mem" "393216 393216"
}
