# 55-packaging: make dist and the RPM spec build both packages, whose files
# are exactly what make install lays out.

# What a package holds, as "MODE PATH" lines for files and links (rpm's
# build-id links are its own business).
rpm_files() {
  rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$1" | grep -v '^d' | grep -v ' /usr/lib/.build-id/' |
    sed 's/^\(.\)[^ ]* /\1 /; s/\.8\.gz$/.8/' | LC_ALL=C sort
}

t_spec_version_is_the_makefile_version() {
  v=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
  s=$(sed -n 's/^Version: *//p' "$TOP/specfiles/lcfg-xen.spec")
  [ -n "$v" ] && [ "$v" = "$s" ] || { fail "Makefile VERSION '$v', spec Version '$s'"; return 1; }
}

t_rpmbuild_builds_both_packages_from_make_dist() {
  command -v rpmbuild >/dev/null || skip "rpmbuild is not installed (apt-get install rpm; scripts/install-deps does)"
  v=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
  make -s -C "$TOP" dist B="$T/dist" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  expect_text "$T/log" "dist: $T/dist/lcfg-xen-$v.tar.gz"
  # The tarball holds the spec and builds on its own.
  tar -tzf "$T/dist/lcfg-xen-$v.tar.gz" >"$T/tar"
  grep -qx "lcfg-xen-$v/specfiles/lcfg-xen.spec" "$T/tar" || { fail "no spec in the tarball"; return 1; }
  grep -q "^lcfg-xen-$v/build" "$T/tar" && { fail "build output in the tarball"; return 1; }
  rpmbuild -bb --nodeps --define "_topdir $T/rpm" --define "_sourcedir $T/dist" \
    --define "debug_package %{nil}" "$TOP/specfiles/lcfg-xen.spec" >"$T/rb" 2>&1 ||
    { tail -30 "$T/rb"; return 1; }
  arch=$(rpm --eval '%{_arch}')
  (cd "$T/rpm/RPMS" && find . -name '*.rpm' | LC_ALL=C sort) >"$T/rpms"
  printf '%s\n' "./$arch/lcfg-xen-$v-1.$arch.rpm" "./noarch/lcfg-xen-defaults-s1-$v-1.noarch.rpm" |
    LC_ALL=C sort >"$T/want"
  expect_text "$T/rpms" "$(cat "$T/want")"
  main=$T/rpm/RPMS/$arch/lcfg-xen-$v-1.$arch.rpm
  defs=$T/rpm/RPMS/noarch/lcfg-xen-defaults-s1-$v-1.noarch.rpm
  rpm_files "$defs" >"$T/defs"
  expect_text "$T/defs" "- /usr/lib/lcfg/defaults/server/xen-1.def
- /var/lcfg/conf/server/include/mdp/options/xen-host.h
- /var/lcfg/conf/server/include/phys/hw/xen_vm.h"
  # Both packages together hold exactly what make install installs.
  { rpm_files "$main"; rpm_files "$defs"; } | LC_ALL=C sort >"$T/pkgd"
  make -s -C "$TOP" install B="$BUILD" DESTDIR="$T/dest" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  (cd "$T/dest" && find . \( -type f -o -type l \) -printf '%M %p\n' | sed 's/^\(.\)[^ ]* \./\1 /' |
    LC_ALL=C sort) >"$T/inst"
  expect_text "$T/pkgd" "$(cat "$T/inst")"
  grep -q '^- /usr/lib/lcfg/components/xen$' "$T/pkgd" || { fail "no component in the package"; return 1; }
  # %post reconfigures an upgraded, started component.
  rpm -qp --scripts "$main" >"$T/post"
  grep -qF '/usr/bin/om xen isstarted -q' "$T/post" && grep -qF 'om xen configure' "$T/post" ||
    { fail "%post does not reconfigure a started component:"; cat "$T/post"; return 1; }
  [ "$(rpm -qp --qf '%{ARCH}' "$defs")" = noarch ] || { fail "defaults package is not noarch"; return 1; }
}

# What a .deb holds, as "MODE PATH" lines for files and links (its
# /usr/share/doc is Debian's own).
deb_files() {
  dpkg-deb -c "$1" | awk '{ print substr($1, 1, 1), substr($6, 2) }' | grep -v '^d' |
    grep -v ' /usr/share/doc/' | sed 's/\.8\.gz$/.8/' | LC_ALL=C sort
}

t_debian_packages_from_make_dist() {
  command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
    skip "dpkg-buildpackage or debhelper is not installed (apt-get install dpkg-dev debhelper; scripts/install-deps does)"
  v=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
  d=$(sed -n '1s/^lcfg-xen (\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
  [ "$d" = "$v" ] || { fail "debian/changelog has $d, the Makefile $v"; return 1; }
  make -s -C "$TOP" dist B="$T/dist" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  tar -xzf "$T/dist/lcfg-xen-$v.tar.gz" -C "$T/dist"
  (cd "$T/dist/lcfg-xen-$v" && dpkg-buildpackage -b -us -uc) >"$T/db" 2>&1 || { tail -30 "$T/db"; return 1; }
  arch=$(dpkg --print-architecture)
  (cd "$T/dist" && ls ./*.deb | grep -v dbgsym | LC_ALL=C sort) >"$T/debs"
  expect_text "$T/debs" "./lcfg-xen-defaults-s1_${v}_all.deb
./lcfg-xen_${v}_$arch.deb"
  { deb_files "$T/dist/lcfg-xen_${v}_$arch.deb"; deb_files "$T/dist/lcfg-xen-defaults-s1_${v}_all.deb"; } |
    LC_ALL=C sort >"$T/pkgd"
  make -s -C "$TOP" install B="$BUILD" DESTDIR="$T/dest" >"$T/log" 2>&1 || { cat "$T/log"; return 1; }
  (cd "$T/dest" && find . \( -type f -o -type l \) -printf '%M %p\n' | sed 's/^\(.\)[^ ]* \./\1 /' |
    LC_ALL=C sort) >"$T/inst"
  expect_text "$T/pkgd" "$(cat "$T/inst")"
  deb_files "$T/dist/lcfg-xen-defaults-s1_${v}_all.deb" >"$T/defs"
  expect_text "$T/defs" "- /usr/lib/lcfg/defaults/server/xen-1.def
- /var/lcfg/conf/server/include/mdp/options/xen-host.h
- /var/lcfg/conf/server/include/phys/hw/xen_vm.h"
  dpkg-deb -e "$T/dist/lcfg-xen_${v}_$arch.deb" "$T/ctl"
  grep -qF '/usr/bin/om xen isstarted -q' "$T/ctl/postinst" ||
    { fail "postinst does not reconfigure a started component"; return 1; }
}
