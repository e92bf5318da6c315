# 88-hosts: beyond one host through LCFG itself: the spanning map of every
# host's guests (%publish / %subscribe), one host only (the map at compile
# time, a lease at run time), anti-affinity of groups, xen.onmove.
#
# tests/data/span: alpha.xml, beta.xml, gamma.xml, the profiles the server
# compiles for three hosts publishing into and subscribing to XENGUESTS
# (gamma's has db1 too, which alpha's has); NAME.status, what lcfg-core
# gives the component from each (lcfg-oracle status NAME.xml xen).

SP=$DATA/span

# A second simulated host: its own root beside $ROOT.
host_b() {
  RB=$T/hostb
  mkdir -p "$RB/usr/lib/lcfg/conf/xen" "$RB/var/lib/xen/images"
  cp "$TOP"/templates/*.tmpl "$RB/usr/lib/lcfg/conf/xen/"
}
xen_b() {
  RC=0
  "$XEN" --root "$RB" "$@" >"$T/out" 2>"$T/err" || RC=$?
}

# Guests g1, g2 on a host whose map name is $1, sharing leases: the lease
# directory of host b is host a's (one NFS export, say).
lease_res() {
  guests 2 "xen.spanhost=$1" "xen.leasedir=/srv/leases" 'xen.lease_g1=yes' 'xen.lease_g2=no'
  mkdir -p "$ROOT/srv/leases"
  if [ -n "${RB:-}" ] && [ ! -e "$RB/srv/leases" ]; then
    mkdir -p "$RB/srv"; ln -s "$ROOT/srv/leases" "$RB/srv/leases"
  fi
}

# ------------------------------------------------------------ the map

t_three_hosts_profiles_are_read_as_lcfg_core_gives_them() {
  [ -n "${LCFG_ORACLE:-}" ] || skip "LCFG_ORACLE is not set (lcfg-oracle, tests/data/lcfgformats/README)"
  for h in alpha beta gamma; do
    "$LCFG_ORACLE" status "$SP/$h.xml" xen "$T/$h.status"
    cmp -s "$T/$h.status" "$SP/$h.status" || { fail "lcfg-core gives another $h.status:"; diff -u "$SP/$h.status" "$T/$h.status" | sed 's/^/        /'; return 1; }
  done
}

t_hosts_whose_guests_are_their_own_configure() {
  xen --profile "$SP/alpha.xml" configure
  expect_rc 0
  host_b
  xen_b --profile "$SP/beta.xml" configure
  expect_rc 0
}

t_uuid_and_mac_in_another_hosts_profile_are_refused() {
  xen --profile "$SP/gamma.xml" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: guest 'db1': resource uuid_db1: '0a2040b3-3d85-49d4-accc-e38bc2e51a6d' is also in host alpha's profile (guest 'db1', spanning map XENGUESTS): a guest runs on one host only
[ERROR] xen: guest 'db1': resource mac_db1: '00:16:3e:00:00:03' is also in host alpha's profile (guest 'db1', spanning map XENGUESTS)
[FAIL] xen: configure: 2 errors in the resources; nothing changed"
  expect_absent "$ROOT/etc/xen/db1.cfg"
  # The same from the status lcfg-core writes (the node tags, the types).
  xen --resources "$SP/gamma.status" configure
  expect_rc 1
}

t_published_guests_must_be_the_profiles() {
  sed 's|00:16:3e:00:00:01/web db1|00:16:3e:00:00:09/web db1|' "$SP/alpha.status" >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource spanguests: guest 'web1' is published as 'web1/6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a/00:16:3e:00:00:09/web', but its resources say 'web1/6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a/00:16:3e:00:00:01/web'
[FAIL] xen: configure: 1 error in the resources; nothing changed"
  grep -v '^xen.spanguests=' "$SP/alpha.status" >"$T/res"
  echo 'xen.spanguests=web1/6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a/00:16:3e:00:00:01/web zz/0a2040b3-3d85-49d4-accc-e38bc2e51a6d//' >>"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource spanguests: 'zz' is published in the spanning map XENGUESTS but is not a guest of this profile
[ERROR] xen: resource spanguests: guest 'db1' is not published in the spanning map XENGUESTS (add 'db1/0a2040b3-3d85-49d4-accc-e38bc2e51a6d/00:16:3e:00:00:03/')
[FAIL] xen: configure: 2 errors in the resources; nothing changed"
}

t_a_bad_word_in_the_map_is_refused() {
  sed 's|^xen.spanguests_beta=.*|xen.spanguests_beta=web2:1b2c3d4e|' "$SP/alpha.status" >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource spanguests_beta (spanning map, node beta): 'web2:1b2c3d4e' is not NAME/UUID/MAC[,MAC]/GROUP
[FAIL] xen: configure: 1 error in the resources; nothing changed"
}

# ------------------------------------------------------------ anti-affinity

t_two_members_of_a_spread_group_on_one_host_are_refused() {
  guests 3 'xen.spanhost=alpha' 'xen.group_g1=web' 'xen.group_g3=web' 'xen.group_g2=db' \
    'xen.antiaffinity=web'
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: guest 'g3': resource group_g3: group 'web' asks for anti-affinity (xen.antiaffinity), but guest 'g1' of the same group is on this host (alpha) too
[FAIL] xen: configure: 1 error in the resources; nothing changed"
  # Without anti-affinity a group may share a host.
  guests 3 'xen.spanhost=alpha' 'xen.group_g1=web' 'xen.group_g3=web'
  xen --resources "$T/res" configure
  expect_rc 0
}

t_bad_values_of_the_new_resources_are_refused() {
  guests 1 'xen.onmove=teleport' 'xen.lease_g1=maybe' 'xen.group_g1=a-b' 'xen.leasedir=srv'
  xen --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource onmove: 'teleport' is not a policy for a guest that moved to another host (shutdown or migrate)
[ERROR] xen: resource leasedir: 'srv' is not an absolute path
[ERROR] xen: guest 'g1': resource group_g1: 'a-b' is not a group name (an LCFG tag: letters, digits and _)
[ERROR] xen: guest 'g1': resource lease_g1: 'maybe' is not a lease policy (auto, yes or no)
[FAIL] xen: configure: 4 errors in the resources; nothing changed"
}

# ------------------------------------------------------------ leases

t_second_host_is_refused_the_lease_naming_the_first() {
  host_b
  lease_res alpha
  xen --resources "$T/res" start
  expect_rc 0
  grep -q '^host=alpha$' "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease" ||
    { fail "no lease of alpha's"; return 1; }
  # g2 takes none (lease_g2 no).
  expect_absent "$ROOT/srv/leases/00000002-1111-4222-8333-444444444444.lease"
  cp "$T/res" "$T/res-a"
  lease_res beta
  xen_b --resources "$T/res" start
  expect_rc 1
  grep "g1': not" "$T/err" | sed -E 's/since [0-9: -]+ UTC/since T/' >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g1': not booted: host alpha holds its lease (/srv/leases/00000001-1111-4222-8333-444444444444.lease, since T); if that host is gone, 'om xen unlease g1' breaks it"
  awk '!/^#/ && NF > 3 { print $2, $4 }' "$RB/$SIM/domains" | LC_ALL=C sort >"$T/d"
  expect_text "$T/d" "Domain-0 running
g2 running"
  # alpha stops g1: its lease is released, and beta may boot it.
  xen --resources "$T/res-a" shutdown g1
  expect_rc 0
  expect_absent "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease"
  xen_b boot g1
  expect_rc 0
  grep -q '^host=beta$' "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease" ||
    { fail "no lease of beta's"; return 1; }
  # destroy releases it too; a boot takes it again.
  xen_b destroy g1
  expect_rc 0
  expect_absent "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease"
  xen_b boot g1
  expect_rc 0
  # stop releases every lease of this host's.
  xen_b stop
  expect_rc 0
  expect_absent "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease"
}

t_unlease_breaks_a_gone_hosts_lease_but_not_a_running_guests() {
  host_b
  lease_res alpha
  xen --resources "$T/res" start
  expect_rc 0
  xen unlease g1
  expect_rc 1
  # By name: domids of guests booted side by side are a race.
  sed -E 's/domid [0-9]+/domid N/' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: unlease: guest 'g1' is running here (domid N): its lease is this host's
[FAIL] xen: unlease: 1 failure"
  # alpha is gone (its domains with it): beta is refused, until unlease.
  lease_res beta
  xen_b --resources "$T/res" configure
  xen_b boot g1
  expect_rc 1
  xen_b unlease g1
  expect_rc 0
  sed -E 's/since [0-9: -]+ UTC/since T/' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: unlease: guest 'g1': the lease host alpha held since T is broken
[OK] xen: unlease: 1 guest"
  xen_b boot g1
  expect_rc 0
  xen_b unlease g2 nosuch
  expect_rc 1
  expect_text "$T/err" "[INFO] xen: unlease: guest 'g2' has no lease
[ERROR] xen: unlease: 'nosuch' is not a guest of the saved configuration
[FAIL] xen: unlease: 1 failure"
}

t_two_hosts_taking_one_lease_at_once_one_wins() {
  host_b
  lease_res alpha
  cp "$T/res" "$T/res-a"
  lease_res beta
  i=0
  while [ $i -lt 5 ]; do
    rm -f "$ROOT/srv/leases/"*.lease
    "$XEN" --root "$ROOT" --resources "$T/res-a" boot g1 >/dev/null 2>"$T/ea" & pa=$!
    "$XEN" --root "$RB" --resources "$T/res" configure >/dev/null 2>&1 || true
    "$XEN" --root "$RB" boot g1 >/dev/null 2>"$T/eb" & pb=$!
    wait $pa || true; wait $pb || true
    n=$(cat "$T/ea" "$T/eb" | grep -c "booted (domid" || true)
    [ "$n" = 1 ] || { fail "round $i: $n hosts booted g1"; cat "$T/ea" "$T/eb"; return 1; }
    "$XEN" --root "$ROOT" destroy g1 >/dev/null 2>&1 || true
    "$XEN" --root "$RB" destroy g1 >/dev/null 2>&1 || true
    i=$((i + 1))
  done
}

# ------------------------------------------------------------ onmove

# alpha runs g1 and g2; then g2 leaves alpha's profile for beta's, as the
# map (alpha's subscription) shows.
moved_res() {
  guests 2 'xen.spanhost=alpha' 'xen.spansub=XENGUESTS' "$@"
  xen --resources "$T/res" start
  expect_rc 0
  guests 1 'xen.spanhost=alpha' 'xen.spansub=XENGUESTS' 'xen.spannodes=alpha beta' \
    'xen.spanhost_alpha=alpha' 'xen.spanhost_beta=beta' \
    'xen.spanguests_alpha=g1/00000001-1111-4222-8333-444444444444//' \
    'xen.spanguests_beta=g2/00000002-1111-4222-8333-444444444444//' "$@"
}

# xen.onmove migrate: configure moves it to beta (the simulated host
# beside this one, src/hv_sim_move.c), live; it is recorded as gone here.
t_onmove_migrate_moves_the_guest() {
  moved_res 'xen.onmove=migrate'
  mkdir -p "$T/beta"
  xen --resources "$T/res" --dry-run configure
  grep "g2'" "$T/err" | grep "onmove" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g2': left the profile; the spanning map shows it on host beta: it would be moved there live (xen.onmove migrate)"
  xen --resources "$T/res" configure
  expect_rc 0
  grep "g2'" "$T/err" | sed -E 's/domid [0-9]+/domid N/; s/[.][0-9-]+ [(]/.D (/; s/took [0-9.]+ s/took N s/' >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g2': left the profile; the spanning map shows it on host beta: moved to beta (live): took N s (xen.onmove migrate)
[INFO] xen: guest 'g2': left the profile: /etc/xen/g2.cfg retired to /var/lib/lcfg/xen/retired/g2.cfg.D (its disks are kept)"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running"
  awk '!/^#/ && NF > 3 { print $2, $4 }' "$T/beta/$SIM/domains" | LC_ALL=C sort >"$T/d"
  expect_text "$T/d" "Domain-0 running
g2 running"
  grep "^00000002" "$ROOT/var/lib/lcfg/xen/guests" >"$T/r"
  expect_text "$T/r" "00000002-1111-4222-8333-444444444444 gone g2"
}

# The move fails (beta is unreachable): the guest runs on here, kept, and
# the next configure tries again.
t_onmove_migrate_failure_leaves_the_guest_running() {
  moved_res 'xen.onmove=migrate'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "g2'" "$T/err" | grep onmove | sed -E 's/domid [0-9]+/domid N/g; s/xl migrate [0-9]+/xl migrate N/; s/failed: .*; it runs/failed: WHY; it runs/' >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: guest 'g2': left the profile; the spanning map shows it on host beta, but it could not be moved there (xen.onmove migrate): live migration to beta failed: WHY; it runs here still (domid N)"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
  grep "^00000002" "$ROOT/var/lib/lcfg/xen/guests" >"$T/r"
  expect_text "$T/r" "00000002-1111-4222-8333-444444444444 kept g2"
  mkdir -p "$T/beta"
  xen --resources "$T/res" configure
  expect_rc 0
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running"
}

t_onmove_shutdown_says_where_and_shuts_down() {
  moved_res
  xen --resources "$T/res" configure
  expect_rc 0
  grep "g2'" "$T/err" | grep -v "config\|retired" | sed -E 's/domid [0-9]+/domid N/; s/in [0-9.]+ s/in N s/' >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'g2': the spanning map shows it on host beta now (xen.onmove shutdown)
[INFO] xen: guest 'g2': left the profile: shutting its domain (domid N) down (xen.onremove shutdown)
[INFO] xen: guest 'g2': shut down in N s"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running"
}

# A guest that left the profile while it was down gives its lease up, so
# that the host it went to may boot it.
t_a_guest_gone_while_down_releases_its_lease() {
  lease_res alpha
  # g1 crashes as soon as it is booted: down, its lease still alpha's.
  mkdir -p "$ROOT/$SIM"; echo "g1 crash=1" >"$ROOT/$SIM/control"
  xen --resources "$T/res" start
  expect_exists "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease"
  guests 2 'xen.spanhost=alpha' 'xen.leasedir=/srv/leases' 'xen.virtualmachines=g2' 'xen.lease_g2=no'
  grep -v '_g1=' "$T/res" >"$T/res2"
  xen --resources "$T/res2" configure
  expect_rc 0
  expect_absent "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease"
}

# A boot that fails leaves no lease behind.
t_a_failed_boot_releases_its_lease() {
  lease_res alpha
  mkdir -p "$ROOT/$SIM"; echo "g1 fail_create=1" >"$ROOT/$SIM/control"
  xen --resources "$T/res" start
  expect_rc 1
  expect_absent "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease"
}

# A guest that needs a lease on a host without a lease directory boots,
# and the host is told what it goes without; one that needs none is not.
t_a_guest_needing_a_lease_without_a_lease_directory_is_said() {
  guests 2 'xen.spanhost=alpha' 'xen.lease_g1=yes' 'xen.lease_g2=no'
  xen --resources "$T/res" start
  expect_rc 0
  grep -v '^\[INFO\]' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[OK] xen: configure: 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; disks: 2 created, 0 present, 0 of another size, 0 refused; saved resources created
[WARNING] xen: guest 'g1': boots without a lease (xen.leasedir is not set), though it needs one (lease_g1, or a disk on shared storage): nothing stops another host from booting it too
[OK] xen: start: guests with boot set are running"
}

# A guest moved here by hand (xl migrate, not the component's): adopted,
# but its lease is still the other host's, which configure says (and does
# not break); once broken, the next configure takes it.
t_a_guest_that_came_without_its_lease_is_said_then_taken() {
  host_b
  lease_res alpha
  xen --resources "$T/res" start
  expect_rc 0
  lease_res beta
  # Its disk is where both hosts see it (here: one file of that path on each).
  truncate -s 1G "$RB/var/lib/xen/images/g1.img"
  mkdir -p "$RB/$SIM"
  printf 'serial 0\nnext_domid 8\n0 Domain-0 00000000-0000-0000-0000-000000000000 running - 4194304 4194304 4194304 2 2 0 none - -\n7 g1 00000001-1111-4222-8333-444444444444 running - 131072 131072 131072 1 1 0 none - -\n' >"$RB/$SIM/domains"
  xen_b --resources "$T/res" configure
  expect_rc 0
  grep "lease" "$T/err" | sed -E 's/since [0-9: -]+ UTC/since T/' >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'g1': runs here (domid 7), but host alpha holds its lease (since T): it came without it (moved by hand?); if alpha no longer runs it, 'om xen unlease g1' lets the next configure take it"
  xen_b unlease g1
  expect_rc 0
  xen_b --resources "$T/res" configure
  expect_rc 0
  grep -c "lease" "$T/err" >"$T/n" || true
  expect_text "$T/n" "0"
  grep "^host=" "$ROOT/srv/leases/00000001-1111-4222-8333-444444444444.lease" >"$T/holder"
  expect_text "$T/holder" "host=beta"
  # Its own lease of a guest that runs here is not broken.
  xen_b unlease g1
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: unlease: guest 'g1' is running here (domid 7): its lease is this host's
[FAIL] xen: unlease: 1 failure"
}
