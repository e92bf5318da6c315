# 16-lcfgformats: the schema in the LCFG server's .def syntax, and status
# files in lcfg-core's own format, both ways.
#
# tests/data/lcfgformats (see its README): profile.xml, the whole schema as
# the server compiles it, with awkward values; status.lcfg and
# status-meta.lcfg, what lcfg-core writes from it (lcfg-oracle status,
# without and with LCFG_OPT_USE_META); status.expected, what the component
# saves from it.

LF=$DATA/lcfgformats
DEFGEN=$TOP/scripts/defgen.awk

# lcfg_print FILE [meta]: a status file as lcfg-core prints what it reads
# of it (lcfgcomponent_print, STATUS style): the resources that have a
# value, sorted by name ignoring case (strcasecmp), each with its type
# line, and with its derivation line when meta is given. Only files whose
# type and derivation lines follow their value line (lcfg-core's and the
# component's) are understood.
lcfg_print() {
  awk -v meta="${2:-}" '
    /^%/ { if (cur != "") rec[cur] = rec[cur] "\001" $0; next }
    /^#/ { if (cur != "" && meta != "") rec[cur] = rec[cur] "\001" $0; next }
    { name = $0; sub(/=.*/, "", name); sub(/^xen\./, "", name)
      val = $0; sub(/^[^=]*=/, "", val)
      cur = val == "" ? "" : name
      if (cur != "") rec[cur] = $0 }
    END { for (n in rec) print tolower(n) "\t" rec[n] }' "$1" |
    LC_ALL=C sort -t "$(printf '\t')" -k1,1 | cut -f2- | tr '\001' '\n'
}

saved() { echo "$ROOT/run/lcfg/status/xen"; }

# ------------------------------------------------------------ status file

t_profile_is_saved_in_lcfg_core_format() {
  xen --profile "$LF/profile.xml" configure
  expect_rc 0
  expect_golden "$(saved)" "$LF/status.expected"
}

# lcfg-core's status file, with derivations: the component saves the same
# file as from the profile itself, but for the order of ngeneric's
# resources (as their source gives them) and the empty ones (lcfg-core
# leaves them out).
t_lcfg_core_status_with_derivations_is_read() {
  xen --resources "$LF/status-meta.lcfg" configure
  expect_rc 0
  grep -v '^[%#]*xen\.ng_' "$LF/status.expected" >"$T/want"
  grep -v '^[%#]*xen\.ng_' "$(saved)" >"$T/got"
  expect_text "$T/got" "$(cat "$T/want")"
  lcfg_print "$(saved)" meta >"$T/printed"
  expect_text "$T/printed" "$(cat "$LF/status-meta.lcfg")"
}

t_lcfg_core_status_without_derivations_is_read() {
  xen --resources "$LF/status.lcfg" configure
  expect_rc 0
  grep -v '^#' "$LF/status.expected" | grep -v '^[%#]*xen\.ng_' >"$T/want"
  grep -v '^[%#]*xen\.ng_' "$(saved)" >"$T/got"
  expect_text "$T/got" "$(cat "$T/want")"
}

# What lcfg-core reads of the component's file is what it wrote itself:
# the same values, types and derivations.
t_saved_file_reads_in_lcfg_core_as_its_own() {
  xen --profile "$LF/profile.xml" configure
  expect_rc 0
  lcfg_print "$(saved)" >"$T/printed"
  expect_text "$T/printed" "$(cat "$LF/status.lcfg")"
  lcfg_print "$(saved)" meta >"$T/printed-meta"
  expect_text "$T/printed-meta" "$(cat "$LF/status-meta.lcfg")"
}

# The same, by lcfg-core itself, when lcfg-oracle (a small program on the
# lcfg-core libraries; tests/data/lcfgformats/README) is at hand: named by
# LCFG_ORACLE, or on the PATH.
t_lcfg_oracle_reads_the_saved_file() {
  oracle=${LCFG_ORACLE:-$(command -v lcfg-oracle || true)}
  [ -x "$oracle" ] || skip "no lcfg-oracle (set LCFG_ORACLE)"
  xen --profile "$LF/profile.xml" configure
  expect_rc 0
  "$oracle" readstatus "$(saved)" xen >"$T/read" 2>&1 || { cat "$T/read"; return 1; }
  expect_text "$T/read" "$(cat "$LF/status.lcfg")"
}

# Saved, read back, saved again: nothing changes.
t_saved_file_round_trips() {
  xen --profile "$LF/profile.xml" configure
  expect_rc 0
  cp "$(saved)" "$T/first"
  xen --resources "$T/first" configure
  expect_rc 0
  expect_summary "$T/err" "[OK] xen: configure: 2 guests: 0 created, 0 updated, 2 unchanged, 0 retired; saved resources unchanged"
  expect_golden "$(saved)" "$LF/status.expected"
}

# The encoded characters, and the values around them, as lcfg-core
# writes them; and what the templates see of them.
t_values_are_encoded_as_lcfg_core_encodes_them() {
  xen --profile "$LF/profile.xml" configure
  expect_rc 0
  grep -E '^xen\.(ng_prod|cmdline_web1|grubdefault)=' "$(saved)" >"$T/v"
  expect_text "$T/v" "$(grep -E '^xen\.(ng_prod|cmdline_web1|grubdefault)=' "$LF/status.expected")"
  grep -q '^xen.ng_prod=a&#x26;b&#xA;line two&#xD;third <x> café &#x26;amp; &#x26;#10; end $' "$(saved)" ||
    { fail "ng_prod is not encoded as lcfg-core encodes it"; return 1; }
  grep -q '^cmdline = "console=hvc0 root=/dev/xvda1 a&b<c>"$' "$ROOT/etc/xen/web1.cfg" ||
    { fail "cmdline did not reach the config decoded"; cat "$ROOT/etc/xen/web1.cfg"; return 1; }
}

# Written by hand in the older form, or by another tool: what lcfg-core
# accepts is read the same way.
t_other_forms_lcfg_core_accepts() {
  {
    echo 'xen.virtualmachines=web1'
    echo '%xen.virtualmachines=list: uuid_$ memory_$'
    echo '  xen.uuid_web1=6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a'
    echo 'memory_web1=64'
    echo 'pe2900.xen.memory_web1=512'
    echo '^xen.memory_web1=0'
    printf 'xen.cmdline_web1=a&amp;b&#38;c&#x26;d\r\n'
    echo 'xen.kernel_web1=/boot/vmlinuz'
    echo 'xen.disktype_web1=none'
  } >"$T/res"
  xen --resources "$T/res" configure
  expect_rc 0
  grep -E '^xen\.(memory|cmdline)_web1=' "$(saved)" >"$T/v"
  expect_text "$T/v" "xen.memory_web1=512
xen.cmdline_web1=a&#x26;b&#x26;c&#x26;d"
}

t_files_lcfg_core_refuses_are_refused() {
  cp "$LF/status-meta.lcfg" "$T/res"
  sed -i 's/^xen\.vcpus_web1=2$/xen.vcpus_web1=two/' "$T/res"
  xen --resources "$T/res" configure
  expect_rc 1
  n=$(grep -n '^%xen\.vcpus_web1=' "$T/res" | cut -d: -f1)
  expect_text "$T/err" "[FAIL] xen: configure: resources $T/res:$n: resource vcpus_web1: its value 'two' is not a valid integer"
  expect_absent "$(saved)"
}

# ------------------------------------------------------------ .def syntax

# defgen DEF: run the schema generator on a .def; its messages in $T/err.
defgen() {
  RC=0
  awk -v out_c="$T/gen.c" -v out_h="$T/gen.h" -f "$DEFGEN" "$1" 2>"$T/err" || RC=$?
}

# A small .def in the LCFG syntax, with lines after the tag list's.
small_def() {
  cat >"$T/x.def" <<'EOF'
#include "ngeneric-1.def"
#include "om-1.def"

schema 2

/* a comment */
@count %integer
count 3
@flag %boolean
flag yes
text some words

@things a_$ \
        b_$
things
@a_$ %integer(a number)
a_$ -10
b_$
EOF
  cat >>"$T/x.def"
}

t_def_is_in_the_server_syntax() {
  def=$TOP/defaults/xen-1.def
  grep -qx '#include "ngeneric-1.def"' "$def" && grep -qx '#include "om-1.def"' "$def" &&
    grep -qx 'schema 1' "$def" || { fail "the skeleton's lines are missing"; return 1; }
  # Types only as "@name %type", each on the line before its resource.
  awk '/^%/ { print FILENAME ":" FNR ": " $0; bad = 1 }
       prev ~ /^@[a-z0-9_$]+ %/ { split(prev, p, /[@ ]/); if ($1 != p[2]) { print FNR ": " prev " / " $0; bad = 1 } }
       { prev = $0 } END { exit bad }' "$def" || { fail "a type is not LCFG syntax"; return 1; }
  # The generated table has the types and lcfg-core's type strings.
  grep -qF '{ "vcpus", "1", RT_INTEGER, "integer" },' "$TOP/$BUILD/gen/schema-gen.c" &&
    grep -qF '{ "boot", "", RT_BOOLEAN, "boolean" },' "$TOP/$BUILD/gen/schema-gen.c" &&
    grep -qF '{ "bootorder", "0", RT_INTEGER, "integer" },' "$TOP/$BUILD/gen/schema-gen.c" &&
    grep -qF '{ "memory", "", RT_STRING, "" },' "$TOP/$BUILD/gen/schema-gen.c" &&
    grep -qF '{ "virtualmachines", "", RT_LIST, "list: name_$ uuid_$ type_$ ' "$TOP/$BUILD/gen/schema-gen.c" ||
    { fail "the generated table lacks a type"; return 1; }
}

t_defgen_reads_the_syntax() {
  small_def </dev/null
  defgen "$T/x.def"
  expect_rc 0
  { grep -E '^#define SCHEMA_' "$T/gen.h"; grep -E '^    \{' "$T/gen.c"; } >"$T/table"
  expect_text "$T/table" '#define SCHEMA_VERSION 2
#define SCHEMA_LIST "things"
#define SCHEMA_MAPLIST ""
    { "count", "3", RT_INTEGER, "integer" },
    { "flag", "yes", RT_BOOLEAN, "boolean" },
    { "text", "some words", RT_STRING, "" },
    { "things", "", RT_LIST, "list: a_$ b_$" },
    { "a", "-10", RT_INTEGER, "integer(a number)" },
    { "b", "", RT_STRING, "" },'
}

# defgen_refuses LINES MESSAGE: a small .def with LINES added is refused
# with MESSAGE.
defgen_refuses() {
  printf '%s\n' "$1" | small_def
  defgen "$T/x.def"
  expect_rc 1
  expect_text "$T/err" "$T/x.def:$2"
}

t_defgen_refuses_an_integer_without_a_valid_default() {
  defgen_refuses '@size %integer
size' "20: resource 'size': default '' is not a valid integer (lcfg-core's rule; the server would refuse it)"
  defgen_refuses '@size %integer
size 010' "20: resource 'size': default '010' is not a valid integer (lcfg-core's rule; the server would refuse it)"
  defgen_refuses '@size %integer
size 1.5' "20: resource 'size': default '1.5' is not a valid integer (lcfg-core's rule; the server would refuse it)"
}

t_defgen_refuses_a_boolean_not_yes_or_empty() {
  defgen_refuses '@on %boolean
on true' "20: resource 'on': default 'true' is not a valid boolean (lcfg-core's rule; the server would refuse it)"
}

t_defgen_refuses_other_syntax() {
  defgen_refuses 'size 1
%size: integer' "20: '%size: integer' is not LCFG .def syntax: a type is given as '@name %type'"
  defgen_refuses '@size %float
size 1' "19: unknown type '%float'"
  defgen_refuses '@size %list
size' "19: '@size %list': a tag list is declared as '@name [tmpl_\$ ...]'"
  defgen_refuses '@size %integer %boolean' "19: '@size %integer %boolean': one type per '@' line"
  defgen_refuses '@size %integer
@size %integer
size 1' "20: resource 'size' has two types"
  defgen_refuses '@size %integer' "19: type for undeclared resource 'size'"
  # A second tag list makes the first the host's own (91-bridges): its
  # templates must be declared too.
  printf '%s\n' '@more c_$' 'more' | small_def
  defgen "$T/x.def"
  expect_rc 1
  expect_text "$T/err" 'defgen: template c_$ has no declaration'
  defgen_refuses '@sub %subscribe: nodes other' "19: '@sub %subscribe: nodes other': a subscription names one tag list"
  defgen_refuses '@sub %subscribe:' "19: unknown type '%subscribe:'"
  defgen_refuses '@sub %subscribe: nodes
sub
@nodes c_$
nodes
c_$
@pub %publish: text
pub' "24: published resource 'text' is not among nodes's templates"
  defgen_refuses '@sub %subscribe: nodes
sub
@nodes c_$
nodes
c_$
@pub %publish: c
pub' "24: published resource 'c' is not a host resource"
}

# A tag list nested in the guests' (one level): its per-item templates
# name_$_$ go in schema_item, the list in schema_sublist, and the list is a
# guest resource typed with its templates.
t_defgen_reads_a_nested_list() {
  printf '%s\n' '@things a_$ b_$ subs_$' 'things' 'a_$ 1' 'b_$' 'subs_$' \
    '@subs_$ x_$_$ y_$_$' '@x_$_$ %integer' 'x_$_$ 5' 'y_$_$ yes' | small_def_bare
  defgen "$T/x.def"
  expect_rc 0
  { grep -E '^    (IF_|SL_)' "$T/gen.h"; grep -E '^    \{' "$T/gen.c"; } >"$T/table"
  expect_text "$T/table" '    IF_x,
    IF_y,
    IF_COUNT
    SL_subs,
    SL_COUNT
    { "things", "", RT_LIST, "list: a_$ b_$ subs_$" },
    { "x", "5", RT_INTEGER, "integer" },
    { "y", "yes", RT_STRING, "" },
    { "subs", GF_subs, 0, 2 },
    { "a", "1", RT_STRING, "" },
    { "b", "", RT_STRING, "" },
    { "subs", "", RT_LIST, "list: x_$_$ y_$_$" },'
  # Refused: deeper nesting, a list that is not a guest template, a
  # template of another form, an item without its declaration.
  for c in "@subs_\$_\$ x_\$_\$_\$|23: tag lists nested more than one level are not supported" \
           "@other_\$ x_\$_\$|23: nested tag list 'other_\$' is not a template of the guests' list" \
           "@b_\$ x_\$|23: bad template 'x_\$' (a nested list's are name_\$_\$)" \
           "@b_\$ x_y_\$_\$|23: bad template 'x_y_\$_\$' (a nested list's are name_\$_\$)" \
           "z_\$_\$ 1|23: 'z_\$_\$' is not in a nested tag list"; do
    printf '%s\n' '@things a_$ b_$' 'things' 'a_$' 'b_$' "${c%%|*}" | small_def_bare
    defgen "$T/x.def"
    expect_rc 1
    expect_text "$T/err" "$T/x.def:${c#*|}"
  done
}

# A .def of the skeleton's lines and LINES (stdin) only.
small_def_bare() {
  printf '%s\n' '#include "ngeneric-1.def"' '#include "om-1.def"' '' 'schema 2' '' '' '' '' '' '' '' \
    '' '' '' '' '' '' '' >"$T/x.def"
  cat >>"$T/x.def"
}

# A spanning map: what a profile publishes (%publish: names) and the tag
# list a subscription fills (%subscribe: list), whose templates are the
# published names; lcfg-core keeps only "publish" / "subscribe" as the type.
t_defgen_reads_a_spanning_map() {
  printf '%s\n' '@pub %publish: count text' 'pub' '@sub %subscribe: nodes' 'sub' \
    '@nodes count_$ text_$' 'nodes' 'count_$' 'text_$ none' | small_def
  defgen "$T/x.def"
  expect_rc 0
  { grep -E '^#define SCHEMA_' "$T/gen.h"; grep -E '^    \{|schema_map' "$T/gen.c"; } >"$T/table"
  expect_text "$T/table" '#define SCHEMA_VERSION 2
#define SCHEMA_LIST "things"
#define SCHEMA_MAPLIST "nodes"
    { "count", "3", RT_INTEGER, "integer" },
    { "flag", "yes", RT_BOOLEAN, "boolean" },
    { "text", "some words", RT_STRING, "" },
    { "things", "", RT_LIST, "list: a_$ b_$" },
    { "pub", "", RT_PUBLISH, "publish" },
    { "sub", "", RT_SUBSCRIBE, "subscribe" },
    { "nodes", "", RT_LIST, "list: count_$ text_$" },
const struct res_def schema_map[MF_COUNT] = {
    { "count", "", RT_STRING, "" },
    { "text", "none", RT_STRING, "" },
    { "a", "-10", RT_INTEGER, "integer(a number)" },
    { "b", "", RT_STRING, "" },'
}

# The lists nested in a guest's record through the client's profile DB as
# lcfg-core writes it (lcfg-oracle db): the same items, by the same names
# (dsize_web1_d1), as from the XML profile.
t_nested_lists_from_lcfg_core_db() {
  [ -n "${LCFG_ORACLE:-}" ] && [ -x "$LCFG_ORACLE" ] ||
    skip "LCFG_ORACLE is not set (tests/data/lcfgformats/README)"
  mkdir -p "$ROOT/var/lcfg/conf/profile/dbm"
  "$LCFG_ORACLE" db "$LF/profile.xml" "$ROOT/var/lcfg/conf/profile/dbm/xenhost.DB2.db"
  xen configure
  expect_rc 0
  grep -E '^[%#]?xen\.(disks|nics|d[a-z]+|n[a-z]+)_web1(_|=)' "$LF/status.expected" >"$T/want"
  [ "$(grep -c '^xen\.dsize_web1_' "$T/want")" = 2 ] || { fail "the fixture lost its items"; return 1; }
  grep -E '^[%#]?xen\.(disks|nics|d[a-z]+|n[a-z]+)_web1(_|=)' "$(saved)" >"$T/got"
  expect_text "$T/got" "$(cat "$T/want")"
}
