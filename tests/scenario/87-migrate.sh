# 87-migrate: guests moved between simulated hosts (issue 16): migrate
# (live, cold), adoption by the host they reach, evacuate, failures at
# each stage leaving the guest where it was. Host H's component runs with
# --root $T/H; its simulator is the one under that root, and the
# simulators of its siblings are the other hosts (src/hv_sim_move.c).

# A host: its root (templates, image directory), and its resources (the
# guests g1..gN of lib.sh's guests, with extra lines) in $T/H.res.
host() {
  h=$1; shift
  # movedir must exist on a cold move's target (scp makes no directory).
  mkdir -p "$T/$h/usr/lib/lcfg/conf/xen" "$T/$h/var/lib/xen/images" "$T/$h/var/lib/xen/save"
  cp "$TOP"/templates/*.tmpl "$T/$h/usr/lib/lcfg/conf/xen/"
  guests "$@"
  cp "$T/res" "$T/$h.res"
}

# Run host H's component: on H METHOD ARGS...
on() {
  h=$1; shift
  ROOT=$T/$h
  xen --hypervisor sim --resources "$T/$h.res" "$@"
}

# Host H's domains, by name (with their state).
doms() { ROOT=$T/$1; domains; }

# Host H's simulator control file.
ctl() { printf '%s\n' "$2" >"$T/$1/$SIM/control"; }

# Messages with times and domids made constant.
norm() { sed -E 's/(down|took) [0-9]+\.[0-9] s/\1 N s/; s/domid [0-9]+/domid N/g; s/xl (migrate|save) [0-9]+/xl \1 N/' "$1"; }

# The record of managed guests of host H.
record() { cat "$T/$1/var/lib/lcfg/xen/guests"; }

U1=00000001-1111-4222-8333-444444444444

# hosta runs g1 and g2; hostb runs none.
two_hosts() {
  host hosta 2 "$@"
  host hostb 0
  on hosta start
  expect_rc 0
  on hostb configure
  expect_rc 0
}

# hostb's profile gets g1, whose disk is on storage both hosts see (here:
# a file of the same path on each).
b_gets_g1() {
  host hostb 1
  truncate -s 1G "$T/hostb/var/lib/xen/images/g1.img"
}

t_live_move_then_adopted_never_two_copies() {
  two_hosts
  on hosta migrate g1 hostb
  expect_rc 0
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': moved to hostb: its config file was retired to $(cd "$T/hosta" && ls var/lib/lcfg/xen/retired/g1.cfg.* | sed 's|^|/|') (its disks are kept)
[OK] xen: migrate g1: moved to hostb (live): took N s"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running
g2 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running"
  record hosta | grep "^$U1" >"$T/r"; expect_text "$T/r" "$U1 moved g1 hostb"
  expect_absent "$T/hosta/etc/xen/g1.cfg"
  expect_exists "$T/hosta/var/lib/xen/images/g1.img"
  # hostb's profile gets g1: its configure adopts the domain that arrived.
  b_gets_g1
  on hostb configure
  expect_rc 0
  grep "g1" "$T/err" | norm /dev/stdin >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': /etc/xen/g1.cfg created
[INFO] xen: guest 'g1': adopt: its domain (domid N) runs here, arrived from another host: now this host's (not booted again; no disk made for it)"
  record hostb >"$T/r"; expect_text "$T/r" "$U1 profile g1"
  # hostb's start boots no second copy; hosta's start does not boot it again.
  on hostb start
  expect_rc 0
  grep "g1" "$T/err" | norm /dev/stdin >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': running (domid N)"
  on hosta start
  expect_rc 0
  grep "g1" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': moved to hostb by a migration: neither configured nor booted here (its disks are kept)
[INFO] xen: guest 'g1': not booted: moved to hostb by a migration"
  expect_absent "$T/hosta/etc/xen/g1.cfg"
  on hosta boot g1
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: guest 'g1': not booted: it was moved to hostb by a migration (migrate it back, or drop it from this host's profile)
[FAIL] xen: boot: 1 failure"
  on hosta status
  grep "^  moved" "$T/out" >"$T/m"
  expect_text "$T/m" "  moved     to hostb by a migration: not booted here"
  # hosta's stop leaves it alone (it is not there); hostb's stop stops it.
  on hosta stop
  expect_rc 0
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running"
}

t_moved_back_is_adopted_again() {
  two_hosts
  on hosta migrate g1 hostb
  expect_rc 0
  b_gets_g1
  on hostb configure
  on hostb migrate g1 hosta
  expect_rc 0
  # Back on hosta, which recorded it as moved: run and status say it
  # arrived; configure adopts it.
  on hosta run
  expect_rc 0
  grep "g1" "$T/err" | norm /dev/stdin >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': running (domid N), arrived from another host: not booted again (configure adopts it)
[WARNING] xen: guest 'g1': drift: /etc/xen/g1.cfg missing (run configure)"
  on hosta status
  grep "^  arrived" "$T/out" >"$T/m"
  expect_text "$T/m" "  arrived   running here, moved from another host: configure adopts it"
  on hosta configure
  expect_rc 0
  grep "g1.cfg" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': /etc/xen/g1.cfg created"
  grep "adopt" "$T/err" | norm /dev/stdin >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': adopt: its domain (domid N) runs here, arrived from another host: now this host's (not booted again; no disk made for it)"
  record hosta | grep "^$U1" >"$T/r"; expect_text "$T/r" "$U1 profile g1"
  expect_exists "$T/hosta/etc/xen/g1.cfg"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running"
}

t_cold_move_when_pv_cannot_go_live() {
  two_hosts
  ctl hosta "* shadow=0"
  # A dry run says how, and changes nothing.
  (ROOT=$T/hosta; snapshot) >"$T/before"
  on hosta --dry-run migrate g1 hostb
  expect_rc 0
  expect_text "$T/err" "[OK] xen: migrate g1 (dry run): would be moved to hostb cold (live migration of PV guests needs shadow paging, which this hypervisor lacks); nothing changed"
  on hosta --dry-run evacuate hostb
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: evacuate: 2 running guests to hostb (named)
[INFO] xen: evacuate: guest 'g1' would be moved to hostb cold (live migration of PV guests needs shadow paging, which this hypervisor lacks)
[INFO] xen: evacuate: guest 'g2' would be moved to hostb cold (live migration of PV guests needs shadow paging, which this hypervisor lacks)
[OK] xen: evacuate (dry run): 2 guests would be moved; nothing changed"
  (ROOT=$T/hosta; snapshot) >"$T/after"
  expect_text "$T/after" "$(cat "$T/before")"
  on hosta migrate g1 hostb
  expect_rc 0
  norm "$T/err" | tail -n 1 >"$T/m"
  expect_text "$T/m" "[OK] xen: migrate g1: moved to hostb (cold: live migration of PV guests needs shadow paging, which this hypervisor lacks): down N s"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running
g2 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running"
  # The image is gone here; the copy there goes when hostb adopts g1.
  expect_absent "$T/hosta/var/lib/xen/save/g1.move"
  expect_exists "$T/hostb/var/lib/xen/save/g1.move"
  b_gets_g1
  on hostb configure
  expect_rc 0
  grep "image" "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': the image its move left here, /var/lib/xen/save/g1.move, was removed"
  expect_absent "$T/hostb/var/lib/xen/save/g1.move"
}

t_cold_move_asked_for_and_always() {
  two_hosts
  on hosta migrate --cold g1 hostb
  expect_rc 0
  norm "$T/err" | tail -n 1 >"$T/m"
  expect_text "$T/m" "[OK] xen: migrate g1: moved to hostb (cold: asked (--cold)): down N s"
  host hosta 2 xen.coldmove=always
  on hosta configure
  on hosta migrate g2 hostb
  expect_rc 0
  norm "$T/err" | tail -n 1 >"$T/m"
  expect_text "$T/m" "[OK] xen: migrate g2: moved to hostb (cold: xen.coldmove always): down N s"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running"
}

# An HVM guest goes live with HAP alone; a PV guest beside it goes cold.
t_hvm_live_with_hap_pv_cold() {
  two_hosts xen.type_g2=hvm
  ctl hosta "* shadow=0 hap=1"
  on hosta evacuate hostb
  expect_rc 0
  norm "$T/err" | grep "evacuate: guest" >"$T/m"
  expect_text "$T/m" "[INFO] xen: evacuate: guest 'g1': moved to hostb (cold: live migration of PV guests needs shadow paging, which this hypervisor lacks): down N s
[INFO] xen: evacuate: guest 'g2': moved to hostb (live): took N s"
  expect_last "$T/err" "[OK] xen: evacuate: 2 guests moved (1 live, 1 cold); none is left running here"
  ctl hostb "* shadow=0 hap=0"
  on hostb configure
  host hostb 2 xen.type_g2=hvm
  truncate -s 1G "$T/hostb/var/lib/xen/images/g1.img" "$T/hostb/var/lib/xen/images/g2.img"
  on hostb configure
  expect_rc 0
  on hostb migrate g2 hosta
  expect_rc 0
  norm "$T/err" | tail -n 1 >"$T/m"
  expect_text "$T/m" "[OK] xen: migrate g2: moved to hosta (cold: live migration of HVM and PVH guests needs HAP or shadow paging, which this hypervisor lacks): down N s"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running
g2 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running"
}

t_cold_moves_off_leaves_the_guest() {
  two_hosts xen.coldmove=never
  ctl hosta "* shadow=0"
  on hosta migrate g1 hostb
  expect_rc 1
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[FAIL] xen: migrate g1: live migration refused: live migration of PV guests needs shadow paging, which this hypervisor lacks, and cold moves are off (xen.coldmove never); it runs here still (domid N)"
  on hosta migrate --cold g1 hostb
  expect_rc 1
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[FAIL] xen: migrate g1: a cold move was asked for (--cold), but cold moves are off (xen.coldmove never); it runs here still (domid N)"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running"
}

# A failure at each stage leaves g1 running on hosta, not on hostb, and
# hosta's record of it unchanged.
still_on_a() {
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running"
  record hosta | grep "^$U1" >"$T/r"; expect_text "$T/r" "$U1 profile g1"
  expect_exists "$T/hosta/etc/xen/g1.cfg"
  expect_absent "$T/hosta/var/lib/xen/save/g1.move"
}

t_failed_live_migration_leaves_the_guest() {
  two_hosts
  ctl hosta "g1 fail_migrate=1"
  on hosta migrate g1 hostb
  expect_rc 1
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[FAIL] xen: migrate g1: live migration to hostb failed: xl migrate N hostb: simulated failure for g1; it runs here still (domid N)"
  still_on_a
}

t_failed_save_leaves_the_guest() {
  two_hosts
  ctl hosta "g1 fail_save=1"
  on hosta migrate --cold g1 hostb
  expect_rc 1
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[FAIL] xen: migrate g1: save failed: xl save N /var/lib/xen/save/g1.move: simulated failure for g1; it runs here still (domid N)"
  still_on_a
}

t_failed_send_restores_the_guest_here() {
  two_hosts
  ctl hosta "* hv_fail=send"
  on hosta migrate --cold g1 hostb
  expect_rc 1
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[FAIL] xen: migrate g1: send to hostb failed: simulated hypervisor failure; restored here (domid N, down N s)"
  still_on_a
}

t_failed_restore_there_restores_the_guest_here() {
  two_hosts
  ctl hostb "g1 fail_restore=1"
  on hosta migrate --cold g1 hostb
  expect_rc 1
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[FAIL] xen: migrate g1: restore on hostb failed: hostb: xl restore /var/lib/xen/save/g1.move: simulated failure for g1; restored here (domid N, down N s); the image copied there is left for its owner to remove"
  still_on_a
}

t_no_room_for_the_image() {
  # A guest of 16 TiB: more than any test machine's free space.
  two_hosts xen.memory_g1=16777216
  on hosta migrate --cold g1 hostb
  expect_rc 1
  norm "$T/err" | sed -E 's/: [0-9]+ MB free/: N MB free/' >"$T/m"
  expect_text "$T/m" "[FAIL] xen: migrate g1: save refused: not enough space in /var/lib/xen/save for its save image: N MB free, 16777220 MB needed; it runs here still (domid N)"
  still_on_a
}

t_migrate_arguments() {
  two_hosts
  on hosta migrate g1
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: migrate: name one guest and the host to move it to (usage: migrate [--cold] NAME HOST)"
  on hosta migrate
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: migrate: name at least one guest (usage: migrate [--cold] NAME HOST)"
  on hosta migrate g1 hostb hostc
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: migrate: name one guest and the host to move it to (usage: migrate [--cold] NAME HOST)"
  on hosta migrate g1 host/b
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: migrate g1: 'host/b' is not a host name (letters, digits, _ . -)"
  on hosta migrate nosuch hostb
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: migrate nosuch: no guest 'nosuch' in the saved configuration"
  on hosta shutdown g2
  on hosta migrate g2 hostb
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: migrate g2: it is not running here: nothing to move"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running"
}

t_evacuate_shares_guests_out_in_turn() {
  host hosta 3
  host hostb 0
  host hostc 0
  on hosta start
  on hostb configure
  on hostc configure
  on hosta evacuate hostb hostc
  expect_rc 0
  norm "$T/err" >"$T/m"
  expect_text "$T/m" "[INFO] xen: evacuate: 3 running guests to hostb and hostc, in turn (named)
[INFO] xen: guest 'g1': moved to hostb: its config file was retired to $(cd "$T/hosta" && ls var/lib/lcfg/xen/retired/g1.cfg.* | sed 's|^|/|') (its disks are kept)
[INFO] xen: evacuate: guest 'g1': moved to hostb (live): took N s
[INFO] xen: guest 'g2': moved to hostc: its config file was retired to $(cd "$T/hosta" && ls var/lib/lcfg/xen/retired/g2.cfg.* | sed 's|^|/|') (its disks are kept)
[INFO] xen: evacuate: guest 'g2': moved to hostc (live): took N s
[INFO] xen: guest 'g3': moved to hostb: its config file was retired to $(cd "$T/hosta" && ls var/lib/lcfg/xen/retired/g3.cfg.* | sed 's|^|/|') (its disks are kept)
[INFO] xen: evacuate: guest 'g3': moved to hostb (live): took N s
[OK] xen: evacuate: 3 guests moved (3 live, 0 cold); none is left running here"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running
g3 running"
  doms hostc >"$T/d"; expect_text "$T/d" "Domain-0 running
g2 running"
  # hosta's start boots none of them again.
  on hosta start
  expect_rc 0
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running"
}

t_evacuate_tries_the_next_host_and_reports_failures() {
  host hosta 3 "xen.evacuateto=hostb hostgone"
  host hostb 0
  on hosta start
  on hostb configure
  # hostgone has no root: unreachable. g3 cannot move at all.
  ctl hosta "g3 fail_migrate=1"
  on hosta evacuate
  expect_rc 1
  norm "$T/err" | grep -v "config file was retired" | sed -E 's/(hostgone|hostb) failed: .*; it runs/\1 failed: WHY; it runs/' >"$T/m"
  expect_text "$T/m" "[INFO] xen: evacuate: 3 running guests to hostb and hostgone, in turn (xen.evacuateto)
[INFO] xen: evacuate: guest 'g1': moved to hostb (live): took N s
[ERROR] xen: evacuate: guest 'g2': to hostgone: live migration to hostgone failed: WHY; it runs here still (domid N)
[INFO] xen: evacuate: guest 'g2': moved to hostb (live): took N s
[ERROR] xen: evacuate: guest 'g3': to hostb: live migration to hostb failed: WHY; it runs here still (domid N)
[ERROR] xen: evacuate: guest 'g3': to hostgone: live migration to hostgone failed: WHY; it runs here still (domid N)
[FAIL] xen: evacuate: 2 of 3 guests moved (2 live, 0 cold); not moved: g3"
  doms hosta >"$T/d"; expect_text "$T/d" "Domain-0 running
g3 running"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
}

t_evacuate_needs_a_host() {
  host hosta 1
  on hosta start
  on hosta evacuate
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: evacuate: no host to move the guests to: name one or more (evacuate HOST...), or set xen.evacuateto"
  on hosta evacuate -x
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: evacuate: unknown argument '-x' (usage: evacuate [HOST...])"
}

t_adopted_guest_whose_disk_is_not_here() {
  host hosta 1
  host hostb 0
  on hosta start
  on hostb configure
  on hosta migrate g1 hostb
  expect_rc 0
  # hostb's profile gets g1 now; its disk is not on hostb.
  host hostb 1
  on hostb configure
  expect_rc 1
  norm "$T/err" | grep -v "^\[FAIL\]" >"$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'g1': disk /var/lib/xen/images/g1.img: refused: not created: the guest's domain (domid N) arrived running from another host and this disk is not here (make its storage reachable here); nothing is made while it runs
[ERROR] xen: guest 'g1': held back: disk /var/lib/xen/images/g1.img refused: it has no config and is not booted
[WARNING] xen: guest 'g1': its domain (domid N) runs here, arrived from another host, but is held back (above): it is adopted once its disks are here"
  expect_absent "$T/hostb/var/lib/xen/images/g1.img"
  # Still not made on the next run, nor by start; no second copy.
  on hostb start
  expect_rc 1
  expect_absent "$T/hostb/var/lib/xen/images/g1.img"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running"
  # Once the disk is there, it is adopted.
  : >"$T/hostb/var/lib/xen/images/g1.img"
  truncate -s 1G "$T/hostb/var/lib/xen/images/g1.img"
  on hostb configure
  expect_rc 0
  grep adopt "$T/err" | norm /dev/stdin >"$T/m"
  expect_text "$T/m" "[INFO] xen: guest 'g1': adopt: its domain (domid N) runs here, arrived from another host: now this host's (not booted again; no disk made for it)"
}

t_guest_that_left_the_profile_after_its_move_is_forgotten() {
  two_hosts
  on hosta migrate g1 hostb
  expect_rc 0
  grep -v "_g1=" "$T/hosta.res" | sed 's/^xen.virtualmachines=.*/xen.virtualmachines=g2/' >"$T/r2"
  mv "$T/r2" "$T/hosta.res"
  on hosta configure
  expect_rc 0
  grep "g1" "$T/err" >"$T/m" || true
  expect_text "$T/m" ""
  record hosta | grep "^$U1" >"$T/r"; expect_text "$T/r" "$U1 gone g1"
  doms hostb >"$T/d"; expect_text "$T/d" "Domain-0 running
g1 running"
}

t_move_resources_are_checked() {
  host hosta 1 xen.coldmove=sometimes xen.movedir=save xen.migratetimeout=0 \
    "xen.migrateremote=ssh -o ProxyCommand=x;y" "xen.migratecopy=-scp" "xen.evacuateto=hostb -hostc"
  on hosta configure
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: resource coldmove: 'sometimes' is not a cold move policy (auto, never or always)
[ERROR] xen: resource movedir: 'save' is not an absolute path
[ERROR] xen: resource migratetimeout: '0' is out of range (1-86400 seconds)
[ERROR] xen: resource migrateremote: 'ProxyCommand=x;y' is not a program argument (letters, digits and _.,:=/@+-)
[ERROR] xen: resource migratecopy: '-scp' is not a program name or absolute path (letters, digits and _.,:=/@+-)
[ERROR] xen: resource evacuateto: '-hostc' is not a host name
[FAIL] xen: configure: 6 errors in the resources; nothing changed"
}
