/* test-move.c: moving a guest (src/move.c) against a fake hypervisor: live
 * or cold as the capabilities, the domain's type and coldmove say, the
 * stages in order, and after a failure at each stage the guest running
 * here (resumed, or restored from its image), with the stage and reason
 * said; the record and the config file only changed by a move that
 * happened. Each test works in its own root under /tmp. */
#include "testutil.h"

#include "fsutil.h"
#include "managed.h"
#include "methods_impl.h"
#include "move.h"
#include "util.h"

#define U1 "00000001-1111-4222-8333-444444444444"

/* The fake: one guest's domain, here or gone; each operation appended to
 * calls; fail names the operation that fails (its restore_at, restore
 * after a save: the guest comes back here). */
struct fake {
    struct hv_domain d;
    bool here;
    unsigned caps;
    const char *fail;
    bool restore_comes_back; /* restore_at to this host */
    char calls[512];
};

static void called(struct fake *f, const char *op)
{
    strcat(f->calls, f->calls[0] ? " " : "");
    strcat(f->calls, op);
}

/* Is op one of the words of f->fail? */
static bool fails(struct fake *f, const char *op, char **err)
{
    size_t n = strlen(op);
    const char *p = f->fail;
    while (p && (p = strstr(p, op)) && ((p != f->fail && p[-1] != ' ') || (p[n] && p[n] != ' ')))
        p += n;
    if (!p)
        return false;
    set_error(err, "%s: it broke", op);
    return true;
}

static int f_lookup_uuid(struct hv *hv, const char *uuid, struct hv_domain *ret, char **err)
{
    (void)err;
    struct fake *f = hv->priv;
    if (!f->here || strcasecmp(uuid, f->d.uuid))
        return 1;
    *ret = f->d;
    return 0;
}

static int f_caps(struct hv *hv, unsigned *ret, char **err)
{
    struct fake *f = hv->priv;
    called(f, "caps");
    if (fails(f, "caps", err))
        return -1;
    *ret = f->caps;
    return 0;
}

static int f_save(struct hv *hv, unsigned domid, const char *path, const char *rpath, char **err)
{
    struct fake *f = hv->priv;
    (void)domid;
    (void)path;
    called(f, "save");
    if (fails(f, "save", err))
        return -1;
    FILE *o = fopen(rpath, "w");
    assert_non_null(o);
    fputs("image\n", o);
    fclose(o);
    f->here = false;
    return 0;
}

static int f_restore(struct hv *hv, const char *path, const char *rpath, struct hv_made *made,
                     char **err)
{
    struct fake *f = hv->priv;
    (void)path;
    called(f, "restore");
    assert_int_equal(access(rpath, F_OK), 0);
    if (fails(f, "restore", err))
        return -1;
    f->here = true;
    f->d.domid += 10;
    made->made = true;
    made->domid = f->d.domid;
    return 0;
}

static int f_migrate(struct hv *hv, unsigned domid, const struct hv_peer *peer, char **err)
{
    struct fake *f = hv->priv;
    (void)domid;
    called(f, "migrate");
    assert_string_equal(peer->remote[0], "ssh");
    assert_int_equal(peer->timeout_ms, 30000);
    if (fails(f, "migrate", err))
        return -1;
    f->here = false;
    return 0;
}

static int f_send(struct hv *hv, const char *path, const char *rpath, const struct hv_peer *peer,
                  char **err)
{
    struct fake *f = hv->priv;
    (void)rpath;
    called(f, "send");
    assert_string_equal(path, "/var/lib/xen/save/g1.move");
    assert_string_equal(peer->copy[0], "scp");
    assert_string_equal(peer->copy[1], "-q");
    assert_null(peer->copy[3]);
    return fails(f, "send", err) ? -1 : 0;
}

static int f_restore_at(struct hv *hv, const struct hv_peer *peer, const char *path, char **err)
{
    struct fake *f = hv->priv;
    (void)peer;
    (void)path;
    called(f, "restore_at");
    if (fails(f, "restore_at", err))
        return -1;
    f->here = f->restore_comes_back;
    return 0;
}

static const struct hv_ops fake_ops = {
    .name = "fake", .lookup_uuid = f_lookup_uuid, .caps = f_caps, .save = f_save,
    .restore = f_restore, .migrate = f_migrate, .send = f_send, .restore_at = f_restore_at,
};

struct world {
    char *root;
    struct opts o;
    struct ctx c;
    struct host h;
    struct fake f;
    struct hv hv;
    struct managed rec;
};

static void world(void **state, struct world *w, const char *coldmove, bool hvm, unsigned caps)
{
    static int n;
    memset(w, 0, sizeof(*w));
    /* A root of its own for each world of a test. */
    w->root = xasprintf("%s/%d", (char *)*state, ++n);
    w->o.root = w->root;
    w->c.o = &w->o;
    const char *res[][2] = {
        { "movedir", "/var/lib/xen/save" }, { "migratetimeout", "30" },
        { "migrateremote", "ssh -o BatchMode=yes" }, { "migratecopy", "scp -q -p" },
        { "configdir", "/etc/xen" }, { "retiredir", "/var/lib/lcfg/xen/retired" },
    };
    for (int i = 0; i < HF_COUNT; i++)
        w->h.res[i] = "";
    w->h.res[HF_movedir] = res[0][1];
    w->h.res[HF_migratetimeout] = res[1][1];
    w->h.res[HF_migrateremote] = res[2][1];
    w->h.res[HF_migratecopy] = res[3][1];
    w->h.res[HF_configdir] = res[4][1];
    w->h.res[HF_retiredir] = res[5][1];
    w->h.res[HF_coldmove] = coldmove;
    w->f.d = (struct hv_domain){ .domid = 3, .uuid = U1, .state = DOM_RUNNING, .mem_kb = 1024,
                                 .hvm = hvm };
    strcpy(w->f.d.name, "g1");
    w->f.here = true;
    w->f.caps = caps;
    w->hv = (struct hv){ .ops = &fake_ops, .priv = &w->f };
    managed_set(&w->rec, U1, "g1", MG_PROFILE);
    char *err = NULL;
    assert_int_equal(fs_save_under(w->root, "/etc/xen/g1.cfg", "name = \"g1\"\n", 12, 0644, &err),
                     0);
}

static int move(struct world *w, bool cold, struct move_result *r, char **err)
{
    return move_guest(&w->c, &w->h, &w->hv, &w->rec, "g1", U1, "hostb", cold, r, err);
}

static bool there(struct world *w, const char *path)
{
    char *p = root_path(w->root, path);
    bool t = access(p, F_OK) == 0;
    free(p);
    return t;
}

/* Moved: recorded as moved to hostb, its config file retired. */
static void expect_moved(struct world *w, const struct move_result *r)
{
    const struct managed_guest *e = managed_find(&w->rec, U1);
    assert_int_equal(e->state, MG_MOVED);
    assert_string_equal(e->host, "hostb");
    assert_false(there(w, "/etc/xen/g1.cfg"));
    assert_non_null(r->retired);
    assert_true(str_starts_with(r->retired, "/var/lib/lcfg/xen/retired/g1.cfg."));
    assert_false(there(w, "/var/lib/xen/save/g1.move"));
    assert_false(r->here);
}

/* Not moved: here, recorded as before, its config file in place. */
static void expect_here(struct world *w)
{
    assert_true(w->f.here);
    assert_int_equal(managed_find(&w->rec, U1)->state, MG_PROFILE);
    assert_true(there(w, "/etc/xen/g1.cfg"));
}

static void done(struct world *w, struct move_result *r, char *err)
{
    free(w->root);
    free(err);
    move_result_free(r);
    managed_free(&w->rec);
}

static void test_live_when_it_can(void **state)
{
    struct world w;
    /* PV with shadow paging; HVM with HAP alone. */
    for (int hvm = 0; hvm < 2; hvm++) {
        world(state, &w, "auto", hvm, hvm ? HV_CAP_HAP : HV_CAP_SHADOW);
        struct move_result r;
        char *err = NULL;
        assert_int_equal(move(&w, false, &r, &err), 0);
        assert_string_equal(w.f.calls, "caps migrate");
        assert_true(r.live);
        expect_moved(&w, &r);
        char *d = move_describe("hostb", &r);
        assert_true(str_starts_with(d, "moved to hostb (live): took 0."));
        free(d);
        done(&w, &r, err);
    }
}

static void test_cold_when_live_cannot(void **state)
{
    static const struct {
        bool hvm;
        unsigned caps;
        const char *why;
    } cases[] = {
        { false, HV_CAP_HAP,
          "live migration of PV guests needs shadow paging, which this hypervisor lacks" },
        { true, 0, "live migration of HVM and PVH guests needs HAP or shadow paging, which this "
                   "hypervisor lacks" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct world w;
        world(state, &w, "auto", cases[i].hvm, cases[i].caps);
        struct move_result r;
        char *err = NULL;
        assert_int_equal(move(&w, false, &r, &err), 0);
        assert_string_equal(w.f.calls, "caps save send restore_at");
        assert_false(r.live);
        assert_string_equal(r.why_cold, cases[i].why);
        expect_moved(&w, &r);
        done(&w, &r, err);
    }
}

static void test_cold_asked_or_always_or_refused(void **state)
{
    struct world w;
    struct move_result r;
    char *err = NULL;
    world(state, &w, "auto", false, HV_CAP_SHADOW);
    assert_int_equal(move(&w, true, &r, &err), 0);
    assert_string_equal(w.f.calls, "save send restore_at");
    assert_string_equal(r.why_cold, "asked (--cold)");
    done(&w, &r, err);

    world(state, &w, "always", false, HV_CAP_SHADOW);
    err = NULL;
    assert_int_equal(move(&w, false, &r, &err), 0);
    assert_string_equal(r.why_cold, "xen.coldmove always");
    done(&w, &r, err);

    world(state, &w, "never", false, HV_CAP_HAP);
    err = NULL;
    assert_int_equal(move(&w, false, &r, &err), -1);
    assert_string_equal(err, "live migration refused: live migration of PV guests needs shadow "
                             "paging, which this hypervisor lacks, and cold moves are off "
                             "(xen.coldmove never); it runs here still (domid 3)");
    assert_string_equal(w.f.calls, "caps");
    expect_here(&w);
    done(&w, &r, err);

    world(state, &w, "never", false, HV_CAP_SHADOW);
    err = NULL;
    assert_int_equal(move(&w, true, &r, &err), -1);
    assert_string_equal(err, "a cold move was asked for (--cold), but cold moves are off "
                             "(xen.coldmove never); it runs here still (domid 3)");
    assert_string_equal(w.f.calls, "");
    done(&w, &r, err);
}

/* A failure at each stage: the guest runs here afterwards, the stage
 * and the reason said, nothing recorded or retired, no image left. */
static void test_failures_leave_the_guest_here(void **state)
{
    static const struct {
        const char *fail;
        bool cold;
        const char *calls, *err;
    } cases[] = {
        { "migrate", false, "caps migrate",
          "live migration to hostb failed: migrate: it broke; it runs here still (domid 3)" },
        { "caps", false, "caps",
          "live migration: cannot tell what this hypervisor can do: caps: it broke; it runs here "
          "still (domid 3)" },
        { "save", true, "save", "save failed: save: it broke; it runs here still (domid 3)" },
        { "send", true, "save send restore",
          "send to hostb failed: send: it broke; restored here (domid 13, down 0.0 s)" },
        { "restore_at", true, "save send restore_at restore",
          "restore on hostb failed: restore_at: it broke; restored here (domid 13, down 0.0 s); "
          "the image copied there is left for its owner to remove" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct world w;
        world(state, &w, "auto", false, HV_CAP_SHADOW);
        w.f.fail = cases[i].fail;
        struct move_result r;
        char *err = NULL;
        assert_int_equal(move(&w, cases[i].cold, &r, &err), -1);
        assert_string_equal(w.f.calls, cases[i].calls);
        assert_string_equal(err, cases[i].err);
        expect_here(&w);
        assert_false(there(&w, "/var/lib/xen/save/g1.move"));
        done(&w, &r, err);
    }
}

/* Restoring it here fails too: its image is kept, and named. */
static void test_image_kept_when_nothing_else_works(void **state)
{
    struct world w;
    world(state, &w, "auto", false, HV_CAP_SHADOW);
    w.f.fail = "send restore";
    struct move_result r;
    char *err = NULL;
    assert_int_equal(move(&w, true, &r, &err), -1);
    assert_string_equal(w.f.calls, "save send restore");
    assert_string_equal(err, "send to hostb failed: send: it broke; restoring it here failed too: "
                             "restore: it broke; its save image is kept in "
                             "/var/lib/xen/save/g1.move");
    assert_true(there(&w, "/var/lib/xen/save/g1.move"));
    assert_int_equal(managed_find(&w.rec, U1)->state, MG_PROFILE);
    done(&w, &r, err);
}

/* Not running here, or a bad host name: nothing is tried. */
static void test_nothing_to_move(void **state)
{
    struct world w;
    struct move_result r;
    char *err = NULL;
    world(state, &w, "auto", false, HV_CAP_SHADOW);
    w.f.here = false;
    assert_int_equal(move(&w, false, &r, &err), -1);
    assert_string_equal(err, "it is not running here: nothing to move");
    assert_string_equal(w.f.calls, "");
    done(&w, &r, err);
    world(state, &w, "auto", false, HV_CAP_SHADOW);
    err = NULL;
    assert_int_equal(move_guest(&w.c, &w.h, &w.hv, &w.rec, "g1", U1, "-oProxyCommand=x", false,
                                &r, &err),
                     -1);
    assert_string_equal(err, "'-oProxyCommand=x' is not a host name (letters, digits, _ . -)");
    assert_string_equal(w.f.calls, "");
    done(&w, &r, err);
}

/* Moved to this host itself: still this host's, nothing recorded. */
static void test_move_to_itself(void **state)
{
    struct world w;
    struct move_result r;
    char *err = NULL;
    world(state, &w, "auto", false, HV_CAP_HAP);
    w.f.restore_comes_back = true;
    assert_int_equal(move(&w, false, &r, &err), 0);
    assert_true(r.here);
    expect_here(&w);
    char *d = move_describe("localhost", &r);
    assert_true(str_starts_with(d, "moved to localhost (this host) (cold: live migration of PV "
                                   "guests needs shadow paging, which this hypervisor lacks): "
                                   "down 0."));
    free(d);
    assert_false(there(&w, "/var/lib/xen/save/g1.move"));
    done(&w, &r, err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_live_when_it_can, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_cold_when_live_cannot, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_cold_asked_or_always_or_refused, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_failures_leave_the_guest_here, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_image_kept_when_nothing_else_works, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_nothing_to_move, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_move_to_itself, test_tmpdir_setup, test_tmpdir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
