# 62-templates: the template language where LCFG::Template decides (issue
# 14, item 4; src/template.c follows its scanner, parser and evaluator as
# ported in sjquinney/Xenon lib/Xenon/File/LCFG.pm).
#
# Each directory of tests/data/templates is a case: its templates
# (main.tmpl, which the profile names as xen.template, and the files it
# includes) are rendered for the two guests of tests/data/templates/
# profile.xml, an LCFG XML profile, into expected/<guest>.cfg; or they are
# refused with exactly expected/stderr (@ROOT@ standing for the sandbox
# root) and nothing is written. REGENERATE=1 rewrites the expected files.

PROFILE=$DATA/templates/profile.xml

data_cases() { for d in "$DATA"/templates/*/; do basename "$d"; done; }

data_case() {
  dir=$DATA/templates/$1
  cp "$dir"/*.tmpl "$ROOT/usr/lib/lcfg/conf/xen/"
  xen --profile "$PROFILE" configure
  if [ "${REGENERATE:-}" = 1 ]; then
    rm -rf "$dir/expected"; mkdir -p "$dir/expected"
    if [ "$RC" -eq 0 ]; then cp "$ROOT"/etc/xen/*.cfg "$dir/expected/"
    else sed "s|$ROOT|@ROOT@|g" "$T/err" >"$dir/expected/stderr"; fi
  fi
  if [ -f "$dir/expected/stderr" ]; then
    expect_rc 1
    sed "s|@ROOT@|$ROOT|g" "$dir/expected/stderr" >"$T/want"
    expect_golden "$T/err" "$T/want"
    [ ! -d "$ROOT/etc/xen" ] || { fail "files were written:"; ls -R "$ROOT/etc/xen"; return 1; }
    expect_absent "$ROOT/run/lcfg/status/xen"
    return 0
  fi
  expect_rc 0
  (cd "$ROOT/etc/xen" && ls *.cfg) >"$T/produced"
  (cd "$dir/expected" && ls *.cfg) >"$T/wanted"
  expect_golden "$T/produced" "$T/wanted"
  for f in "$ROOT"/etc/xen/*.cfg; do
    expect_golden "$f" "$dir/expected/$(basename "$f")"
  done
}

# The shipped templates render as before: the golden files of
# tests/data/render (60-configs) hold byte for byte; here, the same for
# the seed profile through the same engine with the host template named.
t_shipped_templates_unchanged() {
  sed 's|<virtualmachines cfg:template="|<template>xen-guest.cfg.tmpl</template><virtualmachines cfg:template="|' \
    "$DATA/seed/profile.xml" >"$T/p.xml"
  xen --profile "$T/p.xml" configure
  expect_rc 0
  for g in pe2900x1 testVMxen; do
    expect_golden "$ROOT/etc/xen/$g.cfg" "$DATA/render/seed/expected/$g.cfg"
  done
}
