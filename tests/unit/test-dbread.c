/* test-dbread.c: reading the client's profile DB (src/profiledb.c) and
 * finding the node's files (sources_node in src/sources.c). The DBs are
 * written here with Berkeley DB in lcfg-core's key layout (bdb/write.c),
 * and one was written by lcfg-core itself (tests/data/sources/). */
#include "testutil.h"

#include <db.h>

#include "profiledb.h"
#include "resources.h"
#include "sources.h"
#include "util.h"

/* Write a DB at dir/name from "KEY=VALUE" lines (\0 in a value: a NUL).
 * Returns its path (caller frees). */
static char *write_db(void **state, const char *name, const char *const *kv)
{
    char *path = xasprintf("%s/%s", (const char *)*state, name);
    DB *db;
    assert_int_equal(db_create(&db, NULL, 0), 0);
    assert_int_equal(db->open(db, NULL, path, NULL, DB_HASH, DB_CREATE | DB_TRUNCATE, 0600), 0);
    for (; *kv; kv++) {
        const char *eq = strchr(*kv, '=');
        assert_non_null(eq);
        char val[256];
        size_t vl = 0;
        for (const char *p = eq + 1; *p; p++)
            val[vl++] = p[0] == '\\' && p[1] == '0' ? (p++, '\0') : *p;
        DBT k, v;
        memset(&k, 0, sizeof(k));
        memset(&v, 0, sizeof(v));
        k.data = (void *)*kv;
        k.size = (u_int32_t)(eq - *kv);
        v.data = val;
        v.size = (u_int32_t)vl;
        assert_int_equal(db->put(db, NULL, &k, &v, 0), 0);
    }
    assert_int_equal(db->close(db, 0), 0);
    return path;
}

/* The resources as "name=value[derivation]" words, in order. */
static char *dump(const struct resset *rs)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < resset_count(rs); i++) {
        const struct resource *r = resset_at(rs, i);
        buf_addf(&b, "%s%s=%s[%s]", i ? " " : "", r->name, r->value, r->derivation);
    }
    return buf_detach(&b);
}

static void expect_read(const char *path, const char *node, const char *want)
{
    struct resset *rs = resset_new();
    char *err = NULL;
    if (profiledb_read(path, node, rs, &err) < 0)
        fail_msg("%s", err);
    char *got = dump(rs);
    assert_string_equal(got, want);
    free(got);
    resset_free(rs);
}

static void expect_error(const char *path, const char *node, const char *msg)
{
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(profiledb_read(path, node, rs, &err), -1);
    char *want = xasprintf("profile DB %s: %s", path, msg);
    assert_string_equal(err, want);
    free(want);
    free(err);
    resset_free(rs);
}

static const char *const NAMESPACED[] = {
    "xen=a b guests memory_vm1",
    "xenhost.xen.a=1",
    "#xenhost.xen.a=site.h:3",
    "%xenhost.xen.a=integer",
    "xenhost.xen.b=two\nlines",
    "xenhost.xen.guests=vm1",
    "=xenhost.xen.guests=install",
    "^xenhost.xen.guests=2",
    "xenhost.xen.memory_vm1=512",
    "profile=node",
    "xenhost.profile.node=xenhost",
    "other.xen.a=another node's",
    NULL,
};

/* The node's DB: keys under profile.node, the short name. */
static void test_namespace(void **state)
{
    char *path = write_db(state, "xenhost.DB2.db", NAMESPACED);
    static const char want[] = "a=1[site.h:3] b=two\nlines[] guests=vm1[] memory_vm1=512[]";
    expect_read(path, "xenhost.example.org", want);
    expect_read(path, "xenhost", want);
    expect_error(path, "other2",
                 "no value of xen.a for node other2 (is it this node's DB?)");
    free(path);
}

/* A profile without profile.node: keys without a namespace, whatever the
 * file is called. */
static void test_no_namespace(void **state)
{
    static const char *const kv[] = { "xen=x", "xen.x=1", "#xen.x=d:1", NULL };
    char *path = write_db(state, "a.db", kv);
    expect_read(path, "anything", "x=1[d:1]");
    free(path);
}

/* lcfg-core writes a value for every resource; one missing is read as it
 * reads it, empty. A name listed twice is one resource. */
static void test_missing_value(void **state)
{
    static const char *const kv[] = { "xen=a b b", "n.xen.a=1", NULL };
    char *path = write_db(state, "n.DB2.db", kv);
    expect_read(path, "n", "a=1[] b=[]");
    free(path);
}

static void test_errors(void **state)
{
    static const char *const nolist[] = { "profile=node", "n.profile.node=n", NULL };
    char *path = write_db(state, "1.db", nolist);
    expect_error(path, "n", "no xen component (is xen in profile.components?)");
    free(path);
    static const char *const empty[] = { "xen=", NULL };
    path = write_db(state, "2.db", empty);
    expect_error(path, "n", "no xen component (is xen in profile.components?)");
    free(path);
    static const char *const badname[] = { "xen=a 1b", "n.xen.a=1", "n.xen.1b=2", NULL };
    path = write_db(state, "3.db", badname);
    expect_error(path, "n", "its xen resource list names '1b', not a valid resource name");
    free(path);
    static const char *const nul[] = { "xen=a", "n.xen.a=x\\0y", NULL };
    path = write_db(state, "4.db", nul);
    expect_error(path, "n", "the value of n.xen.a contains a NUL byte");
    free(path);
    /* Not a DB: Berkeley DB's own reason is kept. */
    path = xasprintf("%s/text.db", (const char *)*state);
    FILE *f = fopen(path, "w");
    fputs("xen.a=1\n", f);
    fclose(f);
    struct resset *rs = resset_new();
    char *err = NULL;
    assert_int_equal(profiledb_read(path, "n", rs, &err), -1);
    char *want = xasprintf("profile DB %s: cannot open: not a Berkeley DB hash file (", path);
    if (strncmp(err, want, strlen(want)))
        fail_msg("'%s' does not start with '%s'", err, want);
    free(want);
    free(err);
    resset_free(rs);
    free(path);
    path = xasprintf("%s/missing.db", (const char *)*state);
    expect_error(path, "n", "cannot open: No such file or directory");
    free(path);
}

/* A DB that lcfg-core 1.54.7 wrote (lcfg-oracle db, from
 * tests/data/sources/profile.xml with the context install active; see
 * tests/data/sources/README). */
static void test_lcfg_core_db(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    char *err = NULL;
    if (profiledb_read(TEST_DATA "/sources/xenhost.DB2.db", "xenhost", rs, &err) < 0)
        fail_msg("%s", err);
    assert_string_equal(resset_get(rs, "virtualmachines"), "pe2900x1 testVMxen");
    assert_string_equal(resset_get(rs, "memory_testVMxen"), "512");
    assert_string_equal(resset_get(rs, "maxmem_testVMxen"), "1024");
    assert_string_equal(resset_find(rs, "memory_pe2900x1")->derivation, "source/pe2900:29");
    resset_free(rs);
}

/* ---------------------------------------------------------- sources_node */

static void touch(void **state, const char *name)
{
    char *path = xasprintf("%s/root/dbm/%s", (const char *)*state, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    free(path);
}

static void expect_node(void **state, const char *pattern, const char *host, const char *want)
{
    char *root = xasprintf("%s/root", (const char *)*state), *node = NULL, *err = NULL;
    if (sources_node(root, pattern, host, &node, &err) < 0)
        fail_msg("%s", err);
    if (want)
        assert_string_equal(node, want);
    else
        assert_null(node);
    free(node);
    free(root);
}

static void test_node(void **state)
{
    const char *pat = "/dbm/%s.DB2.db";
    char *dir = xasprintf("%s/root/dbm", (const char *)*state);
    /* No directory, then an empty one. */
    expect_node(state, pat, "h1.example.org", NULL);
    char *root = xasprintf("%s/root", (const char *)*state), *node = NULL, *err = NULL;
    assert_int_equal(mkdir(root, 0755), 0);
    assert_int_equal(mkdir(dir, 0755), 0);
    expect_node(state, pat, "h1.example.org", NULL);
    /* rdxprof's temporaries, other files, directories: not a node's. */
    touch(state, ".lcfg.abc123");
    touch(state, "x.DB2.db.old");
    touch(state, ".DB2.db");
    char *sub = xasprintf("%s/d.DB2.db", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    expect_node(state, pat, "h1.example.org", NULL);
    /* One node: its name, whatever the host's. */
    touch(state, "xenhost.DB2.db");
    expect_node(state, pat, "h1.example.org", "xenhost");
    /* Several: the host's, by its name, then its first label. */
    touch(state, "h1.DB2.db");
    expect_node(state, pat, "h1.example.org", "h1");
    touch(state, "h1.example.org.DB2.db");
    expect_node(state, pat, "h1.example.org", "h1.example.org");
    expect_node(state, pat, "h1", "h1");
    assert_int_equal(sources_node(root, pat, "h2.example.org", &node, &err), -1);
    assert_null(node);
    char *want = xasprintf("%s holds the files of several nodes (h1, h1.example.org, "
                           "xenhost), none of them this host (h2.example.org)", dir);
    assert_string_equal(err, want);
    free(want);
    free(err);
    /* A pattern without %s in the file name: the file is the host's. */
    expect_node(state, "/dbm/xenhost.DB2.db", "h2.example.org", "h2");
    expect_node(state, "/dbm/none.DB2.db", "h2.example.org", NULL);
    expect_node(state, "/%s/xenhost.DB2.db", "dbm.example.org", "dbm");
    free(root);
    free(sub);
    free(dir);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_tmpdir_setup, test_tmpdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_namespace),
        T(test_no_namespace),
        T(test_missing_value),
        T(test_errors),
        cmocka_unit_test(test_lcfg_core_db),
        T(test_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
