/* test-previous.c: the saved configuration against the current one
 * (src/previous.c). The invariant checked throughout: the part handed back
 * is exactly the status text of the saved host settings with only the
 * saved guests that differ, as the model itself would write it. */
#include "testutil.h"

#include "model.h"
#include "previous.h"
#include "profile.h"
#include "util.h"

static char *guest(const char *tag, int n, const char *memory)
{
    return xasprintf("xen.uuid_%s=0000000%d-1111-4222-8333-444444444444\n"
                     "xen.memory_%s=%s\nxen.disktype_%s=none\n",
                     tag, n, tag, memory, tag);
}

/* Resources in status form: the list, extra lines, and the listed guests
 * (a to d; b's memory as given). */
static char *resources(const char *list, const char *extra, const char *mem_b)
{
    static const char *const mem[] = { "512", NULL, "256", "128" };
    struct buf b = BUF_INIT;
    buf_addf(&b, "xen.virtualmachines=%s\n%s", list, extra);
    for (const char *t = list; *t; t++) {
        if (*t == ' ')
            continue;
        char tag[2] = { *t, 0 };
        char *g = guest(tag, *t - 'a' + 1, *t == 'b' ? mem_b : mem[*t - 'a']);
        buf_adds(&b, g);
        free(g);
    }
    return buf_detach(&b);
}

static struct host *build(const char *text)
{
    struct resset *rs = resset_new();
    struct errlist errs = { 0 };
    char *err = NULL;
    assert_int_equal(profile_parse_status(text, "test", rs, &err), 0);
    struct host *h = model_build(rs, &errs);
    if (!h)
        fail_msg("%s", errs.v[0]);
    resset_free(rs);
    return h;
}

/* The status text of a host built from resources. */
static char *status_of(const char *list, const char *extra, const char *mem_b)
{
    char *r = resources(list, extra, mem_b);
    struct host *h = build(r);
    char *s = host_format_status(h);
    host_free(h);
    free(r);
    return s;
}

/* The status text of a host built from resource text. */
static char *status_of_text(const char *r)
{
    struct host *h = build(r);
    char *s = host_format_status(h);
    host_free(h);
    return s;
}

struct fix {
    struct host *cur;
    char *text;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    char *r = resources("a b c", "", "1024");
    f->cur = build(r);
    f->text = host_format_status(f->cur);
    free(r);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    host_free(f->cur);
    free(f->text);
    free(f);
    return 0;
}

static enum prev_kind compare(void **state, const char *old, char **part)
{
    struct fix *f = *state;
    return previous_compare(f->cur, f->text, old, part);
}

static void test_same_text(void **state)
{
    struct fix *f = *state;
    char *part = (char *)"x";
    assert_int_equal(compare(state, f->text, &part), PREV_SAME);
    assert_null(part);
}

static void test_one_guest_changed(void **state)
{
    char *old = status_of("a b c", "", "768"), *part = NULL;
    assert_int_equal(compare(state, old, &part), PREV_PART);
    /* b alone, with its saved memory. */
    char *want = status_of("b", "", "768");
    assert_string_equal(part, want);
    struct host *p = build(part);
    assert_int_equal(p->nguests, 1);
    assert_int_equal(p->guests[0].memory, 768);
    host_free(p);
    free(want);
    free(part);
    free(old);
}

/* Each resource is a record: its value line and the type and derivation
 * lines after it. A derivation alone differing makes the guest differ;
 * the list keeps the lines that describe it. */
static void test_records_with_meta_lines(void **state)
{
    struct fix *f = *state;
    char *old = xstrdup(f->text), *part = NULL;
    struct buf b = BUF_INIT;
    const char *m = strstr(old, "xen.memory_b=1024\n");
    const char *l = strstr(old, "%xen.virtualmachines=");
    assert_non_null(m);
    assert_non_null(l);
    const char *le = strchr(l, '\n') + 1;
    buf_add(&b, old, (size_t)(le - old));
    buf_adds(&b, "#xen.virtualmachines=site.h:1\n");
    buf_add(&b, le, (size_t)(m - le) + strlen("xen.memory_b=1024\n"));
    buf_adds(&b, "#xen.memory_b=x.h:7\n");
    buf_adds(&b, m + strlen("xen.memory_b=1024\n"));
    assert_int_equal(compare(state, buf_str(&b), &part), PREV_PART);
    char *r = resources("b", "#xen.virtualmachines=site.h:1\n", "1024");
    char *r2 = str_join(r, '#', "xen.memory_b=x.h:7\n");
    struct host *h = build(r2);
    char *want = host_format_status(h);
    assert_string_equal(part, want);
    assert_non_null(strstr(part, "#xen.memory_b=x.h:7\n"));
    host_free(h);
    free(want);
    free(r2);
    free(r);
    free(part);
    buf_free(&b);
    free(old);
}

static void test_guest_gone(void **state)
{
    /* Saved with a fourth guest d, no longer in the profile. */
    char *old = status_of("a b c d", "", "1024"), *part = NULL;
    assert_int_equal(compare(state, old, &part), PREV_PART);
    char *want = status_of("d", "", "1024");
    assert_string_equal(part, want);
    free(want);
    free(part);
    free(old);
}

static void test_new_guest_or_new_order_needs_nothing(void **state)
{
    char *part = NULL;
    /* Saved before c was added: nothing saved differs. */
    char *old = status_of("a b", "", "1024");
    assert_int_equal(compare(state, old, &part), PREV_SAME);
    assert_null(part);
    free(old);
    /* The same guests in another order. */
    old = status_of("c b a", "", "1024");
    assert_int_equal(compare(state, old, &part), PREV_SAME);
    free(old);
    /* Two changed, one gone, in the saved order. */
    old = status_of("c d b a", "", "2048");
    struct fix *f = *state;
    char *changed = xstrdup(old);
    char *m = strstr(changed, "xen.memory_c=256");
    assert_non_null(m);
    memcpy(m, "xen.memory_c=257", 16);
    assert_int_equal(previous_compare(f->cur, f->text, changed, &part), PREV_PART);
    char *want = status_of("c d b", "", "2048");
    m = strstr(want, "xen.memory_c=256");
    memcpy(m, "xen.memory_c=257", 16);
    assert_string_equal(part, want);
    free(want);
    free(part);
    free(changed);
    free(old);
}

static void test_host_setting_changed_reads_all(void **state)
{
    char *old = status_of("a b c", "xen.configdir=/etc/xen/old\n", "1024"), *part = NULL;
    assert_int_equal(compare(state, old, &part), PREV_FULL);
    assert_null(part);
    free(old);
}

static void test_other_layouts_read_all(void **state)
{
    struct fix *f = *state;
    char *part = NULL;
    /* A line more, a line less, a hand-edited line, a duplicated tag. */
    char *more = xasprintf("%sxen.memory_zz=1\n", f->text);
    assert_int_equal(compare(state, more, &part), PREV_FULL);
    char *less = xstrdup(f->text);
    less[strlen(less) - 1] = '\0';
    *strrchr(less, '\n') = '\0';
    strcat(less, "\n");
    assert_int_equal(compare(state, less, &part), PREV_FULL);
    char *renamed = xstrdup(f->text);
    char *m = strstr(renamed, "xen.memory_b=");
    assert_non_null(m);
    memcpy(m, "xen.memorx_b=", 13);
    assert_int_equal(compare(state, renamed, &part), PREV_FULL);
    char *twice = xstrdup(f->text);
    m = strstr(twice, "xen.virtualmachines=a b c");
    assert_non_null(m);
    memcpy(m, "xen.virtualmachines=a a c", 25);
    assert_int_equal(compare(state, twice, &part), PREV_FULL);
    char *encoded = xstrdup(f->text);
    m = strstr(encoded, "xen.virtualmachines=a b c");
    memcpy(m, "xen.virtualmachines=a&b c", 25);
    assert_int_equal(compare(state, encoded, &part), PREV_FULL);
    assert_int_equal(compare(state, "", &part), PREV_FULL);
    assert_null(part);
    free(more);
    free(less);
    free(renamed);
    free(twice);
    free(encoded);
}

static void test_last_line_without_newline(void **state)
{
    struct fix *f = *state;
    char *part = NULL;
    char *old = xstrdup(f->text);
    old[strlen(old) - 1] = '\0'; /* c's block loses its final newline */
    assert_int_equal(compare(state, old, &part), PREV_PART);
    char *want = status_of("c", "", "1024");
    assert_string_equal(part, want);
    free(want);
    free(part);
    free(old);
}

/* Guests with list items: a block is the guest's fields and its items';
 * only the guest whose items differ is read back, with its items, and a
 * saved item list whose records do not follow it reads all. */
static void test_blocks_with_list_items(void **state)
{
    (void)state;
    const char *items = "xen.disks_a=d1 d2\nxen.dsize_a_d1=1\nxen.dsize_a_d2=2\n"
                        "xen.nics_c=n1\nxen.nrate_c_n1=1MB/s\n";
    char *r = resources("a b c", items, "1024");
    struct host *cur = build(r);
    char *text = host_format_status(cur);
    char *part = NULL;
    assert_int_equal(previous_compare(cur, text, text, &part), PREV_SAME);
    /* Saved: a's second disk was 3 GB; b and c as now. */
    char *r2 = resources("a b c", "xen.disks_a=d1 d2\nxen.dsize_a_d1=1\nxen.dsize_a_d2=3\n"
                                  "xen.nics_c=n1\nxen.nrate_c_n1=1MB/s\n", "1024");
    char *old = status_of_text(r2);
    assert_int_equal(previous_compare(cur, text, old, &part), PREV_PART);
    char *r3 = resources("a", "xen.disks_a=d1 d2\nxen.dsize_a_d1=1\nxen.dsize_a_d2=3\n", "1024");
    char *want = status_of_text(r3);
    assert_string_equal(part, want);
    free(part);
    part = NULL;
    /* Saved without c's NIC: c alone differs. */
    char *r4 = resources("a b c", "xen.disks_a=d1 d2\nxen.dsize_a_d1=1\nxen.dsize_a_d2=2\n",
                         "1024");
    char *old2 = status_of_text(r4);
    assert_int_equal(previous_compare(cur, text, old2, &part), PREV_PART);
    char *want2 = status_of("c", "", "1024");
    assert_string_equal(part, want2);
    free(part);
    part = NULL;
    /* An item list that its records do not follow: read it all. */
    struct buf b = BUF_INIT;
    const char *d2 = strstr(old, "xen.dsize_a_d2=3\n");
    assert_non_null(d2);
    buf_add(&b, old, (size_t)(d2 - old));
    buf_adds(&b, "xen.dsize_a_d9=3\n");
    buf_adds(&b, d2 + strlen("xen.dsize_a_d2=3\n"));
    assert_int_equal(previous_compare(cur, text, buf_str(&b), &part), PREV_FULL);
    assert_null(part);
    buf_free(&b);
    free(want2);
    free(old2);
    free(r4);
    free(want);
    free(r3);
    free(old);
    free(r2);
    free(text);
    host_free(cur);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_same_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_guest_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_records_with_meta_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_guest_or_new_order_needs_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_host_setting_changed_reads_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_layouts_read_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_line_without_newline, setup, teardown),
        cmocka_unit_test(test_blocks_with_list_items),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
