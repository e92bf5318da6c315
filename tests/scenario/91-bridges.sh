# 91-bridges: the host's bridges (xen.bridges) made as ifupdown drop-ins or
# systemd-networkd files, brought up with their own tools (simulated: the
# commands are recorded in $SIM/services, the bridges are $SIM/bridges; or
# the stand-ins of tests/tools/fake-host, which change $ROOT/sys/class/net);
# the check before every boot that a guest's bridges exist; site vif
# scripts deployed from templates.

BD=$DATA/bridges
IFD=etc/network/interfaces.d
ND=etc/systemd/network
OKCONF="[OK] xen: configure: 0 guests: 0 created, 0 updated, 0 unchanged, 0 retired; disks: 0 created, 0 present, 0 of another size, 0 refused;"

# The root's network: Debian's ifupdown, reading the drop-ins.
ifupdown_host() {
  mkdir -p "$ROOT/$IFD"
  printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' >"$ROOT/etc/network/interfaces"
}
# systemd-networkd, enabled.
networkd_host() {
  mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants" "$ROOT/$ND"
  ln -s /lib/systemd/system/systemd-networkd.service \
    "$ROOT/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
}

# Host resources (no guests) with these lines.
nres() {
  { echo xen.ng_schema=1; for l in "$@"; do printf '%s\n' "$l"; done; } >"$T/res"
}

# The two bridges of the examples: xenbr5 on VLAN 100 of eth0, br1 alone
# with spanning tree.
TWO="xen.bridges=xenbr5 br1
xen.bridgeif_xenbr5=eth0
xen.bridgevlan_xenbr5=100
xen.bridgestp_br1=yes"

services() { if [ -f "$ROOT/$SIM/services" ]; then cat "$ROOT/$SIM/services"; fi; }
bridges() { cat "$ROOT/$SIM/bridges"; }

t_ifupdown_dry_run_shows_the_drop_ins() {
  ifupdown_host
  nres "$TWO"
  snapshot >"$T/before"
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  expect_golden "$T/out" "$BD/ifupdown-dry-run.diff"
  expect_text "$T/err" "[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-xenbr5 would be created
[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-br1 would be created
[INFO] xen: bridges: would run ifup eth0.100 (new in xen.bridges)
[INFO] xen: bridges: would run ifup xenbr5 (new in xen.bridges)
[INFO] xen: bridges: would run ifup br1 (new in xen.bridges)
[OK] xen: configure (dry run): 0 guests: 0 created, 0 updated, 0 unchanged, 0 retired; disks: 0 created, 0 present, 0 of another size, 0 refused; saved resources would be created; nothing changed"
  snapshot >"$T/after"
  expect_text "$T/after" "$(cat "$T/before")"
}

t_ifupdown_configure_makes_the_bridges_once() {
  ifupdown_host
  nres "$TWO"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_golden "$ROOT/$IFD/lcfg-xen-xenbr5" "$BD/lcfg-xen-xenbr5"
  expect_golden "$ROOT/$IFD/lcfg-xen-br1" "$BD/lcfg-xen-br1"
  [ "$(stat -c %a "$ROOT/$IFD/lcfg-xen-br1")" = 644 ] || { fail "mode is not 644"; return 1; }
  services >"$T/s"
  expect_text "$T/s" "ifup eth0.100
ifup xenbr5
ifup br1"
  bridges >"$T/b"
  expect_text "$T/b" "xenbr0
xenbr1
eth0.100
xenbr5
br1"
  # Nothing changed: nothing runs, nothing is said.
  xen --resources "$T/res" configure
  expect_text "$T/err" "$OKCONF saved resources unchanged"
  services >"$T/s"
  expect_text "$T/s" "ifup eth0.100
ifup xenbr5
ifup br1"
}

t_ifupdown_brings_up_a_bridge_gone_missing() {
  ifupdown_host
  nres "$TWO"
  xen --resources "$T/res" configure
  printf 'xenbr0\nxenbr1\n' >"$ROOT/$SIM/bridges"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: bridges: ran ifup eth0.100 (it is missing)
[INFO] xen: bridges: ran ifup xenbr5 (it is missing)
[INFO] xen: bridges: ran ifup br1 (it is missing)
$OKCONF saved resources unchanged"
}

t_ifupdown_without_the_source_line_is_said() {
  ifupdown_host
  printf 'auto lo\niface lo inet loopback\n' >"$ROOT/etc/network/interfaces"
  nres "$TWO"
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: bridges: xenbr5 br1 cannot be made: ifupdown's /etc/network/interfaces does not read /etc/network/interfaces.d (it needs the line \"source /etc/network/interfaces.d/*\", which is Debian's default)
[FAIL] xen: configure: 0 guests: 0 created, 0 updated, 0 unchanged, 0 retired; disks: 0 created, 0 present, 0 of another size, 0 refused; 1 host set-up step failed, so the saved resources are left as they were"
  expect_absent "$ROOT/$IFD/lcfg-xen-br1"
  expect_absent "$ROOT/$SIM/services"
}

t_no_network_system_is_said() {
  nres "$TWO"
  xen --resources "$T/res" configure
  expect_rc 1
  head -n 1 "$T/err" >"$T/e"
  expect_text "$T/e" "[ERROR] xen: bridges: xenbr5 br1 cannot be made: cannot tell how this host configures its network: systemd-networkd is not enabled and there is no /etc/network/interfaces (set xen.netconfig)"
}

t_netconfig_none_makes_nothing() {
  ifupdown_host
  nres "$TWO" xen.netconfig=none
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: bridges: xen.netconfig is none: the component makes no bridge (each guest's are checked before it boots)
$OKCONF saved resources created"
  expect_absent "$ROOT/$IFD/lcfg-xen-br1"
}

t_networkd_files_and_reload() {
  networkd_host
  mkdir -p "$ROOT/etc/network"; : >"$ROOT/etc/network/interfaces"
  nres "$TWO" "xen.bridges=xenbr5 br1 br2" xen.bridgeif_br2=eth0
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  expect_golden "$T/out" "$BD/networkd-dry-run.diff"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-xenbr5.netdev created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-xenbr5.network created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-vlan-eth0.100.netdev created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-vlan-eth0.100.network created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-br1.netdev created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-br1.network created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-br2.netdev created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-br2.network created
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-if-eth0.network created
[INFO] xen: bridges: ran networkctl reload (the bridges' files changed)
$OKCONF saved resources created"
  services >"$T/s"
  expect_text "$T/s" "networkctl reload"
  # br1 leaves; its files go, it is deleted; nothing else runs.
  nres "xen.bridges=xenbr5 br2" xen.bridgeif_xenbr5=eth0 xen.bridgevlan_xenbr5=100 xen.bridgeif_br2=eth0
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-br1.netdev removed
[INFO] xen: bridges: /etc/systemd/network/50-lcfg-xen-br-br1.network removed
[INFO] xen: bridges: ran networkctl reload (the bridges' files changed)
[INFO] xen: bridges: ran networkctl delete br1 (it left xen.bridges)
$OKCONF saved resources updated"
  bridges | LC_ALL=C sort >"$T/b"
  expect_text "$T/b" "br2
xenbr0
xenbr1
xenbr5"
}

t_a_removed_bridge_goes_down_unless_a_guest_runs_on_it() {
  ifupdown_host
  # g1 runs on xenbr5; g2 (on br1) is not running.
  guests 2 "$TWO" xen.bridge_g1=xenbr5 xen.bridge_g2=br1 xen.boot_g2=
  xen --resources "$T/res" start
  expect_rc 0
  # Both leave xen.bridges (g1 still names xenbr5: a bridge made by hand).
  guests 2 xen.bridge_g1=xenbr5 xen.bridge_g2=xenbr0 xen.boot_g2=
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  grep bridges: "$T/err" >"$T/e"
  expect_text "$T/e" "[INFO] xen: bridges: would run ifdown br1 (it left xen.bridges)
[WARNING] xen: bridges: xenbr5 left xen.bridges, but running guest 'g1' uses it: it is left up
[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-br1 would be removed
[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-xenbr5 would be removed"
  xen --resources "$T/res" configure
  expect_rc 0
  grep bridges: "$T/err" >"$T/e"
  expect_text "$T/e" "[INFO] xen: bridges: ran ifdown br1 (it left xen.bridges)
[WARNING] xen: bridges: xenbr5 left xen.bridges, but running guest 'g1' uses it: it is left up
[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-br1 removed
[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-xenbr5 removed"
  expect_absent "$ROOT/$IFD/lcfg-xen-br1"
  expect_absent "$ROOT/$IFD/lcfg-xen-xenbr5"
  bridges >"$T/b"
  expect_text "$T/b" "xenbr0
xenbr1
eth0.100
xenbr5"
  # Said once: the files are gone.
  xen --resources "$T/res" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged"
}

t_a_changed_bridge_in_use_waits() {
  ifupdown_host
  guests 1 "$TWO" xen.bridge_g1=br1
  xen --resources "$T/res" start
  guests 1 "$TWO" xen.bridge_g1=br1 xen.bridgestp_br1=
  xen --resources "$T/res" configure
  expect_rc 0
  grep bridges: "$T/err" >"$T/e"
  expect_text "$T/e" "[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-br1 updated
[WARNING] xen: bridges: br1 changed, but running guest 'g1' uses it: it is left up"
  # Down, the guest no longer holds it: down and up with the new stanza.
  xen --resources "$T/res" stop
  echo 'xen.bridgestp_br1=yes' >>"$T/res"
  xen --resources "$T/res" configure
  grep bridges: "$T/err" >"$T/e"
  expect_text "$T/e" "[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-br1 updated
[INFO] xen: bridges: ran ifdown br1 (its drop-in changed)
[INFO] xen: bridges: ran ifup br1 (its drop-in changed)"
}
