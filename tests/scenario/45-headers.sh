# 45-headers: the LCFG profile headers, rendered with cpp as the LCFG server
# renders source profiles, give exactly these resource lines.

# cpp as the server runs it: no predefined macros, no system headers; the
# shipped headers and stand-ins for the seed's site headers on the path.
render() {
  cpp -P -undef -nostdinc -I"$TOP/defaults" -I"$DATA/headers/include" "$@" | grep -v '^[[:space:]]*$'
}

t_seed_host_profile() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  render "$DATA/headers/host-profile" >"$T/out"
  expect_text "$T/out" "!hardware.modlist mADD(mptsas)
hardware.mod_mptsas alias scsi_hostadapter mptsas
!profile.components mADD(xen)
!boot.services mADD(lcfg_xen)
!profile.packages mEXTRA(+xen-*-* +kernel-xen-*-* +virt-manager-*-* +lcfg-xen-*-*)
!xen.distro mSET(el)
!xen.packages mSET(xen kernel-xen virt-manager)
!xen.daemons mSET(xend)
!xen.format mSET(xm)
!xen.autostart mSET(xendomains)
!xen.managehost mSET(yes)
!xen.grubowner mSET(lcfg-grub)
!grub.default mSET(0)
!xen.virtualmachines mADD(pe2900x1)
!xen.name_pe2900x1 mSET(pe2900x1)
!xen.uuid_pe2900x1 mSET(e050b5aa-4a58-4bcc-899f-9087180f8c0c)
!xen.maxmem_pe2900x1 mSET(512)
!xen.memory_pe2900x1 mSET(256)
!xen.disk_pe2900x1 mSET(20)
!xen.disktype_pe2900x1 mSET(image)
!xen.disksec_pe2900x1 mSET(4)
!xen.disktypesec_pe2900x1 mSET(image)
!xen.mac_pe2900x1 mSET(00:15:17:34:62:01)
!xen.boot_pe2900x1 mSET(yes)
!network.interfaces mADD(eth0)
network.device_eth0 auto
!network.hwaddr_eth0 mSET(00:15:17:34:62:9C)
!network.ipaddr_eth0 DHCP
!network.persistentdhclient_eth0 yes"
}

t_debian_host_is_the_default() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  printf '#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" >"$T/out"
  expect_text "$T/out" "!profile.components mADD(xen)
!boot.services mADD(lcfg_xen)
!profile.packages mEXTRA(+xen-system-amd64-*-* +xen-utils-common-*-* +lcfg-xen-*-*)
!xen.distro mSET(debian)
!xen.packages mSET(xen-system-amd64 xen-utils-common)
!xen.daemons mSET(xen)
!xen.managehost mSET(yes)
!xen.grubowner mSET(component)"
  printf '#define MDP_OS debian12\n#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" >"$T/out2"
  expect_text "$T/out2" "$(cat "$T/out")"
}

t_el_host_with_dom0_options() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  printf '#define MDP_OS el9\n#define XEN_DOM0_MEM 4096\n#define XEN_DOM0_VCPUS 2\n#define XEN_GRUB_OWNER lcfg-grub\n#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" >"$T/out"
  expect_text "$T/out" "!profile.components mADD(xen)
!boot.services mADD(lcfg_xen)
!profile.packages mEXTRA(+xen-*-* +xen-hypervisor-*-* +xen-runtime-*-* +lcfg-xen-*-*)
!xen.distro mSET(el)
!xen.packages mSET(xen xen-hypervisor xen-runtime)
!xen.daemons mSET(xenstored xenconsoled xen-init-dom0)
!xen.managehost mSET(yes)
!xen.grubowner mSET(lcfg-grub)
!xen.dom0mem mSET(4096)
!xen.dom0vcpus mSET(2)
!grub.default mSET(saved)
!grub.xenargs mADD(dom0_mem=4096M,max:4096M)
!grub.xenargs mADD(dom0_max_vcpus=2)"
}

t_header_included_twice_counts_once() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  printf '#include <mdp/options/xen-host.h>\n#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" | grep -c 'profile.components' >"$T/n"
  expect_text "$T/n" "1"
}

t_seed_guest_profile() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  render "$DATA/headers/guest-profile" >"$T/out"
  expect_text "$T/out" "!hardware.modlist mADD(xen_blkfront xen_netfront)
hardware.mod_xen_blkfront alias scsi_hostadapter xen_blkfront
hardware.mod_xen_netfront alias eth0 xen_netfront
!hardware.probe mSET()
!grub.kernelargs mEXTRA(console=hvc0)
!inittab.entries mADD(hvc0)
inittab.entry_hvc0 co:2345:respawn:/sbin/agetty hvc0 9600 vt100-nav
!profile.pkgcppopts mADD(-DMYSQLSERVER)
!network.interfaces mADD(eth0)
network.device_eth0 auto
!network.hwaddr_eth0 mSET(00:15:17:34:62:01)
!network.ipaddr_eth0 DHCP
!network.persistentdhclient_eth0 yes"
}

# Every xen resource the headers set is one the schema declares.
t_headers_set_only_schema_resources() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  for os in debian12 el9 sl5_64; do
    printf '#define MDP_OS %s\n#define XEN_DOM0_MEM 1\n#define XEN_DOM0_VCPUS 1\n#include <mdp/options/xen-host.h>\n' $os >"$T/p"
    render "$T/p"
  done | sed -n 's/^!*xen\.\([a-z0-9_]*\).*/\1/p' | sort -u >"$T/used"
  for r in $(cat "$T/used"); do
    grep -q "^$r\\( \\|\$\\)" "$TOP/defaults/xen-1.def" || { fail "xen.$r is not in xen-1.def"; return 1; }
  done
}

# The rendered profile's xen resources, as the server would compile them
# (mSET and mADD applied), in status-file form for --resources.
compiled() { render "$@" | awk -f "$TOP/tests/tools/lcfg-mutate.awk"; }

fake_host() {
  mkdir -p "$ROOT/var/fake-host"
  for p; do mkdir -p "$ROOT/$(dirname "$p")"; cp "$TOP/tests/tools/fake-host" "$ROOT/$p"; done
}

# The seed's host profile with the header is a valid profile for the
# component, and its host part does what the header promises.
t_seed_host_profile_configures() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  compiled "$DATA/headers/host-profile" >"$T/res"
  fake_host usr/bin/rpm; echo xen >"$ROOT/var/fake-host/installed"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_msgs "$T/err" "[WARNING] xen: packages: missing: kernel-xen virt-manager (the LCFG package manager installs them; xen.pkginstall lets the component do it)
[WARNING] xen: grub: the boot loader belongs to lcfg-grub (xen.grubowner) and there is no GRUB configuration to check (/boot/grub/grub.cfg, /boot/grub2/grub.cfg, /boot/grub/grub.conf, /boot/grub/menu.lst): it must boot Xen by default
[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)
[INFO] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg created
[INFO] xen: guest 'pe2900x1': autostart link /etc/xen/auto/pe2900x1.cfg -> /etc/xen/pe2900x1.cfg created
[OK] xen: configure: 1 guest: 1 created, 0 updated, 0 unchanged, 0 retired; saved resources created"
  expect_text "$ROOT/var/fake-host/log" 'rpm -q --qf %{NAME}\n xen kernel-xen virt-manager'
  grep -c '^xen.managehost=yes$' "$ROOT/run/lcfg/status/xen" >"$T/n"
  expect_text "$T/n" "1"
}

# The same guest on a Debian 12 host with dom0 options: GRUB is set up.
t_debian_host_profile_sets_up_grub() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  sed -e 's/^#define MDP_OS sl5_64$/#define MDP_OS debian12\n#define XEN_DOM0_MEM 2048\n#define XEN_DOM0_VCPUS 2/' \
    "$DATA/headers/host-profile" >"$T/profile"
  compiled "$T/profile" >"$T/res"
  fake_host usr/bin/dpkg-query usr/sbin/update-grub
  printf '%s\n' xen-system-amd64 xen-utils-common >"$ROOT/var/fake-host/installed"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_msgs "$T/err" "[INFO] xen: packages: all 2 installed
[INFO] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg created; update-grub ran
[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)
[INFO] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg created
[OK] xen: configure: 1 guest: 1 created, 0 updated, 0 unchanged, 0 retired; saved resources created"
  grep '^GRUB' "$ROOT/etc/default/grub.d/zz-lcfg-xen.cfg" >"$T/g"
  expect_text "$T/g" 'GRUB_CMDLINE_XEN_DEFAULT="dom0_mem=2048M,max:2048M dom0_max_vcpus=2"
GRUB_DEFAULT="Debian GNU/Linux, with Xen hypervisor"'
  expect_text "$ROOT/var/fake-host/log" 'dpkg-query -W -f=${Package} ${db:Status-Status}\n xen-system-amd64 xen-utils-common
update-grub'
}
