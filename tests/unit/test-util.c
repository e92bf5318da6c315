/* test-util.c: the digest and number text (src/util.c). */
#include "testutil.h"

#include "util.h"

/* ---- hash64 ---- */

/* Pinned: a change of the function is fine (its values are only cached),
 * but should be deliberate. */
static void test_hash64_values(void **state)
{
    (void)state;
    assert_true(hash64(HASH64_INIT, "", 0) == 0xc3a8b3725dd1ffa2ULL);
    assert_true(hash64(HASH64_INIT, "a", 1) == 0x870b93af13395771ULL);
    assert_true(hash64(HASH64_INIT, "memory_testVMxen", 16) == 0x04554718fdd70f31ULL);
    assert_true(hash64(HASH64_INIT, "The quick brown fox jumps over the lazy dog", 43) ==
                0x00d123eea0d059cfULL);
}

/* Every length from 0 to 40, and every byte of each: changing one byte, or
 * the length, changes the digest. */
static void test_hash64_every_byte_counts(void **state)
{
    (void)state;
    unsigned char buf[48];
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 37 + 11);
    unsigned long long seen[41];
    for (size_t n = 0; n <= 40; n++) {
        unsigned long long h = hash64(HASH64_INIT, buf, n);
        for (size_t m = 0; m < n; m++)
            assert_true(seen[m] != h);
        seen[n] = h;
        for (size_t i = 0; i < n; i++)
            for (unsigned bit = 0; bit < 8; bit++) {
                buf[i] ^= (unsigned char)(1u << bit);
                assert_true(hash64(HASH64_INIT, buf, n) != h);
                buf[i] ^= (unsigned char)(1u << bit);
            }
        assert_true(hash64(HASH64_INIT, buf, n) == h);
    }
}

/* Zero bytes count too (the short tails are padded). */
static void test_hash64_zeros(void **state)
{
    (void)state;
    static const unsigned char z[16];
    for (size_t n = 1; n <= 16; n++)
        assert_true(hash64(HASH64_INIT, z, n) != hash64(HASH64_INIT, z, n - 1));
}

/* Where the bytes lie does not matter. */
static void test_hash64_alignment(void **state)
{
    (void)state;
    const char *s = "a string long enough to cross several words of memory";
    size_t n = strlen(s);
    unsigned long long h = hash64(HASH64_INIT, s, n);
    char buf[80];
    for (size_t off = 1; off < 8; off++) {
        memcpy(buf + off, s, n);
        assert_true(hash64(HASH64_INIT, buf + off, n) == h);
    }
}

/* The start value counts, and pieces chain: the same pieces give the same
 * value, a different split another. */
static void test_hash64_chain(void **state)
{
    (void)state;
    assert_true(hash64(1, "abc", 3) != hash64(2, "abc", 3));
    unsigned long long a = hash64(hash64(HASH64_INIT, "=", 1), "1024", 5);
    unsigned long long b = hash64(hash64(HASH64_INIT, "=", 1), "1024", 5);
    assert_true(a == b);
    assert_true(a != hash64(hash64(HASH64_INIT, "=1", 2), "024", 4));
    assert_true(a != hash64(hash64(HASH64_INIT, "-", 1), "1024", 5));
}

/* ---- u64_text ---- */

static void test_u64_text(void **state)
{
    (void)state;
    static const unsigned long long v[] = { 0, 1, 9, 10, 99, 100, 1024, 4294967295ULL,
                                            4294967296ULL, 18446744073709551615ULL };
    for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
        char want[32], got[U64_TEXT_MAX];
        snprintf(want, sizeof(want), "%llu", v[i]);
        assert_int_equal(u64_text(got, v[i]), strlen(want));
        assert_string_equal(got, want);
    }
}

/* A tag list's words: whole words only, any of its separators. */
static void test_str_has_word(void **state)
{
    (void)state;
    assert_true(str_has_word("web1 db2", "db2"));
    assert_true(str_has_word(" web1\tdb2\n", "web1"));
    assert_false(str_has_word("web1 db2", "db"));
    assert_false(str_has_word("web10", "web1"));
    assert_false(str_has_word("", "web1"));
    assert_false(str_has_word(NULL, "web1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash64_values),
        cmocka_unit_test(test_hash64_every_byte_counts),
        cmocka_unit_test(test_hash64_zeros),
        cmocka_unit_test(test_hash64_alignment),
        cmocka_unit_test(test_hash64_chain),
        cmocka_unit_test(test_u64_text),
        cmocka_unit_test(test_str_has_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
