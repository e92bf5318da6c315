# 35-ngeneric: the component behaves as an ngeneric component does:
# restart, suspend and resume; arguments checked from the method table;
# libmsg's event files and acknowledgements; the reboot into Xen raised as
# an event; LCFG's lock taken through lcfglock; the logrotate configuration.
# Stand-ins: tests/data/ngeneric/lcfglock (lcfglock's documented interface).

LOCKDIR=var/lcfg/lock

# Two guests, g1 booted with the component (boot set), g2 not.
two() {
  printf '%s\n' 'xen.virtualmachines=g1 g2' \
    xen.uuid_g1=00000001-1111-4222-8333-444444444444 xen.memory_g1=128 xen.disk_g1=1 xen.boot_g1=yes \
    xen.uuid_g2=00000002-1111-4222-8333-444444444444 xen.memory_g2=128 xen.disk_g2=1 "$@" >"$T/res"
}

# The log without its time stamps (each line must have one).
unstamp() {
  if grep -Ev '^[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}: ' "$1"; then
    fail "lines without an LCFG time stamp (above)"; return 1
  fi
  sed -E 's/^[0-9]{2}\/[0-9]{2}\/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}: /STAMP: /' "$1"
}

# Messages with domids and times made constant.
norm() { sed -E 's/domid [0-9]+/domid N/; s/in [0-9.]+ s/in N s/; s/since [0-9\/]+ [0-9:]+/since STAMP/' "$1"; }

# ---- restart ----

t_restart_is_stop_then_start() {
  two
  xen --resources "$T/res" start
  expect_rc 0
  d1=$(domains)
  xen --resources "$T/res" restart
  expect_rc 0
  grep -v "': disk " "$T/err" | sed -E 's/; disks: [^;]*//' >"$T/e"; norm "$T/e" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': shut down in N s
[OK] xen: stop: 1 guest stopped
[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged
[INFO] xen: guest 'g1': booted (domid N)
[OK] xen: start: guests with boot set are running"
  # g1 is running again, as a new domain.
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running"
  [ "$(awk '$2 == "g1" { print $1 }' "$ROOT/$SIM/domains")" != 1 ] || { fail "g1 was not booted again"; return 1; }
  [ -n "$d1" ]
}

t_restart_of_a_component_never_configured_starts_it() {
  two
  xen --resources "$T/res" restart
  expect_rc 0
  head -1 "$T/err" >"$T/first"
  expect_text "$T/first" "[INFO] xen: restart: nothing to stop (no saved configuration)"
  expect_last "$T/err" "[OK] xen: start: guests with boot set are running"
  expect_exists "$ROOT/run/lcfg/xen.started"
}

# ---- suspend and resume ----

t_suspend_leaves_guests_alone_and_stops_configure_start_run_restart() {
  two
  xen --resources "$T/res" start
  cp "$ROOT/$SIM/domains" "$T/before"
  xen suspend
  expect_rc 0
  expect_text "$T/err" "[OK] xen: suspend: configure, start, restart and run do nothing until resume; the guests are left as they are"
  grep -Eq '^[0-9]{2}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$' "$ROOT/run/lcfg/xen.suspended" ||
    { fail "the flag does not hold when"; cat "$ROOT/run/lcfg/xen.suspended"; return 1; }
  # Nothing was done to the guests: the simulator's state is as it was.
  cmp -s "$T/before" "$ROOT/$SIM/domains" || { fail "suspend touched the domains"; return 1; }
  # A profile change waits: each method says so, and does nothing.
  sed -i 's/^xen.memory_g1=128$/xen.memory_g1=256/' "$T/res"
  cp "$ROOT/etc/xen/g1.cfg" "$T/g1.cfg"
  for m in configure start restart run; do
    xen --resources "$T/res" $m
    expect_rc 0
    norm "$T/err" >"$T/msgs"
    expect_text "$T/msgs" "[WARNING] xen: $m: the component is suspended (since STAMP): nothing done (om xen resume ends it)"
  done
  xen --dry-run --resources "$T/res" configure
  expect_rc 0
  norm "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: configure (dry run): the component is suspended (since STAMP): nothing would be done"
  cmp -s "$T/g1.cfg" "$ROOT/etc/xen/g1.cfg" || { fail "configure changed g1.cfg while suspended"; return 1; }
  cmp -s "$T/before" "$ROOT/$SIM/domains" || { fail "the domains changed while suspended"; return 1; }
  # The warning is an event too.
  unstamp "$ROOT/var/log/lcfg/xen.warn" | norm /dev/stdin >"$T/warn"
  expect_last "$T/warn" "STAMP: run: the component is suspended (since STAMP): nothing done (om xen resume ends it)"
  # status says so; stop and the per-guest methods still act (a host
  # shutting down must not kill its guests uncleanly).
  xen status
  expect_rc 0
  norm "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: status: the component is suspended (since STAMP): om xen resume ends it"
  xen boot g2
  expect_rc 0
  xen suspend
  expect_rc 0
  norm "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[OK] xen: suspend: already suspended (since STAMP)"
  # resume: the suspension ends and configure catches up.
  xen --resources "$T/res" resume
  expect_rc 0
  grep -v "': disk " "$T/err" | sed -E 's/; disks: [^;]*//' | norm /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: resume: suspended since STAMP; resumed, configure follows
[WARNING] xen: guest 'g1': memory 256 MB needs restart (the running domain's maximum is 128 MB)
[WARNING] xen: guest 'g1': changed maxmem_g1: needs restart (the running domain keeps its old settings until then)
[INFO] xen: guest 'g1': /etc/xen/g1.cfg updated
[OK] xen: configure: 2 guests: 0 created, 1 updated, 1 unchanged, 0 retired; saved resources updated"
  expect_absent "$ROOT/run/lcfg/xen.suspended"
  xen resume
  expect_rc 0
  expect_text "$T/err" "[OK] xen: resume: not suspended"
  xen --resources "$T/res" run
  expect_rc 0
  grep -c suspended "$T/err" >"$T/n" || true
  expect_text "$T/n" "0"
}

t_suspend_waits_for_a_running_method() {
  two
  xen --resources "$T/res" start
  echo "g1 shutdown_ms=1500" >"$ROOT/$SIM/control"
  "$XEN" --root "$ROOT" stop 2>"$T/stop" &
  sleep 0.4
  s=$(date +%s%N)
  xen suspend
  e=$(date +%s%N)
  wait
  expect_rc 0
  # It waited for stop's lock: when it returns, nothing is under way.
  ms=$(( (e - s) / 1000000 ))
  [ $ms -ge 700 ] || { fail "suspend returned after $ms ms, while stop held the lock"; return 1; }
  expect_last "$T/stop" "[OK] xen: stop: 1 guest stopped"
}

# ---- arguments, from the method table ----

t_usage_lists_each_method_with_its_arguments() {
  xen --help
  expect_rc 0
  sed -n '/^Methods:/,/^$/p' "$T/out" | awk 'NF { print $1, $2, $3 }' | sed 's/ *$//' >"$T/m"
  expect_text "$T/m" "Methods:
configure validate the
start configure, then
stop shut every
restart stop, then
run boot the
suspend configure, start,
resume end a
boot NAME|@GROUP... boot
shutdown NAME|@GROUP... shut
reboot NAME|@GROUP... ask
destroy [--force] NAME|@GROUP...
migrate [--cold] NAME
evacuate [HOST...] move
unlease NAME... break
status [--json] [NAME|@GROUP...]
isstarted [-q] exit
logrotate called after"
}

# Each method refuses what its table entry does not allow, with one exact
# message, changes nothing, and exits 1.
t_every_method_refuses_unknown_and_extra_arguments() {
  for m in configure start stop restart run suspend resume logrotate; do
    xen $m -x
    expect_rc 1
    expect_text "$T/err" "[FAIL] xen: $m: unknown argument '-x' (usage: $m)"
    xen $m g1
    expect_rc 1
    expect_text "$T/err" "[FAIL] xen: $m: unknown argument 'g1' (usage: $m)"
  done
  for m in boot shutdown reboot; do
    xen $m
    expect_rc 1
    expect_text "$T/err" "[FAIL] xen: $m: name at least one guest (usage: $m NAME|@GROUP...)"
    xen $m g1 --force
    expect_rc 1
    expect_text "$T/err" "[FAIL] xen: $m: unknown argument '--force' (usage: $m NAME|@GROUP...)"
  done
  xen destroy --force
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: destroy: name at least one guest (usage: destroy [--force] NAME|@GROUP...)"
  xen destroy g1 -f
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: destroy: unknown argument '-f' (usage: destroy [--force] NAME|@GROUP...)"
  xen status --json -g1
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: status: unknown argument '-g1' (usage: status [--json] [NAME|@GROUP...])"
  xen isstarted -q --json
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: isstarted: unknown argument '--json' (usage: isstarted [-q])"
  # Nothing was written but the log.
  (cd "$ROOT" && find . -type f ! -path './var/log/*' ! -path './usr/lib/lcfg/conf/*' | LC_ALL=C sort) >"$T/files"
  expect_text "$T/files" ""
}

t_options_are_taken_wherever_they_stand() {
  two
  xen --resources "$T/res" start
  # destroy's --force after the names, as before them.
  xen destroy g1 --force
  expect_rc 0
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
  xen isstarted -q
  expect_rc 0
  expect_text "$T/err" ""
}

# ---- LCFG's lock, through lcfglock ----

# The stand-in lcfglock where the component looks for it.
with_lcfglock() {
  mkdir -p "$ROOT/usr/sbin"
  cp "$DATA/ngeneric/lcfglock" "$ROOT/usr/sbin/lcfglock"
}

t_lcfglock_is_taken_and_released_as_ngeneric_does() {
  with_lcfglock
  two
  xen --resources "$T/res" configure
  expect_rc 0
  # Owner: the component's pid (-p), the method as the message (-m), the
  # wait (-t, --lock-timeout), the lock directory under the root (-d).
  sed -E 's/-p [0-9]+/-p PID/' "$ROOT/$LOCKDIR/calls" >"$T/calls"
  expect_text "$T/calls" "-p PID -m configure -t 60 -d $ROOT/$LOCKDIR xen
-u -p PID -d $ROOT/$LOCKDIR xen"
  [ "$(sed -E 's/.*-p ([0-9]+).*/\1/' "$ROOT/$LOCKDIR/calls" | sort -u | wc -l)" = 1 ] ||
    { fail "taken and released by different pids"; return 1; }
  expect_absent "$ROOT/$LOCKDIR/xen"
  # --lock-timeout 0: lcfglock's no-block.
  : >"$ROOT/$LOCKDIR/calls"
  xen --lock-timeout 0 --resources "$T/res" configure
  expect_rc 0
  sed -E 's/-p [0-9]+/-p PID/' "$ROOT/$LOCKDIR/calls" >"$T/calls"
  expect_text "$T/calls" "-p PID -m configure -n -d $ROOT/$LOCKDIR xen
-u -p PID -d $ROOT/$LOCKDIR xen"
  # Read-only methods take no lock.
  : >"$ROOT/$LOCKDIR/calls"
  xen status
  xen isstarted
  expect_text "$ROOT/$LOCKDIR/calls" ""
}

# An ngeneric run (om xen configure through ngeneric) holds the lock: a
# direct run waits for it, and gives up after --lock-timeout with exit 2.
t_a_lock_held_the_ngeneric_way_makes_a_direct_run_wait() {
  with_lcfglock
  two
  sleep 30 &
  holder=$!
  "$ROOT/usr/sbin/lcfglock" -p $holder -m configure -d "$ROOT/$LOCKDIR" xen
  s=$(date +%s%N)
  xen --lock-timeout 1 --resources "$T/res" configure
  e=$(date +%s%N)
  expect_rc 2
  expect_text "$T/err" "[FAIL] xen: configure: busy: another run holds the LCFG lock of xen ($ROOT/usr/sbin/lcfglock exited 2: lcfglock: xen is locked by process $holder (configure))"
  ms=$(( (e - s) / 1000000 ))
  [ $ms -ge 900 ] && [ $ms -lt 5000 ] || { kill $holder; fail "waited $ms ms, expected about 1000"; return 1; }
  expect_absent "$ROOT/run/lcfg/status/xen"
  # A run that may wait longer goes ahead once the holder lets go.
  "$XEN" --root "$ROOT" --lock-timeout 20 --resources "$T/res" configure 2>"$T/waiter" &
  waiter=$!
  sleep 0.5
  expect_absent "$ROOT/run/lcfg/status/xen"
  "$ROOT/usr/sbin/lcfglock" -u -p $holder -d "$ROOT/$LOCKDIR" xen
  RC=0; wait $waiter || RC=$?
  kill $holder 2>/dev/null || true
  expect_rc 0
  expect_exists "$ROOT/run/lcfg/status/xen"
}

# The other way round: while the component runs, lcfglock (as ngeneric
# calls it) finds the lock held by the component's method.
t_a_direct_run_holds_the_lock_against_ngeneric() {
  with_lcfglock
  two
  xen --resources "$T/res" start
  echo "g1 shutdown_ms=2000" >"$ROOT/$SIM/control"
  "$XEN" --root "$ROOT" stop 2>"$T/stop" &
  runner=$!
  sleep 0.5
  RC=0; "$ROOT/usr/sbin/lcfglock" -n -p $$ -m configure -d "$ROOT/$LOCKDIR" xen 2>"$T/err" || RC=$?
  wait $runner
  expect_rc 2
  expect_text "$T/err" "lcfglock: xen is locked by process $runner (stop)"
  expect_last "$T/stop" "[OK] xen: stop: 1 guest stopped"
  expect_absent "$ROOT/$LOCKDIR/xen"
}

t_a_dead_holder_does_not_keep_the_component_locked() {
  with_lcfglock
  two
  sh -c 'exit 0' &
  dead=$!
  wait $dead
  "$ROOT/usr/sbin/lcfglock" -p $dead -m configure -d "$ROOT/$LOCKDIR" xen
  xen --lock-timeout 1 --resources "$T/res" configure
  expect_rc 0
}

t_concurrent_runs_serialise_through_lcfglock() {
  with_lcfglock
  two
  for i in 1 2 3 4; do
    "$XEN" --root "$ROOT" --resources "$T/res" configure 2>>"$T/all" &
  done
  wait
  grep -c '^\[OK\] xen: configure: 2 guests: ' "$T/all" >"$T/n"
  expect_text "$T/n" "4"
  grep -c ' -m configure ' "$ROOT/$LOCKDIR/calls" >"$T/n"
  expect_text "$T/n" "4"
  expect_absent "$ROOT/$LOCKDIR/xen"
}

t_lcfglock_failures_are_reported() {
  mkdir -p "$ROOT/usr/sbin"
  printf '#!/bin/sh\necho "lcfglock: cannot create /var/lcfg/lock/xen: Read-only file system" >&2\nexit 1\n' \
    >"$ROOT/usr/sbin/lcfglock"
  chmod +x "$ROOT/usr/sbin/lcfglock"
  two
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: $ROOT/usr/sbin/lcfglock: cannot take the lock: exited 1: lcfglock: cannot create /var/lcfg/lock/xen: Read-only file system"
  expect_absent "$ROOT/run/lcfg/status/xen"
  # Taken, but not released: the method's work stands, with a warning.
  printf '#!/bin/sh\ncase "$*" in -u*) echo "lcfglock: xen is not locked" >&2; exit 1 ;; esac\nexit 0\n' \
    >"$ROOT/usr/sbin/lcfglock"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_last "$T/err" "[WARNING] xen: $ROOT/usr/sbin/lcfglock: cannot release the lock: exited 1: lcfglock: xen is not locked"
}

# ---- libmsg's events ----

# A stand-in lcfgack (lcfg-client) on the component's PATH, under the root:
# each call adds a line to $ROOT/acks.
with_lcfgack() {
  mkdir -p "$ROOT/usr/bin"
  printf '#!/bin/sh\necho ack >>"%s/acks"\n' "$ROOT" >"$ROOT/usr/bin/lcfgack"
  chmod +x "$ROOT/usr/bin/lcfgack"
}
acks() { if [ -f "$ROOT/acks" ]; then wc -l <"$ROOT/acks"; else echo 0; fi; }

t_event_files_are_acknowledged_when_made_or_cleared() {
  with_lcfgack
  printf 'xen.virtualmachines=web1\n' >"$T/bad"
  xen --resources "$T/bad" configure
  expect_rc 1
  expect_exists "$ROOT/var/log/lcfg/xen.err"
  [ "$(acks)" = 1 ] || { fail "$(acks) acks for a new error event, expected 1"; return 1; }
  # More errors in the same event file: no new acknowledgement.
  xen --resources "$T/bad" configure
  [ "$(acks)" = 1 ] || { fail "$(acks) acks after a second error, expected 1"; return 1; }
  two
  xen --resources "$T/res" configure
  expect_rc 0
  expect_absent "$ROOT/var/log/lcfg/xen.err"
  [ "$(acks)" = 2 ] || { fail "$(acks) acks after the error was cleared, expected 2"; return 1; }
  # Nothing to clear, nothing to say.
  xen --resources "$T/res" configure
  [ "$(acks)" = 2 ] || { fail "$(acks) acks after a clean run, expected 2"; return 1; }
}

t_warnings_are_raised_again_by_each_configure_or_cleared() {
  two
  xen --resources "$T/res" start
  sed -i 's/^xen.memory_g1=128$/xen.memory_g1=256/' "$T/res"
  xen --resources "$T/res" configure
  unstamp "$ROOT/var/log/lcfg/xen.warn" >"$T/w"
  expect_text "$T/w" "STAMP: guest 'g1': memory 256 MB needs restart (the running domain's maximum is 128 MB)
STAMP: guest 'g1': changed maxmem_g1: needs restart (the running domain keeps its old settings until then)"
  # The event is what the last configure found: the restart still needed,
  # not the change, which is now the saved configuration.
  xen --resources "$T/res" configure
  unstamp "$ROOT/var/log/lcfg/xen.warn" >"$T/w"
  expect_text "$T/w" "STAMP: guest 'g1': memory 256 MB needs restart (the running domain's maximum is 128 MB)"
  # Once the guest runs with its new settings, the warning is gone.
  xen shutdown g1
  xen boot g1
  xen --resources "$T/res" configure
  expect_rc 0
  expect_absent "$ROOT/var/log/lcfg/xen.warn"
}

# ---- the reboot into Xen ----

FH=var/fake-host
host_res() {
  mkdir -p "$ROOT/$FH"
  for p in usr/bin/dpkg-query usr/sbin/update-grub; do
    mkdir -p "$ROOT/$(dirname "$p")"; cp "$TOP/tests/tools/fake-host" "$ROOT/$p"
  done
  printf '%s\n' xen-system-amd64 xen-utils-common >"$ROOT/$FH/installed"
  printf '%s\n' xen.ng_schema=1 xen.managehost=yes >"$T/res"
}

t_reboot_into_xen_is_an_event_and_debians_reboot_required() {
  host_res
  xen --resources "$T/res" configure
  expect_rc 0
  grep reboot "$T/err" >"$T/r"
  expect_text "$T/r" "[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)"
  # libmsg's reboot event: "==" in the log, the event file beside it.
  unstamp "$ROOT/var/log/lcfg/xen.reboot" >"$T/ev"
  expect_text "$T/ev" "STAMP: host: reboot into Xen required (/sys/hypervisor/type is not xen)"
  grep '== ' "$ROOT/var/log/lcfg/xen" >"$T/eq"
  unstamp "$T/eq" >"$T/log"
  expect_text "$T/log" "STAMP: == host: reboot into Xen required (/sys/hypervisor/type is not xen)"
  # Debian's flag (Debian Policy 9.12), this package named once.
  expect_text "$ROOT/run/reboot-required" "*** System restart required ***"
  expect_text "$ROOT/run/reboot-required.pkgs" "lcfg-xen"
  # Every run warns until the reboot; the event and the flag stay as they are.
  printf 'linux-image-amd64' >"$ROOT/run/reboot-required.pkgs"
  xen --resources "$T/res" configure
  grep reboot "$T/err" >"$T/r"
  expect_text "$T/r" "[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)"
  unstamp "$ROOT/var/log/lcfg/xen.reboot" | grep -c . >"$T/n"
  expect_text "$T/n" "1"
  expect_text "$ROOT/run/reboot-required.pkgs" "linux-image-amd64
lcfg-xen"
  # A dry run raises nothing.
  rm "$ROOT/var/log/lcfg/xen.reboot" "$ROOT/run/reboot-required" "$ROOT/run/reboot-required.pkgs"
  xen --dry-run --resources "$T/res" configure
  expect_absent "$ROOT/var/log/lcfg/xen.reboot"
  expect_absent "$ROOT/run/reboot-required"
  xen --resources "$T/res" configure
  expect_exists "$ROOT/var/log/lcfg/xen.reboot"
  # Rebooted into Xen (/run emptied): the event is cleared, no warning.
  rm -r "$ROOT/run"
  mkdir -p "$ROOT/sys/hypervisor/properties"; echo xen >"$ROOT/sys/hypervisor/type"
  echo 00002f81 >"$ROOT/sys/hypervisor/properties/features"
  xen --resources "$T/res" configure
  expect_rc 0
  grep -c reboot "$T/err" >"$T/n" || true
  expect_text "$T/n" "0"
  expect_absent "$ROOT/var/log/lcfg/xen.reboot"
  expect_absent "$ROOT/run/reboot-required"
}

# ---- the logrotate configuration ----

t_logrotate_configuration_rotates_the_log_and_not_the_events() {
  command -v logrotate >/dev/null || skip "logrotate is not installed (apt-get install logrotate; scripts/install-deps does)"
  make -s -C "$TOP" install B="$BUILD" DESTDIR="$T/dest" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  conf=$T/dest/etc/logrotate.d/lcfg-xen
  # As installed, logrotate accepts it.
  logrotate -d -s "$T/state0" "$conf" >"$T/d" 2>&1 || { cat "$T/d"; return 1; }
  if grep -i 'error' "$T/d"; then fail "logrotate -d complains (above)"; return 1; fi
  grep -q 'rotating pattern: /var/log/lcfg/xen ' "$T/d" || { fail "not for /var/log/lcfg/xen:"; cat "$T/d"; return 1; }
  # The same file pointed at the sandbox: rotate for real.
  sed "s|/var/log/lcfg/xen|$ROOT/var/log/lcfg/xen|; s|/usr/lib/lcfg/components/xen|$XEN --root $ROOT|" \
    "$conf" >"$T/conf"
  printf 'xen.virtualmachines=web1\n' >"$T/bad"
  xen --resources "$T/bad" configure
  cp "$ROOT/var/log/lcfg/xen" "$T/old"
  cp "$ROOT/var/log/lcfg/xen.err" "$T/olderr"
  logrotate -f -s "$T/state" "$T/conf" >"$T/lr" 2>&1 || { cat "$T/lr"; return 1; }
  cmp -s "$T/old" "$ROOT/var/log/lcfg/xen.1" || { fail "xen.1 is not the old log"; return 1; }
  # postrotate ran the component's logrotate method, which logged anew.
  unstamp "$ROOT/var/log/lcfg/xen" >"$T/new"
  expect_text "$T/new" "STAMP:    logrotate: log file reopened"
  cmp -s "$T/olderr" "$ROOT/var/log/lcfg/xen.err" || { fail "the error event was rotated"; return 1; }
  (cd "$ROOT/var/log/lcfg" && ls | LC_ALL=C sort) >"$T/ls"
  expect_text "$T/ls" "xen
xen.1
xen.err"
}
