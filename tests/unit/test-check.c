/* test-check.c: value syntax checks (src/check.c). */
#include "testutil.h"

#include "check.h"
#include "util.h"

/* A string of n copies of c followed by tail (caller frees). */
static char *repeat(char c, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    char *s = malloc(n + t + 1);
    assert_non_null(s);
    memset(s, c, n);
    memcpy(s + n, tail, t + 1);
    return s;
}

/* ---- check_guest_name ---- */

static void test_guest_name_valid(void **state)
{
    (void)state;
    assert_true(check_guest_name("vm1"));
    assert_true(check_guest_name("a"));
    assert_true(check_guest_name("Z"));
    assert_true(check_guest_name("1vm"));
    assert_true(check_guest_name("web-01.example_org"));
    assert_true(check_guest_name("0x"));
    assert_true(check_guest_name("9."));
}

static void test_guest_name_length(void **state)
{
    (void)state;
    char *s64 = repeat('a', 64, "");
    char *s65 = repeat('a', 65, "");
    char *d63 = repeat('1', 63, "x");
    assert_int_equal(strlen(s64), 64);
    assert_true(check_guest_name(s64));
    assert_false(check_guest_name(s65));
    assert_true(check_guest_name(d63));
    free(s64);
    free(s65);
    free(d63);
}

static void test_guest_name_invalid(void **state)
{
    (void)state;
    assert_false(check_guest_name(""));
    assert_false(check_guest_name("0"));
    assert_false(check_guest_name("123"));
    assert_false(check_guest_name("0123456789"));
    assert_false(check_guest_name(".vm"));
    assert_false(check_guest_name("-vm"));
    assert_false(check_guest_name("_vm"));
    assert_false(check_guest_name("vm 1"));
    assert_false(check_guest_name("vm/1"));
    assert_false(check_guest_name("vm:1"));
    assert_false(check_guest_name("vm\n"));
    assert_false(check_guest_name("vm\xc3\xa9"));
    assert_false(check_guest_name("vm$"));
}

/* ---- check_tag ---- */

static void test_tag(void **state)
{
    (void)state;
    assert_true(check_tag("a"));
    assert_true(check_tag("eth0"));
    assert_true(check_tag("_1"));
    assert_true(check_tag("123"));
    assert_true(check_tag("A_b_C"));
    assert_false(check_tag(""));
    assert_false(check_tag("a-b"));
    assert_false(check_tag("a.b"));
    assert_false(check_tag("a b"));
    assert_false(check_tag("a$"));
    assert_false(check_tag("\xc3\xa9"));
}

/* ---- check_uuid ---- */

static void test_uuid_valid(void **state)
{
    (void)state;
    assert_true(check_uuid("e050b5aa-4a58-4bcc-899f-9087180f8c0c"));
    assert_true(check_uuid("E050B5AA-4A58-4BCC-899F-9087180F8C0C"));
    assert_true(check_uuid("E050b5Aa-4a58-4BcC-899f-9087180F8c0C"));
    assert_true(check_uuid("00000000-0000-0000-0000-000000000000"));
}

static void test_uuid_invalid(void **state)
{
    (void)state;
    assert_false(check_uuid(""));
    /* Each group one digit short. */
    assert_false(check_uuid("e050b5a-4a58-4bcc-899f-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a5-4bcc-899f-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a58-4bc-899f-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a58-4bcc-899-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a58-4bcc-899f-9087180f8c0"));
    /* Each group one digit long. */
    assert_false(check_uuid("e050b5aa0-4a58-4bcc-899f-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a580-4bcc-899f-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a58-4bcc0-899f-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a58-4bcc-899f0-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa-4a58-4bcc-899f-9087180f8c0c0"));
    /* Non-hex, missing or wrong separators, braces, trailing space. */
    assert_false(check_uuid("g050b5aa-4a58-4bcc-899f-9087180f8c0c"));
    assert_false(check_uuid("e050b5aa4a58-4bcc-899f-9087180f8c0c0"));
    assert_false(check_uuid("e050b5aa:4a58:4bcc:899f:9087180f8c0c"));
    assert_false(check_uuid("e050b5aa4a584bcc899f9087180f8c0c"));
    assert_false(check_uuid("{e050b5aa-4a58-4bcc-899f-9087180f8c0c}"));
    assert_false(check_uuid("e050b5aa-4a58-4bcc-899f-9087180f8c0c "));
    assert_false(check_uuid("e050b5aa-4a58-4bcc-899f-"));
}

/* ---- check_mac, check_mac_unicast ---- */

static void test_mac_valid(void **state)
{
    (void)state;
    assert_true(check_mac("00:16:3e:12:34:56"));
    assert_true(check_mac("00:16:3E:AB:CD:EF"));
    assert_true(check_mac("aa:bb:cc:dd:ee:ff"));
    assert_true(check_mac("FF:FF:FF:FF:FF:FF"));
}

static void test_mac_invalid(void **state)
{
    (void)state;
    assert_false(check_mac(""));
    assert_false(check_mac("00:16:3e:12:34"));          /* 5 groups */
    assert_false(check_mac("00:16:3e:12:34:"));
    assert_false(check_mac("00:16:3e:12:34:56:78"));    /* 7 groups */
    assert_false(check_mac("00:16:3e:12:34:5g"));       /* non-hex */
    assert_false(check_mac("0g:16:3e:12:34:56"));
    assert_false(check_mac("00-16-3e-12-34-56"));
    assert_false(check_mac("0:16:3e:12:34:56"));
    assert_false(check_mac("000:16:3e:12:34:56"));
    assert_false(check_mac("00163e123456"));
    assert_false(check_mac("00:16:3e:12:34:56 "));
    assert_false(check_mac("00:16:3e:12:34:56:"));
}

static void test_mac_unicast(void **state)
{
    (void)state;
    assert_true(check_mac_unicast("00:16:3e:12:34:56"));
    assert_true(check_mac_unicast("02:00:00:00:00:01"));
    assert_true(check_mac_unicast("0a:00:00:00:00:01"));
    assert_true(check_mac_unicast("0E:00:00:00:00:01"));
    assert_true(check_mac_unicast("fe:00:00:00:00:01"));
    assert_false(check_mac_unicast("01:00:5e:00:00:01"));
    assert_false(check_mac_unicast("03:00:00:00:00:01"));
    assert_false(check_mac_unicast("0b:00:00:00:00:01"));
    assert_false(check_mac_unicast("0F:00:00:00:00:01"));
    assert_false(check_mac_unicast("ff:ff:ff:ff:ff:ff"));
    assert_false(check_mac_unicast("33:33:00:00:00:01"));
}

/* ---- check_ifname ---- */

static void test_ifname(void **state)
{
    (void)state;
    char *i15 = repeat('v', 15, "");
    char *i16 = repeat('v', 16, "");
    assert_true(check_ifname(i15));
    assert_false(check_ifname(i16));
    free(i15);
    free(i16);
    assert_true(check_ifname("eth0"));
    assert_true(check_ifname("xenbr0"));
    assert_true(check_ifname("br-lan.10"));
    assert_true(check_ifname("vif1_0"));
    assert_false(check_ifname(""));
    assert_false(check_ifname("eth 0"));
    assert_false(check_ifname("eth/0"));
    assert_false(check_ifname("eth:0"));
    assert_false(check_ifname("eth0\n"));
}

/* ---- check_filename ---- */

static void test_filename(void **state)
{
    (void)state;
    char *f128 = repeat('f', 128, "");
    char *f129 = repeat('f', 129, "");
    assert_true(check_filename(f128));
    assert_false(check_filename(f129));
    free(f128);
    free(f129);
    assert_true(check_filename("vm1.img"));
    assert_true(check_filename("vm1.cfg"));
    assert_true(check_filename("a.b.c"));
    assert_true(check_filename("disk_1-2"));
    assert_false(check_filename(""));
    assert_false(check_filename(".."));
    assert_false(check_filename("a..b"));
    assert_false(check_filename("vm1.."));
    assert_false(check_filename("a/b"));
    assert_false(check_filename("/etc"));
    assert_false(check_filename(".hidden"));
    assert_false(check_filename("-x"));
    assert_false(check_filename("_x"));
    assert_false(check_filename("a b"));
    assert_false(check_filename("a,b"));
}

/* ---- check_path ---- */

#define BADCHAR "contains a character other than letters, digits and / _ . + @ ~ -"

static void test_path_valid(void **state)
{
    (void)state;
    assert_null(check_path("/"));
    assert_null(check_path("/var/lib/xen/images/vm1.img"));
    assert_null(check_path("/dev/vg0/vm1-disk"));
    assert_null(check_path("/srv/a+b@c~d_e"));
    assert_null(check_path("/a//b/"));
    assert_null(check_path("/a/.hidden/..x/x../.../b"));
}

static void test_path_invalid(void **state)
{
    (void)state;
    assert_string_equal(check_path(""), "is not an absolute path");
    assert_string_equal(check_path("var/lib"), "is not an absolute path");
    assert_string_equal(check_path("./a"), "is not an absolute path");
    assert_string_equal(check_path("/a/../b"), "contains a '.' or '..' component");
    assert_string_equal(check_path("/a/.."), "contains a '.' or '..' component");
    assert_string_equal(check_path("/../a"), "contains a '.' or '..' component");
    assert_string_equal(check_path("/a/./b"), "contains a '.' or '..' component");
    assert_string_equal(check_path("/a/."), "contains a '.' or '..' component");
    assert_string_equal(check_path("/."), "contains a '.' or '..' component");
    assert_string_equal(check_path("/a//./b"), "contains a '.' or '..' component");
    assert_string_equal(check_path("/a,b"), BADCHAR);
    assert_string_equal(check_path("/a\"b"), BADCHAR);
    assert_string_equal(check_path("/a'b"), BADCHAR);
    assert_string_equal(check_path("/a=b"), BADCHAR);
    assert_string_equal(check_path("/a b"), BADCHAR);
    assert_string_equal(check_path("/a\nb"), BADCHAR);
    assert_string_equal(check_path("/a\tb"), BADCHAR);
    assert_string_equal(check_path("/a\\b"), BADCHAR);
    assert_string_equal(check_path("/a:b"), BADCHAR);
    assert_string_equal(check_path("/caf\xc3\xa9"), BADCHAR);
    assert_string_equal(check_path("/a\x80"), BADCHAR);
    assert_string_equal(check_path("/a\xff"), BADCHAR);
}

static void test_path_length(void **state)
{
    (void)state;
    char *ok = repeat('a', 1024, "");
    char *bad = repeat('a', 1025, "");
    ok[0] = '/';
    bad[0] = '/';
    assert_int_equal(strlen(ok), 1024);
    assert_int_equal(strlen(bad), 1025);
    assert_null(check_path(ok));
    assert_string_equal(check_path(bad), "is longer than 1024 characters");
    /* Length is checked before the characters. */
    bad[5] = ' ';
    assert_string_equal(check_path(bad), "is longer than 1024 characters");
    free(ok);
    free(bad);
}

/* ---- check_vgname ---- */

static void test_vgname(void **state)
{
    (void)state;
    char *v127 = repeat('v', 127, "");
    char *v128 = repeat('v', 128, "");
    assert_true(check_vgname(v127));
    assert_false(check_vgname(v128));
    free(v127);
    free(v128);
    assert_true(check_vgname("vg0"));
    assert_true(check_vgname("vg_xen+1.a-b"));
    assert_true(check_vgname("_vg"));
    assert_true(check_vgname(".vg"));
    assert_true(check_vgname("+vg"));
    assert_true(check_vgname("..."));
    assert_true(check_vgname("vg-"));
    assert_false(check_vgname(""));
    assert_false(check_vgname("."));
    assert_false(check_vgname(".."));
    assert_false(check_vgname("-vg"));
    assert_false(check_vgname("vg 0"));
    assert_false(check_vgname("vg/0"));
    assert_false(check_vgname("vg@0"));
    assert_false(check_vgname("vg\xc3\xa9"));
}

/* ---- check_safe_text ---- */

static void test_safe_text(void **state)
{
    (void)state;
    assert_true(check_safe_text(""));
    assert_true(check_safe_text("Hello, world! (a=b; c<d>) $x `y` %z ~"));
    assert_true(check_safe_text(" "));
    assert_true(check_safe_text("~"));
    assert_false(check_safe_text("a\"b"));
    assert_false(check_safe_text("a'b"));
    assert_false(check_safe_text("a\\b"));
    assert_false(check_safe_text("a\nb"));
    assert_false(check_safe_text("a\tb"));
    assert_false(check_safe_text("a\rb"));
    assert_false(check_safe_text("\x1f"));
    assert_false(check_safe_text("\x7f"));
    assert_false(check_safe_text("caf\xc3\xa9"));
    assert_false(check_safe_text("\x80"));
}

/* ---- check_boolean ---- */

static void assert_boolean(const char *in, const char *want)
{
    const char *canon = "unset";
    assert_true(check_boolean(in, &canon));
    assert_string_equal(canon, want);
}

static void test_boolean_true(void **state)
{
    (void)state;
    assert_boolean("yes", "yes");
    assert_boolean("YES", "yes");
    assert_boolean("Yes", "yes");
    assert_boolean("true", "yes");
    assert_boolean("TRUE", "yes");
    assert_boolean("on", "yes");
    assert_boolean("ON", "yes");
    assert_boolean("1", "yes");
}

static void test_boolean_false(void **state)
{
    (void)state;
    assert_boolean("no", "");
    assert_boolean("NO", "");
    assert_boolean("false", "");
    assert_boolean("False", "");
    assert_boolean("off", "");
    assert_boolean("OFF", "");
    assert_boolean("0", "");
    assert_boolean("", "");
}

static void test_boolean_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "maybe", "y", "n", "2", "00", "01", " yes", "yes ", "t", "f", "enabled", "-1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        const char *canon = "untouched";
        if (check_boolean(bad[i], &canon))
            fail_msg("check_boolean accepted '%s'", bad[i]);
        assert_string_equal(canon, "untouched");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guest_name_valid),
        cmocka_unit_test(test_guest_name_length),
        cmocka_unit_test(test_guest_name_invalid),
        cmocka_unit_test(test_tag),
        cmocka_unit_test(test_uuid_valid),
        cmocka_unit_test(test_uuid_invalid),
        cmocka_unit_test(test_mac_valid),
        cmocka_unit_test(test_mac_invalid),
        cmocka_unit_test(test_mac_unicast),
        cmocka_unit_test(test_ifname),
        cmocka_unit_test(test_filename),
        cmocka_unit_test(test_path_valid),
        cmocka_unit_test(test_path_invalid),
        cmocka_unit_test(test_path_length),
        cmocka_unit_test(test_vgname),
        cmocka_unit_test(test_safe_text),
        cmocka_unit_test(test_boolean_true),
        cmocka_unit_test(test_boolean_false),
        cmocka_unit_test(test_boolean_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
