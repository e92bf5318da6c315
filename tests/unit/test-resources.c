/* test-resources.c: the insertion-ordered resource set (src/resources.c). */
#include "testutil.h"

#include "arena.h"
#include "resources.h"
#include "util.h"

static void test_empty(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    assert_int_equal(resset_count(rs), 0);
    assert_null(resset_get(rs, "a"));
    assert_null(resset_find(rs, "a"));
    assert_null(resset_get(rs, ""));
    resset_free(rs);
    resset_free(NULL); /* harmless */
}

static void test_set_get(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    assert_false(resset_set(rs, "name", "vm1", "xen-1.def:10"));
    assert_false(resset_set(rs, "memory", "512", NULL));
    assert_false(resset_set(rs, "empty", "", ""));
    assert_int_equal(resset_count(rs), 3);

    assert_string_equal(resset_get(rs, "name"), "vm1");
    assert_string_equal(resset_get(rs, "memory"), "512");
    assert_string_equal(resset_get(rs, "empty"), "");
    assert_null(resset_get(rs, "nam"));
    assert_null(resset_get(rs, "names"));
    assert_null(resset_get(rs, "Name"));

    const struct resource *r = resset_find(rs, "name");
    assert_non_null(r);
    assert_string_equal(r->name, "name");
    assert_string_equal(r->value, "vm1");
    assert_string_equal(r->derivation, "xen-1.def:10");
    resset_free(rs);
}

static void test_derivation_null(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    resset_set(rs, "a", "1", NULL);
    const struct resource *r = resset_find(rs, "a");
    assert_non_null(r);
    assert_non_null(r->derivation);
    assert_string_equal(r->derivation, "");
    /* Replacing with a derivation, then back to NULL. */
    assert_true(resset_set(rs, "a", "2", "here:1"));
    assert_string_equal(resset_find(rs, "a")->derivation, "here:1");
    assert_true(resset_set(rs, "a", "3", NULL));
    assert_string_equal(resset_find(rs, "a")->derivation, "");
    assert_string_equal(resset_get(rs, "a"), "3");
    resset_free(rs);
}

static void test_replace_keeps_order(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    assert_false(resset_set(rs, "c", "1", NULL));
    assert_false(resset_set(rs, "a", "2", NULL));
    assert_false(resset_set(rs, "b", "3", NULL));
    assert_true(resset_set(rs, "a", "two", "d:2"));
    assert_true(resset_set(rs, "c", "one", NULL));
    assert_int_equal(resset_count(rs), 3);

    static const char *const names[] = { "c", "a", "b" };
    static const char *const values[] = { "one", "two", "3" };
    static const char *const derivs[] = { "", "d:2", "" };
    for (size_t i = 0; i < 3; i++) {
        const struct resource *r = resset_at(rs, i);
        assert_string_equal(r->name, names[i]);
        assert_string_equal(r->value, values[i]);
        assert_string_equal(r->derivation, derivs[i]);
    }
    resset_free(rs);
}

static void test_copies_arguments(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    char name[] = "res";
    char value[] = "value";
    char deriv[] = "file:1";
    resset_set(rs, name, value, deriv);
    name[0] = 'X';
    value[0] = 'X';
    deriv[0] = 'X';
    assert_null(resset_get(rs, "Xes"));
    const struct resource *r = resset_find(rs, "res");
    assert_non_null(r);
    assert_string_equal(r->value, "value");
    assert_string_equal(r->derivation, "file:1");
    resset_free(rs);
}

static void test_many(void **state)
{
    (void)state;
    enum { N = 10000 };
    struct resset *rs = resset_new();
    char name[32], value[32];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "res_%d", i);
        snprintf(value, sizeof(value), "v%d", i * 7);
        assert_false(resset_set(rs, name, value, i % 2 ? "odd" : NULL));
    }
    assert_int_equal(resset_count(rs), N);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "res_%d", i);
        snprintf(value, sizeof(value), "v%d", i * 7);
        const struct resource *r = resset_find(rs, name);
        assert_non_null(r);
        assert_string_equal(r->name, name);
        assert_string_equal(r->value, value);
        assert_string_equal(r->derivation, i % 2 ? "odd" : "");
        /* Insertion order survives every rehash. */
        const struct resource *a = resset_at(rs, (size_t)i);
        assert_string_equal(a->name, name);
    }
    assert_null(resset_get(rs, "res_10000"));
    assert_null(resset_get(rs, "res_"));
    assert_null(resset_get(rs, "res_-1"));

    /* Replacing after the growth still finds the existing entry. */
    for (int i = 0; i < N; i += 97) {
        snprintf(name, sizeof(name), "res_%d", i);
        assert_true(resset_set(rs, name, "new", "r"));
    }
    assert_int_equal(resset_count(rs), N);
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof(name), "res_%d", i);
        snprintf(value, sizeof(value), "v%d", i * 7);
        assert_string_equal(resset_get(rs, name), i % 97 == 0 ? "new" : value);
    }
    resset_free(rs);
}

/* Values handed out stay valid, with their old content, when the
 * resource is replaced (the model keeps pointers to values). */
static void test_replaced_values_stay_valid(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    resset_set(rs, "a", "one", "d1");
    const char *old = resset_get(rs, "a");
    assert_true(resset_set(rs, "a", "two", NULL));
    assert_string_equal(old, "one");
    assert_string_equal(resset_get(rs, "a"), "two");
    assert_string_equal(resset_find(rs, "a")->derivation, "");
    /* The same value again: nothing new is stored. */
    const char *two = resset_get(rs, "a");
    assert_true(resset_set(rs, "a", "two", NULL));
    assert_ptr_equal(resset_get(rs, "a"), two);
    /* A value larger than a storage chunk. */
    size_t big = 200000;
    char *v = xmalloc(big + 1);
    memset(v, 'v', big);
    v[big] = '\0';
    resset_set(rs, "big", v, NULL);
    assert_string_equal(resset_get(rs, "big"), v);
    assert_string_equal(old, "one");
    free(v);
    resset_free(rs);
}

static void test_str_join(void **state)
{
    (void)state;
    char *s = str_join("memory", '_', "web1");
    assert_string_equal(s, "memory_web1");
    free(s);
    s = str_join("", '/', "");
    assert_string_equal(s, "/");
    free(s);
}

static void test_reserve_keeps_what_is_there(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    char name[32];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof(name), "r%d", i);
        assert_false(resset_set(rs, name, name + 1, NULL));
    }
    resset_reserve(rs, 5000);
    resset_reserve(rs, 10); /* never shrinks */
    for (int i = 100; i < 5000; i++) {
        snprintf(name, sizeof(name), "r%d", i);
        assert_false(resset_set(rs, name, name + 1, NULL));
    }
    assert_int_equal(resset_count(rs), 5000);
    for (int i = 0; i < 5000; i += 7) {
        snprintf(name, sizeof(name), "r%d", i);
        assert_string_equal(resset_get(rs, name), name + 1);
        assert_int_equal(resset_index(rs, name), i);
    }
    assert_int_equal(resset_index(rs, "r5000"), -1);
    assert_true(resset_set(rs, "r42", "x", NULL));
    assert_string_equal(resset_get(rs, "r42"), "x");
    resset_free(rs);
}

static void test_arena_strings_stay_put(void **state)
{
    (void)state;
    struct arena a = ARENA_INIT;
    char *first = arena_strdup(&a, "first");
    assert_string_equal(arena_cat(&a, "/dev/", "vg", "/", "lv", NULL), "/dev/vg/lv");
    assert_string_equal(arena_cat(&a, "", NULL), "");
    assert_string_equal(arena_strndup(&a, "abcdef", 3), "abc");
    /* One larger than a chunk, and many small ones after it. */
    char *big = malloc(200000);
    memset(big, 'x', 199999);
    big[199999] = '\0';
    char *copy = arena_strdup(&a, big);
    char *many[5000];
    for (int i = 0; i < 5000; i++)
        many[i] = arena_cat(&a, "k", i % 2 ? "odd" : "even", NULL);
    assert_string_equal(copy, big);
    assert_string_equal(first, "first");
    for (int i = 0; i < 5000; i++)
        assert_string_equal(many[i], i % 2 ? "kodd" : "keven");
    free(big);
    arena_free(&a);
    assert_null(a.head);
}

/* lcfg-core's merge of a resource into a component: the higher priority
 * wins, the same value again is taken (with its derivation), the same
 * priority with another value is a conflict that changes nothing. */
static void test_merge(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    assert_int_equal(resset_merge(rs, "a", "plain", "f:1", 0), RS_ADDED);
    assert_int_equal(resset_priority(rs, 0), 0);
    /* Higher: replaces. */
    assert_int_equal(resset_merge(rs, "a", "ctx", "f:2", 2), RS_REPLACED);
    assert_string_equal(resset_get(rs, "a"), "ctx");
    assert_string_equal(resset_find(rs, "a")->derivation, "f:2");
    assert_int_equal(resset_priority(rs, 0), 2);
    /* Lower: kept. */
    assert_int_equal(resset_merge(rs, "a", "low", "f:3", 1), RS_KEPT);
    assert_int_equal(resset_merge(rs, "a", "plain2", NULL, 0), RS_KEPT);
    assert_string_equal(resset_get(rs, "a"), "ctx");
    /* Same priority, same value: squashed, the later derivation. */
    assert_int_equal(resset_merge(rs, "a", "ctx", "f:4", 2), RS_REPLACED);
    assert_string_equal(resset_find(rs, "a")->derivation, "f:4");
    /* Same priority, another value: a conflict, nothing changed. */
    assert_int_equal(resset_merge(rs, "a", "other", "f:5", 2), RS_CONFLICT);
    assert_string_equal(resset_get(rs, "a"), "ctx");
    assert_string_equal(resset_find(rs, "a")->derivation, "f:4");
    /* Priorities survive growth (the set starts with room for 64). */
    for (int i = 0; i < 200; i++) {
        char name[16];
        snprintf(name, sizeof(name), "r%d", i);
        assert_int_equal(resset_merge(rs, name, "v", NULL, i % 3), RS_ADDED);
    }
    assert_int_equal(resset_priority(rs, 0), 2);
    for (int i = 0; i < 200; i++)
        assert_int_equal(resset_priority(rs, (size_t)i + 1), i % 3);
    /* resset_set leaves priorities alone. */
    assert_true(resset_set(rs, "a", "set", NULL));
    assert_int_equal(resset_priority(rs, 0), 2);
    resset_free(rs);
}

/* Priorities cost nothing until one is not 0. */
static void test_merge_priority_zero(void **state)
{
    (void)state;
    struct resset *rs = resset_new();
    resset_set(rs, "a", "1", NULL);
    assert_int_equal(resset_merge(rs, "b", "2", NULL, 0), RS_ADDED);
    assert_int_equal(resset_merge(rs, "a", "1", NULL, 0), RS_REPLACED);
    assert_int_equal(resset_merge(rs, "a", "3", NULL, 0), RS_CONFLICT);
    assert_int_equal(resset_priority(rs, 0), 0);
    assert_int_equal(resset_priority(rs, 1), 0);
    resset_reserve(rs, 1000);
    assert_int_equal(resset_merge(rs, "c", "x", NULL, 5), RS_ADDED);
    assert_int_equal(resset_priority(rs, 2), 5);
    assert_int_equal(resset_priority(rs, 0), 0);
    resset_free(rs);
}

static void test_swap(void **state)
{
    (void)state;
    struct resset *a = resset_new(), *b = resset_new();
    resset_merge(a, "x", "1", NULL, 3);
    resset_set(b, "y", "2", NULL);
    resset_set(b, "z", "3", NULL);
    resset_swap(a, b);
    assert_int_equal(resset_count(a), 2);
    assert_string_equal(resset_get(a, "z"), "3");
    assert_null(resset_get(a, "x"));
    assert_int_equal(resset_count(b), 1);
    assert_string_equal(resset_get(b, "x"), "1");
    assert_int_equal(resset_priority(b, 0), 3);
    resset_free(a);
    resset_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_arena_strings_stay_put),
        cmocka_unit_test(test_reserve_keeps_what_is_there),
        cmocka_unit_test(test_set_get),
        cmocka_unit_test(test_derivation_null),
        cmocka_unit_test(test_replace_keeps_order),
        cmocka_unit_test(test_copies_arguments),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_replaced_values_stay_valid),
        cmocka_unit_test(test_str_join),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_priority_zero),
        cmocka_unit_test(test_swap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
