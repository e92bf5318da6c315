# 20-validate: bad input is rejected before anything changes, with every
# error reported exactly (tests/data/bad/<case>.err holds the expected
# stderr of configure).
#
# <case>.res: lines that override tests/data/bad/base.res (a valid guest):
#   xen.res=value   replaces or adds that resource
#   -xen.res        removes it
#   !line           appended as it is (for malformed status files)
# <case>.xml: a whole XML profile.

data_cases() {
  for f in "$DATA"/bad/*.res "$DATA"/bad/*.xml; do
    case $f in */base.res) continue ;; esac
    basename "$f"
  done
}

# The base resources with a case's overrides applied.
merge() {
  awk '
    FNR == NR { if ($0 ~ /^!/) extra[++n] = substr($0, 2)
                else if ($0 ~ /^-/) { k = substr($0, 2); del[k] = 1; delete over[k] }
                else { k = $0; sub(/=.*/, "", k); if (!(k in over)) order[++m] = k; over[k] = $0 }
                next }
    { k = $0; sub(/=.*/, "", k)
      if (k in del) next
      if (k in over) { print over[k]; done[k] = 1; next }
      print }
    END { for (i = 1; i <= m; i++) if (!(order[i] in done) && (order[i] in over)) print over[order[i]]
          for (i = 1; i <= n; i++) print extra[i] }
  ' "$1" "$DATA/bad/base.res"
}

data_case() {
  # A good configure first: the bad one must leave its result untouched.
  xen --resources "$DATA/bad/base.res" configure
  expect_rc 0
  before=$(snapshot)
  case $1 in
    *.res) merge "$DATA/bad/$1" >"$T/resources"
           RC=0; (cd "$T" && "$XEN" --root "$ROOT" --resources resources configure >"$T/out" 2>"$T/err") || RC=$? ;;
    *.xml) RC=0; (cd "$DATA/bad" && "$XEN" --root "$ROOT" --profile "$1" configure >"$T/out" 2>"$T/err") || RC=$? ;;
  esac
  expect_rc 1
  expect_golden "$T/err" "$DATA/bad/${1%.*}.err"
  after=$(snapshot)
  [ "$before" = "$after" ] || { fail "files changed:"; echo "$before" >"$T/b"; echo "$after" >"$T/a"; diff "$T/b" "$T/a"; return 1; }
}

t_base_is_valid() {
  xen --resources "$DATA/bad/base.res" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure: 1 guest: 1 created, 0 updated, 0 unchanged, 0 retired; saved resources created"
}

t_errors_are_logged_and_raise_the_err_event() {
  merge "$DATA/bad/many-errors.res" >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  sed 's/^[0-9][0-9]\/[0-9][0-9]\/[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]: /STAMP: /' \
    "$ROOT/var/log/lcfg/xen.err" >"$T/ev"
  # Event files have no prefix (lcfg-core libmsg's LCFG_Error/LCFG_Fail).
  sed 's/^\[ERROR\] xen: /STAMP: /; s/^\[FAIL\] xen: /STAMP: /' "$T/err" >"$T/want"
  expect_text "$T/ev" "$(cat "$T/want")"
  # A good configure clears the error event.
  xen --resources "$DATA/bad/base.res" configure
  expect_rc 0
  expect_absent "$ROOT/var/log/lcfg/xen.err"
}
