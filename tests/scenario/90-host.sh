# 90-host: the host set-up (xen.managehost): packages, GRUB, xendomains,
# daemons, with stand-in programs (tests/tools/fake-host) that record their
# argv in $ROOT/var/fake-host/log.

FH=var/fake-host
DROPIN=etc/default/grub.d/zz-lcfg-xen.cfg
OKLINE="[OK] xen: configure: 0 guests: 0 created, 0 updated, 0 unchanged, 0 retired; disks: 0 created, 0 present, 0 of another size, 0 refused;"

# Stand-ins for these host paths (under the root).
fake() {
  mkdir -p "$ROOT/$FH"
  for p; do mkdir -p "$ROOT/$(dirname "$p")"; cp "$TOP/tests/tools/fake-host" "$ROOT/$p"; done
}
installed() { printf '%s\n' "$@" >"$ROOT/$FH/installed"; }
log() { if [ -f "$ROOT/$FH/log" ]; then cat "$ROOT/$FH/log"; fi; }

# Host resources: managehost plus these lines (no guests).
hres() {
  { echo xen.ng_schema=1
    case " $* " in *" xen.managehost="*) ;; *) echo xen.managehost=yes ;; esac
    for l in "$@"; do printf '%s\n' "$l"; done; } >"$T/res"
}

# The root is a host booted into Xen as dom0 (XENFEAT_dom0, bit 11), its
# daemons not started (no /proc/xen).
booted_dom0() {
  mkdir -p "$ROOT/sys/hypervisor/properties"; echo xen >"$ROOT/sys/hypervisor/type"
  echo 00002f81 >"$ROOT/sys/hypervisor/properties/features"
}

# One boot guest, for start/stop.
gres() {
  hres "$@"
  printf '%s\n' xen.virtualmachines=g1 xen.uuid_g1=00000001-1111-4222-8333-444444444444 \
    xen.memory_g1=128 xen.disk_g1=1 xen.boot_g1=yes >>"$T/res"
}

t_missing_packages_reported() {
  fake usr/bin/dpkg-query; installed xen-utils-common
  hres xen.grubowner=none
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[WARNING] xen: packages: missing: xen-system-amd64 (the LCFG package manager installs them; xen.pkginstall lets the component do it)
$OKLINE saved resources created"
  log >"$T/log"
  expect_text "$T/log" 'dpkg-query -W -f=${Package} ${db:Status-Status}\n xen-system-amd64 xen-utils-common'
  installed xen-utils-common xen-system-amd64
  xen --resources "$T/res" configure
  expect_text "$T/err" "[INFO] xen: packages: all 2 installed
$OKLINE saved resources unchanged"
}

t_packages_of_the_profile_not_the_defaults() {
  fake usr/bin/dpkg-query; installed xen-hypervisor-4.17-amd64
  hres xen.grubowner=none 'xen.packages=xen-hypervisor-4.17-amd64 xen-utils-4.17 qemu-utils'
  xen --resources "$T/res" configure
  grep packages "$T/err" >"$T/p"
  expect_text "$T/p" "[WARNING] xen: packages: missing: xen-utils-4.17 qemu-utils (the LCFG package manager installs them; xen.pkginstall lets the component do it)"
}

t_pkginstall_installs_the_missing_ones_with_apt_get() {
  fake usr/bin/dpkg-query usr/bin/apt-get; installed xen-utils-common
  hres xen.grubowner=none xen.pkginstall=yes
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  grep packages "$T/err" >"$T/p"
  expect_text "$T/p" "[INFO] xen: packages: xen-system-amd64 would be installed with apt-get"
  xen --resources "$T/res" configure
  expect_rc 0
  grep packages "$T/err" >"$T/p"
  expect_text "$T/p" "[INFO] xen: packages: installed xen-system-amd64 with apt-get"
  log >"$T/log"
  expect_text "$T/log" 'dpkg-query -W -f=${Package} ${db:Status-Status}\n xen-system-amd64 xen-utils-common
dpkg-query -W -f=${Package} ${db:Status-Status}\n xen-system-amd64 xen-utils-common
apt-get install -y -q --no-install-recommends xen-system-amd64'
}

t_failed_install_is_an_error() {
  fake usr/bin/dpkg-query usr/bin/apt-get; installed
  echo 'E: Unable to locate package xen-system-amd64' >"$ROOT/$FH/fail-apt-get"
  hres xen.grubowner=none xen.pkginstall=yes
  xen --resources "$T/res" configure
  expect_rc 1
  grep packages "$T/err" >"$T/p"
  expect_text "$T/p" "[ERROR] xen: packages: apt-get install xen-system-amd64 xen-utils-common: exited 1: E: Unable to locate package xen-system-amd64"
}

t_el_packages_with_rpm_and_dnf() {
  fake usr/bin/rpm usr/bin/dnf; installed xen-runtime
  hres xen.distro=el xen.grubowner=none xen.pkginstall=yes
  xen --resources "$T/res" configure
  expect_rc 0
  grep packages "$T/err" >"$T/p"
  expect_text "$T/p" "[INFO] xen: packages: installed xen xen-hypervisor with dnf"
  log >"$T/log"
  expect_text "$T/log" 'rpm -q --qf %{NAME}\n xen xen-hypervisor xen-runtime
dnf install -y -q xen xen-hypervisor'
}

t_family_from_the_root() {
  fake usr/bin/rpm; installed xen xen-hypervisor xen-runtime
  mkdir -p "$ROOT/etc"; echo 'Fedora release 38' >"$ROOT/etc/redhat-release"
  hres xen.grubowner=none
  xen --resources "$T/res" configure
  expect_text "$T/err" "[INFO] xen: packages: all 3 installed
$OKLINE saved resources created"
}

t_no_package_database_is_an_error() {
  hres xen.grubowner=none
  xen --resources "$T/res" configure
  expect_rc 1
  grep packages "$T/err" >"$T/p"
  expect_text "$T/p" "[ERROR] xen: packages: cannot ask the package database: $ROOT/usr/bin/dpkg-query: No such file or directory"
  expect_absent "$ROOT/run/lcfg/status/xen"
}

t_grub_dropin_written_once_and_update_grub_run_once() {
  fake usr/bin/dpkg-query usr/sbin/update-grub; installed xen-system-amd64 xen-utils-common
  hres xen.dom0mem=4096 xen.dom0vcpus=2 'xen.xenopts=loglvl=all ucode=scan'
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: packages: all 2 installed
[INFO] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg created; update-grub ran
[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)
$OKLINE saved resources created"
  expect_text "$ROOT/$DROPIN" '# Written by the LCFG xen component from this host'"'"'s profile (lcfg-xen(8)).
# Change xen.dom0mem, xen.dom0maxmem, xen.dom0vcpus, xen.xenopts or
# xen.grubdefault in the profile, not this file.
GRUB_CMDLINE_XEN_DEFAULT="dom0_mem=4096M,max:4096M dom0_max_vcpus=2 loglvl=all ucode=scan"
GRUB_DEFAULT="Debian GNU/Linux, with Xen hypervisor"'
  [ "$(stat -c %a "$ROOT/$DROPIN")" = 644 ] || { fail "drop-in mode $(stat -c %a "$ROOT/$DROPIN")"; return 1; }
  grep -v dpkg-query "$ROOT/$FH/log" >"$T/log"
  expect_text "$T/log" "update-grub"
  before=$(stat -c '%i %Y' "$ROOT/$DROPIN")
  xen --resources "$T/res" configure
  expect_rc 0
  grep grub "$T/err" >"$T/g"
  expect_text "$T/g" "[INFO] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg unchanged"
  [ "$(stat -c '%i %Y' "$ROOT/$DROPIN")" = "$before" ] || { fail "the drop-in was rewritten"; return 1; }
  grep -v dpkg-query "$ROOT/$FH/log" >"$T/log"
  expect_text "$T/log" "update-grub"
  # A profile change: the drop-in is updated and update-grub runs again.
  hres xen.dom0mem=2048 xen.dom0maxmem=3072 xen.grubdefault=
  xen --resources "$T/res" configure
  grep grub "$T/err" >"$T/g"
  expect_text "$T/g" "[INFO] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg updated; update-grub ran"
  tail -n 2 "$ROOT/$DROPIN" >"$T/tail"
  expect_text "$T/tail" '# xen.grubdefault in the profile, not this file.
GRUB_CMDLINE_XEN_DEFAULT="dom0_mem=2048M,max:3072M"'
  grep -v dpkg-query "$ROOT/$FH/log" >"$T/log"
  expect_text "$T/log" "update-grub
update-grub"
}

t_failed_update_grub_puts_the_dropin_back() {
  fake usr/bin/dpkg-query usr/sbin/update-grub; installed xen-system-amd64 xen-utils-common
  echo '/usr/sbin/grub-mkconfig: error: cannot find a GRUB drive for /dev/sda1.' >"$ROOT/$FH/fail-update-grub"
  hres xen.dom0mem=1024
  xen --resources "$T/res" configure
  expect_rc 1
  grep grub "$T/err" >"$T/g"
  expect_text "$T/g" "[ERROR] xen: grub: /usr/sbin/update-grub failed: exited 1: /usr/sbin/grub-mkconfig: error: cannot find a GRUB drive for /dev/sda1. (/etc/default/grub.d/zz-lcfg-xen.cfg put back as it was, so the next configure tries again)"
  expect_absent "$ROOT/$DROPIN"
  rm "$ROOT/$FH/fail-update-grub"
  xen --resources "$T/res" configure
  expect_rc 0
  grep grub "$T/err" >"$T/g"
  expect_text "$T/g" "[INFO] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg created; update-grub ran"
}

t_on_xen_no_reboot_warning() {
  fake usr/bin/dpkg-query usr/sbin/update-grub; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/sys/hypervisor"; echo xen >"$ROOT/sys/hypervisor/type"
  hres xen.dom0mem=1024
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: packages: all 2 installed
[INFO] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg created; update-grub ran
[INFO] xen: grub: the new Xen options take effect at the next reboot
$OKLINE saved resources created"
}

# More of lcfg-grub's GRUB in 92-grubxm.
t_lcfg_grub_owner_only_reports() {
  fake usr/bin/dpkg-query usr/sbin/update-grub; installed xen-system-amd64 xen-utils-common
  hres xen.grubowner=lcfg-grub xen.dom0mem=1024 xen.dom0vcpus=1
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: packages: all 2 installed
[WARNING] xen: grub: the boot loader belongs to lcfg-grub (xen.grubowner) and there is no GRUB configuration to check (/boot/grub/grub.cfg, /boot/grub2/grub.cfg, /boot/grub/grub.conf, /boot/grub/menu.lst): it must boot Xen by default with \"dom0_mem=1024M,max:1024M dom0_max_vcpus=1\"
[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)
$OKLINE saved resources created"
  expect_absent "$ROOT/$DROPIN"
  grep -v dpkg-query "$ROOT/$FH/log" >"$T/log" || true
  expect_text "$T/log" ""
}

t_el_grub_is_only_reported() {
  fake usr/bin/rpm usr/sbin/update-grub; installed xen xen-hypervisor xen-runtime
  hres xen.distro=el xen.dom0mem=1024
  xen --resources "$T/res" configure
  grep grub "$T/err" >"$T/g"
  expect_text "$T/g" "[WARNING] xen: grub: the component edits GRUB only on Debian (xen.distro el): make Xen the default entry with \"dom0_mem=1024M,max:1024M\" yourself, or with lcfg-grub (xen.grubowner lcfg-grub)"
  expect_absent "$ROOT/$DROPIN"
}

t_xendomains_save_emptied_and_nothing_else() {
  fake usr/bin/dpkg-query; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/etc/default"
  printf '%s\n' '# /etc/default/xendomains' 'XENDOMAINS_MIGRATE=""' 'XENDOMAINS_SAVE=/var/lib/xen/save' \
    'XENDOMAINS_RESTORE=true' 'XENDOMAINS_STOP_MAXWAIT=300' >"$ROOT/etc/default/xendomains"
  chmod 640 "$ROOT/etc/default/xendomains"
  hres xen.grubowner=none
  xen --resources "$T/res" --dry-run configure
  grep xendomains "$T/err" >"$T/x"
  expect_text "$T/x" "[INFO] xen: xendomains: XENDOMAINS_SAVE would be set empty in /etc/default/xendomains (host shutdown shuts the guests down instead of saving them)"
  grep -q '^XENDOMAINS_SAVE=/var/lib/xen/save$' "$ROOT/etc/default/xendomains" || { fail "dry run changed it"; return 1; }
  xen --resources "$T/res" configure
  expect_rc 0
  grep xendomains "$T/err" >"$T/x"
  expect_text "$T/x" "[INFO] xen: xendomains: XENDOMAINS_SAVE set empty in /etc/default/xendomains (host shutdown shuts the guests down instead of saving them)"
  expect_text "$ROOT/etc/default/xendomains" '# /etc/default/xendomains
XENDOMAINS_MIGRATE=""
XENDOMAINS_SAVE=
XENDOMAINS_RESTORE=true
XENDOMAINS_STOP_MAXWAIT=300'
  [ "$(stat -c %a "$ROOT/etc/default/xendomains")" = 640 ] || { fail "mode not kept"; return 1; }
  xen --resources "$T/res" configure
  grep -c xendomains "$T/err" >"$T/n" || true
  expect_text "$T/n" "0"
  # Owned by xendomains: left as it is.
  printf 'XENDOMAINS_SAVE=/var/lib/xen/save\n' >"$ROOT/etc/default/xendomains"
  hres xen.grubowner=none xen.autostart=xendomains
  xen --resources "$T/res" configure
  expect_text "$ROOT/etc/default/xendomains" 'XENDOMAINS_SAVE=/var/lib/xen/save'
}

t_xendomains_save_added_when_absent() {
  fake usr/bin/dpkg-query; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/etc/default"; printf 'XENDOMAINS_RESTORE=true' >"$ROOT/etc/default/xendomains"
  hres xen.grubowner=none
  xen --resources "$T/res" configure
  expect_text "$ROOT/etc/default/xendomains" 'XENDOMAINS_RESTORE=true
XENDOMAINS_SAVE='
}

t_other_toolstacks_are_warned_about() {
  mkdir -p "$ROOT/etc/rc2.d" "$ROOT/etc/systemd/system/multi-user.target.wants"
  ln -s ../init.d/xendomains "$ROOT/etc/rc2.d/S01xendomains"
  ln -s /lib/systemd/system/libvirtd.service "$ROOT/etc/systemd/system/multi-user.target.wants/libvirtd.service"
  # Without managehost too: a fight over the guests is worth a warning.
  echo xen.ng_schema=1 >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[WARNING] xen: xendomains is enabled: it also starts guests from /etc/xen/auto and stops every running guest at host shutdown, while the component owns autostart (xen.autostart component)
[WARNING] xen: libvirtd is enabled: the guests must be managed by one toolstack only (libvirt does not see the component's xl guests)
$OKLINE saved resources created"
  printf 'xen.ng_schema=1\nxen.autostart=xendomains\n' >"$T/res"
  rm "$ROOT/etc/systemd/system/multi-user.target.wants/libvirtd.service"
  xen --resources "$T/res" configure
  expect_text "$T/err" "$OKLINE saved resources updated"
}

t_dry_run_changes_nothing() {
  fake usr/bin/dpkg-query usr/sbin/update-grub usr/bin/apt-get; installed xen-utils-common
  mkdir -p "$ROOT/etc/default"; echo 'XENDOMAINS_SAVE=/var/lib/xen/save' >"$ROOT/etc/default/xendomains"
  hres xen.dom0mem=1024 xen.pkginstall=yes
  snapshot | grep -v " ./$FH/" >"$T/before"
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: packages: xen-system-amd64 would be installed with apt-get
[INFO] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg would be created; update-grub would run
[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)
[INFO] xen: xendomains: XENDOMAINS_SAVE would be set empty in /etc/default/xendomains (host shutdown shuts the guests down instead of saving them)
[OK] xen: configure (dry run): 0 guests: 0 created, 0 updated, 0 unchanged, 0 retired; disks: 0 created, 0 present, 0 of another size, 0 refused; saved resources would be created; nothing changed"
  # The diffs of the files it would change, on standard output.
  expect_text "$T/out" '--- /dev/null
+++ /etc/default/grub.d/zz-lcfg-xen.cfg
@@ -0,0 +1,5 @@
+# Written by the LCFG xen component from this host'"'"'s profile (lcfg-xen(8)).
+# Change xen.dom0mem, xen.dom0maxmem, xen.dom0vcpus, xen.xenopts or
+# xen.grubdefault in the profile, not this file.
+GRUB_CMDLINE_XEN_DEFAULT="dom0_mem=1024M,max:1024M"
+GRUB_DEFAULT="Debian GNU/Linux, with Xen hypervisor"
--- /etc/default/xendomains
+++ /etc/default/xendomains
@@ -1 +1 @@
-XENDOMAINS_SAVE=/var/lib/xen/save
+XENDOMAINS_SAVE='
  snapshot | grep -v " ./$FH/" >"$T/after"
  expect_text "$T/after" "$(cat "$T/before")"
  # Only the package database was asked.
  log >"$T/log"
  expect_text "$T/log" 'dpkg-query -W -f=${Package} ${db:Status-Status}\n xen-system-amd64 xen-utils-common'
}

t_bad_host_values_are_refused() {
  hres 'xen.xenopts=dom0_mem=1G" GRUB_X="1' xen.dom0mem=64 xen.grubowner=grub2 'xen.packages=xen -oops' \
    'xen.daemons=../etc/x' xen.managehost=maybe 'xen.grubdefault=Xen $(reboot)' xen.distro=arch
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource managehost: 'maybe' is not a boolean (yes or empty)
[ERROR] xen: resource distro: 'arch' is not a distribution family (debian or el)
[ERROR] xen: resource grubowner: 'grub2' is not a boot loader owner (component, lcfg-grub or none)
[ERROR] xen: resource packages: '-oops' is not a package name
[ERROR] xen: resource daemons: '../etc/x' is not a service name
[ERROR] xen: resource dom0mem: '64' is out of range (128-16777216 MB)
[ERROR] xen: resource xenopts: 'dom0_mem=1G\"' is not a Xen command-line option
[ERROR] xen: resource xenopts: 'GRUB_X=\"1' is not a Xen command-line option
[ERROR] xen: resource grubdefault: 'Xen \$(reboot)' is not a GRUB menu entry (printable text without quotes, backslash, \$ or \`)
[FAIL] xen: configure: 9 errors in the resources; nothing changed"
  hres xen.dom0mem=1024 xen.dom0maxmem=512
  xen --resources "$T/res" configure
  expect_rc 1
  head -n 1 "$T/err" >"$T/e"
  expect_text "$T/e" "[ERROR] xen: resource dom0maxmem: '512' is below dom0mem (1024 MB)"
}

t_start_runs_the_daemons_simulated_on_sim() {
  fake usr/bin/dpkg-query bin/systemctl; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/run/systemd/system"
  gres xen.grubowner=none
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  grep -E "daemon|booted|start:" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: daemon xen: started (simulated: /bin/systemctl start xen.service)
[INFO] xen: guest 'g1': booted (domid 1)
[OK] xen: start: guests with boot set are running"
  expect_text "$ROOT/var/lib/lcfg/xen/sim/services" "/bin/systemctl start xen.service"
  grep -v dpkg-query "$ROOT/$FH/log" >"$T/log" || true
  expect_text "$T/log" ""
}

t_daemons_with_systemctl_on_xen() {
  fake usr/bin/dpkg-query bin/systemctl; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/run/systemd/system"; booted_dom0
  gres xen.grubowner=none
  # A dom0 whose daemons are not up yet (no /proc/xen): the daemons are the
  # real ones (here the stand-in), started before the hypervisor is asked
  # for; without the simulator asked for, the guests then find no Xen (the
  # stand-in mounts no /proc/xen).
  unset LCFGXEN_HYPERVISOR
  xen --resources "$T/res" start
  expect_rc 1
  grep -E "daemon|booted|start:" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: daemon xen: started (/bin/systemctl start xen.service)
[FAIL] xen: start: this host is not running Xen (it is not a Xen dom0): reboot into the Xen entry of its boot menu (set up by configure) first"
  xen --resources "$T/res" stop
  expect_rc 0
  grep -E "daemon" "$T/err" >"$T/m"
  expect_text "$T/m" "[OK] xen: stop: Xen's daemons are not running here: no guest is running
[INFO] xen: daemons: left running (xen.daemonstop is not set)"
  gres xen.grubowner=none xen.daemonstop=yes
  xen --resources "$T/res" configure
  xen stop
  expect_rc 0
  grep -E "daemon" "$T/err" >"$T/m"
  expect_text "$T/m" "[OK] xen: stop: Xen's daemons are not running here: no guest is running
[INFO] xen: daemon xen: stopped (/bin/systemctl stop xen.service)"
  grep -v dpkg-query "$ROOT/$FH/log" >"$T/log"
  expect_text "$T/log" "systemctl start xen.service
systemctl stop xen.service"
  expect_absent "$ROOT/var/lib/lcfg/xen/sim/services"
}

t_el_daemons_with_init_scripts() {
  fake usr/bin/rpm etc/init.d/xenstored etc/init.d/xenconsoled etc/init.d/xen-init-dom0
  installed xen xen-hypervisor xen-runtime
  booted_dom0
  gres xen.distro=el xen.grubowner=none xen.daemonstop=yes
  unset LCFGXEN_HYPERVISOR   # the real daemons (stand-ins); no guest boots
  xen --resources "$T/res" start
  expect_rc 1
  xen stop
  expect_rc 0
  grep -E "daemon" "$T/err" >"$T/m"
  expect_text "$T/m" "[OK] xen: stop: Xen's daemons are not running here: no guest is running
[INFO] xen: daemon xen-init-dom0: stopped (/etc/init.d/xen-init-dom0 stop)
[INFO] xen: daemon xenconsoled: stopped (/etc/init.d/xenconsoled stop)
[INFO] xen: daemon xenstored: stopped (/etc/init.d/xenstored stop)"
  grep -v 'rpm -q' "$ROOT/$FH/log" >"$T/log"
  expect_text "$T/log" "xenstored start
xenconsoled start
xen-init-dom0 start
xen-init-dom0 stop
xenconsoled stop
xenstored stop"
}

t_failed_daemon_fails_start() {
  fake usr/bin/dpkg-query bin/systemctl; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/run/systemd/system"; booted_dom0
  echo 'Job for xen.service failed because the control process exited with error code.' >"$ROOT/$FH/fail-systemctl"
  gres xen.grubowner=none
  unset LCFGXEN_HYPERVISOR   # the real daemons (stand-ins)
  xen --resources "$T/res" start
  expect_rc 1
  grep -E "daemon|start:" "$T/err" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: daemon xen: /bin/systemctl start xen.service: exited 1: Job for xen.service failed because the control process exited with error code.
[FAIL] xen: start: this host is not running Xen (it is not a Xen dom0): reboot into the Xen entry of its boot menu (set up by configure) first
[FAIL] xen: start: 1 daemon could not be started"
}

t_without_managehost_nothing_on_the_host() {
  fake usr/bin/dpkg-query usr/sbin/update-grub bin/systemctl
  mkdir -p "$ROOT/run/systemd/system" "$ROOT/etc/default"; echo 'XENDOMAINS_SAVE=/var/lib/xen/save' >"$ROOT/etc/default/xendomains"
  gres xen.managehost= xen.dom0mem=1024
  xen --resources "$T/res" start
  expect_rc 0
  xen stop
  expect_rc 0
  log >"$T/log"
  expect_text "$T/log" ""
  expect_absent "$ROOT/$DROPIN"
  expect_absent "$ROOT/var/lib/lcfg/xen/sim/services"
  expect_text "$ROOT/etc/default/xendomains" 'XENDOMAINS_SAVE=/var/lib/xen/save'
}

t_xendomains_save_already_empty_is_left_alone() {
  fake usr/bin/dpkg-query; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/etc/default"
  printf '%s\n' 'XENDOMAINS_SAVE=""' '#XENDOMAINS_SAVE=/var/lib/xen/save' >"$ROOT/etc/default/xendomains"
  before=$(stat -c '%i %Y' "$ROOT/etc/default/xendomains")
  hres xen.grubowner=none
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: packages: all 2 installed
$OKLINE saved resources created"
  [ "$(stat -c '%i %Y' "$ROOT/etc/default/xendomains")" = "$before" ] || { fail "rewritten"; return 1; }
  # Every non-empty assignment is emptied (the shell takes the last one).
  printf '%s\n' 'XENDOMAINS_SAVE=/a' 'XENDOMAINS_SAVE=' 'XENDOMAINS_SAVE=/b' >"$ROOT/etc/default/xendomains"
  xen --resources "$T/res" configure
  expect_text "$ROOT/etc/default/xendomains" 'XENDOMAINS_SAVE=
XENDOMAINS_SAVE=
XENDOMAINS_SAVE='
}

t_daemons_simulated_in_a_domu() {
  fake usr/bin/dpkg-query bin/systemctl; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/run/systemd/system" "$ROOT/sys/hypervisor/properties"
  echo xen >"$ROOT/sys/hypervisor/type"; echo 00002781 >"$ROOT/sys/hypervisor/properties/features"
  gres xen.grubowner=none
  xen --resources "$T/res" start
  expect_rc 0
  grep daemon "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: daemon xen: started (simulated: /bin/systemctl start xen.service)"
  grep -v dpkg-query "$ROOT/$FH/log" >"$T/log" || true
  expect_text "$T/log" ""
}

t_stale_temporaries_of_host_files_are_removed_and_nothing_else() {
  fake usr/bin/dpkg-query usr/sbin/update-grub; installed xen-system-amd64 xen-utils-common
  mkdir -p "$ROOT/etc/default/grub.d"
  echo 'XENDOMAINS_SAVE=' >"$ROOT/etc/default/xendomains"
  # As a run killed between writing and renaming leaves them.
  echo half >"$ROOT/etc/default/grub.d/.#zz-lcfg-xen.cfg.Ab12Cd"
  echo half >"$ROOT/etc/default/.#xendomains.x9Y8z7"
  # Not ours: the other files of /etc/default, their temporaries too.
  echo theirs >"$ROOT/etc/default/grub"
  echo theirs >"$ROOT/etc/default/.#grub.q1W2e3"
  echo theirs >"$ROOT/etc/default/grub.d/.#xen.cfg.Ab12Cd"
  echo theirs >"$ROOT/etc/default/.#xendomains.toolong1"
  hres
  xen --resources "$T/res" configure
  expect_rc 0
  grep temporary "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: configure: removed 1 temporary file of /etc/default/grub.d/zz-lcfg-xen.cfg left by an interrupted run
[INFO] xen: configure: removed 1 temporary file of /etc/default/xendomains left by an interrupted run"
  (cd "$ROOT/etc/default" && find . | LC_ALL=C sort) >"$T/ls"
  expect_text "$T/ls" ".
./.#grub.q1W2e3
./.#xendomains.toolong1
./grub
./grub.d
./grub.d/.#xen.cfg.Ab12Cd
./grub.d/zz-lcfg-xen.cfg
./xendomains"
  cat "$ROOT/etc/default/grub" "$ROOT/etc/default/.#grub.q1W2e3" "$ROOT/etc/default/grub.d/.#xen.cfg.Ab12Cd" \
    "$ROOT/etc/default/.#xendomains.toolong1" >"$T/theirs"
  expect_text "$T/theirs" "theirs
theirs
theirs
theirs"
  # Nothing left: the next run has nothing to say.
  xen --resources "$T/res" configure
  expect_rc 0
  ! grep temporary "$T/err" || { fail "removed temporaries again"; return 1; }
  # Its own prefix makes a temporary the component's, with managehost or
  # not (issue 13: a host once managed leaves them behind too).
  echo half >"$ROOT/etc/default/.lcfg-xen.xendomains.x9Y8z7"
  echo half >"$ROOT/etc/default/grub.d/.lcfg-xen.zz-lcfg-xen.cfg.x9Y8z7"
  hres xen.managehost=
  xen --resources "$T/res" configure
  expect_rc 0
  grep temporary "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: configure: removed 1 temporary file left in /etc/default by an interrupted run
[INFO] xen: configure: removed 1 temporary file left in /etc/default/grub.d by an interrupted run"
  expect_absent "$ROOT/etc/default/.lcfg-xen.xendomains.x9Y8z7"
  expect_exists "$ROOT/etc/default/.#grub.q1W2e3"
}
