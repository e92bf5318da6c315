# 82-identity: a guest is its UUID, a disk what its path resolves to:
# profile edits over time (add, remove, re-add, rename), names against
# tags, foreign domains. Each case is a reproduction from issue 13.

# Item 1: a guest added to a configured host is saved, booted and known.
t_added_guest_is_saved_and_booted() {
  guests 1
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  guests 2
  xen --hypervisor sim --resources "$T/res" start
  expect_rc 0
  grep -E "g2|start:|configure:" "$T/err" | sed -E 's/domid [0-9]+/domid N/' >"$T/g2"
  expect_msgs "$T/g2" "[INFO] xen: guest 'g2': /etc/xen/g2.cfg created
[OK] xen: configure: 2 guests: 1 created, 0 updated, 1 unchanged, 0 retired; saved resources updated
[INFO] xen: guest 'g2': booted (domid N)
[OK] xen: start: guests with boot set are running"
  grep -c '^xen.uuid_g2=00000002-' "$ROOT/run/lcfg/status/xen" >"$T/n" || true
  expect_text "$T/n" "1"
  domains >"$T/d"
  expect_text "$T/d" "Domain-0 running
g1 running
g2 running"
  xen --hypervisor sim boot g2
  expect_rc 0
  expect_text "$T/err" "[INFO] xen: guest 'g2': already running (domid 2)"
}

# Item 1: removed, then added back: saved again each time.
t_removed_then_readded_guest_is_saved_each_time() {
  guests 2
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  cp "$ROOT/run/lcfg/status/xen" "$T/two"
  guests 1
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  grep -c '_g2=' "$ROOT/run/lcfg/status/xen" >"$T/n" || true
  expect_text "$T/n" "0"
  guests 2
  xen --hypervisor sim --resources "$T/res" configure
  expect_rc 0
  expect_last "$T/err" "[OK] xen: configure: 2 guests: 1 created, 0 updated, 1 unchanged, 0 retired; disks: 0 created, 2 present, 0 of another size, 0 refused; saved resources updated"
  cmp -s "$T/two" "$ROOT/run/lcfg/status/xen" || { fail "the saved resources are not those of the two guests"; diff "$T/two" "$ROOT/run/lcfg/status/xen" | head; return 1; }
}
