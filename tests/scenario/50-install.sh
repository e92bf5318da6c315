# 50-install: make install lays the component out as LCFG expects.

t_install_layout() {
  make -s -C "$TOP" install B="$BUILD" DESTDIR="$T/dest" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  (cd "$T/dest" && find . -type f | LC_ALL=C sort) >"$T/files"
  grep -v '^./usr/lib/lcfg/conf/xen/' "$T/files" >"$T/fixed"
  expect_text "$T/fixed" "./etc/logrotate.d/lcfg-xen
./usr/lib/lcfg/components/xen
./usr/lib/lcfg/defaults/client/xen-1.def
./usr/lib/lcfg/defaults/server/xen-1.def
./usr/lib/lcfg/doc/pod/xen.pod
./usr/lib/systemd/system/lcfg-xen.service
./usr/share/man/man8/lcfg-xen.8
./var/lcfg/conf/server/include/mdp/options/xen-host.h
./var/lcfg/conf/server/include/phys/hw/xen_vm.h"
  cmp -s "$TOP/defaults/mdp/options/xen-host.h" "$T/dest/var/lcfg/conf/server/include/mdp/options/xen-host.h" ||
    { fail "xen-host.h not installed as it is"; return 1; }
  [ -x "$T/dest/usr/lib/lcfg/components/xen" ] || { fail "component not executable"; return 1; }
  for t in "$TOP"/templates/*.tmpl; do
    [ -e "$t" ] || continue
    cmp -s "$t" "$T/dest/usr/lib/lcfg/conf/xen/$(basename "$t")" || { fail "template $t not installed"; return 1; }
  done
  "$T/dest/usr/lib/lcfg/components/xen" --version >"$T/v"
  grep -q '^lcfg-xen ' "$T/v" || { fail "installed binary does not run"; return 1; }
}

t_man_page_renders_with_man() {
  command -v man >/dev/null || skip "man is not installed (apt-get install man-db)"
  make -s -C "$TOP" install B="$BUILD" DESTDIR="$T/dest" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  (cd "$T/dest/usr/share/man/man8" && MANPAGER=cat MANWIDTH=80 man ./lcfg-xen.8 >"$T/man" 2>"$T/manerr") ||
    { fail "man ./lcfg-xen.8 failed"; cat "$T/manerr"; return 1; }
  expect_text "$T/manerr" ""
  sed -n 3,4p "$T/man" >"$T/name"
  expect_text "$T/name" "NAME
       xen - the LCFG component that turns a host's profile into a Xen host"
  for s in SYNOPSIS DESCRIPTION METHODS RESOURCES "HOST SET-UP" "STARTING AT BOOT" FILES "EXIT STATUS"; do
    grep -q "^$s\$" "$T/man" || { fail "no $s section in the rendered page"; return 1; }
  done
}

# The unit as installed, with the component's path pointed at the build so
# that systemd-analyze can check the command exists.
t_systemd_unit_is_installed_and_valid() {
  make -s -C "$TOP" install B="$BUILD" DESTDIR="$T/dest" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  u=$T/dest/usr/lib/systemd/system/lcfg-xen.service
  grep -E '^(After|Type|RemainAfterExit|ExecStart|ExecStop|WantedBy)=' "$u" >"$T/keys"
  expect_text "$T/keys" "After=local-fs.target network-online.target remote-fs.target
After=xen.service xenstored.service xenconsoled.service xen-init-dom0.service xendomains.service
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/lib/lcfg/components/xen start
ExecStop=/usr/lib/lcfg/components/xen stop
WantedBy=multi-user.target"
  command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (content checked only)"
  mkdir "$T/u"
  sed "s|/usr/lib/lcfg/components/xen|$XEN|" "$u" >"$T/u/lcfg-xen.service"
  systemd-analyze verify --man=no "$T/u/lcfg-xen.service" >"$T/va" 2>&1 || { cat "$T/va"; return 1; }
  expect_text "$T/va" ""
}
