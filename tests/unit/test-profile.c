/* test-profile.c: the resource readers (src/profile.c): the XML profile,
 * the status file and the environment, and the status-file formatting.
 * XML and status files are written into a directory under /tmp that each
 * test removes again. */
#include "testutil.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "profile.h"
#include "resources.h"
#include "util.h"

/* Write text to dir/name; returns the path (caller frees). */
static char *put(void **state, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", (const char *)*state, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    size_t n = strlen(text);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void assert_res(const struct resset *rs, const char *name, const char *value,
                       const char *derivation)
{
    const struct resource *r = resset_find(rs, name);
    if (!r)
        fail_msg("resource %s is missing", name);
    assert_string_equal(r->value, value);
    assert_string_equal(r->derivation, derivation);
}

/* The resource names in order, space-separated (caller frees). */
static char *names_of(const struct resset *rs)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < resset_count(rs); i++) {
        if (i)
            buf_addc(&b, ' ');
        buf_adds(&b, resset_at(rs, i)->name);
    }
    return buf_detach(&b);
}

static void assert_names(const struct resset *rs, const char *want)
{
    char *got = names_of(rs);
    assert_string_equal(got, want);
    free(got);
}

/* No name, value or derivation in rs contains needle. */
static void assert_nowhere(const struct resset *rs, const char *needle)
{
    for (size_t i = 0; i < resset_count(rs); i++) {
        const struct resource *r = resset_at(rs, i);
        if (strstr(r->name, needle) || strstr(r->value, needle) ||
            strstr(r->derivation, needle))
            fail_msg("'%s' found in resource %s=%s (%s)", needle, r->name, r->value,
                     r->derivation);
    }
}

/* ================================================================= XML */

/* Lines 1-4 of every test profile; the first line of the body is line 5. */
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define PROFILE_OPEN \
    "<profile xmlns=\"http://www.lcfg.org/namespace/profile-1.1\"" \
    " xmlns:cfg=\"http://www.lcfg.org/namespace/cfg-1.0\">\n"
#define HEAD XML_DECL PROFILE_OPEN "<lcfg>\n<components>\n"
#define TAIL "</components>\n</lcfg>\n</profile>\n"

/* Read an XML profile given as text; returns profile_read_xml's result. */
static int read_xml_text(void **state, const char *text, struct resset *rs,
                         char **path, char **err)
{
    *path = put(state, "profile.xml", text);
    return profile_read_xml(*path, rs, err);
}

/* Expect reading text to fail with "profile <path>:<line>: <msg>". */
static void assert_xml_error(void **state, const char *text, int line, const char *msg)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state, text, rs, &path, &err), -1);
    char *want = xasprintf("profile %s:%d: %s", path, line, msg);
    assert_non_null(err);
    assert_string_equal(err, want);
    free(want);
    free(err);
    free(path);
    resset_free(rs);
}

static void test_xml_simple(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <ng_schema cfg:derivation=\"/var/lcfg/conf/server/defaults/xen-1.def:19\">1</ng_schema>\n"
        " <bridge>xenbr0</bridge>\n"
        " <words>two words </words>\n"
        " <empty/>\n"
        " <empty2></empty2>\n"
        " <ws>  </ws>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    assert_int_equal(resset_count(rs), 6);
    assert_names(rs, "ng_schema bridge words empty empty2 ws");
    assert_res(rs, "ng_schema", "1", "/var/lcfg/conf/server/defaults/xen-1.def:19");
    assert_res(rs, "bridge", "xenbr0", "");
    assert_res(rs, "words", "two words ", "");
    assert_res(rs, "empty", "", "");
    assert_res(rs, "empty2", "", "");
    assert_res(rs, "ws", "  ", "");
    free(path);
    resset_free(rs);
}

/* cfg:type and cfg:template give each resource its type in the form
 * lcfg-core writes it in a status file; one lcfg-core cannot read is not
 * kept. */
static void test_xml_types(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <ng_schema cfg:type=\"%integer\">1</ng_schema>\n"
        " <flag cfg:type=\"boolean(on?)\">yes</flag>\n"
        " <text cfg:type=\"string\">t</text>\n"
        " <odd cfg:type=\"float\">1.5</odd>\n"
        " <guests cfg:template=\"memory_$  disk_$\">\n"
        "  <guests_RECORD cfg:name=\"vm1\"><memory cfg:type=\"integer\">512</memory></guests_RECORD>\n"
        " </guests>\n"
        " <plain cfg:template=\"\"></plain>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    assert_names(rs, "ng_schema flag text odd memory_vm1 guests plain");
    assert_string_equal(resset_find(rs, "ng_schema")->type, "integer");
    assert_string_equal(resset_find(rs, "flag")->type, "boolean(on?)");
    assert_string_equal(resset_find(rs, "text")->type, "");
    assert_string_equal(resset_find(rs, "odd")->type, "");
    assert_string_equal(resset_find(rs, "memory_vm1")->type, "integer");
    assert_string_equal(resset_find(rs, "guests")->type, "list: memory_$ disk_$");
    assert_string_equal(resset_find(rs, "plain")->type, "list: ");
    free(path);
    resset_free(rs);
}

static void test_xml_taglist(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"name_$ memory_$\" cfg:derivation=\"site.h:3 guests.h:7\">\n"
        "  <guests_RECORD cfg:name=\"vm1\">\n"
        "   <name cfg:derivation=\"guests.h:8\">vm1</name>\n"
        "   <memory>512</memory>\n"
        "  </guests_RECORD>\n"
        "  <guests_RECORD cfg:name=\"vm2\">\n"
        "   <memory>1024</memory>\n"
        "  </guests_RECORD>\n"
        "  <guests_RECORD cfg:name=\"vm3\"/>\n"
        " </guests>\n"
        " <after>x</after>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    assert_names(rs, "name_vm1 memory_vm1 memory_vm2 guests after");
    assert_res(rs, "guests", "vm1 vm2 vm3", "site.h:3 guests.h:7");
    assert_res(rs, "name_vm1", "vm1", "guests.h:8");
    assert_res(rs, "memory_vm1", "512", "");
    assert_res(rs, "memory_vm2", "1024", "");
    assert_null(resset_get(rs, "name_vm2"));
    assert_null(resset_get(rs, "memory_vm3"));
    assert_res(rs, "after", "x", "");
    free(path);
    resset_free(rs);
}

static void test_xml_taglist_empty(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"name_$\"/>\n"
        " <disks cfg:template=\"size_$\" cfg:derivation=\"d:1\">\n"
        " </disks>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    assert_names(rs, "guests disks");
    assert_res(rs, "guests", "", "");
    assert_res(rs, "disks", "", "d:1");
    free(path);
    resset_free(rs);
}

static void test_xml_underscore_tag(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    /* The server writes "_" before a tag that starts with a digit or "_". */
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"memory_$\">\n"
        "  <guests_RECORD cfg:name=\"_1web\"><memory>256</memory></guests_RECORD>\n"
        "  <guests_RECORD cfg:name=\"__db\"><memory>512</memory></guests_RECORD>\n"
        "  <guests_RECORD cfg:name=\"mail_2\"><memory>128</memory></guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    assert_names(rs, "memory_1web memory__db memory_mail_2 guests");
    assert_res(rs, "guests", "1web _db mail_2", "");
    assert_res(rs, "memory_1web", "256", "");
    assert_res(rs, "memory__db", "512", "");
    assert_res(rs, "memory_mail_2", "128", "");
    assert_null(resset_get(rs, "memory__1web"));
    free(path);
    resset_free(rs);
}

static void test_xml_other_components_skipped(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    /* Other components hold things that would be errors inside <xen>:
     * records matching no template, elements in values, bad names, and
     * their own copies of xen's resource names. */
    assert_int_equal(read_xml_text(state,
        XML_DECL PROFILE_OPEN
        "<lcfg>\n"
        "<published_by>lcfgsrv.example.org</published_by>\n"
        "<components>\n"
        "<network>\n"
        " <interfaces cfg:template=\"device_$\">\n"
        "  <interfaces_RECORD cfg:name=\"eth0\"><nomatch>x</nomatch></interfaces_RECORD>\n"
        "  <other>no record</other>\n"
        " </interfaces>\n"
        " <bridge>network-bridge</bridge>\n"
        " <bridge>twice</bridge>\n"
        " <nested><deeper>1</deeper></nested>\n"
        " <bad-name>1</bad-name>\n"
        "</network>\n"
        "<xen>\n"
        " <bridge>xenbr0</bridge>\n"
        "</xen>\n"
        "<auth>\n"
        " <bridge>auth-bridge</bridge>\n"
        " <xen>not the component</xen>\n"
        "</auth>\n"
        "</components>\n"
        "<packages><package><name>xen</name></package></packages>\n"
        "</lcfg>\n"
        "</profile>\n", rs, &path, &err), 0);
    assert_null(err);
    assert_int_equal(resset_count(rs), 1);
    assert_res(rs, "bridge", "xenbr0", "");
    free(path);
    resset_free(rs);
}

static void test_xml_values_decoded(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <cdata><![CDATA[a<b>&c;]]></cdata>\n"
        " <amp>x &amp; y &lt;z&gt; &quot;q&quot; &apos;s&apos;</amp>\n"
        " <charref>&#65;&#x42;</charref>\n"
        " <mixed>1<![CDATA[&amp;]]>2&amp;3</mixed>\n"
        " <multi>line1\nline2</multi>\n"
        " <utf8>caf\xc3\xa9</utf8>\n"
        " <derived cfg:derivation=\"a&amp;b.h:1\">v</derived>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    assert_res(rs, "cdata", "a<b>&c;", "");
    assert_res(rs, "amp", "x & y <z> \"q\" 's'", "");
    assert_res(rs, "charref", "AB", "");
    assert_res(rs, "mixed", "1&amp;2&3", "");
    assert_res(rs, "multi", "line1\nline2", "");
    assert_res(rs, "utf8", "caf\xc3\xa9", "");
    assert_res(rs, "derived", "v", "a&b.h:1");
    free(path);
    resset_free(rs);
}

/* Expect a libxml2 parse error: the exact prefix, then libxml2's own text
 * (which varies between versions) containing detail. */
static void assert_malformed(void **state, const char *text, int line, const char *detail)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state, text, rs, &path, &err), -1);
    assert_non_null(err);
    char *prefix = xasprintf("profile %s:%d: malformed XML: ", path, line);
    size_t n = strlen(prefix);
    char *head = xstrndup(err, n);
    assert_string_equal(head, prefix);
    assert_true(strlen(err) > n);
    if (!strstr(err + n, detail))
        fail_msg("'%s' does not mention '%s'", err, detail);
    free(head);
    free(prefix);
    free(err);
    free(path);
    resset_free(rs);
}

static void test_xml_malformed(void **state)
{
    assert_malformed(state,
        HEAD
        "<xen>\n"
        " <a>1</a>\n"
        " <b>2</c>\n"
        "</xen>\n"
        TAIL, 7, "mismatch");
    /* Truncated: said at its last line. */
    assert_malformed(state,
        HEAD
        "<xen>\n"
        " <a>1</a>\n", 6, "ends early");
    /* Not XML at all. */
    assert_malformed(state, "xen.a=1\n", 1, "");
    /* A bare '&' in a value. */
    assert_malformed(state,
        HEAD
        "<xen>\n"
        " <a>x & y</a>\n"
        "</xen>\n"
        TAIL, 6, "");
}

/* A profile that opens but cannot be read (a directory): the read's error,
 * not the parser's view of it. */
static void test_xml_unreadable(void **state)
{
    struct resset *rs = resset_new();
    char *err = NULL;
    const char *dir = *state;
    assert_int_equal(profile_read_xml(dir, rs, &err), -1);
    char *want = xasprintf("profile %s: cannot read: %s", dir, strerror(EISDIR));
    assert_string_equal(err, want);
    assert_int_equal(resset_count(rs), 0);
    free(want);
    free(err);
    resset_free(rs);
}

static void test_xml_missing_file(void **state)
{
    struct resset *rs = resset_new();
    char *err = NULL;
    char *path = xasprintf("%s/nonexistent.xml", (const char *)*state);
    assert_int_equal(profile_read_xml(path, rs, &err), -1);
    char *want = xasprintf("profile %s: cannot open: %s", path, strerror(ENOENT));
    assert_string_equal(err, want);
    assert_int_equal(resset_count(rs), 0);
    free(want);
    free(err);
    free(path);
    resset_free(rs);
}

static void test_xml_internal_entity_rejected(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        XML_DECL
        "<!DOCTYPE profile [\n"
        "<!ENTITY e \"EXPANDED\">\n"
        "]>\n"
        PROFILE_OPEN
        "<lcfg>\n"
        "<components>\n"
        "<xen>\n"
        " <before>ok</before>\n"
        " <a>x&e;y</a>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), -1);
    /* Refused at the DOCTYPE, before any element is read. */
    char *want = xasprintf("profile %s: a DOCTYPE is not allowed in an LCFG profile", path);
    assert_string_equal(err, want);
    free(want);
    assert_int_equal(resset_count(rs), 0);
    assert_null(strstr(err, "EXPANDED"));
    free(err);
    free(path);
    resset_free(rs);
}

static void test_xml_external_entity_not_read(void **state)
{
    char *secret = put(state, "secret.txt", "SECRET-CONTENT");
    char *missing = xasprintf("%s/missing.txt", (const char *)*state);
    /* Were an entity loaded, the passwd text or the secret would show up,
     * or the missing file would have been reported as a load error first
     * (the first error is the one kept). */
    char *text = xasprintf(
        XML_DECL
        "<!DOCTYPE profile [\n"
        "<!ENTITY pw SYSTEM \"file:///etc/passwd\">\n"
        "<!ENTITY sec SYSTEM \"file://%s\">\n"
        "<!ENTITY gone SYSTEM \"%s\">\n"
        "]>\n"
        PROFILE_OPEN
        "<lcfg>\n"
        "<components>\n"
        "<xen>\n"
        " <a>&pw;</a>\n"
        " <b>&sec;</b>\n"
        " <c>&gone;</c>\n"
        "</xen>\n"
        TAIL, secret, missing);
    static const char *const first[] = { "a", "b", "c" };
    for (int i = 0; i < 3; i++) {
        /* Only the i-th reference is left in; the others become text. */
        char *t = xstrdup(text);
        static const char *const refs[] = { "&pw;", "&sec;", "&gone;" };
        for (int j = 0; j < 3; j++)
            if (j != i) {
                char *p = strstr(t, refs[j]);
                memset(p, 'z', strlen(refs[j]));
            }
        struct resset *rs = resset_new();
        char *path = NULL, *err = NULL;
        assert_int_equal(read_xml_text(state, t, rs, &path, &err), -1);
        char *want = xasprintf("profile %s: a DOCTYPE is not allowed in an LCFG profile",
                               path);
        assert_string_equal(err, want);
        assert_int_equal(resset_count(rs), 0);
        assert_null(resset_get(rs, first[i]));
        assert_nowhere(rs, "root:");
        assert_nowhere(rs, "SECRET");
        assert_null(strstr(err, "SECRET"));
        assert_null(strstr(err, "root:"));
        free(want);
        free(err);
        free(path);
        free(t);
        resset_free(rs);
    }
    free(text);
    free(secret);
    free(missing);
}

static void test_xml_external_dtd_not_loaded(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    /* Loading the missing DTD would have failed first with its own error. */
    char *text = xasprintf(
        XML_DECL
        "<!DOCTYPE profile SYSTEM \"%s/missing.dtd\">\n"
        PROFILE_OPEN
        "<lcfg>\n"
        "<components>\n"
        "<xen>\n"
        " <a>1</a>\n"
        "</xen>\n"
        TAIL, (const char *)*state);
    assert_int_equal(read_xml_text(state, text, rs, &path, &err), -1);
    char *want = xasprintf("profile %s: a DOCTYPE is not allowed in an LCFG profile", path);
    assert_string_equal(err, want);
    assert_int_equal(resset_count(rs), 0);
    free(want);
    free(err);
    free(text);
    free(path);
    resset_free(rs);
}

/* Entity references must not be expanded anywhere, attributes included
 * (profile.h promises "entity expansion off"). libxml2 substitutes internal
 * entities in attribute values even without XML_PARSE_NOENT, so this needs
 * the reader's own refusal. */
static void test_xml_entity_in_attribute_not_expanded(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    int rc = read_xml_text(state,
        XML_DECL
        "<!DOCTYPE profile [\n"
        "<!ENTITY e \"EXPANDED\">\n"
        "]>\n"
        PROFILE_OPEN
        "<lcfg>\n"
        "<components>\n"
        "<xen>\n"
        " <a cfg:derivation=\"&e;\">1</a>\n"
        " <g cfg:template=\"m_$\"><g_RECORD cfg:name=\"&e;\"><m>2</m></g_RECORD></g>\n"
        "</xen>\n"
        TAIL, rs, &path, &err);
    assert_int_equal(rc, -1);
    char *want = xasprintf("profile %s: a DOCTYPE is not allowed in an LCFG profile", path);
    assert_string_equal(err, want);
    assert_int_equal(resset_count(rs), 0);
    free(want);
    free(err);
    free(path);
    resset_free(rs);
}

static void test_xml_root_not_profile(void **state)
{
    assert_xml_error(state,
        XML_DECL
        "<config xmlns:cfg=\"http://www.lcfg.org/namespace/cfg-1.0\">\n"
        "<lcfg><components><xen><a>1</a></xen></components></lcfg>\n"
        "</config>\n", 2, "root element is <config>, not <profile>");
}

static void test_xml_no_xen(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<network><xen>1</xen></network>\n"
        TAIL, rs, &path, &err), -1);
    char *want = xasprintf("profile %s: no xen component (is xen in profile.components?)",
                           path);
    assert_string_equal(err, want);
    free(want);
    free(path);

    /* <xen> in the wrong place is not the component. */
    assert_int_equal(read_xml_text(state,
        XML_DECL PROFILE_OPEN
        "<lcfg>\n"
        "<xen><a>1</a></xen>\n"
        "<components/>\n"
        "</lcfg>\n"
        "<xen><a>1</a></xen>\n"
        "</profile>\n", rs, &path, &err), -1);
    want = xasprintf("profile %s: no xen component (is xen in profile.components?)", path);
    assert_string_equal(err, want);
    assert_int_equal(resset_count(rs), 0);
    free(want);
    free(path);

    /* An empty profile. */
    assert_int_equal(read_xml_text(state, XML_DECL PROFILE_OPEN "</profile>\n", rs, &path,
                                   &err), -1);
    want = xasprintf("profile %s: no xen component (is xen in profile.components?)", path);
    assert_string_equal(err, want);
    free(want);
    free(path);
    free(err);
    resset_free(rs);
}

static void test_xml_xen_twice(void **state)
{
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <a>1</a>\n"
        "</xen>\n"
        "<xen>\n"
        " <b>1</b>\n"
        "</xen>\n"
        TAIL, 8, "component xen appears twice");
}

static void test_xml_resource_twice(void **state)
{
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <a>1</a>\n"
        " <b>2</b>\n"
        " <a>3</a>\n"
        "</xen>\n"
        TAIL, 8, "resource a appears twice");
    /* A per-tag resource that a plain one already set. */
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <memory_vm1>1</memory_vm1>\n"
        " <guests cfg:template=\"memory_$\">\n"
        "  <guests_RECORD cfg:name=\"vm1\">\n"
        "   <memory>2</memory>\n"
        "  </guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, 9, "resource memory_vm1 appears twice");
    /* The same tag twice with per-tag resources. */
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"memory_$\">\n"
        "  <guests_RECORD cfg:name=\"vm1\"><memory>1</memory></guests_RECORD>\n"
        "  <guests_RECORD cfg:name=\"vm1\"><memory>2</memory></guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, 8, "resource memory_vm1 appears twice");
    /* A list resource twice. */
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"memory_$\"/>\n"
        " <guests>x</guests>\n"
        "</xen>\n"
        TAIL, 7, "resource guests appears twice");
}

static void test_xml_record_no_template(void **state)
{
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"name_$ memory_$\">\n"
        "  <guests_RECORD cfg:name=\"vm1\">\n"
        "   <name>vm1</name>\n"
        "   <disk>10</disk>\n"
        "  </guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, 9,
        "resource guests: <disk> in record 'vm1' matches no template of the list");
    /* The template base must match exactly. */
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"name_$\">\n"
        "  <guests_RECORD cfg:name=\"vm1\"><names>x</names></guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, 7,
        "resource guests: <names> in record 'vm1' matches no template of the list");
}

static void test_xml_structure_errors(void **state)
{
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"name_$\">\n"
        "  <vm cfg:name=\"vm1\"/>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, 7, "resource guests: unexpected element <vm> in a tag list");
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"name_$\">\n"
        "  <guests_RECORD name=\"vm1\"/>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, 7, "resource guests: <guests_RECORD> without cfg:name");
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <a>1<b>2</b></a>\n"
        "</xen>\n"
        TAIL, 6, "resource a: unexpected element <b> in a value");
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <bad-name>1</bad-name>\n"
        "</xen>\n"
        TAIL, 6, "'bad-name' is not a valid resource name");
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <_hidden>1</_hidden>\n"
        "</xen>\n"
        TAIL, 6, "'_hidden' is not a valid resource name");
    /* A tag that makes an invalid resource name. */
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"memory_$\">\n"
        "  <guests_RECORD cfg:name=\"vm-1\">\n"
        "   <memory>1</memory>\n"
        "  </guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, 8, "'memory_vm-1' is not a valid resource name");
}

static void test_xml_nested_lists(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"disks_$ memory_$\" cfg:derivation=\"g:1\">\n"
        "  <guests_RECORD cfg:name=\"a\">\n"
        "   <disks cfg:template=\"size_$_$ vg_$_$\" cfg:derivation=\"g:2\">\n"
        "    <disks_RECORD cfg:name=\"b\">\n"
        "     <size>10G</size>\n"
        "     <vg>vg0</vg>\n"
        "    </disks_RECORD>\n"
        "    <disks_RECORD cfg:name=\"c\">\n"
        "     <size>20G</size>\n"
        "    </disks_RECORD>\n"
        "   </disks>\n"
        "   <memory>512</memory>\n"
        "  </guests_RECORD>\n"
        "  <guests_RECORD cfg:name=\"_2\">\n"
        "   <disks cfg:template=\"size_$_$\">\n"
        "    <disks_RECORD cfg:name=\"b\"><size>5G</size></disks_RECORD>\n"
        "   </disks>\n"
        "  </guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    /* The outermost tag replaces the first "$" (lcfg-core fills them from
     * the last, innermost first: what lcfg-oracle makes of
     * tests/data/lcfgformats/profile.xml). */
    assert_names(rs, "size_a_b vg_a_b size_a_c disks_a memory_a size_2_b disks_2 guests");
    assert_res(rs, "guests", "a 2", "g:1");
    assert_res(rs, "disks_a", "b c", "g:2");
    assert_res(rs, "size_a_b", "10G", "");
    assert_res(rs, "vg_a_b", "vg0", "");
    assert_res(rs, "size_a_c", "20G", "");
    assert_res(rs, "memory_a", "512", "");
    assert_res(rs, "disks_2", "b", "");
    assert_res(rs, "size_2_b", "5G", "");
    assert_null(resset_get(rs, "size_b_a"));
    free(path);
    resset_free(rs);
}

/* A record's element is matched to the first template it names, whatever
 * order the record has them in: "fo_$o" and "foo_$" both name <foo>, so
 * the first wins, also when the one before matched last. */
static void test_xml_template_matching(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_text(state,
        HEAD
        "<xen>\n"
        " <g cfg:template=\"a_$ b_$ fo_$o foo_$ c_$\">\n"
        "  <g_RECORD cfg:name=\"x\"><a>1</a><b>2</b><foo>3</foo><c>4</c></g_RECORD>\n"
        "  <g_RECORD cfg:name=\"y\"><c>5</c><b cfg:derivation=\"p&amp;q:1\">6</b>"
        "<a>7</a><foo>8</foo></g_RECORD>\n"
        "  <g_RECORD cfg:name=\"z\"><b>9</b><foo>10</foo></g_RECORD>\n"
        " </g>\n"
        "</xen>\n"
        TAIL, rs, &path, &err), 0);
    assert_null(err);
    assert_names(rs, "a_x b_x fo_xo c_x c_y b_y a_y fo_yo b_z fo_zo g");
    assert_res(rs, "fo_xo", "3", "");
    assert_res(rs, "b_y", "6", "p&q:1");
    assert_res(rs, "fo_yo", "8", "");
    assert_res(rs, "fo_zo", "10", "");
    assert_null(resset_get(rs, "foo_x"));
    free(path);
    resset_free(rs);

    /* A record naming no template still fails after matches. */
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <g cfg:template=\"a_$ b_$\">\n"
        "  <g_RECORD cfg:name=\"x\"><a>1</a><b>2</b>\n"
        "<d>3</d></g_RECORD>\n"
        " </g>\n"
        "</xen>\n"
        TAIL, 8, "resource g: <d> in record 'x' matches no template of the list");
}

/* levels nested tag lists L0 > L1 > ...: list Lk's records hold list
 * L(k+1), whose template has k+1 "$"; the innermost records hold <v>. */
static char *nested_profile(int levels)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, HEAD "<xen>\n");
    for (int k = 0; k < levels; k++) {
        if (k + 1 < levels)
            buf_addf(&b, "<L%d cfg:template=\"L%d", k, k + 1);
        else
            buf_addf(&b, "<L%d cfg:template=\"v", k);
        for (int d = 0; d <= k; d++)
            buf_adds(&b, "_$");
        buf_addf(&b, "\"><L%d_RECORD cfg:name=\"t%d\">\n", k, k);
    }
    buf_adds(&b, "<v>deep</v>\n");
    for (int k = levels - 1; k >= 0; k--)
        buf_addf(&b, "</L%d_RECORD></L%d>\n", k, k);
    buf_adds(&b, "</xen>\n" TAIL);
    return buf_detach(&b);
}

static void test_xml_nesting_limit(void **state)
{
    /* Eight levels are fine. */
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    char *text = nested_profile(8);
    assert_int_equal(read_xml_text(state, text, rs, &path, &err), 0);
    assert_null(err);
    assert_res(rs, "v_t0_t1_t2_t3_t4_t5_t6_t7", "deep", "");
    assert_res(rs, "L7_t0_t1_t2_t3_t4_t5_t6", "t7", "");
    assert_res(rs, "L1_t0", "t1", "");
    assert_res(rs, "L0", "t0", "");
    assert_int_equal(resset_count(rs), 9);
    free(text);
    free(path);
    resset_free(rs);

    /* Nine are refused. */
    text = nested_profile(9);
    assert_xml_error(state, text, 14,
                     "resource L8_t0_t1_t2_t3_t4_t5_t6_t7: tag lists nested too deeply");
    free(text);
}

/* ========================================================= status file */

static int parse(const char *text, struct resset *rs, char **err)
{
    return profile_parse_status(text, "test.res", rs, err);
}

static void assert_parse_error(const char *text, const char *want)
{
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(parse(text, rs, &err), -1);
    assert_non_null(err);
    assert_string_equal(err, want);
    free(err);
    resset_free(rs);
}

/* The value text reads as want (one resource "a"). */
static void assert_decodes(const char *text, const char *want)
{
    struct resset *rs = resset_new();
    char *err = NULL;
    char *line = xasprintf("xen.a=%s\n", text);
    if (parse(line, rs, &err) != 0)
        fail_msg("%s: %s", line, err);
    assert_string_equal(resset_get(rs, "a"), want);
    free(line);
    resset_free(rs);
}

static void test_status_values(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(parse(
        "xen.extra=root=/dev/xvda1 console=hvc0\n"
        "xen.empty=\n"
        "xen.amp=a &#x26; b\n"
        "xen.multi=line1&#xA;line2&#xD;\n"
        "xen.crlf=dos\r\r\n"
        "  xen.indented=kept  \n"
        "nocomp=no component\n"
        "host.example.org.xen.hosted=a host before\n"
        "xen.last=no newline", rs, &err), 0);
    assert_null(err);
    assert_names(rs, "extra empty amp multi crlf indented nocomp hosted last");
    assert_res(rs, "extra", "root=/dev/xvda1 console=hvc0", "");
    assert_res(rs, "empty", "", "");
    assert_res(rs, "amp", "a & b", "");
    assert_res(rs, "multi", "line1\nline2\r", "");
    assert_res(rs, "crlf", "dos", "");
    assert_res(rs, "indented", "kept  ", "");
    assert_res(rs, "nocomp", "no component", "");
    assert_res(rs, "hosted", "a host before", "");
    assert_res(rs, "last", "no newline", "");
    resset_free(rs);

    rs = resset_new();
    assert_int_equal(parse("", rs, &err), 0);
    assert_int_equal(resset_count(rs), 0);
    assert_null(err);
    resset_free(rs);
}

/* lcfg-core's decoder (lcfgutils_decode_html_entities_utf8), quirks
 * included: each case below is what lcfg-oracle readstatus gives. */
static void test_status_entities(void **state)
{
    (void)state;
    assert_decodes("&amp;&lt;&gt;&quot;&apos;", "&<>\"'");
    assert_decodes("&nbsp;&eacute;&euro;&lang;&rang;", "\u00a0\u00e9\u20ac\u3008\u3009");
    assert_decodes("&#65;&#x41;&#X41;&#x0x43;&#+68;&# 66;&#x   41;", "AAACDBA");
    assert_decodes("&#233;&#x10FFFF;&#xD800;", "\u00e9\xf4\x8f\xbf\xbf\xed\xa0\x80");
    /* Not references: kept as they are. */
    assert_decodes("&AMP; &ampx; &nosuch; &amp b; c", "&AMP; &ampx; &nosuch; &amp b; c");
    assert_decodes("&#1114112; &#-1; &#x-41; &#65 ; &#99999999999999999999; & &#65",
                   "&#1114112; &#-1; &#x-41; &#65 ; &#99999999999999999999; & &#65");
    /* Decoded once: what an encoded '&' starts is text. */
    assert_decodes("&#x26;amp; &#x26;#65;", "&amp; &#65;");
    /* Character 0 ends lcfg-core's C string, and so the value. */
    assert_decodes("a&#0;b", "a");
    assert_decodes("a&#-0;b", "a");
    assert_decodes("a&#;b", "a");
    assert_decodes("a&#x;b", "a");
}

static void test_status_derivation_and_type(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(parse(
        "#xen.guests=site.h:3 guests.h:7\n"
        "%xen.guests=list: memory_$\n"
        "xen.guests=vm1 vm2\n"
        "xen.memory_vm1=512\n"
        "#xen.memory_vm1=guests.h:9,2 other.h guests.h:2,010\n"
        "%xen.memory_vm1=%integer\n"
        "^xen.memory_vm1=7\n"
        "#xen.nosuch=x.h:1\n"
        "%xen.nosuch=string\n"
        "xen.plain=p\n"
        "%xen.plain=\n"
        "xen.flag=yes\n"
        "%xen.flag=boolean(a comment)\n"
        "#xen.flag=f.h:1\n"
        "#xen.flag=\n"
        "xen.c=v\n"
        "%xen.c=string(said)\n", rs, &err), 0);
    assert_null(err);
    assert_names(rs, "guests memory_vm1 plain flag c");
    assert_res(rs, "guests", "vm1 vm2", "site.h:3 guests.h:7");
    /* Derivations as lcfg-core writes them back: merged by file, line
     * numbers sorted and each once (010 is octal: strtoul base 0). */
    assert_res(rs, "memory_vm1", "512", "guests.h:2,8,9 other.h");
    assert_res(rs, "plain", "p", "");
    assert_res(rs, "flag", "yes", "");
    assert_null(resset_get(rs, "nosuch"));
    assert_string_equal(resset_find(rs, "guests")->type, "list: memory_$");
    assert_string_equal(resset_find(rs, "memory_vm1")->type, "integer");
    assert_string_equal(resset_find(rs, "plain")->type, "");
    assert_string_equal(resset_find(rs, "flag")->type, "boolean(a comment)");
    assert_string_equal(resset_find(rs, "c")->type, "string(said)");
    resset_free(rs);
}

static void test_status_bad_lines(void **state)
{
    (void)state;
    assert_parse_error("xen.a=1\nxen.b\n",
                       "resources test.res:2: expected 'xen.resource=value', got 'xen.b'");
    assert_parse_error("xen.a=1\nnetwork.a=1\n",
                       "resources test.res:2: expected 'xen.resource=value', got 'network.a=1'");
    assert_parse_error("xenx.a=1\n",
                       "resources test.res:1: expected 'xen.resource=value', got 'xenx.a=1'");
    assert_parse_error("# a comment\n",
                       "resources test.res:1: expected 'xen.resource=value', got '# a comment'");
    assert_parse_error("#network.a=x\n",
                       "resources test.res:1: expected 'xen.resource=value', got '#network.a=x'");
    assert_parse_error("=xen.a=context\n",
                       "resources test.res:1: expected 'xen.resource=value', got '=xen.a=context'");
    assert_parse_error("xen.=x\n", "resources test.res:1: expected 'xen.resource=value', got 'xen.=x'");
    assert_parse_error("h..a=x\n", "resources test.res:1: expected 'xen.resource=value', got 'h..a=x'");
    assert_parse_error(".a=x\n", "resources test.res:1: expected 'xen.resource=value', got '.a=x'");
    /* lcfg-core refuses empty lines, also at the end. */
    assert_parse_error("xen.a=1\n\nxen.b=2\n", "resources test.res:2: an empty line (lcfg-core refuses it)");
    assert_parse_error("xen.a=1\n \r\n", "resources test.res:2: an empty line (lcfg-core refuses it)");
    assert_parse_error("\r\n", "resources test.res:1: an empty line (lcfg-core refuses it)");
}

/* A value its type rejects, either way round, as lcfg-core checks it. */
static void test_status_types_checked(void **state)
{
    (void)state;
    assert_parse_error("xen.a=x\n%xen.a=integer\n",
                       "resources test.res:2: resource a: its value 'x' is not a valid integer");
    assert_parse_error("%xen.a=integer\nxen.a=\n",
                       "resources test.res:2: resource a: '' is not a valid integer");
    assert_parse_error("%xen.a=integer\nxen.a=007\n",
                       "resources test.res:2: resource a: '007' is not a valid integer");
    assert_parse_error("xen.a=TRUE\n%xen.a=boolean\n",
                       "resources test.res:2: resource a: its value 'TRUE' is not a valid boolean");
    assert_parse_error("%xen.a=list\nxen.a=a-b\n",
                       "resources test.res:2: resource a: 'a-b' is not a valid list");
    assert_parse_error("%xen.a=float\n",
                       "resources test.res:1: resource a: invalid resource type 'float'");
    assert_parse_error("%xen.a=%\n", "resources test.res:1: resource a: invalid resource type ''");
    assert_parse_error("%xen.a=list: a b_$\n",
                       "resources test.res:1: resource a: bad resource template 'a'");
    assert_parse_error("#xen.a=f.h:x\n",
                       "resources test.res:1: resource a: 'f.h:x' is not a valid derivation");
    assert_parse_error("#xen.a=:3\n",
                       "resources test.res:1: resource a: ':3' is not a valid derivation");
    assert_parse_error("^xen.a=high\n",
                       "resources test.res:1: resource a: priority 'high' is not an integer");
    /* Accepted: "-0", "0", a list with no templates, a type "integers". */
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(parse("xen.a=-0\n%xen.a=integer\nxen.b=0\n%xen.b=integers\n"
                           "xen.c=x y_1\n%xen.c=list:a_$\n", rs, &err), 0);
    assert_string_equal(resset_find(rs, "b")->type, "integer");
    assert_string_equal(resset_find(rs, "c")->type, "list: ");
    resset_free(rs);
}

static void test_status_duplicate(void **state)
{
    (void)state;
    /* A repeated value line replaces the value, as in lcfg-core. */
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(parse("xen.a=1\nxen.b=2\nxen.a=3\n#xen.a=d\n%xen.a=integer\n", rs, &err), 0);
    assert_names(rs, "a b");
    assert_res(rs, "a", "3", "d");
    resset_free(rs);
}

static void test_status_invalid_name(void **state)
{
    (void)state;
    assert_parse_error("xen.1a=x\n", "resources test.res:1: '1a' is not a valid resource name");
    assert_parse_error("xen.a-b=x\n", "resources test.res:1: 'a-b' is not a valid resource name");
    assert_parse_error("xen.a b=x\n", "resources test.res:1: 'a b' is not a valid resource name");
    assert_parse_error("xen._a=x\n", "resources test.res:1: '_a' is not a valid resource name");
    assert_parse_error("%=integer\n", "resources test.res:1: '' is not a valid resource name");
    assert_parse_error("xen.a =x\n", "resources test.res:1: 'a ' is not a valid resource name");
}

static void test_status_file(void **state)
{
    char *path = put(state, "xen.res", "xen.a=1\n#xen.a=here:1\nxen.b=x&amp;y\n");
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(profile_read_status(path, rs, &err), 0);
    assert_null(err);
    assert_names(rs, "a b");
    assert_res(rs, "a", "1", "here:1");
    assert_res(rs, "b", "x&y", "");
    resset_free(rs);

    /* Messages name the file. */
    char *bad = put(state, "bad.res", "xen.a=1\n%xen.a=boolean\n");
    rs = resset_new();
    assert_int_equal(profile_read_status(bad, rs, &err), -1);
    char *want = xasprintf("resources %s:2: resource a: its value '1' is not a valid boolean", bad);
    assert_string_equal(err, want);
    free(want);
    resset_free(rs);

    char *missing = xasprintf("%s/missing.res", (const char *)*state);
    rs = resset_new();
    assert_int_equal(profile_read_status(missing, rs, &err), -1);
    want = xasprintf("resources %s: cannot open: %s", missing, strerror(ENOENT));
    assert_string_equal(err, want);
    free(want);
    resset_free(rs);

    /* A NUL byte would hide the rest of the line: refused. */
    char *nul = xasprintf("%s/nul.res", (const char *)*state);
    FILE *f = fopen(nul, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite("xen.a=1\0xen.b=2\n", 1, 16, f), 16);
    fclose(f);
    rs = resset_new();
    assert_int_equal(profile_read_status(nul, rs, &err), -1);
    want = xasprintf("resources %s: contains a NUL byte", nul);
    assert_string_equal(err, want);
    free(want);
    resset_free(rs);

    free(err);
    free(path);
    free(bad);
    free(missing);
    free(nul);
}

static void test_format_status(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    resset_set(rs, "b", "plain", "x.h:3 y.h:1 x.h:2");
    resset_set(rs, "a", "x & y", NULL);
    resset_set(rs, "multi", "line1\nline2\r\n", NULL);
    resset_set(rs, "empty", "", "gone.h:1");
    resset_set(rs, "tricky", "&amp; &#10; <x> = \"q\" caf\u00e9", NULL);
    resset_set(rs, "n", "12", "bad:derivation");
    resset_set_type(rs, "n", "integer");
    resset_set(rs, "f", "", NULL);
    resset_set_type(rs, "f", "boolean");
    resset_set(rs, "l", "a b", NULL);
    resset_set_type(rs, "l", "list: x_$");
    resset_set(rs, "i", "x", NULL);
    resset_set_type(rs, "i", "integer");
    char *text = profile_format_status(rs);
    assert_string_equal(text,
        "xen.b=plain\n"
        "#xen.b=x.h:2,3 y.h:1\n"
        "xen.a=x &#x26; y\n"
        "xen.multi=line1&#xA;line2&#xD;&#xA;\n"
        "xen.empty=\n"
        "xen.tricky=&#x26;amp; &#x26;#10; <x> = \"q\" caf\u00e9\n"
        "xen.n=12\n"
        "%xen.n=integer\n"
        "xen.f=\n"
        "xen.l=a b\n"
        "%xen.l=list: x_$\n"
        "xen.i=x\n");

    /* Round trip: parsing gives the same names, order, values, types. */
    struct resset *back = resset_new();
    char *err = NULL;
    assert_int_equal(parse(text, back, &err), 0);
    assert_null(err);
    assert_int_equal(resset_count(back), resset_count(rs));
    for (size_t i = 0; i < resset_count(rs); i++) {
        const struct resource *r = resset_at(rs, i);
        const struct resource *q = resset_at(back, i);
        assert_string_equal(q->name, r->name);
        assert_string_equal(q->value, r->value);
    }
    assert_string_equal(resset_find(back, "n")->type, "integer");
    assert_string_equal(resset_find(back, "i")->type, "");
    assert_string_equal(resset_find(back, "b")->derivation, "x.h:2,3 y.h:1");
    free(text);
    resset_free(back);
    resset_free(rs);

    rs = resset_new();
    text = profile_format_status(rs);
    assert_string_equal(text, "");
    free(text);
    resset_free(rs);
}

static void test_format_status_roundtrip_all_bytes(void **state)
{
    (void)state;
    /* Every byte value 1..255 in one value survives the trip. */
    char value[256];
    for (int i = 1; i < 256; i++)
        value[i - 1] = (char)i;
    value[255] = '\0';
    struct resset *rs = resset_new();
    resset_set(rs, "all", value, NULL);
    char *text = profile_format_status(rs);
    assert_null(strchr(text, '\r'));
    assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
    struct resset *back = resset_new();
    char *err = NULL;
    assert_int_equal(parse(text, back, &err), 0);
    assert_null(err);
    assert_string_equal(resset_get(back, "all"), value);
    free(text);
    resset_free(back);
    resset_free(rs);
}

/* ========================================================= environment */

static void test_env_read(void **state)
{
    (void)state;
    char *envp[] = {
        "PATH=/usr/bin",
        "LCFG_xen_guests=vm1 vm2",
        "LCFG_xen__RESOURCES=guests  memory_vm1\tunset\nab a",
        "LCFG_xen_memory_vm1=512",
        "LCFG_xen_ab=two",
        "LCFG_xen_a=one=1",
        "LCFG_xen_unlisted=ignored",
        "LCFG_xenx_a=other",
        "LCFG_network_a=other",
        NULL,
    };
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_true(profile_env_present(envp));
    assert_int_equal(profile_read_env(envp, rs, &err), 0);
    assert_null(err);
    assert_names(rs, "guests memory_vm1 unset ab a");
    assert_res(rs, "guests", "vm1 vm2", "");
    assert_res(rs, "memory_vm1", "512", "");
    assert_res(rs, "unset", "", "");
    assert_res(rs, "ab", "two", "");
    assert_res(rs, "a", "one=1", "");
    assert_null(resset_get(rs, "unlisted"));
    resset_free(rs);

    /* ngeneric's resources keep the type exported with them (LCFGTYPE_,
     * LCFG_OPT_USE_META); the component's come from the schema. */
    char *typed[] = {
        "LCFG_xen__RESOURCES=ng_cforder ng_plugins memory_vm1",
        "LCFG_xen_ng_cforder=40", "LCFGTYPE_xen_ng_cforder=integer",
        "LCFG_xen_ng_plugins=", "LCFGTYPE_xen_ng_plugins=list: ng_plugin_params_$",
        "LCFG_xen_memory_vm1=512", "LCFGTYPE_xen_memory_vm1=integer",
        NULL,
    };
    rs = resset_new();
    assert_int_equal(profile_read_env(typed, rs, &err), 0);
    assert_string_equal(resset_find(rs, "ng_cforder")->type, "integer");
    assert_string_equal(resset_find(rs, "ng_plugins")->type, "list: ng_plugin_params_$");
    assert_string_equal(resset_find(rs, "memory_vm1")->type, "");
    resset_free(rs);
}

static void test_env_empty_list(void **state)
{
    (void)state;
    char *envp[] = { "LCFG_xen__RESOURCES=", "LCFG_xen_a=1", NULL };
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_true(profile_env_present(envp));
    assert_int_equal(profile_read_env(envp, rs, &err), 0);
    assert_null(err);
    assert_int_equal(resset_count(rs), 0);
    resset_free(rs);
}

static void test_env_errors(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    char *err = NULL;

    char *bad[] = { "LCFG_xen__RESOURCES=good bad-name", "LCFG_xen_good=1", NULL };
    assert_int_equal(profile_read_env(bad, rs, &err), -1);
    assert_string_equal(err,
        "environment: LCFG_xen__RESOURCES names 'bad-name', not a valid resource name");

    char *digit[] = { "LCFG_xen__RESOURCES=1a", NULL };
    assert_int_equal(profile_read_env(digit, rs, &err), -1);
    assert_string_equal(err,
        "environment: LCFG_xen__RESOURCES names '1a', not a valid resource name");

    resset_free(rs);
    rs = resset_new();
    char *twice[] = { "LCFG_xen__RESOURCES=a b a", NULL };
    assert_int_equal(profile_read_env(twice, rs, &err), -1);
    assert_string_equal(err, "environment: LCFG_xen__RESOURCES names a twice");

    char *none[] = { "LCFG_xen_a=1", "LCFG_xen__RESOURCESX=a", NULL };
    assert_false(profile_env_present(none));
    assert_int_equal(profile_read_env(none, rs, &err), -1);
    assert_string_equal(err, "environment: LCFG_xen__RESOURCES is not set");
    free(err);
    resset_free(rs);
}

static void test_env_present(void **state)
{
    (void)state;
    char *empty[] = { NULL };
    char *other[] = { "LCFG_network__RESOURCES=a", "LCFG_xen_a=1", NULL };
    char *prefix[] = { "LCFG_xen__RESOURCE=a", "LCFG_xen__RESOURCES", NULL };
    char *yes[] = { "HOME=/root", "LCFG_xen__RESOURCES=a", NULL };
    assert_false(profile_env_present(empty));
    assert_false(profile_env_present(NULL));
    assert_false(profile_env_present(other));
    assert_false(profile_env_present(prefix));
    assert_true(profile_env_present(yes));
}

/* ------------------------------------------------------------ contexts */

/* Read text under the contexts given as an active-contexts file's text
 * (NULL: none); returns profile_read_xml_ex's result. */
static int read_xml_ctx(void **state, const char *text, const char *active, struct resset *rs,
                        char **path, char **err)
{
    struct ctxlist *l = NULL;
    if (active)
        assert_int_equal(ctx_parse(active, "active", &l, NULL), 0);
    struct xml_source src = { .contexts = l };
    *path = put(state, "profile.xml", text);
    int rc = profile_read_xml_ex(*path, &src, rs, NULL, err);
    ctx_free(l);
    return rc;
}

/* The resources as "name=value^priority" words, in order (caller frees). */
static char *dump(const struct resset *rs)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < resset_count(rs); i++) {
        const struct resource *r = resset_at(rs, i);
        buf_addf(&b, "%s%s=%s^%d", i ? " " : "", r->name, r->value, resset_priority(rs, i));
    }
    return buf_detach(&b);
}

static void expect_ctx(void **state, const char *text, const char *active, const char *want)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    if (read_xml_ctx(state, text, active, rs, &path, &err) < 0)
        fail_msg("%s", err);
    char *got = dump(rs);
    assert_string_equal(got, want);
    free(got);
    free(path);
    resset_free(rs);
}

static const char CTX_PROFILE[] =
    HEAD
    "<xen>\n"
    " <a>plain</a>\n"
    " <a cfg:context=\"install\">inst</a>\n"
    " <b cfg:context=\"install\">only</b>\n"
    " <c cfg:context=\"!install\">not</c>\n"
    " <d cfg:context=\"install\">first</d>\n"
    " <d>second</d>\n"
    "</xen>\n"
    TAIL;

/* A value whose context does not hold is not applied (and is no second
 * value of its resource). */
static void test_xml_context_inactive(void **state)
{
    expect_ctx(state, CTX_PROFILE, NULL, "a=plain^0 c=not^1 d=second^0");
    /* An empty active-contexts file is the same. */
    expect_ctx(state, CTX_PROFILE, "# none\n", "a=plain^0 c=not^1 d=second^0");
    expect_ctx(state, CTX_PROFILE, "install=no\n", "a=plain^0 c=not^1 d=second^0");
}

/* A value whose context holds wins over the one without. */
static void test_xml_context_active(void **state)
{
    expect_ctx(state, CTX_PROFILE, "install=yes\n", "a=inst^1 b=only^1 d=first^1");
    /* Its priority is its context's line. */
    expect_ctx(state, CTX_PROFILE, "# c\nother=1\ninstall=true\n",
               "a=inst^3 b=only^3 d=first^3");
}

/* Of two values whose contexts hold, the one with the later context line
 * wins, whatever their order in the profile. */
static void test_xml_context_priority(void **state)
{
    static const char text[] =
        HEAD
        "<xen>\n"
        " <maxmem cfg:context=\"big\">2048</maxmem>\n"
        " <maxmem>1024</maxmem>\n"
        " <maxmem cfg:context=\"huge\">4096</maxmem>\n"
        "</xen>\n"
        TAIL;
    expect_ctx(state, text, NULL, "maxmem=1024^0");
    expect_ctx(state, text, "big=yes\nhuge=yes\n", "maxmem=4096^2");
    expect_ctx(state, text, "huge=yes\nbig=yes\n", "maxmem=2048^2");
    expect_ctx(state, text, "huge=yes\n", "maxmem=4096^1");
}

/* The same priority twice: the same value is taken again (its
 * derivation), another is an error, as in lcfg-core. */
static void test_xml_context_same_priority(void **state)
{
    struct resset *rs = resset_new();
    char *path = NULL, *err = NULL;
    assert_int_equal(read_xml_ctx(state,
        HEAD
        "<xen>\n"
        " <a cfg:derivation=\"x.h:1\">1</a>\n"
        " <a cfg:derivation=\"y.h:2\">1</a>\n"
        " <b cfg:context=\"install\" cfg:derivation=\"x.h:3\">2</b>\n"
        " <b cfg:context=\"install\" cfg:derivation=\"y.h:4\">2</b>\n"
        "</xen>\n"
        TAIL, "install=yes\n", rs, &path, &err), 0);
    assert_res(rs, "a", "1", "y.h:2");
    assert_res(rs, "b", "2", "y.h:4");
    free(path);
    resset_free(rs);
    rs = resset_new();
    assert_int_equal(read_xml_ctx(state,
        HEAD
        "<xen>\n"
        " <b cfg:context=\"install\">2</b>\n"
        " <b cfg:context=\"install\">3</b>\n"
        "</xen>\n"
        TAIL, "install=yes\n", rs, &path, &err), -1);
    char *want = xasprintf("profile %s:7: resource b appears twice with context priority 1",
                           path);
    assert_string_equal(err, want);
    free(want);
    free(err);
    free(path);
    resset_free(rs);
}

/* A record's resources take their list's context, with their own; the
 * resources of a list's records that lost to another of its values are
 * still taken (lcfg-core merges each resource on its own). */
static void test_xml_context_records(void **state)
{
    static const char text[] =
        HEAD
        "<xen>\n"
        " <guests cfg:template=\"memory_$ name_$\">\n"
        "  <guests_RECORD cfg:name=\"vm1\"><memory>1</memory><name>n1</name></guests_RECORD>\n"
        " </guests>\n"
        " <guests cfg:template=\"memory_$ name_$\" cfg:context=\"install\">\n"
        "  <guests_RECORD cfg:name=\"vm2\">\n"
        "   <memory>2</memory><name cfg:context=\"maint\">n2</name>\n"
        "  </guests_RECORD>\n"
        "  <guests_RECORD cfg:name=\"vm1\"><memory>11</memory></guests_RECORD>\n"
        " </guests>\n"
        "</xen>\n"
        TAIL;
    expect_ctx(state, text, NULL, "memory_vm1=1^0 name_vm1=n1^0 guests=vm1^0");
    expect_ctx(state, text, "install=yes\n",
               "memory_vm1=11^1 name_vm1=n1^0 guests=vm2 vm1^1 memory_vm2=2^1");
    /* Both: the later line's priority. */
    expect_ctx(state, text, "install=yes\nmaint=yes\n",
               "memory_vm1=11^1 name_vm1=n1^0 guests=vm2 vm1^1 memory_vm2=2^1 name_vm2=n2^2");
}

static void test_xml_context_invalid(void **state)
{
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <a>1</a>\n"
        " <b cfg:context=\"install &amp;\">2</b>\n"
        "</xen>\n"
        TAIL, 7, "resource b: context 'install &': syntax error");
    /* Also when the value would not be taken. */
    assert_xml_error(state,
        HEAD
        "<xen>\n"
        " <g cfg:template=\"m_$\">\n"
        "  <g_RECORD cfg:name=\"t\"><m cfg:context=\"a b\">1</m></g_RECORD>\n"
        " </g>\n"
        "</xen>\n"
        TAIL, 7, "resource m_t: context 'a b': syntax error");
}

/* An override profile: its base context and derivation on every resource,
 * merged by priority over what was read before; a profile without the
 * component is no error when found is asked for. */
static void test_xml_source_override(void **state)
{
    struct ctxlist *l = NULL;
    assert_int_equal(ctx_parse("install=yes\n", "active", &l, NULL), 0);
    struct resset *rs = resset_new();
    resset_merge(rs, "a", "main", "m:1", 0);
    resset_merge(rs, "b", "main", "m:2", 0);
    char *path = put(state, "over.xml",
        HEAD
        "<xen>\n"
        " <a cfg:derivation=\"o.h:1\">over</a>\n"
        " <c>new</c>\n"
        " <d cfg:context=\"maint\">no</d>\n"
        "</xen>\n"
        TAIL);
    struct xml_source src = { .contexts = l, .base_context = "install=yes",
                              .base_derivation = "/over.xml" };
    char *err = NULL;
    bool found = false;
    assert_int_equal(profile_read_xml_ex(path, &src, rs, &found, &err), 0);
    assert_true(found);
    char *got = dump(rs);
    assert_string_equal(got, "a=over^1 b=main^0 c=new^1");
    free(got);
    assert_res(rs, "a", "over", "/over.xml o.h:1");
    assert_res(rs, "c", "new", "/over.xml");
    free(path);
    /* No component: found says so. */
    path = put(state, "none.xml", HEAD "<other><x>1</x></other>\n" TAIL);
    assert_int_equal(profile_read_xml_ex(path, &src, rs, &found, &err), 0);
    assert_false(found);
    assert_int_equal(resset_count(rs), 3);
    free(path);
    /* An invalid base context. */
    src.base_context = "a b";
    assert_int_equal(profile_read_xml_ex("/nonexistent", &src, rs, &found, &err), -1);
    assert_string_equal(err, "profile /nonexistent: context 'a b': syntax error");
    free(err);
    ctx_free(l);
    resset_free(rs);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_tmpdir_setup, test_tmpdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_xml_simple),
        T(test_xml_types),
        T(test_xml_taglist),
        T(test_xml_taglist_empty),
        T(test_xml_underscore_tag),
        T(test_xml_other_components_skipped),
        T(test_xml_values_decoded),
        T(test_xml_malformed),
        T(test_xml_unreadable),
        T(test_xml_missing_file),
        T(test_xml_internal_entity_rejected),
        T(test_xml_external_entity_not_read),
        T(test_xml_external_dtd_not_loaded),
        T(test_xml_entity_in_attribute_not_expanded),
        T(test_xml_root_not_profile),
        T(test_xml_no_xen),
        T(test_xml_xen_twice),
        T(test_xml_resource_twice),
        T(test_xml_record_no_template),
        T(test_xml_structure_errors),
        T(test_xml_nested_lists),
        T(test_xml_template_matching),
        T(test_xml_nesting_limit),
        T(test_xml_context_inactive),
        T(test_xml_context_active),
        T(test_xml_context_priority),
        T(test_xml_context_same_priority),
        T(test_xml_context_records),
        T(test_xml_context_invalid),
        T(test_xml_source_override),
        cmocka_unit_test(test_status_values),
        cmocka_unit_test(test_status_entities),
        cmocka_unit_test(test_status_derivation_and_type),
        cmocka_unit_test(test_status_bad_lines),
        cmocka_unit_test(test_status_types_checked),
        cmocka_unit_test(test_status_duplicate),
        cmocka_unit_test(test_status_invalid_name),
        T(test_status_file),
        cmocka_unit_test(test_format_status),
        cmocka_unit_test(test_format_status_roundtrip_all_bytes),
        cmocka_unit_test(test_env_read),
        cmocka_unit_test(test_env_empty_list),
        cmocka_unit_test(test_env_errors),
        cmocka_unit_test(test_env_present),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
