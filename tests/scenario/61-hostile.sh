# 61-hostile: hostile values in every string resource either fail
# validation, naming the resource, or render to a config whose keys are
# exactly the usual ones (checked with our reading and with xl's).

BASE='xen.virtualmachines=web1
xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a
xen.memory_web1=512
xen.kernel_web1=/boot/vmlinuz
xen.ramdisk_web1=/boot/initrd.img
xen.cmdline_web1=root=/dev/xvda1
xen.disk_web1=10
xen.disksec_web1=2
xen.cdpath_web1=/srv/iso/a.iso
xen.mac_web1=00:16:3e:00:00:01
xen.macsec_web1=00:16:3e:00:00:02
xen.disks_web1=d1
xen.dsize_web1_d1=1
xen.nics_web1=n1'

# The hostile values, in status-file encoding (&#10; is a newline).
hostile_values() {
  cat <<'V'
"; pci = [ "01:00.0" ]; x = "
x&#10;pci = [ "01:00.0" ]
x&#13;bootloader = "/bin/sh"
x\" bootloader=\"/bin/sh
xenbr0,script=/tmp/evil
a=b
x'y
a], pci=["x"
x # comment
a;pci=1
tab&#9;here
café
V
  printf 'A%.0s' $(seq 1 3000); echo
}

# String resources of the schema: host ones as is, guest ones with _web1,
# the list items' with _web1_d1 (disks) or _web1_n1 (NICs).
string_resources() {
  awk '/^const struct res_def schema_host/ {s = "h"} /^const struct res_def schema_guest/ {s = "g"}
       /^const struct res_def schema_item/ {s = "i"} /^const struct res_def schema_map/ {s = "m"}
       /RT_STRING/ && s != "m" { n = $2; gsub(/[",]/, "", n)
         print (s == "g" ? n "_web1" : s == "i" ? n "_web1_" substr(n, 1, 1) "1" : n) }' \
    "$TOP/$BUILD/gen/schema-gen.c"
}

keys_of() { grep -oE '^[a-z_]+ =' "$1" | sort; }

t_hostile_values_in_every_string_resource() {
  printf '%s\n' "$BASE" >"$T/base"
  xen --resources "$T/base" configure
  expect_rc 0
  keys_of "$ROOT/etc/xen/web1.cfg" >"$T/base-keys"
  n=0 refused=0 rendered=0
  hostile_values >"$T/values"
  for res in $(string_resources); do
    while IFS= read -r val; do
      n=$((n + 1))
      r=$T/r$n; mkdir -p "$r/usr/lib/lcfg/conf/xen" "$r/var/lib/xen/images"; cp "$TOP"/templates/*.tmpl "$r/usr/lib/lcfg/conf/xen/"
      grep -v "^xen.$res=" "$T/base" >"$T/res"; printf 'xen.%s=%s\n' "$res" "$val" >>"$T/res"
      rc=0; "$XEN" --root "$r" --resources "$T/res" configure >/dev/null 2>"$T/err" || rc=$?
      if [ $rc -ne 0 ]; then
        refused=$((refused + 1))
        grep -q "resource $res: " "$T/err" || { fail "$res='$val': refused without naming the resource:"; cat "$T/err"; return 1; }
        [ ! -e "$r/run/lcfg/status/xen" ] && ! ls "$r"/etc/xen/*.cfg >/dev/null 2>&1 ||
          { fail "$res='$val': refused but files were written"; return 1; }
      else
        rendered=$((rendered + 1))
        for cfg in "$r"/etc/xen/*.cfg; do
          keys_of "$cfg" >"$T/keys"
          cmp -s "$T/keys" "$T/base-keys" || { fail "$res='$val' changed the keys of $cfg:"; diff "$T/base-keys" "$T/keys"; return 1; }
          xl_parse "$cfg" >"$T/json" 2>"$T/xlerr" || { fail "$res='$val': xl rejects $cfg"; cat "$T/xlerr"; return 1; }
          [ ! -s "$T/xlerr" ] || { fail "$res='$val': xl warns"; cat "$T/xlerr"; return 1; }
          jq -e '[.pcidevs[]?, .b_info.bootloader?] | map(select(. != null and . != "pygrub")) | length == 0' \
            "$T/json" >/dev/null || { fail "$res='$val': xl sees a pci device or boot loader"; return 1; }
        done
      fi
      rm -rf "$r"
    done <"$T/values"
  done
  echo "      $n hostile configures: $refused refused by validation, $rendered rendered safely"
  [ $n -gt 300 ] || { fail "only $n cases ran"; return 1; }
}

t_accepted_odd_values_stay_inside_their_string() {
  # Values that validation accepts may still hold '=', ',' or '#': they
  # must reach xl whole, inside their string.
  printf '%s\n' "$BASE" | grep -v '^xen.cmdline_web1=' >"$T/res"
  echo 'xen.cmdline_web1=root=/dev/xvda1 console=hvc0,115200n8 init=/sbin/init # x;y' >>"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  xl_parse "$ROOT/etc/xen/web1.cfg" >"$T/json"
  jq -r '.b_info.cmdline' "$T/json" >"$T/cmdline"
  expect_text "$T/cmdline" "root=/dev/xvda1 console=hvc0,115200n8 init=/sbin/init # x;y"
}
