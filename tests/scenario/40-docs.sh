# 40-docs: the schema, the man page, the usage and the README agree.

# Every resource of the generated schema table, per-guest ones as name_$,
# the guests' list items' as name_$_$ (the lists themselves, schema_sublist,
# are guest resources), the host tag lists' items (schema_hlist) as name_@.
schema_names() {
  awk '/^const struct res_def schema_host/ {h = 1; g = 0; i = 0; s = 0; l = 0}
       /^const struct res_def schema_guest/ {g = 1; h = 0; i = 0; s = 0; l = 0}
       /^const struct res_def schema_item/ {i = 1; g = 0; s = 0; l = 0}
       /^const struct sublist_def schema_sublist/ {s = 1; i = 0}
       /^const struct res_def schema_hlist/ {l = 1; h = 0; g = 0; i = 0; s = 0}
       /^const struct res_def schema_map/ {l = 0; h = 1; g = 0; i = 0; s = 0}
       /^    \{ "/ && !s { n = $2; gsub(/[",]/, "", n); print (g ? n "_$" : i ? n "_$_$" : l ? n "_@" : n) }' "$TOP/$BUILD/gen/schema-gen.c"
}

# The man page's form of a resource: per-guest B<name_>I<tag>, a list
# item's B<name_>I<tag>B<_>I<item>, a host list item's B<name_>I<...>.
man_form() {
  case $1 in
    *_\$_\$) echo "B<${1%_\$_\$}_>I<tag>B<_>I<item>" ;;
    *_\$) echo "B<${1%_\$}_>I<tag>" ;;
    *_@) echo "B<${1%_@}_>I<" ;;
    *) echo "$2$1>" ;;
  esac
}

t_every_resource_is_in_the_man_page() {
  missing=""
  for r in $(schema_names); do
    pat=$(man_form "$r" "=item B<")
    grep -qF "$pat" "$TOP/man/xen.pod" || missing="$missing $r"
  done
  [ -z "$missing" ] || { fail "not documented in man/xen.pod:$missing"; return 1; }
}

t_every_method_is_documented() {
  "$XEN" --help >"$T/help"
  methods=$(sed -n '/^Methods:/,/^$/p' "$T/help" | awk 'NF && !/^Methods:/ {print $1}')
  [ -n "$methods" ] || { fail "no methods in --help"; return 1; }
  for m in $methods; do
    grep -q "^=item B<$m>" "$TOP/man/xen.pod" || { fail "method $m not in man/xen.pod"; return 1; }
    grep -q "\`$m" "$TOP/README.md" || { fail "method $m not in README.md"; return 1; }
  done
}

t_man_page_renders() {
  command -v pod2man >/dev/null || skip "pod2man is not installed"
  podchecker "$TOP/man/xen.pod" >"$T/pc" 2>&1 || { cat "$T/pc"; return 1; }
  pod2man --section=8 --name=LCFG-XEN "$TOP/man/xen.pod" >"$T/lcfg-xen.8"
  grep -q '^\.SH "RESOURCES"' "$T/lcfg-xen.8" || { fail "no RESOURCES section"; return 1; }
}

t_seed_examples_are_in_the_man_page() {
  grep -qF '!xen.disknamesec_testVMxen   mSET(testVMxen2d)' "$TOP/man/xen.pod" &&
  grep -qF '!xen.memory_pe2900x1            mSET(256)' "$TOP/man/xen.pod" ||
    { fail "the seed's examples are missing"; return 1; }
}

# Every resource's schema type, per-guest ones as name_$: "name TYPE".
schema_types() {
  awk '/^const struct res_def schema_host/ {h = 1; g = 0; i = 0; s = 0; l = 0}
       /^const struct res_def schema_guest/ {g = 1; h = 0; i = 0; s = 0; l = 0}
       /^const struct res_def schema_item/ {i = 1; g = 0; s = 0; l = 0}
       /^const struct sublist_def schema_sublist/ {s = 1; i = 0}
       /^const struct res_def schema_hlist/ {l = 1; h = 0; g = 0; i = 0; s = 0}
       /^const struct res_def schema_map/ {l = 0; h = 1; g = 0; i = 0; s = 0}
       /^    \{ "/ && !s { n = $2; gsub(/[",]/, "", n); t = $0; sub(/.*RT_/, "", t); sub(/,.*/, "", t)
                   print (g ? n "_$" : i ? n "_$_$" : l ? n "_@" : n), tolower(t) }' "$TOP/$BUILD/gen/schema-gen.c"
}

# The man page gives each resource the schema's type: "(integer", "(boolean"
# or "(list" right after its name exactly when the schema types it so.
t_man_page_types_are_the_schemas() {
  schema_types >"$T/types"
  [ "$(wc -l <"$T/types")" -gt 40 ] || { fail "no types read from the schema table"; return 1; }
  bad=""
  while read -r r t; do
    pat=$(man_form "$r" "B<")
    line=$(grep '^=item ' "$TOP/man/xen.pod" | grep -F "$pat" | head -n 1)
    after=${line#*"$pat"}
    # A host list item's form ends inside its I<...>: skip past it.
    case $r in *_@) after=${after#*>} ;; esac
    word=$(printf '%s\n' "$after" | sed -nE 's/^ \(([a-z]+)[,) ].*/\1/p')
    case $t in
      string) case $word in integer|boolean|list) bad="$bad $r($word)" ;; esac ;;
      *) [ "$word" = "$t" ] || bad="$bad $r($t)" ;;
    esac
  done <"$T/types"
  [ -z "$bad" ] || { fail "type in man/xen.pod is not the schema's:$bad"; return 1; }
}
