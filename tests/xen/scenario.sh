# scenario.sh: the real-Xen scenario, sourced by dom0's /init (dom0-init),
# which provides step and die. Every step drives the component only through
# its methods on the xen backend, then checks what Xen, xenstore, dom0 and
# the guests say. Guests: alpha (boots, shuts down when asked, memory
# changed live), beta (boots, ignores shutdown requests: destroyed after its
# 3 s timeout), gamma (not booted, but by the xl-hangs step: first with an
# xl that hangs, then with the real one); delta, added to the running
# profile (add-guest); alpha renamed omega while it runs (rename-running),
# then booted under its new name on its old data (renamed-start).

XEN=/usr/lib/lcfg/components/xen
P=$T/profile.xml
IMAGES=/var/lib/xen/images
CONSOLE=/var/log/xen/console
GIB=1073741824

# x ARGS: run the component on the real hypervisor; stdout in /tmp/out,
# messages in /tmp/err (both shown in the log), status in $RC.
x() {
  echo "+ xen $*"
  RC=0
  timeout 300 "$XEN" --hypervisor xen "$@" >/tmp/out 2>/tmp/err || RC=$?
  sed 's/^/  out: /' /tmp/out
  sed 's/^/  err: /' /tmp/err
  echo "  exit status $RC"
}

expect_rc() { [ "$RC" -eq "$1" ] || die "xen $2: exit status $RC, expected $1: $(tail -n 1 /tmp/err)"; }

# has_msg TEXT: the component said exactly this line.
has_msg() { grep -qxF "$1" /tmp/err || die "xen $2 did not say: $1"; }

# xlq ARGS: xl, the harness's own look at Xen. Should it die of a signal
# (a TCG fault; see README.md), that is said in the log (and reported to
# the host as a note) and it is tried again, twice at most: it is the
# observer failing, not the component.
xlq() {
  i=0
  while :; do
    rc=0; xl "$@" >/tmp/xlq.out 2>/tmp/xlq.err || rc=$?
    [ $rc -gt 128 ] && [ $i -lt 2 ] || break
    i=$((i + 1))
    echo "NOTE: xl $* died (status $rc: $(tr '\n' ' ' </tmp/xlq.err)); trying again" >&2
  done
  cat /tmp/xlq.out; cat /tmp/xlq.err >&2
  return $rc
}

# The names of the domains Xen has, but Domain-0, sorted.
guests_running() {
  xlq list >/tmp/xl-list 2>/tmp/xl-list.err || { echo "(xl list failed: $(tr '\n' ' ' </tmp/xl-list.err))"; return 0; }
  awk 'NR > 2 { print $1 }' /tmp/xl-list | sort | tr '\n' ' ' | sed 's/ $//'
}

domid() { xlq domid "$1" 2>/dev/null; }

# xl list's memory (MB) of a guest.
xl_mem() { xlq list "$1" | awk 'NR == 2 { print $3 }'; }
mem_is() { [ "$(xl_mem "$1")" = "$2" ]; }

# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
  n=$(($1 * 5)); shift
  while ! "$@" >/dev/null 2>&1; do
    n=$((n - 1)); [ $n -gt 0 ] || return 1
    sleep 0.2
  done
}

# console_has GUEST TEXT [COUNT]: the guest's console log (xenconsoled
# --log=guest) has TEXT on at least COUNT lines.
console_has() {
  [ "$(grep -cF "$2" "$CONSOLE/guest-$1.log" 2>/dev/null)" -ge "${3:-1}" ]
}

# A record of every image: size, allocation, inode, mtime, and the
# checksums of its first and last MiB (reading a sparse GiB under TCG
# would take minutes and prove no more: a guest or a bad configure writes
# at the start, or sets another size).
# Each line is the guest's (its first name), so that a renamed guest's image
# (IMAGE_alpha=omega: alpha's data now in omega.img) must be the same file.
image_sums() {
  for g in alpha beta gamma; do
    eval "f=\$IMAGES/\${IMAGE_$g:-$g}.img"
    [ -f "$f" ] || { echo "$g: $f missing"; continue; }
    echo "$g: $(stat -c '%s %b %i %Y %a' "$f") $(dd if="$f" bs=1M count=1 2>/dev/null | md5sum | cut -d' ' -f1) $(dd if="$f" bs=1M skip=1023 count=1 2>/dev/null | md5sum | cut -d' ' -f1)"
  done
}

# The mark written at the start of a guest's image before its first boot
# (disk-marks): 16 bytes, and their hex as the guest prints them
# (GUEST-DISK-MARK NAME HEX, guest-init). A blank disk's are all zero.
mark_of() { printf 'LCFG-XEN:%-7s' "$1"; }
mark_hex() { mark_of "$1" | od -An -tx1 | tr -d ' \n'; }
ZERO_MARK=00000000000000000000000000000000

# The guest's console log, in the serial log, when a step fails on it.
console_tail() { echo "--- $CONSOLE/guest-$1.log:"; tail -n 20 "$CONSOLE/guest-$1.log" 2>/dev/null || echo "(none)"; }

# wait_console GUEST: the guest reported its devices (GUEST-NIC is its last
# line), or the step dies showing its console.
wait_console() {
  wait_for 90 console_has "$1" "GUEST-NIC $1" "${2:-1}" ||
    { console_tail "$1"; die "guest $1 did not report its devices within 90 s"; }
  ! console_has "$1" GUEST-ERROR || { console_tail "$1"; die "guest $1: $(grep GUEST-ERROR "$CONSOLE/guest-$1.log" | head -1)"; }
}

# The status table's row of a guest: its first six fields.
status_row() { awk -v g="$1" '$1 == g && NF >= 6 { print $1, $2, $3, $4, $5, $6; exit }' /tmp/out; }

step_toolstack() {
  for m in $DOM0_MODULES; do insmod "$T/modules/$m.ko" || die "insmod $m failed"; done
  mount -t xenfs xenfs /proc/xen || die "cannot mount xenfs"
  [ "$(cat /proc/xen/capabilities)" = control_d ] || die "this domain is not the control domain"
  xenstored --pid-file /run/xenstored.pid || die "xenstored did not start"
  wait_for 20 test -S /run/xenstored/socket || die "xenstored has no socket after 20 s"
  xen-init-dom0 || die "xen-init-dom0 failed"
  xenconsoled --pid-file=/run/xenconsoled.pid --log=guest --log-dir=$CONSOLE || die "xenconsoled did not start"
  # The bridge the guests' vifs join (vif-bridge adds them).
  ip link add name xenbr0 type bridge || die "cannot make the bridge xenbr0"
  ip link set xenbr0 up
  # Images on a tmpfs: sparse, and the loop driver takes them.
  mkdir -p $IMAGES && mount -t tmpfs -o size=4g,mode=0700 tmpfs $IMAGES
  xlq info | grep -E '^(xen_version|total_memory|free_memory|nr_cpus)'
  [ "$(xlq list | awk 'NR > 1' | wc -l)" -eq 1 ] || die "domains other than Domain-0 at boot"
}

step_configure() {
  x --profile $P configure
  expect_rc 0 configure
  has_msg "[OK] xen: configure: 3 guests: 3 created, 0 updated, 0 unchanged, 0 retired; disks: 3 created, 0 present, 0 of another size, 0 refused; saved resources created" configure
  for g in alpha beta gamma; do
    cfg=/etc/xen/$g.cfg
    [ -f $cfg ] || die "$cfg was not written"
    grep -qxF "name = \"$g\"" $cfg || die "$cfg does not name the guest $g"
    grep -qF "target=$IMAGES/$g.img\"" $cfg ||
      die "$cfg: its disk is not the image the component made: $(grep -o 'target=[^"]*' $cfg | head -1), expected target=$IMAGES/$g.img"
    grep -qF "bridge=xenbr0, script=vif-bridge" $cfg || die "$cfg: no vif on xenbr0"
    # xl's own parser takes it (-n: parse and print, create nothing).
    xl create -n -q -f $cfg >/tmp/parsed 2>&1 || die "xl cannot parse $cfg: $(tail -n 1 /tmp/parsed)"
    f=$IMAGES/$g.img
    [ -f "$f" ] || die "$f was not created"
    [ "$(stat -c %s "$f")" = $GIB ] || die "$f is $(stat -c %s "$f") bytes, expected $GIB (1 GB)"
    [ "$(stat -c %b "$f")" = 0 ] || die "$f is not sparse ($(stat -c %b "$f") blocks allocated)"
  done
  image_sums
}

# A mark at the start of each image, before any guest boots: each guest
# prints its first 16 bytes (guest-devices, renamed-start), so that its
# data, not a blank disk, is what it booted on. Written in place
# (conv=notrunc: the image keeps its size and stays sparse beyond).
step_disk_marks() {
  for g in alpha beta gamma; do
    f=$IMAGES/$g.img
    mark_of $g | dd of="$f" bs=16 count=1 conv=notrunc 2>/dev/null || die "cannot write the mark into $f"
    got=$(od -An -tx1 -N16 "$f" | tr -d ' \n')
    [ "$got" = "$(mark_hex $g)" ] || die "$f starts with $got after writing the mark $(mark_hex $g)"
    [ "$(stat -c %s "$f")" = $GIB ] || die "$f is $(stat -c %s "$f") bytes after the mark, expected $GIB"
    echo "$f: mark $(mark_hex $g)"
  done
  # What disks-unchanged compares with, the marks written.
  image_sums >/tmp/images.before
  cat /tmp/images.before
}

step_start() {
  x --profile $P start
  expect_rc 0 start
  has_msg "[OK] xen: start: guests with boot set are running" start
  for g in alpha beta; do
    grep -qE "^\[INFO\] xen: guest '$g': booted \(domid [0-9]+\)$" /tmp/err || die "xen start did not boot $g"
  done
  ! grep -E "guest 'gamma': .*boot" /tmp/err || die "xen start booted gamma (boot unset)"
  [ "$(guests_running)" = "alpha beta" ] || die "Xen runs '$(guests_running)', expected 'alpha beta'"
  for g in alpha beta; do
    [ "$(grep -E "guest '$g': booted" /tmp/err | sed -E 's/.*domid ([0-9]+).*/\1/')" = "$(domid $g)" ] ||
      die "xen start said $g is domid $(grep -E "guest '$g': booted" /tmp/err | sed -E 's/.*domid ([0-9]+).*/\1/'), Xen says $(domid $g)"
  done
  x isstarted -q
  expect_rc 0 "isstarted -q"
}

# What the guests see (their console logs), and dom0's backends.
step_guest_devices() {
  for g in alpha beta; do
    wait_for 90 console_has $g "GUEST-NIC $g" ||
      { tail -n 20 $CONSOLE/guest-$g.log 2>/dev/null; die "guest $g did not report its devices within 90 s"; }
    ! console_has $g GUEST-ERROR || die "guest $g: $(grep GUEST-ERROR $CONSOLE/guest-$g.log | head -1)"
    console_has $g "GUEST-DISK $g xvda sectors=2097152" ||
      die "guest $g: $(grep GUEST-DISK $CONSOLE/guest-$g.log), expected its 1 GB disk (2097152 sectors) as xvda"
    console_has $g "GUEST-DISK-MARK $g $(mark_hex $g)" ||
      die "guest $g: $(grep GUEST-DISK-MARK $CONSOLE/guest-$g.log), expected the mark of disk-marks, $(mark_hex $g)"
    mac=$(sed -n "s/.*mac=\(00:16:3e:[0-9a-f:]*\), bridge.*/\1/p" /etc/xen/$g.cfg)
    console_has $g "GUEST-NIC $g eth0 mac=$mac" ||
      die "guest $g: $(grep GUEST-NIC $CONSOLE/guest-$g.log), expected eth0 with mac $mac"
    d=$(domid $g)
    [ -e /sys/class/net/xenbr0/brif/vif$d.0 ] || die "vif$d.0 of $g is not on xenbr0 ($(ls /sys/class/net/xenbr0/brif))"
    losetup -a | grep -qF "$IMAGES/$g.img" || die "no loop device backs $IMAGES/$g.img: $(losetup -a)"
    echo "$g (domid $d): $(grep -E 'GUEST-(DISK|NIC)' $CONSOLE/guest-$g.log | tr '\n' ' ')"
  done
  losetup -a
}

# status reads the domains through libxenctrl/libxenstore: its table must
# agree with xl's view (domid, memory) and the profile (target, maximum).
step_status() {
  x status
  expect_rc 0 status
  for g in alpha beta gamma; do
    line=$(awk -v g=$g '$1 == g && NF >= 6 { print $1, $2, $3, $4, $5, $6; exit }' /tmp/out)
    case $g in
      gamma) want="gamma no stopped - - -" ;;
      *)
        d=$(domid $g)
        mem=$(xl_mem $g)
        vcpus=$(xlq list $g | awk 'NR == 2 { print $4 }')
        max=96; [ $g = alpha ] && max=128
        want="$g yes running $d $mem/96/$max $vcpus/1" ;;
    esac
    [ "$line" = "$want" ] || die "status shows '$line' for $g, expected '$want'"
  done
}

step_memory_live() {
  sed '/cfg:name="alpha"/,/<\/virtualmachines_RECORD>/s|<memory>96</memory>|<memory>120</memory>|' $P >/tmp/profile2.xml
  d=$(domid alpha)
  x --profile /tmp/profile2.xml configure
  expect_rc 0 configure
  has_msg "[INFO] xen: guest 'alpha': memory 96 -> 120 MB applied live" configure
  grep -qxF "memory = 120" /etc/xen/alpha.cfg || die "/etc/xen/alpha.cfg was not updated to memory = 120"
  t=$(xenstore-read /local/domain/$d/memory/target)
  [ "$t" = 122880 ] || die "xenstore memory/target of alpha is '$t' KiB, expected 122880"
  wait_for 60 mem_is alpha 120 || die "xl list shows $(xl_mem alpha) MB for alpha after 60 s, expected 120"
  [ "$(domid alpha)" = "$d" ] || die "alpha was restarted (domid $d -> $(domid alpha)), not changed live"
  xlq list
  # And status reads the new allocation and target.
  x status
  expect_rc 0 status
  line=$(awk '$1 == "alpha" && NF >= 6 { print $1, $2, $3, $4, $5, $6; exit }' /tmp/out)
  [ "$line" = "alpha yes running $d 120/120/128 1/1" ] ||
    die "status shows '$line' for alpha, expected 'alpha yes running $d 120/120/128 1/1'"
}

step_run_after_destroy() {
  a=$(domid alpha) old=$(domid beta)
  xl destroy beta || die "xl destroy beta failed"
  [ "$(guests_running)" = alpha ] || die "after xl destroy beta, Xen runs '$(guests_running)'"
  x run
  expect_rc 0 run
  has_msg "[WARNING] xen: guest 'beta': was not running (stopped by hand, or crashed and destroyed)" run
  grep -qE "^\[INFO\] xen: guest 'beta': booted \(domid [0-9]+\)$" /tmp/err || die "xen run did not boot beta"
  [ "$(guests_running)" = "alpha beta" ] || die "after run, Xen runs '$(guests_running)', expected 'alpha beta'"
  new=$(domid beta)
  [ "$new" != "$old" ] || die "beta kept domid $old"
  [ "$(domid alpha)" = "$a" ] || die "run touched alpha (domid $a -> $(domid alpha))"
  wait_for 90 console_has beta "GUEST-DISK beta xvda sectors=2097152" 2 ||
    die "beta, booted again, did not report its disk within 90 s"
  # The destroyed domain's loop device went with it.
  [ "$(losetup -a | grep -cF "$IMAGES/beta.img")" = 1 ] || die "loop devices of beta.img: $(losetup -a)"
}

# An xl that hangs (its create ignores SIGTERM and never ends, as one held
# by a wedged hotplug script would) is killed at xlcreatetimeout with what
# it started; the boot fails naming the guest, the xl command and the
# timeout, and leaves nothing; with the real xl the same boot works.
step_xl_hangs() {
  cat >/tmp/xl-hangs <<'EOS'
#!/bin/sh
if [ "$1" = create ]; then
  trap '' TERM
  sleep 600 & echo $! >/tmp/xl-hangs.pid
  wait
fi
exec /usr/lib/xen-4.17/bin/xl "$@"
EOS
  chmod 755 /tmp/xl-hangs
  # The profile of the memory-live step (so that nothing else changes),
  # with this xl and a 2 s create timeout.
  sed 's|<xl>/usr/lib/xen-4.17/bin/xl</xl>|<xl>/tmp/xl-hangs</xl><xlcreatetimeout>2</xlcreatetimeout>|' \
    /tmp/profile2.xml >/tmp/profile-hang.xml
  grep -q '<xl>/tmp/xl-hangs</xl>' /tmp/profile-hang.xml || die "cannot make the profile with the hanging xl"
  x --profile /tmp/profile-hang.xml configure
  expect_rc 0 configure
  t0=$(cut -d. -f1 /proc/uptime)
  x boot gamma
  t1=$(cut -d. -f1 /proc/uptime)
  expect_rc 1 "boot gamma"
  has_msg "[ERROR] xen: guest 'gamma': boot failed: xl create -f /etc/xen/gamma.cfg: timed out after 2 s" "boot gamma"
  has_msg "[FAIL] xen: boot: 1 failure" "boot gamma"
  # The timeout, then 2 s until SIGKILL: not the 600 s it would hang.
  [ $((t1 - t0)) -ge 2 ] && [ $((t1 - t0)) -le 60 ] || die "boot gamma took $((t1 - t0)) s (the create timeout is 2 s)"
  pid=$(cat /tmp/xl-hangs.pid)
  st=$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null || true)
  case $st in ''|Z|X) ;; *) die "the hanging xl's child (pid $pid) is still there (state $st)" ;; esac
  [ "$(guests_running)" = "alpha beta" ] || die "after the hanging boot, Xen runs '$(guests_running)', expected 'alpha beta'"
  # The real xl again: the same boot works.
  x --profile /tmp/profile2.xml configure
  expect_rc 0 configure
  x boot gamma
  expect_rc 0 "boot gamma"
  grep -qE "^\[INFO\] xen: guest 'gamma': booted \(domid [0-9]+\)$" /tmp/err || die "xen boot gamma did not boot it"
  [ "$(guests_running)" = "alpha beta gamma" ] || die "after boot gamma, Xen runs '$(guests_running)'"
  x destroy gamma
  expect_rc 0 "destroy gamma"
  [ "$(guests_running)" = "alpha beta" ] || die "after destroy gamma, Xen runs '$(guests_running)'"
}

# The profile of the memory-live step (so that nothing else changes) with
# a fourth guest, delta: its own UUID, MAC, disk; boot set.
add_delta() {
  awk '/<\/virtualmachines>/ {
    print "     <virtualmachines_RECORD cfg:name=\"delta\">"
    print "      <uuid>d4d4d4d4-0000-4000-8000-000000000004</uuid>"
    print "      <memory>96</memory>"
    print "      <kernel>/var/lib/lcfg-xen-test/vmlinuz</kernel>"
    print "      <ramdisk>/var/lib/lcfg-xen-test/guest-initrd.gz</ramdisk>"
    print "      <cmdline>console=hvc0 loglevel=4 lcfgtest.name=delta</cmdline>"
    print "      <disk>1</disk>"
    print "      <mac>00:16:3e:00:00:04</mac>"
    print "      <bridge>xenbr0</bridge>"
    print "      <boot>yes</boot>"
    print "     </virtualmachines_RECORD>"
  } { print }' "$1"
}

# A guest added to the running profile: start configures it (its disk, its
# config file, the saved resources) and boots it, and only it: the running
# guests keep their domains.
step_add_guest() {
  a=$(domid alpha) b=$(domid beta)
  add_delta /tmp/profile2.xml >/tmp/profile-added.xml
  [ "$(grep -c '<virtualmachines_RECORD ' /tmp/profile-added.xml)" = 4 ] || die "cannot make the profile with delta"
  x --profile /tmp/profile-added.xml start
  expect_rc 0 start
  has_msg "[INFO] xen: guest 'delta': disk $IMAGES/delta.img: created (1 GB raw image, sparse)" start
  has_msg "[INFO] xen: guest 'delta': /etc/xen/delta.cfg created" start
  has_msg "[OK] xen: configure: 4 guests: 1 created, 0 updated, 3 unchanged, 0 retired; disks: 1 created, 3 present, 0 of another size, 0 refused; saved resources updated" start
  has_msg "[INFO] xen: guest 'alpha': running (domid $a)" start
  has_msg "[INFO] xen: guest 'beta': running (domid $b)" start
  grep -qE "^\[INFO\] xen: guest 'delta': booted \(domid [0-9]+\)$" /tmp/err || die "xen start did not boot delta"
  has_msg "[OK] xen: start: guests with boot set are running" start
  ! grep -E "guest 'gamma': .*boot" /tmp/err || die "xen start booted gamma (boot unset)"
  [ "$(guests_running)" = "alpha beta delta" ] || die "Xen runs '$(guests_running)', expected 'alpha beta delta'"
  d=$(domid delta)
  said=$(grep -E "guest 'delta': booted" /tmp/err | sed -E 's/.*domid ([0-9]+).*/\1/')
  [ "$said" = "$d" ] || die "xen start said delta is domid $said, Xen says $d"
  [ "$(domid alpha)" = "$a" ] || die "start touched alpha (domid $a -> $(domid alpha))"
  [ "$(domid beta)" = "$b" ] || die "start touched beta (domid $b -> $(domid beta))"
  # delta itself: up, on its new 1 GB disk (blank: its first bytes are
  # zero) and its own MAC, on the bridge.
  wait_console delta
  console_has delta "GUEST-UP delta" || { console_tail delta; die "delta's console has no GUEST-UP delta"; }
  console_has delta "GUEST-DISK delta xvda sectors=2097152" ||
    { console_tail delta; die "guest delta: $(grep GUEST-DISK $CONSOLE/guest-delta.log), expected its 1 GB disk (2097152 sectors) as xvda"; }
  console_has delta "GUEST-DISK-MARK delta $ZERO_MARK" ||
    { console_tail delta; die "guest delta: $(grep GUEST-DISK-MARK $CONSOLE/guest-delta.log), expected a blank disk ($ZERO_MARK)"; }
  console_has delta "GUEST-NIC delta eth0 mac=00:16:3e:00:00:04" ||
    { console_tail delta; die "guest delta: $(grep GUEST-NIC $CONSOLE/guest-delta.log), expected eth0 with mac 00:16:3e:00:00:04"; }
  [ -e /sys/class/net/xenbr0/brif/vif$d.0 ] || die "vif$d.0 of delta is not on xenbr0 ($(ls /sys/class/net/xenbr0/brif))"
  losetup -a | grep -qF "$IMAGES/delta.img" || die "no loop device backs $IMAGES/delta.img: $(losetup -a)"
  echo "delta (domid $d): $(grep -E 'GUEST-(DISK|NIC)' $CONSOLE/guest-delta.log | tr '\n' ' ')"
  # status lists the four, the three running with their domids.
  x status
  expect_rc 0 status
  for g in alpha beta gamma delta; do
    case $g in
      gamma) want="gamma no stopped - - -" ;;
      alpha) want="alpha yes running $a 120/120/128 1/1" ;;
      *) want="$g yes running $(domid $g) $(xl_mem $g)/96/96 1/1" ;;
    esac
    [ "$(status_row $g)" = "$want" ] || die "status shows '$(status_row $g)' for $g, expected '$want'"
  done
  # The saved resources (the status file) have delta.
  S=/run/lcfg/status/xen
  grep -qxF "xen.virtualmachines=alpha beta gamma delta" $S ||
    die "$S: $(grep '^xen.virtualmachines=' $S), expected xen.virtualmachines=alpha beta gamma delta"
  for r in uuid_delta=d4d4d4d4-0000-4000-8000-000000000004 mac_delta=00:16:3e:00:00:04 boot_delta=yes disk_delta=1; do
    grep -qxF "xen.$r" $S || die "$S has no xen.$r ($(grep "^xen.${r%%=*}=" $S))"
  done
}

# alpha renamed omega (its record, the same UUID, gets <name>omega</name>;
# its command line names it omega too, so that its console says which
# config it booted from).
rename_alpha() {
  awk '/cfg:name="alpha"/ { inrec = 1 }
    inrec && /<uuid>/ { print; print "      <name>omega</name>"; next }
    inrec { sub(/lcfgtest\.name=alpha/, "lcfgtest.name=omega") }
    /<\/virtualmachines_RECORD>/ { inrec = 0 }
    { print }' "$1"
}

# A running guest renamed: configure renames its domain (xl rename: the
# same domain, the same domid) and holds it back while it runs: its image
# keeps its old name (the domain has it open), no image is made under the
# new name, no config file is written for it; configure exits 1.
step_rename_running() {
  a=$(domid alpha) b=$(domid beta) d=$(domid delta)
  ino=$(stat -c %i $IMAGES/alpha.img)
  echo "$ino" >/tmp/alpha.ino
  rename_alpha /tmp/profile-added.xml >/tmp/profile-renamed.xml
  grep -q '<name>omega</name>' /tmp/profile-renamed.xml || die "cannot make the profile with alpha renamed omega"
  x --profile /tmp/profile-renamed.xml configure
  expect_rc 1 "configure (alpha renamed omega while it runs)"
  has_msg "[INFO] xen: guest 'omega': its domain 'alpha' (domid $a) renamed" configure
  has_msg "[ERROR] xen: guest 'omega': held back: disk $IMAGES/omega.img: renamed from 'alpha' while running: its data stays in $IMAGES/alpha.img until it is down, then configure renames it: it has no config and is not booted" configure
  has_msg "[ERROR] xen: guest 'omega': disk $IMAGES/omega.img: refused: not created: its guest is held back (below)" configure
  grep -qE "^\[INFO\] xen: guest 'omega': renamed from 'alpha': /etc/xen/alpha.cfg retired to /var/lib/lcfg/xen/retired/alpha\.cfg\.[0-9]{8}-[0-9]{6}$" /tmp/err ||
    die "xen configure did not retire /etc/xen/alpha.cfg"
  has_msg "[FAIL] xen: configure: 4 guests: 0 created, 0 updated, 3 unchanged, 1 retired; disks: 0 created, 3 present, 0 of another size, 1 refused; 1 guest held back; saved resources updated" configure
  # Xen: the same domain, renamed; the others untouched.
  xlq list
  [ "$(guests_running)" = "beta delta omega" ] || die "after the rename, Xen runs '$(guests_running)', expected 'beta delta omega'"
  [ "$(domid omega)" = "$a" ] || die "omega is domid '$(domid omega)', expected alpha's domid $a (xl rename keeps the domain)"
  [ "$(xenstore-read /local/domain/$a/name)" = omega ] || die "xenstore names domid $a '$(xenstore-read /local/domain/$a/name)', expected omega"
  [ "$(domid beta)" = "$b" ] && [ "$(domid delta)" = "$d" ] || die "the rename touched beta or delta (domids $b $d -> $(domid beta) $(domid delta))"
  # Its data stays where its domain has it; nothing under the new name.
  [ ! -e $IMAGES/omega.img ] || die "$IMAGES/omega.img was made while omega runs on $IMAGES/alpha.img"
  [ "$(stat -c %i $IMAGES/alpha.img 2>/dev/null)" = "$ino" ] || die "$IMAGES/alpha.img is not the file it was (inode $ino): $(ls -li $IMAGES)"
  losetup -a | grep -qF "$IMAGES/alpha.img" || die "no loop device backs $IMAGES/alpha.img any more: $(losetup -a)"
  [ ! -e /etc/xen/omega.cfg ] || die "/etc/xen/omega.cfg was written for a guest held back"
  [ ! -e /etc/xen/alpha.cfg ] || die "/etc/xen/alpha.cfg is still there"
  grep -qxF "a1a1a1a1-0000-4000-8000-000000000001 held alpha" /var/lib/lcfg/xen/guests ||
    die "/var/lib/lcfg/xen/guests: '$(grep a1a1a1a1 /var/lib/lcfg/xen/guests)', expected 'a1a1a1a1-0000-4000-8000-000000000001 held alpha'"
  # status sees the guest running under its new name, the same domain.
  x status
  expect_rc 0 status
  [ "$(status_row omega)" = "omega yes running $a 120/120/128 1/1" ] ||
    die "status shows '$(status_row omega)' for omega, expected 'omega yes running $a 120/120/128 1/1'"
  # The guest never noticed: its console (still the log xenconsoled opened
  # under its first name) shows one boot.
  [ "$(grep -c "GUEST-UP alpha" $CONSOLE/guest-alpha.log)" = 1 ] || { console_tail alpha; die "alpha's console shows $(grep -c "GUEST-UP alpha" $CONSOLE/guest-alpha.log) boots"; }
}

# stop: every running guest of the saved profile, by UUID: omega (alpha
# renamed) shuts down when asked, beta is destroyed after its 3 s timeout,
# delta shuts down.
step_stop() {
  t0=$(cut -d. -f1 /proc/uptime)
  x stop
  t1=$(cut -d. -f1 /proc/uptime)
  expect_rc 0 stop
  # (Not how long: the time reported is when stop noticed the domain gone.
  # It destroys a guest past its timeout inside its wait loop, so the
  # others are seen only once that xl destroy returns: delta was reported
  # "shut down in 28.2 s" (another run: 19.3 s) while its vif left the
  # bridge 6 s (3.3 s) after stop began, beta's destroy having taken ~24 s
  # (~18 s). A component issue, reported; not asserted here.)
  for g in omega delta; do
    grep -qE "^\[INFO\] xen: guest '$g': shut down in [0-9.]+ s$" /tmp/err || die "xen stop did not shut $g down gracefully"
  done
  has_msg "[WARNING] xen: guest 'beta': destroyed after 3 s timeout" stop
  has_msg "[OK] xen: stop: 3 guests stopped" stop
  [ -z "$(guests_running)" ] || die "after stop, Xen still runs '$(guests_running)'"
  # At least beta's 3 s timeout; the rest is teardown (xl destroy, the
  # hotplug scripts), 5 s on a quiet machine, 50 s seen on a loaded one.
  [ $((t1 - t0)) -ge 3 ] && [ $((t1 - t0)) -le 180 ] || die "stop took $((t1 - t0)) s (beta's timeout is 3 s)"
  # omega's console: xenconsoled named the log when the domain appeared
  # and keeps it after xl rename: its shutdown is in guest-alpha.log (seen;
  # either is taken, as that is xenconsoled's, not the component's).
  for f in alpha omega; do if console_has $f GUEST-SHUTDOWN; then echo "omega's shutdown request is in guest-$f.log"; fi; done
  console_has alpha GUEST-SHUTDOWN || console_has omega GUEST-SHUTDOWN ||
    { console_tail alpha; console_tail omega; die "omega's console (guest-alpha.log or guest-omega.log) does not show the shutdown request"; }
  console_has delta GUEST-SHUTDOWN || { console_tail delta; die "delta's console does not show the shutdown request"; }
  console_has beta GUEST-SHUTDOWN-IGNORED || die "beta's console does not show the ignored shutdown request"
  wait_for 20 sh -c '[ -z "$(losetup -a)" ]' || die "loop devices left after stop: $(losetup -a)"
  x isstarted -q
  expect_rc 1 "isstarted -q"
}

# The renamed guest down: start's configure renames its image (the same
# file, the same inode), writes its config file under the new name, and
# boots it, with the others; it boots on its old data (the mark
# disk-marks wrote into alpha.img), not on a blank disk.
step_renamed_start() {
  ino=$(cat /tmp/alpha.ino)
  x --profile /tmp/profile-renamed.xml start
  expect_rc 0 start
  has_msg "[INFO] xen: guest 'omega': renamed from 'alpha': disk $IMAGES/alpha.img renamed to $IMAGES/omega.img" start
  has_msg "[INFO] xen: guest 'omega': /etc/xen/omega.cfg created" start
  has_msg "[OK] xen: configure: 4 guests: 1 created, 0 updated, 3 unchanged, 0 retired; disks: 0 created, 4 present, 0 of another size, 0 refused; saved resources unchanged" start
  for g in omega beta delta; do
    grep -qE "^\[INFO\] xen: guest '$g': booted \(domid [0-9]+\)$" /tmp/err || die "xen start did not boot $g"
  done
  has_msg "[OK] xen: start: guests with boot set are running" start
  [ "$(guests_running)" = "beta delta omega" ] || die "Xen runs '$(guests_running)', expected 'beta delta omega'"
  for g in omega beta delta; do
    said=$(grep -E "guest '$g': booted" /tmp/err | sed -E 's/.*domid ([0-9]+).*/\1/')
    [ "$said" = "$(domid $g)" ] || die "xen start said $g is domid $said, Xen says $(domid $g)"
  done
  # The same file under the new name; nothing left under the old one.
  [ "$(stat -c %i $IMAGES/omega.img 2>/dev/null)" = "$ino" ] ||
    die "$IMAGES/omega.img is not alpha's image (inode $ino): $(ls -li $IMAGES)"
  [ ! -e $IMAGES/alpha.img ] || die "$IMAGES/alpha.img is still there: $(ls -li $IMAGES)"
  [ "$(stat -c %s $IMAGES/omega.img)" = $GIB ] || die "$IMAGES/omega.img is $(stat -c %s $IMAGES/omega.img) bytes"
  cfg=/etc/xen/omega.cfg
  grep -qxF 'name = "omega"' $cfg || die "$cfg does not name the guest omega"
  grep -qF "target=$IMAGES/omega.img\"" $cfg || die "$cfg: its disk is $(grep -o 'target=[^"]*' $cfg | head -1), expected target=$IMAGES/omega.img"
  grep -qF 'a1a1a1a1-0000-4000-8000-000000000001' $cfg || die "$cfg does not have alpha's UUID"
  [ ! -e /etc/xen/alpha.cfg ] || die "/etc/xen/alpha.cfg is back"
  grep -qxF "a1a1a1a1-0000-4000-8000-000000000001 profile omega" /var/lib/lcfg/xen/guests ||
    die "/var/lib/lcfg/xen/guests: '$(grep a1a1a1a1 /var/lib/lcfg/xen/guests)', expected 'a1a1a1a1-0000-4000-8000-000000000001 profile omega'"
  losetup -a | grep -qF "$IMAGES/omega.img" || die "no loop device backs $IMAGES/omega.img: $(losetup -a)"
  # omega's console (a new log, under its new name): booted from the new
  # config (its command line says omega), on alpha's data.
  wait_console omega
  console_has omega "GUEST-UP omega" || { console_tail omega; die "omega's console has no GUEST-UP omega"; }
  console_has omega "GUEST-DISK omega xvda sectors=2097152" ||
    { console_tail omega; die "guest omega: $(grep GUEST-DISK $CONSOLE/guest-omega.log), expected its 1 GB disk (2097152 sectors) as xvda"; }
  console_has omega "GUEST-DISK-MARK omega $(mark_hex alpha)" ||
    { console_tail omega; die "guest omega: $(grep GUEST-DISK-MARK $CONSOLE/guest-omega.log), expected alpha's mark $(mark_hex alpha) (its old data)"; }
  console_has omega "GUEST-NIC omega eth0 mac=00:16:3e:00:00:01" ||
    { console_tail omega; die "guest omega: $(grep GUEST-NIC $CONSOLE/guest-omega.log), expected eth0 with alpha's mac 00:16:3e:00:00:01"; }
  echo "omega (domid $(domid omega)): $(grep -E 'GUEST-(DISK|NIC)' $CONSOLE/guest-omega.log | tr '\n' ' ')"
  # The others booted again on their own disks.
  wait_console beta 3
  console_has beta "GUEST-DISK-MARK beta $(mark_hex beta)" 3 || { console_tail beta; die "beta, booted again, does not show its mark $(mark_hex beta)"; }
  wait_console delta 2
  console_has delta "GUEST-DISK-MARK delta $ZERO_MARK" 2 || { console_tail delta; die "delta, booted again, does not show its blank disk"; }
}

# The images are the guests' own, unchanged since disk-marks: alpha's data
# is in omega.img, the same file (size, allocation, inode, mtime, mode,
# first and last MiB).
step_disks_unchanged() {
  # shellcheck disable=SC2034 # image_sums reads it (eval)
  IMAGE_alpha=omega
  image_sums >/tmp/images.after
  cat /tmp/images.after
  diff /tmp/images.before /tmp/images.after >/tmp/images.diff || die "the images changed: $(tr '\n' ' ' </tmp/images.diff)"
}

# The profile of the renamed-start step with a fifth guest, epsilon, to be
# installed on its first boot: its installer is the test's kernel and
# initramfs with lcfgtest.install on the command line (the host's
# installkernel, installramdisk, installextra), which marks its disk and
# powers off; its own config boots the same kernel without it.
add_epsilon() {
  awk '/<virtualmachines cfg:template=/ { sub(/shutdowntimeout_\$"/, "shutdowntimeout_$ install_$\"") }
    /<shutdowntimeout>30<\/shutdowntimeout>/ {
    print
    print "    <installkernel>/var/lib/lcfg-xen-test/vmlinuz</installkernel>"
    print "    <installramdisk>/var/lib/lcfg-xen-test/guest-initrd.gz</installramdisk>"
    print "    <installextra>console=hvc0 loglevel=4 lcfgtest.name=@name@ lcfgtest.install</installextra>"
    next }
    /<\/virtualmachines>/ {
    print "     <virtualmachines_RECORD cfg:name=\"epsilon\">"
    print "      <uuid>e5e5e5e5-0000-4000-8000-000000000005</uuid>"
    print "      <memory>96</memory>"
    print "      <kernel>/var/lib/lcfg-xen-test/vmlinuz</kernel>"
    print "      <ramdisk>/var/lib/lcfg-xen-test/guest-initrd.gz</ramdisk>"
    print "      <cmdline>console=hvc0 loglevel=4 lcfgtest.name=epsilon</cmdline>"
    print "      <disk>1</disk>"
    print "      <mac>00:16:3e:00:00:05</mac>"
    print "      <bridge>xenbr0</bridge>"
    print "      <boot>yes</boot>"
    print "      <install>kernel</install>"
    print "     </virtualmachines_RECORD>"
  } { print }' "$1"
}

# What the installer writes at the start of the disk, in hex: its first 16
# bytes (guest-init's dd), which the guest's own boot prints back.
installed_hex() { printf 'INSTALLED:%-6s' "$1" | head -c 16 | od -An -tx1 | tr -d ' \n'; }

# A guest installed on its first boot (install_epsilon kernel): start makes
# its disk and boots its installer from /etc/xen/install/epsilon.cfg; the
# installer marks the disk and powers off, and its domain stays, shut down
# (on_poweroff preserve); run records it installed and boots its own
# config, whose console shows the installer's mark read back from the disk.
step_install() {
  add_epsilon /tmp/profile-renamed.xml >/tmp/profile-install.xml
  grep -q '<install>kernel</install>' /tmp/profile-install.xml && grep -q 'install_\$"' /tmp/profile-install.xml ||
    die "cannot make the profile with epsilon"
  x --profile /tmp/profile-install.xml start
  expect_rc 0 start
  has_msg "[INFO] xen: guest 'epsilon': to be installed at its first boot (install kernel /var/lib/lcfg-xen-test/vmlinuz, ramdisk /var/lib/lcfg-xen-test/guest-initrd.gz: its disks are new)" start
  has_msg "[INFO] xen: guest 'epsilon': disk $IMAGES/epsilon.img: created (1 GB raw image, sparse)" start
  grep -qE "^\[INFO\] xen: guest 'epsilon': installing \(domid [0-9]+\) from /etc/xen/install/epsilon.cfg: it boots its own config once its installer has powered off$" /tmp/err ||
    die "xen start did not boot epsilon's installer"
  cfg=/etc/xen/install/epsilon.cfg
  for l in 'cmdline = "console=hvc0 loglevel=4 lcfgtest.name=epsilon lcfgtest.install"' \
           'on_poweroff = "preserve"' 'on_reboot = "preserve"' 'on_crash = "preserve"'; do
    grep -qxF "$l" $cfg || die "$cfg has no line: $l"
  done
  xl create -n -q -f $cfg >/tmp/parsed 2>&1 || die "xl cannot parse $cfg: $(tail -n 1 /tmp/parsed)"
  wait_for 120 console_has epsilon "GUEST-INSTALLED epsilon" ||
    { console_tail epsilon; die "epsilon's installer did not finish within 120 s"; }
  # Its domain stays, shut down (xl list's state has s), until run reads it.
  wait_for 60 sh -c 'xl list epsilon | awk "NR == 2 { print \$5 }" | grep -q s' ||
    die "epsilon's installer domain is not kept shut down: $(xlq list 2>&1 | tr '\n' ' ')"
  x status
  grep -qxF "  install   finished (its installer powered off): recorded at the next start, run or boot" /tmp/out ||
    die "status does not show epsilon's finished install: $(grep '^  install' /tmp/out)"
  x run
  expect_rc 0 run
  grep -qE "^\[INFO\] xen: guest 'epsilon': installed in [0-9]+ s \(its installer powered off\)$" /tmp/err ||
    die "xen run did not record epsilon's install"
  grep -qE "^\[INFO\] xen: guest 'epsilon': booted \(domid [0-9]+\)$" /tmp/err || die "xen run did not boot epsilon"
  [ ! -e $cfg ] || die "$cfg is still there after the install"
  grep -qE "^e5e5e5e5-0000-4000-8000-000000000005 [0-9]+ installed [0-9]+$" /var/lib/lcfg/xen/installs ||
    die "/var/lib/lcfg/xen/installs: $(grep e5e5 /var/lib/lcfg/xen/installs)"
  # Its own config (no lcfgtest.install) on the disk the installer wrote.
  wait_console epsilon 2
  console_has epsilon "GUEST-DISK-MARK epsilon $(installed_hex epsilon)" ||
    { console_tail epsilon; die "epsilon's own boot does not show the installer's mark $(installed_hex epsilon): $(grep GUEST-DISK-MARK $CONSOLE/guest-epsilon.log | tr '\n' ' ')"; }
  [ "$(grep -c GUEST-INSTALLED $CONSOLE/guest-epsilon.log)" = 1 ] || { console_tail epsilon; die "epsilon's installer ran again"; }
  echo "epsilon (domid $(domid epsilon)): $(grep -E 'GUEST-(INSTALLED|DISK-MARK)' $CONSOLE/guest-epsilon.log | tr '\n' ' ')"
  # Never again: run finds it running.
  x run
  expect_rc 0 run
  grep -qE "^\[INFO\] xen: guest 'epsilon': running \(domid [0-9]+\)$" /tmp/err || die "xen run did not find epsilon running"
}

# The profile of the install step with xen.onhostshutdown save (savedir:
# xendomains' directory, the default, written out).
add_save() {
  awk '/<shutdowntimeout>30<\/shutdowntimeout>/ && !done { print
    print "    <onhostshutdown>save</onhostshutdown>"
    print "    <savedir>/var/lib/xen/save</savedir>"
    done = 1; next } { print }' "$1"
}

# The last GUEST-TICK count on a guest's console (guest-init prints one a
# second); ticks_from GUEST LINE: the counts from that line of its log on.
last_tick() { sed -n 's/^.*GUEST-TICK \([0-9][0-9]*\).*$/\1/p' "$CONSOLE/guest-$1.log" | tail -n 1; }
tick_at_least() { t=$(last_tick "$1"); [ -n "$t" ] && [ "$t" -ge "$2" ]; }
ticks_from() { tail -n +"$2" "$CONSOLE/guest-$1.log" | sed -n 's/^.*GUEST-TICK \([0-9][0-9]*\).*$/\1/p'; }

# xen.onhostshutdown save: stop saves the running guest (delta, 96 MB) to
# savedir, start restores it: the same domain (its UUID), its console
# counter going on from where it was (a fresh boot would print GUEST-UP and
# count from 1). The other guests are shut down first, so that the image
# fits in dom0's memory (savedir is a tmpfs there); start boots them fresh.
step_save_restore() {
  U=d4d4d4d4-0000-4000-8000-000000000004
  add_save /tmp/profile-install.xml >/tmp/profile-save.xml
  grep -q '<onhostshutdown>save</onhostshutdown>' /tmp/profile-save.xml || die "cannot make the profile with onhostshutdown save"
  x shutdown omega beta epsilon
  expect_rc 0 "shutdown omega beta epsilon"
  [ "$(guests_running)" = "delta" ] || die "after shutdown omega beta epsilon, Xen runs '$(guests_running)'"
  mkdir -p /var/lib/xen/save && mount -t tmpfs -o size=192m,mode=0700 tmpfs /var/lib/xen/save ||
    die "cannot mount a tmpfs on /var/lib/xen/save"
  x --profile /tmp/profile-save.xml configure
  expect_rc 0 configure
  wait_for 60 tick_at_least delta 3 || { console_tail delta; die "delta's console does not count (GUEST-TICK)"; }
  ups=$(grep -c "GUEST-UP delta" $CONSOLE/guest-delta.log)
  x stop
  expect_rc 0 stop
  grep -qE "^\[INFO\] xen: guest 'delta': saved to /var/lib/xen/save/$U\.save \([0-9.]+ MB in [0-9.]+ s\)$" /tmp/err ||
    die "xen stop did not save delta: $(grep delta /tmp/err | tr '\n' ' ')"
  saved=$(grep -oE "saved to [^ ]+ \([0-9.]+ MB in [0-9.]+ s\)" /tmp/err)
  has_msg "[OK] xen: stop: 1 guest stopped" stop
  [ -z "$(guests_running)" ] || die "after stop, Xen still runs '$(guests_running)'"
  [ -s /var/lib/xen/save/$U.save ] || die "no save image: $(ls -l /var/lib/xen/save)"
  [ -f /var/lib/lcfg/xen/saved/$U ] || die "no save record /var/lib/lcfg/xen/saved/$U"
  before=$(last_tick delta)
  lines=$(wc -l <$CONSOLE/guest-delta.log)
  sleep 3
  x --profile /tmp/profile-save.xml start
  expect_rc 0 start
  grep -qE "^\[INFO\] xen: guest 'delta': restored \(domid [0-9]+\) from /var/lib/xen/save/$U\.save in [0-9.]+ s$" /tmp/err ||
    die "xen start did not restore delta: $(grep delta /tmp/err | tr '\n' ' ')"
  for g in omega beta epsilon; do
    grep -qE "^\[INFO\] xen: guest '$g': booted \(domid [0-9]+\)$" /tmp/err || die "xen start did not boot $g"
  done
  [ "$(guests_running)" = "beta delta epsilon omega" ] || die "Xen runs '$(guests_running)', expected 'beta delta epsilon omega'"
  said=$(grep -E "guest 'delta': restored" /tmp/err | sed -E 's/.*domid ([0-9]+).*/\1/')
  [ "$said" = "$(domid delta)" ] || die "xen start said delta is domid $said, Xen says $(domid delta)"
  u=$(xlq list -v delta | awk 'NR == 2 { print $7 }')
  [ "$u" = "$U" ] || die "delta's domain has UUID '$u', expected $U"
  [ ! -e /var/lib/xen/save/$U.save ] || die "the save image is still there after the restore"
  [ ! -e /var/lib/lcfg/xen/saved/$U ] || die "the save record is still there after the restore"
  # Restored, not booted: no new GUEST-UP; the counter goes on.
  wait_for 60 tick_at_least delta $((before + 2)) || { console_tail delta; die "delta's counter does not go on after the restore (last before: $before)"; }
  [ "$(grep -c "GUEST-UP delta" $CONSOLE/guest-delta.log)" = "$ups" ] || { console_tail delta; die "delta was booted again (GUEST-UP), not restored"; }
  first=$(ticks_from delta $((lines + 1)) | head -n 1)
  [ -n "$first" ] && [ "$first" -ge "$before" ] && [ "$first" -le $((before + 3)) ] ||
    { console_tail delta; die "delta's first count after the restore is '$first', the last before it $before"; }
  echo "delta: counted to $before before the save, $first first after the restore"
  echo "hostsave-times: $saved; restore $(grep -oE "restored .* in [0-9.]+ s" /tmp/err | grep -oE "[0-9.]+ s$")"
}

# The profile of the install step with the moves' resources: the target
# is this host (migrateremote empty: no ssh; migratecopy empty: the image
# stays where it is), and coldmove as given.
move_profile() {
  awk -v cold="$2" '/<shutdowntimeout>30<\/shutdowntimeout>/ {
    print
    print "    <coldmove>" cold "</coldmove>"
    print "    <migrateremote></migrateremote>"
    print "    <migratecopy></migratecopy>"
    next } { print }' "$1"
}

# migrate of a running PV guest to this host: Debian 12's Xen has no
# shadow paging, so live migration is refused before it is tried (with
# cold moves off, delta is left running), and a cold move (xl save, xl
# restore) is done instead: delta runs afterwards, one copy, not
# rebooted, its image gone, still this host's guest.
step_migrate() {
  mkdir -p /var/lib/xen/save
  grep -q " /var/lib/xen/save " /proc/mounts || mount -t tmpfs -o size=1g,mode=0700 tmpfs /var/lib/xen/save
  move_profile /tmp/profile-install.xml never >/tmp/profile-never.xml
  move_profile /tmp/profile-install.xml auto >/tmp/profile-move.xml
  grep -q '<coldmove>never</coldmove>' /tmp/profile-never.xml || die "cannot make the profile with coldmove"
  d=$(domid delta)
  [ -n "$d" ] || die "delta is not running"
  ups=$(grep -c "GUEST-UP delta" $CONSOLE/guest-delta.log)
  x --profile /tmp/profile-never.xml configure
  expect_rc 0 configure
  x migrate delta localhost
  expect_rc 1 migrate
  has_msg "[FAIL] xen: migrate delta: live migration refused: live migration of PV guests needs shadow paging, which this hypervisor lacks, and cold moves are off (xen.coldmove never); it runs here still (domid $d)" migrate
  [ "$(domid delta)" = "$d" ] || die "the refused migrate touched delta (domid $d -> $(domid delta))"
  x --profile /tmp/profile-move.xml configure
  expect_rc 0 configure
  x migrate delta localhost
  expect_rc 0 migrate
  grep -qE "^\[OK\] xen: migrate delta: moved to localhost \(this host\) \(cold: live migration of PV guests needs shadow paging, which this hypervisor lacks\): down [0-9]+\.[0-9] s$" /tmp/err ||
    die "xen migrate did not say delta was moved cold: $(tail -n 1 /tmp/err)"
  [ "$(xlq list | awk '$1 == "delta"' | wc -l)" = 1 ] || die "not one delta: $(xlq list | tr '\n' ' ')"
  n=$(domid delta)
  [ -n "$n" ] && [ "$n" != "$d" ] || die "delta was not restored under a new domid (before $d, now '$n')"
  xlq list delta | awk 'NR == 2 { print $5 }' | grep -qE '^-?[rb]' || die "delta is not running: $(xlq list delta | tail -n 1)"
  [ "$(xlq domname "$n")" = delta ] || die "domid $n is not delta"
  u=$(awk '$3 == "delta" { print $1 }' /var/lib/lcfg/xen/guests)
  [ "$(xlq list -v delta | awk 'NR == 2 { print $7 }')" = "$u" ] || die "delta's uuid is not $u: $(xlq list -v delta | tail -n 1)"
  # Restored, not rebooted: its console shows no new GUEST-UP.
  sleep 2
  [ "$(grep -c "GUEST-UP delta" $CONSOLE/guest-delta.log)" = "$ups" ] || { console_tail delta; die "delta booted again"; }
  [ ! -e /var/lib/xen/save/delta.move ] || die "the save image /var/lib/xen/save/delta.move is left"
  [ -e /etc/xen/delta.cfg ] || die "delta's config file was retired though it runs here"
  grep -q " profile delta$" /var/lib/lcfg/xen/guests || die "the record does not keep delta: $(grep delta /var/lib/lcfg/xen/guests)"
  x status
  expect_rc 0 status
  [ "$(status_row delta | awk '{ print $3, $4 }')" = "running $n" ] || die "status: $(status_row delta)"
  echo "delta: domid $d -> $n, $(tail -n 1 /tmp/err)"
}

# A live vcpu pin and weight (issue 17): delta, running, gets cpus 1 and
# weight 512 in the profile; configure pins its vcpus and sets its weight
# without restarting it, as xl vcpu-list and xl sched-credit2 show; status
# shows no drift, then the drift of a pin changed by hand.
step_vcpu_pin() {
  awk '/<virtualmachines cfg:template=/ { sub(/install_\$"/, "install_$ cpus_$ weight_$\"") }
       /<uuid>d4d4d4d4-0000-4000-8000-000000000004<\/uuid>/ {
         print; print "      <cpus>1</cpus>"; print "      <weight>512</weight>"; next } { print }' \
    /tmp/profile-move.xml >/tmp/profile-pin.xml
  grep -q '<cpus>1</cpus>' /tmp/profile-pin.xml && grep -q 'cpus_\$ weight_\$"' /tmp/profile-pin.xml ||
    die "cannot make the profile with cpus_delta"
  d=$(domid delta)
  [ -n "$d" ] || die "delta is not running"
  xlq vcpu-list delta
  x --profile /tmp/profile-pin.xml configure
  expect_rc 0 configure
  has_msg "[INFO] xen: guest 'delta': cpus all -> 1, soft all -> all applied live" configure
  has_msg "[INFO] xen: guest 'delta': weight 256 -> 512, cap 0 -> 0 applied live" configure
  [ "$(domid delta)" = "$d" ] || die "delta was restarted (domid $d -> $(domid delta)), not pinned live"
  grep -qxF 'cpus = "1"' /etc/xen/delta.cfg || die "/etc/xen/delta.cfg has no cpus = \"1\""
  xlq vcpu-list delta
  aff=$(xlq vcpu-list delta | awk 'NR > 1 { print $(NF - 2), $(NF - 1), $NF }' | sort -u | tr '\n' ' ')
  [ "$aff" = "1 / all " ] || die "xl vcpu-list shows the affinity '$aff' for delta, expected '1 / all'"
  xlq sched-credit2 -d delta
  w=$(xlq sched-credit2 -d delta | awk 'NR == 2 { print $3, $4 }')
  [ "$w" = "512 0" ] || die "xl sched-credit2 shows weight and cap '$w' for delta, expected '512 0'"
  x status
  expect_rc 0 status
  grep -qxF "  cpus      1, weight 512, pool Pool-0" /tmp/out || die "status does not show delta's placement"
  ! grep -q "^  drift" /tmp/out || die "status shows a drift: $(grep '^  drift' /tmp/out)"
  # Pinned by hand elsewhere: status says so, configure puts it back.
  xlq vcpu-pin delta all 0 all
  x status
  expect_rc 0 status
  grep -qxF "  drift     cpus 1, soft all: configure applies it live (the running domain has 0, soft all)" /tmp/out ||
    die "status does not show the drift of delta's hand-made pin"
  x --profile /tmp/profile-pin.xml configure
  expect_rc 0 configure
  has_msg "[INFO] xen: guest 'delta': cpus 0 -> 1, soft all -> all applied live" configure
  aff=$(xlq vcpu-list delta | awk 'NR > 1 { print $(NF - 2), $(NF - 1), $NF }' | sort -u | tr '\n' ' ')
  [ "$aff" = "1 / all " ] || die "after configure xl vcpu-list shows '$aff' for delta, expected '1 / all'"
}

# hotplug: zeta, a guest with three disks (the seed's disk and disksec,
# and the item c of its list disks_zeta) and two NICs on xenbr0 (its
# eth0 and the item n of nics_zeta); its console lists them (guest-init).
# Then a disk (item d) and a NIC (item m) added to its profile while it
# runs, which configure plugs in live (xl block-attach, xl
# network-attach): the guest sees them appear, the domain is not
# restarted, and a second configure has nothing more to do.
# add_zeta PROFILE DISKS NICS: zeta added to PROFILE with these items.
add_zeta() {
  awk -v disks="$2" -v nics="$3" '/<virtualmachines cfg:template=/ { sub(/">$/, " disksec_$ disks_$ nics_$\">") }
    /<\/virtualmachines>/ {
    print "     <virtualmachines_RECORD cfg:name=\"zeta\">"
    print "      <uuid>f6f6f6f6-0000-4000-8000-000000000006</uuid>"
    # More than the other guests have (96 MB): at 96 its kernel ran out of
    # memory registering a hot-plugged disk (blk_register_queue) and died.
    print "      <memory>192</memory>"
    print "      <kernel>/var/lib/lcfg-xen-test/vmlinuz</kernel>"
    print "      <ramdisk>/var/lib/lcfg-xen-test/guest-initrd.gz</ramdisk>"
    print "      <cmdline>console=hvc0 loglevel=4 lcfgtest.name=zeta lcfgtest.disks=3 lcfgtest.nics=2</cmdline>"
    print "      <disk>1</disk>"
    print "      <disksec>1</disksec>"
    print "      <mac>00:16:3e:00:00:07</mac>"
    print "      <bridge>xenbr0</bridge>"
    print "      <boot>yes</boot>"
    print "      <disks cfg:template=\"dsize_$_$\">"
    n = split(disks, d, " ")
    for (i = 1; i <= n; i++)
      print "       <disks_RECORD cfg:name=\"" d[i] "\"><dsize>1</dsize></disks_RECORD>"
    print "      </disks>"
    print "      <nics cfg:template=\"nmac_$_$ nbridge_$_$\">"
    n = split(nics, m, " ")
    for (i = 1; i <= n; i++)
      print "       <nics_RECORD cfg:name=\"" m[i] "\"><nmac>00:16:3e:00:01:0" i "</nmac><nbridge>xenbr0</nbridge></nics_RECORD>"
    print "      </nics>"
    print "     </virtualmachines_RECORD>"
  } { print }' "$1"
}

# The vdev zeta's config gives the image IMG.
vdev_of() { sed -n "s|.*vdev=\([a-z]*\), access=rw, target=$IMAGES/$1\".*|\1|p" /etc/xen/zeta.cfg; }

# What Xen and the guest say when a hot-plug fails.
hotplug_diag() {
  echo "--- xl list:"; xl list 2>&1
  echo "--- /var/log/xen/xen-hotplug.log:"; tail -n 30 /var/log/xen/xen-hotplug.log 2>&1
  echo "--- /var/log/xen/xl-$1.log:"; tail -n 20 /var/log/xen/xl-$1.log 2>&1
  echo "--- xl dmesg:"; xl dmesg 2>&1 | tail -n 15
  console_tail "$1"
}

step_hotplug() {
  # Room for zeta in a small host: only delta runs on.
  x destroy omega beta epsilon
  add_zeta /tmp/profile-move.xml "c" "n" >/tmp/profile-zeta.xml
  add_zeta /tmp/profile-move.xml "c d" "n m" >/tmp/profile-zeta2.xml
  grep -q '<disks_RECORD cfg:name="d">' /tmp/profile-zeta2.xml || die "cannot make the profile with zeta"
  x --profile /tmp/profile-zeta.xml configure
  expect_rc 0 configure
  xl create -n -q -f /etc/xen/zeta.cfg >/tmp/parsed 2>&1 || die "xl cannot parse /etc/xen/zeta.cfg: $(tail -n 1 /tmp/parsed)"
  x boot zeta
  expect_rc 0 "boot zeta"
  d=$(domid zeta)
  [ -n "$d" ] || die "zeta is not running"
  wait_for 90 console_has zeta "GUEST-NIC zeta eth1" || { console_tail zeta; die "zeta did not report its devices within 90 s"; }
  ! console_has zeta GUEST-ERROR || { console_tail zeta; die "zeta: $(grep GUEST-ERROR $CONSOLE/guest-zeta.log | head -1)"; }
  vc=$(vdev_of zeta-c.img)
  [ -n "$vc" ] || die "zeta's config has no disk zeta-c.img: $(grep -A5 '^disk' /etc/xen/zeta.cfg)"
  for want in "GUEST-DISK zeta xvda sectors=2097152" "GUEST-DISK zeta xvdb sectors=2097152" \
              "GUEST-DISK zeta $vc sectors=2097152" "GUEST-NIC zeta eth0 mac=00:16:3e:00:00:07" \
              "GUEST-NIC zeta eth1 mac=00:16:3e:00:01:01"; do
    console_has zeta "$want" || { console_tail zeta; die "zeta's console does not say: $want"; }
  done
  for v in 0 1; do
    [ -e /sys/class/net/xenbr0/brif/vif$d.$v ] || die "vif$d.$v of zeta is not on xenbr0 ($(ls /sys/class/net/xenbr0/brif))"
  done
  echo "zeta (domid $d): $(grep -E 'GUEST-(DISK|NIC)' $CONSOLE/guest-zeta.log | tr '\n' ' ')"
  # A disk and a NIC added while it runs: the disk made, both plugged in live.
  x --profile /tmp/profile-zeta2.xml configure
  [ "$RC" -eq 0 ] || hotplug_diag zeta
  expect_rc 0 configure
  vd=$(vdev_of zeta-d.img)
  [ -n "$vd" ] || die "zeta's config has no disk zeta-d.img: $(grep -A6 '^disk' /etc/xen/zeta.cfg)"
  has_msg "[INFO] xen: guest 'zeta': disk $IMAGES/zeta-d.img: created (1 GB raw image, sparse)" configure
  has_msg "[INFO] xen: guest 'zeta': disk $vd ($IMAGES/zeta-d.img) attached live" configure
  has_msg "[INFO] xen: guest 'zeta': NIC 2 (00:16:3e:00:01:02 on xenbr0) attached live" configure
  ! grep -q "needs restart\|restarting" /tmp/err || die "configure wants zeta restarted: $(grep restart /tmp/err)"
  [ "$(domid zeta)" = "$d" ] || die "zeta was restarted (domid $d -> $(domid zeta))"
  wait_for 30 console_has zeta "GUEST-DISK-ADDED zeta $vd sectors=2097152" ||
    { console_tail zeta; die "zeta did not see its new disk $vd within 30 s"; }
  wait_for 30 console_has zeta "GUEST-NIC-ADDED zeta eth2 mac=00:16:3e:00:01:02" ||
    { console_tail zeta; die "zeta did not see its new NIC within 30 s"; }
  xlq block-list zeta >/tmp/bl
  [ "$(awk 'NR > 1' /tmp/bl | wc -l)" = 4 ] || die "xl block-list zeta: $(cat /tmp/bl)"
  [ -e /sys/class/net/xenbr0/brif/vif$d.2 ] || die "vif$d.2 of zeta is not on xenbr0 ($(ls /sys/class/net/xenbr0/brif))"
  losetup -a | grep -qF "$IMAGES/zeta-d.img" || die "no loop device backs $IMAGES/zeta-d.img: $(losetup -a)"
  # Nothing more to do, nothing pending.
  x --profile /tmp/profile-zeta2.xml configure
  expect_rc 0 configure
  ! grep -q "attached live" /tmp/err || die "the second configure attached again"
  x status
  expect_rc 0 status
  awk '/^zeta$/ { f = 1; next } /^$/ { f = 0 } f' /tmp/out >/tmp/zeta-status
  grep -q "^  config " /tmp/zeta-status || die "status has no section for zeta"
  ! grep -q "pending" /tmp/zeta-status || die "status: zeta: $(grep pending /tmp/zeta-status)"
  echo "zeta (domid $d): $(grep -E 'GUEST-(DISK|NIC)' $CONSOLE/guest-zeta.log | tr '\n' ' ')"
}

scenario() {
  step toolstack step_toolstack
  step configure step_configure
  step disk-marks step_disk_marks
  step start step_start
  step guest-devices step_guest_devices
  step status step_status
  step memory-live step_memory_live
  step run-after-destroy step_run_after_destroy
  step xl-hangs step_xl_hangs
  step add-guest step_add_guest
  step rename-running step_rename_running
  step stop step_stop
  step renamed-start step_renamed_start
  step disks-unchanged step_disks_unchanged
  step install step_install
  step save-restore step_save_restore
  step migrate step_migrate
  step vcpu-pin step_vcpu_pin
  step hotplug step_hotplug
  step bridge step_bridge
}

# The profile of the hotplug step with a bridge of the component's
# (xen.bridges: xenbr9, for the guests alone) and two guests: theta on it,
# iota on xenbr8, which nothing makes.
bridge_profile() {
  awk '/<shutdowntimeout>30<\/shutdowntimeout>/ && !b { print
    print "    <bridges cfg:template=\"bridgeif_$ bridgevlan_$ bridgestp_$\">"
    print "     <bridges_RECORD cfg:name=\"xenbr9\"/>"
    print "    </bridges>"
    b = 1; next }
  /<\/virtualmachines>/ { for (i = 0; i < 2; i++) {
      n = i ? "iota" : "theta"; br = i ? "xenbr8" : "xenbr9"
      print "     <virtualmachines_RECORD cfg:name=\"" n "\">"
      print "      <uuid>f8f8f8f8-0000-4000-8000-00000000000" (8 + i) "</uuid>"
      print "      <memory>96</memory>"
      print "      <kernel>/var/lib/lcfg-xen-test/vmlinuz</kernel>"
      print "      <ramdisk>/var/lib/lcfg-xen-test/guest-initrd.gz</ramdisk>"
      print "      <cmdline>console=hvc0 loglevel=4 lcfgtest.name=" n (i ? "" : " lcfgtest.disks=3 lcfgtest.nics=2") "</cmdline>"
      print "      <disk>1</disk>"
      print "      <mac>00:16:3e:00:00:0" (8 + i) "</mac>"
      print "      <bridge>" br "</bridge>"
      if (!i) {
        # theta: three disks and two NICs, both on the bridge made here.
        print "      <disksec>1</disksec>"
        print "      <disks cfg:template=\"dsize_$_$\">"
        print "       <disks_RECORD cfg:name=\"c\"><dsize>1</dsize></disks_RECORD>"
        print "      </disks>"
        print "      <nics cfg:template=\"nmac_$_$ nbridge_$_$\">"
        print "       <nics_RECORD cfg:name=\"n\"><nmac>00:16:3e:00:02:01</nmac><nbridge>xenbr9</nbridge></nics_RECORD>"
        print "      </nics>"
      }
      print "     </virtualmachines_RECORD>"
    } }
  { print }' "$1"
}

# A bridge the component made itself: dom0 gets Debian's ifupdown and
# bridge-utils (the harness carries them in $T/net; installed here, as
# apt would, so the earlier steps ran without brctl) and the
# /etc/network/interfaces Debian ships (source /etc/network/interfaces.d/*);
# configure writes the drop-in for xenbr9 and brings it up with ifup; theta
# boots with three disks and two NICs, both vifs on it (its console lists
# them). iota, whose bridge xenbr8 does not exist, fails
# before xl runs, naming its NIC and bridge, and no domain of it is made.
step_bridge() {
  mkdir -p /etc/network/interfaces.d /run/network /lib/bridge-utils /etc/default
  for d in if-pre-up.d if-down.d if-post-down.d; do
    mkdir -p /etc/network/$d && cp -a $T/net/etc/network/$d/. /etc/network/$d/
  done
  cp -a $T/net/lib/bridge-utils/. /lib/bridge-utils/
  cp -a $T/net/etc/default/bridge-utils /etc/default/
  cp -a $T/net/sbin/ifup $T/net/sbin/ifdown $T/net/sbin/brctl /sbin/
  printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' >/etc/network/interfaces
  bridge_profile /tmp/profile-zeta2.xml >/tmp/profile-bridge.xml
  grep -q 'cfg:name="xenbr9"' /tmp/profile-bridge.xml && grep -q 'cfg:name="iota"' /tmp/profile-bridge.xml ||
    die "cannot make the profile with xen.bridges"
  # Room for theta: the hotplug step's zeta goes, delta stays.
  x destroy zeta
  expect_rc 0 "destroy zeta"
  [ ! -e /sys/class/net/xenbr9 ] || die "xenbr9 exists before configure"
  x --profile /tmp/profile-bridge.xml configure
  expect_rc 0 configure
  has_msg "[INFO] xen: bridges: /etc/network/interfaces.d/lcfg-xen-xenbr9 created" configure
  has_msg "[INFO] xen: bridges: ran ifup xenbr9 (new in xen.bridges)" configure
  head -n 1 /etc/network/interfaces.d/lcfg-xen-xenbr9 | grep -qF "Written by the LCFG xen component" ||
    die "the drop-in has no header: $(head -n 1 /etc/network/interfaces.d/lcfg-xen-xenbr9)"
  [ -d /sys/class/net/xenbr9/bridge ] || die "ifup made no bridge xenbr9: $(ls /sys/class/net | tr '\n' ' ')"
  ip link show xenbr9 | grep -q "state UP\|,UP" || die "xenbr9 is not up: $(ip link show xenbr9)"
  grep -qx xenbr9 /run/network/ifstate.xenbr9 2>/dev/null || grep -q "xenbr9" /run/network/ifstate* ||
    die "ifupdown did not record xenbr9 as up: $(cat /run/network/ifstate* 2>/dev/null | tr '\n' ' ')"
  # Again: nothing to do.
  x --profile /tmp/profile-bridge.xml configure
  expect_rc 0 configure
  ! grep -q "bridges:" /tmp/err || die "a configure that changes nothing said: $(grep bridges: /tmp/err)"
  x boot theta
  expect_rc 0 "boot theta"
  d=$(domid theta)
  [ -n "$d" ] || die "theta is not running"
  wait_for 90 console_has theta "GUEST-NIC theta eth1" || { console_tail theta; die "theta did not report its devices within 90 s"; }
  for want in "GUEST-DISK theta xvda sectors=2097152" "GUEST-DISK theta xvdb sectors=2097152" \
              "GUEST-DISK theta xvdd sectors=2097152" "GUEST-NIC theta eth0 mac=00:16:3e:00:00:08" \
              "GUEST-NIC theta eth1 mac=00:16:3e:00:02:01"; do
    console_has theta "$want" || { console_tail theta; die "theta's console does not say: $want"; }
  done
  for v in 0 1; do
    [ -e /sys/class/net/xenbr9/brif/vif$d.$v ] || die "theta's vif$d.$v is not on xenbr9: $(ls /sys/class/net/xenbr9/brif | tr '\n' ' ')"
  done
  echo "theta (domid $d): $(grep -E 'GUEST-(DISK|NIC)' $CONSOLE/guest-theta.log | tr '\n' ' ')"
  echo "xenbr9 (made by ifup from the component's drop-in) ports: $(ls /sys/class/net/xenbr9/brif | tr '\n' ' ')"
  x boot iota
  expect_rc 1 "boot iota"
  has_msg "[ERROR] xen: guest 'iota': not booted: bridge xenbr8 of NIC eth0 (bridge_iota) does not exist" "boot iota"
  [ -z "$(domid iota)" ] || die "a domain of iota was made"
  ! grep -q "iota" /var/log/xen/xl-iota.log 2>/dev/null || die "xl ran for iota: $(cat /var/log/xen/xl-iota.log)"
}
