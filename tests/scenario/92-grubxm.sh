# 92-grubxm: GRUB the seed's way (xen.grubowner lcfg-grub: the header sets
# lcfg-grub's resources, the component only checks the GRUB configuration,
# on fixtures in GRUB 2's and GRUB legacy's formats, tests/data/grub), and
# the honest scope of format xm (an xm host's guests are never driven:
# configure renders and creates, the lifecycle methods refuse).

FH=var/fake-host
DROPIN=etc/default/grub.d/zz-lcfg-xen.cfg
XMFAIL="format xm (xen.format): the guests of an xm host (Xen 3.x) cannot be driven by this component, which drives Xen 4.5 and later with xl; configure still renders their xm files, and xendomains boots the boot guests (xen.autostart xendomains)"

# cpp as the LCFG server runs it (45-headers).
render() {
  cpp -P -undef -nostdinc -I"$TOP/defaults" -I"$DATA/headers/include" "$@" | grep -v '^[[:space:]]*$'
}
compiled() { render "$@" | awk -f "$TOP/tests/tools/lcfg-mutate.awk"; }

fake() {
  mkdir -p "$ROOT/$FH"
  for p; do mkdir -p "$ROOT/$(dirname "$p")"; cp "$TOP/tests/tools/fake-host" "$ROOT/$p"; done
}
installed() { printf '%s\n' "$@" >"$ROOT/$FH/installed"; }

# A Debian host whose boot loader is lcfg-grub's (unless a line says
# otherwise), with these lines.
lres() {
  { echo xen.managehost=yes
    case " $* " in *" xen.grubowner="*) ;; *) echo xen.grubowner=lcfg-grub ;; esac
    for l in "$@"; do printf '%s\n' "$l"; done; } >"$T/res"
  fake usr/bin/dpkg-query usr/sbin/update-grub; installed xen-system-amd64 xen-utils-common
}

# GRUB's configuration, from a fixture (sed script applied), at PATH.
grubcfg() {
  mkdir -p "$ROOT/$(dirname "$2")"; sed -e "${3:-}" "$DATA/grub/$1" >"$ROOT/$2"
}

booted_dom0() {
  mkdir -p "$ROOT/sys/hypervisor/properties"; echo xen >"$ROOT/sys/hypervisor/type"
  echo 00002f81 >"$ROOT/sys/hypervisor/properties/features"
}

grub_lines() { grep 'grub' "$T/err" >"$T/g" || true; }

# ---- the header ----

t_header_sets_lcfg_grubs_resources() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  printf '#define XEN_DOM0_MEM 2048\n#define XEN_DOM0_VCPUS 2\n#define XEN_GRUB_OWNER lcfg-grub\n#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" | grep -E 'grub' >"$T/out"
  # Debian: the xen package makes Xen GRUB's default itself.
  expect_text "$T/out" "!xen.grubowner mSET(lcfg-grub)
!grub.xenargs mADD(dom0_mem=2048M,max:2048M)
!grub.xenargs mADD(dom0_max_vcpus=2)"
  printf '#define MDP_OS el5\n#define XEN_DOM0_MEM 1024\n#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" | grep -E 'grub' >"$T/out"
  expect_text "$T/out" "!xen.grubowner mSET(lcfg-grub)
!grub.default mSET(0)
!grub.xenargs mADD(dom0_mem=1024M,max:1024M)"
}

t_header_grub_names_and_default_chosen_by_the_site() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  printf '%s\n' '#define MDP_OS el9' '#define XEN_GRUB_OWNER lcfg-grub' '#define XEN_DOM0_VCPUS 4' \
    '#define XEN_GRUB_DEFAULT 2' '#define XEN_GRUB_RES_DEFAULT grub2.default' \
    '#define XEN_GRUB_RES_XENARGS grub2.hypervisorargs' '#include <mdp/options/xen-host.h>' >"$T/p"
  render "$T/p" | grep -E 'grub' >"$T/out"
  expect_text "$T/out" "!xen.grubowner mSET(lcfg-grub)
!grub2.default mSET(2)
!grub2.hypervisorargs mADD(dom0_max_vcpus=4)"
}

# Hosts without lcfg-grub keep the component's drop-in: no grub resource.
t_header_component_owner_sets_no_grub_resource() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  for os in debian12 el9 el5; do
    printf '#define MDP_OS %s\n#define XEN_DOM0_MEM 1024\n#define XEN_GRUB_OWNER component\n#include <mdp/options/xen-host.h>\n' $os >"$T/p"
    render "$T/p" | grep -E '^!?grub\.' || true
  done >"$T/out"
  expect_text "$T/out" ""
  printf '#define MDP_OS el5\n#define XEN_GRUB_OWNER component\n#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" | grep grubowner >"$T/out"
  expect_text "$T/out" "!xen.grubowner mSET(component)"
}

# The EL5 branch sets only what works on an xm host.
t_header_el5_is_configure_only() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  printf '#define MDP_OS sl5\n#include <mdp/options/xen-host.h>\n' >"$T/p"
  render "$T/p" | grep '^!xen\.' >"$T/out"
  expect_text "$T/out" "!xen.distro mSET(el)
!xen.packages mSET(xen kernel-xen virt-manager)
!xen.daemons mSET(xend)
!xen.format mSET(xm)
!xen.autostart mSET(xendomains)
!xen.managehost mSET(yes)
!xen.grubowner mSET(lcfg-grub)"
}

# ---- the component checks lcfg-grub's GRUB, never writes it ----

t_debian_grub_cfg_with_the_options() {
  lres xen.dom0mem=2048 xen.dom0vcpus=2
  grubcfg debian12-grub.cfg boot/grub/grub.cfg
  booted_dom0
  cp "$ROOT/boot/grub/grub.cfg" "$T/before"
  xen --resources "$T/res" configure
  expect_rc 0
  grub_lines
  expect_text "$T/g" "[INFO] xen: grub: /boot/grub/grub.cfg has a Xen entry with \"dom0_mem=2048M,max:2048M dom0_max_vcpus=2\" (lcfg-grub's: checked, not changed; its default entry is not checked)"
  expect_absent "$ROOT/$DROPIN"
  expect_text "$ROOT/$FH/log" 'dpkg-query -W -f=${Package} ${db:Status-Status}\n xen-system-amd64 xen-utils-common'
  cmp -s "$T/before" "$ROOT/boot/grub/grub.cfg" || { fail "grub.cfg was changed"; return 1; }
}

t_debian_grub_cfg_lacks_an_option() {
  lres xen.dom0mem=4096 'xen.xenopts=loglvl=all'
  grubcfg debian12-grub.cfg boot/grub/grub.cfg
  xen --resources "$T/res" configure
  expect_rc 0
  grub_lines
  expect_text "$T/g" "[WARNING] xen: grub: no Xen entry of /boot/grub/grub.cfg has \"dom0_mem=4096M,max:4096M loglvl=all\" (the closest lacks dom0_mem=4096M,max:4096M loglvl=all): lcfg-grub (xen.grubowner) must give Xen these options"
  grep -c 'reboot into Xen required' "$T/err" >"$T/n"
  expect_text "$T/n" "1"
}

t_grub_cfg_without_xen() {
  lres xen.dom0vcpus=1
  grubcfg debian12-grub.cfg boot/grub2/grub.cfg '/20_linux_xen ###$/,$d'
  xen --resources "$T/res" configure
  grub_lines
  expect_text "$T/g" "[WARNING] xen: grub: /boot/grub2/grub.cfg has no Xen entry: lcfg-grub (xen.grubowner) must boot Xen by default with \"dom0_max_vcpus=1\""
}

t_el5_grub_conf_default_entry() {
  lres xen.distro=el xen.dom0mem=1024
  fake usr/bin/rpm; installed xen kernel-xen virt-manager
  grubcfg el5-grub.conf boot/grub/grub.conf
  ln -s grub.conf "$ROOT/boot/grub/menu.lst"
  xen --resources "$T/res" configure
  grub_lines
  expect_text "$T/g" "[INFO] xen: grub: /boot/grub/grub.conf boots Xen by default with \"dom0_mem=1024M,max:1024M\" (lcfg-grub's: checked, not changed)"
  grubcfg el5-grub.conf boot/grub/grub.conf 's/^default=0$/default=1/'
  xen --resources "$T/res" configure
  grub_lines
  expect_text "$T/g" "[WARNING] xen: grub: /boot/grub/grub.conf boots \"Scientific Linux SL (2.6.18-419.el5)\" by default (default 1), not Xen: lcfg-grub (xen.grubowner) must make a Xen entry the default"
  grubcfg el5-grub.conf boot/grub/grub.conf 's/^default=0$/default=5/; s/max:1024M/max:2048M/'
  xen --resources "$T/res" configure
  grub_lines
  expect_text "$T/g" "[WARNING] xen: grub: no Xen entry of /boot/grub/grub.conf has \"dom0_mem=1024M,max:1024M\" (the closest lacks dom0_mem=1024M,max:1024M): lcfg-grub (xen.grubowner) must give Xen these options
[WARNING] xen: grub: /boot/grub/grub.conf has no entry 5 to boot by default: lcfg-grub (xen.grubowner) must make a Xen entry the default"
  # Only the package database was asked; no GRUB program ran.
  grep -v '^rpm ' "$ROOT/$FH/log" >"$T/log" || true
  expect_text "$T/log" ""
}

t_unreadable_grub_config() {
  lres
  mkdir -p "$ROOT/boot/grub/grub.cfg"
  xen --resources "$T/res" configure
  expect_rc 0
  grub_lines
  expect_text "$T/g" "[WARNING] xen: grub: cannot check lcfg-grub's GRUB configuration: cannot read $ROOT/boot/grub/grub.cfg: Is a directory"
}

# Switched from the component's drop-in to lcfg-grub: the old drop-in is
# pointed at, not touched.
t_drop_in_left_from_the_component_is_warned_about() {
  lres xen.grubowner=component xen.dom0mem=2048
  xen --resources "$T/res" configure
  expect_rc 0
  expect_exists "$ROOT/$DROPIN"
  cp "$ROOT/$DROPIN" "$T/dropin"
  lres xen.dom0mem=2048
  grubcfg debian12-grub.cfg boot/grub/grub.cfg
  : >"$ROOT/$FH/log"
  xen --resources "$T/res" configure
  expect_rc 0
  grub_lines
  expect_text "$T/g" "[WARNING] xen: grub: /etc/default/grub.d/zz-lcfg-xen.cfg is left from xen.grubowner component and update-grub still reads it: remove it (the boot loader belongs to lcfg-grub now)
[INFO] xen: grub: /boot/grub/grub.cfg has a Xen entry with \"dom0_mem=2048M,max:2048M\" (lcfg-grub's: checked, not changed; its default entry is not checked)"
  cmp -s "$T/dropin" "$ROOT/$DROPIN" || { fail "the drop-in was changed"; return 1; }
  grep -c update-grub "$ROOT/$FH/log" >"$T/n" || true
  expect_text "$T/n" "0"
}

t_dry_run_checks_the_same() {
  lres xen.dom0mem=2048 xen.dom0vcpus=2
  grubcfg debian12-grub.cfg boot/grub/grub.cfg
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  grub_lines
  expect_text "$T/g" "[INFO] xen: grub: /boot/grub/grub.cfg has a Xen entry with \"dom0_mem=2048M,max:2048M dom0_max_vcpus=2\" (lcfg-grub's: checked, not changed; its default entry is not checked)"
  expect_text "$T/out" ""
}

# The seed's host profile as written, on an EL5 host with kernel-xen's
# GRUB entry: configure renders the xm file and the xendomains link,
# checks GRUB; start boots nothing itself.
t_seed_host_profile_start() {
  command -v cpp >/dev/null || skip "cpp is not installed"
  compiled "$DATA/headers/host-profile" >"$T/res"
  fake usr/bin/rpm; installed xen kernel-xen virt-manager
  grubcfg el5-grub.conf boot/grub/grub.conf
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  expect_msgs "$T/err" "[INFO] xen: packages: all 3 installed
[INFO] xen: grub: /boot/grub/grub.conf boots Xen by default (lcfg-grub's: checked, not changed)
[WARNING] xen: host: reboot into Xen required (/sys/hypervisor/type is not xen)
[INFO] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg created
[INFO] xen: guest 'pe2900x1': autostart link /etc/xen/auto/pe2900x1.cfg -> /etc/xen/pe2900x1.cfg created
[OK] xen: configure: 1 guest: 1 created, 0 updated, 0 unchanged, 0 retired; saved resources created
[INFO] xen: daemon xend: started (simulated: /etc/init.d/xend start)
[OK] xen: start: format xm: configured; xendomains boots the boot guests (xen.autostart xendomains)"
  grep -F ',xvd' "$ROOT/etc/xen/pe2900x1.cfg" >"$T/disks"
  expect_text "$T/disks" '    "file:/var/lib/xen/images/pe2900x1.img,xvda,w",
    "file:/var/lib/xen/images/pe2900x1-2.img,xvdb,w",'
  expect_absent "$ROOT/$SIM/domains"
  xen isstarted -q
  expect_rc 0
  xen --hypervisor sim stop
  expect_rc 0
  expect_text "$T/err" "[OK] xen: stop: format xm: no guest stopped; xendomains stops the boot guests (xen.autostart xendomains)
[INFO] xen: daemons: left running (xen.daemonstop is not set)"
  xen isstarted -q
  expect_rc 1
}

# ---- format xm: no domain is driven ----

t_xm_lifecycle_methods_refuse() {
  guests 1 xen.format=xm xen.boot_g1=
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  expect_exists "$ROOT/etc/xen/g1.cfg"
  for m in "boot g1" "shutdown g1" "reboot g1" "destroy g1" "destroy --force g1" run; do
    set -- $m
    xen --hypervisor sim "$@"
    expect_rc 1
    expect_text "$T/err" "[FAIL] xen: $1: $XMFAIL"
    xen --hypervisor sim --dry-run "$@"
    expect_rc 1
    expect_text "$T/err" "[FAIL] xen: $1: $XMFAIL"
  done
  # Without boot guests stop has nothing to refuse.
  xen --hypervisor sim stop
  expect_rc 0
  expect_text "$T/err" "[OK] xen: stop: format xm: no guest stopped; no guest has boot set"
  expect_absent "$ROOT/$SIM"
}

# Boot guests with nobody to boot them: start and stop refuse.
t_xm_start_and_stop_refuse_without_xendomains() {
  guests 2 xen.format=xm
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 1
  expect_msgs "$T/err" "[INFO] xen: guest 'g1': /etc/xen/g1.cfg created
[INFO] xen: guest 'g2': /etc/xen/g2.cfg created
[OK] xen: configure: 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; saved resources created
[FAIL] xen: start: $XMFAIL"
  grep -c '^name = "g1"$' "$ROOT/etc/xen/g1.cfg" >"$T/n"
  expect_text "$T/n" "1"
  expect_absent "$ROOT/$SIM"
  xen --hypervisor sim stop
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: stop: $XMFAIL"
  expect_absent "$ROOT/$SIM"
}

# A host changed to format xm (its guests running under xl): configure
# renders the xm files, changes no domain; status does not look.
t_xm_configure_and_status_leave_domains_alone() {
  guests 1
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  cp "$ROOT/$SIM/domains" "$T/domains"
  guests 1 xen.format=xm xen.memory_g1=200 xen.maxmem_g1=512 xen.onremove=shutdown
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  expect_msgs "$T/err" "[INFO] xen: configure: format xm: running guests are neither looked at nor changed (this component drives only xl); a change reaches a guest at its next boot
[INFO] xen: guest 'g1': /etc/xen/g1.cfg updated
[OK] xen: configure: 1 guest: 0 created, 1 updated, 0 unchanged, 0 retired; saved resources updated"
  grep -E '^(memory|maxmem|builder) ' "$ROOT/etc/xen/g1.cfg" >"$T/cfg"
  expect_text "$T/cfg" "memory = 200
maxmem = 512"
  cmp -s "$T/domains" "$ROOT/$SIM/domains" || { fail "a domain was changed"; diff "$T/domains" "$ROOT/$SIM/domains"; return 1; }
  # Nothing changed since: said no more.
  xen --hypervisor sim --resources "$T/res" configure
  expect_text "$T/err" "[OK] xen: configure: 1 guest: 0 created, 0 updated, 1 unchanged, 0 retired; disks: 0 created, 1 present, 0 of another size, 0 refused; saved resources unchanged"
  xen --hypervisor sim status
  expect_rc 0
  head -n 1 "$T/out" >"$T/s"
  expect_text "$T/s" "Configured guests: 1 (running state unknown: format xm, whose domains this component does not look at)"
  xen --hypervisor sim status --json
  grep -o '"hypervisor": *[a-z]*' "$T/out" >"$T/j" || true
  expect_text "$T/j" '"hypervisor": false'
  cmp -s "$T/domains" "$ROOT/$SIM/domains" || { fail "a domain was changed"; return 1; }
}
