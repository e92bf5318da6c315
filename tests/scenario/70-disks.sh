# 70-disks: guest disks are created when missing and never harmed when
# present, whatever the profile says and whatever fails half-way.

SEED="$DATA/seed/profile.xml"
IMG=var/lib/xen/images
G=1073741824

# A fingerprint of a disk: inode, size, allocated blocks, mtime, and the
# checksum of its first and last MiB (where the test writes "guest data").
fingerprint() {
  size=$(stat -c %s "$1")
  tail_skip=$(( size > 1048576 ? size / 1048576 - 1 : 0 ))
  printf '%s %s\n' "$(stat -c '%i %s %b %Y' "$1")" \
    "$( (dd if="$1" bs=1M count=1 2>/dev/null; dd if="$1" bs=1M skip=$tail_skip count=1 2>/dev/null) | cksum)"
}

# Write some "guest data" into an image without changing its size.
scribble() { printf 'precious guest data %s\n' "$2" | dd of="$1" bs=1 seek="${3:-0}" conv=notrunc 2>/dev/null; }

# Resources: the base guest web1 plus extra lines.
res() {
  { printf '%s\n' 'xen.virtualmachines=web1' 'xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a' \
      'xen.memory_web1=512' 'xen.mac_web1=00:16:3e:00:00:01'
    for l in "$@"; do printf '%s\n' "$l"; done; } >"$T/res"
}

t_seed_images_are_created_sparse() {
  xen --profile "$SEED" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/disks"
  expect_text "$T/disks" "[INFO] xen: guest 'pe2900x1': disk /var/lib/xen/images/pe2900x1.img: created (20 GB raw image, sparse)
[INFO] xen: guest 'pe2900x1': disk /var/lib/xen/images/pe2900x1-2.img: created (4 GB raw image, sparse)
[INFO] xen: guest 'testVMxen': disk /var/lib/xen/images/testVMxen.img: created (12 GB raw image, sparse)
[INFO] xen: guest 'testVMxen': disk /var/lib/xen/images/testVMxen2d.img: created (13 GB raw image, sparse)"
  expect_last "$T/err" "[OK] xen: configure: 2 guests: 2 created, 0 updated, 0 unchanged, 0 retired; disks: 4 created, 0 present, 0 of another size, 0 refused; saved resources created"
  stat -c '%n %s %a %b' "$ROOT/$IMG"/testVMxen.img "$ROOT/$IMG"/testVMxen2d.img | sed "s|$ROOT/||" >"$T/st"
  expect_text "$T/st" "var/lib/xen/images/testVMxen.img $((12 * G)) 600 0
var/lib/xen/images/testVMxen2d.img $((13 * G)) 600 0"
  # Keyed by identity (device and inode), the path kept for messages.
  sed -E 's/^f:[0-9]+:[0-9]+ /f:DEV:INO /; s/ [0-9]+ created / TIME created /' "$ROOT/var/lib/lcfg/xen/disks" >"$T/prov"
  expect_text "$T/prov" "# lcfg-xen disk record 2: identity, guest name, guest uuid, time recorded (seconds since 1970), created|found|pending, path. Kept when guests leave the profile.
f:DEV:INO pe2900x1 e050b5aa-4a58-4bcc-899f-9087180f8c0c TIME created /var/lib/xen/images/pe2900x1.img
f:DEV:INO pe2900x1 e050b5aa-4a58-4bcc-899f-9087180f8c0c TIME created /var/lib/xen/images/pe2900x1-2.img
f:DEV:INO testVMxen 0a2040b3-3d85-49d4-accc-e38bc2e51a6d TIME created /var/lib/xen/images/testVMxen.img
f:DEV:INO testVMxen 0a2040b3-3d85-49d4-accc-e38bc2e51a6d TIME created /var/lib/xen/images/testVMxen2d.img"
  id=$(stat -c 'f:%d:%i' "$ROOT/$IMG/testVMxen.img")
  grep -q "^$id testVMxen .* /var/lib/xen/images/testVMxen.img$" "$ROOT/var/lib/lcfg/xen/disks" ||
    { fail "testVMxen.img is not recorded as $id"; return 1; }
}

t_second_configure_leaves_disks_untouched() {
  xen --profile "$SEED" configure
  scribble "$ROOT/$IMG/testVMxen.img" one
  scribble "$ROOT/$IMG/testVMxen2d.img" two $((13 * G - 100))
  a=$(fingerprint "$ROOT/$IMG/testVMxen.img"); b=$(fingerprint "$ROOT/$IMG/testVMxen2d.img")
  sleep 1.1
  xen --debug --profile "$SEED" configure
  expect_rc 0
  grep "testVMxen': disk" "$T/err" >"$T/disks"
  expect_text "$T/disks" "[DEBUG] xen: guest 'testVMxen': disk /var/lib/xen/images/testVMxen.img: exists (size ok)
[DEBUG] xen: guest 'testVMxen': disk /var/lib/xen/images/testVMxen2d.img: exists (size ok)"
  [ "$a" = "$(fingerprint "$ROOT/$IMG/testVMxen.img")" ] && [ "$b" = "$(fingerprint "$ROOT/$IMG/testVMxen2d.img")" ] ||
    { fail "a disk changed"; return 1; }
}

t_existing_disk_of_another_size_is_reported_and_left_alone() {
  truncate -s 10G "$ROOT/$IMG/web1.img"; scribble "$ROOT/$IMG/web1.img" x
  before=$(fingerprint "$ROOT/$IMG/web1.img")
  res 'xen.disk_web1=20'
  xen --resources "$T/res" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[WARNING] xen: guest 'web1': disk /var/lib/xen/images/web1.img: exists (size differs: profile 20 GB, disk 10 GB); left as it is"
  [ "$before" = "$(fingerprint "$ROOT/$IMG/web1.img")" ] || { fail "disk changed"; return 1; }
  grep -q "size differs" "$ROOT/var/log/lcfg/xen.warn" || { fail "no warn event"; return 1; }
}

t_profile_that_shrinks_a_disk_changes_nothing() {
  res 'xen.disk_web1=20'
  xen --resources "$T/res" configure
  scribble "$ROOT/$IMG/web1.img" data $((19 * G))
  before=$(fingerprint "$ROOT/$IMG/web1.img")
  res 'xen.disk_web1=5'
  xen --resources "$T/res" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[WARNING] xen: guest 'web1': disk /var/lib/xen/images/web1.img: exists (size differs: profile 5 GB, disk 20 GB); left as it is"
  [ "$before" = "$(fingerprint "$ROOT/$IMG/web1.img")" ] || { fail "disk changed"; return 1; }
}

t_symlink_at_the_disk_path_is_not_followed() {
  printf 'precious\n' >"$T/target"
  ln -s "$T/target" "$ROOT/$IMG/web1.img"
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is a symbolic link (not followed)"
  expect_text "$T/target" "precious"
  # Held back: no config file names the link's target, so nothing boots it.
  expect_absent "$ROOT/etc/xen/web1.cfg"
  grep -F "': held back" "$T/err" >"$T/h"
  expect_text "$T/h" "[ERROR] xen: guest 'web1': held back: disk /var/lib/xen/images/web1.img refused: it has no config and is not booted"
}

t_directory_at_the_disk_path_is_refused() {
  mkdir "$ROOT/$IMG/web1.img"
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is a directory, not a disk image"
}

t_image_outside_the_image_directories_is_refused() {
  mkdir -p "$ROOT/srv/elsewhere"
  res 'xen.disk_web1=1' 'xen.diskpath_web1=/srv/elsewhere'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /srv/elsewhere/web1.img: refused: /srv/elsewhere is outside the image directories (/var/lib/xen/images; see xen.diskroots)"
  expect_absent "$ROOT/srv/elsewhere/web1.img"
  # Allowed once it is a root.
  res 'xen.disk_web1=1' 'xen.diskpath_web1=/srv/elsewhere' 'xen.diskroots=/var/lib/xen/images /srv/elsewhere'
  xen --resources "$T/res" configure
  expect_rc 0
  expect_exists "$ROOT/srv/elsewhere/web1.img"
}

t_symlinked_directory_escaping_the_roots_is_refused() {
  mkdir -p "$ROOT/etc/secret"
  ln -s "$ROOT/etc/secret" "$ROOT/$IMG/sub"
  res 'xen.disk_web1=1' 'xen.diskpath_web1=/var/lib/xen/images/sub'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/sub/web1.img: refused: /var/lib/xen/images/sub is outside the image directories (/var/lib/xen/images; see xen.diskroots)"
  expect_absent "$ROOT/etc/secret/web1.img"
}

t_missing_image_directory() {
  res 'xen.disk_web1=1' 'xen.diskpath_web1=/var/lib/xen/images/new/dir'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/new/dir/web1.img: refused: directory /var/lib/xen/images/new/dir does not exist (set xen.diskdirs to yes to create it)"
  expect_absent "$ROOT/$IMG/new"
  res 'xen.disk_web1=1' 'xen.diskpath_web1=/var/lib/xen/images/new/dir' 'xen.diskdirs=yes'
  xen --resources "$T/res" configure
  expect_rc 0
  stat -c '%a' "$ROOT/$IMG/new" "$ROOT/$IMG/new/dir" >"$T/modes"
  expect_text "$T/modes" "700
700"
  expect_exists "$ROOT/$IMG/new/dir/web1.img"
}

t_one_terabyte_sparse_image() {
  res 'xen.disk_web1=1024'
  xen --resources "$T/res" configure
  expect_rc 0
  stat -c '%s %b' "$ROOT/$IMG/web1.img" >"$T/st"
  expect_text "$T/st" "$((1024 * G)) 0"
}

t_full_allocation_when_asked() {
  res 'xen.disk_web1=1' 'xen.diskalloc_web1=full'
  xen --resources "$T/res" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[INFO] xen: guest 'web1': disk /var/lib/xen/images/web1.img: created (1 GB raw image, fully allocated)"
  blocks=$(stat -c %b "$ROOT/$IMG/web1.img")
  [ "$blocks" -ge $((2 * 1024 * 1024)) ] || { fail "only $blocks blocks allocated"; return 1; }
}

t_no_space_removes_only_the_partial_image_and_others_proceed() {
  [ "$(id -u)" = 0 ] || skip "mounting a small filesystem needs root"
  mkdir -p "$ROOT/srv/small"
  mount -t tmpfs -o size=1m tmpfs "$ROOT/srv/small" 2>/dev/null || skip "cannot mount a tmpfs here"
  printf 'keep me\n' >"$ROOT/srv/small/other.img"
  { printf '%s\n' 'xen.virtualmachines=web1 web2' 'xen.diskroots=/var/lib/xen/images /srv/small' \
      'xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a' 'xen.memory_web1=512' 'xen.disk_web1=1' \
      'xen.diskpath_web1=/srv/small' 'xen.diskalloc_web1=full' \
      'xen.uuid_web2=0b7e9a3c-2f41-4d6e-8c15-7a9b0c1d2e3f' 'xen.memory_web2=512' 'xen.disk_web2=1'; } >"$T/res"
  rc=0; xen --resources "$T/res" configure || rc=$?
  ls -A "$ROOT/srv/small" >"$T/left"; cat "$ROOT/srv/small/other.img" >"$T/other"
  umount "$ROOT/srv/small"
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /srv/small/web1.img: cannot allocate it: No space left on device (the partial file was removed)
[INFO] xen: guest 'web2': disk /var/lib/xen/images/web2.img: created (1 GB raw image, sparse)"
  expect_text "$T/left" "other.img"
  expect_text "$T/other" "keep me"
  expect_exists "$ROOT/$IMG/web2.img"
  # web1 is held back: no config names the disk it does not have.
  expect_absent "$ROOT/etc/xen/web1.cfg"
  expect_last "$T/err" "[FAIL] xen: configure: 2 guests: 1 created, 0 updated, 0 unchanged, 0 retired; disks: 1 created, 0 present, 0 of another size, 0 refused; 1 guest held back; 1 disk or file failed, so the saved resources are left as they were"
}

t_read_only_directory() {
  [ "$(id -u)" = 0 ] || skip "mounting a read-only filesystem needs root"
  mkdir -p "$ROOT/srv/ro"
  mount -t tmpfs -o size=1m,ro tmpfs "$ROOT/srv/ro" 2>/dev/null || skip "cannot mount a tmpfs here"
  res 'xen.disk_web1=1' 'xen.diskpath_web1=/srv/ro' 'xen.diskroots=/srv/ro'
  rc=0; xen --resources "$T/res" configure || rc=$?
  umount "$ROOT/srv/ro"
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /srv/ro/web1.img: cannot create it: Read-only file system"
}

t_guest_leaving_the_profile_keeps_its_disks() {
  xen --profile "$SEED" configure
  scribble "$ROOT/$IMG/pe2900x1.img" data
  a=$(fingerprint "$ROOT/$IMG/pe2900x1.img"); b=$(fingerprint "$ROOT/$IMG/pe2900x1-2.img")
  grep -v '_pe2900x1=' "$DATA/seed/resources" | sed 's/^xen.virtualmachines=.*/xen.virtualmachines=testVMxen/' >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  [ "$a" = "$(fingerprint "$ROOT/$IMG/pe2900x1.img")" ] && [ "$b" = "$(fingerprint "$ROOT/$IMG/pe2900x1-2.img")" ] ||
    { fail "a disk of the departed guest changed"; return 1; }
}

t_disk_created_for_another_guest_is_not_handed_over() {
  res 'xen.disk_web1=2'
  xen --resources "$T/res" configure
  # web1 leaves; a new guest (other uuid) named web1 again wants the image.
  { printf '%s\n' 'xen.virtualmachines=web1' 'xen.uuid_web1=0b7e9a3c-2f41-4d6e-8c15-7a9b0c1d2e3f' \
      'xen.memory_web1=512' 'xen.disk_web1=2'; } >"$T/res2"
  before=$(fingerprint "$ROOT/$IMG/web1.img")
  xen --resources "$T/res2" configure
  expect_rc 1
  grep "': disk " "$T/err" | sed -E 's/on [0-9]{4}-[0-9]{2}-[0-9]{2}/on DATE/' >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it was created for guest web1 (6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a) on DATE; set diskreuse_web1 to yes to use it"
  echo 'xen.diskreuse_web1=yes' >>"$T/res2"
  xen --debug --resources "$T/res2" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[DEBUG] xen: guest 'web1': disk /var/lib/xen/images/web1.img: exists (size ok)"
  [ "$before" = "$(fingerprint "$ROOT/$IMG/web1.img")" ] || { fail "disk changed"; return 1; }
}

t_dry_run_creates_no_disk() {
  xen --dry-run --profile "$SEED" configure
  expect_rc 0
  grep "testVMxen': disk" "$T/err" >"$T/d"
  expect_text "$T/d" "[INFO] xen: guest 'testVMxen': disk /var/lib/xen/images/testVMxen.img: would be created (12 GB raw image, sparse)
[INFO] xen: guest 'testVMxen': disk /var/lib/xen/images/testVMxen2d.img: would be created (13 GB raw image, sparse)"
  ls -A "$ROOT/$IMG" >"$T/ls"
  expect_text "$T/ls" ""
}

t_physical_disk_is_checked_never_written() {
  res 'xen.disktype_web1=physical' 'xen.diskdev_web1=/dev/xvdz'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /dev/xvdz: refused: the device does not exist (No such file or directory)"
  mkdir -p "$ROOT/dev"; printf 'not a device\n' >"$ROOT/dev/xvdz"
  xen --resources "$T/res" configure
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /dev/xvdz: refused: it is not a block device"
  expect_text "$ROOT/dev/xvdz" "not a device"
  [ "$(id -u)" = 0 ] || skip "creating a block device node needs root"
  rm "$ROOT/dev/xvdz"; mknod "$ROOT/dev/xvdz" b 7 200
  xen --resources "$T/res" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[INFO] xen: guest 'web1': disk /dev/xvdz: exists (block device; never written by the component)"
}

install_fake_lvm() {
  mkdir -p "$ROOT/sbin" "$ROOT/var/fake-lvm/vg0"
  cp "$TOP/tests/tools/fake-lvm" "$ROOT/sbin/lvs"
  cp "$TOP/tests/tools/fake-lvm" "$ROOT/sbin/lvcreate"
}

t_lvm_volume_created_only_when_absent() {
  install_fake_lvm
  res 'xen.disktype_web1=lvm' 'xen.diskvg_web1=vg0' 'xen.disk_web1=8'
  xen --resources "$T/res" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[INFO] xen: guest 'web1': disk /dev/vg0/web1: created (8 GB LVM volume, new volume)"
  xen --debug --resources "$T/res" configure
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[DEBUG] xen: guest 'web1': disk /dev/vg0/web1: exists (size ok)"
  res 'xen.disktype_web1=lvm' 'xen.diskvg_web1=vg0' 'xen.disk_web1=16'
  xen --resources "$T/res" configure
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[WARNING] xen: guest 'web1': disk /dev/vg0/web1: exists (size differs: profile 16 GB, disk 8 GB); left as it is"
  # Exactly these programs ran, with exactly these arguments.
  expect_text "$ROOT/var/fake-lvm/log" "lvs --noheadings --nosuffix --units b -o lv_size vg0/web1
lvcreate --yes --name web1 --size 8g vg0
lvs --noheadings --nosuffix --units b -o lv_size vg0/web1
lvs --noheadings --nosuffix --units b -o lv_size vg0/web1"
}

t_lvm_missing_volume_group_is_refused() {
  install_fake_lvm
  res 'xen.disktype_web1=lvm' 'xen.diskvg_web1=vgnone' 'xen.disk_web1=8'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /dev/vgnone/web1: refused: lvs vgnone/web1: exited 5: Volume group \"vgnone\" not found"
}

t_qcow2_with_qemu_img() {
  [ -x /usr/bin/qemu-img ] || skip "qemu-img is not installed (apt-get install qemu-utils)"
  mkdir -p "$ROOT/usr/bin"; ln -s /usr/bin/qemu-img "$ROOT/usr/bin/qemu-img"
  res 'xen.disk_web1=3' 'xen.diskformat_web1=qcow2'
  xen --resources "$T/res" configure
  expect_rc 0
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[INFO] xen: guest 'web1': disk /var/lib/xen/images/web1.img: created (3 GB qcow2 image, sparse)"
  qemu-img info --output=json "$ROOT/$IMG/web1.img" | jq -r '"\(.format) \(."virtual-size")"' >"$T/info"
  expect_text "$T/info" "qcow2 $((3 * G))"
  ls -A "$ROOT/$IMG" >"$T/ls"
  expect_text "$T/ls" "web1.img"
  before=$(fingerprint "$ROOT/$IMG/web1.img")
  xen --debug --resources "$T/res" configure
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[DEBUG] xen: guest 'web1': disk /var/lib/xen/images/web1.img: exists (size ok)"
  [ "$before" = "$(fingerprint "$ROOT/$IMG/web1.img")" ] || { fail "qcow2 changed"; return 1; }
}

t_qcow2_never_replaces_a_file_that_appears_meanwhile() {
  # A stand-in qemu-img that, like a racing writer, puts a file at the
  # final path while it runs; the component must not move over it.
  mkdir -p "$ROOT/usr/bin"
  cat >"$ROOT/usr/bin/qemu-img" <<SH
#!/bin/sh
echo "\$*" >>"$T/qemu-img.log"
for a; do last2=\$last1; last1=\$a; done
printf 'QFI\n' >"\$last2"
printf 'precious\n' >"$ROOT/$IMG/web1.img"
SH
  chmod +x "$ROOT/usr/bin/qemu-img"
  res 'xen.disk_web1=3' 'xen.diskformat_web1=qcow2'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: it appeared while the component was working: left alone"
  expect_text "$ROOT/$IMG/web1.img" "precious"
  ls -A "$ROOT/$IMG" >"$T/ls"
  expect_text "$T/ls" "web1.img"
  sed -E 's/\.web1\.img\.[A-Za-z0-9]{6}/.web1.img.XXXXXX/' "$T/qemu-img.log" >"$T/argv"
  expect_text "$T/argv" "create -q -f qcow2 -o preallocation=off $ROOT/$IMG/.web1.img.XXXXXX 3G"
}

# Issue 13, item 8: a refused disk holds back its guest only.
t_refused_disk_holds_back_only_its_guest() {
  xen --profile "$SEED" configure
  cp "$ROOT/etc/xen/testVMxen.cfg" "$T/cfg"
  rm "$ROOT/$IMG/testVMxen2d.img"; mkdir "$ROOT/$IMG/testVMxen2d.img"
  sed -e 's/<memory>1024</<memory>768</' -e 's/>256</>384</' "$SEED" >"$T/p.xml"
  xen --profile "$T/p.xml" configure
  expect_rc 1
  # testVMxen keeps its config; pe2900x1 gets its new one.
  cmp -s "$T/cfg" "$ROOT/etc/xen/testVMxen.cfg" || { fail "testVMxen.cfg changed"; return 1; }
  grep -q '^memory = 384$' "$ROOT/etc/xen/pe2900x1.cfg" || { fail "pe2900x1.cfg not updated"; return 1; }
  cp "$T/err" "$T/m"
  expect_text "$T/m" "[ERROR] xen: guest 'testVMxen': disk /var/lib/xen/images/testVMxen2d.img: refused: it is a directory, not a disk image
[INFO] xen: guest 'pe2900x1': /etc/xen/pe2900x1.cfg updated
[ERROR] xen: guest 'testVMxen': held back: disk /var/lib/xen/images/testVMxen2d.img refused: it keeps its previous config and is not booted
[FAIL] xen: configure: 2 guests: 0 created, 1 updated, 0 unchanged, 0 retired; disks: 0 created, 3 present, 0 of another size, 1 refused; 1 guest held back; saved resources updated"
  xen status --json
  jq -r '.guests[] | "\(.name) held=\(.held)"' "$T/out" >"$T/j"
  expect_text "$T/j" "pe2900x1 held=false
testVMxen held=true"
  xen status
  grep -A7 '^testVMxen' "$T/out" | grep '^  held' >"$T/h"
  expect_text "$T/h" "  held      configure held it back (a disk refused, or its data not yet under its new name): not booted"
  # start boots the other guest; boot of the held one says why not.
  # After a reboot (/run is empty, no domain runs): the same.
  rm -rf "$ROOT/run" "$ROOT/var/lib/lcfg/xen/sim"
  xen --hypervisor sim --profile "$T/p.xml" start
  expect_rc 1
  grep -E "booted \(|not booted:|start:" "$T/err" >"$T/b"
  expect_text "$T/b" "[ERROR] xen: guest 'testVMxen': not booted: configure held it back (a disk refused, or its data not yet under its new name: see configure)
[INFO] xen: guest 'pe2900x1': booted (domid 1)
[FAIL] xen: start: 1 guest could not be booted"
}

t_lvm_with_the_real_tools_on_a_loop_device() {
  [ "$(id -u)" = 0 ] || skip "real LVM needs root"
  [ -x /sbin/lvcreate ] || skip "lvm2 is not installed"
  grep -q device-mapper /proc/misc 2>/dev/null || skip "device-mapper is not available in this kernel (lvcreate cannot work here; the stand-in LVM tests cover the argv)"
  truncate -s 64M "$T/pv.img"
  loop=$(losetup -f --show "$T/pv.img") || skip "no loop device available"
  vg=lcfgxentest$$
  cleanup() { vgremove -f -q "$vg" >/dev/null 2>&1; pvremove -q "$loop" >/dev/null 2>&1; losetup -d "$loop"; }
  if ! pvcreate -q "$loop" >/dev/null 2>&1 || ! vgcreate -q "$vg" "$loop" >/dev/null 2>&1; then
    cleanup; skip "cannot create a volume group on $loop"
  fi
  mkdir -p "$ROOT/sbin"; ln -s /sbin/lvs "$ROOT/sbin/lvs"; ln -s /sbin/lvcreate "$ROOT/sbin/lvcreate"
  res 'xen.disktype_web1=lvm' "xen.diskvg_web1=$vg" 'xen.disk_web1=1'
  rc=0; xen --resources "$T/res" configure || rc=$?
  size=$(lvs --noheadings --nosuffix --units b -o lv_size "$vg/web1" 2>/dev/null | tr -d ' ')
  xen --resources "$T/res" configure; rc2=$RC
  cleanup
  [ $rc -eq 0 ] && [ $rc2 -eq 0 ] || { fail "configure failed"; return 1; }
  [ "$size" = $G ] || { fail "volume size $size"; return 1; }
}

# ---- issue 13: refused disks, disk identity, probed formats

# Two guests: web1 (one disk) and web2, with extra lines.
res2() {
  { printf '%s\n' 'xen.virtualmachines=web1 web2' \
      'xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a' 'xen.memory_web1=512' 'xen.disk_web1=1' \
      'xen.uuid_web2=0b7e9a3c-2f41-4d6e-8c15-7a9b0c1d2e3f' 'xen.memory_web2=512' 'xen.disk_web2=1'
    for l in "$@"; do printf '%s\n' "$l"; done; } >"$T/res"
}

# qemu-img for the component: the real one, through a wrapper that logs
# each run's arguments.
install_qemu_img() {
  [ -x /usr/bin/qemu-img ] || skip "qemu-img is not installed (apt-get install qemu-utils)"
  mkdir -p "$ROOT/usr/bin"
  printf '#!/bin/sh\necho "$*" >>"%s"\nexec /usr/bin/qemu-img "$@"\n' "$T/qemu-img.log" >"$ROOT/usr/bin/qemu-img"
  chmod +x "$ROOT/usr/bin/qemu-img"
}

# Write a qcow2 header naming backing file $2 over the start of image $1
# (as a guest can, into its raw disk).
qcow2_header_into() {
  qemu-img create -q -f qcow2 -b "$2" -F raw "$T/hdr.qcow2" 1G
  dd if="$T/hdr.qcow2" of="$1" bs=64k count=4 conv=notrunc 2>/dev/null
}

t_refused_second_disk_keeps_the_guest_unconfigured_and_others_go_on() {
  # old1 made old1.img, then left the profile; web2's second disk names it.
  { printf '%s\n' 'xen.virtualmachines=old1' 'xen.uuid_old1=1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d' \
      'xen.memory_old1=512' 'xen.disk_old1=1'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  res2 'xen.disksec_web2=1' 'xen.disknamesec_web2=old1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "'web2': " "$T/err" | sed -E 's/on [0-9]{4}-[0-9]{2}-[0-9]{2}/on DATE/' >"$T/d"
  expect_text "$T/d" "[INFO] xen: guest 'web2': disk /var/lib/xen/images/web2.img: created (1 GB raw image, sparse)
[ERROR] xen: guest 'web2': disk /var/lib/xen/images/old1.img: refused: it was created for guest old1 (1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d) on DATE; set diskreuse_web2 to yes to use it
[ERROR] xen: guest 'web2': held back: disk /var/lib/xen/images/old1.img refused: it has no config and is not booted"
  expect_absent "$ROOT/etc/xen/web2.cfg"
  expect_exists "$ROOT/etc/xen/web1.cfg"
  # start (no guest has boot set): nothing booted, and it fails with
  # configure.
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 1
  grep -q "': booted" "$T/err" && { fail "a guest was booted"; return 1; }
  expect_last "$T/err" "[FAIL] xen: start: guests with boot set are running, but configure failed (above)"
  expect_absent "$ROOT/etc/xen/web2.cfg"
}

t_symlink_to_passwd_keeps_the_previous_config() {
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 0
  cp "$ROOT/etc/xen/web1.cfg" "$T/cfg"
  mkdir -p "$ROOT/var/lib/xen/images/b"
  ln -s /etc/passwd "$ROOT/var/lib/xen/images/b/web1.img"
  res 'xen.disk_web1=1' 'xen.diskpath_web1=/var/lib/xen/images/b' 'xen.vcpus_web1=2'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "'web1': " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/b/web1.img: refused: it is a symbolic link (not followed)
[ERROR] xen: guest 'web1': held back: disk /var/lib/xen/images/b/web1.img refused: it keeps its previous config and is not booted"
  cmp -s "$T/cfg" "$ROOT/etc/xen/web1.cfg" || { fail "web1.cfg changed"; return 1; }
  grep -q passwd "$ROOT/etc/xen/web1.cfg" && { fail "config names the link"; return 1; }
  # A guest held back is not booted, not even from its previous file.
  xen --hypervisor sim boot web1
  expect_rc 1
  expect_text "$T/err" "[ERROR] xen: guest 'web1': not booted: configure held it back (a disk refused, or its data not yet under its new name: see configure)
[FAIL] xen: boot: 1 failure"
  cmp -s "$T/cfg" "$ROOT/etc/xen/web1.cfg" || { fail "web1.cfg changed"; return 1; }
  grep -q "/var/lib/xen/images/web1.img" "$ROOT/etc/xen/web1.cfg" || { fail "old disk not in the config"; return 1; }
}

t_double_slash_reaches_the_same_disk() {
  res2 'xen.disksec_web2=1' 'xen.diskpathsec_web2=/var/lib/xen//images' 'xen.disknamesec_web2=web1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "^\[ERROR\]" "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is the same disk as /var/lib/xen//images/web1.img, the disk of guest 'web2'
[ERROR] xen: guest 'web2': disk /var/lib/xen//images/web1.img: refused: it is the same disk as /var/lib/xen/images/web1.img, the disk of guest 'web1'
[ERROR] xen: guest 'web1': held back: disk /var/lib/xen/images/web1.img refused: it has no config and is not booted
[ERROR] xen: guest 'web2': held back: disk /var/lib/xen//images/web1.img refused: it has no config and is not booted"
  expect_absent "$ROOT/$IMG/web1.img"
  # Existing, the same.
  truncate -s 1G "$ROOT/$IMG/web1.img"
  xen --resources "$T/res" configure
  expect_rc 1
  grep -c "refused: it is the same disk as" "$T/err" >"$T/n"
  expect_text "$T/n" "2"
}

t_symlinked_directory_reaches_the_same_disk() {
  ln -s "$ROOT/$IMG" "$ROOT/$IMG/alias"
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 0
  res2 'xen.disksec_web2=1' 'xen.diskpathsec_web2=/var/lib/xen/images/alias' 'xen.disknamesec_web2=web1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk .*refused" "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is the same disk as /var/lib/xen/images/alias/web1.img, the disk of guest 'web2'
[ERROR] xen: guest 'web2': disk /var/lib/xen/images/alias/web1.img: refused: it is the same disk as /var/lib/xen/images/web1.img, the disk of guest 'web1'"
}

t_provenance_follows_the_disk_not_the_path() {
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  ln "$ROOT/$IMG/web1.img" "$ROOT/$IMG/other.img"
  # web1 leaves; web2 names the same file through another name.
  { printf '%s\n' 'xen.virtualmachines=web2' 'xen.uuid_web2=0b7e9a3c-2f41-4d6e-8c15-7a9b0c1d2e3f' \
      'xen.memory_web2=512' 'xen.disk_web2=1' 'xen.disksec_web2=1' 'xen.diskpathsec_web2=/var/lib/xen//images' \
      'xen.disknamesec_web2=other'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  grep "other.img" "$T/err" | sed -E 's/on [0-9]{4}-[0-9]{2}-[0-9]{2}/on DATE/' >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web2': disk /var/lib/xen//images/other.img: refused: it was created for guest web1 (6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a) on DATE; set diskreuse_web2 to yes to use it
[ERROR] xen: guest 'web2': held back: disk /var/lib/xen//images/other.img refused: it has no config and is not booted"
}

t_block_device_and_its_by_id_link_are_one_disk() {
  [ "$(id -u)" = 0 ] || skip "creating a block device node needs root"
  mkdir -p "$ROOT/dev/disk/by-id"
  mknod "$ROOT/dev/sdb" b 8 16 || skip "cannot create a device node here"
  ln -s ../../sdb "$ROOT/dev/disk/by-id/ata-DISK1"
  { printf '%s\n' 'xen.virtualmachines=web1 web2' \
      'xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a' 'xen.memory_web1=512' \
      'xen.disktype_web1=physical' 'xen.diskdev_web1=/dev/sdb' \
      'xen.uuid_web2=0b7e9a3c-2f41-4d6e-8c15-7a9b0c1d2e3f' 'xen.memory_web2=512' \
      'xen.disktype_web2=physical' 'xen.diskdev_web2=/dev/disk/by-id/ata-DISK1'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /dev/sdb: refused: it is the same disk as /dev/disk/by-id/ata-DISK1, the disk of guest 'web2'
[ERROR] xen: guest 'web2': disk /dev/disk/by-id/ata-DISK1: refused: it is the same disk as /dev/sdb, the disk of guest 'web1'"
}

t_existing_disk_without_record_is_recorded_for_its_guest() {
  truncate -s 1G "$ROOT/$IMG/web1.img"
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 0
  sed -E 's/^f:[0-9]+:[0-9]+ /f:DEV:INO /; s/ [0-9]+ found / TIME found /' "$ROOT/var/lib/lcfg/xen/disks" | tail -n +2 >"$T/prov"
  expect_text "$T/prov" "f:DEV:INO web1 6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a TIME found /var/lib/xen/images/web1.img"
  # Another guest (another uuid) asking for it now is refused.
  { printf '%s\n' 'xen.virtualmachines=web1' 'xen.uuid_web1=0b7e9a3c-2f41-4d6e-8c15-7a9b0c1d2e3f' \
      'xen.memory_web1=512' 'xen.disk_web1=1'; } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" | sed -E 's/on [0-9]{4}-[0-9]{2}-[0-9]{2}/on DATE/' >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it was in use by guest web1 (6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a) on DATE; set diskreuse_web1 to yes to use it"
}

t_old_path_keyed_record_is_read_and_migrated() {
  truncate -s 1G "$ROOT/$IMG/old1.img"
  mkdir -p "$ROOT/var/lib/lcfg/xen"
  printf '%s\n' '# Disks created by the LCFG xen component: path, guest name, guest uuid, time created (seconds since 1970). Kept when guests leave the profile.' \
    '/var/lib/xen/images/old1.img old1 1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d 1764000000' >"$ROOT/var/lib/lcfg/xen/disks"
  res 'xen.disk_web1=1' 'xen.disksec_web1=1' 'xen.diskpathsec_web1=/var/lib/xen//images' 'xen.disknamesec_web1=old1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "old1.img: refused" "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen//images/old1.img: refused: it was created for guest old1 (1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d) on 2025-11-24; set diskreuse_web1 to yes to use it"
  id=$(stat -c 'f:%d:%i' "$ROOT/$IMG/old1.img")
  grep -q "^$id old1 1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d 1764000000 created /var/lib/xen/images/old1.img$" "$ROOT/var/lib/lcfg/xen/disks" ||
    { fail "record not migrated:"; cat "$ROOT/var/lib/lcfg/xen/disks"; return 1; }
}

t_record_written_before_the_image_is_created() {
  # A stand-in qemu-img that reports the record as it is while the image
  # is being made: the new image is already named there.
  mkdir -p "$ROOT/usr/bin"
  cat >"$ROOT/usr/bin/qemu-img" <<SH
#!/bin/sh
cp "$ROOT/var/lib/lcfg/xen/disks" "$T/during"
exec /usr/bin/qemu-img "\$@"
SH
  chmod +x "$ROOT/usr/bin/qemu-img"
  [ -x /usr/bin/qemu-img ] || skip "qemu-img is not installed"
  res 'xen.disk_web1=1' 'xen.diskformat_web1=qcow2'
  xen --resources "$T/res" configure
  expect_rc 0
  grep -q "^n:[0-9]*:[0-9]*:web1.img web1 6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a [0-9]* pending /var/lib/xen/images/web1.img$" "$T/during" ||
    { fail "no pending record during the create:"; cat "$T/during"; return 1; }
  grep -c ' pending /' "$ROOT/var/lib/lcfg/xen/disks" >"$T/n" || true
  expect_text "$T/n" "0"
}

t_pending_record_of_a_killed_run() {
  # What a run killed between the create and the final record leaves: the
  # pending entry, and the image (web1) or not (web9).
  truncate -s 1G "$ROOT/$IMG/web1.img"
  d=$(stat -c '%d:%i' "$ROOT/$IMG")
  mkdir -p "$ROOT/var/lib/lcfg/xen"
  printf '%s\n' "n:$d:web1.img old1 1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d 1764000000 pending /var/lib/xen/images/web1.img" \
    "n:$d:web9.img web9 2d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d 1764000000 pending /var/lib/xen/images/web9.img" >"$ROOT/var/lib/lcfg/xen/disks"
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it was created for guest old1 (1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d) on 2025-11-24; set diskreuse_web1 to yes to use it"
  # Saved at the next configure that changes the record: web9's dropped.
  res 'xen.disk_web1=1' 'xen.diskreuse_web1=yes'
  xen --resources "$T/res" configure
  expect_rc 0
  tail -n +2 "$ROOT/var/lib/lcfg/xen/disks" | sed -E 's/^f:[0-9]+:[0-9]+ /f:DEV:INO /' >"$T/prov"
  expect_text "$T/prov" "f:DEV:INO old1 1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d 1764000000 created /var/lib/xen/images/web1.img"
}

t_qcow2_header_with_backing_file_in_a_raw_image_is_refused() {
  install_qemu_img
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 0
  qcow2_header_into "$ROOT/$IMG/web1.img" /etc/shadow
  before=$(fingerprint "$ROOT/$IMG/web1.img")
  res 'xen.disk_web1=1' 'xen.diskformat_web1=qcow2'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "'web1': " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is a qcow2 image with a backing file (/etc/shadow), and diskformat_web1 is qcow2: an image with a backing file is never used
[ERROR] xen: guest 'web1': held back: disk /var/lib/xen/images/web1.img refused: it keeps its previous config and is not booted"
  # Still raw in the profile: refused as well (its bytes say qcow2).
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is a qcow2 image with a backing file (/etc/shadow), and diskformat_web1 is raw: an image with a backing file is never used"
  [ "$before" = "$(fingerprint "$ROOT/$IMG/web1.img")" ] || { fail "image changed"; return 1; }
  # qemu-img was asked to probe (no -f), and to read a locked image.
  grep -v '^create' "$T/qemu-img.log" | sed "s|$ROOT|ROOT|" | sort -u >"$T/argv"
  expect_text "$T/argv" "info --output=json -U ROOT/var/lib/xen/images/web1.img"
}

t_qcow2_header_is_found_without_qemu_img() {
  [ -x /usr/bin/qemu-img ] || skip "qemu-img is not installed (to make the header)"
  res 'xen.disk_web1=1'
  xen --resources "$T/res" configure
  qcow2_header_into "$ROOT/$IMG/web1.img" /etc/shadow
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is a qcow2 image with a backing file, and diskformat_web1 is raw: an image with a backing file is never used"
}

t_qcow2_image_is_not_handed_over_as_raw() {
  install_qemu_img
  res 'xen.disk_web1=1' 'xen.disksec_web1=2' 'xen.diskformatsec_web1=qcow2'
  xen --resources "$T/res" configure
  expect_rc 0
  res 'xen.disk_web1=1' 'xen.disksec_web1=2'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1-2.img: refused: it is a qcow2 image, but diskformatsec_web1 asks for raw: the component never converts or writes an existing image"
  grep -c '^web1-2' "$ROOT/etc/xen/web1.cfg" >/dev/null 2>&1 || true
  # And a raw image is not taken for a qcow2 one.
  res 'xen.disk_web1=1' 'xen.diskformat_web1=qcow2' 'xen.disksec_web1=2' 'xen.diskformatsec_web1=qcow2'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /var/lib/xen/images/web1.img: refused: it is a raw image, but diskformat_web1 asks for qcow2: the component never converts or writes an existing image"
}

t_probes_are_cached_until_the_image_changes() {
  install_qemu_img
  res2
  xen --resources "$T/res" configure
  expect_rc 0
  # Made by the component and not written since: not probed.
  : >"$T/qemu-img.log"
  xen --resources "$T/res" configure
  expect_rc 0
  wc -l <"$T/qemu-img.log" >"$T/n"
  expect_text "$T/n" "0"
  # Written by its guest, and still no format's header: its header is
  # read, qemu-img is not needed.
  scribble "$ROOT/$IMG/web1.img" data
  xen --resources "$T/res" configure
  expect_rc 0
  wc -l <"$T/qemu-img.log" >"$T/n"
  expect_text "$T/n" "0"
  # qcow2 images are always qemu-img's to read, once until written.
  res2 'xen.disksec_web1=1' 'xen.diskformatsec_web1=qcow2'
  xen --resources "$T/res" configure
  expect_rc 0
  rm -f "$ROOT/var/lib/lcfg/xen/probes"
  xen --resources "$T/res" configure
  expect_rc 0
  xen --resources "$T/res" configure
  expect_rc 0
  grep info "$T/qemu-img.log" | sed "s|$ROOT|ROOT|" >"$T/argv"
  expect_text "$T/argv" "info --output=json -U ROOT/var/lib/xen/images/web1-2.img"
  # Written again: probed again, and what it holds now counts.
  : >"$T/qemu-img.log"
  qcow2_header_into "$ROOT/$IMG/web2.img" /etc/shadow
  xen --resources "$T/res" configure
  expect_rc 1
  sed "s|$ROOT|ROOT|" "$T/qemu-img.log" >"$T/argv"
  expect_text "$T/argv" "info --output=json -U ROOT/var/lib/xen/images/web2.img"
  grep "': disk .*refused" "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web2': disk /var/lib/xen/images/web2.img: refused: it is a qcow2 image with a backing file (/etc/shadow), and diskformat_web2 is raw: an image with a backing file is never used"
}

t_pending_volume_of_a_killed_run_is_recorded_as_created() {
  install_fake_lvm
  echo $((8 * G)) >"$ROOT/var/fake-lvm/vg0/web1"
  mkdir -p "$ROOT/var/lib/lcfg/xen"
  echo "l:vg0/web1 old1 1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d 1764000000 pending /dev/vg0/web1" >"$ROOT/var/lib/lcfg/xen/disks"
  res 'xen.disktype_web1=lvm' 'xen.diskvg_web1=vg0' 'xen.disk_web1=8'
  xen --resources "$T/res" configure
  expect_rc 1
  grep "': disk " "$T/err" >"$T/d"
  expect_text "$T/d" "[ERROR] xen: guest 'web1': disk /dev/vg0/web1: refused: it was created for guest old1 (1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d) on 2025-11-24; set diskreuse_web1 to yes to use it"
  res 'xen.disktype_web1=lvm' 'xen.diskvg_web1=vg0' 'xen.disk_web1=8' 'xen.diskreuse_web1=yes'
  xen --resources "$T/res" configure
  expect_rc 0
  tail -n +2 "$ROOT/var/lib/lcfg/xen/disks" >"$T/prov"
  expect_text "$T/prov" "l:vg0/web1 old1 1d2c3b4a-5e6f-4a1b-8c2d-3e4f5a6b7c8d 1764000000 created /dev/vg0/web1"
}
