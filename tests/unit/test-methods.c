/* test-methods.c: the method table's argument checks (src/methods.c):
 * what each method takes, the exact refusals, usage lines. */
#include "testutil.h"

#include "methods.h"
#include "util.h"

/* Check argv (NULL-terminated, the method's name first) against the
 * method called name. Returns method_args's result; *err as it says. */
static int check(const char *name, char **argv, struct margs *a, char **err)
{
    const struct method *m = method_find(name);
    assert_non_null(m);
    int argc = 0;
    while (argv[argc])
        argc++;
    return method_args(m, argc, argv, a, err);
}

static void test_usage_comes_from_the_table(void **state)
{
    (void)state;
    static const char *const want[][2] = {
        { "configure", "configure" },          { "restart", "restart" },
        { "suspend", "suspend" },              { "resume", "resume" },
        { "boot", "boot NAME|@GROUP..." },     { "destroy", "destroy [--force] NAME|@GROUP..." },
        { "status", "status [--json] [NAME|@GROUP...]" }, { "isstarted", "isstarted [-q]" },
        { "unlease", "unlease NAME..." },
        { "logrotate", "logrotate" },
        { "migrate", "migrate [--cold] NAME HOST" }, { "evacuate", "evacuate [HOST...]" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        char *u = method_usage(method_find(want[i][0]));
        assert_string_equal(u, want[i][1]);
        free(u);
    }
    assert_null(method_find("Configure")); /* exact names, as LCFG calls them */
    assert_null(method_find("conf"));
}

static void test_options_anywhere_and_names(void **state)
{
    (void)state;
    struct margs a;
    char *err = NULL;
    char *v1[] = { "destroy", "g1", "--force", "g2", NULL };
    assert_int_equal(check("destroy", v1, &a, &err), 0);
    assert_true(margs_has(&a, "--force"));
    assert_int_equal(a.nnames, 2);
    assert_string_equal(a.names[0], "g1");
    assert_string_equal(a.names[1], "g2");
    margs_free(&a);
    char *v2[] = { "destroy", "g1", NULL };
    assert_int_equal(check("destroy", v2, &a, &err), 0);
    assert_false(margs_has(&a, "--force"));
    assert_false(margs_has(&a, "-q")); /* not one of its options */
    margs_free(&a);
    char *v3[] = { "isstarted", "-q", NULL };
    assert_int_equal(check("isstarted", v3, &a, &err), 0);
    assert_true(margs_has(&a, "-q"));
    assert_int_equal(a.nnames, 0);
    margs_free(&a);
    /* evacuate: hosts, or none. */
    char *v5[] = { "evacuate", "hostb", "hostc", NULL };
    assert_int_equal(check("evacuate", v5, &a, &err), 0);
    assert_int_equal(a.nnames, 2);
    assert_string_equal(a.names[1], "hostc");
    margs_free(&a);
    char *v6[] = { "evacuate", NULL };
    assert_int_equal(check("evacuate", v6, &a, &err), 0);
    assert_int_equal(a.nnames, 0);
    margs_free(&a);
    char *v7[] = { "migrate", "g1", "hostb", "--cold", NULL };
    assert_int_equal(check("migrate", v7, &a, &err), 0);
    assert_true(margs_has(&a, "--cold"));
    assert_int_equal(a.nnames, 2);
    margs_free(&a);
    char *v4[] = { "configure", NULL };
    assert_int_equal(check("configure", v4, &a, &err), 0);
    assert_int_equal(a.opts, 0);
    margs_free(&a);
    assert_null(err);
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *argv[4];
        const char *err;
    } cases[] = {
        { { "configure", "extra" }, "configure: unknown argument 'extra' (usage: configure)" },
        { { "restart", "-q" }, "restart: unknown argument '-q' (usage: restart)" },
        { { "suspend", "g1" }, "suspend: unknown argument 'g1' (usage: suspend)" },
        { { "isstarted", "-x" }, "isstarted: unknown argument '-x' (usage: isstarted [-q])" },
        { { "isstarted", "-q", "g1" }, "isstarted: unknown argument 'g1' (usage: isstarted [-q])" },
        { { "status", "--jsonx" },
          "status: unknown argument '--jsonx' (usage: status [--json] [NAME|@GROUP...])" },
        { { "boot" }, "boot: name at least one guest (usage: boot NAME|@GROUP...)" },
        { { "evacuate", "--cold" }, "evacuate: unknown argument '--cold' (usage: evacuate [HOST...])" },
        { { "migrate", "--live" },
          "migrate: unknown argument '--live' (usage: migrate [--cold] NAME HOST)" },
        { { "boot", "g1", "--force" }, "boot: unknown argument '--force' (usage: boot NAME|@GROUP...)" },
        { { "destroy", "--force" },
          "destroy: name at least one guest (usage: destroy [--force] NAME|@GROUP...)" },
        { { "destroy", "-", "g1" }, "destroy: unknown argument '-' (usage: destroy [--force] NAME|@GROUP...)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct margs a;
        char *err = NULL;
        assert_int_equal(check(cases[i].argv[0], (char **)cases[i].argv, &a, &err), -1);
        assert_string_equal(err, cases[i].err);
        assert_null(a.names); /* freed on refusal */
        free(err);
    }
}

/* Every method of the table: no options but its own, names only where
 * taken, and the flags that dispatch relies on. */
static void test_table_is_consistent(void **state)
{
    (void)state;
    size_t n = 0;
    for (const struct method *m = methods; m->name; m++, n++) {
        assert_non_null(m->fn);
        assert_non_null(m->desc);
        for (size_t i = 0; m->opts[i]; i++)
            assert_int_equal(m->opts[i][0], '-');
        /* Read-only methods never wait for the lock, nor stop when
         * suspended. */
        if (!(m->flags & M_MODIFIES))
            assert_false(m->flags & M_SUSPENDS);
    }
    assert_int_equal(n, 17);
    assert_true(method_find("stop")->flags & M_MODIFIES);
    assert_false(method_find("stop")->flags & M_SUSPENDS);
    assert_false(method_find("resume")->flags & M_SUSPENDS);
    assert_true(method_find("run")->flags & M_SUSPENDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_comes_from_the_table),
        cmocka_unit_test(test_options_anywhere_and_names),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_table_is_consistent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
