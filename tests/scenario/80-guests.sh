# 80-guests: guests on the (simulated) hypervisor: start, stop, run.

t_start_boots_only_the_boot_guests() {
  guests 3 'xen.boot_g2='
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  # Booted side by side: which ends first, and gets which domid, is a race.
  grep -E "booted|running|start:" "$T/err" | sed -E 's/domid [0-9]+/domid N/' | LC_ALL=C sort >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': booted (domid N)
[INFO] xen: guest 'g3': booted (domid N)
[INFO] xen: start: booting 2 guests at once
[OK] xen: start: guests with boot set are running"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g3 running"
  xen isstarted -q
  expect_rc 0
  # Started again: nothing more is booted.
  xen --hypervisor sim --resources "$T/res" start
  grep -E "booted|running \(" "$T/err" | sed -E 's/domid [0-9]+/domid N/' >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': running (domid N)
[INFO] xen: guest 'g3': running (domid N)"
}

t_stop_takes_about_the_slowest_guest_not_the_sum() {
  guests 10
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  i=1; : >"$ROOT/$SIM/control"
  while [ $i -le 10 ]; do echo "g$i shutdown_ms=$((1000 + (i % 3) * 1000))" >>"$ROOT/$SIM/control"; i=$((i + 1)); done
  s=$(date +%s%N)
  xen --hypervisor sim stop
  e=$(date +%s%N)
  expect_rc 0
  ms=$(( (e - s) / 1000000 ))
  # The slowest guest takes 3 s; the sum of all ten would be 20 s.
  [ $ms -ge 2900 ] && [ $ms -lt 6500 ] || { fail "stop took $ms ms; the slowest guest takes 3000"; return 1; }
  grep -c "shut down in" "$T/err" >"$T/n"
  expect_text "$T/n" "10"
  grep "g3'" "$T/err" | sed -E 's/in [0-9.]+ s/in N s/' >"$T/g3"
  expect_text "$T/g3" "[INFO] xen: guest 'g3': shut down in N s"
  expect_last "$T/err" "[OK] xen: stop: 10 guests stopped"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
  xen isstarted -q
  expect_rc 1
}

t_guest_ignoring_shutdown_is_destroyed_after_its_timeout() {
  guests 2 'xen.shutdowntimeout_g2=1'
  xen --hypervisor sim --resources "$T/res" start
  printf 'g1 shutdown_ms=300\ng2 ignore_shutdown=1\n' >"$ROOT/$SIM/control"
  xen --hypervisor sim stop
  expect_rc 0
  sed -E 's/in [0-9.]+ s/in N s/' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': shut down in N s
[WARNING] xen: guest 'g2': destroyed after 1 s timeout
[OK] xen: stop: 2 guests stopped"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
}

t_run_boots_guests_that_are_down() {
  # One at a time, so that the domids are known.
  guests 2 'xen.parallel=1'
  xen --hypervisor sim --resources "$T/res" start
  # g1 destroyed by hand; g2 crashes (its remains kept, as on_crash=preserve).
  sed -i '/ g1 /d' "$ROOT/$SIM/domains"
  sed -i -E 's/^([0-9]+ g2 [^ ]+) running -/\1 crashed crash/' "$ROOT/$SIM/domains"
  xen --hypervisor sim run
  expect_rc 0
  expect_text "$T/err" "[WARNING] xen: guest 'g1': was not running (stopped by hand, or crashed and destroyed)
[WARNING] xen: guest 'g2': had crashed (domid 2): its remains were destroyed
[INFO] xen: run: booting 2 guests, 1 at a time
[INFO] xen: guest 'g1': booted (domid 3)
[INFO] xen: guest 'g2': booted (domid 4)
[OK] xen: run: guests with boot set are running"
  xen --hypervisor sim run
  grep -c "running (domid" "$T/err" >"$T/n"
  expect_text "$T/n" "2"
}

t_failed_boot_is_reported_and_the_others_boot() {
  guests 3
  mkdir -p "$ROOT/$SIM"; printf 'g2 fail_create=1\n' >"$ROOT/$SIM/control"
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 1
  grep -E "boot failed|start:" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: start: booting 3 guests at once
[ERROR] xen: guest 'g2': boot failed: xl create: simulated failure for g2
[FAIL] xen: start: 1 guest could not be booted"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g3 running"
}

t_half_created_guest_is_destroyed_and_reported() {
  guests 2 'xen.parallel=1'
  mkdir -p "$ROOT/$SIM"; printf 'g1 half_create=1\n' >"$ROOT/$SIM/control"
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 1
  grep -E "boot|start:|half-built" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: start: booting 2 guests, 1 at a time
[ERROR] xen: guest 'g1': boot failed: xl create: simulated failure for g1 after its domain was built
[WARNING] xen: guest 'g1': its half-built domain (domid 1) was destroyed
[INFO] xen: guest 'g2': booted (domid 2)
[FAIL] xen: start: 1 guest could not be booted"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g2 running"
  # And when it cannot be destroyed either, that is said too.
  printf 'g1 half_create=1\n* hv_fail=destroy\n' >"$ROOT/$SIM/control"
  xen --hypervisor sim boot g1
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: guest 'g1': boot failed: xl create: simulated failure for g1 after its domain was built
[ERROR] xen: guest 'g1': its half-built domain (domid 3) cannot be destroyed: simulated hypervisor failure
[FAIL] xen: boot: 1 failure"
}

t_unmanaged_domains_are_never_stopped() {
  guests 1
  xen --hypervisor sim --resources "$T/res" start
  # A domain the profile does not know (started by hand with xl).
  sed -i 's/^next_domid 2$/next_domid 3/' "$ROOT/$SIM/domains"
  echo "2 other 99999999-1111-4222-8333-444444444444 running - 131072 131072 131072 1 1 0 none - -" >>"$ROOT/$SIM/domains"
  xen --hypervisor sim stop
  expect_rc 0
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
other running"
}

t_stop_acts_on_the_saved_configuration() {
  guests 2
  xen --hypervisor sim --resources "$T/res" start
  # The profile changes (g2 no longer boots) but is not configured: stop
  # still stops what was applied.
  xen --hypervisor sim stop
  expect_rc 0
  grep -c "shut down in" "$T/err" >"$T/n"
  expect_text "$T/n" "2"
}

t_xen_backend_off_dom0_says_so() {
  guests 1
  xen --hypervisor xen --resources "$T/res" start
  expect_rc 1
  expect_last "$T/err" "[FAIL] xen: start: this host is not running Xen (it is not a Xen dom0): reboot into the Xen entry of its boot menu (set up by configure) first"
}

# Never pretend: without the simulator asked for, a host that is not a dom0
# says so. configure does its file and disk work; start, run and boot fail;
# stop has nothing to stop; status says the hypervisor is unavailable.
t_off_dom0_nothing_pretends() {
  unset LCFGXEN_HYPERVISOR
  guests 1
  xen --resources "$T/res" configure
  expect_rc 0
  expect_exists "$ROOT/etc/xen/g1.cfg"
  notxen="this host is not running Xen (it is not a Xen dom0): reboot into the Xen entry of its boot menu (set up by configure) first"
  for m in start run "boot g1"; do
    # shellcheck disable=SC2086
    xen --resources "$T/res" $m
    expect_rc 1
    expect_last "$T/err" "[FAIL] xen: ${m%% *}: $notxen"
  done
  xen stop
  expect_rc 0
  expect_text "$T/err" "[OK] xen: stop: this host is not running Xen: no guest is running"
  xen status
  expect_rc 0
  head -1 "$T/out" >"$T/m"
  expect_text "$T/m" "Configured guests: 1 (running state unknown: the hypervisor is unavailable here)"
  xen status --json
  grep '"hypervisor"' "$T/out" >"$T/m"
  expect_text "$T/m" '  "hypervisor": false,'
  expect_absent "$ROOT/var/lib/lcfg/xen/sim"
  LCFGXEN_HYPERVISOR=kvm xen status
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: LCFGXEN_HYPERVISOR 'kvm' is not sim or xen"
}

t_stop_before_configure() {
  xen --hypervisor sim stop
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: stop: no saved configuration at $ROOT/run/lcfg/status/xen (run configure first)"
}

t_memory_change_within_maxmem_is_applied_live() {
  guests 2 'xen.memory_g1=128' 'xen.maxmem_g1=512'
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  sed 's/^xen.memory_g1=128$/xen.memory_g1=384/; s/^xen.vcpus_g1=.*//' "$T/res" >"$T/res2"
  echo 'xen.memory_g2=256' >>"$T/res2"; sed -i '/^xen.memory_g2=128$/d' "$T/res2"
  xen --hypervisor sim --resources "$T/res2" --dry-run configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': memory 128 -> 384 MB would be applied live
[WARNING] xen: guest 'g2': memory 256 MB needs restart (the running domain's maximum is 128 MB)
[WARNING] xen: guest 'g2': changed maxmem_g2: needs restart (the running domain keeps its old settings until then)"
  xen --hypervisor sim --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': memory 128 -> 384 MB applied live
[WARNING] xen: guest 'g2': memory 256 MB needs restart (the running domain's maximum is 128 MB)
[WARNING] xen: guest 'g2': changed maxmem_g2: needs restart (the running domain keeps its old settings until then)"
  awk '$2 == "g1" || $2 == "g2" { print $2, $6, $7, $8 }' "$ROOT/$SIM/domains" | sort >"$T/d"
  expect_text "$T/d" "g1 393216 393216 524288
g2 131072 131072 131072"
}

t_configure_never_touches_the_simulator_off_dom0_unless_asked() {
  unset LCFGXEN_HYPERVISOR
  guests 1
  xen --resources "$T/res" configure
  expect_rc 0
  expect_absent "$ROOT/var/lib/lcfg/xen/sim"
}

t_per_guest_methods() {
  guests 2 'xen.boot_g2='
  xen --hypervisor sim --resources "$T/res" start
  xen --hypervisor sim boot g2
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: guest 'g2': booted (domid 2)"
  xen --hypervisor sim boot g2
  expect_text "$T/err" "[INFO] xen: guest 'g2': already running (domid 2)"
  printf 'g1 shutdown_ms=100\n' >"$ROOT/$SIM/control"
  xen --hypervisor sim shutdown g1
  expect_rc 0
  sed -E 's/in [0-9.]+ s/in N s/' "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': shut down in N s"
  xen --hypervisor sim reboot g2
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: guest 'g2': asked to reboot (domid 2)"
  xen --hypervisor sim destroy g2
  expect_rc 0
  grep -c "destroyed (domid" "$T/err" >"$T/n"
  expect_text "$T/n" "1"
  xen --hypervisor sim destroy nosuch
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: destroy: no guest 'nosuch' in the saved configuration
[FAIL] xen: destroy: 1 failure"
  xen --hypervisor sim shutdown
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: shutdown: name at least one guest (usage: shutdown NAME|@GROUP...)"
}

t_unmanaged_domain_refused_unless_forced() {
  guests 1
  xen --hypervisor sim --resources "$T/res" start
  sed -i 's/^next_domid 2$/next_domid 3/' "$ROOT/$SIM/domains"
  echo "2 other 99999999-1111-4222-8333-444444444444 running - 131072 131072 131072 1 1 0 none - -" >>"$ROOT/$SIM/domains"
  for m in shutdown reboot destroy; do
    xen --hypervisor sim $m other
    expect_rc 1
  done
  expect_text "$T/err" "[ERROR] xen: destroy: 'other' (domid 2) is not a guest of this profile: left alone (destroy --force to insist)
[FAIL] xen: destroy: 1 failure"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
other running"
  xen --hypervisor sim destroy --force other
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: guest 'other': destroyed (domid 2)"
}

t_status_shows_running_guests_and_unmanaged_domains() {
  guests 3 'xen.boot_g3=' 'xen.maxmem_g1=256' 'xen.parallel=1'
  xen --hypervisor sim --resources "$T/res" start
  sed -i 's/^next_domid 3$/next_domid 4/' "$ROOT/$SIM/domains"
  echo "3 other 99999999-1111-4222-8333-444444444444 running - 131072 131072 131072 1 1 0 none - -" >>"$ROOT/$SIM/domains"
  xen --hypervisor sim status
  expect_rc 0
  sed -n '1,7p' "$T/out" | sed -E 's/[0-9]+:[0-9]{2}:[0-9]{2}$/H:MM:SS/' >"$T/table"
  expect_text "$T/table" "Configured guests: 3

GUEST            BOOT  STATE      DOMID  MEMORY MB now/tgt/max  VCPUS  UPTIME
g1               yes   running        1  128/128/256            1/1    H:MM:SS
g2               yes   running        2  128/128/128            1/1    H:MM:SS
g3               no    stopped        -  -                      -      -
other            -     running        3  (not in the profile: never touched)"
  xen --hypervisor sim status --json
  expect_rc 0
  jq -c '[.guests[] | {name, state, domid, max_kb, disks: [.disks[] | .state]}], [.unmanaged[] | .name]' "$T/out" >"$T/j"
  expect_text "$T/j" '[{"name":"g1","state":"running","domid":1,"max_kb":262144,"disks":["present"]},{"name":"g2","state":"running","domid":2,"max_kb":131072,"disks":["present"]},{"name":"g3","state":"stopped","domid":null,"max_kb":null,"disks":["present"]}]
["other"]'
  xen status --bogus
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: status: unknown argument '--bogus' (usage: status [--json] [NAME|@GROUP...])"
}

t_status_shows_config_files_and_pending_changes() {
  guests 3 'xen.boot_g3=' 'xen.parallel=1'
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  # g1: more memory than its running domain can take, and 2 vcpus (live);
  # g2: its file edited by hand; g3 (not running): its file removed.
  sed 's/^xen.memory_g1=128$/xen.memory_g1=512/' "$T/res" >"$T/res2"
  echo 'xen.vcpus_g1=2' >>"$T/res2"; echo 'xen.maxvcpus_g1=2' >>"$T/res2"
  xen --hypervisor sim --resources "$T/res2" configure
  expect_rc 0
  echo '# edited' >>"$ROOT/etc/xen/g2.cfg"
  rm "$ROOT/etc/xen/g3.cfg"
  xen --hypervisor sim status
  expect_rc 0
  grep -E "^[a-z0-9]+$|  config|  pending" "$T/out" >"$T/m"
  expect_text "$T/m" "g1
  config    /etc/xen/g1.cfg up to date
  pending   maxmem 512 MB: needs restart (the running domain's maximum is 128 MB)
  pending   memory 512 MB: needs restart (the running domain's maximum is 128 MB)
  pending   maxvcpus 2: needs restart (the running domain's maximum is 1)
  pending   vcpus 2: needs restart (the running domain's maximum is 1)
g2
  config    /etc/xen/g2.cfg differs from the saved configuration (edited by hand? configure puts it back)
g3
  config    /etc/xen/g3.cfg missing (run configure)"
  xen --hypervisor sim status --json
  jq -c '[.guests[] | {name, config, pending}]' "$T/out" >"$T/j"
  expect_text "$T/j" '[{"name":"g1","config":"current","pending":["maxmem 512 MB: needs restart (the running domain'"'"'s maximum is 128 MB)","memory 512 MB: needs restart (the running domain'"'"'s maximum is 128 MB)","maxvcpus 2: needs restart (the running domain'"'"'s maximum is 1)","vcpus 2: needs restart (the running domain'"'"'s maximum is 1)"]},{"name":"g2","config":"differs","pending":[]},{"name":"g3","config":"missing","pending":null}]'
  # Booted again with the new settings: nothing pending.
  xen --hypervisor sim destroy g1
  xen --hypervisor sim boot g1
  xen --hypervisor sim status
  grep -A7 "^g1$" "$T/out" | grep -E "config|pending" >"$T/m"
  expect_text "$T/m" "  config    /etc/xen/g1.cfg up to date"
}

t_boots_run_side_by_side_at_most_parallel_at_once() {
  guests 6 'xen.parallel=3'
  mkdir -p "$ROOT/$SIM"; echo '* create_ms=600' >"$ROOT/$SIM/control"
  s=$(date +%s%N)
  xen --hypervisor sim --resources "$T/res" start
  e=$(date +%s%N)
  expect_rc 0
  grep -E "booting|start:" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: start: booting 6 guests, 3 at a time
[OK] xen: start: guests with boot set are running"
  grep -c "booted (domid" "$T/err" >"$T/n"
  expect_text "$T/n" "6"
  # The simulator counts the creates in progress: never more than 3 at
  # once, and 3 did overlap.
  expect_text "$ROOT/$SIM/creating" "0 3"
  # At least two rounds of 0.6 s.
  ms=$(( (e - s) / 1000000 ))
  [ $ms -ge 1200 ] || { fail "start took $ms ms; two rounds take 1200"; return 1; }
  domains | sort >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g2 running
g3 running
g4 running
g5 running
g6 running"
}

t_parallel_one_boots_one_at_a_time() {
  guests 3 'xen.parallel=1'
  mkdir -p "$ROOT/$SIM"; echo '* create_ms=100' >"$ROOT/$SIM/control"
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  expect_text "$ROOT/$SIM/creating" "0 1"
  grep "booted" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': booted (domid 1)
[INFO] xen: guest 'g2': booted (domid 2)
[INFO] xen: guest 'g3': booted (domid 3)"
}

t_boot_groups_boot_in_order_and_stop_in_reverse() {
  # g4 (group 0, the default) first; then g2 and g3 together; g1 last.
  guests 4 'xen.bootorder_g1=20' 'xen.bootorder_g2=10' 'xen.bootorder_g3=10'
  mkdir -p "$ROOT/$SIM"; echo '* create_ms=200' >"$ROOT/$SIM/control"
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  grep -E "booting|booted" "$T/err" | sed -E "s/'g[23]': booted \(domid [23]\)/'g2 or g3': booted (domid 2 or 3)/" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: start: boot group 0: booting 1 guest
[INFO] xen: guest 'g4': booted (domid 1)
[INFO] xen: start: boot group 10: booting 2 guests at once
[INFO] xen: guest 'g2 or g3': booted (domid 2 or 3)
[INFO] xen: guest 'g2 or g3': booted (domid 2 or 3)
[INFO] xen: start: boot group 20: booting 1 guest
[INFO] xen: guest 'g1': booted (domid 4)"
  expect_text "$ROOT/$SIM/creating" "0 2"
  printf '* shutdown_ms=100\n' >"$ROOT/$SIM/control"
  xen --hypervisor sim stop
  expect_rc 0
  sed -E 's/in [0-9.]+ s/in N s/' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: stop: boot group 20: shutting down 1 guest
[INFO] xen: guest 'g1': shut down in N s
[INFO] xen: stop: boot group 10: shutting down 2 guests
[INFO] xen: guest 'g2': shut down in N s
[INFO] xen: guest 'g3': shut down in N s
[INFO] xen: stop: boot group 0: shutting down 1 guest
[INFO] xen: guest 'g4': shut down in N s
[OK] xen: stop: 4 guests stopped"
  # A change of boot group concerns no running domain: nothing to restart.
  xen --hypervisor sim --resources "$T/res" start
  sed -i 's/^xen.bootorder_g1=20$/xen.bootorder_g1=5/' "$T/res"
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  grep "restart" "$T/err" >"$T/m" || true
  expect_text "$T/m" ""
}

t_restart_resource_lets_configure_restart_a_guest() {
  guests 2 'xen.restart_g1=yes' 'xen.parallel=1'
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  printf '* shutdown_ms=100\n' >"$ROOT/$SIM/control"
  sed 's/^xen.memory_g1=128$/xen.memory_g1=256/; s/^xen.memory_g2=128$/xen.memory_g2=256/' \
    "$T/res" >"$T/res2"
  xen --hypervisor sim --resources "$T/res2" --dry-run configure
  expect_rc 0
  grep -E "restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[WARNING] xen: guest 'g1': memory 256 MB needs restart (the running domain's maximum is 128 MB)
[WARNING] xen: guest 'g1': changed maxmem_g1: needs restart (the running domain keeps its old settings until then)
[INFO] xen: guest 'g1': would be restarted to apply this (restart_g1)
[WARNING] xen: guest 'g2': memory 256 MB needs restart (the running domain's maximum is 128 MB)
[WARNING] xen: guest 'g2': changed maxmem_g2: needs restart (the running domain keeps its old settings until then)"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
  xen --hypervisor sim --resources "$T/res2" configure
  expect_rc 0
  grep -E "restart|shut down|boot" "$T/err" | sed -E 's/in [0-9.]+ s/in N s/' >"$T/m"
  expect_text "$T/m" "[WARNING] xen: guest 'g1': memory 256 MB needs restart (the running domain's maximum is 128 MB)
[WARNING] xen: guest 'g1': changed maxmem_g1: needs restart (the running domain keeps its old settings until then)
[INFO] xen: guest 'g1': restarting to apply this (restart_g1)
[WARNING] xen: guest 'g2': memory 256 MB needs restart (the running domain's maximum is 128 MB)
[WARNING] xen: guest 'g2': changed maxmem_g2: needs restart (the running domain keeps its old settings until then)
[INFO] xen: guest 'g1': shut down in N s
[INFO] xen: guest 'g1': booted (domid 3)"
  # g1 runs with its new memory; g2, without restart_g2, is left as it was.
  awk '$2 == "g1" || $2 == "g2" { print $1, $2, $7, $8 }' "$ROOT/$SIM/domains" >"$T/d"
  expect_text "$T/d" "2 g2 131072 131072
3 g1 262144 262144"
  # A guest that will not shut down is destroyed after its timeout, as by
  # stop, and booted again.
  printf 'g1 ignore_shutdown=1\n' >"$ROOT/$SIM/control"
  sed 's/^xen.memory_g1=256$/xen.memory_g1=300/' "$T/res2" >"$T/res3"
  echo 'xen.shutdowntimeout_g1=1' >>"$T/res3"
  xen --hypervisor sim --resources "$T/res3" configure
  expect_rc 0
  grep -E "destroyed|booted" "$T/err" >"$T/m"
  expect_text "$T/m" "[WARNING] xen: guest 'g1': destroyed after 1 s timeout
[INFO] xen: guest 'g1': booted (domid 4)"
}

t_run_reports_drift_and_changes_nothing_else() {
  guests 2 'xen.parallel=1'
  xen --hypervisor sim --resources "$T/res" start
  # g1's domain loses a vcpu behind the component's back; g2's file is
  # edited by hand.
  sed -i -E 's/^(1 g1 .*) 1 1 ([0-9]+ none - -)$/\1 0 1 \2/' "$ROOT/$SIM/domains"
  echo '# edited' >>"$ROOT/etc/xen/g2.cfg"
  cp "$ROOT/etc/xen/g2.cfg" "$T/g2.cfg"
  cp "$ROOT/$SIM/domains" "$T/domains"
  xen --hypervisor sim run
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: guest 'g1': running (domid 1)
[INFO] xen: guest 'g2': running (domid 2)
[WARNING] xen: guest 'g1': drift: vcpus 1: configure applies it live (the running domain has 0)
[WARNING] xen: guest 'g2': drift: /etc/xen/g2.cfg differs from the saved configuration (edited by hand? configure puts it back)
[OK] xen: run: guests with boot set are running"
  cmp "$ROOT/etc/xen/g2.cfg" "$T/g2.cfg"
  cmp "$ROOT/$SIM/domains" "$T/domains"
}

# configure reads back only the saved guests that differ (src/previous.c):
# renamed, changed and removed guests among unchanged ones are each handled.
t_only_the_saved_guests_that_differ_are_read_back() {
  guests 4
  xen --resources "$T/res" configure
  expect_rc 0
  grep -v '_g4=' "$T/res" | sed 's/^xen.virtualmachines=.*/xen.virtualmachines=g1 g2 g3/' >"$T/res2"
  printf 'xen.name_g2=web2\nxen.memory_g3=256\n' >>"$T/res2"
  sed -i '/^xen.memory_g3=128$/d' "$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  sed -E 's/[0-9]{8}-[0-9]{6}/STAMP/' "$T/err" >"$T/m"
  # g2 is renamed (same UUID): its disk image follows its name.
  expect_text "$T/m" "[INFO] xen: guest 'web2': renamed from 'g2': disk /var/lib/xen/images/g2.img renamed to /var/lib/xen/images/web2.img
[INFO] xen: guest 'web2': /etc/xen/web2.cfg created
[INFO] xen: guest 'g3': /etc/xen/g3.cfg updated
[INFO] xen: guest 'web2': renamed from 'g2': /etc/xen/g2.cfg retired to /var/lib/lcfg/xen/retired/g2.cfg.STAMP
[INFO] xen: guest 'g4': left the profile: /etc/xen/g4.cfg retired to /var/lib/lcfg/xen/retired/g4.cfg.STAMP (its disks are kept)
[OK] xen: configure: 3 guests: 1 created, 1 updated, 1 unchanged, 2 retired; disks: 0 created, 3 present, 0 of another size, 0 refused; saved resources updated"
  ls "$ROOT/etc/xen" >"$T/ls"
  expect_text "$T/ls" "g1.cfg
g3.cfg
web2.cfg"
}

# A saved configuration not laid out as this schema writes it (here: one
# resource fewer per guest, as an older schema would have) is read whole.
t_saved_configuration_of_another_layout_is_read_whole() {
  guests 3
  xen --resources "$T/res" configure
  expect_rc 0
  sed -i '/^xen.template_g[0-9]*=/d' "$ROOT/run/lcfg/status/xen"
  grep -v '_g3=' "$T/res" | sed 's/^xen.virtualmachines=.*/xen.virtualmachines=g1 g2/' >"$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  sed -E 's/[0-9]{8}-[0-9]{6}/STAMP/' "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g3': left the profile: /etc/xen/g3.cfg retired to /var/lib/lcfg/xen/retired/g3.cfg.STAMP (its disks are kept)
[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 1 retired; disks: 0 created, 2 present, 0 of another size, 0 refused; saved resources updated"
}

# Issue 13: status (pending) and configure (live changes) judge memory by
# one rule, HVM guests too (they once disagreed).
t_hvm_memory_change_is_pending_in_status_and_applied_by_configure() {
  guests 1 'xen.type_g1=hvm' 'xen.maxmem_g1=512'
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  guests 1 'xen.type_g1=hvm' 'xen.maxmem_g1=512' 'xen.memory_g1=256'
  # The saved configuration says 256: status shows what configure will do.
  cp "$ROOT/run/lcfg/status/xen" "$T/saved"
  sed -i 's/^xen.memory_g1=.*/xen.memory_g1=256/' "$ROOT/run/lcfg/status/xen"
  xen --hypervisor sim status
  grep pending "$T/out" >"$T/p"
  expect_text "$T/p" "  pending   memory 256 MB: configure applies it live (the running domain has 128 MB)"
  cp "$T/saved" "$ROOT/run/lcfg/status/xen"
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  grep live "$T/err" >"$T/l"
  expect_text "$T/l" "[INFO] xen: guest 'g1': memory 128 -> 256 MB applied live"
  xen --hypervisor sim status
  grep -c pending "$T/out" >"$T/n" || true
  expect_text "$T/n" "0"
}
