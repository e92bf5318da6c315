/* test-configs.c: the guests' config files and autostart links
 * (src/configs.c): what the plan says for each file, and what applying it
 * leaves on disk. */
#include "testutil.h"
#include "testmodel.h"

#include <errno.h>

#include "configs.h"
#include "model.h"
#include "profile.h"
#include "resources.h"
#include "util.h"

#define U1 "00000001-1111-4222-8333-444444444444"
#define U2 "00000002-1111-4222-8333-444444444444"

static struct host *build(const char *extra, const char *guests)
{
    struct buf b = { 0 };
    buf_addf(&b, "xen.configdir=/etc/xen\nxen.retiredir=/retired\nxen.autodir=/auto\n"
                 "xen.virtualmachines=%s\n%s", guests, extra);
    if (strstr(guests, "web"))
        buf_adds(&b, "xen.uuid_web=" U1 "\nxen.memory_web=512\nxen.disktype_web=none\n"
                     "xen.boot_web=yes\n");
    if (strstr(guests, "db"))
        buf_adds(&b, "xen.uuid_db=" U2 "\nxen.memory_db=256\nxen.disktype_db=none\n");
    char *text = buf_detach(&b);
    struct host *h = test_host(text);
    free(text);
    return h;
}

static void put(const char *root, const char *path, const char *text, mode_t mode)
{
    char *dir = xasprintf("%s/etc", root);
    mkdir(dir, 0755);
    free(dir);
    dir = xasprintf("%s/etc/xen", root);
    mkdir(dir, 0755);
    free(dir);
    char *p = xasprintf("%s%s", root, path);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(p, mode), 0);
    free(p);
}

/* The plan as "ACTION guest path [dest]" lines. */
static char *show(const struct cfg_plan *p)
{
    static const char *const names[] = { "create", "update", "unchanged", "retire",
                                         "link",   "unlink", "warn",      "held" };
    struct buf b = { 0 };
    for (size_t i = 0; i < p->n; i++) {
        const struct cfg_item *it = &p->v[i];
        buf_addf(&b, "%s %s %s", names[it->action], it->guest, it->path);
        if (it->dest)
            buf_addf(&b, " %s", it->dest);
        buf_adds(&b, "\n");
    }
    return buf_detach(&b);
}

static void test_create_update_unchanged(void **state)
{
    const char *root = *state;
    struct host *h = build("", "web db");
    put(root, "/etc/xen/web.cfg", "same\n", 0600);
    put(root, "/etc/xen/db.cfg", "old\n", 0600);
    char *texts[] = { "same\n", "new\n" };
    struct cfg_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(configs_plan(h, texts, NULL, root, 0, &p, &err), 0);
    char *s = show(&p);
    assert_string_equal(s, "unchanged web /etc/xen/web.cfg\nupdate db /etc/xen/db.cfg\n");
    free(s);
    assert_string_equal(p.v[1].old, "old\n");
    assert_int_equal(configs_apply(&p, root), 0);
    char *path = xasprintf("%s/etc/xen/db.cfg", root);
    char *got = test_read_file(path);
    assert_string_equal(got, "new\n");
    free(got);
    free(path);
    configs_plan_free(&p);
    host_free(h);
}

/* A file of the right text but readable by others is rewritten: a
 * guest's config may hold secrets (the component writes them 0600). */
static void test_mode_is_part_of_unchanged(void **state)
{
    const char *root = *state;
    struct host *h = build("", "web");
    put(root, "/etc/xen/web.cfg", "same\n", 0644);
    char *texts[] = { "same\n" };
    struct cfg_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(configs_plan(h, texts, NULL, root, 0, &p, &err), 0);
    char *s = show(&p);
    assert_string_equal(s, "update web /etc/xen/web.cfg\n");
    free(s);
    assert_int_equal(configs_apply(&p, root), 0);
    char *path = xasprintf("%s/etc/xen/web.cfg", root);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    free(path);
    configs_plan_free(&p);
    host_free(h);
}

/* A guest known current (its text NULL: rendered.h) is not even read. */
static void test_known_current_is_unchanged(void **state)
{
    struct host *h = build("", "web");
    char *texts[] = { NULL };
    struct cfg_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(configs_plan(h, texts, NULL, *state, 0, &p, &err), 0);
    char *s = show(&p);
    assert_string_equal(s, "unchanged web /etc/xen/web.cfg\n");
    free(s);
    configs_plan_free(&p);
    host_free(h);
}

static void test_not_a_regular_file_is_refused(void **state)
{
    const char *root = *state;
    struct host *h = build("", "web");
    put(root, "/etc/xen/x", "", 0600);
    char *dir = xasprintf("%s/etc/xen/web.cfg", root);
    assert_int_equal(mkdir(dir, 0755), 0);
    free(dir);
    char *texts[] = { "t\n" };
    struct cfg_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(configs_plan(h, texts, NULL, root, 0, &p, &err), -1);
    assert_string_equal(err, "guest 'web': /etc/xen/web.cfg exists and is not a regular file");
    free(err);
    configs_plan_free(&p);
    host_free(h);
}

/* A guest that left the profile: its file is moved to the retire
 * directory under a name stamped with the time, never deleted. */
static void test_removed_guest_is_retired(void **state)
{
    const char *root = *state;
    struct host *prev = build("", "web db");
    struct host *cur = build("", "web");
    put(root, "/etc/xen/web.cfg", "w\n", 0600);
    put(root, "/etc/xen/db.cfg", "d\n", 0600);
    char *texts[] = { "w\n" };
    struct cfg_plan p = { 0 };
    char *err = NULL;
    /* 2026-12-03 12:00:00 UTC */
    assert_int_equal(configs_plan(cur, texts, prev, root, 1796299200, &p, &err), 0);
    char *s = show(&p);
    assert_string_equal(s, "unchanged web /etc/xen/web.cfg\n"
                           "retire db /etc/xen/db.cfg /retired/db.cfg.20261203-120000\n");
    free(s);
    assert_int_equal(configs_apply(&p, root), 0);
    char *gone = xasprintf("%s/etc/xen/db.cfg", root);
    assert_int_equal(access(gone, F_OK), -1);
    assert_int_equal(errno, ENOENT);
    char *kept = xasprintf("%s/retired/db.cfg.20261203-120000", root);
    char *got = test_read_file(kept);
    assert_string_equal(got, "d\n");
    free(got);
    free(kept);
    free(gone);
    configs_plan_free(&p);
    host_free(cur);
    host_free(prev);
}

/* autostart xendomains: a link in autodir for each guest with boot set,
 * none for the others. */
static void test_xendomains_links_booted_guests(void **state)
{
    const char *root = *state;
    struct host *h = build("xen.autostart=xendomains\n", "web db");
    char *texts[] = { "w\n", "d\n" };
    struct cfg_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(configs_plan(h, texts, NULL, root, 0, &p, &err), 0);
    char *s = show(&p);
    assert_string_equal(s, "create web /etc/xen/web.cfg\n"
                           "link web /auto/web.cfg /etc/xen/web.cfg\n"
                           "create db /etc/xen/db.cfg\n");
    free(s);
    configs_plan_free(&p);
    host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_update_unchanged, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_mode_is_part_of_unchanged, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_known_current_is_unchanged, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_not_a_regular_file_is_refused, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_removed_guest_is_retired, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_xendomains_links_booted_guests, test_tmpdir_setup,
                                        test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
