# 10-input: the seed's guests read identically from every resource source,
# with the schema's defaults filled in. Only the XML profile carries
# derivations, saved as "#xen.res=" lines: the other sources give the same
# file without them.

# Export a status-format resource file as ngeneric would (LCFG_xen_<res>).
env_from() {
  names=""
  while IFS= read -r line; do
    k=${line%%=*}; k=${k#xen.}
    export "LCFG_xen_$k=${line#*=}"
    names="$names $k"
  done <"$1"
  export LCFG_xen__RESOURCES="${names# }"
}

# in_sub CMD...: run a shell command list in a subshell (for exported
# variables), keeping its exit status in RC.
in_sub() { RC=0; (eval "$*"; exit $RC) || RC=$?; }

# expect_golden_values FILE: the seed's golden status file without its
# derivation lines.
expect_golden_values() {
  grep -v '^#' "$DATA/seed/status.expected" >"$T/values.expected"
  expect_text "$1" "$(cat "$T/values.expected")"
}

t_seed_from_xml_profile() {
  xen --profile "$DATA/seed/profile.xml" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure: 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; saved resources created"
  expect_golden "$ROOT/run/lcfg/status/xen" "$DATA/seed/status.expected"
}

t_seed_from_status_file() {
  xen --resources "$DATA/seed/resources" configure
  expect_rc 0
  expect_golden_values "$ROOT/run/lcfg/status/xen"
}

t_seed_from_environment() {
  in_sub 'env_from "$DATA/seed/resources"; xen configure'
  expect_rc 0
  expect_golden_values "$ROOT/run/lcfg/status/xen"
}

t_seed_from_default_profile_path() {
  mkdir -p "$ROOT/var/lcfg/conf/profile/xml"
  cp "$DATA/seed/profile.xml" "$ROOT/var/lcfg/conf/profile/xml/pe2900.xml"
  in_sub 'XEN_PROFILE_PATH=/var/lcfg/conf/profile/xml/pe2900.xml; export XEN_PROFILE_PATH; xen configure'
  expect_rc 0
  expect_golden "$ROOT/run/lcfg/status/xen" "$DATA/seed/status.expected"
}

t_missing_default_profile_is_reported() {
  in_sub 'XEN_PROFILE_PATH=/var/lcfg/conf/profile/xml/%s.xml; export XEN_PROFILE_PATH; xen configure'
  expect_rc 1
  host=$(hostname | cut -d. -f1)
  expect_text "$T/err" "[FAIL] xen: configure: profile $ROOT/var/lcfg/conf/profile/xml/$host.xml: cannot open: No such file or directory (and no profile DB in $ROOT/var/lcfg/conf/profile/dbm)"
}

t_profile_wins_over_environment() {
  printf 'xen.virtualmachines=\n' >"$T/empty"
  in_sub 'env_from "$T/empty"; xen --profile "$DATA/seed/profile.xml" configure'
  expect_rc 0
  expect_golden "$ROOT/run/lcfg/status/xen" "$DATA/seed/status.expected"
}

t_defaults_filled_in() {
  xen --profile "$DATA/seed/profile.xml" configure
  expect_rc 0
  grep -E '^xen\.(vcpus|bridge|script|diskpath|diskpathsec|bridgesec|scriptsec)_testVMxen=' \
    "$ROOT/run/lcfg/status/xen" >"$T/defaults"
  # vcpus and bridge are saved as given (empty: the group's, else 1 and
  # xenbr0, which the config gets).
  expect_text "$T/defaults" "xen.vcpus_testVMxen=
xen.diskpath_testVMxen=/var/lib/xen/images
xen.diskpathsec_testVMxen=/var/lib/xen/images
xen.bridge_testVMxen=
xen.script_testVMxen=vif-bridge
xen.bridgesec_testVMxen=xenbr1
xen.scriptsec_testVMxen=vif-bridge"
  grep -E '^vcpus |bridge=' "$ROOT/etc/xen/testVMxen.cfg" >"$T/cfg"
  expect_text "$T/cfg" "vcpus = 1
    \"mac=00:1E:C9:53:22:ED, bridge=xenbr0, script=vif-bridge\","
}

t_status_shows_seed_guests() {
  unset LCFGXEN_HYPERVISOR   # off dom0, no simulator: running state unknown
  xen --profile "$DATA/seed/profile.xml" configure
  truncate -s 5G "$ROOT/var/lib/xen/images/pe2900x1-2.img"   # grown by hand: shown, not "fixed"
  rm "$ROOT/var/lib/xen/images/testVMxen2d.img"
  xen status
  expect_rc 0
  sed -E 's/ on [0-9]{4}-[0-9]{2}-[0-9]{2}$/ on DATE/' "$T/out" >"$T/status"
  expect_golden "$T/status" "$DATA/seed/status-method.expected"
}

t_booleans_are_canonical() {
  sed 's/^xen.boot_testVMxen=yes/xen.boot_testVMxen=TRUE/; s/^xen.boot_pe2900x1=yes/xen.boot_pe2900x1=off/' \
    "$DATA/seed/resources" >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  grep '^xen.boot_' "$ROOT/run/lcfg/status/xen" >"$T/b"
  expect_text "$T/b" "xen.boot_pe2900x1=
xen.boot_testVMxen=yes"
}

t_values_with_newlines_round_trip_encoded() {
  # A derivation-free value with '&' survives the status file encoding.
  sed 's/^xen.cmdline_testVMxen=.*//' "$DATA/seed/resources" >"$T/res"
  echo 'xen.cmdline_testVMxen=console=hvc0 a&b' >>"$T/res"
  echo 'xen.kernel_testVMxen=/boot/vmlinuz' >>"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  grep '^xen.cmdline_testVMxen=' "$ROOT/run/lcfg/status/xen" >"$T/c"
  expect_text "$T/c" "xen.cmdline_testVMxen=console=hvc0 a&#x26;b"
  cp "$ROOT/run/lcfg/status/xen" "$T/saved"
  xen --resources "$T/saved" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged"
}
