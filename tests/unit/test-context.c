/* test-context.c: LCFG contexts (src/context.c): the active-contexts file
 * and cfg:context expressions. Every expected priority in the expression
 * table is what lcfg-core 1.54.7 gives for it (lcfg-oracle db on a profile
 * with each expression and its negation as resource contexts, these
 * contexts active): the component must agree with LCFG itself. */
#include "testutil.h"

#include "context.h"
#include "util.h"

/* Line 1 a comment; install given again on line 6 with the same value
 * (keeps priority 2); env again on line 7 with another (takes 7). */
static const char ACTIVE[] = "# the contexts of the table\n"
                             "install=yes\n"
                             "maint=no\n"
                             "env=prod\n"
                             "  loc = home office  \n"
                             "install=yes\n"
                             "env=dev\n"
                             "empty=\n"
                             "flag=ON\n";

static struct ctxlist *active(void)
{
    struct ctxlist *l = NULL;
    char *err = NULL;
    assert_int_equal(ctx_parse(ACTIVE, "active", &l, &err), 0);
    assert_null(err);
    return l;
}

static void test_parse(void **state)
{
    (void)state;
    struct ctxlist *l = active();
    /* In priority order; a context without a value has none. */
    static const struct { const char *name, *value; int prio; } want[] = {
        { "install", "yes", 2 }, { "maint", "no", 3 }, { "loc", "home office", 5 },
        { "env", "dev", 7 },     { "empty", NULL, 8 }, { "flag", "ON", 9 },
    };
    assert_int_equal(ctx_count(l), ARRAY_SIZE(want));
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        const char *name, *value;
        int prio;
        ctx_at(l, i, &name, &value, &prio);
        assert_string_equal(name, want[i].name);
        if (want[i].value)
            assert_string_equal(value, want[i].value);
        else
            assert_null(value);
        assert_int_equal(prio, want[i].prio);
    }
    ctx_free(l);
    /* Nothing at all. */
    assert_int_equal(ctx_parse("", "x", &l, NULL), 0);
    assert_int_equal(ctx_count(l), 0);
    ctx_free(l);
    assert_int_equal(ctx_count(NULL), 0);
}

static void expect_parse_error(const char *text, const char *want)
{
    struct ctxlist *l = NULL;
    char *err = NULL;
    assert_int_equal(ctx_parse(text, "ctx", &l, &err), -1);
    assert_null(l);
    assert_string_equal(err, want);
    free(err);
}

static void test_parse_errors(void **state)
{
    (void)state;
    expect_parse_error("a=1\n\nnoequals\n", "contexts ctx:3: 'noequals' is not NAME=VALUE");
    expect_parse_error("=1\n", "contexts ctx:1: '' is not a valid context name");
    expect_parse_error("1a=1\n", "contexts ctx:1: '1a' is not a valid context name");
    expect_parse_error("a b=1\n", "contexts ctx:1: 'a b' is not a valid context name");
}

static void test_load(void **state)
{
    char *path = xasprintf("%s/.active", (const char *)*state);
    struct ctxlist *l = NULL;
    char *err = NULL;
    /* A missing file is no context. */
    assert_int_equal(ctx_load(path, &l, &err), 0);
    assert_int_equal(ctx_count(l), 0);
    ctx_free(l);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(ACTIVE, f);
    fclose(f);
    assert_int_equal(ctx_load(path, &l, &err), 0);
    assert_int_equal(ctx_count(l), 6);
    ctx_free(l);
    f = fopen(path, "w");
    fputs("a=1\nb\n", f);
    fclose(f);
    assert_int_equal(ctx_load(path, &l, &err), -1);
    char *want = xasprintf("contexts %s:2: 'b' is not NAME=VALUE", path);
    assert_string_equal(err, want);
    free(want);
    free(err);
    free(path);
}

static const struct {
    const char *expr;
    int prio;
} table[] = {
    { "install", 2 },
    { "!install", -2 },
    { "maint", -3 },
    { "!maint", 3 },
    { "nosuch", -1 },
    { "!nosuch", 1 },
    { "env=dev", 7 },
    { "env=prod", -7 },
    { "env!=prod", 7 },
    { "env = 'dev'", 7 },
    { "env=\"dev\"", 7 },
    { "loc='home office'", 5 },
    { "loc=\"home office\"", 5 },
    { "loc=home", -5 },
    { "empty=''", 8 },
    { "empty", -8 },
    { "!empty", 8 },
    { "nosuch=''", 1 },
    { "nosuch!=x", 1 },
    { "install=yes", 2 },
    { "install=no", -2 },
    { "install!=yes", -2 },
    { "install=TRUE", 2 },
    { "maint=off", 3 },
    { "maint!=off", -3 },
    { "flag", 9 },
    { "flag=on", 9 },
    { "flag=1", -9 },
    { "install | maint", 2 },
    { "maint | install", 2 },
    { "maint | nosuch", -3 },
    { "install & env=dev", 7 },
    { "install & maint", -3 },
    { "maint & nosuch", -3 },
    { "install ^ env=dev", -7 },
    { "install ^ maint", 2 },
    { "maint ^ nosuch", -3 },
    { "!(install & maint)", 3 },
    { "!(maint | nosuch)", 3 },
    { "install | maint & nosuch", -1 },
    { "nosuch & maint | install", 2 },
    { "(install | maint) & env=dev", 7 },
    { "install & (maint | env=dev)", 7 },
    { "!(!(install))", 2 },
    { "x123", -1 },
    /* Not from the oracle table: no expression, and blanks only. */
    { "", 0 },
    { " \t", 0 },
};

static void test_eval_as_lcfg_core(void **state)
{
    (void)state;
    struct ctxlist *l = active();
    for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
        int prio = 12345;
        char *err = NULL;
        if (ctx_eval(l, table[i].expr, &prio, &err) < 0)
            fail_msg("'%s': %s", table[i].expr, err);
        if (prio != table[i].prio)
            fail_msg("'%s': priority %d, lcfg-core gives %d", table[i].expr, prio, table[i].prio);
    }
    ctx_free(l);
}

static void test_eval_no_contexts(void **state)
{
    (void)state;
    int prio;
    /* Without contexts (NULL: none active) a context is false at 1. */
    assert_int_equal(ctx_eval(NULL, "install", &prio, NULL), 0);
    assert_int_equal(prio, -1);
    assert_int_equal(ctx_eval(NULL, "!install", &prio, NULL), 0);
    assert_int_equal(prio, 1);
    /* Boolean words are not names: "yesterday" is. */
    assert_int_equal(ctx_eval(NULL, "yesterday", &prio, NULL), 0);
    assert_int_equal(prio, -1);
}

static void expect_eval_error(const char *expr, const char *want)
{
    int prio = 7;
    char *err = NULL;
    assert_int_equal(ctx_eval(NULL, expr, &prio, &err), -1);
    assert_int_equal(prio, 7);
    assert_string_equal(err, want);
    free(err);
}

static void test_eval_errors(void **state)
{
    (void)state;
    /* lcfg-core refuses each of these (its message is less precise). */
    expect_eval_error("a &", "context 'a &': syntax error");
    expect_eval_error("(a", "context '(a': syntax error");
    expect_eval_error("a b", "context 'a b': syntax error");
    expect_eval_error("a = ", "context 'a = ': syntax error");
    expect_eval_error("!", "context '!': syntax error");
    expect_eval_error("a == b", "context 'a == b': syntax error");
    expect_eval_error("yes", "context 'yes': syntax error");
    expect_eval_error("_x=1", "context '_x=1': syntax error");
    expect_eval_error(")", "context ')': syntax error");
    expect_eval_error("a=(b)", "context 'a=(b)': syntax error");
    expect_eval_error("a = \"x", "context 'a = \"x': unterminated double-quoted string");
    expect_eval_error("a = 'x\ny'", "context 'a = 'x\ny'': unterminated single-quoted string");
    expect_eval_error("a ~ b", "context 'a ~ b': invalid character '~'");
}

static void test_quotes_doubled(void **state)
{
    (void)state;
    struct ctxlist *l = NULL;
    assert_int_equal(ctx_parse("q=it's \"x\"\n", "c", &l, NULL), 0);
    int prio;
    assert_int_equal(ctx_eval(l, "q='it''s \"x\"'", &prio, NULL), 0);
    assert_int_equal(prio, 1);
    assert_int_equal(ctx_eval(l, "q=\"it's \"\"x\"\"\"", &prio, NULL), 0);
    assert_int_equal(prio, 1);
    ctx_free(l);
}

static void test_combine(void **state)
{
    (void)state;
    static const struct { const char *a, *b, *want; } t[] = {
        { NULL, NULL, "" },
        { "", "b", "b" },
        { "a", NULL, "a" },
        { "a", "a", "a" },
        /* Bracketed and put in lcfg-core's order (see ctx_combine). */
        { "a", "b", "(a) & (b)" },
        { "b", "a", "(a) & (b)" },
        { "a", "c", "(c) & (a)" },
        { "(x | y)", "z", "(z) & (x | y)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
        char *c = ctx_combine(t[i].a, t[i].b);
        assert_string_equal(c, t[i].want);
        free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test_setup_teardown(test_load, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test(test_eval_as_lcfg_core),
        cmocka_unit_test(test_eval_no_contexts),
        cmocka_unit_test(test_eval_errors),
        cmocka_unit_test(test_quotes_doubled),
        cmocka_unit_test(test_combine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
