# 84-install: a guest's OS installed on its first boot (install_<tag>): only
# new disks are installed, once; the install config of every mode; how an
# install ends (power-off, crash, gone, timeout); kills at every write.

# The installer's files, and guest g1 (plus extra resource lines) to be
# installed by kernel; the simulator's installer ends after $INSTALL_MS.
installer() {
  mkdir -p "$ROOT/srv/pie" "$ROOT/$SIM"
  echo kernel >"$ROOT/srv/pie/vmlinuz"
  echo initrd >"$ROOT/srv/pie/initrd.img"
  guests 1 'xen.install_g1=kernel' 'xen.installkernel=/srv/pie/vmlinuz' \
    'xen.installramdisk=/srv/pie/initrd.img' 'xen.mac_g1=00:16:3e:00:00:01' \
    'xen.installextra=console=hvc0 hostname=@name@ mac=@mac@' "$@"
  echo "g1 install_ms=${INSTALL_MS:-300}" >"$ROOT/$SIM/control"
}

# Messages without times and domids.
plain() {
  sed -E 's/(on|since) [0-9-]+ [0-9:]+ UTC/\1 DATE/g; s/domid [0-9]+/domid N/g; s/in [0-9]+ s \(its/in N s (its/' "$1"
}

# The install's state in the record.
expect_record() {
  awk '!/^#/ { print $3 }' "$ROOT/var/lib/lcfg/xen/installs" >"$T/rec"
  expect_text "$T/rec" "$1"
}

t_fresh_disk_is_installed_then_boots_its_own_config() {
  installer
  xen --resources "$T/res" start
  expect_rc 0
  plain "$T/err" | grep -v "configure:" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': to be installed at its first boot (install kernel /srv/pie/vmlinuz, ramdisk /srv/pie/initrd.img: its disks are new)
[INFO] xen: guest 'g1': disk /var/lib/xen/images/g1.img: created (1 GB raw image, sparse)
[INFO] xen: guest 'g1': /etc/xen/g1.cfg created
[INFO] xen: guest 'g1': installing (domid N) from /etc/xen/install/g1.cfg: it boots its own config once its installer has powered off
[OK] xen: start: guests with boot set are running"
  expect_record running
  grep -q '^cmdline = "console=hvc0 hostname=g1 mac=00:16:3e:00:00:01"$' "$ROOT/etc/xen/install/g1.cfg" ||
    { fail "the install config lacks the command line:"; cat "$ROOT/etc/xen/install/g1.cfg"; return 1; }
  # Still installing: run leaves it alone.
  xen run
  expect_rc 0
  plain "$T/err" | head -n 1 >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': installing (domid N, since DATE; a failure after 7200 s)"
  xen status
  grep '^  install' "$T/out" | sed -E 's/since [0-9-]+ [0-9:]+ UTC, [0-9]+ s/since DATE, N s/; s/domid [0-9]+/domid N/' >"$T/st"
  expect_text "$T/st" "  install   running (install kernel /srv/pie/vmlinuz, ramdisk /srv/pie/initrd.img, domid N) since DATE, N s; a failure after 7200 s"
  sleep 0.4
  xen status
  grep '^  install' "$T/out" >"$T/st"
  expect_text "$T/st" "  install   finished (its installer powered off): recorded at the next start, run or boot"
  xen run
  expect_rc 0
  plain "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': installed in N s (its installer powered off)
[INFO] xen: guest 'g1': booted (domid N)
[OK] xen: run: guests with boot set are running"
  expect_record installed
  expect_absent "$ROOT/etc/xen/install/g1.cfg"
  # Never again: stopped and started, it boots its own config.
  xen stop
  xen --resources "$T/res" start
  expect_rc 0
  grep "g1'" "$T/err" | plain /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': booted (domid N)"
  xen status
  grep '^  install' "$T/out" | sed -E 's/on [0-9-]+ [0-9:]+ UTC/on DATE/' >"$T/st"
  expect_text "$T/st" "  install   installed on DATE"
}

t_crash_is_a_failure_not_retried_until_boot_asks() {
  installer
  echo "g1 install_ms=100 install_end=crash" >"$ROOT/$SIM/control"
  xen --resources "$T/res" start
  expect_rc 0
  sleep 0.2
  xen run
  expect_rc 1
  plain "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': install failed: its installer crashed; not retried (boot g1 tries again)
[ERROR] xen: guest 'g1': not booted: its install failed on DATE (its installer crashed); not retried: boot g1 tries again
[FAIL] xen: run: 2 guests could not be booted"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
  # Not looped: every run says so and boots nothing.
  xen run
  expect_rc 1
  plain "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': not booted: its install failed on DATE (its installer crashed); not retried: boot g1 tries again
[FAIL] xen: run: 1 guest could not be booted"
  xen --resources "$T/res" start
  expect_rc 1
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
  xen status
  grep '^  install' "$T/out" | sed -E 's/on [0-9-]+ [0-9:]+ UTC/on DATE/' >"$T/st"
  expect_text "$T/st" "  install   failed on DATE: its installer crashed (boot g1 tries again)"
  # boot NAME tries again; this time the installer powers off.
  echo "g1 install_ms=100" >"$ROOT/$SIM/control"
  xen boot g1
  expect_rc 0
  plain "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': installing (domid N) from /etc/xen/install/g1.cfg: it boots its own config once its installer has powered off"
  sleep 0.2
  xen run
  expect_rc 0
  plain "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': installed in N s (its installer powered off)
[INFO] xen: guest 'g1': booted (domid N)
[OK] xen: run: guests with boot set are running"
}

t_existing_disk_is_never_installed() {
  installer
  # An image that was there before (made by someone else).
  truncate -s 1G "$ROOT/var/lib/xen/images/g1.img"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "install|booted" "$T/err" | plain /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': booted (domid N)"
  expect_absent "$ROOT/etc/xen/install/g1.cfg"
  xen status
  grep '^  install' "$T/out" >"$T/st"
  expect_text "$T/st" "  install   not done: its disks were not created with install set: an existing disk is never installed"
}

t_disk_made_before_install_was_asked_is_never_installed() {
  installer
  grep -v install "$T/res" >"$T/plain.res"
  xen --resources "$T/plain.res" start
  expect_rc 0
  xen stop
  # install set afterwards: the disk may hold data by now.
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "install|booted" "$T/err" | plain /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': booted (domid N)"
  # Nor is a new second disk made later a reason to install the first.
  xen stop
  echo "xen.disksec_g1=1" >>"$T/res"
  xen --resources "$T/res" start
  expect_rc 0
  grep -E "install|booted" "$T/err" | plain /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': booted (domid N)"
  xen status
  grep '^  install' "$T/out" >"$T/st"
  expect_text "$T/st" "  install   not done: its disks were not created with install set: an existing disk is never installed"
}

t_timeout_destroys_the_installer() {
  INSTALL_MS=600000 installer 'xen.installtimeout=1'
  xen --resources "$T/res" start
  expect_rc 0
  sleep 1.2
  xen run
  expect_rc 1
  plain "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': install failed: its installer did not finish in 1 s (xen.installtimeout); not retried (boot g1 tries again)
[ERROR] xen: guest 'g1': not booted: its install failed on DATE (its installer did not finish in 1 s (xen.installtimeout)); not retried: boot g1 tries again
[FAIL] xen: run: 2 guests could not be booted"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
}

t_stop_destroy_and_shutdown_during_install() {
  INSTALL_MS=600000 installer
  xen --resources "$T/res" start
  # A shut-down installer would look finished: shutdown refuses it.
  xen shutdown g1
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: shutdown: guest 'g1' is being installed: a shutdown would end its install as if it had finished; destroy g1 ends it (a failed install)
[FAIL] xen: shutdown: 1 failure"
  # stop destroys it: a failed install, said at the next run.
  xen stop
  expect_rc 0
  plain "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': destroyed (domid N)
[OK] xen: stop: 1 guest stopped"
  xen --resources "$T/res" start
  expect_rc 1
  grep "g1'" "$T/err" | plain /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': install failed: its domain went away before the installer finished (destroyed, stopped, or the host restarted); not retried (boot g1 tries again)
[ERROR] xen: guest 'g1': not booted: its install failed on DATE (its domain went away before the installer finished (destroyed, stopped, or the host restarted)); not retried: boot g1 tries again"
}

t_installer_missing_is_not_booted_nor_recorded() {
  installer
  rm "$ROOT/srv/pie/initrd.img"
  xen --resources "$T/res" start
  expect_rc 1
  grep "g1'" "$T/err" | grep -v "': disk \|cfg created\|to be installed" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': not booted: its installer ramdisk /srv/pie/initrd.img cannot be used: No such file or directory"
  expect_record pending
  echo initrd >"$ROOT/srv/pie/initrd.img"
  xen run
  expect_rc 0
  grep -c "installing (domid" "$T/err" >"$T/n"
  expect_text "$T/n" "1"
}

t_dry_runs_say_who_would_be_installed() {
  installer
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  grep "installed" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g1': would be installed at its first boot (install kernel /srv/pie/vmlinuz, ramdisk /srv/pie/initrd.img: its disks are new)"
  xen --resources "$T/res" configure
  snapshot >"$T/before"
  xen --dry-run run
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: guest 'g1': would be installed (install kernel /srv/pie/vmlinuz, ramdisk /srv/pie/initrd.img)
[OK] xen: run (dry run): 1 guest would be acted on; nothing changed"
  snapshot >"$T/after"
  expect_text "$T/after" "$(cat "$T/before")"
}

t_rename_during_install() {
  INSTALL_MS=800 installer
  xen --resources "$T/res" start
  expect_rc 0
  echo "xen.name_g1=web1" >>"$T/res"
  xen --resources "$T/res" configure
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
web1 running"
  sleep 0.9
  # The installer ended under its new name: the install is the guest's
  # (its UUID), its disk not yet renamed (held while it ran).
  xen run
  plain "$T/err" | head -n 1 >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'web1': installed in N s (its installer powered off)"
  xen --resources "$T/res" start
  expect_rc 0
  grep "web1'" "$T/err" | grep -v "cfg\|renamed" | plain /dev/stdin >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'web1': booted (domid N)"
  expect_exists "$ROOT/var/lib/xen/images/web1.img"
  expect_record installed
}

t_validation() {
  installer 'xen.type_g1=hvm' 'xen.installextra_g1=a"b' 'xen.installkernel_g1=rel/vmlinuz'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "g1'" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': resource installkernel_g1: 'rel/vmlinuz' is not an absolute path
[ERROR] xen: guest 'g1': resource installextra_g1: 'a\"b' contains a quote, backslash, control or non-ASCII character
[ERROR] xen: guest 'g1': resource install_g1: 'kernel' is for pv and pvh guests (an hvm guest installs by pxe or cdrom)"
  guests 2 'xen.install_g1=cdrom' 'xen.type_g1=hvm' 'xen.install_g2=pxe' \
    'xen.installextra=x=@mac@'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "guest '" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': resource cdpath_g1: missing (install_g1 is cdrom: the installer's ISO image)
[ERROR] xen: guest 'g1': resource mac_g1: missing (the installer's command line passes @mac@)
[ERROR] xen: guest 'g2': resource install_g2: 'pxe' is for hvm guests (a pv or pvh guest installs by kernel)
[ERROR] xen: guest 'g2': resource mac_g2: missing (the installer's command line passes @mac@)"
  guests 1 'xen.install_g1=floppy'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "g1'" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': resource install_g1: 'floppy' is not an install mode (empty, kernel, pxe or cdrom)"
}

# The install config of every mode: exact text, and what the real xl
# parser reads from it.
XL_INSTALL='{ type: .c_info.type, kernel: .b_info.kernel, ramdisk: .b_info.ramdisk,
  cmdline: .b_info.cmdline, bootloader: .b_info.bootloader, boot: .b_info["type.hvm"].boot,
  disks: [.disks[]? | {pdev_path, vdev, is_cdrom}],
  on_poweroff, on_reboot, on_crash }'

data_cases() { echo kernel-pv; echo kernel-pvh; echo pxe; echo cdrom; }

data_case() {
  mkdir -p "$ROOT/srv/pie" "$ROOT/srv/iso"
  echo k >"$ROOT/srv/pie/vmlinuz"
  echo i >"$ROOT/srv/pie/initrd.img"
  echo iso >"$ROOT/srv/iso/netinst.iso"
  case $1 in
    kernel-pv) set -- 'xen.install_g1=kernel' 'xen.installkernel_g1=/srv/pie/vmlinuz' 'xen.installextra_g1=console=hvc0 ks=http://ks/@name@.cfg' ;;
    kernel-pvh) set -- 'xen.install_g1=kernel' 'xen.type_g1=pvh' 'xen.kernel_g1=/boot/vmlinuz-guest' \
                       'xen.installkernel=/srv/pie/vmlinuz' 'xen.installramdisk=/srv/pie/initrd.img' ;;
    pxe) set -- 'xen.install_g1=pxe' 'xen.type_g1=hvm' 'xen.mac_g1=00:16:3e:00:00:07' ;;
    cdrom) set -- 'xen.install_g1=cdrom' 'xen.type_g1=hvm' 'xen.cdpath_g1=/srv/iso/netinst.iso' ;;
  esac
  mode=$(printf '%s\n' "$@" | sed -n 's/^xen.install_g1=//p')
  name=$mode; [ "$mode" = kernel ] && name=$(printf '%s\n' "$@" | grep -q pvh && echo kernel-pvh || echo kernel-pv)
  guests 1 "$@"
  mkdir -p "$ROOT/boot"; echo k >"$ROOT/boot/vmlinuz-guest"
  xen --resources "$T/res" start
  expect_rc 0
  expect_golden "$ROOT/etc/xen/install/g1.cfg" "$DATA/install/$name.cfg"
  xl_parse "$ROOT/etc/xen/install/g1.cfg" >"$T/xl.json" 2>"$T/xlerr" || { fail "xl rejects it:"; cat "$T/xlerr"; return 1; }
  [ ! -s "$T/xlerr" ] || { fail "xl warns:"; cat "$T/xlerr"; return 1; }
  jq -S "$XL_INSTALL" "$T/xl.json" >"$T/xl.out"
  expect_golden "$T/xl.out" "$DATA/install/$name.xl.json"
}

# Killed (SIGKILL) at every point where a run commits a file (each rename
# of an atomic write, each fsync before and after it, each unlink), then
# run again: the record and the domains agree whatever the point. An
# install is never done twice, never recorded as finished unless its
# installer powered off, and a guest not installed is never booted from
# its own config. (strace injects the kill, as in 85-crash; the boots'
# children are not traced: they run on, as xl does when its caller dies.)

# A root with g1's installer, and (but for phase start) its installer
# booted (guests, in lib.sh, sets n and i: the loop below counts in at_n); made afresh each time, not copied: a disk is known by its
# inode (disks.h), which a copy does not keep.
fresh_root() {
  rm -rf "$w"
  mkdir -p "$w/usr/lib/lcfg/conf/xen" "$w/var/lib/xen/images"
  cp "$TOP"/templates/*.tmpl "$w/usr/lib/lcfg/conf/xen/"
  ROOT=$w installer
  echo "g1 install_ms=0${1:+ $1}" >"$w/$SIM/control"
  [ "$phase" = start ] || ROOT=$w xen --resources "$T/res" start
}

kill_loop() { # phase: start | settle | crash
  phase=$1
  command -v strace >/dev/null || skip "strace is not installed"
  kills=0; w=$T/w; end=${2:-}
  for sc in rename fsync unlink; do
    at_n=1
    while :; do
      fresh_root "$end"
      rc=0
      if [ "$phase" = start ]; then set -- --resources "$T/res" start; else set -- run; fi
      ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
      strace -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=KILL:when=$at_n \
        "$XEN" --root "$w" "$@" >/dev/null 2>"$T/killed.err" || rc=$?
      [ $rc -eq 137 ] || break
      kills=$((kills + 1))
      : >"$T/rec.err"
      "$XEN" --root "$w" --resources "$T/res" start >/dev/null 2>>"$T/rec.err" || :
      "$XEN" --root "$w" run >/dev/null 2>>"$T/rec.err" || :
      "$XEN" --root "$w" run >/dev/null 2>>"$T/rec.err" || :
      state=$(awk '!/^#/ { print $3 }' "$w/var/lib/lcfg/xen/installs")
      running=$(awk '!/^#/ && NF > 3 && $2 == "g1" { print $4 }' "$w/$SIM/domains")
      installs=$(cat "$T/killed.err" "$T/rec.err" | grep -c "installing (domid [0-9]*) from" || :)
      [ "$phase" = start ] || installs=$((installs + 1)) # booted by fresh_root
      at="$phase: $sc #$at_n"
      [ "$installs" -le 1 ] || { fail "$at: installed $installs times"; cat "$T/rec.err"; return 1; }
      case $phase/$state in
        start/installed|settle/installed)
          [ "$running" = running ] || { fail "$at: installed, but g1 is '$running'"; cat "$T/rec.err"; return 1; } ;;
        start/failed)
          # Killed between recording the installer's boot and booting it.
          grep -q "went away" "$w/var/lib/lcfg/xen/installs" ||
            { fail "$at: failed for another reason:"; cat "$w/var/lib/lcfg/xen/installs"; return 1; }
          [ -z "$running" ] || { fail "$at: failed install, but g1 is '$running'"; return 1; } ;;
        crash/failed)
          grep -q "crashed" "$w/var/lib/lcfg/xen/installs" ||
            { fail "$at: failed for another reason:"; cat "$w/var/lib/lcfg/xen/installs"; return 1; }
          [ -z "$running" ] || [ "$running" = crashed ] ||
            { fail "$at: g1 is '$running'"; cat "$T/killed.err" "$T/rec.err"; return 1; } ;;
        *) fail "$at: the install is '$state' after recovery"; cat "$T/rec.err"; return 1 ;;
      esac
      at_n=$((at_n + 1))
    done
    [ $rc -eq 0 ] || [ "$phase" = crash ] || { fail "$phase: the run without a kill exited $rc"; cat "$T/killed.err"; return 1; }
  done
  [ $kills -ge 3 ] || { fail "only $kills kills: the injection did not work"; return 1; }
}

t_kill_at_every_write_of_start_then_recover() { kill_loop start; }
t_kill_at_every_write_of_run_finishing_an_install() { kill_loop settle; }
t_kill_at_every_write_of_run_finishing_a_crashed_install() { kill_loop crash install_end=crash; }
