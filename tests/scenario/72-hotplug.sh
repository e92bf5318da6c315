# 72-hotplug.sh: a disk or NIC added to a running guest's configuration is
# plugged in live (xl block-attach, xl network-attach); one removed or
# changed needs a restart. Judged each time from the devices the running
# domain has (the simulator keeps them in the config it keeps per domain,
# $SIM/config/UUID, to which an attach appends: src/hv_sim_devices.c).

U1=00000001-1111-4222-8333-444444444444
U2=00000002-1111-4222-8333-444444444444

# The "disk +=" and "vif +=" lines the simulator added to a domain's kept
# config (what was attached to it), and its domid.
attached() { grep -h '+= ' "$ROOT/$SIM/config/$1" || true; }
domid_of() { awk -v n="$1" '$2 == n { print $1 }' "$ROOT/$SIM/domains"; }

# The seed's second disk and NIC, added to g1 once it runs.
add_second() {
  cp "$T/res" "$T/res2"
  printf '%s\n' xen.disksec_g1=2 xen.macsec_g1=00:16:3e:00:00:02 "$@" >>"$T/res2"
}

t_added_disk_and_nic_are_attached_live_without_restart() {
  guests 1
  xen --resources "$T/res" start
  expect_rc 0
  id=$(domid_of g1)
  add_second
  # Dry run: said, nothing plugged.
  xen --resources "$T/res2" --dry-run configure
  expect_rc 0
  grep "live" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': disk xvdb (/var/lib/xen/images/g1-2.img) would be attached live
[INFO] xen: guest 'g1': NIC 1 (00:16:3e:00:00:02 on xenbr1) would be attached live"
  attached $U1 >"$T/a"
  expect_text "$T/a" ""
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': disk xvdb (/var/lib/xen/images/g1-2.img) attached live
[INFO] xen: guest 'g1': NIC 1 (00:16:3e:00:00:02 on xenbr1) attached live"
  attached $U1 >"$T/a"
  expect_text "$T/a" 'disk += [ "format=raw, vdev=xvdb, access=rw, target=/var/lib/xen/images/g1-2.img" ]
vif += [ "mac=00:16:3e:00:00:02, bridge=xenbr1, script=vif-bridge" ]'
  # The config file was rewritten with them; the domain was not restarted.
  grep -c -e 'vdev=xvdb' -e 'mac=00:16:3e:00:00:02' "$ROOT/etc/xen/g1.cfg" >"$T/c"
  expect_text "$T/c" "2"
  [ "$(domid_of g1)" = "$id" ] || { fail "g1 was restarted"; return 1; }
  # Nothing more to do, nothing pending.
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m" || true
  expect_text "$T/m" ""
  xen status
  grep "pending" "$T/out" >"$T/p" || true
  expect_text "$T/p" ""
}

t_status_and_run_show_devices_pending_attach() {
  guests 1
  xen --resources "$T/res" start
  expect_rc 0
  add_second
  # The profile is saved, but the domain was not given its devices (as
  # when an attach failed): status says what configure would do.
  echo "g1 fail_attach=1" >"$ROOT/$SIM/control"
  xen --resources "$T/res2" configure
  expect_rc 1
  xen status
  grep "pending" "$T/out" >"$T/p"
  expect_text "$T/p" "  pending   disk xvdb (/var/lib/xen/images/g1-2.img): added: configure attaches it live
  pending   NIC 1 (00:16:3e:00:00:02 on xenbr1): added: configure attaches it live"
  xen status --json
  jq -c '[.guests[] | .pending]' "$T/out" >"$T/j"
  expect_text "$T/j" '[["disk xvdb (/var/lib/xen/images/g1-2.img): added: configure attaches it live","NIC 1 (00:16:3e:00:00:02 on xenbr1): added: configure attaches it live"]]'
  xen run
  grep "drift" "$T/err" >"$T/d"
  expect_text "$T/d" "[WARNING] xen: guest 'g1': drift: disk xvdb (/var/lib/xen/images/g1-2.img): added: configure attaches it live
[WARNING] xen: guest 'g1': drift: NIC 1 (00:16:3e:00:00:02 on xenbr1): added: configure attaches it live"
}

t_removed_or_changed_devices_need_restart() {
  guests 1 xen.disksec_g1=2 xen.macsec_g1=00:16:3e:00:00:02
  xen --resources "$T/res" start
  expect_rc 0
  id=$(domid_of g1)
  # The second NIC removed, the second disk another image.
  grep -v macsec "$T/res" >"$T/res2"
  echo xen.disknamesec_g1=other >>"$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[WARNING] xen: guest 'g1': disk xvdb (/var/lib/xen/images/other.img): the running domain has /var/lib/xen/images/g1-2.img there: needs restart
[WARNING] xen: guest 'g1': NIC 1 (00:16:3e:00:00:02 on xenbr1): removed from the config: needs restart (the running domain has it until then)"
  [ "$(domid_of g1)" = "$id" ] || { fail "g1 was restarted"; return 1; }
  xen status
  grep "pending" "$T/out" >"$T/p"
  expect_text "$T/p" "  pending   disk xvdb (/var/lib/xen/images/other.img): the running domain has /var/lib/xen/images/g1-2.img there: needs restart
  pending   NIC 1 (00:16:3e:00:00:02 on xenbr1): removed from the config: needs restart (the running domain has it until then)"
  # restart_g1: the existing rule restarts it, with its new devices.
  echo xen.restart_g1=yes >>"$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  grep "restart" "$T/err" | tail -n 1 >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': restarting to apply this (restart_g1)"
  [ "$(domid_of g1)" != "$id" ] || { fail "g1 was not restarted"; return 1; }
  xen status
  grep "pending" "$T/out" >"$T/p" || true
  expect_text "$T/p" ""
}

t_same_disk_under_another_path_is_the_same_disk() {
  guests 1 xen.disksec_g1=2
  xen --resources "$T/res" start
  expect_rc 0
  # The image directory reached through a symbolic link: the same file.
  ln -s images "$ROOT/var/lib/xen/imglink"
  grep -v '^xen.disksec_g1=' "$T/res" >"$T/res2"
  printf '%s\n' xen.disksec_g1=2 xen.diskpathsec_g1=/var/lib/xen/imglink >>"$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m" || true
  expect_text "$T/m" ""
}

t_failed_attach_fails_that_guest_and_the_others_go_on() {
  guests 2
  xen --resources "$T/res" start
  expect_rc 0
  printf '%s\n' xen.disksec_g1=2 xen.disksec_g2=2 >>"$T/res"
  echo "g1 fail_attach=1" >"$ROOT/$SIM/control"
  xen --resources "$T/res" configure
  expect_rc 1
  grep -E "attach|FAIL" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'g1': cannot attach disk xvdb (/var/lib/xen/images/g1-2.img) live: xl block-attach $(domid_of g1) 'format=raw, vdev=xvdb, access=rw, target=/var/lib/xen/images/g1-2.img': simulated failure for g1
[INFO] xen: guest 'g2': disk xvdb (/var/lib/xen/images/g2-2.img) attached live
[FAIL] xen: configure: 2 guests: 0 created, 2 updated, 0 unchanged, 0 retired; disks: 2 created, 2 present, 0 of another size, 0 refused; 1 hypervisor action failed; saved resources updated"
  # The next run tries again, from what the domain has.
  : >"$ROOT/$SIM/control"
  xen --resources "$T/res" configure
  expect_rc 0
  grep "attach" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': disk xvdb (/var/lib/xen/images/g1-2.img) attached live"
}

# Killed while the NIC's attach hangs (the disk's done): the next run
# plugs in the NIC only; a disk an admin detached by hand is attached
# again. Neither is taken from a record.
t_killed_run_then_rerun_and_a_foreign_detach() {
  guests 1 xen.xltimeout=30
  xen --resources "$T/res" start
  expect_rc 0
  add_second xen.xltimeout=30
  echo "g1 hang=attach_nic" >"$ROOT/$SIM/control"
  "$XEN" --root "$ROOT" --resources "$T/res2" configure >"$T/bg.out" 2>&1 &
  pid=$!
  i=0
  until grep -q "disk += " "$ROOT/$SIM/config/$U1" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 200 ] || { fail "the disk was never attached"; kill -9 $pid; return 1; }
    sleep 0.05
  done
  sleep 0.2
  kill -9 $pid
  { wait $pid; } 2>/dev/null || true
  : >"$ROOT/$SIM/control"
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': NIC 1 (00:16:3e:00:00:02 on xenbr1) attached live"
  # xl block-detach by hand: the simulated domain loses the disk.
  sed -i '/^disk += /d' "$ROOT/$SIM/config/$U1"
  xen status
  grep "pending" "$T/out" >"$T/p"
  expect_text "$T/p" "  pending   disk xvdb (/var/lib/xen/images/g1-2.img): added: configure attaches it live"
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': disk xvdb (/var/lib/xen/images/g1-2.img) attached live"
}

# xen.onhostshutdown save: a guest whose domain has a device its config no
# longer has is not saved (its image would bring the device back): it is
# shut down, and boots its config at start.
t_stop_does_not_save_a_guest_whose_devices_need_restart() {
  guests 2 xen.onhostshutdown=save xen.parallel=1 xen.macsec_g1=00:16:3e:00:00:02
  xen --resources "$T/res" start
  expect_rc 0
  grep -v macsec "$T/res" >"$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  xen stop
  expect_rc 0
  sed -E 's/\([0-9.]+ MB in [0-9.]+ s\)/(N MB in N s)/; s/in [0-9.]+ s$/in N s/' "$T/err" >"$T/m"
  expect_text "$T/m" "[WARNING] xen: guest 'g1': not saved (its running domain lacks a change of its config (NIC 1 (00:16:3e:00:00:02 on xenbr1): removed from the config: needs restart (the running domain has it until then))): shutting it down instead
[INFO] xen: guest 'g2': saved to /var/lib/xen/save/$U2.save (N MB in N s)
[INFO] xen: guest 'g1': shut down in N s
[OK] xen: stop: 2 guests stopped"
}

# The guest's lists (disks_<tag>, nics_<tag>): an item added is attached
# with the spec its config has (its vdev, access, the NIC's options); one
# removed needs a restart.
t_list_items_are_attached_and_removed_ones_need_restart() {
  guests 1 xen.disks_g1=a xen.dsize_g1_a=1 xen.nics_g1=a xen.nmac_g1_a=00:16:3e:00:00:0a
  xen --resources "$T/res" start
  expect_rc 0
  id=$(domid_of g1)
  # (A list comes before its items' resources.)
  sed 's/^xen.disks_g1=a$/xen.disks_g1=a b/; s/^xen.nics_g1=a$/xen.nics_g1=a b/' "$T/res" >"$T/res2"
  printf '%s\n' xen.dsize_g1_b=1 xen.daccess_g1_b=ro \
    xen.nmac_g1_b=00:16:3e:00:00:0b xen.nbridge_g1_b=xenbr2 xen.nmtu_g1_b=9000 >>"$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': disk xvde (/var/lib/xen/images/g1-b.img) attached live
[INFO] xen: guest 'g1': NIC 2 (00:16:3e:00:00:0b on xenbr2) attached live"
  attached $U1 >"$T/a"
  expect_text "$T/a" 'disk += [ "format=raw, vdev=xvde, access=ro, target=/var/lib/xen/images/g1-b.img" ]
vif += [ "mac=00:16:3e:00:00:0b, bridge=xenbr2, script=vif-bridge, mtu=9000" ]'
  [ "$(domid_of g1)" = "$id" ] || { fail "g1 was restarted"; return 1; }
  # Item a removed from both lists.
  sed 's/^xen.disks_g1=a b$/xen.disks_g1=b/; s/^xen.nics_g1=a b$/xen.nics_g1=b/; /_g1_a=/d' "$T/res2" >"$T/res3"
  xen --resources "$T/res3" configure
  expect_rc 0
  grep -E "live|restart" "$T/err" >"$T/m"
  expect_text "$T/m" "[WARNING] xen: guest 'g1': disk xvdd (/var/lib/xen/images/g1-b.img): the running domain has /var/lib/xen/images/g1-a.img there: needs restart
[WARNING] xen: guest 'g1': disk xvde (/var/lib/xen/images/g1-b.img): removed from the config: needs restart (the running domain has it until then)
[WARNING] xen: guest 'g1': NIC 1 (00:16:3e:00:00:0a on xenbr0): removed from the config: needs restart (the running domain has it until then)"
}
