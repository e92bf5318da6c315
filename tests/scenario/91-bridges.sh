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

t_a_broken_interfaces_file_takes_no_bridge_down() {
  ifupdown_host
  nres "$TWO"
  xen --resources "$T/res" configure
  printf 'auto lo\niface lo inet loopback\n' >"$ROOT/etc/network/interfaces"
  nres "xen.bridges=br1" xen.bridgestp_br1=yes
  xen --resources "$T/res" configure
  expect_rc 1
  head -n 1 "$T/err" | cut -c1-52 >"$T/e"
  expect_text "$T/e" "[ERROR] xen: bridges: br1 cannot be made: ifupdown's"
  expect_exists "$ROOT/$IFD/lcfg-xen-xenbr5"
  services >"$T/s"
  expect_text "$T/s" "ifup eth0.100
ifup xenbr5
ifup br1"
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

# ------------------------------------------------------ before every boot

t_a_missing_bridge_fails_only_its_guest_before_xl() {
  guests 3 xen.bridge_g1=xenbr7 xen.macsec_g3=00:16:3e:00:00:03 xen.bridgesec_g3=xenbr9
  xen --resources "$T/res" start
  expect_rc 1
  grep -v "': disk \|cfg created\|configure:" "$T/err" >"$T/e"
  expect_text "$T/e" "[INFO] xen: start: booting 3 guests at once
[ERROR] xen: guest 'g1': not booted: bridge xenbr7 of NIC eth0 (bridge_g1) does not exist
[ERROR] xen: guest 'g3': not booted: bridge xenbr9 of NIC eth1 (bridgesec_g3) does not exist
[INFO] xen: guest 'g2': booted (domid 1)
[FAIL] xen: start: 2 guests could not be booted"
  # xl never ran for them: no domain was made, nothing to destroy.
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g2 running"
  # The bridge appears: the guest boots.
  printf 'xenbr0\nxenbr1\nxenbr7\n' >"$ROOT/$SIM/bridges"
  xen boot g1
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: guest 'g1': booted (domid 2)"
}

t_a_list_nic_is_checked_too() {
  # eth0 (the seed's), then the list's n1 on xenbr7 and n2 (vif-route,
  # no bridge needed) with a site script on n3.
  site_template
  guests 1 xen.nics_g1="n1 n2 n3" xen.nbridge_g1_n1=xenbr7 xen.nscript_g1_n2=vif-route \
    xen.nip_g1_n2=192.0.2.7 xen.vifscripts=site xen.vifscripttemplate_site=vif-site.tmpl \
    xen.nscript_g1_n3=vif-site xen.nip_g1_n3=192.0.2.8
  xen --resources "$T/res" start
  expect_rc 1
  grep "not booted" "$T/err" >"$T/e"
  expect_text "$T/e" "[ERROR] xen: guest 'g1': not booted: bridge xenbr7 of NIC eth1 (nbridge_g1_n1) does not exist"
  sed -n '/^vif = \[/,/^\]/p' "$ROOT/etc/xen/g1.cfg" >"$T/v"
  expect_text "$T/v" 'vif = [
    "bridge=xenbr0, script=vif-bridge",
    "bridge=xenbr7, script=vif-bridge",
    "bridge=xenbr0, script=vif-route, ip=192.0.2.7",
    "bridge=xenbr0, script=vif-site, ip=192.0.2.8",
]'
  xl_parse "$ROOT/etc/xen/g1.cfg" >"$T/j"
  grep -q '"script": "vif-site"' "$T/j" || { fail "xl does not read script vif-site"; return 1; }
}

t_a_dry_run_says_a_guest_would_not_boot() {
  guests 2 xen.bridge_g1=xenbr7
  xen --resources "$T/res" configure
  for m in run "boot g1 g2"; do
    xen --dry-run $m
    expect_rc 1
    expect_text "$T/err" "[WARNING] xen: guest 'g1': would not be booted: bridge xenbr7 of NIC eth0 (bridge_g1) does not exist
[INFO] xen: guest 'g2': would be booted
[FAIL] xen: ${m%% *} (dry run): 1 guest would be acted on, 1 would fail; nothing changed"
  done
}

t_the_check_covers_each_way_to_boot() {
  guests 1 xen.bridge_g1=xenbr7
  xen --resources "$T/res" configure
  for m in "boot g1" "run" "--resources $T/res restart"; do
    xen $m
    grep "xenbr7" "$T/err" >"$T/e" || true
    expect_text "$T/e" "[ERROR] xen: guest 'g1': not booted: bridge xenbr7 of NIC eth0 (bridge_g1) does not exist"
  done
}

t_a_vif_route_nic_needs_no_bridge() {
  guests 1 xen.bridge_g1=xenbr7 xen.script_g1=vif-route
  xen --resources "$T/res" start
  expect_rc 0
}

t_an_open_vswitch_bridge_is_asked_for() {
  guests 1 xen.bridge_g1=ovsbr0 xen.script_g1=vif-openvswitch
  mkdir -p "$ROOT/$SIM"; printf 'xenbr0\novsbr0\n' >"$ROOT/$SIM/bridges"
  xen --resources "$T/res" start
  expect_rc 1
  grep ovsbr0 "$T/err" >"$T/e"
  expect_text "$T/e" "[ERROR] xen: guest 'g1': not booted: bridge ovsbr0 of NIC eth0 (bridge_g1) does not exist (ovs-vsctl br-exists)"
  printf 'xenbr0\novsbr0 ovs\n' >"$ROOT/$SIM/bridges"
  xen --resources "$T/res" start
  expect_rc 0
}

t_a_bridge_the_component_made_lets_its_guest_boot() {
  ifupdown_host
  guests 1 "$TWO" xen.bridge_g1=br1
  xen --resources "$T/res" start
  expect_rc 0
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running"
}

t_a_saved_guest_is_not_restored_without_its_bridge() {
  guests 1 xen.onhostshutdown=save xen.bridge_g1=xenbr1
  xen --resources "$T/res" start
  xen stop
  expect_rc 0
  mkdir -p "$ROOT/$SIM"; printf 'xenbr0\n' >"$ROOT/$SIM/bridges"
  xen --resources "$T/res" start
  expect_rc 1
  grep "g1" "$T/err" | grep -v "cfg\|disk" >"$T/e"
  # Its image is kept (a later start restores it); as when another host
  # holds its lease, start then tries a fresh boot, which fails the same way.
  expect_text "$T/e" "[ERROR] xen: guest 'g1': not booted: bridge xenbr1 of NIC eth0 (bridge_g1) does not exist
[WARNING] xen: guest 'g1': its save image /var/lib/xen/save/00000001-1111-4222-8333-444444444444.save is kept, not restored
[ERROR] xen: guest 'g1': not booted: bridge xenbr1 of NIC eth0 (bridge_g1) does not exist"
  expect_exists "$ROOT/var/lib/xen/save/00000001-1111-4222-8333-444444444444.save"
  printf 'xenbr0\nxenbr1\n' >"$ROOT/$SIM/bridges"
  xen --resources "$T/res" start
  expect_rc 0
  grep "g1" "$T/err" | grep -v "cfg\|disk" | sed 's/ in [0-9.]* s$//' >"$T/e"
  expect_text "$T/e" "[INFO] xen: guest 'g1': restored (domid 2) from /var/lib/xen/save/00000001-1111-4222-8333-444444444444.save
[INFO] xen: guest 'g1': running (domid 2)"
}

# ------------------------------------------------------------ vif scripts

# A site script's template.
site_template() {
  printf '#!/bin/sh\n# <%%script%%> (tag <%%tag%%>): the bridges are <%%bridges%%>\nexec /etc/xen/scripts/vif-bridge "$@"\n' \
    >"$ROOT/usr/lib/lcfg/conf/xen/vif-site.tmpl"
}

t_a_site_vif_script_is_deployed_and_usable() {
  ifupdown_host; site_template
  guests 1 "$TWO" xen.vifscripts=site xen.vifscripttemplate_site=vif-site.tmpl \
    xen.script_g1=vif-site
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  grep "vif script" "$T/err" >"$T/e"
  expect_text "$T/e" "[INFO] xen: vif script vif-site: /etc/xen/scripts/vif-site would be created"
  expect_absent "$ROOT/etc/xen/scripts/vif-site"
  xen --resources "$T/res" start
  expect_rc 0
  expect_text "$ROOT/etc/xen/scripts/vif-site" '#!/bin/sh
# Written by the LCFG xen component from this host'"'"'s profile (lcfg-xen(8)).
# vif-site (tag site): the bridges are xenbr5 br1
exec /etc/xen/scripts/vif-bridge "$@"'
  [ "$(stat -c %a "$ROOT/etc/xen/scripts/vif-site")" = 755 ] || { fail "not mode 755"; return 1; }
  grep vif "$ROOT/etc/xen/g1.cfg" >"$T/v"
  expect_text "$T/v" 'vif = [
    "bridge=xenbr0, script=vif-site",'
  xl_parse "$ROOT/etc/xen/g1.cfg" >"$T/j"
  grep -q '"script": "vif-site"' "$T/j" || { fail "xl does not read script vif-site"; cat "$T/j"; return 1; }
}

t_a_site_script_of_another_is_never_overwritten() {
  site_template
  mkdir -p "$ROOT/etc/xen/scripts"; printf '#!/bin/sh\necho mine\n' >"$ROOT/etc/xen/scripts/vif-site"
  nres xen.vifscripts=site xen.vifscripttemplate_site=vif-site.tmpl
  xen --resources "$T/res" configure
  expect_rc 1
  head -n 1 "$T/err" >"$T/e"
  expect_text "$T/e" "[ERROR] xen: vif script vif-site: /etc/xen/scripts/vif-site exists and is not the component's: not overwritten"
  expect_text "$ROOT/etc/xen/scripts/vif-site" '#!/bin/sh
echo mine'
}

t_the_allow_list_refuses_an_undeployed_script_from_a_template() {
  # A site template writing script= of its own: the allow-list refuses
  # what is neither Xen's nor deployed.
  sed 's/script=<%script%>/script=vif-evil/' "$ROOT/usr/lib/lcfg/conf/xen/xen-guest.cfg.tmpl" \
    >"$ROOT/usr/lib/lcfg/conf/xen/evil.tmpl"
  grep -q vif-evil "$ROOT/usr/lib/lcfg/conf/xen/evil.tmpl" || { fail "the guest template has no script=<%script%>"; return 1; }
  guests 1 xen.template_g1=evil.tmpl
  xen --resources "$T/res" configure
  expect_rc 1
  grep -o "script 'vif-evil' is not allowed" "$T/err" >"$T/e"
  expect_text "$T/e" "script 'vif-evil' is not allowed"
}

# ------------------------------------------------------------ hostile values

t_hostile_values_are_refused() {
  nres "xen.bridges=ok1 bad-name toolongbridgename1 ok1 ok2 ok3 ok4" \
    "xen.bridgeif_ok1=eth0&#xA;auto evil" xen.bridgevlan_ok2=4095 xen.bridgevlan_ok3=7 xen.bridgeif_ok4=ok1 \
    xen.bridgestp_ok2=maybe xen.bridgeif_nope=eth1 \
    "xen.vifscripts=bridge common.sh site x" xen.vifscripttemplate_site=../../etc/shadow \
    xen.netconfig=shell "xen.ifup=/sbin/ifup;reboot"
  printf '%s\n' xen.virtualmachines=g1 xen.uuid_g1=00000001-1111-4222-8333-444444444444 \
    xen.memory_g1=128 xen.disk_g1=1 xen.script_g1=/bin/sh xen.scriptsec_g1=vif-x xen.macsec_g1=00:16:3e:00:00:01 >>"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  expect_golden "$T/err" "$BD/hostile.err"
}

# ------------------------------------------------------- the host's tools

# Not simulated: the stand-ins of tests/tools/fake-host under the root,
# which make the bridges in $ROOT/sys/class/net as the kernel shows them.
t_the_host_tools_run_and_the_bridges_are_looked_for_in_sysfs() {
  ifupdown_host
  mkdir -p "$ROOT/var/fake-host"
  for p in sbin/ifup sbin/ifdown; do mkdir -p "$ROOT/$(dirname $p)"; cp "$TOP/tests/tools/fake-host" "$ROOT/$p"; done
  nres "$TWO"
  LCFGXEN_HYPERVISOR= xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$ROOT/var/fake-host/log" "ifup eth0.100
ifup xenbr5
ifup br1"
  expect_exists "$ROOT/sys/class/net/br1/bridge"
  # Made by hand since, and a guest's vif on it: br1 stays.
  mkdir -p "$ROOT/sys/class/net/br1/brif/vif3.0"
  nres "xen.bridges=xenbr5" xen.bridgeif_xenbr5=eth0 xen.bridgevlan_xenbr5=100
  LCFGXEN_HYPERVISOR= xen --resources "$T/res" configure
  expect_rc 0
  grep bridges: "$T/err" >"$T/e"
  expect_text "$T/e" "[WARNING] xen: bridges: br1 left xen.bridges, but a running guest's interface is on it: it is left up
[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-br1 removed"
  # A failing ifup is said, with what it printed.
  rm -rf "$ROOT/sys/class/net/xenbr5"
  echo "ifup: failed" >"$ROOT/var/fake-host/fail-ifup"
  LCFGXEN_HYPERVISOR= xen --resources "$T/res" configure
  expect_rc 1
  grep bridges: "$T/err" >"$T/e"
  expect_text "$T/e" "[ERROR] xen: bridges: ifup eth0.100 failed: exited 1: ifup: failed
[ERROR] xen: bridges: ifup xenbr5 failed: exited 1: ifup: failed
[ERROR] xen: bridges: xenbr5 is still missing after ifup"
}

# ------------------------------------------------------ the schema's lists

# defgen: a tag list other than virtualmachines (the guests') is the host's
# own: its templates are schema_hlist's, each with its list.
t_defgen_reads_the_hosts_own_lists() {
  cat >"$T/x.def" <<'DEF'
schema 3
@nets netif_$ netstp_$
nets
netif_$ eth0
@netstp_$ %boolean
netstp_$
@virtualmachines mem_$
virtualmachines
mem_$ 64
DEF
  awk -v out_c="$T/gen.c" -v out_h="$T/gen.h" -f "$TOP/scripts/defgen.awk" "$T/x.def" 2>"$T/err"
  { grep -E '^#define SCHEMA_LIST|^ *HL_|^extern.*HL_' "$T/gen.h"; grep -E '^    (\{ "|HF_)' "$T/gen.c"; } >"$T/table"
  expect_text "$T/table" '#define SCHEMA_LIST "virtualmachines"
    HL_netif,
    HL_netstp,
    HL_COUNT
extern const struct res_def schema_hlist[HL_COUNT];
extern const int schema_hlist_list[HL_COUNT];
    { "nets", "", RT_LIST, "list: netif_$ netstp_$" },
    { "virtualmachines", "", RT_LIST, "list: mem_$" },
    { "netif", "eth0", RT_STRING, "" },
    { "netstp", "", RT_BOOLEAN, "boolean" },
    HF_nets,
    HF_nets,
    { "mem", "64", RT_STRING, "" },'
}
