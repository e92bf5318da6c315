/* test-hv-sim-move.c: the simulator's capabilities, save, restore and moves
 * between simulated hosts (src/hv_sim_move.c). Each test lays out its own
 * T/alpha and T/beta under /tmp, each a host's root, and removes them. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "hv.h"
#include "util.h"
#include "testroot.h"

#define UUID1 "11111111-2222-3333-4444-555555555555"
#define UUID2 "66666666-7777-8888-9999-aaaaaaaaaaaa"
#define SIMDIR "/var/lib/lcfg/xen/sim"

struct hosts {
    char *top, *alpha, *beta;
};

static int setup_hosts(void **state)
{
    struct hosts *h = calloc(1, sizeof(*h));
    h->top = strdup("/tmp/lcfgxen-hvmove-XXXXXX");
    if (!mkdtemp(h->top))
        return -1;
    h->alpha = xasprintf("%s/alpha", h->top);
    h->beta = xasprintf("%s/beta", h->top);
    if (mkdir(h->alpha, 0755) < 0 || mkdir(h->beta, 0755) < 0)
        return -1;
    *state = h;
    return 0;
}

static int teardown_hosts(void **state)
{
    struct hosts *h = *state;
    int rc = nftw(h->top, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(h->top);
    free(h->alpha);
    free(h->beta);
    free(h);
    return rc;
}

/* ---- helpers ---- */

static void set_control(const char *root, const char *text)
{
    put_file(root, SIMDIR "/control", text);
}

static struct hv *open_sim_with(const char *root, const struct hv_xl *xl)
{
    struct hv *hv = NULL;
    char *err = NULL;
    if (hv_open("sim", root, xl, &hv, &err) != 0)
        fail_msg("hv_open: %s", err);
    return hv;
}

static struct hv *open_sim(const char *root)
{
    return open_sim_with(root, NULL);
}

static const char *config_text(const char *name, const char *uuid, const char *type)
{
    static char text[512];
    snprintf(text, sizeof(text),
             "name = \"%s\"\nuuid = \"%s\"\ntype = \"%s\"\nmemory = 512\nmaxmem = 1024\n"
             "vcpus = 1\nmaxvcpus = 2\n",
             name, uuid, type);
    return text;
}

/* Create guest name (type: "pv", "pvh" or "hvm") on the host at root;
 * returns its domid. */
static unsigned make_guest(struct hv *hv, const char *root, const char *name, const char *uuid,
                           const char *type)
{
    char *path = xasprintf("/etc/xen/%s.cfg", name);
    put_file(root, path, config_text(name, uuid, type));
    char *rpath = root_path(root, path), *err = NULL;
    struct hv_made made;
    if (hv->ops->create(hv, path, rpath, &made, &err) != 0)
        fail_msg("create %s: %s", name, err);
    free(rpath);
    free(path);
    return made.domid;
}

/* The domain called name on hv: true and *ret filled, or false. */
static bool find_guest(struct hv *hv, const char *name, struct hv_domain *ret)
{
    struct hv_domain d;
    char *err = NULL;
    int rc = hv->ops->lookup(hv, name, &d, &err);
    if (rc < 0)
        fail_msg("lookup %s: %s", name, err);
    if (rc == 0 && ret)
        *ret = d;
    return rc == 0;
}

/* Is name on host root? (a fresh handle, as another process would see it) */
static bool on_host(const char *root, const char *name, struct hv_domain *ret)
{
    struct hv *hv = open_sim(root);
    bool yes = find_guest(hv, name, ret);
    hv->ops->close(hv);
    return yes;
}

#define assert_fails_with(call, want)                                                        \
    do {                                                                                     \
        char *err_ = NULL;                                                                   \
        char **errp = &err_;                                                                 \
        assert_int_equal((call), -1);                                                        \
        assert_non_null(err_);                                                               \
        assert_string_equal(err_, (want));                                                   \
        free(err_);                                                                          \
    } while (0)

static const char *const ssh[] = { "ssh", NULL };
static const char *const scp[] = { "scp", "-q", "-p", NULL };

static struct hv_peer peer_named(const char *host)
{
    return (struct hv_peer){ host, ssh, scp, 0 };
}

/* ---- caps ---- */

static void test_caps(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned caps = 99;
    char *err = NULL;
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, HV_CAP_HAP | HV_CAP_SHADOW);
    set_control(h->alpha, "* hap=0\n");
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, HV_CAP_SHADOW);
    set_control(h->alpha, "* hap=0 shadow=0\n* shadow=1\n");
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, HV_CAP_SHADOW);
    set_control(h->alpha, "* shadow=0\n");
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, HV_CAP_HAP);
    set_control(h->alpha, "* hv_fail=caps\n");
    assert_fails_with(hv->ops->caps(hv, &caps, errp), "simulated hypervisor failure");
    hv->ops->close(hv);
    /* A dry run observes it. */
    set_control(h->alpha, "* hap=0\n");
    assert_int_equal(hv_open_flags("sim", h->alpha, NULL, HV_OPEN_READONLY, &hv, &err), 0);
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, HV_CAP_SHADOW);
    hv->ops->close(hv);
}

static void test_cannot_live_migrate(void **state)
{
    (void)state;
    const char *pv = "live migration of PV guests needs shadow paging, which this "
                     "hypervisor lacks";
    const char *hvm = "live migration of HVM and PVH guests needs HAP or shadow paging, "
                      "which this hypervisor lacks";
    assert_string_equal(hv_cannot_live_migrate(0, false), pv);
    assert_string_equal(hv_cannot_live_migrate(HV_CAP_HAP, false), pv);
    assert_null(hv_cannot_live_migrate(HV_CAP_SHADOW, false));
    assert_string_equal(hv_cannot_live_migrate(0, true), hvm);
    assert_null(hv_cannot_live_migrate(HV_CAP_HAP, true));
    assert_null(hv_cannot_live_migrate(HV_CAP_SHADOW, true));
}

/* ---- save and restore ---- */

static void test_save_then_restore(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "hvm");
    char *err = NULL;
    assert_int_equal(hv->ops->set_memory(hv, id, 786432, &err), 0);
    assert_int_equal(hv->ops->set_vcpus(hv, id, 2, &err), 0);
    put_file(h->alpha, "/var/lib/xen/save/.keep", "");
    char *rpath = root_path(h->alpha, "/var/lib/xen/save/web1");
    assert_int_equal(hv->ops->save(hv, id, "/var/lib/xen/save/web1", rpath, &err), 0);
    assert_null(err);
    assert_false(find_guest(hv, "web1", NULL));
    /* The image: the domain and the config it was made from. */
    char *image = get_file(h->alpha, "/var/lib/xen/save/web1");
    char *want_head = xasprintf("# lcfg-xen simulated save image\nimage 1\n"
                                "domain %u web1 " UUID1 " running - ",
                                id);
    assert_memory_equal(image, want_head, strlen(want_head));
    assert_non_null(strstr(image, " 786432 786432 1048576 2 2 "));
    assert_non_null(strstr(image, " none - - hvm\n"));
    char *want_tail = xasprintf("config /etc/xen/web1.cfg\n%s", config_text("web1", UUID1, "hvm"));
    assert_string_equal(strstr(image, "config "), want_tail);
    free(want_tail);
    free(want_head);
    free(image);

    struct hv_made made = { true, 77 };
    assert_int_equal(hv->ops->restore(hv, "/var/lib/xen/save/web1", rpath, &made, &err), 0);
    assert_null(err);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_true(made.made);
    assert_int_equal(made.domid, d.domid);
    assert_true(d.domid > id);
    assert_string_equal(d.uuid, UUID1);
    assert_int_equal(d.state, DOM_RUNNING);
    assert_int_equal(d.mem_kb, 786432);
    assert_int_equal(d.target_kb, 786432);
    assert_int_equal(d.max_kb, 1048576);
    assert_int_equal(d.vcpus, 2);
    assert_int_equal(d.max_vcpus, 2);
    assert_true(d.hvm);
    /* The image stays (as xl restore leaves it); restoring it again is
     * refused while the guest runs. */
    made = (struct hv_made){ true, 77 };
    char *want = xasprintf("xl restore /var/lib/xen/save/web1: a domain named 'web1' already "
                           "exists (domid %u)",
                           d.domid);
    assert_fails_with(hv->ops->restore(hv, "/var/lib/xen/save/web1", rpath, &made, errp), want);
    assert_false(made.made);
    free(want);
    hv->ops->close(hv);
    /* Between runs the state is in "domains". */
    char *domains = get_file(h->alpha, SIMDIR "/domains");
    assert_non_null(strstr(domains, " web1 " UUID1 " running "));
    free(domains);
    free(rpath);
}

static void test_save_failures(void **state)
{
    struct hosts *h = *state;
    struct hv_xl xl = { NULL, 300, 200 };
    struct hv *hv = open_sim_with(h->alpha, &xl);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    put_file(h->alpha, "/save/.keep", "");
    char *rpath = root_path(h->alpha, "/save/web1");
    char *want;

    set_control(h->alpha, "web1 fail_save=1\n");
    want = xasprintf("xl save %u /save/web1: simulated failure for web1", id);
    assert_fails_with(hv->ops->save(hv, id, "/save/web1", rpath, errp), want);
    free(want);
    assert_true(on_host(h->alpha, "web1", NULL));
    assert_false(exists_under(h->alpha, "/save/web1"));

    set_control(h->alpha, "web1 hang=save\n");
    long long t0 = mono_ms();
    want = xasprintf("xl save %u /save/web1: timed out after 300 ms", id);
    assert_fails_with(hv->ops->save(hv, id, "/save/web1", rpath, errp), want);
    assert_true(mono_ms() - t0 >= 300);
    set_control(h->alpha, "web1 save_ms=5000\n");
    assert_fails_with(hv->ops->save(hv, id, "/save/web1", rpath, errp), want);
    free(want);
    assert_true(on_host(h->alpha, "web1", NULL));
    assert_false(exists_under(h->alpha, "/save/web1"));

    set_control(h->alpha, "* hv_fail=save\n");
    assert_fails_with(hv->ops->save(hv, id, "/save/web1", rpath, errp),
                      "simulated hypervisor failure");
    set_control(h->alpha, "");
    assert_fails_with(hv->ops->save(hv, 0, "/save/web1", rpath, errp),
                      "xl save 0 /save/web1: refusing to touch Domain-0");
    assert_fails_with(hv->ops->save(hv, 42, "/save/web1", rpath, errp),
                      "xl save 42 /save/web1: no domain with id 42");
    /* A directory that is not there: the guest runs on. */
    char *bad = root_path(h->alpha, "/nowhere/web1");
    char *err = NULL;
    assert_int_equal(hv->ops->save(hv, id, "/nowhere/web1", bad, &err), -1);
    assert_non_null(strstr(err, "xl save 1 /nowhere/web1: "));
    free(err);
    free(bad);
    assert_true(on_host(h->alpha, "web1", NULL));

    /* save_ms: the guest runs meanwhile, and is gone after. */
    set_control(h->alpha, "web1 save_ms=300\n");
    t0 = mono_ms();
    assert_int_equal(hv->ops->save(hv, id, "/save/web1", rpath, &err), 0);
    assert_true(mono_ms() - t0 >= 300);
    assert_false(on_host(h->alpha, "web1", NULL));
    assert_true(exists_under(h->alpha, "/save/web1"));
    hv->ops->close(hv);
    free(rpath);
}

/* A save killed before it ends: the guest runs on, no image. */
static void test_save_killed(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    hv->ops->close(hv);
    put_file(h->alpha, "/save/.keep", "");
    set_control(h->alpha, "web1 save_ms=3000\n");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct hv *c = open_sim(h->alpha);
        char *rpath = root_path(h->alpha, "/save/web1"), *err = NULL;
        _exit(c->ops->save(c, id, "/save/web1", rpath, &err) == 0 ? 0 : 1);
    }
    usleep(300 * 1000);
    assert_int_equal(kill(pid, SIGKILL), 0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    struct hv_domain d;
    assert_true(on_host(h->alpha, "web1", &d));
    assert_int_equal(d.domid, id);
    assert_int_equal(d.state, DOM_RUNNING);
    assert_false(exists_under(h->alpha, "/save/web1"));
}

static void test_restore_failures(void **state)
{
    struct hosts *h = *state;
    struct hv_xl xl = { NULL, 300, 200 };
    struct hv *hv = open_sim_with(h->alpha, &xl);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    put_file(h->alpha, "/save/.keep", "");
    char *rpath = root_path(h->alpha, "/save/web1"), *err = NULL;
    assert_int_equal(hv->ops->save(hv, id, "/save/web1", rpath, &err), 0);
    struct hv_made made;

    set_control(h->alpha, "web1 fail_restore=1\n");
    assert_fails_with(hv->ops->restore(hv, "/save/web1", rpath, &made, errp),
                      "xl restore /save/web1: simulated failure for web1");
    assert_false(made.made);
    assert_false(find_guest(hv, "web1", NULL));

    set_control(h->alpha, "* hv_fail=restore\n");
    assert_fails_with(hv->ops->restore(hv, "/save/web1", rpath, &made, errp),
                      "simulated hypervisor failure");
    set_control(h->alpha, "");

    /* Another domain with the image's uuid (renamed). */
    unsigned other = make_guest(hv, h->alpha, "web2", UUID2, "pv");
    assert_int_equal(hv->ops->rename(hv, other, "web1", &err), 0);
    char *want = xasprintf("xl restore /save/web1: a domain named 'web1' already exists "
                           "(domid %u)", other);
    assert_fails_with(hv->ops->restore(hv, "/save/web1", rpath, &made, errp), want);
    free(want);
    assert_int_equal(hv->ops->rename(hv, other, "web2", &err), 0);
    assert_int_equal(hv->ops->destroy(hv, other, &err), 0);
    put_file(h->alpha, "/etc/xen/web3.cfg", config_text("web3", UUID1, "pv"));
    char *r3 = root_path(h->alpha, "/etc/xen/web3.cfg");
    assert_int_equal(hv->ops->create(hv, "/etc/xen/web3.cfg", r3, &made, &err), 0);
    free(r3);
    unsigned w3 = made.domid;
    want = xasprintf("xl restore /save/web1: a domain with uuid " UUID1 " already exists "
                     "(domid %u)", w3);
    assert_fails_with(hv->ops->restore(hv, "/save/web1", rpath, &made, errp), want);
    free(want);
    assert_false(made.made);
    assert_int_equal(hv->ops->destroy(hv, w3, &err), 0);

    /* Not an image, no image. */
    put_file(h->alpha, "/save/junk", "hello\n");
    char *junk = root_path(h->alpha, "/save/junk");
    assert_fails_with(hv->ops->restore(hv, "/save/junk", junk, &made, errp),
                      "xl restore /save/junk: not a save image");
    put_file(h->alpha, "/save/junk", "# lcfg-xen simulated save image\nimage 1\ndomain 1 x\n");
    assert_fails_with(hv->ops->restore(hv, "/save/junk", junk, &made, errp),
                      "xl restore /save/junk: bad domain line");
    free(junk);
    char *none = root_path(h->alpha, "/save/none");
    assert_fails_with(hv->ops->restore(hv, "/save/none", none, &made, errp),
                      "xl restore /save/none: cannot read the image: No such file or directory");
    free(none);

    /* A restore that hangs leaves its domain paused, as create does. */
    set_control(h->alpha, "web1 hang=restore\n");
    long long t0 = mono_ms();
    assert_fails_with(hv->ops->restore(hv, "/save/web1", rpath, &made, errp),
                      "xl restore /save/web1: timed out after 300 ms");
    assert_true(mono_ms() - t0 >= 300);
    assert_true(made.made);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.domid, made.domid);
    assert_int_equal(d.state, DOM_PAUSED);
    assert_int_equal(hv->ops->destroy(hv, d.domid, &err), 0);
    /* restore_ms */
    set_control(h->alpha, "web1 restore_ms=250\n");
    t0 = mono_ms();
    assert_int_equal(hv->ops->restore(hv, "/save/web1", rpath, &made, &err), 0);
    assert_true(mono_ms() - t0 >= 250);
    assert_true(find_guest(hv, "web1", NULL));
    /* Hanging where it would have failed anyway: the timeout is seen. */
    set_control(h->alpha, "web1 hang=restore\n");
    assert_fails_with(hv->ops->restore(hv, "/save/web1", rpath, &made, errp),
                      "xl restore /save/web1: timed out after 300 ms");
    assert_false(made.made);
    hv->ops->close(hv);
    free(rpath);
}

/* ---- migrate ---- */

static void test_migrate_to_peer(void **state)
{
    struct hosts *h = *state;
    struct hv *b = open_sim(h->beta);
    unsigned bid = make_guest(b, h->beta, "db1", UUID2, "pv");
    b->ops->close(b);
    struct hv *hv = open_sim(h->alpha);
    make_guest(hv, h->alpha, "pad", "00000000-0000-0000-0000-00000000000a", "pv");
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    struct hv_peer peer = peer_named("beta");
    peer.timeout_ms = 5000;
    char *err = NULL;
    assert_int_equal(hv->ops->migrate(hv, id, &peer, &err), 0);
    assert_null(err);
    assert_false(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
    struct hv_domain d;
    assert_true(on_host(h->beta, "web1", &d));
    assert_string_equal(d.uuid, UUID1);
    assert_int_equal(d.domid, bid + 1); /* beta's numbering */
    assert_int_equal(d.state, DOM_RUNNING);
    assert_int_equal(d.target_kb, 524288);
    assert_int_equal(d.max_kb, 1048576);
    assert_false(on_host(h->alpha, "web1", NULL));
    /* Both hosts' state is in "domains" between runs. */
    char *domains = get_file(h->beta, SIMDIR "/domains");
    assert_non_null(strstr(domains, " web1 " UUID1 " running "));
    free(domains);
    assert_false(exists_under(h->beta, SIMDIR "/journal"));
    assert_false(exists_under(h->alpha, SIMDIR "/journal"));
    /* Its config went with it (xl keeps it beside the domain). */
    char *cfg = get_file(h->beta, SIMDIR "/config/" UUID1);
    char *want = xasprintf("/etc/xen/web1.cfg\n%s", config_text("web1", UUID1, "pv"));
    assert_string_equal(cfg, want);
    free(want);
    free(cfg);
    /* And back, by the name of the host's root. */
    b = open_sim(h->beta);
    peer = peer_named("alpha");
    assert_int_equal(b->ops->migrate(b, d.domid, &peer, &err), 0);
    b->ops->close(b);
    assert_true(on_host(h->alpha, "web1", NULL));
    assert_false(on_host(h->beta, "web1", NULL));
}

static void test_migrate_to_this_host(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "hvm");
    const char *const empty[] = { NULL };
    struct hv_peer peers[] = {
        { "localhost", ssh, scp, 0 },
        { "alpha", ssh, scp, 0 },
        { "elsewhere", NULL, scp, 0 },
        { "elsewhere", empty, scp, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(peers); i++) {
        char *err = NULL;
        if (hv->ops->migrate(hv, id, &peers[i], &err) != 0)
            fail_msg("peer %zu: %s", i, err);
        struct hv_domain d;
        assert_true(find_guest(hv, "web1", &d));
        assert_int_equal(d.domid, id + 1);
        assert_string_equal(d.uuid, UUID1);
        assert_true(d.hvm);
        assert_int_equal(d.state, DOM_RUNNING);
        id = d.domid;
    }
    hv->ops->close(hv);
    assert_false(on_host(h->beta, "web1", NULL));
}

/* Every failure leaves the guest running here, and nothing there. */
static void check_failed_move(struct hosts *h, unsigned id)
{
    struct hv_domain d;
    assert_true(on_host(h->alpha, "web1", &d));
    assert_int_equal(d.domid, id);
    assert_int_equal(d.state, DOM_RUNNING);
    struct hv *b = open_sim(h->beta);
    struct hv_domain v;
    char *err = NULL;
    assert_int_equal(b->ops->lookup_uuid(b, UUID1, &v, &err), 1);
    b->ops->close(b);
}

static void test_migrate_failures(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    struct hv_peer peer = peer_named("beta");
    peer.timeout_ms = 300;
    char *want;

    struct hv_peer gamma = peer_named("gamma");
    want = xasprintf("xl migrate %u gamma: host 'gamma' is unreachable", id);
    assert_fails_with(hv->ops->migrate(hv, id, &gamma, errp), want);
    free(want);
    struct hv_peer slash = peer_named("../alpha");
    want = xasprintf("xl migrate %u ../alpha: host '../alpha' is unreachable", id);
    assert_fails_with(hv->ops->migrate(hv, id, &slash, errp), want);
    free(want);
    check_failed_move(h, id);

    set_control(h->alpha, "web1 fail_migrate=1\n");
    want = xasprintf("xl migrate %u beta: simulated failure for web1", id);
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp), want);
    free(want);
    check_failed_move(h, id);

    set_control(h->alpha, "* hv_fail=migrate\n");
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp), "simulated hypervisor failure");
    check_failed_move(h, id);
    set_control(h->beta, "* hv_fail=list\n");
    set_control(h->alpha, "");
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp), "simulated hypervisor failure");
    set_control(h->beta, "");
    check_failed_move(h, id);

    /* Caps: a PV guest needs shadow paging, HVM HAP or shadow. */
    set_control(h->alpha, "* shadow=0\n");
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp),
                      "live migration of PV guests needs shadow paging, which this hypervisor "
                      "lacks");
    check_failed_move(h, id);

    set_control(h->alpha, "web1 hang=migrate\n");
    long long t0 = mono_ms();
    want = xasprintf("xl migrate %u beta: timed out after 300 ms", id);
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp), want);
    assert_true(mono_ms() - t0 >= 300);
    check_failed_move(h, id);
    set_control(h->alpha, "web1 migrate_ms=2000\n");
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp), want);
    free(want);
    check_failed_move(h, id);
    set_control(h->alpha, "");

    /* The peer has a domain of that name, or of that uuid. */
    struct hv *b = open_sim(h->beta);
    unsigned bid = make_guest(b, h->beta, "web1", UUID2, "pv");
    want = xasprintf("xl migrate %u beta: on beta a domain named 'web1' already exists "
                     "(domid %u)", id, bid);
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp), want);
    free(want);
    char *err = NULL;
    assert_int_equal(b->ops->rename(b, bid, "other", &err), 0);
    b->ops->close(b);
    struct hv_domain d;
    assert_true(on_host(h->alpha, "web1", &d));
    assert_int_equal(d.domid, id);
    b = open_sim(h->beta);
    assert_int_equal(b->ops->destroy(b, bid, &err), 0);
    unsigned bid2 = make_guest(b, h->beta, "web9", UUID1, "pv");
    b->ops->close(b);
    want = xasprintf("xl migrate %u beta: on beta a domain with uuid " UUID1 " already exists "
                     "(domid %u)", id, bid2);
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp), want);
    free(want);
    assert_true(on_host(h->alpha, "web1", &d));
    assert_int_equal(d.domid, id);

    assert_fails_with(hv->ops->migrate(hv, 0, &peer, errp),
                      "xl migrate 0 beta: refusing to touch Domain-0");
    assert_fails_with(hv->ops->migrate(hv, 99, &peer, errp),
                      "xl migrate 99 beta: no domain with id 99");
    hv->ops->close(hv);
}

static void test_migrate_caps_by_type(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned pv = make_guest(hv, h->alpha, "pv1", UUID1, "pv");
    unsigned hvm = make_guest(hv, h->alpha, "hvm1", UUID2, "hvm");
    struct hv_peer peer = peer_named("beta");
    char *err = NULL;
    set_control(h->alpha, "* hap=0 shadow=0\n");
    assert_fails_with(hv->ops->migrate(hv, hvm, &peer, errp),
                      "live migration of HVM and PVH guests needs HAP or shadow paging, which "
                      "this hypervisor lacks");
    /* Debian 12's: HAP without shadow. */
    set_control(h->alpha, "* hap=1 shadow=0\n");
    assert_fails_with(hv->ops->migrate(hv, pv, &peer, errp),
                      "live migration of PV guests needs shadow paging, which this hypervisor "
                      "lacks");
    assert_int_equal(hv->ops->migrate(hv, hvm, &peer, &err), 0);
    set_control(h->alpha, "* hap=0 shadow=1\n");
    assert_int_equal(hv->ops->migrate(hv, pv, &peer, &err), 0);
    hv->ops->close(hv);
    assert_true(on_host(h->beta, "pv1", NULL));
    assert_true(on_host(h->beta, "hvm1", NULL));
    assert_false(on_host(h->alpha, "pv1", NULL));
    assert_false(on_host(h->alpha, "hvm1", NULL));
}

/* An observer holding both hosts' locks (shared, as a reader) sees the
 * guest on exactly one host, every time, all through a slow migration. */
static void test_migrate_never_on_both_or_neither(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    struct hv *b = open_sim(h->beta);
    b->ops->close(b);
    set_control(h->alpha, "web1 migrate_ms=400\n");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct hv_peer peer = peer_named("beta");
        char *err = NULL;
        _exit(hv->ops->migrate(hv, id, &peer, &err) == 0 ? 0 : 1);
    }
    char *la = root_path(h->alpha, SIMDIR "/lock"), *lb = root_path(h->beta, SIMDIR "/lock");
    int fa = open(la, O_RDONLY), fb = open(lb, O_RDONLY);
    assert_true(fa >= 0 && fb >= 0);
    struct hv *ra, *rb;
    char *err = NULL;
    assert_int_equal(hv_open_flags("sim", h->alpha, NULL, HV_OPEN_READONLY, &ra, &err), 0);
    assert_int_equal(hv_open_flags("sim", h->beta, NULL, HV_OPEN_READONLY, &rb, &err), 0);
    size_t here = 0, there = 0;
    long long t0 = mono_ms();
    for (int done = 0; !done && mono_ms() - t0 < 5000;) {
        done = waitpid(pid, NULL, WNOHANG) == pid;
        /* alpha's path sorts first */
        assert_int_equal(flock(fa, LOCK_SH), 0);
        assert_int_equal(flock(fb, LOCK_SH), 0);
        bool a = find_guest(ra, "web1", NULL), bb = find_guest(rb, "web1", NULL);
        flock(fb, LOCK_UN);
        flock(fa, LOCK_UN);
        if (a == bb)
            fail_msg("web1 seen on %s", a ? "both hosts" : "neither host");
        here += a;
        there += bb;
        usleep(5000);
    }
    assert_true(here > 0);
    assert_true(there > 0);
    ra->ops->close(ra);
    rb->ops->close(rb);
    close(fa);
    close(fb);
    free(la);
    free(lb);
    hv->ops->close(hv);
}

/* A migration killed before its end: the guest runs on here only. */
static void test_migrate_killed(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    hv->ops->close(hv);
    set_control(h->alpha, "web1 migrate_ms=3000\n");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct hv *c = open_sim(h->alpha);
        struct hv_peer peer = peer_named("beta");
        char *err = NULL;
        _exit(c->ops->migrate(c, id, &peer, &err) == 0 ? 0 : 1);
    }
    usleep(300 * 1000);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    check_failed_move(h, id);
}

/* Moves in opposite directions at once do not deadlock. */
static void test_migrate_crossing(void **state)
{
    struct hosts *h = *state;
    struct hv *a = open_sim(h->alpha), *b = open_sim(h->beta);
    unsigned ida = make_guest(a, h->alpha, "web1", UUID1, "pv");
    unsigned idb = make_guest(b, h->beta, "db1", UUID2, "pv");
    a->ops->close(a);
    b->ops->close(b);
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            alarm(20);
            const char *root = k ? h->beta : h->alpha;
            const char *name = k ? "db1" : "web1";
            unsigned id = k ? idb : ida;
            for (int i = 0; i < 20; i++) {
                struct hv *hv = open_sim(root);
                struct hv_peer peer = peer_named(k ? "alpha" : "beta");
                char *err = NULL;
                if (hv->ops->migrate(hv, id, &peer, &err) != 0)
                    _exit(1);
                hv->ops->close(hv);
                struct hv_domain d;
                hv = open_sim(k ? h->alpha : h->beta);
                if (!find_guest(hv, name, &d))
                    _exit(2);
                hv->ops->close(hv);
                peer = peer_named(k ? "beta" : "alpha");
                hv = open_sim(k ? h->alpha : h->beta);
                if (hv->ops->migrate(hv, d.domid, &peer, &err) != 0)
                    _exit(3);
                hv->ops->close(hv);
                hv = open_sim(root);
                if (!find_guest(hv, name, &d))
                    _exit(4);
                id = d.domid;
                hv->ops->close(hv);
            }
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            fail_msg("child %d: %s %d", k, WIFEXITED(st) ? "exit" : "signal",
                     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    }
    assert_true(on_host(h->alpha, "web1", NULL));
    assert_true(on_host(h->beta, "db1", NULL));
    assert_false(on_host(h->beta, "web1", NULL));
    assert_false(on_host(h->alpha, "db1", NULL));
}

/* ---- a cold move: save, send, restore_at ---- */

static void test_cold_move(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    put_file(h->alpha, "/save/.keep", "");
    put_file(h->beta, "/save/.keep", "");
    char *rpath = root_path(h->alpha, "/save/web1"), *err = NULL;
    struct hv_peer peer = peer_named("beta");
    assert_int_equal(hv->ops->save(hv, id, "/save/web1", rpath, &err), 0);
    assert_int_equal(hv->ops->send(hv, "/save/web1", rpath, &peer, &err), 0);
    char *mine = get_file(h->alpha, "/save/web1"), *theirs = get_file(h->beta, "/save/web1");
    assert_string_equal(mine, theirs);
    free(mine);
    free(theirs);
    assert_int_equal(hv->ops->restore_at(hv, &peer, "/save/web1", &err), 0);
    assert_null(err);
    assert_false(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
    struct hv_domain d;
    assert_true(on_host(h->beta, "web1", &d));
    assert_string_equal(d.uuid, UUID1);
    assert_int_equal(d.domid, 1);
    char *cfg = get_file(h->beta, SIMDIR "/config/" UUID1);
    assert_non_null(strstr(cfg, "/etc/xen/web1.cfg\nname = \"web1\"\n"));
    free(cfg);
    free(rpath);
}

static void test_send_and_restore_at_failures(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    put_file(h->alpha, "/save/.keep", "");
    char *rpath = root_path(h->alpha, "/save/web1"), *err = NULL;
    assert_int_equal(hv->ops->save(hv, id, "/save/web1", rpath, &err), 0);
    struct hv_peer peer = peer_named("beta"), gamma = peer_named("gamma");
    struct hv_peer self = peer_named("localhost");

    /* To this host: the file is already there. */
    assert_int_equal(hv->ops->send(hv, "/save/web1", rpath, &self, &err), 0);
    assert_fails_with(hv->ops->send(hv, "/save/web1", rpath, &gamma, errp),
                      "copying /save/web1 to gamma: host 'gamma' is unreachable");
    set_control(h->alpha, "* hv_fail=send\n");
    assert_fails_with(hv->ops->send(hv, "/save/web1", rpath, &peer, errp),
                      "simulated hypervisor failure");
    set_control(h->alpha, "");
    /* No such directory there. */
    assert_int_equal(hv->ops->send(hv, "/save/web1", rpath, &peer, &err), -1);
    assert_non_null(strstr(err, "copying /save/web1 to beta: "));
    free(err);
    err = NULL;
    assert_false(exists_under(h->beta, "/save/web1"));

    assert_fails_with(hv->ops->restore_at(hv, &gamma, "/save/web1", errp),
                      "xl restore /save/web1 on gamma: host 'gamma' is unreachable");
    assert_fails_with(hv->ops->restore_at(hv, &peer, "/save/web1", errp),
                      "beta: xl restore /save/web1: cannot read the image: No such file or "
                      "directory");
    put_file(h->beta, "/save/.keep", "");
    assert_int_equal(hv->ops->send(hv, "/save/web1", rpath, &peer, &err), 0);
    set_control(h->beta, "web1 fail_restore=1\n");
    assert_fails_with(hv->ops->restore_at(hv, &peer, "/save/web1", errp),
                      "beta: xl restore /save/web1: simulated failure for web1");
    assert_false(on_host(h->beta, "web1", NULL));
    set_control(h->beta, "");
    /* restore_at this host */
    assert_int_equal(hv->ops->restore_at(hv, &self, "/save/web1", &err), 0);
    assert_true(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
    assert_false(on_host(h->beta, "web1", NULL));
    free(rpath);
}

static void test_readonly_refuses(void **state)
{
    struct hosts *h = *state;
    struct hv *hv = open_sim(h->alpha);
    unsigned id = make_guest(hv, h->alpha, "web1", UUID1, "pv");
    hv->ops->close(hv);
    char *err = NULL;
    assert_int_equal(hv_open_flags("sim", h->alpha, NULL, HV_OPEN_READONLY, &hv, &err), 0);
    char *rpath = root_path(h->alpha, "/save/web1");
    struct hv_peer peer = peer_named("beta");
    assert_fails_with(hv->ops->save(hv, id, "/save/web1", rpath, errp),
                      "read-only hypervisor handle: save refused");
    assert_fails_with(hv->ops->restore(hv, "/save/web1", rpath, NULL, errp),
                      "read-only hypervisor handle: restore refused");
    assert_fails_with(hv->ops->migrate(hv, id, &peer, errp),
                      "read-only hypervisor handle: migrate refused");
    assert_fails_with(hv->ops->send(hv, "/save/web1", rpath, &peer, errp),
                      "read-only hypervisor handle: send refused");
    assert_fails_with(hv->ops->restore_at(hv, &peer, "/save/web1", errp),
                      "read-only hypervisor handle: restore_at refused");
    hv->ops->close(hv);
    assert_true(on_host(h->alpha, "web1", NULL));
    assert_false(exists_under(h->beta, SIMDIR));
    free(rpath);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_hosts, teardown_hosts)
    const struct CMUnitTest tests[] = {
        T(test_caps),
        T(test_cannot_live_migrate),
        T(test_save_then_restore),
        T(test_save_failures),
        T(test_save_killed),
        T(test_restore_failures),
        T(test_migrate_to_peer),
        T(test_migrate_to_this_host),
        T(test_migrate_failures),
        T(test_migrate_caps_by_type),
        T(test_migrate_never_on_both_or_neither),
        T(test_migrate_killed),
        T(test_migrate_crossing),
        T(test_cold_move),
        T(test_send_and_restore_at_failures),
        T(test_readonly_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
