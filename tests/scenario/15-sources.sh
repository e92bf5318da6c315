# 15-sources: where the resources come from on an LCFG client, and in which
# order: --profile/--resources, the environment, the client's profile DB
# (written by lcfg-core, or by tests/tools/lcfgdb in its layout), then the
# client's XML profile read as rdxprof reads it (contexts, context override
# profiles, the local override). Fixtures: tests/data/sources/README.

DBM=var/lcfg/conf/profile/dbm
XML=var/lcfg/conf/profile/xml
CTX=var/lcfg/conf/profile/context
LOCAL=var/lcfg/conf/profile/local
SRC=$DATA/sources
LCFGDB=$TOP/$BUILD/lcfgdb

# The DB lcfg-core wrote from sources/profile.xml with install active.
core_db() { mkdir -p "$ROOT/$DBM"; cp "$SRC/xenhost.DB2.db" "$ROOT/$DBM/${1:-xenhost}.DB2.db"; }

# spec_db NODE NAMESPACE <SPEC: a DB in lcfg-core's layout from status lines.
spec_db() { mkdir -p "$ROOT/$DBM"; "$LCFGDB" write "$ROOT/$DBM/$1.DB2.db" "$2"; }

# The client's XML profile of node xenhost.
client_xml() { mkdir -p "$ROOT/$XML"; cp "${1:-$SRC/profile.xml}" "$ROOT/$XML/xenhost.xml"; }

active() { mkdir -p "$ROOT/$CTX"; printf "$1" >"$ROOT/$CTX/.active"; }

# The seed's status file with sed's changes.
seed_status() { sed "$@" "$DATA/seed/status.expected" >"$T/want"; }

# expect_res RES VALUE: the line of RES in the saved resources.
expect_res() {
  grep "^xen\.$1=" "$ROOT/run/lcfg/status/xen" >"$T/line" || true
  expect_text "$T/line" "xen.$1=$2"
}

t_db_is_the_default() {
  core_db
  client_xml "$DATA/seed/profile.xml"      # not read: the DB comes first
  xen --debug configure
  expect_rc 0
  grep -F "[DEBUG] xen: configure: resources from profile DB $ROOT/$DBM/xenhost.DB2.db (node xenhost)" \
    "$T/err" >/dev/null || { fail "no debug line naming the DB:"; cat "$T/err"; return 1; }
  # lcfg-core applied the context: memory 512; all else as the seed's.
  seed_status -e 's/^xen.memory_testVMxen=1024$/xen.memory_testVMxen=512/'
  expect_golden "$ROOT/run/lcfg/status/xen" "$T/want"
}

# The file is named by the node's full name; its keys are under
# profile.node, the first label.
t_db_in_the_lcfg_layout() {
  spec_db xenhost.example.org xenhost <"$DATA/seed/resources"
  xen configure
  expect_rc 0
  # The DB was made from status lines: no derivations.
  seed_status -e '/^#/d'
  expect_golden "$ROOT/run/lcfg/status/xen" "$T/want"
}

# A profile without profile.node: keys without a namespace.
t_db_without_namespace() {
  spec_db xenhost "" <"$DATA/seed/resources"
  xen configure
  expect_rc 0
  # The DB was made from status lines: no derivations.
  seed_status -e '/^#/d'
  expect_golden "$ROOT/run/lcfg/status/xen" "$T/want"
}

t_environment_wins_over_db() {
  core_db
  RC=0
  ( names=""
    while IFS= read -r line; do
      k=${line%%=*}; k=${k#xen.}; export "LCFG_xen_$k=${line#*=}"; names="$names $k"
    done <"$DATA/seed/resources"
    export LCFG_xen__RESOURCES="${names# }"
    xen configure; exit $RC ) || RC=$?
  expect_rc 0
  expect_res memory_testVMxen 1024
}

t_options_win_over_db() {
  core_db
  xen --profile "$DATA/seed/profile.xml" configure
  expect_rc 0
  expect_res memory_testVMxen 1024
  xen --resources "$DATA/seed/resources" configure
  expect_rc 0
  expect_res memory_testVMxen 1024
}

t_db_without_xen() {
  printf 'profile.node=xenhost\nnetwork.interfaces=eth0\n' | spec_db xenhost xenhost
  client_xml "$DATA/seed/profile.xml"      # a DB is not passed over
  xen configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: profile DB $ROOT/$DBM/xenhost.DB2.db: no xen component (is xen in profile.components?)"
  expect_absent "$ROOT/run/lcfg/status/xen"
}

t_broken_db_is_not_passed_over() {
  mkdir -p "$ROOT/$DBM"
  cp "$DATA/seed/resources" "$ROOT/$DBM/xenhost.DB2.db"
  client_xml "$DATA/seed/profile.xml"
  xen configure
  expect_rc 1
  sed 's/ (BDB[^)]*)$//' "$T/err" >"$T/msg"
  expect_text "$T/msg" "[FAIL] xen: configure: profile DB $ROOT/$DBM/xenhost.DB2.db: cannot open: not a Berkeley DB hash file"
  expect_absent "$ROOT/run/lcfg/status/xen"
}

# A DB whose keys are another node's.
t_db_of_another_node() {
  spec_db xenhost other <"$DATA/seed/resources"
  xen configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: profile DB $ROOT/$DBM/xenhost.DB2.db: no value of xen.boot_pe2900x1 for node xenhost (is it this node's DB?)"
}

t_several_dbs_the_hosts_is_read() {
  host=$(hostname)
  spec_db "$host" "" <"$DATA/seed/resources"
  printf 'xen.virtualmachines=\n' | spec_db zz-other ""
  xen configure
  expect_rc 0
  # The DB was made from status lines: no derivations.
  seed_status -e '/^#/d'
  expect_golden "$ROOT/run/lcfg/status/xen" "$T/want"
}

t_several_dbs_none_the_hosts() {
  printf 'xen.virtualmachines=\n' | spec_db aa ""
  printf 'xen.virtualmachines=\n' | spec_db bb ""
  xen configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: profile DB: $ROOT/$DBM holds the files of several nodes (aa, bb), none of them this host ($(hostname))"
}

# No DB: the XML profile, named by its node, with no context active.
t_xml_fallback() {
  client_xml
  xen --debug configure
  expect_rc 0
  grep -F "[DEBUG] xen: configure: resources from profile $ROOT/$XML/xenhost.xml" "$T/err" >/dev/null ||
    { fail "no debug line naming the XML profile:"; cat "$T/err"; return 1; }
  expect_golden "$ROOT/run/lcfg/status/xen" "$DATA/seed/status.expected"
}

# With the context active, the XML profile gives what lcfg-core put in its
# DB: the whole saved configuration is the same.
t_xml_context_as_lcfg_core() {
  core_db
  xen configure
  expect_rc 0
  cp "$ROOT/run/lcfg/status/xen" "$T/from-db"
  rm -r "$ROOT/$DBM" "$ROOT/run/lcfg/status/xen"
  client_xml
  active 'install=yes\n'
  xen configure
  expect_rc 0
  expect_golden "$ROOT/run/lcfg/status/xen" "$T/from-db"
  expect_res memory_testVMxen 512
}

# Of two active contexts, the value of the later one's wins.
t_xml_context_priority() {
  client_xml
  active 'big=yes\nhuge=yes\n'
  xen configure
  expect_rc 0
  expect_res maxmem_testVMxen 4096
  active 'huge=yes\n# comment\nbig=yes\n'
  xen configure
  expect_rc 0
  expect_res maxmem_testVMxen 2048
  active 'huge=no\nbig=off\ninstall=\n'
  xen configure
  expect_rc 0
  expect_res maxmem_testVMxen 1024
  expect_res memory_testVMxen 1024
}

t_bad_contexts_file() {
  client_xml
  active 'install=yes\nbad line\n'
  xen configure
  expect_rc 1
  expect_text "$T/err" "[FAIL] xen: configure: contexts $ROOT/$CTX/.active:2: 'bad line' is not NAME=VALUE"
}

# --profile: that file, under the host's contexts.
t_profile_option_under_host_contexts() {
  active 'install=yes\n'
  xen --profile "$SRC/profile.xml" configure
  expect_rc 0
  expect_res memory_testVMxen 512
}

# A context override profile (CONTEXTDIR/NAME/VALUE.xml): merged in while
# its context is active, over values of a lower priority.
t_context_override_profile() {
  client_xml
  mkdir -p "$ROOT/$CTX/install"
  sed -n '1,/<components>/p' "$SRC/profile.xml" >"$ROOT/$CTX/install/yes.xml"
  printf '<xen><memory_pe2900x1>128</memory_pe2900x1></xen></components></lcfg></profile>\n' \
    >>"$ROOT/$CTX/install/yes.xml"
  xen configure
  expect_rc 0
  expect_res memory_pe2900x1 256
  active 'install=yes\n'
  xen configure
  expect_rc 0
  expect_res memory_pe2900x1 128
  expect_res memory_testVMxen 512
}

# One that conflicts (the same priority, another value) is passed over
# whole, with a warning.
t_context_override_conflict() {
  client_xml
  active 'install=yes\n'
  mkdir -p "$ROOT/$CTX/install"
  sed -n '1,/<components>/p' "$SRC/profile.xml" >"$ROOT/$CTX/install/yes.xml"
  printf '<xen><memory_pe2900x1>128</memory_pe2900x1><memory_testVMxen>640</memory_testVMxen></xen></components></lcfg></profile>\n' \
    >>"$ROOT/$CTX/install/yes.xml"
  xen configure
  expect_rc 0
  grep '^\[WARNING\]' "$T/err" >"$T/warn" || true
  expect_text "$T/warn" "[WARNING] xen: context override profile $ROOT/$CTX/install/yes.xml passed over: resource memory_testVMxen has another value with the same context priority (1)"
  expect_res memory_pe2900x1 256
  expect_res memory_testVMxen 512
}

# The local override (LOCALDIR/xen.xml) replaces the component whole.
t_local_override() {
  client_xml
  active 'install=yes\n'
  mkdir -p "$ROOT/$LOCAL"
  sed 's/<memory>1024</<memory>768</' "$DATA/seed/profile.xml" >"$ROOT/$LOCAL/xen.xml"
  xen configure
  expect_rc 0
  seed_status -e 's/^xen.memory_testVMxen=1024$/xen.memory_testVMxen=768/' -e '/^#/d'
  grep -v '^#' "$ROOT/run/lcfg/status/xen" >"$T/values"
  expect_golden "$T/values" "$T/want"
  # Every derivation names the override file (the host's path) first.
  grep -E '^#xen\.memory_(pe2900x1|testVMxen)=' "$ROOT/run/lcfg/status/xen" >"$T/deriv"
  expect_text "$T/deriv" "#xen.memory_pe2900x1=/var/lcfg/conf/profile/local/xen.xml source/pe2900:29
#xen.memory_testVMxen=/var/lcfg/conf/profile/local/xen.xml"
}

t_local_override_broken_is_passed_over() {
  client_xml
  mkdir -p "$ROOT/$LOCAL"
  printf '<profile><lcfg>\n' >"$ROOT/$LOCAL/xen.xml"
  xen configure
  expect_rc 0
  grep '^\[WARNING\]' "$T/err" >"$T/warn" || true
  expect_text "$T/warn" "[WARNING] xen: local override profile $ROOT/$LOCAL/xen.xml passed over: profile $ROOT/$LOCAL/xen.xml:1: malformed XML: the document ends early (truncated?)"
  expect_golden "$ROOT/run/lcfg/status/xen" "$DATA/seed/status.expected"
}

# A local override without the component changes nothing.
t_local_override_of_another_component() {
  client_xml
  mkdir -p "$ROOT/$LOCAL"
  sed 's/<xen>/<other>/; s/<\/xen>/<\/other>/' "$DATA/seed/profile.xml" >"$ROOT/$LOCAL/xen.xml"
  xen configure
  expect_rc 0
  expect_golden "$ROOT/run/lcfg/status/xen" "$DATA/seed/status.expected"
}

# Against lcfg-core itself, when it is built (LCFG_ORACLE: the lcfg-oracle
# of /work/shared/tools/lcfg-core/build): tests/tools/lcfgdb writes what
# lcfg-core writes, and the XML profile read under contexts gives what
# lcfg-core's DB gives, for contexts in every form of expression.
t_oracle_agrees() {
  [ -n "${LCFG_ORACLE:-}" ] && [ -x "$LCFG_ORACLE" ] ||
    skip "LCFG_ORACLE is not set (build it with /work/shared/tools/lcfg-core/build)"
  mkdir -p "$T/ctx"
  echo 'install=yes' >"$T/ctx/.active"
  "$LCFG_ORACLE" db "$SRC/profile.xml" "$T/core.db" "$T/ctx"
  "$LCFGDB" dump "$T/core.db" >"$T/core.dump"
  grep -E '^[#%=^]?[^=]*\.' "$T/core.dump" | sed -E 's/^([#%=^]?)xenhost\./\1/' >"$T/spec"
  "$LCFGDB" write "$T/ours.db" xenhost <"$T/spec"
  "$LCFGDB" dump "$T/ours.db" >"$T/ours.dump"
  expect_text "$T/ours.dump" "$(cat "$T/core.dump")"
  # Twelve guests, each with a memory under one expression.
  set -- 'a' '!a' 'b' 'a | b' 'a & b' 'a ^ c' 'e=dev' "e!='dev'" 'c=no' '!(a & !b)' \
    'b | a & c' '(e=prod | c) & a'
  { sed -n '1,/<components>/p' "$SRC/profile.xml"
    printf '<xen><virtualmachines cfg:template="uuid_$ memory_$ disk_$">\n'
    i=1
    for e in "$@"; do
      printf '<virtualmachines_RECORD cfg:name="g%d"><uuid>%08d-1111-4222-8333-444444444444</uuid>' $i $i
      printf '<disk>1</disk><memory>%d</memory><memory cfg:context="%s">%d</memory></virtualmachines_RECORD>\n' \
        $((100 + i)) "$(printf '%s' "$e" | sed 's/&/\&amp;/g')" $((200 + i))
      i=$((i + 1))
    done
    printf '</virtualmachines></xen></components></lcfg></profile>\n'
  } >"$T/exprs.xml"
  for ctx in 'a=yes\nb=no\ne=dev\n' 'b=1\nc=yes\na=on\n' 'e=prod\na=true\n' '#\n'; do
    printf "$ctx" >"$T/ctx/.active"
    rm -rf "$ROOT/$DBM" "$ROOT/$XML" "$ROOT/$CTX" "$ROOT/run/lcfg/status/xen"
    mkdir -p "$ROOT/$DBM"
    "$LCFG_ORACLE" db "$T/exprs.xml" "$ROOT/$DBM/xenhost.DB2.db" "$T/ctx"
    xen configure
    expect_rc 0
    grep '^xen.memory_' "$ROOT/run/lcfg/status/xen" >"$T/from-core"
    rm -r "$ROOT/$DBM"
    client_xml "$T/exprs.xml"
    mkdir -p "$ROOT/$CTX"
    cp "$T/ctx/.active" "$ROOT/$CTX/.active"
    xen configure
    expect_rc 0
    grep '^xen.memory_' "$ROOT/run/lcfg/status/xen" >"$T/from-xml"
    expect_text "$T/from-xml" "$(cat "$T/from-core")"
  done
}
