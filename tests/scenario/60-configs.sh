# 60-configs: guest configuration files rendered from templates, written
# safely, checked with the real xl parser.

SEED="$DATA/seed/profile.xml"

# The fields of xl's parse that the golden data pins down.
XL_FIELDS='{
  name: .c_info.name, uuid: .c_info.uuid, type: .c_info.type,
  max_memkb: .b_info.max_memkb, target_memkb: .b_info.target_memkb,
  max_vcpus: .b_info.max_vcpus, avail_vcpus: .b_info.avail_vcpus,
  kernel: .b_info.kernel, ramdisk: .b_info.ramdisk, cmdline: .b_info.cmdline,
  bootloader: .b_info.bootloader,
  disks: [.disks[]? | {pdev_path, vdev, format, readwrite, is_cdrom, backend}],
  nics: [.nics[]? | {devid, mac, bridge, script}],
  on_poweroff, on_reboot, on_crash
}'

# Each directory of tests/data/render: resources -> expected/<guest>.cfg,
# and xl's reading of each -> expected/<guest>.xl.json.
data_cases() { for d in "$DATA"/render/*/; do basename "$d"; done; }

data_case() {
  dir=$DATA/render/$1
  [ ! -f "$dir/setup" ] || . "$dir/setup"
  xen --resources "$dir/resources" configure
  expect_rc 0
  mkdir -p "$dir/expected"
  (cd "$ROOT/etc/xen" && ls) >"$T/produced"
  if [ "${REGENERATE:-}" = 1 ]; then
    rm -f "$dir"/expected/*.cfg
    cp "$ROOT"/etc/xen/*.cfg "$dir/expected/"
  fi
  (cd "$dir/expected" && ls *.cfg) >"$T/wanted"
  expect_golden "$T/produced" "$T/wanted"
  for f in "$ROOT"/etc/xen/*.cfg; do
    g=$(basename "$f" .cfg)
    expect_golden "$f" "$dir/expected/$g.cfg"
    perm=$(stat -c %a "$f")
    [ "$perm" = 600 ] || { fail "$f has mode $perm, not 600"; return 1; }
    xl_parse "$dir/expected/$g.cfg" >"$T/$g.json" 2>"$T/$g.xlerr" || { fail "xl rejects $g.cfg:"; cat "$T/$g.xlerr"; return 1; }
    # xl only warns about some bad values: there must be no warning at all.
    [ ! -s "$T/$g.xlerr" ] || { fail "xl warns about $g.cfg:"; cat "$T/$g.xlerr"; return 1; }
    jq -S "$XL_FIELDS" "$T/$g.json" >"$T/$g.xl.json"
    expect_golden "$T/$g.xl.json" "$dir/expected/$g.xl.json"
  done
}

t_seed_configure_reports_each_guest() {
  xen --profile "$SEED" configure
  expect_rc 0
  expect_msgs "$T/err" "[INFO] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg created
[INFO] xen: guest 'testVMxen': /etc/xen/testVMxen.cfg created
[OK] xen: configure: 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; saved resources created"
}

t_second_configure_rewrites_nothing() {
  xen --profile "$SEED" configure
  stat -c '%i %Y %y' "$ROOT"/etc/xen/*.cfg >"$T/before"
  sleep 1.1
  xen --profile "$SEED" configure
  expect_rc 0
  # Only changes are reported; --debug shows what was found unchanged.
  expect_msgs "$T/err" "[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged"
  xen --debug --profile "$SEED" configure
  expect_rc 0
  grep -v '^\[DEBUG\] xen: configure: resources from' "$T/err" >"$T/err2"
  expect_msgs "$T/err2" "[DEBUG] xen: configure: 0 of 2 guests rendered; the files of the others hold what they would render
[DEBUG] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg unchanged
[DEBUG] xen: guest 'testVMxen': /etc/xen/testVMxen.cfg unchanged
[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged"
  stat -c '%i %Y %y' "$ROOT"/etc/xen/*.cfg >"$T/after"
  expect_golden "$T/after" "$T/before"
}

t_changed_profile_updates_only_that_guest() {
  xen --profile "$SEED" configure
  ino=$(stat -c %i "$ROOT/etc/xen/pe2900x1.cfg")
  sed 's/^xen.memory_testVMxen=1024/xen.memory_testVMxen=768/' "$DATA/seed/resources" >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_msgs "$T/err" "[INFO] xen: guest 'testVMxen': /etc/xen/testVMxen.cfg updated
[OK] xen: configure: 2 guests: 0 created, 1 updated, 1 unchanged, 0 retired; saved resources updated"
  grep -qx 'memory = 768' "$ROOT/etc/xen/testVMxen.cfg" || { fail "memory not updated"; return 1; }
  [ "$ino" = "$(stat -c %i "$ROOT/etc/xen/pe2900x1.cfg")" ] || { fail "unchanged file rewritten"; return 1; }
  ls -A "$ROOT/etc/xen" >"$T/ls"
  expect_text "$T/ls" "pe2900x1.cfg
testVMxen.cfg"
}

t_dry_run_shows_diffs_and_changes_nothing() {
  xen --profile "$SEED" configure
  sed 's/^xen.memory_testVMxen=1024/xen.memory_testVMxen=768/' "$DATA/seed/resources" >"$T/res"
  echo 'xen.vcpus_pe2900x1=2' >>"$T/res"
  before=$(snapshot)
  xen --dry-run --resources "$T/res" configure
  expect_rc 0
  expect_msgs "$T/err" "[INFO] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg would be updated
[INFO] xen: guest 'testVMxen': /etc/xen/testVMxen.cfg would be updated
[OK] xen: configure (dry run): 2 guests: 0 created, 2 updated, 0 unchanged, 0 retired; saved resources would be updated; nothing changed"
  expect_text "$T/out" "--- /etc/xen/pe2900x1.cfg
+++ /etc/xen/pe2900x1.cfg
@@ -5,8 +5,8 @@
 type = \"pv\"
 memory = 256
 maxmem = 512
-vcpus = 1
-maxvcpus = 1
+vcpus = 2
+maxvcpus = 2
 bootloader = \"pygrub\"
 disk = [
     \"format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/pe2900x1.img\",
--- /etc/xen/testVMxen.cfg
+++ /etc/xen/testVMxen.cfg
@@ -3,7 +3,7 @@
 name = \"testVMxen\"
 uuid = \"0a2040b3-3d85-49d4-accc-e38bc2e51a6d\"
 type = \"pv\"
-memory = 1024
+memory = 768
 maxmem = 1024
 vcpus = 1
 maxvcpus = 1"
  [ "$before" = "$(snapshot)" ] || { fail "the dry run changed files"; return 1; }
}

t_dry_run_of_a_new_guest_shows_the_whole_file() {
  xen --dry-run --resources "$DATA/render/pvh/resources" configure
  expect_rc 0
  { printf -- '--- /dev/null\n+++ /etc/xen/pvh1.cfg\n@@ -0,0 +1,%s @@\n' \
      "$(wc -l <"$DATA/render/pvh/expected/pvh1.cfg")"
    sed 's/^/+/' "$DATA/render/pvh/expected/pvh1.cfg"; } >"$T/want"
  expect_golden "$T/out" "$T/want"
  expect_absent "$ROOT/etc/xen/pvh1.cfg"
}

t_guest_leaving_the_profile_is_retired_not_deleted() {
  xen --profile "$SEED" configure
  cp "$ROOT/etc/xen/pe2900x1.cfg" "$T/old.cfg"
  grep -v '_pe2900x1=' "$DATA/seed/resources" | sed 's/^xen.virtualmachines=.*/xen.virtualmachines=testVMxen/' >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  sed -E 's/[0-9]{8}-[0-9]{6}/STAMP/' "$T/err" >"$T/err2"
  expect_msgs "$T/err2" "[INFO] xen: guest 'pe2900x1': left the profile: /etc/xen/pe2900x1.cfg retired to /var/lib/lcfg/xen/retired/pe2900x1.cfg.STAMP (its disks are kept)
[OK] xen: configure: 1 guest: 0 created, 0 updated, 1 unchanged, 1 retired; saved resources updated"
  expect_absent "$ROOT/etc/xen/pe2900x1.cfg"
  retired=$(ls "$ROOT"/var/lib/lcfg/xen/retired/pe2900x1.cfg.*)
  cmp -s "$retired" "$T/old.cfg" || { fail "retired file differs"; return 1; }
  # Once retired, it is not retired again.
  xen --resources "$T/res" configure
  expect_msgs "$T/err" "[OK] xen: configure: 1 guest: 0 created, 0 updated, 1 unchanged, 0 retired; saved resources unchanged"
}

t_renamed_guest_retires_the_old_file() {
  xen --resources "$DATA/render/on-actions/resources" configure
  sed 's/^xen.name_lab1=.*/xen.name_lab1=lab-2/' "$DATA/render/on-actions/resources" >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_exists "$ROOT/etc/xen/lab-2.cfg"
  expect_absent "$ROOT/etc/xen/lab-1.example.cfg"
  ls "$ROOT"/var/lib/lcfg/xen/retired/lab-1.example.cfg.* >/dev/null || { fail "not retired"; return 1; }
}

t_autostart_links_of_managed_guests_are_removed() {
  mkdir -p "$ROOT/etc/xen/auto"
  ln -s /etc/xen/testVMxen.cfg "$ROOT/etc/xen/auto/testVMxen.cfg"
  ln -s /etc/xen/other.cfg "$ROOT/etc/xen/auto/pe2900x1.cfg"
  xen --profile "$SEED" configure
  expect_rc 0
  expect_msgs "$T/err" "[INFO] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg created
[WARNING] xen: guest 'pe2900x1': /etc/xen/auto/pe2900x1.cfg links to /etc/xen/other.cfg: xendomains will start this guest too; left alone
[INFO] xen: guest 'testVMxen': /etc/xen/testVMxen.cfg created
[INFO] xen: guest 'testVMxen': autostart link /etc/xen/auto/testVMxen.cfg removed (the component boots its guests itself)
[OK] xen: configure: 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; saved resources created"
  expect_absent "$ROOT/etc/xen/auto/testVMxen.cfg"
  [ -L "$ROOT/etc/xen/auto/pe2900x1.cfg" ] || { fail "foreign link removed"; return 1; }
  sed -E 's/^[0-9\/]+ [0-9:]+: //' "$ROOT/var/log/lcfg/xen.warn" >"$T/warn"
  expect_text "$T/warn" "guest 'pe2900x1': /etc/xen/auto/pe2900x1.cfg links to /etc/xen/other.cfg: xendomains will start this guest too; left alone"
}

t_autostart_handed_to_xendomains_maintains_links() {
  { cat "$DATA/seed/resources"; echo 'xen.autostart=xendomains'; } | sed 's/^xen.boot_pe2900x1=yes/xen.boot_pe2900x1=/' >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  grep 'autostart' "$T/err" >"$T/links"
  expect_text "$T/links" "[INFO] xen: guest 'testVMxen': autostart link /etc/xen/auto/testVMxen.cfg -> /etc/xen/testVMxen.cfg created"
  [ "$(readlink "$ROOT/etc/xen/auto/testVMxen.cfg")" = /etc/xen/testVMxen.cfg ] || { fail "bad link"; return 1; }
  expect_absent "$ROOT/etc/xen/auto/pe2900x1.cfg"
  # boot switched off: the link goes.
  sed 's/^xen.boot_testVMxen=yes/xen.boot_testVMxen=/' "$T/res" >"$T/res2"
  xen --resources "$T/res2" configure
  grep 'autostart' "$T/err" >"$T/links"
  expect_text "$T/links" "[INFO] xen: guest 'testVMxen': autostart link /etc/xen/auto/testVMxen.cfg removed (the component boots its guests itself)"
  expect_absent "$ROOT/etc/xen/auto/testVMxen.cfg"
}

t_site_template_per_guest_and_per_host() {
  cat >"$ROOT/usr/lib/lcfg/conf/xen/site.tmpl" <<'TMPL'
# site template for <%name%> (<%#memory%>)
<%include: site-common.tmpl%><%\%>
memory = <%memory%>
TMPL
  printf 'name = "<%%name%%>"\nuuid = "<%%uuid%%>"\n' >"$ROOT/usr/lib/lcfg/conf/xen/site-common.tmpl"
  { cat "$DATA/seed/resources"; echo 'xen.template_testVMxen=site.tmpl'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  expect_text "$ROOT/etc/xen/testVMxen.cfg" '# site template for testVMxen ()
name = "testVMxen"
uuid = "0a2040b3-3d85-49d4-accc-e38bc2e51a6d"
memory = 1024'
  grep -q '^bootloader = "pygrub"$' "$ROOT/etc/xen/pe2900x1.cfg" || { fail "pe2900x1 not on the default template"; return 1; }
  { cat "$DATA/seed/resources"; echo 'xen.template=site.tmpl'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  head -1 "$ROOT/etc/xen/pe2900x1.cfg" >"$T/h"
  expect_text "$T/h" "# site template for pe2900x1 ()"
}

t_derivations_from_the_profile_are_available() {
  cat >"$ROOT/usr/lib/lcfg/conf/xen/deriv.tmpl" <<'TMPL'
name = "<%name%>" # <%#memory%> / <%#memory_pe2900x1%>
TMPL
  sed 's|<virtualmachines cfg:template="|<template>deriv.tmpl</template><virtualmachines cfg:template="|' "$SEED" >"$T/p.xml"
  xen --profile "$T/p.xml" configure
  expect_rc 0
  expect_text "$ROOT/etc/xen/pe2900x1.cfg" 'name = "pe2900x1" # source/pe2900:29 / source/pe2900:29'
}

template_error() { # TEMPLATE-TEXT EXPECTED-ERROR-LINE
  printf '%s\n' "$1" >"$ROOT/usr/lib/lcfg/conf/xen/bad.tmpl"
  { cat "$DATA/seed/resources"; echo 'xen.template_testVMxen=bad.tmpl'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: $2
[FAIL] xen: configure: 1 guest could not be rendered; nothing changed"
  expect_absent "$ROOT/etc/xen/testVMxen.cfg"
  expect_absent "$ROOT/etc/xen/pe2900x1.cfg"
  expect_absent "$ROOT/run/lcfg/status/xen"
}

t_template_unknown_resource() {
  template_error 'name = "<%name%>"
memory = <%memroy%>' "guest 'testVMxen': template $ROOT/usr/lib/lcfg/conf/xen/bad.tmpl:2: unknown resource 'memroy'"
}

t_template_unclosed_if() {
  template_error 'name = "<%name%>"

<%if: <%kernel%>%>kernel = "x"' "guest 'testVMxen': template $ROOT/usr/lib/lcfg/conf/xen/bad.tmpl:3: unclosed <%if:%>"
}

t_template_perl_refused() {
  template_error 'name = "<%perl: system("id")%>"' "guest 'testVMxen': template $ROOT/usr/lib/lcfg/conf/xen/bad.tmpl:1: <%perl:%> is not supported (templates cannot run code)"
}

t_template_shell_refused() {
  template_error '<%shell: id%>' "guest 'testVMxen': template $ROOT/usr/lib/lcfg/conf/xen/bad.tmpl:1: <%shell:%> is not supported (templates cannot run code)"
}

t_template_missing() {
  { cat "$DATA/seed/resources"; echo 'xen.template_testVMxen=nosuch.tmpl'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: guest 'testVMxen': template cannot open $ROOT/usr/lib/lcfg/conf/xen/nosuch.tmpl: No such file or directory
[FAIL] xen: configure: 1 guest could not be rendered; nothing changed"
}

t_template_cannot_add_dangerous_keys() {
  for extra in 'pci = [ "01:00.0" ]' 'device_model_override = "/tmp/qemu"' 'bootloader = "/bin/sh"' \
               'disk = [ "format=raw, vdev=xvda, access=rw, script=/tmp/x, target=/a" ]' \
               'vif = [ "mac=00:16:3e:00:00:09, script=/tmp/evil" ]'; do
    printf 'name = "<%%name%%>"\n%s\n' "$extra" >"$ROOT/usr/lib/lcfg/conf/xen/evil.tmpl"
    { cat "$DATA/seed/resources"; echo 'xen.template_testVMxen=evil.tmpl'; } >"$T/res"
    xen --resources "$T/res" configure
    expect_rc 1
    grep -q "^\[ERROR\] xen: guest 'testVMxen': the config rendered from $ROOT/usr/lib/lcfg/conf/xen/evil.tmpl is refused: line 2: " "$T/err" ||
      { fail "not refused: $extra"; cat "$T/err"; return 1; }
    expect_absent "$ROOT/etc/xen/testVMxen.cfg"
  done
}

t_config_path_that_is_a_directory_fails_before_any_change() {
  mkdir -p "$ROOT/etc/xen/testVMxen.cfg"
  xen --profile "$SEED" configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: guest 'testVMxen': /etc/xen/testVMxen.cfg exists and is not a regular file; nothing changed"
  expect_absent "$ROOT/etc/xen/pe2900x1.cfg"
}

t_xm_format_uses_the_legacy_template() {
  xen --resources "$DATA/render/xm-legacy/resources" configure
  expect_rc 0
  grep -q '^    "file:/var/lib/xen/images/testVMxen.img,xvda,w",$' "$ROOT/etc/xen/testVMxen.cfg" ||
    { fail "not the xm disk syntax"; cat "$ROOT/etc/xen/testVMxen.cfg"; return 1; }
}

# The record of rendered files (src/rendered.c): a guest is rendered again
# only when something it depends on may have changed.
rendered() { # EXPECTED-COUNT-LINE: configure --debug, then its count line
  xen --debug "$@" configure
  expect_rc 0
  grep 'guests\? rendered' "$T/err" | sed 's/^\[DEBUG\] xen: configure: //; s/; the files.*//' >"$T/n"
}

t_only_what_may_have_changed_is_rendered_again() {
  xen --profile "$SEED" configure
  expect_exists "$ROOT/var/lib/lcfg/xen/rendered"
  rendered --profile "$SEED"
  expect_text "$T/n" "0 of 2 guests rendered"
  # A resource of one guest: that guest.
  sed 's/^xen.memory_testVMxen=1024/xen.memory_testVMxen=768/' "$DATA/seed/resources" >"$T/res"
  rendered --resources "$T/res"
  expect_text "$T/n" "1 of 2 guests rendered"
  grep -qx 'memory = 768' "$ROOT/etc/xen/testVMxen.cfg" || { fail "memory not updated"; return 1; }
  # The file just written is known current too.
  rendered --resources "$T/res"
  expect_text "$T/n" "0 of 2 guests rendered"
  # A hand edit of the same length: found and put back.
  sed -i 's/^memory = 768$/memory = 769/' "$ROOT/etc/xen/testVMxen.cfg"
  rendered --resources "$T/res"
  expect_text "$T/n" "1 of 2 guests rendered"
  grep -q "testVMxen.cfg updated" "$T/err" || { fail "hand edit not put back"; return 1; }
  grep -qx 'memory = 768' "$ROOT/etc/xen/testVMxen.cfg" || { fail "hand edit kept"; return 1; }
  # A mode changed by hand: put back too.
  chmod 0644 "$ROOT/etc/xen/pe2900x1.cfg"
  rendered --resources "$T/res"
  expect_text "$T/n" "1 of 2 guests rendered"
  [ "$(stat -c %a "$ROOT/etc/xen/pe2900x1.cfg")" = 600 ] || { fail "mode not put back"; return 1; }
  # The template changed: every guest that uses it.
  echo '# site note' >>"$ROOT/usr/lib/lcfg/conf/xen/xen-guest.cfg.tmpl"
  rendered --resources "$T/res"
  expect_text "$T/n" "2 of 2 guests rendered"
  tail -n 1 "$ROOT/etc/xen/testVMxen.cfg" >"$T/last"
  expect_text "$T/last" "# site note"
}

# The saved resources, unchanged but for the file's mode (or a hand
# edit): written again, then left alone.
t_status_file_changed_by_hand_is_put_back() {
  xen --resources "$DATA/seed/resources" configure
  expect_rc 0
  cp "$ROOT/run/lcfg/status/xen" "$T/saved"
  chmod 0600 "$ROOT/run/lcfg/status/xen"
  xen --resources "$DATA/seed/resources" configure
  grep -o "saved resources [a-z]*" "$T/err" >"$T/m"
  expect_text "$T/m" "saved resources updated"
  [ "$(stat -c %a "$ROOT/run/lcfg/status/xen")" = 644 ] || { fail "mode not put back"; return 1; }
  xen --resources "$DATA/seed/resources" configure
  grep -o "saved resources [a-z]*" "$T/err" >"$T/m"
  expect_text "$T/m" "saved resources unchanged"
  sed -i 's/^xen.memory_testVMxen=.*/xen.memory_testVMxen=1/' "$ROOT/run/lcfg/status/xen"
  xen --resources "$DATA/seed/resources" configure
  grep -o "saved resources [a-z]*" "$T/err" >"$T/m"
  expect_text "$T/m" "saved resources updated"
  cmp -s "$ROOT/run/lcfg/status/xen" "$T/saved" || { fail "status not put back"; return 1; }
}

t_a_guest_that_reads_another_guests_resource_follows_it() {
  cat >"$ROOT/usr/lib/lcfg/conf/xen/peer.tmpl" <<'TMPL'
name = "<%name%>"
memory = <%memory_pe2900x1%>
TMPL
  { cat "$DATA/seed/resources"; echo 'xen.template_testVMxen=peer.tmpl'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  sed 's/^xen.memory_pe2900x1=256/xen.memory_pe2900x1=384/' "$T/res" >"$T/res2"
  rendered --resources "$T/res2"
  expect_text "$T/n" "2 of 2 guests rendered"
  expect_text "$ROOT/etc/xen/testVMxen.cfg" 'name = "testVMxen"
memory = 384'
}

t_a_changed_derivation_renders_again() {
  cat >"$ROOT/usr/lib/lcfg/conf/xen/deriv.tmpl" <<'TMPL'
name = "<%name%>" # <%#memory%>
TMPL
  sed 's|<virtualmachines cfg:template="|<template>deriv.tmpl</template><virtualmachines cfg:template="|' "$SEED" >"$T/p.xml"
  xen --profile "$T/p.xml" configure
  expect_rc 0
  sed 's|source/pe2900:29|source/pe2900:30|' "$T/p.xml" >"$T/p2.xml"
  rendered --profile "$T/p2.xml"
  expect_text "$T/n" "1 of 2 guests rendered"
  expect_text "$ROOT/etc/xen/pe2900x1.cfg" 'name = "pe2900x1" # source/pe2900:30'
}

t_a_damaged_or_missing_record_only_costs_a_render() {
  xen --profile "$SEED" configure
  cp "$ROOT/etc/xen/testVMxen.cfg" "$T/before"
  printf 'lcfg-xen rendered 1\nf 7 zz\n' >"$ROOT/var/lib/lcfg/xen/rendered"
  rendered --profile "$SEED"
  expect_text "$T/n" "2 of 2 guests rendered"
  expect_golden "$ROOT/etc/xen/testVMxen.cfg" "$T/before"
  rendered --profile "$SEED"
  expect_text "$T/n" "0 of 2 guests rendered"
  rm "$ROOT/var/lib/lcfg/xen/rendered"
  rendered --profile "$SEED"
  expect_text "$T/n" "2 of 2 guests rendered"
  # A record that lies about a file is caught by reading the file.
  sed -i 's/^\(f [0-9]* [0-9a-f]* [0-9]*\) [0-9a-f]*/\1 0000000000000000/' "$ROOT/var/lib/lcfg/xen/rendered"
  rendered --profile "$SEED"
  expect_text "$T/n" "2 of 2 guests rendered"
  grep -q "cfg updated" "$T/err" && { fail "a current file was rewritten"; return 1; }
  return 0
}

t_dry_run_writes_no_record() {
  xen --profile "$SEED" --dry-run configure
  expect_rc 0
  expect_absent "$ROOT/var/lib/lcfg/xen/rendered"
}
