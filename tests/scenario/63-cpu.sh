# 63-cpu: firmware and boot order, CPU placement and CPU pools: golden
# renders read by the real xl parser, hostile values refused with exact
# messages, pools made by configure, placement applied live to running
# (simulated) guests, drift in status, dry runs that change nothing.

# What xl's parse says of firmware, boot and placement.
XL_CPU='{
  name: .c_info.name, type: .c_info.type, pool: .c_info.pool_name,
  kernel: .b_info.kernel, bootloader: .b_info.bootloader,
  hvm: (.b_info["type.hvm"] | if . then {bios, boot, firmware} else null end),
  sched: .b_info.sched_params,
  hard: .b_info.vcpu_hard_affinity, soft: .b_info.vcpu_soft_affinity
}'

# Each directory of tests/data/cpu: resources -> expected/<guest>.cfg and
# xl's reading of each -> expected/<guest>.xl.json.
data_cases() { for d in "$DATA"/cpu/*/; do basename "$d"; done; }

data_case() {
  dir=$DATA/cpu/$1
  xen --resources "$dir/resources" configure
  expect_rc 0
  mkdir -p "$dir/expected"
  if [ "${REGENERATE:-}" = 1 ]; then
    rm -f "$dir"/expected/*.cfg
    cp "$ROOT"/etc/xen/*.cfg "$dir/expected/"
  fi
  (cd "$ROOT/etc/xen" && ls *.cfg) >"$T/produced"
  (cd "$dir/expected" && ls *.cfg) >"$T/wanted"
  expect_golden "$T/produced" "$T/wanted"
  for f in "$ROOT"/etc/xen/*.cfg; do
    g=$(basename "$f" .cfg)
    expect_golden "$f" "$dir/expected/$g.cfg"
    xl_parse "$f" >"$T/$g.json" 2>"$T/$g.xlerr" || { fail "xl rejects $g.cfg:"; cat "$T/$g.xlerr"; return 1; }
    [ ! -s "$T/$g.xlerr" ] || { fail "xl warns about $g.cfg:"; cat "$T/$g.xlerr"; return 1; }
    jq -S "$XL_CPU" "$T/$g.json" >"$T/$g.xl.json"
    expect_golden "$T/$g.xl.json" "$dir/expected/$g.xl.json"
  done
}

# One guest, web1 (pv, a kernel), with extra resource lines.
one() {
  { echo 'xen.virtualmachines=web1'
    echo 'xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a'
    echo 'xen.memory_web1=512'
    echo 'xen.disk_web1=2'
    for l in "$@"; do printf '%s\n' "$l"; done
  } >"$T/res"
}

# configure refuses it with exactly these lines before the summary.
refused() {
  want=$1; shift
  one "$@"
  xen --resources "$T/res" configure
  expect_rc 1
  n=$(printf '%s\n' "$want" | wc -l)
  printf '%s\n' "$want" >"$T/want"
  head -n "$n" "$T/err" >"$T/got"
  expect_text "$T/got" "$want" || return 1
  expect_absent "$ROOT/etc/xen/web1.cfg"
}

t_firmware_of_the_wrong_type_is_refused() {
  refused "[ERROR] xen: guest 'web1': resource firmware_web1: 'uefi' is not a firmware of type pv (type pv takes pvgrub32 or pvgrub64)" \
    xen.firmware_web1=uefi
  refused "[ERROR] xen: guest 'web1': resource firmware_web1: 'pvgrub64' is not a firmware of type hvm (type hvm takes bios or uefi)" \
    xen.type_web1=hvm xen.firmware_web1=pvgrub64
  refused "[ERROR] xen: guest 'web1': resource firmware_web1: 'pvgrub32' is not a firmware of type pvh (type pvh takes pvh-grub)" \
    xen.type_web1=pvh xen.firmware_web1=pvgrub32
  refused "[ERROR] xen: guest 'web1': resource firmware_web1: '/tmp/OVMF.fd' is not a firmware (pvgrub32, pvgrub64, pvh-grub, bios or uefi)" \
    xen.type_web1=hvm xen.firmware_web1=/tmp/OVMF.fd
  refused "[ERROR] xen: guest 'web1': resource firmware_web1: 'pvgrub64' is set as well as kernel_web1 (choose one)" \
    xen.firmware_web1=pvgrub64 xen.kernel_web1=/boot/vmlinuz
  refused "[ERROR] xen: guest 'web1': resource firmware_web1: 'pvh-grub' is set as well as bootloader_web1 (choose one)" \
    xen.type_web1=pvh xen.firmware_web1=pvh-grub xen.bootloader_web1=pygrub
  refused "[ERROR] xen: guest 'web1': resource firmware_web1: 'bios' needs the xl format" \
    xen.format=xm xen.type_web1=hvm xen.firmware_web1=bios
}

t_boot_loader_and_boot_order_rules() {
  refused "[ERROR] xen: guest 'web1': resource bootloader_web1: 'pygrub' is only possible for type pv or pvh" \
    xen.type_web1=hvm xen.bootloader_web1=pygrub
  refused "[ERROR] xen: guest 'web1': resource kernel_web1: missing (type pvh boots a kernel from dom0, pvh-grub (firmware_web1) or pygrub (bootloader_web1))" \
    xen.type_web1=pvh
  refused "[ERROR] xen: guest 'web1': resource hvmboot_web1: 'cdc' is not a boot order (1-3 of the letters c, d, n, each once)" \
    xen.type_web1=hvm xen.hvmboot_web1=cdc
  refused "[ERROR] xen: guest 'web1': resource hvmboot_web1: 'a' is not a boot order (1-3 of the letters c, d, n, each once)" \
    xen.type_web1=hvm xen.hvmboot_web1=a
  refused "[ERROR] xen: guest 'web1': resource hvmboot_web1: 'c,menu=on' is not a boot order (1-3 of the letters c, d, n, each once)" \
    xen.type_web1=hvm 'xen.hvmboot_web1=c,menu=on'
  refused "[ERROR] xen: guest 'web1': resource hvmboot_web1: 'dc' is only possible for type hvm" \
    xen.hvmboot_web1=dc
}

t_cpu_placement_hostile_values() {
  refused "[ERROR] xen: guest 'web1': resource cpus_web1: 'nodes:0' is not a CPU list (items N or N-M, N a CPU number below 1024, separated by ',')" \
    xen.cpus_web1=nodes:0
  refused "[ERROR] xen: guest 'web1': resource cpus_web1: '3-1' is not a CPU list (a range N-M needs N <= M)" \
    xen.cpus_web1=3-1
  refused "[ERROR] xen: guest 'web1': resource cpussoft_web1: '1024' is not a CPU list (items N or N-M, N a CPU number below 1024, separated by ',')" \
    xen.cpussoft_web1=1024
  refused "[ERROR] xen: guest 'web1': resource cpus_web1: '0,^0' selects no CPU" \
    'xen.cpus_web1=0,^0'
  refused "[ERROR] xen: guest 'web1': resource cpus_web1: '\"; pci = [1]' is not a CPU list (items N or N-M, N a CPU number below 1024, separated by ',')" \
    'xen.cpus_web1="; pci = [1]'
  refused "[ERROR] xen: guest 'web1': resource weight_web1: '0' is out of range (1-65535)" \
    xen.weight_web1=0
  refused "[ERROR] xen: guest 'web1': resource weight_web1: '256k' is not a whole number" \
    xen.weight_web1=256k
  refused "[ERROR] xen: guest 'web1': resource cap_web1: '201' is out of range (0-200 percent of one CPU)" \
    xen.vcpus_web1=2 xen.cap_web1=201
  refused "[ERROR] xen: guest 'web1': resource cpupool_web1: 'batch' is not a CPU pool of this host (xen.cpupools: none; or Pool-0)" \
    xen.cpupool_web1=batch
  refused "[ERROR] xen: guest 'web1': resource cpus_web1: '1' names a CPU outside its pool batch (CPUs 2-3)" \
    xen.cpupools=batch xen.cpupoolcpus_batch=2-3 xen.cpupool_web1=batch xen.cpus_web1=1
  refused "[ERROR] xen: guest 'web1': resource weight_web1: '512' needs a credit or credit2 pool (rt's scheduler is rtds)" \
    xen.cpupools=rt xen.cpupoolcpus_rt=2 xen.cpupoolsched_rt=rtds xen.cpupool_web1=rt xen.weight_web1=512
  refused "[ERROR] xen: guest 'web1': resource cpus_web1: '0' needs the xl format" \
    xen.format=xm xen.cpus_web1=0
}

t_cpu_pools_hostile_values() {
  refused "[ERROR] xen: resource cpupoolcpus_batch: '0-1' names CPU 0, which stays in Pool-0 (dom0's)" \
    xen.cpupools=batch xen.cpupoolcpus_batch=0-1
  refused "[ERROR] xen: resource cpupoolcpus_batch: missing (name the pool's CPUs: 2-3,6)" \
    xen.cpupools=batch
  refused "[ERROR] xen: resource cpupoolcpus_batch: 'all' is not a CPU list here (no \"all\": name the CPUs, 2-3,6)" \
    xen.cpupools=batch xen.cpupoolcpus_batch=all
  refused "[ERROR] xen: resource cpupoolcpus_b: '3-4' names CPU 3, which is in pool a too" \
    'xen.cpupools=a b' xen.cpupoolcpus_a=2-3 xen.cpupoolcpus_b=3-4
  refused "[ERROR] xen: resource cpupoolsched_batch: 'sedf' is not a scheduler (credit2, credit, rtds or null)" \
    xen.cpupools=batch xen.cpupoolcpus_batch=2 xen.cpupoolsched_batch=sedf
  refused "[ERROR] xen: resource cpupools: 'a-b' is not a valid LCFG tag (letters, digits and _)" \
    xen.cpupools=a-b
  refused "[ERROR] xen: resource cpupoolcpus_nope: not a resource of the xen component (schema 1)" \
    xen.cpupoolcpus_nope=2
}

# The install boot: the installer's kernel, not grub-xen's; an hvm guest
# keeps its firmware and takes the install's boot order.
t_install_configs_keep_or_drop_the_firmware() {
  mkdir -p "$ROOT/srv/inst"
  : >"$ROOT/srv/inst/vmlinuz"; : >"$ROOT/srv/inst/initrd.gz"
  one xen.type_web1=pvh xen.firmware_web1=pvh-grub xen.install_web1=kernel \
      xen.installkernel_web1=/srv/inst/vmlinuz xen.installramdisk_web1=/srv/inst/initrd.gz \
      xen.boot_web1=yes
  xen --resources "$T/res" start
  expect_rc 0
  grep -E '^(kernel|firmware|boot) ' "$ROOT/etc/xen/install/web1.cfg" >"$T/keys"
  expect_text "$T/keys" 'kernel = "/srv/inst/vmlinuz"'
  grep -E '^(kernel|firmware|boot) ' "$ROOT/etc/xen/web1.cfg" >"$T/keys"
  expect_text "$T/keys" 'kernel = "/usr/lib/grub-xen/grub-i386-xen_pvh.bin"'
  xen stop
  rm -rf "$ROOT/etc/xen" "$ROOT/run" "$ROOT/var/lib/lcfg" "$ROOT/var/lib/xen/images"/*
  one xen.type_web1=hvm xen.firmware_web1=uefi xen.hvmboot_web1=dc xen.install_web1=pxe \
      xen.boot_web1=yes
  xen --resources "$T/res" start
  expect_rc 0
  grep -E '^(kernel|firmware|boot) ' "$ROOT/etc/xen/install/web1.cfg" >"$T/keys"
  expect_text "$T/keys" 'firmware = "uefi"
boot = "n"'
  xl_parse "$ROOT/etc/xen/install/web1.cfg" | jq -c '.b_info["type.hvm"] | {bios, boot}' >"$T/xl"
  expect_text "$T/xl" '{"bios":"ovmf","boot":"n"}'
  grep -E '^(kernel|firmware|boot) ' "$ROOT/etc/xen/web1.cfg" >"$T/keys"
  expect_text "$T/keys" 'firmware = "uefi"
boot = "dc"'
}

# A host of four guests and two pools, booted on the simulator.
pools_host() {
  if printf '%s\n' "$@" | grep -q '^xen.cpupools=batch$'; then
    grep -v '_rt=' "$DATA/cpu/placement/resources" >"$T/res"
  else
    cp "$DATA/cpu/placement/resources" "$T/res"
  fi
  for g in pinned soft weighted pooled; do echo "xen.boot_$g=yes" >>"$T/res"; done
  for l in "$@"; do printf '%s\n' "$l" >>"$T/res"; done
}

CPU=var/lib/lcfg/xen/sim/cpu

t_configure_makes_the_pools() {
  pools_host
  snapshot >"$T/before"
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  snapshot >"$T/after"
  expect_text "$T/after" "$(cat "$T/before")"
  grep cpupool "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: cpupool 'batch': would be created (credit2 scheduler)
[INFO] xen: cpupool 'batch': CPU 2 would be moved to it from Pool-0
[INFO] xen: cpupool 'batch': CPU 3 would be moved to it from Pool-0
[INFO] xen: cpupool 'rt': would be created (credit scheduler)
[INFO] xen: cpupool 'rt': CPU 4 would be moved to it from Pool-0
[INFO] xen: cpupool 'rt': CPU 6 would be moved to it from Pool-0"
  xen --resources "$T/res" configure
  expect_rc 0
  grep cpupool "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: cpupool 'batch': created (credit2 scheduler)
[INFO] xen: cpupool 'batch': CPU 2 moved to it from Pool-0
[INFO] xen: cpupool 'batch': CPU 3 moved to it from Pool-0
[INFO] xen: cpupool 'rt': created (credit scheduler)
[INFO] xen: cpupool 'rt': CPU 4 moved to it from Pool-0
[INFO] xen: cpupool 'rt': CPU 6 moved to it from Pool-0"
  grep '^pool' "$ROOT/$CPU" >"$T/pools"
  expect_text "$T/pools" "pool batch credit2 2-3
pool rt credit 4,6"
  grep -v '^#' "$ROOT/var/lib/lcfg/xen/cpupools" >"$T/made"
  expect_text "$T/made" "batch
rt"
  # A second run has nothing to do.
  xen --resources "$T/res" configure
  expect_rc 0
  ! grep -q cpupool "$T/err" || { fail "a second configure touched the pools:"; cat "$T/err"; return 1; }
  # CPUs change: 3 goes back to Pool-0, 5 joins (from Pool-0); rt leaves
  # the profile and is destroyed, its CPUs back in Pool-0.
  pools_host xen.cpupoolcpus_batch=2,5 xen.cpupools=batch xen.cpupool_pooled= xen.cpus_pooled=
  xen --resources "$T/res" configure
  expect_rc 0
  grep cpupool "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: cpupool 'Pool-0': CPU 3 moved to it from batch
[INFO] xen: cpupool 'batch': CPU 5 moved to it from Pool-0
[INFO] xen: cpupool 'Pool-0': CPU 4 moved to it from rt
[INFO] xen: cpupool 'Pool-0': CPU 6 moved to it from rt
[INFO] xen: cpupool 'rt': left the profile: destroyed"
  grep '^pool' "$ROOT/$CPU" >"$T/pools"
  expect_text "$T/pools" "pool batch credit2 2,5"
  grep -v '^#' "$ROOT/var/lib/lcfg/xen/cpupools" >"$T/made"
  expect_text "$T/made" "batch"
}

t_a_pool_the_component_did_not_make_is_left_alone() {
  pools_host
  mkdir -p "$ROOT/$SIM"
  printf 'ncpus 8\npool batch credit 7\nfree -\n' >"$ROOT/$CPU"
  xen --resources "$T/res" configure
  expect_rc 1
  grep "cpupool 'batch'" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[ERROR] xen: cpupool 'batch': exists, but the component did not make it: left alone"
  grep '^pool batch' "$ROOT/$CPU" >"$T/pools"
  expect_text "$T/pools" "pool batch credit 7"
}

t_a_pinned_domain_keeps_its_only_cpu() {
  # web1 runs pinned to CPU 2; a pool then wants CPU 2.
  one xen.cpus_web1=2 xen.boot_web1=yes
  xen --resources "$T/res" configure
  xen --resources "$T/res" start
  expect_rc 0
  one xen.cpus_web1=2 xen.boot_web1=yes xen.cpupools=batch xen.cpupoolcpus_batch=2-3
  xen --resources "$T/res" configure
  expect_rc 1
  grep cpupool "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: cpupool 'batch': created (credit2 scheduler)
[ERROR] xen: cpupool 'batch': CPU 2 not taken from Pool-0: domain 'web1' (domid 1) is pinned to CPUs 2, which would all leave Pool-0
[INFO] xen: cpupool 'batch': CPU 3 moved to it from Pool-0"
}

t_placement_is_applied_live_and_drift_shown() {
  pools_host
  xen --resources "$T/res" configure
  xen --resources "$T/res" start
  expect_rc 0
  # Every guest is placed as its config says: no drift.
  xen status
  ! grep -q drift "$T/out" || { fail "drift right after boot:"; cat "$T/out"; return 1; }
  grep -A6 '^pooled$' "$T/out" | grep '^  cpus' >"$T/line"
  expect_text "$T/line" "  cpus      4, weight 128, pool rt"
  # An admin pins pinned by hand: status shows the drift.
  uuid=7b2e1d3f-0001-4c8f-8d4e-6f7a8b9cad01
  domid=$(awk '$1 == "pinned" && $3 == "running" { print $4 }' "$T/out")
  echo "dom $uuid $domid 5 5 256 0 Pool-0" >>"$ROOT/$CPU"
  xen status
  grep drift "$T/out" >"$T/drift"
  expect_text "$T/drift" "  drift     cpus 0-1, soft all: configure applies it live (the running domain has 5, soft 5)"
  xen status --json
  jq -c '[.guests[] | {name, drift}]' "$T/out" >"$T/j"
  expect_text "$T/j" '[{"name":"pinned","drift":["cpus 0-1, soft all: configure applies it live (the running domain has 5, soft 5)"]},{"name":"soft","drift":[]},{"name":"weighted","drift":[]},{"name":"pooled","drift":[]}]'
  # The profile changes too: soft moves to pool batch, weighted's weight.
  pools_host xen.cpus_soft=3 xen.cpussoft_soft=2 xen.cpupool_soft=batch xen.weight_weighted=300 xen.cap_weighted=
  snapshot >"$T/before"
  xen --resources "$T/res" --dry-run configure
  expect_rc 0
  snapshot >"$T/after"
  expect_text "$T/after" "$(cat "$T/before")"
  grep 'live' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'pinned': cpus 5 -> 0-1, soft 5 -> all would be applied live
[INFO] xen: guest 'soft': pool Pool-0 -> batch would be applied live
[INFO] xen: guest 'soft': cpus 1-7 -> 3, soft 1 -> 2 would be applied live
[INFO] xen: guest 'weighted': weight 512 -> 300, cap 150 -> 0 would be applied live"
  xen --resources "$T/res" configure
  expect_rc 0
  grep 'live' "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'pinned': cpus 5 -> 0-1, soft 5 -> all applied live
[INFO] xen: guest 'soft': pool Pool-0 -> batch applied live
[INFO] xen: guest 'soft': cpus 1-7 -> 3, soft 1 -> 2 applied live
[INFO] xen: guest 'weighted': weight 512 -> 300, cap 150 -> 0 applied live"
  grep '^dom' "$ROOT/$CPU" | cut -d' ' -f4- | sort >"$T/doms"
  expect_text "$T/doms" "0-1 all 256 0 Pool-0
3 2 256 0 batch
all all 300 0 Pool-0"
  xen status
  ! grep -q drift "$T/out" || { fail "drift after configure:"; cat "$T/out"; return 1; }
  # Placement taken out of the profile: back to Xen's defaults, live.
  pools_host xen.cpus_pinned=
  xen --resources "$T/res" configure
  expect_rc 0
  grep "pinned.*live" "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[INFO] xen: guest 'pinned': cpus 0-1 -> all, soft all -> all applied live"
}

t_firmware_change_needs_restart() {
  one xen.type_web1=hvm xen.boot_web1=yes
  xen --resources "$T/res" configure
  xen --resources "$T/res" start
  one xen.type_web1=hvm xen.boot_web1=yes xen.firmware_web1=uefi xen.hvmboot_web1=dc
  xen --resources "$T/res" configure
  expect_rc 0
  grep restart "$T/err" >"$T/msgs"
  expect_text "$T/msgs" "[WARNING] xen: guest 'web1': changed firmware_web1, hvmboot_web1: needs restart (the running domain keeps its old settings until then)"
}
