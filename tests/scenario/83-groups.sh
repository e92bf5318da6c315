# 83-groups: groups of guests (xen.groups): a group's defaults reach its
# members' configs, a member's own values win, the errors name what is
# wrong, and boot/shutdown/reboot/destroy/status @GROUP act on the members
# in boot order on the (simulated) hypervisor. Golden configs:
# tests/data/groups.

GD=$DATA/groups

# A virtual cluster of four: the group says everything, each member only
# its name, UUID and group; n4 overrides vcpus and the bridge, head boots
# first (bootorder 1, the group's is 10). $1...: extra lines.
cluster() {
  {
    echo 'xen.groups=hpc'
    echo 'xen.groupmemory_hpc=256'
    echo 'xen.groupvcpus_hpc=2'
    echo 'xen.groupdisk_hpc=4'
    echo 'xen.groupbridge_hpc=xenbr1'
    echo 'xen.groupbootorder_hpc=10'
    echo 'xen.virtualmachines=head n1 n2 n4 other'
    i=1
    for t in head n1 n2 n4; do
      printf 'xen.uuid_%s=0000000%d-aaaa-4bbb-8ccc-dddddddddddd\nxen.group_%s=hpc\n' $t $i $t
      i=$((i + 1))
    done
    echo 'xen.bootorder_head=1'
    echo 'xen.memory_head=1024'
    echo 'xen.vcpus_n4=8'
    echo 'xen.bridge_n4=xenbr0'
    echo 'xen.uuid_other=00000009-aaaa-4bbb-8ccc-dddddddddddd'
    echo 'xen.memory_other=128'
    echo 'xen.disk_other=1'
    for l in "$@"; do printf '%s\n' "$l"; done
  } >"$T/res"
}

configure_cluster() {
  cluster "$@"
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
}

# --------------------------------------------------------------- renders

t_members_render_the_groups_defaults() {
  configure_cluster
  expect_golden "$ROOT/etc/xen/n1.cfg" "$GD/n1.cfg"
  expect_golden "$ROOT/etc/xen/head.cfg" "$GD/head.cfg"
  expect_golden "$ROOT/etc/xen/n4.cfg" "$GD/n4.cfg"
  # Each member is a guest of its own: its own image of the group's size.
  for g in head n1 n2 n4; do
    expect_exists "$ROOT/var/lib/xen/images/$g.img"
    [ "$(stat -c %s "$ROOT/var/lib/xen/images/$g.img")" = 4294967296 ] ||
      { fail "$g.img is not 4 GB"; return 1; }
  done
  # n2 differs from n1 by its name and UUID only.
  sed 's/n2/n1/g; s/00000003-/00000002-/' "$ROOT/etc/xen/n2.cfg" >"$T/n2as1"
  expect_text "$T/n2as1" "$(cat "$ROOT/etc/xen/n1.cfg")"
  for g in n1 head n4; do
    xl_parse "$GD/$g.cfg" >"$T/$g.json" 2>"$T/xlerr" || { fail "xl rejects $g.cfg:"; cat "$T/xlerr"; return 1; }
  done
  grep -q '"bridge": "xenbr1"' "$T/n1.json" && grep -q '"max_vcpus": 2' "$T/n1.json" &&
    grep -q '"bridge": "xenbr0"' "$T/n4.json" && grep -q '"max_vcpus": 8' "$T/n4.json" ||
    { fail "xl does not read the members' bridges and vcpus"; cat "$T/n1.json"; return 1; }
  # The saved resources are the input: the members' empty values stay so.
  grep -E '^xen\.(memory|vcpus|bridge|bootorder|disk)_n1=' "$ROOT/run/lcfg/status/xen" >"$T/saved"
  expect_text "$T/saved" "xen.memory_n1=
xen.vcpus_n1=
xen.disk_n1=
xen.bridge_n1=
xen.bootorder_n1="
}

# The group's template, a member's own winning over it; a value's
# derivation is the group resource's where it came from the group.
t_group_template_renders_its_members() {
  printf '# hpc node <%%name%%>\nname = "<%%name%%>"\nmemory = <%%memory%%>\n# memory from <%%#memory%%>\n' \
    >"$ROOT/usr/lib/lcfg/conf/xen/hpc.tmpl"
  cluster 'xen.grouptemplate_hpc=hpc.tmpl' 'xen.template_n4=xen-guest.cfg.tmpl' \
    '#xen.groupmemory_hpc=site/hpc.h:7'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  expect_text "$ROOT/etc/xen/n1.cfg" '# hpc node n1
name = "n1"
memory = 256
# memory from site/hpc.h:7'
  expect_golden "$ROOT/etc/xen/n4.cfg" "$GD/n4.cfg"
}

# Without groups the seed's guests render as before (the goldens of
# 60-configs hold that); with a group whose defaults are all empty, a
# member renders as the guest it would be without a group.
t_empty_group_changes_nothing() {
  guests 1 'xen.groups=plain'
  xen --hypervisor sim --resources "$T/res" configure
  cp "$ROOT/etc/xen/g1.cfg" "$T/alone.cfg"
  guests 1 'xen.groups=plain' 'xen.group_g1=plain'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  expect_text "$ROOT/etc/xen/g1.cfg" "$(cat "$T/alone.cfg")"
}

# A group's default changed: its members' configs follow, and a running
# member is told what it needs (memory live within the group's maxmem,
# the bridge and vcpus beyond the domain's maximum at a restart).
t_changed_group_default_reaches_running_members() {
  configure_cluster 'xen.groupmaxmem_hpc=512' 'xen.maxmem_head=1024'
  xen --hypervisor sim boot @hpc
  expect_rc 0
  cluster 'xen.groupmaxmem_hpc=512' 'xen.maxmem_head=1024' 'xen.groupmemory_hpc=384' \
    'xen.groupvcpus_hpc=3' 'xen.groupbridge_hpc=xenbr2'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  grep -E "n1'" "$T/err" >"$T/n1"
  expect_text "$T/n1" "[INFO] xen: guest 'n1': memory 256 -> 384 MB applied live
[WARNING] xen: guest 'n1': 3 vcpus needs restart (the running domain's maximum is 2)
[WARNING] xen: guest 'n1': NIC 0 (MAC chosen by xl, on xenbr2): the running domain's is on xenbr1: needs restart
[WARNING] xen: guest 'n1': changed maxvcpus_n1: needs restart (the running domain keeps its old settings until then)
[INFO] xen: guest 'n1': /etc/xen/n1.cfg updated"
  # n4 has its own vcpus and bridge: only the memory reaches it.
  grep -E "n4'" "$T/err" >"$T/n4"
  expect_text "$T/n4" "[INFO] xen: guest 'n4': memory 256 -> 384 MB applied live
[INFO] xen: guest 'n4': /etc/xen/n4.cfg updated"
  grep -c '^vcpus = 3$' "$ROOT/etc/xen/n1.cfg" "$ROOT/etc/xen/head.cfg" "$ROOT/etc/xen/n4.cfg" >"$T/c"
  expect_text "$T/c" "$ROOT/etc/xen/n1.cfg:1
$ROOT/etc/xen/head.cfg:1
$ROOT/etc/xen/n4.cfg:0"
}

# ---------------------------------------------------------------- errors

t_errors_name_the_guest_the_resource_and_the_value() {
  cluster 'xen.group_n2=hcp' 'xen.groupvcpus_hpc=many' 'xen.groupbridge_hpc=br;rm' \
    'xen.groupmemory_gone=64' 'xen.groups=hpc hpc b-c'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource groups: 'hpc' is listed twice
[ERROR] xen: resource groups: 'b-c' is not a valid LCFG tag (letters, digits and _)
[ERROR] xen: resource groupmemory_gone: group 'gone' is not in groups
[ERROR] xen: group 'hpc': resource groupvcpus_hpc: 'many' is not a whole number
[ERROR] xen: group 'hpc': resource groupbridge_hpc: 'br;rm' is not a bridge name (1-15 letters, digits, _ . -)
[ERROR] xen: guest 'n2': resource group_n2: 'hcp' is not a group of xen.groups (nor of xen.antiaffinity)
[ERROR] xen: guest 'n2': resource memory_n2: missing (an integer in MB is required)
[ERROR] xen: guest 'n2': resource disk_n2: missing (disktype_n2 is image: give its size in GB, or set disktype_n2 to none)
[FAIL] xen: configure: 8 errors in the resources; nothing changed"
  expect_absent "$ROOT/etc/xen/n1.cfg"
}

# group_<tag> came before the groups: without xen.groups any group is
# valid; with it, a group named only by antiaffinity stays valid.
t_antiaffinity_only_group_stays_valid() {
  guests 2 'xen.group_g1=spread' 'xen.group_g2=free'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  guests 2 'xen.groups=hpc' 'xen.antiaffinity=spread' 'xen.group_g1=spread'
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  xen --hypervisor sim status @spread
  expect_rc 0
  grep -E '^(g[0-9]$|  group)' "$T/out" >"$T/s"
  expect_text "$T/s" "g1
  group     spread"
}

# ------------------------------------------------------------ operations

t_boot_and_shutdown_a_group_in_boot_order() {
  configure_cluster 'xen.parallel=1'
  xen --hypervisor sim boot @hpc
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: boot: boot group 1: booting 1 guest
[INFO] xen: guest 'head': booted (domid 1)
[INFO] xen: boot: boot group 10: booting 3 guests, 1 at a time
[INFO] xen: guest 'n1': booted (domid 2)
[INFO] xen: guest 'n2': booted (domid 3)
[INFO] xen: guest 'n4': booted (domid 4)"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
head running
n1 running
n2 running
n4 running"
  # Members keep their own identity: each domain is its guest's UUID.
  awk '!/^#/ && NF > 3 && $2 != "Domain-0" { print $2, $3 }' "$ROOT/$SIM/domains" | LC_ALL=C sort >"$T/u"
  expect_text "$T/u" "head 00000001-aaaa-4bbb-8ccc-dddddddddddd
n1 00000002-aaaa-4bbb-8ccc-dddddddddddd
n2 00000003-aaaa-4bbb-8ccc-dddddddddddd
n4 00000004-aaaa-4bbb-8ccc-dddddddddddd"
  # The last booted first; the head node last.
  xen --hypervisor sim shutdown @hpc
  expect_rc 0
  # A boot group's guests end in either order: each group's lines sorted.
  sed -E 's/in [0-9.]+ s/in N s/' "$T/err" |
    awk '/boot group/ { print ++n, 0, $0; next } { print n, 1, $0 }' |
    LC_ALL=C sort -k1,1n -k2,2n -k3 | cut -d' ' -f3- >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: shutdown: boot group 10: shutting down 3 guests
[INFO] xen: guest 'n1': shut down in N s
[INFO] xen: guest 'n2': shut down in N s
[INFO] xen: guest 'n4': shut down in N s
[INFO] xen: shutdown: boot group 1: shutting down 1 guest
[INFO] xen: guest 'head': shut down in N s"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
}

t_dry_run_lists_the_members_in_boot_order() {
  configure_cluster
  xen --hypervisor sim --dry-run boot @hpc other
  expect_rc 0
  grep -o "guest '[a-z0-9]*'" "$T/err" >"$T/order"
  expect_text "$T/order" "guest 'head'
guest 'n1'
guest 'n2'
guest 'n4'
guest 'other'"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
}

t_reboot_and_destroy_a_group() {
  configure_cluster
  xen --hypervisor sim boot @hpc n1
  expect_rc 0
  xen --hypervisor sim reboot @hpc
  expect_rc 0
  grep -c "asked to reboot" "$T/err" >"$T/n"
  expect_text "$T/n" "4"
  xen --hypervisor sim destroy @hpc
  expect_rc 0
  grep -c "destroyed (domid" "$T/err" >"$T/n"
  expect_text "$T/n" "4"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
}

t_status_of_a_group_shows_its_members() {
  configure_cluster
  xen --hypervisor sim boot n1
  xen --hypervisor sim status @hpc
  expect_rc 0
  head -n 1 "$T/out" >"$T/h"
  expect_text "$T/h" "Configured guests: 5; shown: 4, as named"
  grep -E '^(head|n[0-9]|other)( |$)' "$T/out" | awk '{ print $1 (NF > 1 ? " " $3 : "") }' >"$T/rows"
  expect_text "$T/rows" "head stopped
n1 running
n2 stopped
n4 stopped
head
n1
n2
n4"
  grep '^  group' "$T/out" >"$T/g"
  expect_text "$T/g" "  group     hpc (its vcpus, disk, bridge)
  group     hpc (its memory, vcpus, disk, bridge, bootorder)
  group     hpc (its memory, vcpus, disk, bridge, bootorder)
  group     hpc (its memory, disk, bootorder)"
  xen --hypervisor sim status --json @hpc other
  expect_rc 0
  grep -o '"name": "[a-z0-9]*"' "$T/out" >"$T/names"
  expect_text "$T/names" '"name": "head"
"name": "n1"
"name": "n2"
"name": "n4"
"name": "other"'
}

t_unknown_and_hostile_groups_are_refused() {
  configure_cluster
  xen --hypervisor sim boot @nope n1
  expect_rc 1
  sed -E 's/domid [0-9]+/domid N/' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: boot: no group 'nope' in the saved configuration (xen.groups, group_<tag>)
[INFO] xen: guest 'n1': booted (domid N)
[FAIL] xen: boot: 1 failure"
  xen --hypervisor sim shutdown '@$(touch x)'
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: shutdown: '\$(touch x)' is not a group name (an LCFG tag: letters, digits and _)
[FAIL] xen: shutdown: 1 failure"
  xen --hypervisor sim destroy "@$(printf 'a\033[2Jb')"
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: destroy: 'a\\x1b[2Jb' is not a group name (an LCFG tag: letters, digits and _)
[FAIL] xen: destroy: 1 failure"
  xen --hypervisor sim boot @
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: boot: '' is not a group name (an LCFG tag: letters, digits and _)
[FAIL] xen: boot: 1 failure"
  xen --hypervisor sim status @nope
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: status: no group 'nope' in the saved configuration (xen.groups, group_<tag>)"
  expect_text "$T/out" ""
  xen --hypervisor sim status "$(printf 'x\ny')"
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: status: no guest 'x\\ny' in the saved configuration"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
n1 running"
}

t_a_group_without_members_is_nothing_to_do() {
  configure_cluster 'xen.groups=hpc idle'
  xen --hypervisor sim boot @idle
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: boot: group 'idle' has no guests"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running"
}

# The man page's cluster (GROUPS) is a profile that works as it says.
t_man_page_cluster_works() {
  sed -n '/^=head1 GROUPS/,/^=over/p' "$TOP/man/xen.pod" |
    sed -nE 's/^  !(xen\.[a-z0-9_]+) +m(SET|ADD)\((.*)\)$/\1=\3/p' >"$T/res"
  [ "$(wc -l <"$T/res")" -eq 16 ] || { fail "the man page's cluster is not 16 lines:"; cat "$T/res"; return 1; }
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  grep -E '^(memory|vcpus) |bridge=|target=' "$ROOT/etc/xen/node1.cfg" "$ROOT/etc/xen/node4.cfg" |
    sed "s|$ROOT||" >"$T/cfg"
  expect_text "$T/cfg" '/etc/xen/node1.cfg:memory = 2048
/etc/xen/node1.cfg:vcpus = 4
/etc/xen/node1.cfg:    "format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/node1.img",
/etc/xen/node1.cfg:    "bridge=xenbr1, script=vif-bridge",
/etc/xen/node4.cfg:memory = 2048
/etc/xen/node4.cfg:vcpus = 8
/etc/xen/node4.cfg:    "format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/node4.img",
/etc/xen/node4.cfg:    "bridge=xenbr1, script=vif-bridge",'
  xen --hypervisor sim boot @hpc
  expect_rc 0
  # Side by side: which ends first is a race.
  sed -E 's/domid [0-9]+/domid N/' "$T/err" | LC_ALL=C sort >"$T/b"
  expect_text "$T/b" "[INFO] xen: boot: booting 4 guests at once
[INFO] xen: guest 'node1': booted (domid N)
[INFO] xen: guest 'node2': booted (domid N)
[INFO] xen: guest 'node3': booted (domid N)
[INFO] xen: guest 'node4': booted (domid N)"
}
