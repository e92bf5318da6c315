/* test-grubcfg.c: Xen entries of GRUB configurations (src/grubcfg.c),
 * on a Debian 12 grub.cfg as grub-mkconfig writes it with the xen package
 * (tests/data/grub/debian12-grub.cfg) and an EL5 grub.conf with a
 * kernel-xen entry (tests/data/grub/el5-grub.conf), and small texts. */
#include "testutil.h"

#include <stdbool.h>

#include "grubcfg.h"
#include "util.h"

static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    assert_non_null(at);
    return xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
}

static void test_debian_grub2_entry_with_the_options(void **state)
{
    (void)state;
    char *t = test_read_file(TEST_DATA "/grub/debian12-grub.cfg");
    struct grub_xen g;
    grub_xen_scan(t, "dom0_mem=2048M,max:2048M dom0_max_vcpus=2", &g);
    assert_false(g.legacy);
    assert_int_equal(g.nxen, 1);
    assert_string_equal(g.missing, "");
    /* GRUB 2's default (here a title) is not resolved. */
    assert_int_equal(g.dflt, -1);
    assert_int_equal(g.default_xen, -1);
    assert_null(g.default_title);
    grub_xen_free(&g);
    free(t);
}

static void test_debian_grub2_entry_lacks_an_option(void **state)
{
    (void)state;
    char *t = test_read_file(TEST_DATA "/grub/debian12-grub.cfg");
    struct grub_xen g;
    grub_xen_scan(t, "dom0_mem=4096M,max:4096M dom0_max_vcpus=2 loglvl=all", &g);
    assert_int_equal(g.nxen, 1);
    assert_string_equal(g.missing, "dom0_mem=4096M,max:4096M loglvl=all");
    grub_xen_free(&g);
    free(t);
}

static void test_grub2_without_xen(void **state)
{
    (void)state;
    char *t = test_read_file(TEST_DATA "/grub/debian12-grub.cfg");
    /* Only the 10_linux entry, and a commented-out hypervisor line. */
    char *cut = xstrndup(t, (size_t)(strstr(t, "### BEGIN /etc/grub.d/20_linux_xen") - t));
    char *plain = xasprintf("%s#\tmultiboot2 /boot/xen.gz placeholder\n", cut);
    struct grub_xen g;
    grub_xen_scan(plain, "dom0_max_vcpus=2", &g);
    assert_int_equal(g.nxen, 0);
    assert_null(g.missing);
    grub_xen_free(&g);
    free(plain);
    free(cut);
    free(t);
}

static void test_el5_legacy_default_is_xen(void **state)
{
    (void)state;
    char *t = test_read_file(TEST_DATA "/grub/el5-grub.conf");
    struct grub_xen g;
    grub_xen_scan(t, "dom0_mem=1024M,max:1024M", &g);
    assert_true(g.legacy);
    assert_int_equal(g.nxen, 1);
    assert_string_equal(g.missing, "");
    assert_int_equal(g.dflt, 0);
    assert_int_equal(g.default_xen, 1);
    assert_string_equal(g.default_title, "Scientific Linux SL (2.6.18-419.el5xen)");
    grub_xen_free(&g);
    free(t);
}

static void test_el5_legacy_default_is_not_xen(void **state)
{
    (void)state;
    char *t = test_read_file(TEST_DATA "/grub/el5-grub.conf");
    const char *forms[] = { "default=1", "default 1", "default\t1" };
    for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
        char *t2 = replaced(t, "default=0", forms[i]);
        struct grub_xen g;
        grub_xen_scan(t2, "", &g);
        assert_int_equal(g.dflt, 1);
        assert_int_equal(g.default_xen, 0);
        assert_string_equal(g.default_title, "Scientific Linux SL (2.6.18-419.el5)");
        assert_string_equal(g.missing, "");
        grub_xen_free(&g);
        free(t2);
    }
    free(t);
}

static void test_legacy_default_saved_absent_or_out_of_range(void **state)
{
    (void)state;
    char *t = test_read_file(TEST_DATA "/grub/el5-grub.conf");
    struct grub_xen g;
    char *saved = replaced(t, "default=0", "default=saved");
    grub_xen_scan(saved, "", &g);
    assert_int_equal(g.dflt, -1);
    assert_int_equal(g.default_xen, -1);
    grub_xen_free(&g);
    /* No default line: GRUB legacy boots entry 0. */
    char *none = replaced(t, "default=0\n", "");
    grub_xen_scan(none, "", &g);
    assert_int_equal(g.dflt, 0);
    assert_int_equal(g.default_xen, 1);
    grub_xen_free(&g);
    char *far = replaced(t, "default=0", "default=7");
    grub_xen_scan(far, "", &g);
    assert_int_equal(g.dflt, 7);
    assert_int_equal(g.default_xen, 0);
    assert_null(g.default_title);
    grub_xen_free(&g);
    free(far);
    free(none);
    free(saved);
    free(t);
}

/* Of several Xen lines the one with most of the options counts; images
 * are known by their name (xen*), wherever they are. */
static void test_best_line_and_image_names(void **state)
{
    (void)state;
    const char *t = "title A\n"
                    "  kernel (hd0,0)/xen.gz dom0_mem=512M\n"
                    "title B\n"
                    "  kernel /vmlinuz-2.6.18 dom0_mem=1024M dom0_max_vcpus=1\n"
                    "title C\n"
                    "  kernel /boot/xen-3.4.gz dom0_mem=1024M noreboot\n"
                    "  module /vmlinuz-2.6.18xen\n"
                    "menuentry tboot {\n"
                    "  multiboot /boot/tboot.gz dom0_max_vcpus=1\n"
                    "}\n";
    struct grub_xen g;
    grub_xen_scan(t, "dom0_mem=1024M dom0_max_vcpus=1", &g);
    assert_true(g.legacy);
    assert_int_equal(g.nxen, 2);
    assert_string_equal(g.missing, "dom0_max_vcpus=1");
    assert_int_equal(g.default_xen, 1);
    assert_string_equal(g.default_title, "A");
    grub_xen_free(&g);
    const char *arm = "menuentry 'Xen' {\n\txen_hypervisor /boot/xen dom0_mem=1G\n}\n";
    grub_xen_scan(arm, "dom0_mem=1G", &g);
    assert_false(g.legacy);
    assert_int_equal(g.nxen, 1);
    assert_string_equal(g.missing, "");
    grub_xen_free(&g);
    grub_xen_scan("", "dom0_mem=1G", &g);
    assert_int_equal(g.nxen, 0);
    assert_null(g.missing);
    grub_xen_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_grub2_entry_with_the_options),
        cmocka_unit_test(test_debian_grub2_entry_lacks_an_option),
        cmocka_unit_test(test_grub2_without_xen),
        cmocka_unit_test(test_el5_legacy_default_is_xen),
        cmocka_unit_test(test_el5_legacy_default_is_not_xen),
        cmocka_unit_test(test_legacy_default_saved_absent_or_out_of_range),
        cmocka_unit_test(test_best_line_and_image_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
