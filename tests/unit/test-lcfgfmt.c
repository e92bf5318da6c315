/* test-lcfgfmt.c: lcfg-core's text forms (src/lcfgfmt.c). Each expected
 * result is what lcfg-core 1.54.7 gives (checked with lcfg-oracle
 * readstatus, or read off the lcfg-core function named). */
#include "testutil.h"

#include "lcfgfmt.h"
#include "util.h"

static void test_names(void **state)
{
    (void)state;
    assert_true(lcfg_valid_name("a"));
    assert_true(lcfg_valid_name("memory_Db_2"));
    assert_false(lcfg_valid_name(""));
    assert_false(lcfg_valid_name("_a"));
    assert_false(lcfg_valid_name("1a"));
    assert_false(lcfg_valid_name("a-b"));
    assert_false(lcfg_valid_name("caf\xc3\xa9"));
}

static void test_encode(void **state)
{
    (void)state;
    char out[64];
    char *end = lcfg_encode_value(out, "a&b\nc\rd<\xc3\xa9>\t");
    *end = '\0';
    assert_string_equal(out, "a&#x26;b&#xA;c&#xD;d<\xc3\xa9>\t");
    char *back = lcfg_decode_value(out);
    assert_string_equal(back, "a&b\nc\rd<\xc3\xa9>\t");
    free(back);
}

static void test_valid_values(void **state)
{
    (void)state;
    assert_true(lcfg_valid_integer("0"));
    assert_true(lcfg_valid_integer("-0"));
    assert_true(lcfg_valid_integer("-12"));
    assert_true(lcfg_valid_integer("99999999999999999999"));
    assert_false(lcfg_valid_integer(""));
    assert_false(lcfg_valid_integer("-"));
    assert_false(lcfg_valid_integer("01"));
    assert_false(lcfg_valid_integer("+1"));
    assert_false(lcfg_valid_integer(" 1"));
    assert_true(lcfg_valid_boolean(""));
    assert_true(lcfg_valid_boolean("yes"));
    assert_false(lcfg_valid_boolean("true"));
    assert_false(lcfg_valid_boolean("Yes"));
    assert_true(lcfg_valid_list(""));
    assert_true(lcfg_valid_list(" a  B_1 "));
    assert_false(lcfg_valid_list("a\tb"));
    assert_false(lcfg_valid_list("a-b"));
    assert_true(lcfg_valid_value(LCFG_TYPE_STRING, "any\nthing"));
    assert_true(lcfg_valid_value(LCFG_TYPE_PUBLISH, "x"));
}

static void assert_type(const char *decl, const char *want)
{
    char *why = NULL;
    char *got = lcfg_type_canon(decl, &why);
    if (!got)
        fail_msg("'%s': %s", decl, why);
    assert_string_equal(got, want);
    free(got);
}

static void assert_bad_type(const char *decl, const char *want)
{
    char *why = NULL;
    assert_null(lcfg_type_canon(decl, &why));
    assert_string_equal(why, want);
    free(why);
}

static void test_types(void **state)
{
    (void)state;
    assert_type("", "");
    assert_type("  ", "");
    assert_type("string", "");
    assert_type("%string", "");
    assert_type("string(a note)", "string(a note)");
    assert_type("integer", "integer");
    assert_type("%integer", "integer");
    assert_type(" integers", "integer");
    assert_type("integer()", "integer");
    assert_type("integer(MB", "integer");
    assert_type("boolean(on or off)x", "boolean(on or off)");
    assert_type("list", "list: ");
    assert_type("list:a_$", "list: ");
    assert_type("list: a_$  b_$_$\tc9_x_$", "list: a_$ b_$_$ c9_x_$");
    assert_type("list(tags): a_$", "list(tags): a_$");
    /* Templates come after the comment's ')': none here. */
    assert_type("list: a_$ (c)", "list(c): ");
    assert_type("publish", "publish");
    assert_type("subscribe(x)", "subscribe(x)");
    assert_bad_type("%", "invalid resource type ''");
    assert_bad_type("bool", "invalid resource type 'bool'");
    assert_bad_type("Integer", "invalid resource type 'Integer'");
    assert_bad_type("list: a", "bad resource template 'a'");
    assert_bad_type("list: a$", "bad resource template 'a$'");
    assert_bad_type("list: _a_$", "bad resource template '_a_$'");
    assert_bad_type("list: a_$$$$$$", "bad resource template 'a_$$$$$$'");
    assert_int_equal(lcfg_type_kind(""), LCFG_TYPE_STRING);
    assert_int_equal(lcfg_type_kind("string(x)"), LCFG_TYPE_STRING);
    assert_int_equal(lcfg_type_kind("integer(x)"), LCFG_TYPE_INTEGER);
    assert_int_equal(lcfg_type_kind("boolean"), LCFG_TYPE_BOOLEAN);
    assert_int_equal(lcfg_type_kind("list: a_$"), LCFG_TYPE_LIST);
    assert_int_equal(lcfg_type_kind("subscribe"), LCFG_TYPE_SUBSCRIBE);
}

static void assert_deriv(const char *d, const char *want)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, ">");
    bool ok = lcfg_deriv_canon(d, &b);
    if (!want) {
        assert_false(ok);
        assert_string_equal(buf_str(&b), ">");
    } else {
        if (!ok)
            fail_msg("'%s' refused", d);
        assert_string_equal(buf_str(&b) + 1, want);
    }
    buf_free(&b);
}

static void test_derivations(void **state)
{
    (void)state;
    assert_deriv("source/pe2900:21", "source/pe2900:21");
    assert_deriv("/var/lcfg/conf/server/defaults/xen-1.def:19", "/var/lcfg/conf/server/defaults/xen-1.def:19");
    assert_deriv("a.h", "a.h");
    assert_deriv("a.h:", "a.h");
    assert_deriv("a.h:,,", "a.h");
    assert_deriv(" a.h:9,3\tb.h:1\n a.h:3,,2 ", "a.h:2,3,9 b.h:1");
    /* strtoul(..., 0) into an unsigned int, as lcfg-core reads them. */
    assert_deriv("a.h:010,0x10,+3,-1", "a.h:3,8,16,4294967295");
    assert_deriv("a.h:4294967297", "a.h:1");
    assert_deriv("a:b:3", "a:b:3");
    assert_deriv("a:b:", "a:b");
    assert_deriv("a.h:x", NULL);
    assert_deriv("a.h:3x", NULL);
    assert_deriv(":3", NULL);
    assert_deriv("", NULL);
    assert_deriv(" \t", NULL);
    assert_deriv("a.h:1 :2", NULL);
}

static void assert_write(const char *d, const char *want)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, ">");
    bool ok = lcfg_deriv_write(d, &b);
    assert_int_equal(ok, want != NULL);
    assert_string_equal(buf_str(&b) + 1, want ? want : "");
    buf_free(&b);
}

/* What lcfg-core would write but could not read back as it was is left
 * out. */
static void test_derivations_written(void **state)
{
    (void)state;
    assert_write("a.h:9,3 b.h", "a.h:3,9 b.h");
    assert_write("s/p:21", "s/p:21");
    assert_write("a:b:3", "a:b:3");
    assert_write("a:b:", NULL);   /* "a:b" would read as file a, line b */
    assert_write("a::", NULL);    /* "a:" would read as file a */
    assert_write("a:5: a:5", NULL); /* "a:5 a:5" would read as "a:5" */
    assert_write("a.h:x", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_valid_values),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_derivations),
        cmocka_unit_test(test_derivations_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
