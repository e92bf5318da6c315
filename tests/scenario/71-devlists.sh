# 71-devlists: disks and NICs as per-guest nested tag lists (disks_<tag>,
# nics_<tag>; issue 17): every option rendered (golden files, read back by
# the real xl parser), hostile values refused with exact messages, a guest
# with 8 disks and 8 NICs, and a sequence of edits that never makes a disk
# blank or loses one. Golden data: tests/data/devlists.

DL=$DATA/devlists
IMG=var/lib/xen/images

# The guest web1 with its seed disk and eth0, plus extra resource lines.
res() {
  { printf '%s\n' 'xen.virtualmachines=web1' 'xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a' \
      'xen.memory_web1=512' 'xen.disk_web1=1' 'xen.mac_web1=00:16:3e:00:00:01'
    for l in "$@"; do printf '%s\n' "$l"; done; } >"$T/res"
}

# Every disk and NIC option at once (image disks only: physical and lvm
# need devices; their render is checked through the model's unit tests).
all_options() {
  res 'xen.type_web1=hvm' 'xen.disks_web1=data logs ro' \
      'xen.dsize_web1_data=2' \
      'xen.dsize_web1_logs=1' 'xen.dname_web1_logs=weblogs' 'xen.dpath_web1_logs=/var/lib/xen/images/' \
      'xen.dsize_web1_ro=1' 'xen.daccess_web1_ro=ro' 'xen.dvdev_web1_ro=xvdz' \
      'xen.nics_web1=back rt nat ovs' \
      'xen.nmac_web1_back=00:16:3e:00:00:02' 'xen.nbridge_web1_back=xenbr1' 'xen.nmodel_web1_back=e1000' \
      'xen.nrate_web1_back=100Mb/s@20ms' 'xen.nvifname_web1_back=web1b' 'xen.nmtu_web1_back=9000' \
      'xen.nscript_web1_rt=vif-route' 'xen.nip_web1_rt=10.0.0.5 10.0.0.6' 'xen.nrate_web1_rt=10MB/s' \
      'xen.nscript_web1_nat=vif-nat' 'xen.nip_web1_nat=192.168.7.2' \
      'xen.nscript_web1_ovs=vif-openvswitch' 'xen.nbridge_web1_ovs=ovs0' 'xen.nvlan_web1_ovs=20' "$@"
}

# xl reads CFG (when installed) as the component meant it.
xl_reads() {
  command -v xl_parse >/dev/null || return 0
  [ -x /usr/lib/xen-4.17/bin/xl ] || return 0
  xl_parse "$1" >"$T/xl.json" 2>"$T/xlerr" || { fail "xl rejects $1:"; cat "$T/xlerr"; return 1; }
}

t_every_option_renders() {
  all_options
  xen --resources "$T/res" configure
  expect_rc 0
  expect_golden "$ROOT/etc/xen/web1.cfg" "$DL/all-options.cfg"
  xl_reads "$ROOT/etc/xen/web1.cfg"
  [ -x /usr/lib/xen-4.17/bin/xl ] || return 0
  # What xl builds: each disk's vdev and access, each vif's options.
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for k in d["disks"]:
    print("disk", k["vdev"], k.get("format"), k.get("readwrite", 0), k["pdev_path"])
for n in d["nics"]:
    print("nic", n["devid"], " ".join("%s=%s" % (x, n[x]) for x in sorted(n) if x != "devid"))
' "$T/xl.json" >"$T/xl"
  expect_text "$T/xl" "disk xvda raw 1 /var/lib/xen/images/web1.img
disk xvdd raw 1 /var/lib/xen/images/web1-data.img
disk xvde raw 1 /var/lib/xen/images/weblogs.img
disk xvdz raw 0 /var/lib/xen/images/web1-ro.img
nic 0 bridge=xenbr0 mac=00:16:3e:00:00:01 script=vif-bridge
nic 1 bridge=xenbr1 ifname=web1b mac=00:16:3e:00:00:02 model=e1000 mtu=9000 rate_bytes_per_interval=250000 rate_interval_usecs=20000 script=vif-bridge
nic 2 bridge=xenbr0 ip=10.0.0.5 10.0.0.6 rate_bytes_per_interval=500000 rate_interval_usecs=50000 script=vif-route
nic 3 bridge=xenbr0 ip=192.168.7.2 script=vif-nat
nic 4 bridge=ovs0.20 script=vif-openvswitch"
}

t_status_lists_every_device() {
  all_options
  xen --resources "$T/res" configure
  expect_rc 0
  xen status
  expect_rc 0
  grep -E '^  (disk|eth)' "$T/out" >"$T/s"
  expect_text "$T/s" "  disk      /var/lib/xen/images/web1.img raw image 1 GB
  disk      /var/lib/xen/images/web1-data.img raw image 2 GB (data: xvdd)
  disk      /var/lib/xen/images/weblogs.img raw image 1 GB (logs: xvde)
  disk      /var/lib/xen/images/web1-ro.img raw image 1 GB (ro: xvdz, read-only)
  eth0      00:16:3e:00:00:01 on xenbr0 (vif-bridge)
  eth1      00:16:3e:00:00:02 on xenbr1 (vif-bridge, rate 100Mb/s@20ms, model e1000, vifname web1b, mtu 9000)
  eth2      (MAC chosen by xl) on xenbr0 (vif-route, ip 10.0.0.5 10.0.0.6, rate 10MB/s)
  eth3      (MAC chosen by xl) on xenbr0 (vif-nat, ip 192.168.7.2)
  eth4      (MAC chosen by xl) on ovs0 VLAN 20 (vif-openvswitch)"
}

# The saved status carries the items' resources; the next run reads them
# back as the previous configuration (nothing to change).
t_status_round_trips() {
  all_options
  xen --resources "$T/res" configure
  expect_rc 0
  grep -E '^xen\.(disks|nics|dsize|nvlan|nip)_web1' "$ROOT/run/lcfg/status/xen" >"$T/saved"
  expect_text "$T/saved" "xen.disks_web1=data logs ro
xen.nics_web1=back rt nat ovs
xen.dsize_web1_data=2
xen.dsize_web1_logs=1
xen.dsize_web1_ro=1
xen.nip_web1_back=
xen.nvlan_web1_back=
xen.nip_web1_rt=10.0.0.5 10.0.0.6
xen.nvlan_web1_rt=
xen.nip_web1_nat=192.168.7.2
xen.nvlan_web1_nat=
xen.nip_web1_ovs=
xen.nvlan_web1_ovs=20"
  cp "$ROOT/run/lcfg/status/xen" "$T/first"
  xen --resources "$ROOT/run/lcfg/status/xen" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure: 1 guest: 0 created, 0 updated, 1 unchanged, 0 retired; saved resources unchanged"
  cmp -s "$T/first" "$ROOT/run/lcfg/status/xen" || { fail "the status changed on a round trip"; return 1; }
}

t_xm_renders_the_lists() {
  all_options 'xen.format=xm' 'xen.autostart=xendomains' 'xen.nmtu_web1_back=' 'xen.nvlan_web1_ovs=' \
              'xen.nbridge_web1_ovs=xenbr2'
  xen --resources "$T/res" configure
  expect_rc 0
  expect_golden "$ROOT/etc/xen/web1.cfg" "$DL/all-options-xm.cfg"
}

# The disk types that need a device or a program: a physical disk (a
# device node), an lvm volume (tests/tools/fake-lvm) and a qcow2 image
# (qemu-img), in both formats.
t_physical_lvm_and_qcow2_render() {
  [ "$(id -u)" = 0 ] || skip "creating a block device node needs root"
  [ -x /usr/bin/qemu-img ] || skip "qemu-img is not installed (apt-get install qemu-utils)"
  mkdir -p "$ROOT/dev" "$ROOT/usr/bin" "$ROOT/sbin" "$ROOT/var/fake-lvm/vg0"
  mknod "$ROOT/dev/sdb" b 8 16 || skip "cannot create a device node here"
  ln -s /usr/bin/qemu-img "$ROOT/usr/bin/qemu-img"
  cp "$TOP/tests/tools/fake-lvm" "$ROOT/sbin/lvs"; cp "$TOP/tests/tools/fake-lvm" "$ROOT/sbin/lvcreate"
  set -- 'xen.disks_web1=raw dev vol q' 'xen.dsize_web1_raw=1' \
      'xen.dtype_web1_dev=physical' 'xen.ddev_web1_dev=/dev/sdb' 'xen.daccess_web1_dev=ro' \
      'xen.dtype_web1_vol=lvm' 'xen.dvg_web1_vol=vg0' 'xen.dsize_web1_vol=2' 'xen.dname_web1_vol=webvol' \
      'xen.dformat_web1_q=qcow2' 'xen.dsize_web1_q=1'
  res "$@"
  xen --resources "$T/res" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[INFO] xen: guest 'web1': disk /var/lib/xen/images/web1.img: created (1 GB raw image, sparse)
[INFO] xen: guest 'web1': disk /var/lib/xen/images/web1-raw.img: created (1 GB raw image, sparse)
[INFO] xen: guest 'web1': disk /dev/sdb: exists (block device; never written by the component)
[INFO] xen: guest 'web1': disk /dev/vg0/webvol: created (2 GB LVM volume, new volume)
[INFO] xen: guest 'web1': disk /var/lib/xen/images/web1-q.img: created (1 GB qcow2 image, sparse)"
  expect_golden "$ROOT/etc/xen/web1.cfg" "$DL/types.cfg"
  xl_reads "$ROOT/etc/xen/web1.cfg"
  res "$@" 'xen.format=xm' 'xen.autostart=xendomains'
  xen --resources "$T/res" configure
  expect_rc 0
  expect_golden "$ROOT/etc/xen/web1.cfg" "$DL/types-xm.cfg"
}

# eth0 is left out when bridge_<tag> is none: the list gives every NIC.
t_eth0_left_out_with_bridge_none() {
  res 'xen.mac_web1=' 'xen.bridge_web1=none' 'xen.nics_web1=a' 'xen.nmac_web1_a=00:16:3e:00:00:0a' \
      'xen.nrate_web1_a=1MB/s'
  xen --resources "$T/res" configure
  expect_rc 0
  sed -n '/^vif/,/^]/p' "$ROOT/etc/xen/web1.cfg" >"$T/vif"
  expect_text "$T/vif" 'vif = [
    "mac=00:16:3e:00:00:0a, bridge=xenbr0, script=vif-bridge, rate=1MB/s",
]'
  xl_reads "$ROOT/etc/xen/web1.cfg"
}

# 8 disks and 8 NICs (the seed's and 7 items each): all created, all
# rendered, xl reads them.
t_eight_disks_and_eight_nics() {
  set -- 'xen.disks_web1=d1 d2 d3 d4 d5 d6 d7' 'xen.nics_web1=n1 n2 n3 n4 n5 n6 n7'
  i=1
  while [ $i -le 7 ]; do
    set -- "$@" "xen.dsize_web1_d$i=$i" "xen.nmac_web1_n$i=00:16:3e:00:01:0$i" "xen.nbridge_web1_n$i=br$i"
    i=$((i + 1))
  done
  res "$@"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure: 1 guest: 1 created, 0 updated, 0 unchanged, 0 retired; saved resources created"
  grep -c 'created (' "$T/err" >"$T/n"; expect_text "$T/n" "8"
  expect_golden "$ROOT/etc/xen/web1.cfg" "$DL/eight.cfg"
  xl_reads "$ROOT/etc/xen/web1.cfg"
  [ -x /usr/lib/xen-4.17/bin/xl ] || return 0
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(len(d["disks"]), len(d["nics"]))' \
    "$T/xl.json" >"$T/counts"
  expect_text "$T/counts" "8 8"
}

# A disk is what its path resolves to: a list disk reaching another
# guest's image through another spelling is refused, not shared.
t_two_paths_to_one_disk_refused() {
  res 'xen.disks_web1=x' 'xen.dsize_web1_x=1' 'xen.dpath_web1_x=/var/lib/xen//images' 'xen.dname_web1_x=web1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "refused" "$T/err" | head -n 2 >"$T/r"
  expect_text "$T/r" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is the same disk as this guest's disk /var/lib/xen//images/web1.img
[ERROR] xen: guest 'web1': disk /var/lib/xen//images/web1.img: refused: it is the same disk as this guest's disk /var/lib/xen/images/web1.img"
}

fp() { stat -c '%i %s' "$ROOT/$IMG/$1"; head -c 16 "$ROOT/$IMG/$1"; echo; }
mark() { printf 'data of %s' "$2" | dd of="$ROOT/$IMG/$1" conv=notrunc status=none; }

# Add a disk, rename the guest, remove the disk, add it back: each disk
# keeps its data (same file, same content) and none is made blank.
t_edits_never_blank_or_lose_a_disk() {
  res
  xen --resources "$T/res" configure
  expect_rc 0
  mark web1.img root
  # Add a disk.
  res 'xen.disks_web1=data' 'xen.dsize_web1_data=1'
  xen --resources "$T/res" configure
  expect_rc 0
  grep -F "disk /var/lib/xen/images/web1-data.img: created" "$T/err" >/dev/null || { fail "no data disk made"; cat "$T/err"; return 1; }
  mark web1-data.img data
  a=$(fp web1.img); b=$(fp web1-data.img)
  # Rename the guest: both disks follow its name.
  res 'xen.name_web1=www' 'xen.disks_web1=data' 'xen.dsize_web1_data=1'
  xen --resources "$T/res" configure
  expect_rc 0
  grep "renamed to" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'www': renamed from 'web1': disk /var/lib/xen/images/web1.img renamed to /var/lib/xen/images/www.img
[INFO] xen: guest 'www': renamed from 'web1': disk /var/lib/xen/images/web1-data.img renamed to /var/lib/xen/images/www-data.img"
  [ "$(fp www.img)" = "$a" ] && [ "$(fp www-data.img)" = "$b" ] || { fail "a disk changed on the rename"; return 1; }
  if grep -q "created (" "$T/err"; then fail "a disk was made on the rename:"; cat "$T/err"; return 1; fi
  # Remove the disk: the config drops it, the image stays.
  res 'xen.name_web1=www'
  xen --resources "$T/res" configure
  expect_rc 0
  grep -q www-data "$ROOT/etc/xen/www.cfg" && { fail "the removed disk is still in the config"; return 1; }
  [ "$(fp www-data.img)" = "$b" ] || { fail "the removed disk changed"; return 1; }
  # Add it back: the same image, found, not made again.
  res 'xen.name_web1=www' 'xen.disks_web1=data' 'xen.dsize_web1_data=1'
  xen --resources "$T/res" configure
  expect_rc 0
  if grep -q "created (" "$T/err"; then fail "a disk was made again:"; cat "$T/err"; return 1; fi
  [ "$(fp www-data.img)" = "$b" ] && [ "$(fp www.img)" = "$a" ] || { fail "a disk changed when added back"; return 1; }
  grep -q 'target=/var/lib/xen/images/www-data.img' "$ROOT/etc/xen/www.cfg" || { fail "not in the config"; return 1; }
}

# ---------------------------------------------------------------- hostile

# hostile 'RES=VALUE|...' 'EXPECTED ERROR LINES': configure refuses the base
# guest (two disks d1 d2, two NICs n1 n2) with these resources, with
# exactly these messages, and changes nothing.
HOSTILE=""
hostile() { HOSTILE="$HOSTILE$1
$2
.
"; }
E="[ERROR] xen: guest 'web1': resource"
hostile 'xen.disks_web1=d1 d2 a_b' "$E disks_web1: 'a_b' is not an item tag (1-32 letters and digits; no _)"
hostile 'xen.disks_web1=d1 d2 d1' "$E disks_web1: 'd1' is listed twice"
hostile 'xen.nics_web1=n-1' "$E nics_web1: 'n-1' is not an item tag (1-32 letters and digits; no _)"
hostile 'xen.dsize_web1_d9=1' "[ERROR] xen: resource dsize_web1_d9: item 'd9' is not in disks_web1"
hostile 'xen.dsize_web9_d1=1' "[ERROR] xen: resource dsize_web9_d1: guest 'web9' is not in virtualmachines"
hostile 'xen.dsize_web1_d1=' "$E dsize_web1_d1: missing (dtype_web1_d1 is image: give its size in GB)"
hostile 'xen.dsize_web1_d1=10G' "$E dsize_web1_d1: '10G' is not a whole number"
hostile 'xen.dsize_web1_d1=0' "$E dsize_web1_d1: '0' is out of range (1-1048576 GB)"
hostile 'xen.dsize_web1_d1=1048577' "$E dsize_web1_d1: '1048577' is out of range (1-1048576 GB)"
hostile 'xen.dtype_web1_d1=none' "$E dtype_web1_d1: 'none' is not a disk type (image, physical or lvm)"
hostile 'xen.dtype_web1_d1=file' "$E dtype_web1_d1: 'file' is not a disk type (image, physical or lvm)"
hostile 'xen.dformat_web1_d1=vhd' "$E dformat_web1_d1: 'vhd' is not a disk format (raw or qcow2)"
hostile 'xen.dpath_web1_d1=images' "$E dpath_web1_d1: 'images' is not an absolute path"
hostile 'xen.dpath_web1_d1=/var/lib/xen/images,target=/etc/shadow' "$E dpath_web1_d1: '/var/lib/xen/images,target=/etc/shadow' contains a character other than letters, digits and / _ . + @ ~ -"
hostile 'xen.dname_web1_d1=../../etc/shadow' "$E dname_web1_d1: '../../etc/shadow' is not a file name (letters, digits, _ . -; no '/' or '..')"
hostile 'xen.dname_web1_d1=a b' "$E dname_web1_d1: 'a b' is not a file name (letters, digits, _ . -; no '/' or '..')"
hostile 'xen.dname_web1_d1=x"y' "$E dname_web1_d1: 'x\"y' is not a file name (letters, digits, _ . -; no '/' or '..')"
hostile 'xen.dname_web1_d1=a&#xA;b' "$E dname_web1_d1: 'a\\nb' is not a file name (letters, digits, _ . -; no '/' or '..')"
hostile 'xen.dname_web1_d1=web1' "$E dpath_web1_d1: disk /var/lib/xen/images/web1.img is used twice by this guest"
hostile 'xen.ddev_web1_d1=/dev/sdb' "$E ddev_web1_d1: '/dev/sdb' is set but dtype_web1_d1 is image"
hostile 'xen.dtype_web1_d1=physical' "$E dsize_web1_d1: '1' is set but a physical disk has the size of its device
$E ddev_web1_d1: missing (dtype_web1_d1 is physical: name its block device)"
hostile 'xen.dtype_web1_d1=physical|xen.dsize_web1_d1=|xen.ddev_web1_d1=/dev/sdb|xen.dname_web1_d1=x' "$E dname_web1_d1: 'x' is set but a physical disk is its device"
hostile 'xen.dtype_web1_d1=lvm' "$E dvg_web1_d1: missing (dtype_web1_d1 is lvm: name its volume group)"
hostile 'xen.dtype_web1_d1=lvm|xen.dvg_web1_d1=-vg' "$E dvg_web1_d1: '-vg' is not a volume group name"
hostile 'xen.dvg_web1_d1=vg0' "$E dvg_web1_d1: 'vg0' is set but dtype_web1_d1 is image"
hostile 'xen.dformat_web1_d1=qcow2|xen.dtype_web1_d1=lvm|xen.dvg_web1_d1=vg0' "$E dformat_web1_d1: 'qcow2' is only possible for image disks"
hostile 'xen.dvdev_web1_d1=xvda' "$E dvdev_web1_d1: 'xvda' is used twice by this guest (also disk_web1)"
hostile 'xen.dvdev_web1_d1=xvdc|xen.cdpath_web1=/srv/iso/a.iso' "$E dvdev_web1_d1: 'xvdc' is used twice by this guest (also cdpath_web1)"
hostile 'xen.dvdev_web1_d1=xvdq|xen.dvdev_web1_d2=xvdq' "$E dvdev_web1_d2: 'xvdq' is used twice by this guest (also dvdev_web1_d1)"
hostile 'xen.dvdev_web1_d1=hda' "$E dvdev_web1_d1: 'hda' is not a virtual disk (xvd and one or two letters)"
hostile 'xen.dvdev_web1_d1=xvdb,target=/etc/shadow' "$E dvdev_web1_d1: 'xvdb,target=/etc/shadow' is not a virtual disk (xvd and one or two letters)"
hostile 'xen.daccess_web1_d1=w' "$E daccess_web1_d1: 'w' is not a disk access (rw or ro)"
hostile 'xen.nmac_web1_n1=00:16:3e:00:00:01' "$E nmac_web1_n1: '00:16:3e:00:00:01' is used twice by this guest"
hostile 'xen.nmac_web1_n1=01:16:3e:00:00:09' "$E nmac_web1_n1: '01:16:3e:00:00:09' is a multicast MAC address (a NIC needs a unicast one)"
hostile 'xen.nmac_web1_n1=00:16:3e:00:00:09,ip=1.2.3.4' "$E nmac_web1_n1: '00:16:3e:00:00:09,ip=1.2.3.4' is not a MAC address"
hostile 'xen.nmac_web1_n1=00:00:00:00:00:00' "$E nmac_web1_n1: '00:00:00:00:00:00' is the all-zero MAC address"
hostile 'xen.nbridge_web1_n1=br0 x' "$E nbridge_web1_n1: 'br0 x' is not a bridge name (1-15 letters, digits, _ . -)"
hostile 'xen.nbridge_web1_n1=br0,script=/tmp/x' "$E nbridge_web1_n1: 'br0,script=/tmp/x' is not a bridge name (1-15 letters, digits, _ . -)"
hostile 'xen.nscript_web1_n1=/tmp/evil' "$E nscript_web1_n1: '/tmp/evil' is not a permitted vif script (vif-bridge, vif-route, vif-nat or vif-openvswitch)"
hostile 'xen.nmodel_web1_n1=e1000' "$E nmodel_web1_n1: 'e1000' is for hvm guests (a pv or pvh guest's NIC is not emulated)"
hostile 'xen.type_web1=hvm|xen.nmodel_web1_n1=vfio-pci' "$E nmodel_web1_n1: 'vfio-pci' is not a permitted NIC model (e1000, rtl8139 or virtio-net)"
hostile 'xen.nrate_web1_n1=10MB' "$E nrate_web1_n1: '10MB' is not a rate as xl takes it (RATE/s or RATE/s@INTERVAL: 10MB/s, 100Mb/s@20ms)"
hostile 'xen.nrate_web1_n1=0MB/s' "$E nrate_web1_n1: '0MB/s' is not a rate as xl takes it (RATE/s or RATE/s@INTERVAL: 10MB/s, 100Mb/s@20ms)"
hostile 'xen.nrate_web1_n1=10MB/s@1h' "$E nrate_web1_n1: '10MB/s@1h' is not a rate as xl takes it (RATE/s or RATE/s@INTERVAL: 10MB/s, 100Mb/s@20ms)"
hostile 'xen.nscript_web1_n1=vif-route' "$E nip_web1_n1: missing (nscript_web1_n1 is vif-route: give the guest's IPv4 address)"
hostile 'xen.nscript_web1_n1=vif-nat' "$E nip_web1_n1: missing (nscript_web1_n1 is vif-nat: give the guest's IPv4 address)"
hostile 'xen.nip_web1_n1=10.0.0.1' "$E nip_web1_n1: '10.0.0.1' is set but nscript_web1_n1 is vif-bridge (only vif-route and vif-nat use it)"
hostile 'xen.nscript_web1_n1=vif-openvswitch|xen.nip_web1_n1=10.0.0.1' "$E nip_web1_n1: '10.0.0.1' is set but nscript_web1_n1 is vif-openvswitch (only vif-route and vif-nat use it)"
hostile 'xen.nscript_web1_n1=vif-route|xen.nip_web1_n1=10.0.0.1,mac=1' "$E nip_web1_n1: '10.0.0.1,mac=1' is not a list of IPv4 addresses (1-8, one space between)"
hostile 'xen.nscript_web1_n1=vif-route|xen.nip_web1_n1=10.0.0.1  10.0.0.2' "$E nip_web1_n1: '10.0.0.1  10.0.0.2' is not a list of IPv4 addresses (1-8, one space between)"
hostile 'xen.nscript_web1_n1=vif-route|xen.nip_web1_n1=10.0.0.300' "$E nip_web1_n1: '10.0.0.300' is not a list of IPv4 addresses (1-8, one space between)"
hostile 'xen.nscript_web1_n1=vif-nat|xen.nip_web1_n1=10.0.0.1 10.0.0.2' "$E nip_web1_n1: '10.0.0.1 10.0.0.2' has 2 addresses (vif-nat takes one)"
hostile 'xen.nvifname_web1_n1=a-very-long-name' "$E nvifname_web1_n1: 'a-very-long-name' is not an interface name (1-15 letters, digits, _ . -)"
hostile 'xen.type_web1=hvm|xen.nvifname_web1_n1=web1backend1' "$E nvifname_web1_n1: 'web1backend1' is not an interface name (1-11 letters, digits, _ . -; xl adds -emu for an hvm guest)"
hostile 'xen.nvifname_web1_n1=vb1|xen.nvifname_web1_n2=vb1' "$E nvifname_web1_n2: 'vb1' is used twice by this guest"
hostile 'xen.nmtu_web1_n1=67' "$E nmtu_web1_n1: '67' is out of range (68-65535)"
hostile 'xen.nmtu_web1_n1=1500 ' "$E nmtu_web1_n1: '1500 ' is not a whole number"
hostile 'xen.nvlan_web1_n1=20' "$E nvlan_web1_n1: '20' is set but nscript_web1_n1 is vif-bridge (a VLAN needs vif-openvswitch)"
hostile 'xen.nscript_web1_n1=vif-openvswitch|xen.nvlan_web1_n1=4095' "$E nvlan_web1_n1: '4095' is out of range (1-4094)"
hostile 'xen.nscript_web1_n1=vif-openvswitch|xen.nbridge_web1_n1=ovs0.5' "$E nbridge_web1_n1: 'ovs0.5' contains '.', which vif-openvswitch reads as a VLAN (give it in nvlan_web1_n1)"
hostile 'xen.format=xm|xen.autostart=xendomains|xen.nmtu_web1_n1=9000' "$E nmtu_web1_n1: '9000' needs the xl format (xm has no vif mtu)"
hostile 'xen.bridge_web1=none' "$E mac_web1: '00:16:3e:00:00:01' is set but bridge_web1 is none (no eth0)"

t_hostile_values_are_refused_exactly() {
  res 'xen.disks_web1=d1 d2' 'xen.dsize_web1_d1=1' 'xen.dsize_web1_d2=1' 'xen.nics_web1=n1 n2'
  cp "$T/res" "$T/base"
  xen --resources "$T/base" configure
  expect_rc 0
  before=$(snapshot)
  bad=0 n=0
  printf '%s' "$HOSTILE" >"$T/cases"
  while IFS= read -r line; do
    want=""
    while IFS= read -r w && [ "$w" != . ]; do want="$want${want:+
}$w"; done
    n=$((n + 1))
    cp "$T/base" "$T/res"
    # The case's resources, separated by "|".
    printf '%s\n' "$line" | tr '|' '\n' >"$T/extra"
    awk -F= -v extra="$T/extra" 'BEGIN { while ((getline l < extra) > 0) { split(l, f, "="); over[f[1]] = 1 } }
      !($1 in over)' "$T/base" >"$T/res"
    cat "$T/extra" >>"$T/res"
    xen --resources "$T/res" configure
    grep '^\[ERROR\]' "$T/err" >"$T/got" || :
    if [ "$RC" != 1 ] || [ "$(cat "$T/got")" != "$want" ]; then
      bad=$((bad + 1))
      fail "$line: rc $RC, got:"; sed 's/^/        /' "$T/got"; echo "      wanted:"; printf '%s\n' "$want" | sed 's/^/        /'
    fi
  done <"$T/cases"
  after=$(snapshot)
  [ "$before" = "$after" ] || { fail "files changed"; return 1; }
  [ $bad -eq 0 ] || { fail "$bad of $n hostile cases not refused as expected"; return 1; }
  echo "      $n hostile values refused with their messages"
}

# A running guest whose list items change: each changed option is named
# (its config line changes; the domain keeps the old until a restart).
t_changed_item_of_a_running_guest_needs_restart() {
  res 'xen.boot_web1=yes' 'xen.nics_web1=n1' 'xen.nrate_web1_n1=1MB/s' 'xen.disks_web1=d1' \
      'xen.dsize_web1_d1=1'
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  res 'xen.boot_web1=yes' 'xen.nics_web1=n1' 'xen.nrate_web1_n1=2MB/s' 'xen.nmtu_web1_n1=9000' \
      'xen.disks_web1=d1' 'xen.dsize_web1_d1=1' 'xen.daccess_web1_d1=ro'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  grep 'needs restart' "$T/err" >"$T/w"
  expect_text "$T/w" "[WARNING] xen: guest 'web1': changed daccess_web1_d1, nrate_web1_n1, nmtu_web1_n1: needs restart (the running domain keeps its old settings until then)"
  # An item added is a change of the list.
  res 'xen.boot_web1=yes' 'xen.nics_web1=n1 n2' 'xen.nrate_web1_n1=2MB/s' 'xen.nmtu_web1_n1=9000' \
      'xen.disks_web1=d1' 'xen.dsize_web1_d1=1' 'xen.daccess_web1_d1=ro'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  grep 'needs restart' "$T/err" >"$T/w"
  expect_text "$T/w" "[WARNING] xen: guest 'web1': changed nics_web1: needs restart (the running domain keeps its old settings until then)"
}
