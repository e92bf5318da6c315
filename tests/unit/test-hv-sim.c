/* test-hv-sim.c: the simulated hypervisor (src/hv_sim.c) and the choice of
 * backend (src/hv.c). Each test works in its own root under /tmp, which it
 * removes again; the simulator keeps its state there. */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "hv.h"
#include "hv_impl.h"
#include "lock.h"
#include "paths.h"
#include "util.h"
#include "testroot.h"

#define UUID1 "11111111-2222-3333-4444-555555555555"
#define UUID2 "66666666-7777-8888-9999-aaaaaaaaaaaa"
#define UUID3 "bbbbbbbb-cccc-dddd-eeee-ffffffffffff"
#define SIMDIR "/var/lib/lcfg/xen/sim"

/* ---- fixture: a fresh root per test ---- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup_root(void **state)
{
    char *dir = strdup("/tmp/lcfgxen-hvsim-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown_root(void **state)
{
    char *dir = *state;
    int rc = nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
    return rc;
}

/* ---- helpers ---- */

/* The simulator's state as its files hold it while a handle is open:
 * "domains", then the journal's changes since, each on a line of its own
 * as "domains" has it ("set " and the record's serial left out). */
static char *get_state(const char *root)
{
    char *text = get_file(root, SIMDIR "/domains");
    char *path = root_path(root, SIMDIR "/journal");
    char *journal = NULL;
    if (access(path, F_OK) == 0)
        journal = test_read_file(path);
    free(path);
    struct buf b = BUF_INIT;
    buf_adds(&b, text);
    for (char *line = journal, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *p = line + strspn(line, "0123456789 ");
        for (char *c = p, *semi; c; c = semi) {
            semi = strstr(c, " ; ");
            if (semi) {
                *semi = '\0';
                semi += 3;
            }
            if (!strncmp(c, "set ", 4))
                c += 4;
            buf_addf(&b, "%s\n", c);
        }
    }
    free(journal);
    free(text);
    char *state = xstrdup(buf_str(&b));
    buf_free(&b);
    return state;
}

static void set_control(const char *root, const char *text)
{
    put_file(root, SIMDIR "/control", text);
}

/* With xl's timeouts (NULL: the defaults). */
static struct hv *open_sim_with(const char *root, const struct hv_xl *xl)
{
    struct hv *hv = NULL;
    char *err = NULL;
    int rc = hv_open("sim", root, xl, &hv, &err);
    if (rc != 0)
        fail_msg("hv_open: %s", err);
    assert_non_null(hv);
    assert_string_equal(hv->ops->name, "sim");
    return hv;
}

static struct hv *open_sim(const char *root)
{
    return open_sim_with(root, NULL);
}

/* A guest configuration as the component writes it, under /etc/xen. */
static void write_config(const char *root, const char *name, const char *uuid,
                         const char *settings)
{
    char *path = xasprintf("/etc/xen/%s.cfg", name);
    char *text = xasprintf("# %s: written by the LCFG xen component from xen-guest.cfg.tmpl.\n"
                           "# Do not edit: change the xen.*_%s resources of the host's "
                           "profile.\n"
                           "name = \"%s\"\n"
                           "uuid = \"%s\"\n"
                           "type = \"pvh\"\n"
                           "%s"
                           "disk = [\n"
                           "    \"format=raw, vdev=xvda, access=rw, target=/dev/vg0/%s\",\n"
                           "]\n"
                           "vif = [\n"
                           "    \"mac=00:16:3e:00:00:01, bridge=xenbr0, script=vif-bridge\",\n"
                           "]\n"
                           "on_poweroff = \"destroy\"\n"
                           "on_reboot = \"restart\"\n"
                           "on_crash = \"preserve\"\n",
                           name, name, name, uuid, settings, name);
    put_file(root, path, text);
    free(text);
    free(path);
}

/* Create from /etc/xen/NAME.cfg; returns the rc, *err set on failure. */
static int create_from(struct hv *hv, const char *root, const char *name, char **err)
{
    char *path = xasprintf("/etc/xen/%s.cfg", name);
    char *rpath = root_path(root, path);
    int rc = hv->ops->create(hv, path, rpath, NULL, err);
    free(rpath);
    free(path);
    return rc;
}

/* Write a standard guest and create it, which must work. */
static time_t realtime_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

static void create_guest(struct hv *hv, const char *root, const char *name, const char *uuid)
{
    write_config(root, name, uuid,
                 "memory = 512\nmaxmem = 1024\nvcpus = 1\nmaxvcpus = 2\n");
    char *err = NULL;
    if (create_from(hv, root, name, &err) != 0)
        fail_msg("create %s: %s", name, err);
    assert_null(err);
}

static size_t list_all(struct hv *hv, struct hv_domain **ret)
{
    size_t n = 0;
    char *err = NULL;
    if (hv->ops->list(hv, ret, &n, &err) != 0)
        fail_msg("list: %s", err);
    return n;
}

/* The domain called name: true and *ret filled, or false. */
static bool find_guest(struct hv *hv, const char *name, struct hv_domain *ret)
{
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v[i].name, name)) {
            if (ret)
                *ret = v[i];
            found = true;
        }
    }
    free(v);
    return found;
}

static unsigned domid_of(struct hv *hv, const char *name)
{
    struct hv_domain d;
    if (!find_guest(hv, name, &d))
        fail_msg("%s is not listed", name);
    return d.domid;
}

/* Run an operation expected to fail with exactly want; the call passes
 * errp as its error pointer. */
#define assert_fails_with(call, want)                                                        \
    do {                                                                                     \
        char *err_ = NULL;                                                                   \
        char **errp = &err_;                                                                 \
        assert_int_equal((call), -1);                                                        \
        assert_non_null(err_);                                                               \
        assert_string_equal(err_, (want));                                                   \
        free(err_);                                                                          \
    } while (0)

/* ---- dom0 and the state directory ---- */

static void test_dom0_always_listed(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].domid, 0);
    assert_string_equal(v[0].name, "Domain-0");
    assert_string_equal(v[0].uuid, "00000000-0000-0000-0000-000000000000");
    assert_int_equal(v[0].state, DOM_RUNNING);
    assert_int_equal(v[0].mem_kb, 4ULL * 1024 * 1024);
    assert_int_equal(v[0].target_kb, 4ULL * 1024 * 1024);
    assert_int_equal(v[0].vcpus, 2);
    assert_int_equal(v[0].max_vcpus, 2);
    assert_true(v[0].start_time > 0);
    free(v);
    hv->ops->close(hv);
}

static void test_state_directory_created(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    char *dir = root_path(root, SIMDIR);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0755);
    free(dir);
    /* The initial state is written at once, with dom0 and next_domid 1. */
    char *text = get_file(root, SIMDIR "/domains");
    assert_non_null(strstr(text, "\nnext_domid 1\n"));
    assert_non_null(strstr(text, "\n0 Domain-0 00000000-0000-0000-0000-000000000000 running - "
                                 "4194304 4194304 4194304 2 2 "));
    free(text);
    hv->ops->close(hv);
}

/* ---- create ---- */

static void test_create_from_config(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    /* The simulator's clock is CLOCK_REALTIME; time() is the coarse one,
     * up to a tick behind it (so at a second's edge, a second behind). */
    time_t before = realtime_s();
    create_guest(hv, root, "web1", UUID1);
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].domid, 0);
    struct hv_domain *d = &v[1];
    assert_int_equal(d->domid, 1);
    assert_string_equal(d->name, "web1");
    assert_string_equal(d->uuid, UUID1);
    assert_int_equal(d->state, DOM_RUNNING);
    assert_int_equal(d->mem_kb, 512 * 1024);
    assert_int_equal(d->target_kb, 512 * 1024);
    assert_int_equal(d->max_kb, 1024 * 1024);
    assert_int_equal(d->vcpus, 1);
    assert_int_equal(d->max_vcpus, 2);
    assert_true(d->cpu_seconds == 0.0);
    assert_true(d->start_time >= before && d->start_time <= realtime_s());
    free(v);

    /* One line per domain in the state, the pending event none. */
    char *text = get_state(root);
    assert_non_null(strstr(text, "\nnext_domid 2\n"));
    assert_non_null(strstr(text, "\n1 web1 " UUID1 " running - 524288 524288 1048576 1 2 "));
    assert_non_null(strstr(text, " none - -\n"));
    free(text);
    hv->ops->close(hv);
}

static void test_create_defaults_and_syntax(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    /* No maxmem, maxvcpus or vcpus; an upper-case uuid; ';' separators,
     * comments after values, single quotes, hex and a quoted number; a
     * list holding ']' and '#' in strings. */
    put_file(root, "/etc/xen/db1.cfg",
             "name = 'db1'; uuid = \"66666666-7777-8888-9999-AAAAAAAAAAAA\" # the uuid\n"
             "memory = 0x100\n"
             "extra = \"console=hvc0 root=/dev/xvda1\"\n"
             "disk = [ 'target=/a]b#c', # a comment ]\n"
             "         \"target=/x\" ]\n"
             "kernel = \"/boot/vmlinuz\"\n");
    char *err = NULL;
    if (create_from(hv, root, "db1", &err) != 0)
        fail_msg("create: %s", err);
    struct hv_domain d;
    assert_true(find_guest(hv, "db1", &d));
    assert_string_equal(d.uuid, "66666666-7777-8888-9999-aaaaaaaaaaaa");
    assert_int_equal(d.mem_kb, 256 * 1024);
    assert_int_equal(d.max_kb, 256 * 1024);
    assert_int_equal(d.vcpus, 1);
    assert_int_equal(d.max_vcpus, 1);

    /* vcpus without maxvcpus: the maximum is vcpus; "512" in quotes too. */
    write_config(root, "db2", UUID3, "memory = \"512\"\nvcpus = 3\n");
    if (create_from(hv, root, "db2", &err) != 0)
        fail_msg("create: %s", err);
    assert_true(find_guest(hv, "db2", &d));
    assert_int_equal(d.mem_kb, 512 * 1024);
    assert_int_equal(d.vcpus, 3);
    assert_int_equal(d.max_vcpus, 3);
    hv->ops->close(hv);
}

static void test_create_missing_settings(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    put_file(root, "/etc/xen/a.cfg", "uuid = \"" UUID1 "\"\nmemory = 512\n");
    assert_fails_with(create_from(hv, root, "a", errp),
                      "xl create: /etc/xen/a.cfg: no name setting");
    put_file(root, "/etc/xen/b.cfg", "name = \"b\"\nmemory = 512\n");
    assert_fails_with(create_from(hv, root, "b", errp),
                      "xl create: /etc/xen/b.cfg: no uuid setting");
    put_file(root, "/etc/xen/c.cfg", "name = \"c\"\nuuid = \"" UUID1 "\"\nvcpus = 2\n");
    assert_fails_with(create_from(hv, root, "c", errp),
                      "xl create: /etc/xen/c.cfg: no memory setting");
    assert_fails_with(create_from(hv, root, "nosuch", errp),
                      "xl create: cannot read /etc/xen/nosuch.cfg: No such file or directory");
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    assert_int_equal(n, 1);
    free(v);
    hv->ops->close(hv);
}

static void test_create_bad_config(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    static const struct {
        const char *text, *err;
    } cases[] = {
        { "name = \"x\"\nmemory = \"big\"\n",
          "xl create: /etc/xen/x.cfg:2: memory must be a number" },
        { "name = 5\n", "xl create: /etc/xen/x.cfg:1: name must be a string" },
        { "name \"x\"\n", "xl create: /etc/xen/x.cfg:1: expected '=' after name" },
        { "\n\nname = \"x\n", "xl create: /etc/xen/x.cfg:3: unterminated string" },
        { "disk = [ \"a\",\n", "xl create: /etc/xen/x.cfg:1: unterminated list" },
        { "name = \"x\" junk\n",
          "xl create: /etc/xen/x.cfg:1: unexpected text after the value of name" },
        { "= 1\n", "xl create: /etc/xen/x.cfg:1: syntax error" },
        { "name = \"x y\"\nuuid = \"" UUID1 "\"\nmemory = 1\n",
          "xl create: /etc/xen/x.cfg: invalid name 'x y'" },
        { "name = \"x\"\nuuid = \"nope\"\nmemory = 1\n",
          "xl create: /etc/xen/x.cfg: invalid uuid 'nope'" },
        { "name = \"x\"\nuuid = \"" UUID1 "\"\nmemory = 512\nmaxmem = 256\n",
          "xl create: /etc/xen/x.cfg: maxmem (256 MiB) is below memory (512 MiB)" },
        { "name = \"x\"\nuuid = \"" UUID1 "\"\nmemory = 512\nvcpus = 4\nmaxvcpus = 2\n",
          "xl create: /etc/xen/x.cfg: maxvcpus (2) is below vcpus (4)" },
        { "name = \"x\"\nuuid = \"" UUID1 "\"\nmemory = 0\n",
          "xl create: /etc/xen/x.cfg: memory must be between 1 and 1073741824 MiB" },
        { "name = \"x\"\nuuid = \"" UUID1 "\"\nmemory = 1\nvcpus = 0\n",
          "xl create: /etc/xen/x.cfg: vcpus must be between 1 and 4096" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        put_file(root, "/etc/xen/x.cfg", cases[i].text);
        assert_fails_with(create_from(hv, root, "x", errp), cases[i].err);
    }
    hv->ops->close(hv);
}

static void test_domids_increase_never_reused(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    create_guest(hv, root, "web2", UUID2);
    assert_int_equal(domid_of(hv, "web1"), 1);
    assert_int_equal(domid_of(hv, "web2"), 2);
    char *err = NULL;
    assert_int_equal(hv->ops->destroy(hv, 2, &err), 0);
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_null(err);
    create_guest(hv, root, "web2", UUID2);
    create_guest(hv, root, "web1", UUID1);
    assert_int_equal(domid_of(hv, "web2"), 3);
    assert_int_equal(domid_of(hv, "web1"), 4);
    /* Listed in domid order. */
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    assert_int_equal(n, 3);
    assert_int_equal(v[0].domid, 0);
    assert_int_equal(v[1].domid, 3);
    assert_int_equal(v[2].domid, 4);
    free(v);
    hv->ops->close(hv);
}

static void test_state_persists(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    create_guest(hv, root, "web2", UUID2);
    char *err = NULL;
    assert_int_equal(hv->ops->set_memory(hv, 2, 700 * 1024, &err), 0);
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    hv->ops->close(hv);

    hv = open_sim(root);
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    assert_int_equal(n, 2);
    assert_string_equal(v[1].name, "web2");
    assert_int_equal(v[1].domid, 2);
    assert_int_equal(v[1].mem_kb, 700 * 1024);
    free(v);
    /* The domid counter persisted too. */
    create_guest(hv, root, "web1", UUID1);
    assert_int_equal(domid_of(hv, "web1"), 3);
    hv->ops->close(hv);
}

static void test_two_handles_see_each_other(void **state)
{
    /* Every operation re-reads the state: another process's changes show. */
    const char *root = *state;
    struct hv *a = open_sim(root), *b = open_sim(root);
    create_guest(a, root, "web1", UUID1);
    assert_int_equal(domid_of(b, "web1"), 1);
    create_guest(b, root, "web2", UUID2);
    assert_int_equal(domid_of(a, "web2"), 2);
    char *err = NULL;
    assert_int_equal(b->ops->destroy(b, 1, &err), 0);
    assert_false(find_guest(a, "web1", NULL));
    a->ops->close(a);
    b->ops->close(b);
}

/* The other side of test_concurrent_creates, run as a separate program
 * (as each run of the component is): open, create NAME, list, close. */
static int child_create(const char *root, const char *name)
{
    struct hv *hv = NULL;
    char *err = NULL;
    int rc = hv_open("sim", root, NULL, &hv, &err);
    if (rc == 0) {
        rc = create_from(hv, root, name, &err);
        /* A status run listing meanwhile must not undo anything. */
        struct hv_domain *v = NULL;
        size_t n;
        if (rc == 0)
            rc = hv->ops->list(hv, &v, &n, &err);
        free(v);
        hv->ops->close(hv);
    }
    if (rc != 0)
        fprintf(stderr, "child %s: %s\n", name, err);
    free(err);
    return rc == 0 ? 0 : 1;
}

static void test_concurrent_creates(void **state)
{
    /* Processes that create at once lose nothing and share no domid. */
    const char *root = *state;
    enum { KIDS = 6 };
    char names[KIDS][32];
    for (int i = 0; i < KIDS; i++) {
        snprintf(names[i], sizeof(names[i]), "guest%d", i);
        char uuid[48];
        snprintf(uuid, sizeof(uuid), "%08d-0000-0000-0000-000000000000", i + 1);
        write_config(root, names[i], uuid, "memory = 128\n");
    }
    /* This program again (exec, so that a child shares no memory). */
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    assert_true(len > 0);
    self[len] = '\0';
    pid_t pids[KIDS];
    for (int i = 0; i < KIDS; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            execl(self, self, "--child-create", root, names[i], (char *)NULL);
            _exit(127);
        }
    }
    int failed = 0;
    for (int i = 0; i < KIDS; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed++;
    }
    assert_int_equal(failed, 0);
    struct hv *hv = open_sim(root);
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    assert_int_equal(n, KIDS + 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].domid, i);
    free(v);
    hv->ops->close(hv);
}

static void test_duplicate_name_refused(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    /* Same name, another uuid. */
    put_file(root, "/etc/xen/other.cfg",
             "name = \"web1\"\nuuid = \"" UUID2 "\"\nmemory = 256\n");
    assert_fails_with(create_from(hv, root, "other", errp),
                      "xl create: a domain named 'web1' already exists (domid 1)");
    /* Domain-0 is a name too. */
    put_file(root, "/etc/xen/other.cfg",
             "name = \"Domain-0\"\nuuid = \"" UUID2 "\"\nmemory = 256\n");
    assert_fails_with(create_from(hv, root, "other", errp),
                      "xl create: a domain named 'Domain-0' already exists (domid 0)");
    struct hv_domain *v;
    assert_int_equal(list_all(hv, &v), 2);
    free(v);
    hv->ops->close(hv);
}

static void test_duplicate_uuid_refused(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    write_config(root, "web2", UUID1, "memory = 256\n");
    assert_fails_with(create_from(hv, root, "web2", errp),
                      "xl create: a domain with uuid " UUID1 " already exists (domid 1)");
    assert_false(find_guest(hv, "web2", NULL));
    hv->ops->close(hv);
}

static void test_fail_create_leaves_nothing(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    set_control(root, "# a test's control file\nweb2 fail_create=1\n");
    char *before = get_file(root, SIMDIR "/domains");
    write_config(root, "web2", UUID2, "memory = 256\n");
    assert_fails_with(create_from(hv, root, "web2", errp),
                      "xl create: simulated failure for web2");
    char *after = get_file(root, SIMDIR "/domains");
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_false(find_guest(hv, "web2", NULL));
    /* Only web2 fails; with the line gone it works. */
    set_control(root, "web2 fail_create=0\n");
    char *err = NULL;
    assert_int_equal(create_from(hv, root, "web2", &err), 0);
    assert_int_equal(domid_of(hv, "web2"), 2);
    hv->ops->close(hv);
}

/* half_create: the create fails, but its domain stays, paused. */
static void test_half_create_leaves_a_paused_domain(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    set_control(root, "web1 half_create=1\n");
    write_config(root, "web1", UUID1, "memory = 256\n");
    assert_fails_with(create_from(hv, root, "web1", errp),
                      "xl create: simulated failure for web1 after its domain was built");
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.domid, 1);
    assert_int_equal(d.state, DOM_PAUSED);
    char *err = NULL;
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_false(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
}

/* create_ms: the create takes that long, and is counted while it does. */
static void test_create_takes_create_ms(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    set_control(root, "web1 create_ms=300\n");
    write_config(root, "web1", UUID1, "memory = 256\n");
    long long t0 = mono_ms();
    char *err = NULL;
    assert_int_equal(create_from(hv, root, "web1", &err), 0);
    assert_true(mono_ms() - t0 >= 300);
    char *creating = get_file(root, SIMDIR "/creating");
    assert_string_equal(creating, "0 1\n");
    free(creating);
    /* Without create_ms: at once, and not counted. */
    write_config(root, "web2", UUID2, "memory = 256\n");
    t0 = mono_ms();
    assert_int_equal(create_from(hv, root, "web2", &err), 0);
    assert_true(mono_ms() - t0 < 300);
    assert_int_equal(domid_of(hv, "web2"), 2);
    hv->ops->close(hv);
}

/* hang=create: the create is given up after xl's create timeout, with
 * the xen backend's words, and leaves its domain behind, paused, as an xl
 * killed mid-create does; so does a create_ms beyond the timeout. */
static void test_hang_create_times_out(void **state)
{
    const char *root = *state;
    struct hv_xl xl = { NULL, 300, 200 };
    struct hv *hv = open_sim_with(root, &xl);
    set_control(root, "web1 hang=create\nweb3 create_ms=5000\n");
    write_config(root, "web1", UUID1, "memory = 256\n");
    long long t0 = mono_ms();
    assert_fails_with(create_from(hv, root, "web1", errp),
                      "xl create -f /etc/xen/web1.cfg: timed out after 300 ms");
    long long took = mono_ms() - t0;
    if (took < 300 || took > 2000)
        fail_msg("the hanging create ended after %lld ms, want about 300", took);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.domid, 1);
    assert_int_equal(d.state, DOM_PAUSED);
    /* counted while it hung, and no longer */
    char *creating = get_file(root, SIMDIR "/creating");
    assert_string_equal(creating, "0 1\n");
    free(creating);
    /* Other guests do not hang. */
    write_config(root, "web2", UUID2, "memory = 256\n");
    t0 = mono_ms();
    char *err = NULL;
    assert_int_equal(create_from(hv, root, "web2", &err), 0);
    assert_true(mono_ms() - t0 < 300);
    /* Slower than the timeout is the same as hanging. */
    write_config(root, "web3", UUID3, "memory = 256\n");
    t0 = mono_ms();
    assert_fails_with(create_from(hv, root, "web3", errp),
                      "xl create -f /etc/xen/web3.cfg: timed out after 300 ms");
    assert_true(mono_ms() - t0 < 2000);
    assert_true(find_guest(hv, "web3", &d));
    assert_int_equal(d.state, DOM_PAUSED);
    /* Where the create would have failed anyway, the timeout is what is
     * seen, and nothing is left. */
    set_control(root, "web2 hang=create\n");
    assert_fails_with(create_from(hv, root, "web2", errp),
                      "xl create -f /etc/xen/web2.cfg: timed out after 300 ms");
    /* The remains can be destroyed, and the guest created again. */
    set_control(root, "");
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_int_equal(create_from(hv, root, "web1", &err), 0);
    assert_null(err);
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.state, DOM_RUNNING);
    hv->ops->close(hv);
}

/* hang=destroy,set_memory,set_vcpus: each is given up after xl's timeout
 * and changes nothing; the lock is not held while it hangs. */
static void test_hang_other_operations(void **state)
{
    const char *root = *state;
    struct hv_xl xl = { NULL, 5000, 200 };
    struct hv *hv = open_sim_with(root, &xl);
    create_guest(hv, root, "web1", UUID1);
    create_guest(hv, root, "web2", UUID2);
    set_control(root, "* hang=destroy,set_memory,set_vcpus ignore_shutdown=1\nweb2 hang=\n");
    char *before = get_file(root, SIMDIR "/domains");
    long long t0 = mono_ms();
    assert_fails_with(hv->ops->destroy(hv, 1, errp), "xl destroy 1: timed out after 200 ms");
    long long took = mono_ms() - t0;
    if (took < 200 || took > 2000)
        fail_msg("the hanging destroy ended after %lld ms, want about 200", took);
    assert_fails_with(hv->ops->set_memory(hv, 1, 786432, errp),
                      "xl mem-set 1 786432k: timed out after 200 ms");
    assert_fails_with(hv->ops->set_vcpus(hv, 1, 2, errp),
                      "xl vcpu-set 1 2: timed out after 200 ms");
    char *after = get_file(root, SIMDIR "/domains");
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* Checked first, as xl is not run for them: at once. */
    t0 = mono_ms();
    assert_fails_with(hv->ops->destroy(hv, 0, errp), "refusing to touch Domain-0");
    assert_fails_with(hv->ops->destroy(hv, 9, errp), "no domain with id 9");
    /* Shutdown is no xl command: it does not hang (and web1 ignores it). */
    char *err = NULL;
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    /* web2's own line overrides the "*" line. */
    assert_int_equal(hv->ops->set_vcpus(hv, 2, 2, &err), 0);
    assert_int_equal(hv->ops->destroy(hv, 2, &err), 0);
    assert_null(err);
    assert_true(mono_ms() - t0 < 200);

    /* While one process hangs in a destroy, another is not held up. */
    set_control(root, "web1 hang=destroy ignore_shutdown=1\n");
    struct hv_xl slow = { NULL, 5000, 1000 };
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct hv *h2 = NULL;
        char *e2 = NULL;
        int rc = hv_open("sim", root, &slow, &h2, &e2) == 0 ? h2->ops->destroy(h2, 1, &e2) : 0;
        _exit(rc == -1 && e2 && !strcmp(e2, "xl destroy 1: timed out after 1 s") ? 0 : 1);
    }
    struct timespec ts = { 0, 300 * 1000000L };
    nanosleep(&ts, NULL);
    t0 = mono_ms();
    assert_true(find_guest(hv, "web1", NULL));
    assert_true(mono_ms() - t0 < 500);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_true(mono_ms() - t0 >= 600);
    assert_true(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
}

struct batch_seen {
    size_t n;
    char names[8][16];
};

static void batch_done(void *arg, const struct hv_create_job *job)
{
    struct batch_seen *seen = arg;
    snprintf(seen->names[seen->n++], sizeof(seen->names[0]), "%s%s", (const char *)job->data,
             job->rc == 0 ? "" : "!");
}

/* hv_create_all: creates side by side, at most parallel at once; each
 * failure's message comes back from its child process. */
static void test_create_all_parallel(void **state)
{
    const char *root = *state;
    set_control(root, "* create_ms=300\nweb3 fail_create=1\n");
    static const char *const names[] = { "web1", "web2", "web3", "web4" };
    static const char *const uuids[] = { UUID1, UUID2, UUID3,
                                         "cccccccc-cccc-4ccc-8ccc-cccccccccccc" };
    struct hv_create_job jobs[4];
    char *paths[4], *rpaths[4];
    for (int i = 0; i < 4; i++) {
        write_config(root, names[i], uuids[i], "memory = 128\n");
        paths[i] = xasprintf("/etc/xen/%s.cfg", names[i]);
        rpaths[i] = root_path(root, paths[i]);
        jobs[i] = (struct hv_create_job){ .path = paths[i], .rpath = rpaths[i],
                                          .data = (void *)names[i] };
    }
    struct batch_seen seen = { 0 };
    long long t0 = mono_ms();
    struct hv *parent = open_sim(root);
    size_t failed = hv_create_all(parent, root, NULL, jobs, 4, 2, batch_done, &seen);
    long long took = mono_ms() - t0;
    parent->ops->close(parent);
    assert_int_equal(failed, 1);
    assert_int_equal(seen.n, 4);
    /* Two rounds of two (the "creating" count below shows that two ran
     * together, and never more). */
    assert_true(took >= 600);
    char *creating = get_file(root, SIMDIR "/creating");
    assert_string_equal(creating, "0 2\n");
    free(creating);
    assert_int_equal(jobs[0].rc, 0);
    assert_null(jobs[0].err);
    assert_int_equal(jobs[2].rc, -1);
    assert_string_equal(jobs[2].err, "xl create: simulated failure for web3");
    assert_true(jobs[1].seconds >= 0.3);
    struct hv *hv = open_sim(root);
    assert_true(find_guest(hv, "web1", NULL));
    assert_true(find_guest(hv, "web2", NULL));
    assert_false(find_guest(hv, "web3", NULL));
    assert_true(find_guest(hv, "web4", NULL));
    hv->ops->close(hv);
    /* A backend that cannot be opened: every job says why. */
    seen.n = 0;
    static const struct hv_ops bogus_ops = { .name = "bogus" };
    struct hv bogus = { &bogus_ops, NULL };
    assert_int_equal(hv_create_all(&bogus, root, NULL, jobs, 1, 4, batch_done, &seen), 1);
    assert_string_equal(seen.names[0], "web1!");
    assert_string_equal(jobs[0].err, "unknown hypervisor backend 'bogus' (sim or xen)");
    for (int i = 0; i < 4; i++) {
        free(jobs[i].err);
        free(paths[i]);
        free(rpaths[i]);
    }
}

/* ---- shutdown, reboot, crash ---- */

static void test_graceful_shutdown(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    long long t0 = mono_ms();
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    /* Still there right after the request, with the event recorded. */
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.state, DOM_RUNNING);
    char *text = get_state(root);
    assert_non_null(strstr(text, " shutdown "));
    free(text);
    /* Asking again changes nothing. */
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    /* wait() wakes when the default 200 ms are over. */
    assert_int_equal(hv->ops->wait(hv, 5000, &err), 0);
    long long took = mono_ms() - t0;
    assert_true(took >= 150 && took <= 5000);
    assert_false(find_guest(hv, "web1", NULL));
    /* Nothing pending any more. */
    assert_int_equal(hv->ops->wait(hv, 50, &err), 1);
    assert_null(err);
    hv->ops->close(hv);
}

static void test_shutdown_completes_in_another_process(void **state)
{
    /* Time is real time: the next run sees the guest gone. */
    const char *root = *state;
    set_control(root, "* shutdown_ms=50\n");
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    hv->ops->close(hv);
    struct timespec ts = { 0, 120 * 1000000L };
    nanosleep(&ts, NULL);
    hv = open_sim(root);
    assert_false(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
}

static void test_ignore_shutdown(void **state)
{
    const char *root = *state;
    set_control(root, "* shutdown_ms=10\nweb1 ignore_shutdown=1\n");
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    char *text = get_state(root);
    assert_non_null(strstr(text, " shutdown "));
    assert_non_null(strstr(text, " never\n"));
    free(text);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(hv->ops->wait(hv, 30, &err), 1);
        struct hv_domain d;
        assert_true(find_guest(hv, "web1", &d));
        assert_int_equal(d.state, DOM_RUNNING);
    }
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_false(find_guest(hv, "web1", NULL));
    assert_null(err);
    hv->ops->close(hv);
}

static void test_reboot_new_domid(void **state)
{
    const char *root = *state;
    set_control(root, "web1 shutdown_ms=50\n");
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    create_guest(hv, root, "web2", UUID2);
    char *err = NULL;
    assert_int_equal(hv->ops->set_memory(hv, 1, 600 * 1024, &err), 0);
    assert_int_equal(hv->ops->reboot(hv, 1, &err), 0);
    assert_int_equal(domid_of(hv, "web1"), 1);
    assert_int_equal(hv->ops->wait(hv, 2000, &err), 0);
    /* The same guest under a new domid, with its current settings. */
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.domid, 3);
    assert_string_equal(d.uuid, UUID1);
    assert_int_equal(d.state, DOM_RUNNING);
    assert_int_equal(d.mem_kb, 600 * 1024);
    assert_int_equal(d.max_kb, 1024 * 1024);
    assert_int_equal(d.max_vcpus, 2);
    assert_true(d.start_time > 0);
    struct hv_domain *v;
    size_t n = list_all(hv, &v);
    assert_int_equal(n, 3);
    assert_int_equal(v[1].domid, 2);
    assert_int_equal(v[2].domid, 3);
    free(v);
    assert_null(err);
    hv->ops->close(hv);
}

static void test_crash(void **state)
{
    const char *root = *state;
    set_control(root, "web1 crash=1\n");
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.state, DOM_CRASHED);
    assert_int_equal(d.shutdown_reason, HV_SHUTDOWN_CRASH);
    char *text = get_state(root);
    assert_non_null(strstr(text, "\n1 web1 " UUID1 " crashed crash "));
    free(text);
    /* It stays (on_crash=preserve); a crashed guest answers no requests. */
    char *err = NULL;
    assert_int_equal(hv->ops->wait(hv, 20, &err), 1);
    assert_true(find_guest(hv, "web1", NULL));
    assert_fails_with(hv->ops->shutdown(hv, 1, errp),
                      "domain 1 (web1) is not running (crashed); only destroy removes it");
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_false(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
}

/* ---- memory and vcpus ---- */

static void test_set_memory(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    assert_int_equal(hv->ops->set_memory(hv, 1, 1024 * 1024, &err), 0);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.target_kb, 1024 * 1024);
    assert_int_equal(d.mem_kb, 1024 * 1024);
    assert_int_equal(hv->ops->set_memory(hv, 1, 300 * 1024, &err), 0);
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.target_kb, 300 * 1024);
    assert_int_equal(d.mem_kb, 300 * 1024);
    assert_fails_with(hv->ops->set_memory(hv, 1, 1024 * 1024 + 1, errp),
                      "memory target 1048577 KiB is above the domain's maximum 1048576 KiB");
    assert_fails_with(hv->ops->set_memory(hv, 1, 0, errp), "memory target 0 KiB is too small");
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.target_kb, 300 * 1024);
    hv->ops->close(hv);
}

static void test_set_vcpus(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    assert_int_equal(hv->ops->set_vcpus(hv, 1, 2, &err), 0);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.vcpus, 2);
    assert_fails_with(hv->ops->set_vcpus(hv, 1, 3, errp),
                      "3 vcpus requested, above the domain's maximum of 2");
    assert_fails_with(hv->ops->set_vcpus(hv, 1, 0, errp),
                      "cannot set 0 vcpus: a domain needs at least one");
    assert_int_equal(hv->ops->set_vcpus(hv, 1, 1, &err), 0);
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.vcpus, 1);
    hv->ops->close(hv);
}

/* ---- CPU placement ---- */

/* A domain is placed as its config says; pinning, weight and cap, pool
 * moves; the pool table with Xen's rules. */
static void test_cpu_placement(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    write_config(root, "web1", UUID1,
                 "memory = 512\nvcpus = 2\ncpus = \"0-1\"\ncpus_soft = \"1\"\ncpu_weight = 512\n"
                 "cap = 50\n");
    char *err = NULL;
    if (create_from(hv, root, "web1", &err) != 0)
        fail_msg("create: %s", err);
    struct hv_cpu c;
    assert_int_equal(hv->ops->cpu_get(hv, 1, &c, &err), 0);
    assert_string_equal(c.hard, "0-1");
    assert_string_equal(c.soft, "1");
    assert_int_equal(c.weight, 512);
    assert_int_equal(c.cap, 50);
    assert_string_equal(c.pool, "Pool-0");

    assert_int_equal(hv->ops->vcpu_pin(hv, 1, "all,^0", "all", &err), 0);
    assert_int_equal(hv->ops->cpu_get(hv, 1, &c, &err), 0);
    assert_string_equal(c.hard, "1-7"); /* the simulator has 8 CPUs */
    assert_string_equal(c.soft, "all");
    assert_fails_with(hv->ops->vcpu_pin(hv, 1, "x", "all", errp),
                      "xl vcpu-pin 1 all x all: invalid CPU list");

    /* A pool: made empty, CPUs moved to it from Pool-0 while free. */
    assert_int_equal(hv->ops->pool_create(hv, "batch", "credit", &err), 0);
    assert_fails_with(hv->ops->pool_create(hv, "batch", "credit", errp),
                      "xl cpupool-create: a pool named batch exists already");
    assert_fails_with(hv->ops->pool_create(hv, "x", "sedf", errp),
                      "xl cpupool-create: unknown scheduler sedf");
    assert_fails_with(hv->ops->pool_cpu(hv, "batch", 2, true, errp),
                      "xl cpupool-cpu-add batch 2: CPU 2 is not free (it is in a pool)");
    assert_fails_with(hv->ops->pool_cpu(hv, "Pool-0", 0, false, errp),
                      "xl cpupool-cpu-remove Pool-0 0: CPU 0 cannot leave Pool-0");
    assert_fails_with(hv->ops->pool_migrate(hv, 1, "batch", errp),
                      "xl cpupool-migrate 1 batch: the pool has no CPU");
    assert_int_equal(hv->ops->pool_cpu(hv, "Pool-0", 2, false, &err), 0);
    assert_int_equal(hv->ops->pool_cpu(hv, "batch", 2, true, &err), 0);
    assert_fails_with(hv->ops->pool_cpu(hv, "batch", 9, true, errp),
                      "xl cpupool-cpu-add batch 9: no CPU 9 on this host");

    struct hv_pool *p = NULL;
    size_t n = 0;
    unsigned ncpus = 0;
    assert_int_equal(hv->ops->pools(hv, &p, &n, &ncpus, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ncpus, 8);
    assert_string_equal(p[0].name, "Pool-0");
    assert_string_equal(p[0].cpus, "0-1,3-7");
    assert_int_equal(p[0].ndoms, 2); /* dom0 and web1 */
    assert_string_equal(p[1].name, "batch");
    assert_string_equal(p[1].sched, "credit");
    assert_string_equal(p[1].cpus, "2");
    free(p);

    /* Moved there: the new pool's defaults; its scheduler's parameters. */
    assert_int_equal(hv->ops->pool_migrate(hv, 1, "batch", &err), 0);
    assert_int_equal(hv->ops->cpu_get(hv, 1, &c, &err), 0);
    assert_string_equal(c.pool, "batch");
    assert_int_equal(c.weight, 256);
    assert_int_equal(c.cap, 0);
    assert_fails_with(hv->ops->sched_set(hv, 1, "credit2", 100, 0, errp),
                      "xl sched-credit2 -d 1: the domain's pool batch uses the credit scheduler");
    assert_int_equal(hv->ops->sched_set(hv, 1, "credit", 100, 20, &err), 0);
    assert_int_equal(hv->ops->cpu_get(hv, 1, &c, &err), 0);
    assert_int_equal(c.weight, 100);
    assert_int_equal(c.cap, 20);
    assert_fails_with(hv->ops->pool_cpu(hv, "batch", 2, false, errp),
                      "xl cpupool-cpu-remove batch 2: the pool's domains would have no CPU");
    assert_fails_with(hv->ops->pool_destroy(hv, "batch", errp),
                      "xl cpupool-destroy batch: the pool has domains");
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_fails_with(hv->ops->pool_destroy(hv, "batch", errp),
                      "xl cpupool-destroy batch: the pool still has CPUs");
    assert_int_equal(hv->ops->pool_cpu(hv, "batch", 2, false, &err), 0);
    assert_int_equal(hv->ops->pool_cpu(hv, "Pool-0", 2, true, &err), 0);
    assert_int_equal(hv->ops->pool_destroy(hv, "batch", &err), 0);
    assert_fails_with(hv->ops->pool_destroy(hv, "Pool-0", errp),
                      "xl cpupool-destroy Pool-0: Pool-0 cannot be destroyed");
    hv->ops->close(hv);

    /* A read-only handle observes only. */
    assert_int_equal(hv_open_flags("sim", root, NULL, HV_OPEN_READONLY, &hv, &err), 0);
    assert_int_equal(hv->ops->pools(hv, &p, &n, &ncpus, &err), 0);
    free(p);
    assert_fails_with(hv->ops->pool_create(hv, "b", "credit2", errp),
                      "read-only hypervisor handle: pool_create refused");
    hv->ops->close(hv);
}

/* ---- errors ---- */

static void test_dom0_untouchable(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    const char *want = "refusing to touch Domain-0";
    assert_fails_with(hv->ops->shutdown(hv, 0, errp), want);
    assert_fails_with(hv->ops->reboot(hv, 0, errp), want);
    assert_fails_with(hv->ops->destroy(hv, 0, errp), want);
    assert_fails_with(hv->ops->set_memory(hv, 0, 1024, errp), want);
    assert_fails_with(hv->ops->set_vcpus(hv, 0, 1, errp), want);
    struct hv_domain d;
    assert_true(find_guest(hv, "Domain-0", &d));
    assert_int_equal(d.mem_kb, 4ULL * 1024 * 1024);
    assert_int_equal(d.vcpus, 2);
    hv->ops->close(hv);
}

static void test_unknown_domid(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    const char *want = "no domain with id 7";
    assert_fails_with(hv->ops->shutdown(hv, 7, errp), want);
    assert_fails_with(hv->ops->reboot(hv, 7, errp), want);
    assert_fails_with(hv->ops->destroy(hv, 7, errp), want);
    assert_fails_with(hv->ops->set_memory(hv, 7, 1024, errp), want);
    assert_fails_with(hv->ops->set_vcpus(hv, 7, 1, errp), want);
    /* A destroyed domain is unknown too. */
    char *err = NULL;
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_fails_with(hv->ops->destroy(hv, 1, errp), "no domain with id 1");
    hv->ops->close(hv);
}

static void test_hv_fail(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    set_control(root, "* hv_fail=list,destroy\n");
    struct hv_domain *v = NULL;
    size_t n = 9;
    assert_fails_with(hv->ops->list(hv, &v, &n, errp), "simulated hypervisor failure");
    assert_null(v);
    assert_int_equal(n, 0);
    assert_fails_with(hv->ops->destroy(hv, 1, errp), "simulated hypervisor failure");
    char *err = NULL;
    assert_int_equal(hv->ops->set_vcpus(hv, 1, 2, &err), 0);
    set_control(root, "");
    assert_int_equal(domid_of(hv, "web1"), 1);
    hv->ops->close(hv);
}

static void test_bad_control_file(void **state)
{
    const char *root = *state;
    static const struct {
        const char *text, *err;
    } cases[] = {
        { "web1 shutdown_ms=soon\n", "control:1: shutdown_ms=soon: shutdown_ms must be a number "
                                     "of milliseconds (at most a day)" },
        { "* create_ms=-1\n", "control:1: create_ms=-1: create_ms must be a number "
                               "of milliseconds (at most a day)" },
        { "\n# c\nweb1 colour=blue\n", "control:3: colour=blue: unknown key" },
        { "web1 crash\n", "control:1: crash: expected key=value" },
        { "web1 crash=yes\n", "control:1: crash=yes: crash must be 0 or 1" },
        { "web1 half_create=2\n", "control:1: half_create=2: half_create must be 0 or 1" },
        { "web1 hv_fail=list\n", "control:1: hv_fail=list: hv_fail belongs on the \"*\" line" },
        { "* hv_fail=reboot,fly\n", "control:1: hv_fail=reboot,fly: hv_fail: unknown operation" },
        { "a/b crash=1\n", "control:1: 'a/b' is neither a guest name nor *" },
        { "web1 hang=list\n", "control:1: hang=list: hang: only create, destroy, set_memory, "
                               "set_vcpus, rename, power_button, save, restore, migrate, "
                               "attach_disk and attach_nic can hang" },
        { "* hang=destroy,fly\n", "control:1: hang=destroy,fly: hang: only create, destroy, "
                                   "set_memory, set_vcpus, rename, power_button, save, "
                                   "restore, migrate, attach_disk and attach_nic can hang" },
        { "web1 hang=send\n", "control:1: hang=send: hang: only create, destroy, set_memory, "
                               "set_vcpus, rename, power_button, save, restore, migrate, "
                               "attach_disk and attach_nic can hang" },
        { "web1 hap=0\n", "control:1: hap=0: hap belongs on the \"*\" line" },
        { "* shadow=yes\n", "control:1: shadow=yes: shadow must be 0 or 1" },
        { "web1 save_ms=x\n", "control:1: save_ms=x: save_ms must be a number of "
                               "milliseconds (at most a day)" },
        { "web1 restore_ms=x\n", "control:1: restore_ms=x: restore_ms must be a number of "
                                  "milliseconds (at most a day)" },
        { "web1 migrate_ms=x\n", "control:1: migrate_ms=x: migrate_ms must be a number of "
                                  "milliseconds (at most a day)" },
        { "web1 fail_save=2\n", "control:1: fail_save=2: fail_save must be 0 or 1" },
        { "web1 fail_restore=2\n", "control:1: fail_restore=2: fail_restore must be 0 or 1" },
        { "web1 fail_migrate=2\n", "control:1: fail_migrate=2: fail_migrate must be 0 or 1" },
        { "web1 race_create=2\n", "control:1: race_create=2: race_create must be 0 or 1" },
        { "web1 pv_drivers=no\n", "control:1: pv_drivers=no: pv_drivers must be 0 or 1" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        set_control(root, cases[i].text);
        struct hv dummy, *hv = &dummy; /* must be reset to NULL */
        char *err = NULL;
        assert_int_equal(hv_open("sim", root, NULL, &hv, &err), -1);
        assert_null(hv);
        assert_non_null(err);
        const char *tail = strstr(err, SIMDIR "/");
        assert_non_null(tail);
        assert_string_equal(tail + strlen(SIMDIR "/"), cases[i].err);
        free(err);
    }
}

static void test_corrupt_state(void **state)
{
    const char *root = *state;
    put_file(root, SIMDIR "/domains", "next_domid 2\n1 web1 not-a-uuid running - 1 1 1 1 1 0 "
                                      "none - -\n");
    struct hv *hv = NULL;
    char *err = NULL;
    assert_int_equal(hv_open("sim", root, NULL, &hv, &err), -1);
    assert_null(hv);
    char *want = root_path(root, SIMDIR "/domains:2: corrupt simulator state (bad uuid)");
    assert_string_equal(err, want);
    free(want);
    free(err);
}

/* ---- the journal ---- */

static off_t file_size(const char *root, const char *path)
{
    char *full = root_path(root, path);
    struct stat st;
    off_t size = stat(full, &st) == 0 ? st.st_size : -1;
    free(full);
    return size;
}

#define DOM0_LINE "0 Domain-0 00000000-0000-0000-0000-000000000000 running - 4194304 4194304 " \
                  "4194304 2 2 1000 none - -"
#define WEB_LINE(id, name, uuid) #id " " name " " uuid " running - 524288 524288 1048576 1 2 " \
                                 "2000 none - -"

static void test_journal_then_fold(void **state)
{
    /* Changes go to the journal, one record each, serials in sequence;
     * the last handle's close folds them into "domains". */
    const char *root = *state;
    struct hv *hv = open_sim(root);
    char *before = get_file(root, SIMDIR "/domains");
    assert_non_null(strstr(before, "\nserial 1\n")); /* the fresh state, written whole */
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    assert_int_equal(hv->ops->set_memory(hv, 1, 600 * 1024, &err), 0);
    char *journal = get_file(root, SIMDIR "/journal");
    assert_true(!strncmp(journal, "2 set 1 web1 " UUID1 " running - 524288 524288 ", 47));
    assert_non_null(strstr(journal, " ; next_domid 2\n3 set 1 web1 " UUID1
                                    " running - 614400 614400 1048576 1 2 "));
    assert_int_equal(strlen(journal) - 1, (size_t)(strrchr(journal, '\n') - journal));
    free(journal);
    char *unchanged = get_file(root, SIMDIR "/domains");
    assert_string_equal(unchanged, before);
    free(unchanged);
    hv->ops->close(hv);
    /* Folded: all in "domains", the journal gone. */
    assert_int_equal(file_size(root, SIMDIR "/journal"), -1);
    char *text = get_file(root, SIMDIR "/domains");
    assert_non_null(strstr(text, "\nserial 3\nnext_domid 2\n"));
    assert_non_null(strstr(text, "\n1 web1 " UUID1 " running - 614400 614400 1048576 1 2 "));
    free(text);
    free(before);
}

static void test_journal_folded_when_it_outgrows_the_state(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    bool folded = false;
    for (int i = 0; i < 24; i++) {
        char name[16], uuid[48];
        snprintf(name, sizeof(name), "g%d", i);
        snprintf(uuid, sizeof(uuid), "%08d-0000-0000-0000-000000000000", i + 1);
        create_guest(hv, root, name, uuid);
        off_t j = file_size(root, SIMDIR "/journal");
        if (j < 0)
            folded = true;
        /* Never longer than the state it will be folded into. */
        assert_true(j <= file_size(root, SIMDIR "/domains"));
    }
    assert_true(folded);
    /* A new handle (another run) reads "domains" and the journal. */
    struct hv *other = NULL;
    char *err = NULL;
    assert_int_equal(hv_sim_open(root, &(struct hv_xl){ NULL, 1000, 1000 }, 0, &other, &err), 0);
    struct hv_domain *v;
    assert_int_equal(list_all(other, &v), 25);
    assert_string_equal(v[24].name, "g23");
    assert_int_equal(v[24].domid, 24);
    free(v);
    other->ops->close(other);
    hv->ops->close(hv);
}

static void test_journal_replayed(void **state)
{
    /* Records at or below the state's serial were folded already (a fold
     * killed before it removed the journal): skipped. */
    const char *root = *state;
    put_file(root, SIMDIR "/domains", "serial 5\nnext_domid 2\n" DOM0_LINE "\n"
                                      WEB_LINE(1, "web1", UUID1) "\n");
    put_file(root, SIMDIR "/journal",
             "4 del 1\n"
             "5 del 1\n"
             "6 set " WEB_LINE(2, "web2", UUID2) " ; next_domid 3\n"
             "7 del 1 ; set " WEB_LINE(3, "web3", UUID3) " ; next_domid 4\n");
    struct hv *hv = open_sim(root);
    struct hv_domain *v;
    assert_int_equal(list_all(hv, &v), 3);
    assert_string_equal(v[1].name, "web2");
    assert_string_equal(v[2].name, "web3");
    assert_int_equal(v[2].domid, 3);
    free(v);
    /* next_domid came from the journal too */
    create_guest(hv, root, "web1", UUID1);
    assert_int_equal(domid_of(hv, "web1"), 4);
    hv->ops->close(hv);
    char *text = get_file(root, SIMDIR "/domains");
    assert_non_null(strstr(text, "\nserial 8\nnext_domid 5\n"));
    free(text);
}

static void test_journal_torn_last_line(void **state)
{
    /* A record cut short (no newline) is not there, and the next record
     * takes its place. */
    const char *root = *state;
    /* A state long enough that these records are not folded into it. */
    char *padded = xasprintf("serial 0\nnext_domid 1\n" DOM0_LINE "\n# %0900d\n", 0);
    put_file(root, SIMDIR "/domains", padded);
    free(padded);
    put_file(root, SIMDIR "/journal",
             "1 set " WEB_LINE(1, "web1", UUID1) " ; next_domid 2\n"
             "2 set " WEB_LINE(2, "web2", UUID2) " ; next_do");
    struct hv *hv = open_sim(root);
    assert_true(find_guest(hv, "web1", NULL));
    assert_false(find_guest(hv, "web2", NULL));
    create_guest(hv, root, "web3", UUID3);
    assert_int_equal(domid_of(hv, "web3"), 2);
    char *journal = get_file(root, SIMDIR "/journal");
    assert_null(strstr(journal, "web2"));
    assert_non_null(strstr(journal, " ; next_domid 2\n2 set 2 web3 "));
    free(journal);
    hv->ops->close(hv);
    char *text = get_file(root, SIMDIR "/domains");
    assert_null(strstr(text, "web2"));
    assert_non_null(strstr(text, "\n2 web3 "));
    free(text);
}

static void test_journal_corrupt(void **state)
{
    const char *root = *state;
    static const struct {
        const char *journal, *err;
    } cases[] = {
        { "1 set 1 web1 not-a-uuid running - 1 1 1 1 1 0 none - -\n",
          "journal:1: corrupt simulator journal (bad uuid)" },
        { "1 del 5\n3 del 6\n", "journal:2: corrupt simulator journal (serial out of sequence)" },
        { "x del 5\n", "journal:1: corrupt simulator journal (bad serial)" },
        { "1 frob 5\n", "journal:1: corrupt simulator journal (unknown change)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        put_file(root, SIMDIR "/domains", "serial 0\nnext_domid 1\n" DOM0_LINE "\n");
        put_file(root, SIMDIR "/journal", cases[i].journal);
        struct hv *hv = NULL;
        char *err = NULL;
        assert_int_equal(hv_open("sim", root, NULL, &hv, &err), -1);
        assert_null(hv);
        assert_non_null(err);
        const char *tail = strstr(err, SIMDIR "/");
        assert_non_null(tail);
        assert_string_equal(tail + strlen(SIMDIR "/"), cases[i].err);
        free(err);
    }
}

static void test_journal_of_no_state_is_dropped(void **state)
{
    /* Without "domains" the hypervisor is fresh, whatever journal is left. */
    const char *root = *state;
    put_file(root, SIMDIR "/journal", "1 set " WEB_LINE(1, "web1", UUID1) "\n");
    struct hv *hv = open_sim(root);
    struct hv_domain *v;
    assert_int_equal(list_all(hv, &v), 1);
    free(v);
    assert_int_equal(file_size(root, SIMDIR "/journal"), -1);
    hv->ops->close(hv);
}

static void test_empty_journal_removed(void **state)
{
    /* An append killed before it wrote leaves an empty journal: nothing
     * in it, and gone once the run is over. */
    const char *root = *state;
    put_file(root, SIMDIR "/domains", "serial 3\nnext_domid 1\n" DOM0_LINE "\n");
    put_file(root, SIMDIR "/journal", "");
    struct hv *hv = open_sim(root);
    struct hv_domain *v;
    assert_int_equal(list_all(hv, &v), 1);
    free(v);
    hv->ops->close(hv);
    assert_int_equal(file_size(root, SIMDIR "/journal"), -1);
    char *text = get_file(root, SIMDIR "/domains");
    assert_string_equal(text, "serial 3\nnext_domid 1\n" DOM0_LINE "\n");
    free(text);
}

static void test_forked_child_handle(void **state)
{
    /* A child forked while a handle is open (as hv_create_all's are)
     * starts from its parent's state and leaves the fold to it. */
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    write_config(root, "web2", UUID2, "memory = 128\n");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct hv *c = NULL;
        char *err = NULL;
        int rc = hv_open("sim", root, NULL, &c, &err);
        if (rc == 0) {
            rc = create_from(c, root, "web2", &err);
            c->ops->close(c);
        }
        _exit(rc == 0 ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* Not folded by the child's close. */
    char *journal = get_file(root, SIMDIR "/journal");
    assert_non_null(strstr(journal, " web2 "));
    free(journal);
    assert_int_equal(domid_of(hv, "web2"), 2);
    hv->ops->close(hv);
    assert_int_equal(file_size(root, SIMDIR "/journal"), -1);
    char *text = get_file(root, SIMDIR "/domains");
    assert_non_null(strstr(text, "\n2 web2 "));
    free(text);
}

/* ---- lookup ---- */

static void test_lookup(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    create_guest(hv, root, "web2", UUID2);
    struct hv_domain d, l;
    char *err = NULL;
    assert_int_equal(hv->ops->lookup(hv, "web2", &d, &err), 0);
    assert_null(err);
    assert_true(find_guest(hv, "web2", &l));
    assert_int_equal(d.domid, 2);
    assert_string_equal(d.uuid, UUID2);
    assert_int_equal(d.state, l.state);
    assert_int_equal(d.mem_kb, l.mem_kb);
    assert_int_equal(d.max_kb, l.max_kb);
    assert_int_equal(d.max_vcpus, l.max_vcpus);
    assert_int_equal(d.start_time, l.start_time);
    assert_int_equal(hv->ops->lookup(hv, "Domain-0", &d, &err), 0);
    assert_int_equal(d.domid, 0);
    /* Not found: 1, *ret untouched; gone is not found. */
    d.domid = 77;
    assert_int_equal(hv->ops->lookup(hv, "web3", &d, &err), 1);
    assert_int_equal(hv->ops->lookup(hv, "web", &d, &err), 1);
    assert_int_equal(hv->ops->destroy(hv, 1, &err), 0);
    assert_int_equal(hv->ops->lookup(hv, "web1", &d, &err), 1);
    assert_null(err);
    assert_int_equal(d.domid, 77);
    /* It fails when list does. */
    set_control(root, "* hv_fail=list\n");
    assert_fails_with(hv->ops->lookup(hv, "web2", &d, errp), "simulated hypervisor failure");
    hv->ops->close(hv);
}

static void test_many_removed_and_added(void **state)
{
    /* Removed domains keep a place for a while: lists, lookups and
     * domids stay right across compactions. */
    const char *root = *state;
    struct hv *hv = open_sim(root);
    char *err = NULL;
    for (int i = 0; i < 40; i++) {
        char name[16], uuid[48];
        snprintf(name, sizeof(name), "g%d", i);
        snprintf(uuid, sizeof(uuid), "%08d-0000-0000-0000-000000000000", i + 1);
        create_guest(hv, root, name, uuid);
    }
    for (unsigned id = 1; id <= 40; id++)
        if (id % 4)
            assert_int_equal(hv->ops->destroy(hv, id, &err), 0);
    assert_fails_with(hv->ops->destroy(hv, 3, errp), "no domain with id 3");
    struct hv_domain *v;
    assert_int_equal(list_all(hv, &v), 11);
    for (size_t i = 1; i < 11; i++)
        assert_int_equal(v[i].domid, 4 * i);
    free(v);
    struct hv_domain d;
    assert_int_equal(hv->ops->lookup(hv, "g39", &d, &err), 0);
    assert_int_equal(d.domid, 40);
    assert_int_equal(hv->ops->lookup(hv, "g38", &d, &err), 1);
    create_guest(hv, root, "g38", "00000039-0000-0000-0000-000000000000");
    assert_int_equal(domid_of(hv, "g38"), 41);
    hv->ops->close(hv);
    hv = open_sim(root);
    assert_int_equal(list_all(hv, &v), 12);
    assert_int_equal(v[11].domid, 41);
    free(v);
    hv->ops->close(hv);
}

/* ---- wait ---- */

static void test_wait_timeout(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    long long t0 = mono_ms();
    assert_int_equal(hv->ops->wait(hv, 100, &err), 1);
    long long took = mono_ms() - t0;
    assert_true(took >= 90 && took <= 5000);
    t0 = mono_ms();
    assert_int_equal(hv->ops->wait(hv, 0, &err), 1);
    assert_true(mono_ms() - t0 < 100);
    assert_null(err);
    hv->ops->close(hv);
}

static void test_wait_event_after_timeouts(void **state)
{
    /* A timeout shorter than the event: 1, and the event still pending;
     * then 0 when it comes due, after about the event's time in all. */
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    long long t0 = mono_ms();
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    assert_int_equal(hv->ops->wait(hv, 50, &err), 1);
    assert_true(find_guest(hv, "web1", NULL));
    assert_int_equal(hv->ops->wait(hv, 5000, &err), 0);
    long long took = mono_ms() - t0;
    assert_true(took >= 150 && took <= 5000);
    assert_false(find_guest(hv, "web1", NULL));
    assert_null(err);
    hv->ops->close(hv);
}

static void test_wait_event_already_due(void **state)
{
    /* An event that came due before wait() is reported at once, once. */
    const char *root = *state;
    set_control(root, "* shutdown_ms=0\n");
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    char *err = NULL;
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    long long t0 = mono_ms();
    assert_int_equal(hv->ops->wait(hv, 5000, &err), 0);
    assert_true(mono_ms() - t0 < 500);
    assert_int_equal(hv->ops->wait(hv, 10, &err), 1);
    assert_false(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
}

/* ---- choosing a backend ---- */

static const struct hv_xl sbin_xl = { "/usr/sbin/xl", 0, 0 };

/* The simulator never stands in for a missing dom0: off dom0 the default
 * and "xen" both refuse, and no simulator state appears. */
static void test_open_default_off_dom0_refuses(void **state)
{
    const char *root = *state;
    struct hv dummy, *hv = &dummy;
    assert_fails_with(hv_open(NULL, root, &sbin_xl, &hv, errp), HV_NOT_DOM0);
    assert_null(hv);
    assert_fails_with(hv_open("xen", root, &sbin_xl, &hv, errp), HV_NOT_DOM0);
    /* On a domU (type xen, no control_d) too. */
    put_file(root, "/sys/hypervisor/type", "xen\n");
    put_file(root, "/proc/xen/capabilities", "");
    assert_fails_with(hv_open(NULL, root, &sbin_xl, &hv, errp), HV_NOT_DOM0);
    char *dir = root_path(root, SIMDIR);
    struct stat st;
    assert_int_equal(stat(dir, &st), -1);
    free(dir);
    /* Asked for by name, the simulator runs. */
    char *err = NULL;
    assert_int_equal(hv_open("sim", root, &sbin_xl, &hv, &err), 0);
    assert_string_equal(hv->ops->name, "sim");
    hv->ops->close(hv);
    assert_null(err);
}

static void test_open_default_on_dom0_is_xen(void **state)
{
    const char *root = *state;
    put_file(root, "/sys/hypervisor/type", "xen\n");
    put_file(root, "/proc/xen/capabilities", "control_d\n");
    struct hv *hv = NULL;
    char *err = NULL;
    int rc = hv_open(NULL, root, &sbin_xl, &hv, &err);
    if (rc == 0) {
        /* Only on a real dom0. */
        assert_string_equal(hv->ops->name, "xen");
        hv->ops->close(hv);
    } else {
        /* The xen backend refused; the simulator was never opened. */
        assert_int_equal(rc, -1);
        assert_null(hv);
        assert_non_null(err);
        char *dir = root_path(root, SIMDIR);
        struct stat st;
        assert_int_equal(stat(dir, &st), -1);
        free(dir);
    }
    free(err);
}

static void test_open_unknown_backend(void **state)
{
    const char *root = *state;
    struct hv dummy, *hv = &dummy;
    assert_fails_with(hv_open("kvm", root, NULL, &hv, errp),
                      "unknown hypervisor backend 'kvm' (sim or xen)");
    assert_null(hv);
}

static void test_is_dom0(void **state)
{
    const char *root = *state;
    assert_false(hv_is_dom0(root)); /* neither file */
    put_file(root, "/sys/hypervisor/type", "xen\n");
    assert_false(hv_is_dom0(root)); /* no capabilities */
    put_file(root, "/proc/xen/capabilities", "\n");
    assert_false(hv_is_dom0(root)); /* a domU */
    put_file(root, "/proc/xen/capabilities", "control_d\n");
    assert_true(hv_is_dom0(root));
    put_file(root, "/sys/hypervisor/type", "  xen \n");
    assert_true(hv_is_dom0(root));
    put_file(root, "/sys/hypervisor/type", "kvm\n");
    assert_false(hv_is_dom0(root));
    put_file(root, "/sys/hypervisor/type", "xenx\n");
    assert_false(hv_is_dom0(root));
    char *p = root_path(root, "/sys/hypervisor/type");
    assert_int_equal(unlink(p), 0);
    free(p);
    assert_false(hv_is_dom0(root)); /* capabilities alone */
}

/* ---- issue 13: what a create made, lookup by uuid, rename, power button,
 * read-only handles, a parent killed mid-create ---- */

/* Create from /etc/xen/NAME.cfg, reporting what it made. */
static int create_made(struct hv *hv, const char *root, const char *name, struct hv_made *made,
                       char **err)
{
    char *path = xasprintf("/etc/xen/%s.cfg", name);
    char *rpath = root_path(root, path);
    made->made = true; /* must be reset */
    made->domid = 99;
    int rc = hv->ops->create(hv, path, rpath, made, err);
    free(rpath);
    free(path);
    return rc;
}

static void test_create_reports_made(void **state)
{
    const char *root = *state;
    struct hv_xl xl = { NULL, 300, 200 };
    struct hv *hv = open_sim_with(root, &xl);
    set_control(root, "web2 fail_create=1\nweb3 half_create=1\nweb4 hang=create\n");
    write_config(root, "web1", UUID1, "memory = 256\n");
    write_config(root, "web2", UUID2, "memory = 256\n");
    write_config(root, "web3", UUID3, "memory = 256\n");
    write_config(root, "web4", "cccccccc-cccc-4ccc-8ccc-cccccccccccc", "memory = 256\n");
    struct hv_made made;
    char *err = NULL;
    assert_int_equal(create_made(hv, root, "web1", &made, &err), 0);
    assert_true(made.made);
    assert_int_equal(made.domid, 1);
    /* Failed before building: nothing made. */
    assert_fails_with(create_made(hv, root, "web2", &made, errp),
                      "xl create: simulated failure for web2");
    assert_false(made.made);
    /* Failed after building: the paused remains are this create's. */
    assert_fails_with(create_made(hv, root, "web3", &made, errp),
                      "xl create: simulated failure for web3 after its domain was built");
    assert_true(made.made);
    assert_int_equal(made.domid, 2);
    assert_fails_with(create_made(hv, root, "web4", &made, errp),
                      "xl create -f /etc/xen/web4.cfg: timed out after 300 ms");
    assert_true(made.made);
    assert_int_equal(made.domid, 3);
    /* A name taken before the create began: nothing made either. */
    assert_fails_with(create_made(hv, root, "web1", &made, errp),
                      "xl create: a domain named 'web1' already exists (domid 1)");
    assert_false(made.made);
    hv->ops->close(hv);
}

/* race_create: a foreign domain of the guest's name appears while the
 * create runs; the create fails and made nothing, and the foreign domain
 * (another uuid) is left alone by a caller that destroys only what was
 * made. */
static void test_race_create(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    set_control(root, "web1 race_create=1 create_ms=100\n");
    write_config(root, "web1", UUID1, "memory = 256\nvcpus = 2\n");
    struct hv_made made;
    long long t0 = mono_ms();
    assert_fails_with(create_made(hv, root, "web1", &made, errp),
                      "xl create: a domain named 'web1' already exists (domid 1)");
    assert_true(mono_ms() - t0 >= 100);
    assert_false(made.made);
    struct hv_domain d;
    char *err = NULL;
    assert_int_equal(hv->ops->lookup(hv, "web1", &d, &err), 0);
    assert_int_equal(d.domid, 1);
    assert_string_equal(d.uuid, "11111111-2222-3333-4444-ffffffffffff");
    assert_int_equal(d.state, DOM_RUNNING);
    assert_int_equal(d.vcpus, 2);
    assert_int_equal(hv->ops->lookup_uuid(hv, UUID1, &d, &err), 1);
    /* A guest whose uuid ends in f gets the e one. */
    set_control(root, "web2 race_create=1\n");
    write_config(root, "web2", "22222222-2222-3333-4444-ffffffffffff", "memory = 256\n");
    assert_fails_with(create_made(hv, root, "web2", &made, errp),
                      "xl create: a domain named 'web2' already exists (domid 2)");
    assert_int_equal(hv->ops->lookup(hv, "web2", &d, &err), 0);
    assert_string_equal(d.uuid, "22222222-2222-3333-4444-eeeeeeeeeeee");
    /* race_create=0 overrides "*". */
    set_control(root, "* race_create=1\nweb3 race_create=0\n");
    write_config(root, "web3", UUID3, "memory = 256\n");
    assert_int_equal(create_made(hv, root, "web3", &made, &err), 0);
    assert_true(made.made);
    assert_int_equal(made.domid, 3);
    hv->ops->close(hv);
}

static void test_lookup_uuid(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    create_guest(hv, root, "web1", UUID1);
    create_guest(hv, root, "web2", UUID2);
    struct hv_domain d;
    char *err = NULL;
    assert_int_equal(hv->ops->lookup_uuid(hv, UUID2, &d, &err), 0);
    assert_int_equal(d.domid, 2);
    assert_string_equal(d.name, "web2");
    assert_int_equal(d.max_kb, 1048576);
    assert_int_equal(hv->ops->lookup_uuid(hv, "00000000-0000-0000-0000-000000000000", &d, &err),
                     0);
    assert_int_equal(d.domid, 0);
    assert_int_equal(hv->ops->lookup_uuid(hv, UUID3, &d, &err), 1);
    assert_null(err);
    /* Either case. */
    assert_int_equal(hv->ops->lookup_uuid(hv, "66666666-7777-8888-9999-AAAAAAAAAAAA", &d, &err),
                     0);
    assert_int_equal(d.domid, 2);
    set_control(root, "* hv_fail=list\n");
    assert_fails_with(hv->ops->lookup_uuid(hv, UUID1, &d, errp),
                      "simulated hypervisor failure");
    hv->ops->close(hv);
}

static void test_rename(void **state)
{
    const char *root = *state;
    struct hv_xl xl = { NULL, 300, 200 };
    struct hv *hv = open_sim_with(root, &xl);
    create_guest(hv, root, "web1", UUID1);
    create_guest(hv, root, "web2", UUID2);
    char *err = NULL;
    assert_int_equal(hv->ops->rename(hv, 1, "web3", &err), 0);
    assert_null(err);
    assert_int_equal(domid_of(hv, "web3"), 1);
    assert_false(find_guest(hv, "web1", NULL));
    /* The same name again: nothing to do. */
    assert_int_equal(hv->ops->rename(hv, 1, "web3", &err), 0);
    /* Names are unique, as on Xen. */
    assert_fails_with(hv->ops->rename(hv, 1, "web2", errp),
                      "xl rename: a domain named 'web2' already exists (domid 2)");
    assert_fails_with(hv->ops->rename(hv, 1, "Domain-0", errp),
                      "xl rename: a domain named 'Domain-0' already exists (domid 0)");
    assert_fails_with(hv->ops->rename(hv, 1, "-x", errp), "xl rename: invalid name '-x'");
    assert_fails_with(hv->ops->rename(hv, 0, "dom0", errp), "refusing to touch Domain-0");
    assert_fails_with(hv->ops->rename(hv, 7, "web7", errp), "no domain with id 7");
    /* The new name is in the state, for the next process. */
    hv->ops->close(hv);
    char *text = get_state(root);
    assert_non_null(strstr(text, "\n1 web3 " UUID1 " running "));
    free(text);
    hv = open_sim_with(root, &xl);
    assert_int_equal(domid_of(hv, "web3"), 1);
    set_control(root, "web3 hang=rename\n* hv_fail=rename\n");
    assert_fails_with(hv->ops->rename(hv, 1, "web4", errp), "simulated hypervisor failure");
    set_control(root, "web3 hang=rename\n");
    assert_fails_with(hv->ops->rename(hv, 1, "web4", errp),
                      "xl rename 1 web4: timed out after 200 ms");
    assert_int_equal(domid_of(hv, "web3"), 1);
    hv->ops->close(hv);
}

/* An HVM guest without PV drivers: the PV request stays untaken, the
 * power button shuts it down. */
static void test_power_button(void **state)
{
    const char *root = *state;
    struct hv *hv = open_sim(root);
    set_control(root, "* shutdown_ms=100\nweb1 pv_drivers=0\n");
    write_config(root, "web1", UUID1, "type = \"hvm\"\nmemory = 256\n");
    char *err = NULL;
    assert_int_equal(create_from(hv, root, "web1", &err), 0);
    create_guest(hv, root, "web2", UUID2); /* pvh, PV drivers */
    struct hv_domain d;
    assert_int_equal(hv->ops->lookup(hv, "web1", &d, &err), 0);
    assert_true(d.hvm);
    assert_false(d.request_pending);
    assert_int_equal(hv->ops->lookup(hv, "web2", &d, &err), 0);
    assert_false(d.hvm);
    /* PV drivers take the request at once. */
    assert_int_equal(hv->ops->shutdown(hv, 2, &err), 0);
    assert_int_equal(hv->ops->lookup(hv, "web2", &d, &err), 0);
    assert_false(d.request_pending);
    /* Without: it stays, and nothing happens. */
    assert_int_equal(hv->ops->shutdown(hv, 1, &err), 0);
    assert_int_equal(hv->ops->lookup(hv, "web1", &d, &err), 0);
    assert_true(d.request_pending);
    char *text = get_state(root);
    assert_non_null(strstr(text, " shutdown "));
    assert_non_null(strstr(text, " never hvm,pending\n"));
    free(text);
    struct timespec ts = { 0, 250 * 1000000L };
    nanosleep(&ts, NULL);
    assert_false(find_guest(hv, "web2", NULL));
    assert_int_equal(hv->ops->lookup(hv, "web1", &d, &err), 0);
    assert_int_equal(d.state, DOM_RUNNING);
    /* Only an HVM guest has the button. */
    create_guest(hv, root, "web3", UUID3);
    assert_fails_with(hv->ops->power_button(hv, 3, errp),
                      "domain 3 (web3) is not an HVM guest: it has no ACPI power button");
    assert_fails_with(hv->ops->power_button(hv, 0, errp), "refusing to touch Domain-0");
    assert_fails_with(hv->ops->power_button(hv, 9, errp), "no domain with id 9");
    long long t0 = mono_ms();
    assert_int_equal(hv->ops->power_button(hv, 1, &err), 0);
    assert_null(err);
    assert_int_equal(hv->ops->wait(hv, 5000, &err), 0);
    long long took = mono_ms() - t0;
    if (took < 80 || took > 3000)
        fail_msg("the power button took %lld ms, want about 100", took);
    assert_false(find_guest(hv, "web1", NULL));
    hv->ops->close(hv);
}

/* ignore_shutdown=1 ignores the button too; the button needs no PV request
 * first; hang and hv_fail apply to it. */
static void test_power_button_ignored(void **state)
{
    const char *root = *state;
    struct hv_xl xl = { NULL, 300, 200 };
    struct hv *hv = open_sim_with(root, &xl);
    set_control(root, "* shutdown_ms=50 pv_drivers=0\nweb1 ignore_shutdown=1\n");
    write_config(root, "web1", UUID1, "type = \"hvm\"\nmemory = 256\n");
    /* The legacy builder = "hvm" (without type) makes an HVM guest too. */
    put_file(root, "/etc/xen/web2.cfg",
             "name = \"web2\"\nuuid = \"" UUID2 "\"\nbuilder = \"hvm\"\nmemory = 256\n");
    char *err = NULL;
    assert_int_equal(create_from(hv, root, "web1", &err), 0);
    assert_int_equal(create_from(hv, root, "web2", &err), 0);
    assert_int_equal(hv->ops->power_button(hv, 1, &err), 0);
    assert_int_equal(hv->ops->wait(hv, 200, &err), 1);
    struct hv_domain d;
    assert_int_equal(hv->ops->lookup(hv, "web1", &d, &err), 0);
    assert_int_equal(d.state, DOM_RUNNING);
    assert_false(d.request_pending); /* the button is no PV request */
    assert_int_equal(hv->ops->lookup(hv, "web2", &d, &err), 0);
    assert_true(d.hvm);
    set_control(root, "* hv_fail=power_button\n");
    assert_fails_with(hv->ops->power_button(hv, 2, errp), "simulated hypervisor failure");
    set_control(root, "web2 hang=power_button\n");
    assert_fails_with(hv->ops->power_button(hv, 2, errp),
                      "xl trigger 2 power: timed out after 200 ms");
    assert_true(find_guest(hv, "web2", NULL));
    set_control(root, "* shutdown_ms=50\n");
    assert_int_equal(hv->ops->power_button(hv, 2, &err), 0);
    assert_int_equal(hv->ops->wait(hv, 2000, &err), 0);
    assert_false(find_guest(hv, "web2", NULL));
    hv->ops->close(hv);
}

/* A read-only handle (a dry run) makes no file and changes nothing. */
static void test_readonly(void **state)
{
    const char *root = *state;
    struct hv *hv = NULL;
    char *err = NULL;
    assert_int_equal(hv_open_flags("sim", root, NULL, HV_OPEN_READONLY, &hv, &err), 0);
    struct hv_domain *v;
    assert_int_equal(list_all(hv, &v), 1);
    assert_string_equal(v[0].name, "Domain-0");
    free(v);
    write_config(root, "web1", UUID1, "memory = 256\n");
    assert_fails_with(create_from(hv, root, "web1", errp),
                      "read-only hypervisor handle: create refused");
    assert_fails_with(hv->ops->destroy(hv, 1, errp),
                      "read-only hypervisor handle: destroy refused");
    assert_fails_with(hv->ops->shutdown(hv, 1, errp),
                      "read-only hypervisor handle: shutdown refused");
    assert_fails_with(hv->ops->rename(hv, 1, "x", errp),
                      "read-only hypervisor handle: rename refused");
    assert_fails_with(hv->ops->power_button(hv, 1, errp),
                      "read-only hypervisor handle: power_button refused");
    assert_fails_with(hv->ops->set_memory(hv, 1, 1024, errp),
                      "read-only hypervisor handle: set_memory refused");
    hv->ops->close(hv);
    char *dir = root_path(root, "/var/lib/lcfg");
    assert_int_equal(access(dir, F_OK), -1);
    free(dir);

    /* With a state: it sees it, and a request that came due is seen as
     * done, but the files stay as they were. */
    set_control(root, "* shutdown_ms=20\n");
    struct hv *w = open_sim(root);
    create_guest(w, root, "web1", UUID1);
    create_guest(w, root, "web2", UUID2);
    assert_int_equal(w->ops->shutdown(w, 2, &err), 0);
    w->ops->close(w);
    char *before = get_state(root);
    struct timespec ts = { 0, 60 * 1000000L };
    nanosleep(&ts, NULL);
    assert_int_equal(hv_open_flags("sim", root, NULL, HV_OPEN_READONLY, &hv, &err), 0);
    assert_true(find_guest(hv, "web1", NULL));
    assert_false(find_guest(hv, "web2", NULL));
    struct hv_domain d;
    assert_int_equal(hv->ops->lookup_uuid(hv, UUID1, &d, &err), 0);
    assert_int_equal(d.domid, 1);
    hv->ops->close(hv);
    char *after = get_state(root);
    assert_string_equal(after, before);
    free(before);
    free(after);
    /* A writer then applies the event itself. */
    w = open_sim(root);
    assert_false(find_guest(w, "web2", NULL));
    w->ops->close(w);
}

static void test_create_all_reports_made(void **state)
{
    const char *root = *state;
    set_control(root, "web2 half_create=1\nweb3 race_create=1\n");
    static const char *const names[] = { "web1", "web2", "web3" };
    static const char *const uuids[] = { UUID1, UUID2, UUID3 };
    struct hv_create_job jobs[3];
    char *paths[3], *rpaths[3];
    for (int i = 0; i < 3; i++) {
        write_config(root, names[i], uuids[i], "memory = 128\n");
        paths[i] = xasprintf("/etc/xen/%s.cfg", names[i]);
        rpaths[i] = root_path(root, paths[i]);
        jobs[i] = (struct hv_create_job){ .path = paths[i], .rpath = rpaths[i],
                                          .data = (void *)names[i], .made = true,
                                          .domid = 77 };
    }
    struct batch_seen seen = { 0 };
    struct hv *parent = open_sim(root);
    assert_int_equal(hv_create_all(parent, root, NULL, jobs, 3, 1, batch_done, &seen), 2);
    parent->ops->close(parent);
    assert_int_equal(jobs[0].rc, 0);
    assert_true(jobs[0].made);
    assert_int_equal(jobs[0].domid, 1);
    assert_int_equal(jobs[1].rc, -1);
    assert_string_equal(jobs[1].err,
                        "xl create: simulated failure for web2 after its domain was built");
    assert_true(jobs[1].made);
    assert_int_equal(jobs[1].domid, 2);
    assert_int_equal(jobs[2].rc, -1);
    assert_string_equal(jobs[2].err, "xl create: a domain named 'web3' already exists (domid 3)");
    assert_false(jobs[2].made);
    assert_int_equal(jobs[2].domid, 0);
    for (int i = 0; i < 3; i++) {
        free(jobs[i].err);
        free(paths[i]);
        free(rpaths[i]);
    }
}

/* A run of the component that holds the lock and boots web1 (a slow
 * create), in a process of its own, which the test kills. */
static pid_t start_booting(const char *root)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid > 0)
        return pid;
    (void)setpgid(0, 0); /* a group of its own, as a foreground job */
    char *lock = root_path(root, PATH_LOCK);
    int fd = -1;
    char *err = NULL;
    if (lock_acquire(lock, "start", 1000, &fd, &err) != 0)
        _exit(3);
    char *path = xstrdup("/etc/xen/web1.cfg");
    struct hv_create_job job = { .path = path, .rpath = root_path(root, path) };
    struct batch_seen seen = { 0 };
    struct hv *parent = open_sim(root);
    hv_create_all(parent, root, NULL, &job, 1, 1, batch_done, &seen);
    _exit(0);
}

/* Kill the booting run once its create is under way ("creating" says 1),
 * and take the lock as the next run would: it must wait for the orphaned
 * create to end. Returns how long the next run waited, in ms. */
static long long kill_and_lock(const char *root, pid_t pid, int sig, bool group)
{
    char *creating = root_path(root, SIMDIR "/creating");
    for (int i = 0;; i++) {
        char *text = NULL;
        if (fs_read_file(creating, &text, NULL, NULL) == 0 && text[0] == '1') {
            free(text);
            break;
        }
        free(text);
        if (i == 500)
            fail_msg("the create did not start");
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    free(creating);
    assert_int_equal(kill(group ? -pid : pid, sig), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    char *lock = root_path(root, PATH_LOCK);
    int fd = -1;
    char *err = NULL;
    long long t0 = mono_ms();
    int rc = lock_acquire(lock, "start", 10000, &fd, &err);
    long long waited = mono_ms() - t0;
    if (rc != 0)
        fail_msg("lock: %s", err);
    lock_release(fd);
    free(lock);
    return waited;
}

/* The parent killed mid-create: its child keeps the lock until the create
 * is done, so the next run finds the guest built, not half-made. */
static void test_killed_parent_child_holds_lock(void **state)
{
    const char *root = *state;
    set_control(root, "web1 create_ms=1000\n");
    write_config(root, "web1", UUID1, "memory = 128\n");
    long long t0 = mono_ms();
    pid_t pid = start_booting(root);
    long long waited = kill_and_lock(root, pid, SIGKILL, false);
    if (waited < 300 || mono_ms() - t0 < 1000)
        fail_msg("the next run waited %lld ms: it did not wait for the create", waited);
    struct hv *hv = open_sim(root);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.state, DOM_RUNNING);
    char *text = get_file(root, SIMDIR "/creating");
    assert_string_equal(text, "0 1\n");
    free(text);
    hv->ops->close(hv);
}

/* A Ctrl-C reaches the whole process group: the run dies, its creates
 * (which ignore it) finish under the lock. */
static void test_interrupted_group_child_holds_lock(void **state)
{
    const char *root = *state;
    set_control(root, "web1 create_ms=800\n");
    write_config(root, "web1", UUID1, "memory = 128\n");
    pid_t pid = start_booting(root);
    long long waited = kill_and_lock(root, pid, SIGINT, true);
    if (waited < 200)
        fail_msg("the next run waited %lld ms: it did not wait for the create", waited);
    struct hv *hv = open_sim(root);
    struct hv_domain d;
    assert_true(find_guest(hv, "web1", &d));
    assert_int_equal(d.state, DOM_RUNNING);
    hv->ops->close(hv);
}

/* The orphaned create fails after building its domain: the child destroys
 * it, since its dead parent cannot. */
static void test_killed_parent_failed_create_cleaned(void **state)
{
    const char *root = *state;
    set_control(root, "web1 create_ms=600 half_create=1\n");
    write_config(root, "web1", UUID1, "memory = 128\n");
    pid_t pid = start_booting(root);
    long long waited = kill_and_lock(root, pid, SIGKILL, false);
    if (waited < 200)
        fail_msg("the next run waited %lld ms: it did not wait for the create", waited);
    struct hv *hv = open_sim(root);
    assert_false(find_guest(hv, "web1", NULL));
    struct hv_domain *v;
    assert_int_equal(list_all(hv, &v), 1); /* Domain-0 only */
    free(v);
    hv->ops->close(hv);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--child-create"))
        return child_create(argv[2], argv[3]);
    const struct CMUnitTest tests[] = {
        T(test_dom0_always_listed),
        T(test_state_directory_created),
        T(test_create_from_config),
        T(test_create_defaults_and_syntax),
        T(test_create_missing_settings),
        T(test_create_bad_config),
        T(test_domids_increase_never_reused),
        T(test_state_persists),
        T(test_two_handles_see_each_other),
        T(test_concurrent_creates),
        T(test_duplicate_name_refused),
        T(test_duplicate_uuid_refused),
        T(test_fail_create_leaves_nothing),
        T(test_half_create_leaves_a_paused_domain),
        T(test_create_takes_create_ms),
        T(test_hang_create_times_out),
        T(test_hang_other_operations),
        T(test_create_all_parallel),
        T(test_graceful_shutdown),
        T(test_shutdown_completes_in_another_process),
        T(test_ignore_shutdown),
        T(test_reboot_new_domid),
        T(test_crash),
        T(test_set_memory),
        T(test_set_vcpus),
        T(test_cpu_placement),
        T(test_dom0_untouchable),
        T(test_unknown_domid),
        T(test_hv_fail),
        T(test_bad_control_file),
        T(test_corrupt_state),
        T(test_journal_then_fold),
        T(test_journal_folded_when_it_outgrows_the_state),
        T(test_journal_replayed),
        T(test_journal_torn_last_line),
        T(test_journal_corrupt),
        T(test_journal_of_no_state_is_dropped),
        T(test_empty_journal_removed),
        T(test_forked_child_handle),
        T(test_lookup),
        T(test_many_removed_and_added),
        T(test_wait_timeout),
        T(test_wait_event_after_timeouts),
        T(test_wait_event_already_due),
        T(test_open_default_off_dom0_refuses),
        T(test_open_default_on_dom0_is_xen),
        T(test_open_unknown_backend),
        T(test_is_dom0),
        T(test_create_reports_made),
        T(test_race_create),
        T(test_lookup_uuid),
        T(test_rename),
        T(test_power_button),
        T(test_power_button_ignored),
        T(test_readonly),
        T(test_create_all_reports_made),
        T(test_killed_parent_child_holds_lock),
        T(test_killed_parent_failed_create_cleaned),
        T(test_interrupted_group_child_holds_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
