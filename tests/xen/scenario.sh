# scenario.sh: the real-Xen scenario, sourced by dom0's /init (dom0-init),
# which provides step and die. Every step drives the component only through
# its methods on the xen backend, then checks what Xen, xenstore, dom0 and
# the guests say. Guests: alpha (boots, shuts down when asked, memory
# changed live), beta (boots, ignores shutdown requests: destroyed after its
# 3 s timeout), gamma (not booted, but by the xl-hangs step: first with an
# xl that hangs, then with the real one).

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
image_sums() {
  for g in alpha beta gamma; do
    f=$IMAGES/$g.img
    [ -f "$f" ] || { echo "$f missing"; continue; }
    echo "$f $(stat -c '%s %b %i %Y %a' "$f") $(dd if="$f" bs=1M count=1 2>/dev/null | md5sum | cut -d' ' -f1) $(dd if="$f" bs=1M skip=1023 count=1 2>/dev/null | md5sum | cut -d' ' -f1)"
  done
}

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

step_stop() {
  t0=$(cut -d. -f1 /proc/uptime)
  x stop
  t1=$(cut -d. -f1 /proc/uptime)
  expect_rc 0 stop
  grep -qE "^\[INFO\] xen: guest 'alpha': shut down in [0-9.]+ s$" /tmp/err || die "xen stop did not shut alpha down gracefully"
  has_msg "[WARNING] xen: guest 'beta': destroyed after 3 s timeout" stop
  has_msg "[OK] xen: stop: 2 guests stopped" stop
  [ -z "$(guests_running)" ] || die "after stop, Xen still runs '$(guests_running)'"
  # At least beta's 3 s timeout; the rest is teardown (xl destroy, the
  # hotplug scripts), 5 s on a quiet machine, 50 s seen on a loaded one.
  [ $((t1 - t0)) -ge 3 ] && [ $((t1 - t0)) -le 180 ] || die "stop took $((t1 - t0)) s (beta's timeout is 3 s)"
  console_has alpha GUEST-SHUTDOWN || die "alpha's console does not show the shutdown request"
  console_has beta GUEST-SHUTDOWN-IGNORED || die "beta's console does not show the ignored shutdown request"
  wait_for 20 sh -c '[ -z "$(losetup -a)" ]' || die "loop devices left after stop: $(losetup -a)"
  x isstarted -q
  expect_rc 1 "isstarted -q"
}

step_disks_unchanged() {
  image_sums >/tmp/images.after
  cat /tmp/images.after
  diff /tmp/images.before /tmp/images.after >/tmp/images.diff || die "the images changed: $(tr '\n' ' ' </tmp/images.diff)"
}

scenario() {
  step toolstack step_toolstack
  step configure step_configure
  step start step_start
  step guest-devices step_guest_devices
  step status step_status
  step memory-live step_memory_live
  step run-after-destroy step_run_after_destroy
  step xl-hangs step_xl_hangs
  step stop step_stop
  step disks-unchanged step_disks_unchanged
}
