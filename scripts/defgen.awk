# defgen.awk: turn defaults/xen-1.def into the component's resource table.
#
#   awk -v out_c=schema-gen.c -v out_h=schema-gen.h -f defgen.awk xen-1.def
#
# Reads the LCFG .def syntax (as the LCFG server reads it; see the file's
# header): C comments, "#include", "schema N", backslash continuation,
# "name default" (a resource and its default; nothing after the name:
# empty), "@name %type" (its type: %integer, %boolean or %string, with an
# optional "(comment)"), "@list tmpl_$ ..." (a tag list and its per-tag
# resources; "@name" alone is a tag list without them), "@name %publish:
# r ..." and "@name %subscribe: list" (a spanning map: the resources
# published, and the tag list a subscription fills, whose templates are
# the published names: its table is schema_map; the last other tag list
# is the guests', schema_guest, and any before it the host's own, whose
# per-item resources are schema_hitem), "@list_$ tmpl_$_$ ..." (a
# tag list nested in the guests' list: each guest's list of items, whose
# per-item resources are "tmpl_<item>_<guest>", as lcfg-core applies the
# tags backwards; their table is schema_item, the lists' schema_sublist).
# A resource with
# no "@" line is a string. Each default must be a value of its type as
# lcfg-core checks it (lcfgresource_valid_integer, _boolean, _list): the
# server would refuse the schema otherwise. Writes one table of host
# resources and one of per-guest resources, so that the code cannot name
# a resource the schema does not declare.

function fail(msg) {
    printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
    failed = 1
    exit 1
}

function fail_at(line, msg) {
    printf "%s:%d: %s\n", FILENAME, line, msg > "/dev/stderr"
    failed = 1
    exit 1
}

function cstr(s) {
    gsub(/\\/, "\\\\", s)
    gsub(/"/, "\\\"", s)
    return "\"" s "\""
}

# The value lcfg-core accepts for type t (integer, boolean, list, string).
function valid_for(t, v) {
    if (t == "integer") return v ~ /^-?(0|[1-9][0-9]*)$/
    if (t == "boolean") return v == "" || v == "yes"
    if (t == "list") return v ~ /^[A-Za-z0-9_ ]*$/
    return 1
}

BEGIN { in_comment = 0; nhost = 0; ntmpl = 0; nsub = 0; nitem = 0; schema = ""; listname = "" }

{
    line = pending $0
    pending = ""
    if (line ~ /\\$/) { pending = substr(line, 1, length(line) - 1) " "; next }

    # Strip /* ... */ comments, which may span lines.
    out = ""
    while (length(line) > 0) {
        if (in_comment) {
            e = index(line, "*/")
            if (e == 0) { line = ""; break }
            line = substr(line, e + 2); in_comment = 0
        } else {
            s = index(line, "/*")
            if (s == 0) { out = out line; line = ""; break }
            out = out substr(line, 1, s - 1); line = substr(line, s + 2); in_comment = 1
        }
    }
    line = out
    sub(/^[ \t]+/, "", line); sub(/[ \t]+$/, "", line)
    if (line == "" || line ~ /^#/) next

    if (line ~ /^schema[ \t]/) { split(line, f, /[ \t]+/); schema = f[2]; next }

    if (line ~ /^%/)
        fail("'" line "' is not LCFG .def syntax: a type is given as '@name %type'")

    if (line ~ /^@/) {
        n = split(substr(line, 2), f, /[ \t]+/)
        name = f[1]
        if (name !~ /^[a-z][a-z0-9_]*(_\$)?(_\$)?$/) fail("bad resource name '" name "'")
        if (n >= 2 && f[2] ~ /^%/) {
            # A type annotation: "@name %type" or "@name %type(comment)".
            t = line; sub(/^@[^ \t]+[ \t]+%/, "", t); comment = ""
            if (match(t, /\(.*\)$/)) { comment = substr(t, RSTART); t = substr(t, 1, RSTART - 1) }
            # A spanning map: "@name %publish: res ..." (the resources this
            # profile publishes into the map named by the value) or
            # "@name %subscribe: list" (the tag list that receives the
            # publishers, one tag per node). lcfg-core keeps only the type.
            if (t ~ /^(publish|subscribe):[ \t]/) {
                if (name in rtype) fail("resource '" name "' has two types")
                k = split(t, sf, /[ \t]+/)
                if (k < 2) fail("'" line "': no resources after the colon")
                if (sf[1] == "subscribe:") {
                    if (k != 2) fail("'" line "': a subscription names one tag list")
                    if (sublist != "") fail("only one subscription is supported")
                    sublist = sf[2]
                } else
                    for (i = 2; i <= k; i++) published[sf[i]] = FNR
                rtype[name] = substr(sf[1], 1, length(sf[1]) - 1)
                rcomment[name] = ""; typeline[name] = FNR
                next
            }
            if (t ~ /[ \t]/) fail("'" line "': one type per '@' line")
            if (t == "list") fail("'" line "': a tag list is declared as '@name [tmpl_$ ...]'")
            if (t !~ /^(string|integer|boolean)$/) fail("unknown type '%" t "'")
            if (name in rtype) fail("resource '" name "' has two types")
            rtype[name] = t; rcomment[name] = comment; typeline[name] = FNR
            next
        }
        # A tag list, with the templates of its per-tag resources: the
        # guests' list first, then (named by the subscription) the map's.
        if (name ~ /_\$$/) {
            # A list nested in the guests' list: one level only, and its
            # name one of the guests' templates.
            if (name ~ /_\$_\$$/) fail("tag lists nested more than one level are not supported")
            lbase = substr(name, 1, length(name) - 2)
            if (!(lbase in is_tmpl)) fail("nested tag list '" name "' is not a template of the guests' list")
            if (name in rtype) fail("resource '" name "' has two types")
            rtype[name] = "list"; rcomment[name] = ""; typeline[name] = FNR
            sub_name[++nsub] = lbase; sub_first[nsub] = nitem; sub_tmpls[lbase] = ""
            for (i = 2; i <= n; i++) {
                if (f[i] !~ /^[a-z][a-z0-9]*_\$_\$$/) fail("bad template '" f[i] "' (a nested list's are name_$_$)")
                base = substr(f[i], 1, length(f[i]) - 4)
                if (base in is_item || base in is_tmpl || base in is_mtmpl || base in is_xtmpl) fail("template '" f[i] "' is in two lists")
                item[++nitem] = base; is_item[base] = nsub
                sub_tmpls[lbase] = sub_tmpls[lbase] (i > 2 ? " " : "") f[i]
            }
            sub_count[nsub] = nitem - sub_first[nsub]
            next
        }
        if (name in rtype) fail("resource '" name "' has two types")
        # The last tag list is the guests'; those before it are the
        # host's own (bridges, ...), whose per-item resources go into
        # schema_hitem: a list declared after another makes that one the
        # host's.
        if (name == sublist) {
            maplist = name
        } else {
            if (listname != "") {
                xlists[++nxlists] = listname; is_xlist[listname] = 1
                for (i = 1; i <= ntmpl; i++) {
                    xtmpl[++nxtmpl] = tmpl[i]; is_xtmpl[tmpl[i]] = 1; xlistof[tmpl[i]] = listname
                    if (tmpl[i] in gdeclared) xdeclared[tmpl[i]] = 1
                    delete is_tmpl[tmpl[i]]; delete gdeclared[tmpl[i]]
                }
                ntmpl = 0
            }
            listname = name
        }
        rtype[name] = "list"; rcomment[name] = ""; typeline[name] = FNR
        for (i = 2; i <= n; i++) {
            if (f[i] !~ /^[a-z][a-z0-9_]*_\$$/) fail("bad template '" f[i] "'")
            base = substr(f[i], 1, length(f[i]) - 2)
            if (base in is_tmpl || base in is_mtmpl || base in is_xtmpl) fail("template '" f[i] "' is in two lists")
            if (name == maplist) { mtmpl[++nmtmpl] = base; is_mtmpl[base] = 1 }
            else { tmpl[++ntmpl] = base; is_tmpl[base] = 1 }
        }
        next
    }

    name = line; dflt = ""
    if (match(line, /[ \t]/)) {
        name = substr(line, 1, RSTART - 1)
        dflt = substr(line, RSTART + 1); sub(/^[ \t]+/, "", dflt)
    }
    if (name !~ /^[a-z][a-z0-9_]*(_\$)?(_\$)?$/) fail("bad resource name '" name "'")
    if (name in declared) fail("resource '" name "' declared twice")
    declared[name] = 1; def[name] = dflt; defline[name] = FNR
    if (name ~ /_\$_\$$/) {
        base = substr(name, 1, length(name) - 4)
        if (!(base in is_item)) fail("'" name "' is not in a nested tag list")
        ideclared[base] = 1
    } else if (name ~ /_\$$/) {
        base = substr(name, 1, length(name) - 2)
        if (base in is_mtmpl) { mdeclared[base] = 1; next }
        if (base in is_xtmpl) { xdeclared[base] = 1; next }
        if (!(base in is_tmpl)) fail("'" name "' is not in the tag list")
        gdeclared[base] = 1
    } else {
        host[++nhost] = name
    }
}

END {
    if (failed) exit 1
    if (schema == "") { print "defgen: no schema line" > "/dev/stderr"; exit 1 }
    if (listname == "" || !(listname in declared)) {
        print "defgen: the tag list must be declared as a resource" > "/dev/stderr"; exit 1
    }
    for (i = 1; i <= ntmpl; i++)
        if (!(tmpl[i] in gdeclared)) {
            print "defgen: template " tmpl[i] "_$ has no declaration" > "/dev/stderr"; exit 1
        }
    for (i = 1; i <= nmtmpl; i++)
        if (!(mtmpl[i] in mdeclared)) {
            print "defgen: template " mtmpl[i] "_$ has no declaration" > "/dev/stderr"; exit 1
        }
    for (i = 1; i <= nxtmpl; i++)
        if (!(xtmpl[i] in xdeclared)) {
            print "defgen: template " xtmpl[i] "_$ has no declaration" > "/dev/stderr"; exit 1
        }
    for (i = 1; i <= nxlists; i++)
        if (!(xlists[i] in declared)) {
            print "defgen: the tag list " xlists[i] " must be declared as a resource" > "/dev/stderr"; exit 1
        }
    for (i = 1; i <= nitem; i++)
        if (!(item[i] in ideclared)) {
            print "defgen: template " item[i] "_$_$ has no declaration" > "/dev/stderr"; exit 1
        }
    for (i = 1; i <= nsub; i++)
        if (!((sub_name[i] "_$") in declared)) {
            print "defgen: nested tag list " sub_name[i] "_$ has no declaration" > "/dev/stderr"; exit 1
        }
    if (sublist != "" && maplist == "") {
        print "defgen: the subscription's tag list " sublist " is not declared" > "/dev/stderr"; exit 1
    }
    # What a profile publishes, its subscribers receive per node: the
    # map's templates are the published names.
    for (p in published) {
        if (!(p in declared) || p ~ /_\$$/) fail_at(published[p], "published resource '" p "' is not a host resource")
        if (!(p in is_mtmpl)) fail_at(published[p], "published resource '" p "' is not among " maplist "'s templates")
    }
    for (n in rtype)
        if (!(n in declared))
            fail_at(typeline[n], "type for undeclared resource '" n "'")
    for (n in declared) {
        t = (n in rtype) ? rtype[n] : "string"
        if (!valid_for(t, def[n]))
            fail_at(defline[n], "resource '" n "': default '" def[n] "' is not a valid " t \
                    " (lcfg-core's rule; the server would refuse it)")
        # The type as lcfg-core writes it in a status file ("" for a string).
        lt = (t == "string") ? (rcomment[n] == "" ? "" : "string" rcomment[n]) : t rcomment[n]
        if (t == "list" && n == maplist) {
            lt = "list: "
            for (i = 1; i <= nmtmpl; i++) lt = lt (i > 1 ? " " : "") mtmpl[i] "_$"
        } else if (t == "list" && n in is_xlist) {
            lt = "list: "; k = 0
            for (i = 1; i <= nxtmpl; i++)
                if (xlistof[xtmpl[i]] == n) lt = lt (k++ ? " " : "") xtmpl[i] "_$"
        } else if (t == "list" && n ~ /_\$$/) {
            lt = "list: " sub_tmpls[substr(n, 1, length(n) - 2)]
        } else if (t == "list") {
            lt = "list: "
            for (i = 1; i <= ntmpl; i++) lt = lt (i > 1 ? " " : "") tmpl[i] "_$"
        }
        ltype[n] = lt
    }

    print "/* Generated from defaults/xen-1.def by scripts/defgen.awk: do not edit. */" > out_h
    print "#ifndef LCFGXEN_SCHEMA_GEN_H" > out_h
    print "#define LCFGXEN_SCHEMA_GEN_H" > out_h
    print "" > out_h
    print "#define SCHEMA_VERSION " schema > out_h
    print "#define SCHEMA_LIST " cstr(listname) > out_h
    print "/* The spanning map's tag list (one tag per publishing node). */" > out_h
    print "#define SCHEMA_MAPLIST " cstr(maplist) > out_h
    print "" > out_h
    print "enum res_type { RT_STRING, RT_INTEGER, RT_BOOLEAN, RT_LIST, RT_PUBLISH, RT_SUBSCRIBE };" > out_h
    print "" > out_h
    print "/* name: the resource name (per-guest ones without the _$ suffix); ltype:" > out_h
    print " * its type as lcfg-core writes it in a status file (\"\" for a string). */" > out_h
    print "struct res_def {" > out_h
    print "    const char *name;" > out_h
    print "    const char *dflt;" > out_h
    print "    enum res_type type;" > out_h
    print "    const char *ltype;" > out_h
    print "};" > out_h
    print "" > out_h
    print "enum host_field {" > out_h
    for (i = 1; i <= nhost; i++) print "    HF_" host[i] "," > out_h
    print "    HF_COUNT" > out_h
    print "};" > out_h
    print "" > out_h
    print "enum guest_field {" > out_h
    for (i = 1; i <= ntmpl; i++) print "    GF_" tmpl[i] "," > out_h
    print "    GF_COUNT" > out_h
    print "};" > out_h
    print "" > out_h
    print "enum map_field {" > out_h
    for (i = 1; i <= nmtmpl; i++) print "    MF_" mtmpl[i] "," > out_h
    print "    MF_COUNT" > out_h
    print "};" > out_h
    print "" > out_h
    print "/* The per-item resources of the host's own tag lists (bridges, ...):" > out_h
    print " * HI_<template>, and the host resource (the list) each belongs to. */" > out_h
    print "enum hitem_field {" > out_h
    for (i = 1; i <= nxtmpl; i++) print "    HI_" xtmpl[i] "," > out_h
    print "    HI_COUNT" > out_h
    print "};" > out_h
    print "" > out_h
    print "extern const struct res_def schema_hitem[HI_COUNT];" > out_h
    print "extern const enum host_field schema_hitem_list[HI_COUNT];" > out_h
    print "/* The per-item resources of the lists nested in the guests' (disks_$:" > out_h
    print " * dsize_$_$ ...), all lists' in one table, each list's together. */" > out_h
    print "enum item_field {" > out_h
    for (i = 1; i <= nitem; i++) print "    IF_" item[i] "," > out_h
    print "    IF_COUNT" > out_h
    print "};" > out_h
    print "" > out_h
    print "enum sub_list {" > out_h
    for (i = 1; i <= nsub; i++) print "    SL_" sub_name[i] "," > out_h
    print "    SL_COUNT" > out_h
    print "};" > out_h
    print "" > out_h
    print "/* A nested list: its name (the guest field field), and its items'" > out_h
    print " * resources, schema_item[first] to schema_item[first + count - 1]. */" > out_h
    print "struct sublist_def {" > out_h
    print "    const char *name;" > out_h
    print "    int field;" > out_h
    print "    int first, count;" > out_h
    print "};" > out_h
    print "" > out_h
    print "extern const struct res_def schema_item[IF_COUNT];" > out_h
    print "extern const struct sublist_def schema_sublist[SL_COUNT];" > out_h
    print "extern const struct res_def schema_map[MF_COUNT];" > out_h
    print "extern const struct res_def schema_host[HF_COUNT];" > out_h
    print "extern const struct res_def schema_guest[GF_COUNT];" > out_h
    print "" > out_h
    print "#endif" > out_h

    print "/* Generated from defaults/xen-1.def by scripts/defgen.awk: do not edit. */" > out_c
    print "#include \"schema-gen.h\"" > out_c
    print "" > out_c
    print "const struct res_def schema_host[HF_COUNT] = {" > out_c
    for (i = 1; i <= nhost; i++) {
        n = host[i]; t = (n in rtype) ? rtype[n] : "string"
        print "    { " cstr(n) ", " cstr(def[n]) ", RT_" toupper(t) ", " cstr(ltype[n]) " }," > out_c
    }
    print "};" > out_c
    print "" > out_c
    print "const struct res_def schema_hitem[HI_COUNT] = {" > out_c
    for (i = 1; i <= nxtmpl; i++) {
        n = xtmpl[i] "_$"; t = (n in rtype) ? rtype[n] : "string"
        print "    { " cstr(xtmpl[i]) ", " cstr(def[n]) ", RT_" toupper(t) ", " cstr(ltype[n]) " }," > out_c
    }
    print "};" > out_c
    print "" > out_c
    print "const enum host_field schema_hitem_list[HI_COUNT] = {" > out_c
    for (i = 1; i <= nxtmpl; i++) print "    HF_" xlistof[xtmpl[i]] "," > out_c
    print "};" > out_c
    print "" > out_c
    print "const struct res_def schema_map[MF_COUNT] = {" > out_c
    for (i = 1; i <= nmtmpl; i++) {
        n = mtmpl[i] "_$"; t = (n in rtype) ? rtype[n] : "string"
        print "    { " cstr(mtmpl[i]) ", " cstr(def[n]) ", RT_" toupper(t) ", " cstr(ltype[n]) " }," > out_c
    }
    print "};" > out_c
    print "" > out_c
    print "const struct res_def schema_item[IF_COUNT] = {" > out_c
    for (i = 1; i <= nitem; i++) {
        n = item[i] "_$_$"; t = (n in rtype) ? rtype[n] : "string"
        print "    { " cstr(item[i]) ", " cstr(def[n]) ", RT_" toupper(t) ", " cstr(ltype[n]) " }," > out_c
    }
    print "};" > out_c
    print "" > out_c
    print "const struct sublist_def schema_sublist[SL_COUNT] = {" > out_c
    for (i = 1; i <= nsub; i++)
        print "    { " cstr(sub_name[i]) ", GF_" sub_name[i] ", " sub_first[i] ", " sub_count[i] " }," > out_c
    print "};" > out_c
    print "" > out_c
    print "const struct res_def schema_guest[GF_COUNT] = {" > out_c
    for (i = 1; i <= ntmpl; i++) {
        n = tmpl[i] "_$"; t = (n in rtype) ? rtype[n] : "string"
        print "    { " cstr(tmpl[i]) ", " cstr(def[n]) ", RT_" toupper(t) ", " cstr(ltype[n]) " }," > out_c
    }
    print "};" > out_c
}
