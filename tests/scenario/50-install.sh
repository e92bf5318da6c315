# 50-install: make install lays the component out as LCFG expects.

t_install_layout() {
  make -s -C "$TOP" install B="$BUILD" DESTDIR="$T/dest" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  (cd "$T/dest" && find . -type f | LC_ALL=C sort) >"$T/files"
  grep -v '^./usr/lib/lcfg/conf/xen/' "$T/files" >"$T/fixed"
  expect_text "$T/fixed" "./usr/lib/lcfg/components/xen
./usr/lib/lcfg/defaults/client/xen-1.def
./usr/lib/lcfg/defaults/server/xen-1.def
./usr/lib/lcfg/doc/pod/xen.pod
./usr/share/man/man8/lcfg-xen.8"
  [ -x "$T/dest/usr/lib/lcfg/components/xen" ] || { fail "component not executable"; return 1; }
  for t in "$TOP"/templates/*.tmpl; do
    [ -e "$t" ] || continue
    cmp -s "$t" "$T/dest/usr/lib/lcfg/conf/xen/$(basename "$t")" || { fail "template $t not installed"; return 1; }
  done
  "$T/dest/usr/lib/lcfg/components/xen" --version >"$T/v"
  grep -q '^lcfg-xen ' "$T/v" || { fail "installed binary does not run"; return 1; }
}
