# 86-hostsave: xen.onhostshutdown save: stop saves the running guests,
# start restores those whose config is unchanged, else boots them fresh
# and keeps the image aside; a save that cannot be made falls back to a
# shutdown. On the simulated hypervisor (its save images carry the
# domain, and its journal says whether a domain was restored or created).

U1=00000001-1111-4222-8333-444444444444
U2=00000002-1111-4222-8333-444444444444
SAVE=var/lib/xen/save
REC=var/lib/lcfg/xen/saved

# Sizes and times vary: masked.
masked() { sed -E 's/\([0-9.]+ MB in [0-9.]+ s\)/(N MB in N s)/; s/ in [0-9.]+ s$/ in N s/; s/-[0-9]{8}-[0-9]{6}(-[0-9]+)?\.save/-STAMP.save/g' "$1"; }

# Two guests, g1 and g2, started one at a time (domids 1 and 2).
started() {
  guests 2 'xen.onhostshutdown=save' 'xen.parallel=1' "$@"
  xen --resources "$T/res" start
  expect_rc 0
}

# A domain's memory (MEM_KB TARGET_KB) in the simulator's state.
mem_of() { awk -v n="$1" '$2 == n { print $6, $7 }' "$ROOT/$SIM/domains"; }

t_saved_by_stop_and_restored_by_start() {
  started
  # g1's guest gave memory back (its balloon): 100 MB of its 128. A fresh
  # boot would have 128 MB again; a restored domain has what it had.
  sed -i -E "s/^(1 g1 [^ ]+ running - )[0-9]+ [0-9]+ /\\1102400 102400 /" "$ROOT/$SIM/domains"
  mem_of g1 >"$T/mem"
  expect_text "$T/mem" "102400 102400"
  xen stop
  expect_rc 0
  masked "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': saved to /var/lib/xen/save/$U1.save (N MB in N s)
[INFO] xen: guest 'g2': saved to /var/lib/xen/save/$U2.save (N MB in N s)
[OK] xen: stop: 2 guests stopped"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
  expect_exists "$ROOT/$SAVE/$U1.save"
  expect_exists "$ROOT/$REC/$U1"
  stat -c %a "$ROOT/$SAVE" >"$T/mode"
  expect_text "$T/mode" "700"
  # Every create fails: only a restore can bring them back.
  printf '* fail_create=1\n' >"$ROOT/$SIM/control"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|running|start:" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': restored (domid 3) from /var/lib/xen/save/$U1.save in N s
[INFO] xen: guest 'g2': restored (domid 4) from /var/lib/xen/save/$U2.save in N s
[INFO] xen: guest 'g1': running (domid 3)
[INFO] xen: guest 'g2': running (domid 4)
[OK] xen: start: guests with boot set are running"
  # Same UUIDs, restored, not booted again; images and records consumed.
  awk '!/^#/ && NF > 3 { print $2, $3, $4 }' "$ROOT/$SIM/domains" | LC_ALL=C sort >"$T/d"
  expect_text "$T/d" "Domain-0 00000000-0000-0000-0000-000000000000 running
g1 $U1 running
g2 $U2 running"
  mem_of g1 >"$T/mem"
  expect_text "$T/mem" "102400 102400"
  expect_absent "$ROOT/$SAVE/$U1.save"
  expect_absent "$ROOT/$REC/$U1"
  ls "$ROOT/$SAVE" >"$T/ls"
  expect_text "$T/ls" ""
}

t_bad_values_are_refused_naming_the_resource() {
  guests 1 'xen.onhostshutdown=suspend' 'xen.savedir=var/save'
  xen --resources "$T/res" configure
  expect_rc 1
  grep -E "onhostshutdown|savedir|FAIL" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: resource onhostshutdown: 'suspend' is not a policy for the running guests at stop (shutdown or save)
[ERROR] xen: resource savedir: 'var/save' is not an absolute path
[FAIL] xen: configure: 2 errors in the resources; nothing changed"
}

t_save_needs_the_component_to_own_autostart() {
  guests 1 'xen.onhostshutdown=save' 'xen.autostart=xendomains'
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource onhostshutdown: 'save' needs autostart component: with autostart xendomains, xendomains saves and restores the guests itself (XENDOMAINS_SAVE)
[FAIL] xen: configure: 1 error in the resources; nothing changed"
}

t_shutdown_is_the_default() {
  guests 1 'xen.parallel=1'
  xen --resources "$T/res" start
  xen stop
  expect_rc 0
  masked "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': shut down in N s
[OK] xen: stop: 1 guest stopped"
  expect_absent "$ROOT/$SAVE"
}

t_config_changed_boots_fresh_and_keeps_the_image_aside() {
  started
  xen stop
  expect_rc 0
  # g1's memory changes while the host is down.
  guests 2 'xen.onhostshutdown=save' 'xen.parallel=1' 'xen.memory_g1=256' 'xen.maxmem_g1=256'
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|moved|start:" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'g1': its config changed since it was saved; it boots fresh: its save image was moved aside to /var/lib/xen/save/aside/$U1-STAMP.save
[INFO] xen: guest 'g2': restored (domid 3) from /var/lib/xen/save/$U2.save in N s
[INFO] xen: guest 'g1': booted (domid 4)
[OK] xen: start: guests with boot set are running"
  ls "$ROOT/$SAVE/aside" | masked /dev/stdin >"$T/ls"
  expect_text "$T/ls" "$U1-STAMP.save"
  expect_absent "$ROOT/$REC/$U1"
  # Kept aside: a start again neither restores nor removes it.
  xen --resources "$T/res" start
  expect_rc 0
  ls "$ROOT/$SAVE/aside" | masked /dev/stdin >"$T/ls"
  expect_text "$T/ls" "$U1-STAMP.save"
}

t_failed_save_falls_back_to_shutdown() {
  started
  printf 'g1 fail_save=1\n' >"$ROOT/$SIM/control"
  xen stop
  expect_rc 0
  masked "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'g1': not saved (xl save 1 /var/lib/xen/save/$U1.save.part: simulated failure for g1): shutting it down instead
[INFO] xen: guest 'g2': saved to /var/lib/xen/save/$U2.save (N MB in N s)
[INFO] xen: guest 'g1': shut down in N s
[OK] xen: stop: 2 guests stopped"
  expect_absent "$ROOT/$SAVE/$U1.save"
  expect_absent "$ROOT/$SAVE/$U1.save.part"
  expect_absent "$ROOT/$REC/$U1"
  : >"$ROOT/$SIM/control"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g2': restored (domid 3) from /var/lib/xen/save/$U2.save in N s
[INFO] xen: guest 'g1': booted (domid 4)"
}

t_no_space_falls_back_to_shutdown() {
  # 4 TB of memory: no test machine's /tmp has room for its image.
  started 'xen.memory_g2=4194304' 'xen.maxmem_g2=4194304'
  xen stop
  expect_rc 0
  masked "$T/err" | sed -E 's/has [0-9]+ MB free/has N MB free/' >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': saved to /var/lib/xen/save/$U1.save (N MB in N s)
[WARNING] xen: guest 'g2': not saved (/var/lib/xen/save has N MB free; its save needs 4718624 MB (its 4194304 MB of memory, an eighth more and 32 MB)): shutting it down instead
[INFO] xen: guest 'g2': shut down in N s
[OK] xen: stop: 2 guests stopped"
  expect_absent "$ROOT/$REC/$U2"
}

t_failed_restore_boots_fresh_and_keeps_the_image_aside() {
  started
  xen stop
  printf 'g1 fail_restore=1\n' >"$ROOT/$SIM/control"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restore|booted|moved" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'g1': restore failed (xl restore /var/lib/xen/save/$U1.save: simulated failure for g1); it boots fresh: its save image was moved aside to /var/lib/xen/save/aside/$U1-STAMP.save
[INFO] xen: guest 'g2': restored (domid 3) from /var/lib/xen/save/$U2.save in N s
[INFO] xen: guest 'g1': booted (domid 4)"
  ls "$ROOT/$SAVE/aside" | masked /dev/stdin >"$T/ls"
  expect_text "$T/ls" "$U1-STAMP.save"
}

t_guest_no_longer_in_the_profile_keeps_its_image() {
  started
  xen stop
  guests 1 'xen.onhostshutdown=save' 'xen.parallel=1'
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "saved guest|restored|booted" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: saved guest 'g2' ($U2) is not in the profile: its save image /var/lib/xen/save/$U2.save is kept, not restored
[INFO] xen: guest 'g1': restored (domid 3) from /var/lib/xen/save/$U1.save in N s"
  # Said again by every start, still kept.
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "saved guest|restored|booted" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: saved guest 'g2' ($U2) is not in the profile: its save image /var/lib/xen/save/$U2.save is kept, not restored"
  expect_exists "$ROOT/$SAVE/$U2.save"
  expect_exists "$ROOT/$REC/$U2"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running"
  # Back in the profile, unchanged: restored then.
  guests 2 'xen.onhostshutdown=save' 'xen.parallel=1'
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g2': restored (domid 4) from /var/lib/xen/save/$U2.save in N s"
}

t_stop_twice_then_start_twice() {
  started
  xen stop
  expect_rc 0
  xen stop
  expect_rc 0
  expect_text "$T/err" "[OK] xen: stop: 0 guests stopped"
  expect_exists "$ROOT/$SAVE/$U1.save"
  xen --resources "$T/res" start
  expect_rc 0
  grep -c "restored" "$T/err" >"$T/n"
  expect_text "$T/n" "2"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|moved|': saved to" "$T/err" >"$T/msgs" || true
  expect_text "$T/msgs" ""
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
}

t_image_of_a_running_guest_is_never_restored() {
  started
  xen stop
  # g1 booted by hand meanwhile (its image is not used by boot).
  xen boot g1
  expect_rc 0
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|moved|domain" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'g1': already has a domain (domid 3), so it is not restored: its save image was moved aside to /var/lib/xen/save/aside/$U1-STAMP.save
[INFO] xen: guest 'g2': restored (domid 4) from /var/lib/xen/save/$U2.save in N s"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
}

t_older_image_is_moved_aside_by_the_next_save() {
  started
  xen stop
  xen boot g1
  xen stop
  expect_rc 0
  grep "g1" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'g1': an older save image of it was moved aside to /var/lib/xen/save/aside/$U1-STAMP.save
[INFO] xen: guest 'g1': saved to /var/lib/xen/save/$U1.save (N MB in N s)"
  xen --resources "$T/res" start
  expect_rc 0
  grep -c "restored" "$T/err" >"$T/n"
  expect_text "$T/n" "2"
}

t_guest_without_boot_is_restored_too() {
  guests 2 'xen.onhostshutdown=save' 'xen.parallel=1' 'xen.boot_g2='
  xen --resources "$T/res" start
  xen boot g2
  xen stop
  expect_rc 0
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': restored (domid 3) from /var/lib/xen/save/$U1.save in N s
[INFO] xen: guest 'g2': restored (domid 4) from /var/lib/xen/save/$U2.save in N s"
  # Its config changed: booted fresh, though boot is unset.
  xen stop
  guests 2 'xen.onhostshutdown=save' 'xen.parallel=1' 'xen.boot_g2=' 'xen.vcpus_g2=2' 'xen.maxvcpus_g2=2'
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|moved" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': restored (domid 5) from /var/lib/xen/save/$U1.save in N s
[WARNING] xen: guest 'g2': its config changed since it was saved; it boots fresh: its save image was moved aside to /var/lib/xen/save/aside/$U2-STAMP.save
[INFO] xen: guest 'g2': booted (domid 6)"
}

t_stop_killed_mid_save_then_start() {
  started
  printf 'g1 save_ms=4000\n' >"$ROOT/$SIM/control"
  "$XEN" --root "$ROOT" stop >"$T/out" 2>"$T/err" &
  pid=$!
  sleep 1
  { kill -9 $pid; wait $pid; } 2>/dev/null || true
  : >"$ROOT/$SIM/control"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|save did|running \(" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': its save did not finish (stop was interrupted): it ran on (domid 1)
[INFO] xen: guest 'g1': running (domid 1)
[INFO] xen: guest 'g2': running (domid 2)"
  expect_absent "$ROOT/$REC/$U1"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
}

t_partial_image_of_an_interrupted_stop_is_set_aside() {
  started
  xen stop
  # As a stop killed after its save ended, before the rename.
  mv "$ROOT/$SAVE/$U1.save" "$ROOT/$SAVE/$U1.save.part"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|moved" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'g1': its save did not finish (stop was interrupted); it boots fresh: its save image was moved aside to /var/lib/xen/save/aside/$U1-STAMP.save
[INFO] xen: guest 'g2': restored (domid 3) from /var/lib/xen/save/$U2.save in N s
[INFO] xen: guest 'g1': booted (domid 4)"
  expect_absent "$ROOT/$SAVE/$U1.save.part"
}

t_dry_run_stop_says_it_would_save() {
  started
  xen --dry-run stop
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: stop: the running guests would be saved to /var/lib/xen/save (xen.onhostshutdown save), each shut down instead if it cannot be
[INFO] xen: guest 'g1': would be asked to shut down (domid 1; destroyed after 120 s)
[INFO] xen: guest 'g2': would be asked to shut down (domid 2; destroyed after 120 s)
[OK] xen: stop (dry run): 2 guests would be acted on; nothing changed"
}

t_restart_shuts_down_never_saves() {
  started
  xen --resources "$T/res" restart
  expect_rc 0
  grep -E "': saved to|shut down|booted" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': shut down in N s
[INFO] xen: guest 'g2': shut down in N s
[INFO] xen: guest 'g1': booted (domid 3)
[INFO] xen: guest 'g2': booted (domid 4)"
  expect_absent "$ROOT/$REC"
}

t_status_shows_a_saved_guest() {
  started
  xen stop
  xen status
  expect_rc 0
  grep "^  saved" "$T/out" | sed -E 's/ on [0-9-]+ [0-9:]+ UTC:/ on DATE:/' >"$T/s"
  expect_text "$T/s" "  saved     /var/lib/xen/save/$U1.save on DATE: start restores it if its config is unchanged
  saved     /var/lib/xen/save/$U2.save on DATE: start restores it if its config is unchanged"
}

t_savedir_changed_meanwhile_still_restores() {
  started
  xen stop
  guests 2 'xen.onhostshutdown=save' 'xen.parallel=1' 'xen.savedir=/srv/save'
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': restored (domid 3) from /var/lib/xen/save/$U1.save in N s
[INFO] xen: guest 'g2': restored (domid 4) from /var/lib/xen/save/$U2.save in N s"
  # The next stop saves to the new directory.
  xen stop
  expect_rc 0
  grep -c "saved to /srv/save/" "$T/err" >"$T/n"
  expect_text "$T/n" "2"
}

t_image_removed_by_hand_boots_fresh() {
  started
  xen stop
  rm "$ROOT/$SAVE/$U2.save"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "restored|booted|missing" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': restored (domid 3) from /var/lib/xen/save/$U1.save in N s
[WARNING] xen: guest 'g2': its save image /var/lib/xen/save/$U2.save is missing: it boots fresh
[INFO] xen: guest 'g2': booted (domid 4)"
  expect_absent "$ROOT/$REC/$U2"
}

t_run_restores_a_saved_guest_too() {
  started
  xen stop
  xen run
  expect_rc 0
  grep -E "restored|booted|run:" "$T/err" | masked /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': restored (domid 3) from /var/lib/xen/save/$U1.save in N s
[INFO] xen: guest 'g2': restored (domid 4) from /var/lib/xen/save/$U2.save in N s
[OK] xen: run: guests with boot set are running"
}
