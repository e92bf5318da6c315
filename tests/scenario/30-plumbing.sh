# 30-plumbing: LCFG conventions: lock, exit status, messages and log,
# status file, isstarted, logrotate, dry run, usage.

SEED="$DATA/seed/profile.xml"

# The log with its time stamps checked and replaced by STAMP.
log_without_stamps() {
  if grep -Ev '^[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}: ' "$1"; then
    fail "log lines without an LCFG time stamp (above)"; return 1
  fi
  sed -E 's/^[0-9]{2}\/[0-9]{2}\/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}: /STAMP: /' "$1"
}

t_log_format() {
  xen --profile "$SEED" configure
  printf 'xen.virtualmachines=web1\n' >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  log_without_stamps "$ROOT/var/log/lcfg/xen" | grep -v "': disk " | sed -E 's/; disks: [^;]*//' >"$T/log"
  expect_text "$T/log" "STAMP:    guest 'pe2900x1': /etc/xen/pe2900x1.cfg created
STAMP:    guest 'testVMxen': /etc/xen/testVMxen.cfg created
STAMP: ** guest 'web1': resource uuid_web1: missing (every guest needs a fixed UUID)
STAMP: ** guest 'web1': resource memory_web1: missing (an integer in MB is required)
STAMP: ** guest 'web1': resource disk_web1: missing (disktype_web1 is image: give its size in GB, or set disktype_web1 to none)
STAMP: ** configure: 3 errors in the resources; nothing changed"
  stamp=$(head -1 "$ROOT/var/log/lcfg/xen" | cut -c1-8)
  [ "$stamp" = "$(date +%d/%m/%y)" ] || { fail "stamp date $stamp is not today"; return 1; }
  # [OK] lines are for the terminal only (libmsg's LCFG_OK logs nothing).
  if grep -q 'saved resources created' "$ROOT/var/log/lcfg/xen"; then fail "an [OK] line was logged"; return 1; fi
  # The error event file: the same lines, with no prefix (libmsg).
  log_without_stamps "$ROOT/var/log/lcfg/xen.err" >"$T/ev"
  expect_text "$T/ev" "STAMP: guest 'web1': resource uuid_web1: missing (every guest needs a fixed UUID)
STAMP: guest 'web1': resource memory_web1: missing (an integer in MB is required)
STAMP: guest 'web1': resource disk_web1: missing (disktype_web1 is image: give its size in GB, or set disktype_web1 to none)
STAMP: configure: 3 errors in the resources; nothing changed"
}

t_logdir_and_logfile_from_environment() {
  RC=0; (_LOGDIR=/srv/logs; export _LOGDIR; xen --profile "$SEED" configure; exit $RC) || RC=$?
  expect_rc 0
  expect_exists "$ROOT/srv/logs/xen"
  expect_absent "$ROOT/var/log/lcfg/xen"
  sed 's/^xen.memory_testVMxen=1024/xen.memory_testVMxen=512/' "$DATA/seed/resources" >"$T/res"
  RC=0; (_LOGFILE=/tmp/xen.log; export _LOGFILE; xen --resources "$T/res" configure; exit $RC) || RC=$?
  expect_rc 0
  log_without_stamps "$ROOT/tmp/xen.log" >"$T/log"
  expect_text "$T/log" "STAMP:    guest 'testVMxen': /etc/xen/testVMxen.cfg updated"
  # With _LOGFILE, the events are beside it: \$_LOGFILE.err (libmsg).
  printf 'xen.virtualmachines=web1\n' >"$T/bad"
  RC=0; (_LOGFILE=/tmp/xen.log; export _LOGFILE; xen --resources "$T/bad" configure; exit $RC) || RC=$?
  expect_rc 1
  log_without_stamps "$ROOT/tmp/xen.log.err" | tail -1 >"$T/ev"
  expect_text "$T/ev" "STAMP: configure: 3 errors in the resources; nothing changed"
  expect_absent "$ROOT/srv/logs/xen.err"
  expect_absent "$ROOT/var/log/lcfg/xen.err"
}

t_quiet_hides_info_messages() {
  xen --profile "$SEED" configure
  RC=0; (_QUIET=1; export _QUIET; xen isstarted; exit $RC) || RC=$?
  expect_rc 1
  expect_text "$T/err" ""
  xen isstarted
  expect_text "$T/err" "[INFO] xen: not started"
}

t_status_file_is_written_atomically_and_only_on_change() {
  xen --profile "$SEED" configure
  expect_rc 0
  ino1=$(stat -c %i "$ROOT/run/lcfg/status/xen")
  xen --profile "$SEED" configure
  expect_summary "$T/err" "[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged"
  ino2=$(stat -c %i "$ROOT/run/lcfg/status/xen")
  [ "$ino1" = "$ino2" ] || { fail "unchanged status file was rewritten"; return 1; }
  sed 's/^xen.memory_testVMxen=1024/xen.memory_testVMxen=512/' "$DATA/seed/resources" >"$T/res"
  xen --resources "$T/res" configure
  expect_summary "$T/err" "[OK] xen: configure: 2 guests: 0 created, 1 updated, 1 unchanged, 0 retired; saved resources updated"
  grep -q '^xen.memory_testVMxen=512$' "$ROOT/run/lcfg/status/xen" || { fail "not updated"; return 1; }
  ls -A "$ROOT/run/lcfg/status" >"$T/ls"
  expect_text "$T/ls" "xen"
  perm=$(stat -c %a "$ROOT/run/lcfg/status/xen")
  [ "$perm" = 644 ] || { fail "status file mode $perm"; return 1; }
}

t_dry_run_changes_nothing() {
  xen --dry-run --profile "$SEED" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure (dry run): 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; saved resources would be created; nothing changed"
  expect_absent "$ROOT/run/lcfg/status/xen"
  xen --profile "$SEED" configure
  xen --dry-run --profile "$SEED" configure
  expect_summary "$T/err" "[OK] xen: configure (dry run): 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources would be unchanged; nothing changed"
}

t_lock_busy_exits_2_after_bounded_wait() {
  command -v flock >/dev/null || skip "flock(1) is not installed"
  mkdir -p "$ROOT/run/lcfg"
  printf '4242 configure\n' >"$ROOT/run/lcfg/xen.lock"
  flock "$ROOT/run/lcfg/xen.lock" sleep 5 &
  holder=$!
  sleep 0.3
  start=$(date +%s%N)
  xen --lock-timeout 1 --profile "$SEED" configure
  end=$(date +%s%N)
  kill $holder 2>/dev/null; wait $holder 2>/dev/null || true
  expect_rc 2
  expect_text "$T/err" "[FAIL] xen: configure: busy: another run holds the lock $ROOT/run/lcfg/xen.lock (pid, method: 4242 configure)"
  ms=$(( (end - start) / 1000000 ))
  [ $ms -ge 900 ] && [ $ms -lt 4000 ] || { fail "waited $ms ms, expected about 1000"; return 1; }
  expect_absent "$ROOT/run/lcfg/status/xen"
}

t_lock_is_released_and_waiters_get_it() {
  command -v flock >/dev/null || skip "flock(1) is not installed"
  mkdir -p "$ROOT/run/lcfg"
  flock "$ROOT/run/lcfg/xen.lock" sleep 0.5 &
  sleep 0.2
  xen --lock-timeout 5 --profile "$SEED" configure
  wait
  expect_rc 0
  # Read-only methods never wait for the lock.
  flock "$ROOT/run/lcfg/xen.lock" sleep 3 &
  holder=$!
  sleep 0.2
  xen --lock-timeout 0 status
  kill $holder 2>/dev/null; wait $holder 2>/dev/null || true
  expect_rc 0
}

t_concurrent_configures_serialise() {
  for i in 1 2 3 4 5 6; do
    "$XEN" --root "$ROOT" --profile "$SEED" configure 2>>"$T/all" &
  done
  wait
  grep -c '^\[OK\] xen: configure: 2 guests: ' "$T/all" >"$T/n"
  expect_text "$T/n" "6"
  expect_golden "$ROOT/run/lcfg/status/xen" "$DATA/seed/status.expected"
}

t_isstarted() {
  xen isstarted -q
  expect_rc 1
  expect_text "$T/err" ""
  mkdir -p "$ROOT/run/lcfg"; : >"$ROOT/run/lcfg/xen.started"
  xen isstarted
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: started"
  xen isstarted -x
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: isstarted: unknown argument '-x' (usage: isstarted [-q])"
}

t_logrotate() {
  xen logrotate
  expect_rc 0
  log_without_stamps "$ROOT/var/log/lcfg/xen" >"$T/log"
  expect_text "$T/log" "STAMP:    logrotate: log file reopened"
}

t_status_before_configure() {
  xen status
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: status: no saved configuration at $ROOT/run/lcfg/status/xen (run configure first)"
}

t_usage_and_bad_command_lines() {
  xen --help
  expect_rc 0
  grep -q '^  configure  ' "$T/out" && grep -q '^  isstarted \[-q\]' "$T/out" || { fail "usage lacks methods"; cat "$T/out"; return 1; }
  xen frobnicate
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: unknown method 'frobnicate' (see xen --help)"
  RC=0; "$XEN" --root relative configure 2>"$T/err" || RC=$?
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: --root 'relative' is not an absolute path"
  xen --profile a --resources b configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: give --profile or --resources, not both"
  xen --hypervisor kvm status
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: --hypervisor 'kvm' is not sim or xen"
  xen --lock-timeout soon configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: --lock-timeout 'soon' is not 0-86400 seconds"
  xen --profile "$SEED" configure extra
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: unknown argument 'extra' (usage: configure)"
  xen
  expect_rc 1
}

t_missing_files_named_on_the_command_line() {
  xen --profile /nonexistent.xml configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: profile /nonexistent.xml: cannot open: No such file or directory"
  xen --resources /nonexistent configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: resources /nonexistent: cannot open: No such file or directory"
}

t_unwritable_status_file_fails_cleanly() {
  # (A directory where the file should be: fails even for root.)
  mkdir -p "$ROOT/run/lcfg/status/xen"
  xen --profile "$SEED" configure
  expect_rc 1
  expect_last "$T/err" "[FAIL] xen: configure: cannot save the applied resources: $ROOT/run/lcfg/status/xen exists and is not a regular file"
  rmdir "$ROOT/run/lcfg/status/xen"
  : >"$ROOT/run/lcfg/status.tmp"; rmdir "$ROOT/run/lcfg/status"; mv "$ROOT/run/lcfg/status.tmp" "$ROOT/run/lcfg/status"
  xen --profile "$SEED" configure
  expect_rc 1
  expect_last "$T/err" "[FAIL] xen: configure: cannot save the applied resources: $ROOT/run/lcfg/status is not a directory"
}

t_options_after_the_method_as_om_passes_them() {
  xen configure --dry-run --profile "$SEED"
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure (dry run): 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; saved resources would be created; nothing changed"
  xen configure --profile="$SEED"
  expect_rc 0
  expect_exists "$ROOT/run/lcfg/status/xen"
  xen configure --profile
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: option --profile needs a value"
}
