/* test-hv-xen.c: the Xen backend (src/hv_xen.c).
 *
 * Two builds of this file:
 *  - the default one links tests/unit/fakexen.c in place of libxenctrl
 *    and libxenstore (no -lxenctrl -lxenstore): the pure parts (decoding,
 *    uuids, paths, xl command lines) and every path through the libraries,
 *    failures included, against the fake; xl is a stand-in shell script
 *    that logs its arguments;
 *  - with -DHVX_REAL_LIBS, linked with the real libraries: hv_xen_open on
 *    this machine, which is no Xen dom0, must fail with the documented
 *    message and print nothing itself. (Skipped on a real dom0.)
 * The real <xenctrl.h> gives the record type in both. */
#include "testutil.h"

#include <xenctrl.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv.h"
#include "hv_impl.h"
#include "hv_xen_decode.h"
#include "util.h"

#ifndef HVX_REAL_LIBS

/* The control side of fakexen.c (see there). */
void fakexen_reset(void);
void fakexen_set(const char *knob, int value);
void fakexen_fail_read(const char *path, int errnum);
unsigned fakexen_count(const char *what);
unsigned fakexen_getinfolist_first(unsigned i);
unsigned fakexen_getinfolist_max(unsigned i);
void fakexen_add_domain(const xc_domaininfo_t *info);
void fakexen_add_domain_at(unsigned call, const xc_domaininfo_t *info);
void fakexen_remove_domain(unsigned domid);
void fakexen_vanish_after_list(unsigned domid);
void fakexen_set_ncpus(unsigned n);
void fakexen_place(unsigned domid, uint8_t hard, uint8_t soft, unsigned weight, unsigned cap);
void fakexen_odd_vcpu(unsigned vcpu, uint8_t hard);
void fakexen_add_pool(uint32_t id, uint32_t sched, uint8_t cpus, uint32_t ndom);
void fakexen_xs_set(const char *path, const char *value);
const char *fakexen_xs_get(const char *path);
void fakexen_fire(const char *path);

/* ---- helpers ---- */

static char tmpdir[64];   /* holds the stand-in xl and what it logs */
static char xl_path[128]; /* tmpdir/xl */

static char *tmp_file(const char *name)
{
    return xasprintf("%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *data, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(data, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void remove_tmp(const char *name)
{
    char *p = tmp_file(name);
    unlink(p);
    free(p);
}

/* The arguments xl was run with since the last reset, one a line, each
 * run ended by "--"; "" when it was not run. */
static char *xl_log(void)
{
    char *p = tmp_file("argv");
    char *s = access(p, F_OK) == 0 ? test_read_file(p) : xstrdup("");
    free(p);
    return s;
}

static void assert_xl_log(const char *want)
{
    char *got = xl_log();
    assert_string_equal(got, want);
    free(got);
}

/* Make the next runs of xl print text on stderr and exit with status. */
static void xl_fails(int status, const char *text)
{
    char *p = tmp_file("stderr");
    write_file(p, text, 0644);
    free(p);
    p = tmp_file("status");
    char *s = xasprintf("%d\n", status);
    write_file(p, s, 0644);
    free(s);
    free(p);
}

/* Make the next runs of xl hang: start a process in the background (it
 * writes its pid to "bg") and wait for it; with ignore_term, both ignore
 * SIGTERM (what a shell ignores, its children inherit), so that only
 * SIGKILL ends them. */
static void xl_hangs(bool ignore_term)
{
    char *p = tmp_file("hang");
    write_file(p, ignore_term ? "trap '' TERM\nsleep 60 & echo $! >\"$d/bg\"\nwait\n"
                              : "sleep 60 & echo $! >\"$d/bg\"\nwait\n",
               0644);
    free(p);
}

/* The pid the hanging xl's background process wrote. */
static pid_t xl_background(void)
{
    char *p = tmp_file("bg");
    char *s = test_read_file(p);
    free(p);
    long pid = strtol(s, NULL, 10);
    free(s);
    assert_true(pid > 1);
    return (pid_t)pid;
}

/* The hanging xl's background process has gone (or is a zombie, which
 * only init, its parent once the killed xl is gone, reaps), and no child
 * of ours is left, running or unreaped. */
static void assert_xl_gone(pid_t bg)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)bg);
    for (int i = 0;; i++) {
        FILE *f = fopen(path, "r");
        if (!f)
            break;
        char st = '?';
        int n = fscanf(f, "%*d (%*[^)]) %c", &st);
        fclose(f);
        if (n == 1 && (st == 'Z' || st == 'X'))
            break;
        if (i == 200)
            fail_msg("the hanging xl's background process %ld is still running", (long)bg);
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A record as the hypervisor gives it: 512 MiB of 1 GiB, 2 of 4 vcpus,
 * 12.5 s of cpu, uuid bytes derived from the domid. */
static xc_domaininfo_t record(unsigned domid, uint32_t flags)
{
    xc_domaininfo_t info;
    memset(&info, 0, sizeof(info));
    info.domain = (domid_t)domid;
    info.flags = flags;
    info.tot_pages = 131072;
    info.max_pages = 262144;
    info.nr_online_vcpus = 2;
    info.max_vcpu_id = 3;
    info.cpu_time = 12500000000ULL;
    for (int k = 0; k < 16; k++)
        info.handle[k] = (uint8_t)(domid * 16 + (unsigned)k);
    return info;
}

static uint32_t shutdown_flags(unsigned reason)
{
    return XEN_DOMINF_shutdown | (reason << XEN_DOMINF_shutdownshift);
}

/* A domain as libxl leaves it: the record, and its xenstore nodes (a
 * name unless name is NULL, a balloon target, a start time). */
static void add_guest(unsigned domid, const char *name, uint32_t flags)
{
    xc_domaininfo_t info = record(domid, flags);
    fakexen_add_domain(&info);
    char uuid[37];
    hv_xen_format_uuid(info.handle, uuid);
    char *p;
    if (name) {
        p = hv_xen_dom_path(domid, "name");
        fakexen_xs_set(p, name);
        free(p);
    }
    p = hv_xen_dom_path(domid, "memory/target");
    fakexen_xs_set(p, "523264");
    free(p);
    p = hv_xen_vm_path(uuid, "start_time");
    fakexen_xs_set(p, "1700000000.42");
    free(p);
}

/* The toolstack with the default timeouts (hv_open fills them in). */
static struct hv_xl tool(const char *path)
{
    return (struct hv_xl){ path, HV_XL_CREATE_TIMEOUT_MS, HV_XL_TIMEOUT_MS };
}

static struct hv *open_xen_with(const struct hv_xl *xl)
{
    struct hv *hv = NULL;
    char *err = NULL;
    int rc = hv_xen_open("/", xl, 0, &hv, &err);
    if (rc != 0)
        fail_msg("hv_xen_open: %s", err ? err : "(no message)");
    assert_null(err);
    assert_non_null(hv);
    assert_string_equal(hv->ops->name, "xen");
    return hv;
}

static struct hv *open_xen(void)
{
    struct hv_xl xl = tool(xl_path);
    return open_xen_with(&xl);
}

/* Close, and check that nothing is left open. */
static void close_xen(struct hv *hv)
{
    hv->ops->close(hv);
    assert_int_equal(fakexen_count("xc_handles"), 0);
    assert_int_equal(fakexen_count("xs_handles"), 0);
    assert_int_equal(fakexen_count("watching"), 0);
}

static void open_fails(const char *xl, const char *want)
{
    struct hv *hv = (struct hv *)&hv; /* must be reset */
    char *err = NULL;
    struct hv_xl t = tool(xl);
    assert_int_equal(hv_xen_open("/", &t, 0, &hv, &err), -1);
    assert_null(hv);
    assert_non_null(err);
    assert_string_equal(err, want);
    free(err);
    assert_int_equal(fakexen_count("xc_handles"), 0);
    assert_int_equal(fakexen_count("xs_handles"), 0);
    assert_int_equal(fakexen_count("watching"), 0);
}

static struct hv_domain *list_ok(struct hv *hv, size_t *n)
{
    struct hv_domain *d = NULL;
    char *err = NULL;
    int rc = hv->ops->list(hv, &d, n, &err);
    if (rc != 0)
        fail_msg("list: %s", err ? err : "(no message)");
    assert_null(err);
    return d;
}

/* rc is -1 and *err is want. (err by address: an argument list has no
 * order of evaluation, so *err is read only once the call has run.) */
static void assert_fails(int rc, char **err, const char *want)
{
    assert_int_equal(rc, -1);
    assert_non_null(*err);
    assert_string_equal(*err, want);
    free(*err);
    *err = NULL;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-hv-xen.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(xl_path, sizeof(xl_path), "%s/xl", tmpdir);
    /* The stand-in xl: log the arguments, then behave as told by the
     * files "hang" (shell commands it runs first), "stderr" and "status".
     * exec_run gives it a minimal environment, so files, not variables,
     * steer it. */
    char *script = xasprintf("#!/bin/sh\n"
                             "d='%s'\n"
                             "printf '%%s\\n' \"$@\" -- >>\"$d/argv\"\n"
                             "[ -f \"$d/hang\" ] && . \"$d/hang\"\n"
                             "[ -f \"$d/stderr\" ] && cat \"$d/stderr\" >&2\n"
                             "[ -f \"$d/status\" ] && exit \"$(cat \"$d/status\")\"\n"
                             "exit 0\n",
                             tmpdir);
    write_file(xl_path, script, 0755);
    free(script);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    const char *names[] = { "xl", "argv", "stderr", "status", "hang", "bg", "web1.cfg" };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        remove_tmp(names[i]);
    rmdir(tmpdir);
    fakexen_reset(); /* frees the fake's tables */
    return 0;
}

static int setup(void **state)
{
    (void)state;
    fakexen_reset();
    remove_tmp("argv");
    remove_tmp("stderr");
    remove_tmp("status");
    remove_tmp("hang");
    remove_tmp("bg");
    return 0;
}

/* ---- decoding (pure) ---- */

static void decode(uint32_t flags, struct hv_domain *d)
{
    xc_domaininfo_t info = record(7, flags);
    memset(d, 0xa5, sizeof(*d)); /* every field must be written */
    hv_xen_decode(&info, d);
}

static void test_decode_running(void **state)
{
    (void)state;
    struct hv_domain d;
    decode(XEN_DOMINF_running, &d);
    assert_int_equal(d.domid, 7);
    assert_int_equal(d.state, DOM_RUNNING);
    assert_int_equal(d.shutdown_reason, 0);
    /* blocked (idle, waiting for an event), and neither running nor
     * blocked (runnable, waiting for a cpu): alive all the same */
    decode(XEN_DOMINF_blocked, &d);
    assert_int_equal(d.state, DOM_RUNNING);
    decode(0, &d);
    assert_int_equal(d.state, DOM_RUNNING);
    /* a PVH/HVM guest's extra bits change nothing */
    decode(XEN_DOMINF_running | XEN_DOMINF_hvm_guest | XEN_DOMINF_hap, &d);
    assert_int_equal(d.state, DOM_RUNNING);
}

static void test_decode_paused(void **state)
{
    (void)state;
    struct hv_domain d;
    decode(XEN_DOMINF_paused, &d);
    assert_int_equal(d.state, DOM_PAUSED);
    decode(XEN_DOMINF_paused | XEN_DOMINF_blocked, &d);
    assert_int_equal(d.state, DOM_PAUSED);
}

static void test_decode_shutdown(void **state)
{
    (void)state;
    struct hv_domain d;
    decode(shutdown_flags(SHUTDOWN_poweroff), &d);
    assert_int_equal(d.state, DOM_SHUTDOWN);
    assert_int_equal(d.shutdown_reason, HV_SHUTDOWN_POWEROFF);
    decode(shutdown_flags(SHUTDOWN_reboot), &d);
    assert_int_equal(d.state, DOM_SHUTDOWN);
    assert_int_equal(d.shutdown_reason, HV_SHUTDOWN_REBOOT);
    decode(shutdown_flags(SHUTDOWN_suspend), &d);
    assert_int_equal(d.state, DOM_SHUTDOWN);
    assert_int_equal(d.shutdown_reason, HV_SHUTDOWN_SUSPEND);
    /* shut down wins over paused (libxl pauses a domain it keeps) */
    decode(shutdown_flags(SHUTDOWN_reboot) | XEN_DOMINF_paused, &d);
    assert_int_equal(d.state, DOM_SHUTDOWN);
    assert_int_equal(d.shutdown_reason, HV_SHUTDOWN_REBOOT);
    /* reasons beyond hv.h's names are passed on (watchdog is 4) */
    decode(shutdown_flags(SHUTDOWN_watchdog), &d);
    assert_int_equal(d.state, DOM_SHUTDOWN);
    assert_int_equal(d.shutdown_reason, 4);
}

static void test_decode_crashed(void **state)
{
    (void)state;
    struct hv_domain d;
    decode(shutdown_flags(SHUTDOWN_crash), &d);
    assert_int_equal(d.state, DOM_CRASHED);
    assert_int_equal(d.shutdown_reason, HV_SHUTDOWN_CRASH);
    /* the reason counts only with the shutdown bit */
    decode(XEN_DOMINF_running | (SHUTDOWN_crash << XEN_DOMINF_shutdownshift), &d);
    assert_int_equal(d.state, DOM_RUNNING);
}

static void test_decode_dying(void **state)
{
    (void)state;
    struct hv_domain d;
    decode(XEN_DOMINF_dying, &d);
    assert_int_equal(d.state, DOM_DYING);
    decode(XEN_DOMINF_dying | shutdown_flags(SHUTDOWN_crash) | XEN_DOMINF_paused, &d);
    assert_int_equal(d.state, DOM_DYING);
}

static void test_decode_numbers(void **state)
{
    (void)state;
    struct hv_domain d;
    decode(XEN_DOMINF_running, &d);
    assert_int_equal(d.mem_kb, 524288);  /* 131072 pages of 4 KiB */
    assert_int_equal(d.max_kb, 1048576); /* 262144 pages */
    assert_int_equal(d.vcpus, 2);
    assert_int_equal(d.max_vcpus, 4); /* max_vcpu_id 3 */
    assert_true(d.cpu_seconds > 12.4999 && d.cpu_seconds < 12.5001);
    assert_string_equal(d.uuid, "70717273-7475-7677-7879-7a7b7c7d7e7f");
    /* xenstore's fields are left empty, not left as they were */
    assert_string_equal(d.name, "");
    assert_int_equal(d.target_kb, 0);
    assert_int_equal(d.start_time, 0);

    xc_domaininfo_t info = record(3, XEN_DOMINF_running);
    info.max_vcpu_id = XEN_INVALID_MAX_VCPU_ID; /* no vcpus yet */
    info.nr_online_vcpus = 0;
    info.tot_pages = 0x100000000ULL; /* 16 TiB: no 32-bit overflow */
    hv_xen_decode(&info, &d);
    assert_int_equal(d.max_vcpus, 0);
    assert_int_equal(d.vcpus, 0);
    assert_int_equal(d.mem_kb, 0x400000000ULL);
}

static void test_uuid_format(void **state)
{
    (void)state;
    const uint8_t h[16] = { 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01, 0x4A, 0xBC,
                            0x80, 0x0f, 0xff, 0x10, 0x20, 0x30, 0x40, 0x5F };
    char out[37];
    memset(out, 'x', sizeof(out));
    hv_xen_format_uuid(h, out);
    assert_string_equal(out, "deadbeef-0001-4abc-800f-ff102030405f");
    const uint8_t zero[16] = { 0 };
    hv_xen_format_uuid(zero, out);
    assert_string_equal(out, "00000000-0000-0000-0000-000000000000");
}

static void test_paths(void **state)
{
    (void)state;
    char *p = hv_xen_dom_path(0, "name");
    assert_string_equal(p, "/local/domain/0/name");
    free(p);
    p = hv_xen_dom_path(32752, "memory/target");
    assert_string_equal(p, "/local/domain/32752/memory/target");
    free(p);
    p = hv_xen_dom_path(5, "control/shutdown");
    assert_string_equal(p, "/local/domain/5/control/shutdown");
    free(p);
    p = hv_xen_vm_path("deadbeef-0001-4abc-800f-ff102030405f", "start_time");
    assert_string_equal(p, "/vm/deadbeef-0001-4abc-800f-ff102030405f/start_time");
    free(p);
}

static void test_parse_seconds(void **state)
{
    (void)state;
    long long t = -1;
    assert_true(hv_xen_parse_seconds("1700000000.42", &t));
    assert_int_equal(t, 1700000000);
    assert_true(hv_xen_parse_seconds("1700000000", &t));
    assert_int_equal(t, 1700000000);
    assert_true(hv_xen_parse_seconds("0", &t));
    assert_int_equal(t, 0);
    assert_true(hv_xen_parse_seconds("999999999999999999.9", &t));
    assert_int_equal(t, 999999999999999999LL);
    const char *bad[] = { "", ".5", "5.", "-1", "+1", " 1", "1 ", "1.2.3", "1e9", "abc",
                          "1,5", "9999999999999999999" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        t = 77;
        if (hv_xen_parse_seconds(bad[i], &t))
            fail_msg("\"%s\" accepted", bad[i]);
        assert_int_equal(t, 77);
    }
}

/* argv equals the NULL-terminated list want. */
static void assert_argv(char **argv, const char *const *want)
{
    size_t i;
    for (i = 0; want[i]; i++) {
        assert_non_null(argv[i]);
        assert_string_equal(argv[i], want[i]);
    }
    assert_null(argv[i]);
    hv_xen_argv_free(argv);
}

static void test_argv_create(void **state)
{
    (void)state;
    const char *want[] = { "/usr/sbin/xl", "create", "-q", "-f", "/etc/xen/web1.cfg", NULL };
    assert_argv(hv_xen_argv_create("/usr/sbin/xl", "/etc/xen/web1.cfg"), want);
    /* whatever the path looks like, it stays one option argument */
    const char *odd[] = { "/usr/sbin/xl", "create", "-q", "-f", "-n", NULL };
    assert_argv(hv_xen_argv_create("/usr/sbin/xl", "-n"), odd);
    hv_xen_argv_free(NULL);
}

static void test_argv_destroy(void **state)
{
    (void)state;
    const char *want[] = { "/usr/sbin/xl", "destroy", "12", NULL };
    assert_argv(hv_xen_argv_destroy("/usr/sbin/xl", 12), want);
}

static void test_argv_mem_set(void **state)
{
    (void)state;
    /* KiB with xl's "k" suffix: a bare number would be MiB */
    const char *want[] = { "/usr/sbin/xl", "mem-set", "3", "524288k", NULL };
    assert_argv(hv_xen_argv_mem_set("/usr/sbin/xl", 3, 524288), want);
    const char *big[] = { "/usr/sbin/xl", "mem-set", "3", "17179869184k", NULL };
    assert_argv(hv_xen_argv_mem_set("/usr/sbin/xl", 3, 17179869184ULL), big);
}

static void test_argv_vcpu_set(void **state)
{
    (void)state;
    const char *want[] = { "/usr/sbin/xl", "vcpu-set", "3", "2", NULL };
    assert_argv(hv_xen_argv_vcpu_set("/usr/sbin/xl", 3, 2), want);
}

/* ---- open and close ---- */

static void test_open_not_dom0(void **state)
{
    (void)state;
    /* what the real library does off Xen: ENOENT, no /dev/xen/privcmd */
    fakexen_set("xc_open_errno", ENOENT);
    open_fails(xl_path, "this host is not a running Xen dom0 (cannot open the hypervisor "
                        "interface: No such file or directory)");
    fakexen_set("xc_open_errno", EACCES); /* dom0, but not root */
    open_fails(xl_path, "this host is not a running Xen dom0 (cannot open the hypervisor "
                        "interface: Permission denied)");
}

static void test_open_no_xenstored(void **state)
{
    (void)state;
    fakexen_set("xs_open_errno", ENOENT);
    /* the xc handle it had already opened is closed again */
    open_fails(xl_path,
               "cannot connect to xenstored (No such file or directory): is the xen service "
               "running?");
}

static void test_open_watch_fails(void **state)
{
    (void)state;
    fakexen_set("watch_errno", ENOSPC);
    open_fails(xl_path, "cannot watch @releaseDomain in xenstore: No space left on device");
}

static void test_open_bad_xl(void **state)
{
    (void)state;
    open_fails("xl", "the xl program must be an absolute path (not \"xl\")");
    open_fails(NULL, "the xl program must be an absolute path (not \"\")");
    /* refused before anything was opened */
    assert_int_equal(fakexen_count("getinfolists"), 0);
}

static void test_open_close(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    assert_int_equal(fakexen_count("xc_handles"), 1);
    assert_int_equal(fakexen_count("xs_handles"), 1);
    assert_int_equal(fakexen_count("watching"), 1);
    /* the event of the watch's registration was taken at open */
    assert_int_equal(fakexen_count("events"), 0);
    close_xen(hv);
    assert_int_equal(fakexen_count("unwatches"), 1);
}

/* ---- list ---- */

static void test_list(void **state)
{
    (void)state;
    /* dom0 as xen-init-dom0 leaves it: a name, no target, no /vm */
    xc_domaininfo_t d0 = record(0, XEN_DOMINF_running);
    memset(d0.handle, 0, sizeof(d0.handle));
    d0.max_pages = 0xffffffffffULL; /* dom0 is usually uncapped */
    fakexen_add_domain(&d0);
    fakexen_xs_set("/local/domain/0/name", "Domain-0");
    add_guest(3, "web1", XEN_DOMINF_blocked);
    add_guest(4, "db1", shutdown_flags(SHUTDOWN_poweroff));

    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 3);

    assert_int_equal(d[0].domid, 0);
    assert_string_equal(d[0].name, "Domain-0");
    assert_string_equal(d[0].uuid, "00000000-0000-0000-0000-000000000000");
    assert_int_equal(d[0].state, DOM_RUNNING);
    assert_int_equal(d[0].target_kb, d[0].mem_kb); /* no target: the allocation */
    assert_int_equal(d[0].start_time, 0);

    assert_int_equal(d[1].domid, 3);
    assert_string_equal(d[1].name, "web1");
    assert_string_equal(d[1].uuid, "30313233-3435-3637-3839-3a3b3c3d3e3f");
    assert_int_equal(d[1].state, DOM_RUNNING);
    assert_int_equal(d[1].mem_kb, 524288);
    assert_int_equal(d[1].target_kb, 523264);
    assert_int_equal(d[1].max_kb, 1048576);
    assert_int_equal(d[1].vcpus, 2);
    assert_int_equal(d[1].max_vcpus, 4);
    assert_int_equal(d[1].start_time, 1700000000);

    assert_int_equal(d[2].domid, 4);
    assert_string_equal(d[2].name, "db1");
    assert_int_equal(d[2].state, DOM_SHUTDOWN);
    assert_int_equal(d[2].shutdown_reason, HV_SHUTDOWN_POWEROFF);
    free(d);

    /* one batch was enough: one hypercall, from domid 0 */
    assert_int_equal(fakexen_count("getinfolists"), 1);
    assert_int_equal(fakexen_getinfolist_first(0), 0);
    assert_int_equal(fakexen_getinfolist_max(0), HV_XEN_BATCH);
    close_xen(hv);
}

static void test_list_empty_values(void **state)
{
    (void)state;
    add_guest(3, "web1", XEN_DOMINF_running);
    /* what a guest-writable or half-written node could hold: ignored */
    fakexen_xs_set("/local/domain/3/memory/target", "lots");
    fakexen_xs_set("/vm/30313233-3435-3637-3839-3a3b3c3d3e3f/start_time", "yesterday");
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 1);
    assert_int_equal(d[0].target_kb, d[0].mem_kb);
    assert_int_equal(d[0].start_time, 0);
    free(d);
    close_xen(hv);
}

/* libxl keeps the hypervisor's cap at the balloon target + 1 MiB; the
 * guest's maxmem, the ceiling of a live change, is memory/static-max. */
static void test_list_max_is_static_max(void **state)
{
    (void)state;
    add_guest(3, "web1", XEN_DOMINF_running);
    fakexen_xs_set("/local/domain/3/memory/static-max", "786432");
    add_guest(4, "db1", XEN_DOMINF_running);
    fakexen_xs_set("/local/domain/4/memory/static-max", "much");
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].max_kb, 786432);
    assert_int_equal(d[1].max_kb, 1048576); /* unreadable: the hypervisor's cap */
    free(d);
    close_xen(hv);
}

static void test_list_long_name(void **state)
{
    (void)state;
    char name[101];
    memset(name, 'n', 100);
    name[100] = '\0';
    add_guest(3, name, XEN_DOMINF_running);
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 1);
    assert_int_equal(strlen(d[0].name), 64); /* cut to the field */
    assert_memory_equal(d[0].name, name, 64);
    free(d);
    close_xen(hv);
}

static void test_list_domain_vanishes(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    add_guest(5, "going", shutdown_flags(SHUTDOWN_poweroff));
    add_guest(7, "web1", XEN_DOMINF_running);
    /* destroyed after the hypervisor listed it, before xenstore was read */
    fakexen_vanish_after_list(5);
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].domid, 0);
    assert_int_equal(d[1].domid, 7);
    assert_string_equal(d[1].name, "web1");
    free(d);
    /* the list, then the check that 5 had gone: asked from 5 on, the
     * hypervisor answered with 7 */
    assert_int_equal(fakexen_count("getinfolists"), 2);
    assert_int_equal(fakexen_getinfolist_first(1), 5);
    assert_int_equal(fakexen_getinfolist_max(1), 1);
    close_xen(hv);
}

static void test_list_domain_without_name(void **state)
{
    (void)state;
    /* being built: libxl has not written its name yet; it is there */
    add_guest(9, NULL, XEN_DOMINF_paused);
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 1);
    assert_int_equal(d[0].domid, 9);
    assert_string_equal(d[0].name, "");
    assert_int_equal(d[0].state, DOM_PAUSED);
    free(d);
    close_xen(hv);
}

static void test_list_batches(void **state)
{
    (void)state;
    /* more than one batch, with gaps in the domids */
    const unsigned total = HV_XEN_BATCH + 44;
    for (unsigned i = 0; i < total; i++) {
        char name[32];
        snprintf(name, sizeof(name), "g%u", i * 3);
        add_guest(i * 3, name, XEN_DOMINF_running);
    }
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, total);
    for (unsigned i = 0; i < total; i++) {
        char name[32];
        snprintf(name, sizeof(name), "g%u", i * 3);
        assert_int_equal(d[i].domid, i * 3);
        assert_string_equal(d[i].name, name);
    }
    free(d);
    /* the second batch starts after the last domid of the first */
    assert_int_equal(fakexen_count("getinfolists"), 2);
    assert_int_equal(fakexen_getinfolist_first(0), 0);
    assert_int_equal(fakexen_getinfolist_first(1), (HV_XEN_BATCH - 1) * 3 + 1);
    close_xen(hv);
}

static void test_list_full_batch_at_end(void **state)
{
    (void)state;
    /* exactly one full batch: one more call finds nothing, and stops */
    for (unsigned i = 0; i < HV_XEN_BATCH; i++)
        add_guest(i, "g", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, HV_XEN_BATCH);
    free(d);
    assert_int_equal(fakexen_count("getinfolists"), 2);
    assert_int_equal(fakexen_getinfolist_first(1), HV_XEN_BATCH);
    close_xen(hv);
}

/* ---- lookup ---- */

static void test_lookup(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    add_guest(3, "web1", XEN_DOMINF_blocked);
    add_guest(4, "db1", shutdown_flags(SHUTDOWN_poweroff));
    struct hv *hv = open_xen();
    struct hv_domain d;
    char *err = NULL;
    /* found: as list has it */
    assert_int_equal(hv->ops->lookup(hv, "db1", &d, &err), 0);
    assert_null(err);
    assert_int_equal(d.domid, 4);
    assert_string_equal(d.name, "db1");
    assert_int_equal(d.state, DOM_SHUTDOWN);
    assert_int_equal(d.target_kb, 523264);
    assert_int_equal(d.start_time, 1700000000);
    assert_int_equal(hv->ops->lookup(hv, "web1", &d, &err), 0);
    assert_int_equal(d.domid, 3);
    /* not found: 1, *ret untouched */
    d.domid = 77;
    assert_int_equal(hv->ops->lookup(hv, "web", &d, &err), 1);
    assert_int_equal(hv->ops->lookup(hv, "nosuch", &d, &err), 1);
    assert_null(err);
    assert_int_equal(d.domid, 77);
    close_xen(hv);
}

static void test_lookup_hypercall_fails(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    fakexen_set("getinfolist_errno", EPERM);
    struct hv_domain d;
    char *err = NULL;
    assert_fails(hv->ops->lookup(hv, "Domain-0", &d, &err), &err,
                 "cannot list the domains: Operation not permitted (xc: "
                 "XEN_SYSCTL_getdomaininfolist failed: Operation not permitted)");
    close_xen(hv);
}

static void test_list_hypercall_fails(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    fakexen_set("getinfolist_errno", EPERM);
    struct hv_domain *d = NULL;
    size_t n = 0;
    char *err = NULL;
    /* the library's own error line, caught by the quiet logger, says more */
    assert_fails(hv->ops->list(hv, &d, &n, &err), &err,
                 "cannot list the domains: Operation not permitted (xc: "
                 "XEN_SYSCTL_getdomaininfolist failed: Operation not permitted)");
    assert_null(d);
    close_xen(hv);
}

static void test_list_xenstore_fails(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    add_guest(3, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    fakexen_fail_read("/local/domain/3/memory/target", EACCES);
    struct hv_domain *d = NULL;
    size_t n = 0;
    char *err = NULL;
    assert_fails(hv->ops->list(hv, &d, &n, &err), &err,
                 "cannot read /local/domain/3/memory/target from xenstore: Permission denied");
    assert_null(d);
    close_xen(hv);
}

/* ---- shutdown and reboot ---- */

static void test_shutdown(void **state)
{
    (void)state;
    add_guest(3, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->shutdown(hv, 3, &err), 0);
    assert_null(err);
    assert_string_equal(fakexen_xs_get("/local/domain/3/control/shutdown"), "poweroff");
    assert_int_equal(fakexen_count("tx_start"), 1);
    assert_int_equal(fakexen_count("tx_commit"), 1);
    assert_xl_log(""); /* xenstore only */
    close_xen(hv);
}

static void test_reboot(void **state)
{
    (void)state;
    add_guest(3, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->reboot(hv, 3, &err), 0);
    assert_null(err);
    assert_string_equal(fakexen_xs_get("/local/domain/3/control/shutdown"), "reboot");
    close_xen(hv);
}

static void test_shutdown_vanished(void **state)
{
    (void)state;
    add_guest(5, "going", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    fakexen_remove_domain(5);
    char *err = NULL;
    assert_fails(hv->ops->shutdown(hv, 5, &err), &err, "no domain with id 5");
    /* no stray node for the next domain to get id 5 */
    assert_null(fakexen_xs_get("/local/domain/5/control/shutdown"));
    assert_int_equal(fakexen_count("tx_abort"), 1);
    assert_int_equal(fakexen_count("tx_commit"), 0);
    assert_fails(hv->ops->reboot(hv, 42, &err), &err, "no domain with id 42");
    close_xen(hv);
}

static void test_shutdown_retries_eagain(void **state)
{
    (void)state;
    add_guest(3, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    fakexen_set("tx_eagain", 2);
    char *err = NULL;
    assert_int_equal(hv->ops->shutdown(hv, 3, &err), 0);
    assert_null(err);
    assert_int_equal(fakexen_count("tx_start"), 3);
    assert_int_equal(fakexen_count("tx_conflicts"), 2);
    assert_int_equal(fakexen_count("tx_commit"), 1);
    assert_string_equal(fakexen_xs_get("/local/domain/3/control/shutdown"), "poweroff");
    close_xen(hv);
}

static void test_shutdown_gives_up(void **state)
{
    (void)state;
    add_guest(3, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    fakexen_set("tx_eagain", 1000000);
    char *err = NULL;
    assert_fails(hv->ops->shutdown(hv, 3, &err), &err,
                 "cannot ask domain 3 to power off: xenstore transaction failed: Resource "
                 "temporarily unavailable");
    assert_null(fakexen_xs_get("/local/domain/3/control/shutdown"));
    unsigned tries = fakexen_count("tx_start");
    assert_true(tries > 1 && tries < 1000);
    close_xen(hv);
}

static void test_dom0_refused(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    /* the simulator's words, for every method that acts on a domain */
    assert_fails(hv->ops->shutdown(hv, 0, &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->reboot(hv, 0, &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->destroy(hv, 0, &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->set_memory(hv, 0, 1048576, &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->set_vcpus(hv, 0, 1, &err), &err, "refusing to touch Domain-0");
    assert_null(fakexen_xs_get("/local/domain/0/control/shutdown"));
    assert_int_equal(fakexen_count("tx_start"), 0);
    assert_xl_log("");
    close_xen(hv);
}

/* ---- xl ---- */

static void test_create(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->create(hv, "/etc/xen/web1.cfg", "/root/etc/xen/web1.cfg", NULL, &err),
                     0);
    assert_null(err);
    assert_xl_log("create\n-q\n-f\n/etc/xen/web1.cfg\n--\n");
    close_xen(hv);
}

static void test_create_fails(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    xl_fails(1, "\nlibxl: error: libxl_create.c:1234:do_domain_create: Domain with name "
                "\"web1\" already exists.\nlibxl: error: second line\n");
    char *err = NULL;
    assert_fails(hv->ops->create(hv, "/etc/xen/web1.cfg", "/etc/xen/web1.cfg", NULL, &err), &err,
                 "xl create -f /etc/xen/web1.cfg: exited 1: libxl: error: "
                 "libxl_create.c:1234:do_domain_create: Domain with name \"web1\" already "
                 "exists.");
    close_xen(hv);
}

static void test_create_bad_path(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->create(hv, "web1.cfg", "web1.cfg", NULL, &err), -1);
    assert_non_null(err);
    assert_true(str_starts_with(err, "xl create -f web1.cfg: bad config file path ("));
    free(err);
    assert_xl_log(""); /* xl was not run */
    close_xen(hv);
}

static void test_destroy(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->destroy(hv, 5, &err), 0);
    assert_null(err);
    assert_xl_log("destroy\n5\n--\n");
    xl_fails(1, "Domain 5 does not exist.\n");
    assert_fails(hv->ops->destroy(hv, 5, &err), &err,
                 "xl destroy 5: exited 1: Domain 5 does not exist.");
    close_xen(hv);
}

static void test_set_memory(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->set_memory(hv, 5, 786432, &err), 0);
    assert_null(err);
    assert_xl_log("mem-set\n5\n786432k\n--\n");
    xl_fails(1, "cannot set domid 5 dynamic max memory to : 786432k\n");
    assert_fails(hv->ops->set_memory(hv, 5, 786432, &err), &err,
                 "xl mem-set 5 786432k: exited 1: cannot set domid 5 dynamic max memory to "
                 ": 786432k");
    close_xen(hv);
}

/* ---- CPU placement ---- */

static void test_cpu_decode(void **state)
{
    (void)state;
    assert_string_equal(hv_xen_sched_name(XEN_SCHEDULER_CREDIT2), "credit2");
    assert_string_equal(hv_xen_sched_name(XEN_SCHEDULER_CREDIT), "credit");
    assert_string_equal(hv_xen_sched_name(XEN_SCHEDULER_RTDS), "rtds");
    assert_string_equal(hv_xen_sched_name(XEN_SCHEDULER_NULL), "null");
    assert_string_equal(hv_xen_sched_name(99), "unknown");
    uint8_t map[2] = { 0x0f, 0x01 }; /* CPUs 0-3 and 8 */
    char out[64];
    hv_xen_cpumap_text(map, 2, 16, out, sizeof(out));
    assert_string_equal(out, "0-3,8");
    hv_xen_cpumap_text(map, 1, 4, out, sizeof(out));
    assert_string_equal(out, "all");
    uint8_t none = 0;
    hv_xen_cpumap_text(&none, 1, 4, out, sizeof(out));
    assert_string_equal(out, "none");
}

/* A domain's placement: affinity across its vcpus (mixed when they
 * differ), weight and cap from its pool's scheduler, the pool's name
 * from xenstore (libxl's /local/pool/<id>/name). */
static void test_cpu_get(void **state)
{
    (void)state;
    xc_domaininfo_t info = record(5, XEN_DOMINF_running);
    info.cpupool = 1;
    fakexen_add_domain(&info);
    fakexen_set_ncpus(4);
    fakexen_add_pool(0, XEN_SCHEDULER_CREDIT2, 0x03, 1);
    fakexen_add_pool(1, XEN_SCHEDULER_CREDIT, 0x0c, 1);
    fakexen_xs_set("/local/pool/0/name", "Pool-0");
    fakexen_xs_set("/local/pool/1/name", "batch");
    fakexen_place(5, 0x04, 0x0f, 512, 50);
    struct hv *hv = open_xen();
    struct hv_cpu c;
    char *err = NULL;
    assert_int_equal(hv->ops->cpu_get(hv, 5, &c, &err), 0);
    assert_string_equal(c.hard, "2");
    assert_string_equal(c.soft, "all");
    assert_int_equal(c.weight, 512);
    assert_int_equal(c.cap, 50);
    assert_string_equal(c.pool, "batch");
    fakexen_odd_vcpu(3, 0x08);
    assert_int_equal(hv->ops->cpu_get(hv, 5, &c, &err), 0);
    assert_string_equal(c.hard, "mixed");
    assert_string_equal(c.soft, "all");
    assert_fails(hv->ops->cpu_get(hv, 9, &c, &err), &err, "no domain with id 9");

    struct hv_pool *p = NULL;
    size_t n = 0;
    unsigned ncpus = 0;
    assert_int_equal(hv->ops->pools(hv, &p, &n, &ncpus, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ncpus, 4);
    assert_string_equal(p[0].name, "Pool-0");
    assert_string_equal(p[0].sched, "credit2");
    assert_string_equal(p[0].cpus, "0-1");
    assert_string_equal(p[1].name, "batch");
    assert_string_equal(p[1].sched, "credit");
    assert_string_equal(p[1].cpus, "2-3");
    assert_int_equal(p[1].ndoms, 1);
    free(p);
    close_xen(hv);
}

/* The changes run xl, as xl(1) writes them. */
static void test_cpu_changes(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->vcpu_pin(hv, 5, "0-1", "all", &err), 0);
    assert_int_equal(hv->ops->sched_set(hv, 5, "credit2", 512, 0, &err), 0);
    assert_int_equal(hv->ops->sched_set(hv, 5, "credit", 128, 50, &err), 0);
    assert_int_equal(hv->ops->pool_migrate(hv, 5, "batch", &err), 0);
    assert_int_equal(hv->ops->pool_create(hv, "batch", "credit2", &err), 0);
    assert_int_equal(hv->ops->pool_cpu(hv, "Pool-0", 2, false, &err), 0);
    assert_int_equal(hv->ops->pool_cpu(hv, "batch", 2, true, &err), 0);
    assert_int_equal(hv->ops->pool_destroy(hv, "batch", &err), 0);
    assert_null(err);
    assert_xl_log("vcpu-pin\n5\nall\n0-1\nall\n--\n"
                  "sched-credit2\n-d\n5\n-w\n512\n-c\n0\n--\n"
                  "sched-credit\n-d\n5\n-w\n128\n-c\n50\n--\n"
                  "cpupool-migrate\n5\nbatch\n--\n"
                  "cpupool-create\nname=\"batch\"\nsched=\"credit2\"\n--\n"
                  "cpupool-cpu-remove\nPool-0\n2\n--\n"
                  "cpupool-cpu-add\nbatch\n2\n--\n"
                  "cpupool-destroy\nbatch\n--\n");
    xl_fails(1, "cpu 2 illegal or not free\n");
    assert_fails(hv->ops->pool_cpu(hv, "batch", 2, true, &err), &err,
                 "xl cpupool-cpu-add batch 2: exited 1: cpu 2 illegal or not free");
    assert_fails(hv->ops->vcpu_pin(hv, 0, "0", "all", &err), &err, "refusing to touch Domain-0");
    close_xen(hv);
}

static void test_set_vcpus(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->set_vcpus(hv, 5, 3, &err), 0);
    assert_null(err);
    assert_xl_log("vcpu-set\n5\n3\n--\n");
    xl_fails(1, "You are overcommmitting! You have 2 physical CPUs and want 3 vCPUs! "
                "Aborting, use --ignore-host to continue\n");
    assert_fails(hv->ops->set_vcpus(hv, 5, 3, &err), &err,
                 "xl vcpu-set 5 3: exited 1: You are overcommmitting! You have 2 physical "
                 "CPUs and want 3 vCPUs! Aborting, use --ignore-host to continue");
    close_xen(hv);
}

static void test_xl_no_such_domain(void **state)
{
    (void)state;
    add_guest(7, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_fails(hv->ops->destroy(hv, 9, &err), &err, "no domain with id 9");
    assert_fails(hv->ops->set_memory(hv, 9, 524288, &err), &err, "no domain with id 9");
    assert_fails(hv->ops->set_vcpus(hv, 9, 2, &err), &err, "no domain with id 9");
    assert_xl_log(""); /* xl was not run */
    close_xen(hv);
}

static void test_xl_missing(void **state)
{
    (void)state;
    struct hv *hv = NULL;
    char *err = NULL;
    add_guest(5, "web1", XEN_DOMINF_running);
    char *missing = tmp_file("no-such-xl");
    struct hv_xl xl = tool(missing);
    assert_int_equal(hv_xen_open("/", &xl, 0, &hv, &err), 0); /* found out when run */
    char *want = xasprintf("xl destroy 5: %s: No such file or directory", missing);
    assert_fails(hv->ops->destroy(hv, 5, &err), &err, want);
    free(want);
    free(missing);
    close_xen(hv);
}

static void test_xl_under_root(void **state)
{
    (void)state;
    /* xl is a host path, taken under the root: tmpdir + "/xl" */
    add_guest(8, "web1", XEN_DOMINF_running);
    struct hv *hv = NULL;
    char *err = NULL;
    struct hv_xl xl = tool("/xl");
    assert_int_equal(hv_xen_open(tmpdir, &xl, 0, &hv, &err), 0);
    assert_int_equal(hv->ops->destroy(hv, 8, &err), 0);
    assert_null(err);
    assert_xl_log("destroy\n8\n--\n");
    close_xen(hv);
}

/* ---- xl that hangs ---- */

static void test_xl_create_hangs(void **state)
{
    (void)state;
    struct hv_xl xl = { xl_path, 300, 200 };
    struct hv *hv = open_xen_with(&xl);
    xl_hangs(false);
    char *err = NULL;
    long long t0 = now_ms();
    assert_fails(hv->ops->create(hv, "/etc/xen/web1.cfg", "/etc/xen/web1.cfg", NULL, &err), &err,
                 "xl create -f /etc/xen/web1.cfg: timed out after 300 ms");
    long long took = now_ms() - t0;
    if (took < 300 || took > 2000)
        fail_msg("the hanging create ended after %lld ms, want about 300", took);
    /* ended by the timeout's SIGTERM, with what it started, and reaped */
    assert_xl_gone(xl_background());
    assert_xl_log("create\n-q\n-f\n/etc/xen/web1.cfg\n--\n");
    /* the handle still works: the next xl, which does not hang, is fine */
    remove_tmp("hang");
    assert_int_equal(hv->ops->create(hv, "/etc/xen/web1.cfg", "/etc/xen/web1.cfg", NULL, &err), 0);
    assert_null(err);
    close_xen(hv);
}

/* The other xl commands have their own timeout; an xl that ignores
 * SIGTERM is killed 2 s later. */
static void test_xl_hangs_ignoring_sigterm(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv_xl xl = { xl_path, 5000, 200 };
    struct hv *hv = open_xen_with(&xl);
    xl_hangs(true);
    char *err = NULL;
    long long t0 = now_ms();
    assert_fails(hv->ops->destroy(hv, 5, &err), &err, "xl destroy 5: timed out after 200 ms");
    long long took = now_ms() - t0;
    if (took < 2150 || took > 4000)
        fail_msg("xl ignoring SIGTERM ended after %lld ms, want about 2200", took);
    assert_xl_gone(xl_background());

    xl_hangs(false);
    assert_fails(hv->ops->set_memory(hv, 5, 786432, &err), &err,
                 "xl mem-set 5 786432k: timed out after 200 ms");
    assert_xl_gone(xl_background());
    assert_fails(hv->ops->set_vcpus(hv, 5, 2, &err), &err,
                 "xl vcpu-set 5 2: timed out after 200 ms");
    assert_xl_gone(xl_background());
    assert_xl_log("destroy\n5\n--\nmem-set\n5\n786432k\n--\nvcpu-set\n5\n2\n--\n");
    close_xen(hv);
}

/* ---- issue 13: what create made, lookup by uuid, rename, power button,
 * HVM and untaken requests, read-only handles ---- */

static void test_config_uuid(void **state)
{
    (void)state;
    char u[37];
    assert_true(hv_xen_config_uuid("name = \"web1\"\nuuid = \"6F1B9C3E-2D4A-4E5F-8A9B-0C1D2E3F4A5B\"\n"
                                   "memory = 512\n", u));
    assert_string_equal(u, "6f1b9c3e-2d4a-4e5f-8a9b-0c1d2e3f4a5b");
    /* ';' separates statements; the last one counts; quotes either way */
    assert_true(hv_xen_config_uuid("uuid='11111111-2222-3333-4444-555555555555'; "
                                   "uuid = '66666666-7777-8888-9999-aaaaaaaaaaaa'", u));
    assert_string_equal(u, "66666666-7777-8888-9999-aaaaaaaaaaaa");
    /* not a uuid statement: inside a string, a comment, another key */
    assert_false(hv_xen_config_uuid("extra = \"uuid = '11111111-2222-3333-4444-555555555555'\"\n"
                                    "# uuid = \"11111111-2222-3333-4444-555555555555\"\n"
                                    "uuid_x = \"11111111-2222-3333-4444-555555555555\"\n", u));
    assert_false(hv_xen_config_uuid("name = \"web1\"\n", u));
    /* a bad last one: none */
    assert_false(hv_xen_config_uuid("uuid = \"11111111-2222-3333-4444-555555555555\"\n"
                                    "uuid = \"nope\"\n", u));
    assert_false(hv_xen_config_uuid("uuid = 5\n", u));
    assert_false(hv_xen_config_uuid("uuid = \"11111111-2222-3333-4444-555555555555", u));
}

static void test_argv_rename_trigger(void **state)
{
    (void)state;
    const char *rename[] = { "/usr/sbin/xl", "rename", "12", "web2", NULL };
    assert_argv(hv_xen_argv_rename("/usr/sbin/xl", 12, "web2"), rename);
    const char *trigger[] = { "/usr/sbin/xl", "trigger", "7", "power", NULL };
    assert_argv(hv_xen_argv_trigger_power("/usr/sbin/xl", 7), trigger);
}

static void test_decode_hvm(void **state)
{
    (void)state;
    struct hv_domain d;
    decode(XEN_DOMINF_running | XEN_DOMINF_hvm_guest, &d);
    assert_true(d.hvm);
    assert_int_equal(d.state, DOM_RUNNING);
    decode(XEN_DOMINF_running, &d);
    assert_false(d.hvm);
}

/* control/shutdown: a request the guest has not taken ("poweroff"), one
 * taken (""), none (no node). */
static void test_list_request_pending(void **state)
{
    (void)state;
    add_guest(3, "web1", XEN_DOMINF_running | XEN_DOMINF_hvm_guest);
    add_guest(4, "web2", XEN_DOMINF_running);
    add_guest(5, "web3", XEN_DOMINF_running);
    fakexen_xs_set("/local/domain/3/control/shutdown", "poweroff");
    fakexen_xs_set("/local/domain/4/control/shutdown", "");
    struct hv *hv = open_xen();
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 3);
    assert_true(d[0].hvm);
    assert_true(d[0].request_pending);
    assert_false(d[1].hvm);
    assert_false(d[1].request_pending);
    assert_false(d[2].request_pending);
    free(d);
    close_xen(hv);
}

static void test_lookup_uuid(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    add_guest(3, "web1", XEN_DOMINF_blocked);
    add_guest(4, "db1", shutdown_flags(SHUTDOWN_poweroff));
    /* domid 6 has 5's uuid, dying (a reboot's remains), and 5 comes later */
    xc_domaininfo_t dying = record(5, XEN_DOMINF_dying);
    dying.domain = 2;
    fakexen_add_domain(&dying);
    fakexen_xs_set("/local/domain/2/name", "web5");
    add_guest(5, "web5", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    struct hv_domain d;
    char *err = NULL;
    char uuid[37];
    xc_domaininfo_t r4 = record(4, 0);
    hv_xen_format_uuid(r4.handle, uuid);
    assert_int_equal(hv->ops->lookup_uuid(hv, uuid, &d, &err), 0);
    assert_null(err);
    assert_int_equal(d.domid, 4);
    assert_string_equal(d.name, "db1");
    assert_int_equal(d.target_kb, 523264);
    xc_domaininfo_t r5 = record(5, 0);
    hv_xen_format_uuid(r5.handle, uuid);
    assert_int_equal(hv->ops->lookup_uuid(hv, uuid, &d, &err), 0);
    assert_int_equal(d.domid, 5);
    for (char *c = uuid; *c; c++) /* either case */
        *c = (char)toupper((unsigned char)*c);
    assert_int_equal(hv->ops->lookup_uuid(hv, uuid, &d, &err), 0);
    assert_int_equal(d.domid, 5);
    d.domid = 77;
    assert_int_equal(hv->ops->lookup_uuid(hv, "99999999-9999-9999-9999-999999999999", &d, &err),
                     1);
    assert_int_equal(d.domid, 77);
    fakexen_set("getinfolist_errno", EPERM);
    assert_fails(hv->ops->lookup_uuid(hv, uuid, &d, &err), &err,
                 "cannot list the domains: Operation not permitted (xc: "
                 "XEN_SYSCTL_getdomaininfolist failed: Operation not permitted)");
    close_xen(hv);
}

/* A config in tmpdir whose uuid is record(domid)'s; returns its path. */
static char *config_for(unsigned domid)
{
    xc_domaininfo_t r = record(domid, 0);
    char uuid[37];
    hv_xen_format_uuid(r.handle, uuid);
    char *path = tmp_file("web1.cfg");
    char *text = xasprintf("name = \"web1\"\nuuid = \"%s\"\nmemory = 512\n", uuid);
    write_file(path, text, 0644);
    free(text);
    return path;
}

/* The domain that xl create makes, as the next read after xl sees it:
 * the backend reads the list once before xl and once after. */
static void xl_makes(unsigned domid, uint32_t flags)
{
    xc_domaininfo_t r = record(domid, flags);
    fakexen_add_domain_at(fakexen_count("getinfolists") + 1, &r);
}

static void create_made(struct hv *hv, const char *path, int want_rc, bool want_made,
                        unsigned want_domid)
{
    struct hv_made made = { true, 77 };
    char *err = NULL;
    assert_int_equal(hv->ops->create(hv, path, path, &made, &err), want_rc);
    free(err);
    assert_int_equal(made.made, want_made);
    assert_int_equal(made.domid, want_made ? want_domid : 0);
}

static void test_create_made(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    add_guest(3, "web3", XEN_DOMINF_running);
    char *path = config_for(9);
    struct hv *hv = open_xen();
    xl_makes(9, XEN_DOMINF_running);
    create_made(hv, path, 0, true, 9);
    char *want = xasprintf("create\n-q\n-f\n%s\n--\n", path);
    assert_xl_log(want);
    free(want);
    close_xen(hv);
    free(path);
}

/* A failed create's paused remains are its own. */
static void test_create_failed_made(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    char *path = config_for(9);
    struct hv *hv = open_xen();
    xl_fails(1, "libxl: error: libxl_create.c:1234:domcreate_devmodel_started: failed\n");
    xl_makes(9, XEN_DOMINF_paused);
    create_made(hv, path, -1, true, 9);
    close_xen(hv);
    free(path);
}

/* What a failed create must not call its own: a running domain (someone
 * else's, made from the same file by xendomains), one with another uuid
 * (a name race), one there before, or one of two candidates. */
static void test_create_failed_not_made(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    char *path = config_for(9);
    struct hv *hv = open_xen();
    xl_fails(1, "libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain 12:Domain with "
                "name \"web1\" already exists.\n");
    xl_makes(9, XEN_DOMINF_running);
    create_made(hv, path, -1, false, 0);
    fakexen_remove_domain(9);

    /* dying: libxl destroying its own failed domain */
    xl_makes(9, XEN_DOMINF_dying);
    create_made(hv, path, -1, false, 0);
    fakexen_remove_domain(9);

    xl_makes(10, XEN_DOMINF_paused); /* another uuid */
    create_made(hv, path, -1, false, 0);

    /* there before the create: not new */
    xc_domaininfo_t r = record(9, XEN_DOMINF_paused);
    fakexen_add_domain(&r);
    create_made(hv, path, -1, false, 0);
    fakexen_remove_domain(9);

    /* two new ones with the uuid: not told apart */
    xc_domaininfo_t a = record(9, XEN_DOMINF_paused), b = a;
    b.domain = 11;
    fakexen_add_domain_at(fakexen_count("getinfolists") + 1, &a);
    fakexen_add_domain_at(fakexen_count("getinfolists") + 1, &b);
    create_made(hv, path, -1, false, 0);
    close_xen(hv);
    free(path);
}

/* Without a uuid in the file (or a file to read), nothing is known as
 * made, and xl still runs. */
static void test_create_no_uuid(void **state)
{
    (void)state;
    char *path = tmp_file("web1.cfg");
    write_file(path, "name = \"web1\"\nmemory = 512\n", 0644);
    struct hv *hv = open_xen();
    xl_makes(9, XEN_DOMINF_running);
    create_made(hv, path, 0, false, 0);
    char *want = xasprintf("create\n-q\n-f\n%s\n--\n", path);
    assert_xl_log(want);
    free(want);
    close_xen(hv);
    free(path);
}

static void test_rename(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->rename(hv, 5, "web2", &err), 0);
    assert_null(err);
    assert_xl_log("rename\n5\nweb2\n--\n");
    xl_fails(1, "libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain 5:Domain with "
                "name \"web3\" already exists.\nCan't rename domain '5'.\n");
    assert_fails(hv->ops->rename(hv, 5, "web3", &err), &err,
                 "xl rename 5 web3: exited 1: libxl: error: libxl_domain.c:81:"
                 "libxl__domain_rename: Domain 5:Domain with name \"web3\" already exists.");
    remove_tmp("status");
    remove_tmp("stderr");
    remove_tmp("argv");
    assert_fails(hv->ops->rename(hv, 5, "-q", &err), &err, "xl rename 5 -q: invalid name");
    assert_fails(hv->ops->rename(hv, 0, "x", &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->rename(hv, 9, "x", &err), &err, "no domain with id 9");
    assert_xl_log(""); /* xl was not run */
    close_xen(hv);
}

static void test_power_button(void **state)
{
    (void)state;
    add_guest(5, "win1", XEN_DOMINF_running | XEN_DOMINF_hvm_guest);
    add_guest(6, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    assert_int_equal(hv->ops->power_button(hv, 5, &err), 0);
    assert_null(err);
    assert_xl_log("trigger\n5\npower\n--\n");
    remove_tmp("argv");
    assert_fails(hv->ops->power_button(hv, 6, &err), &err,
                 "domain 6 is not an HVM guest: it has no ACPI power button");
    assert_fails(hv->ops->power_button(hv, 0, &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->power_button(hv, 9, &err), &err, "no domain with id 9");
    assert_xl_log("");
    xl_fails(1, "libxl: error: libxl_domain.c:1727:libxl_send_trigger: Domain 5:Send trigger "
                "'power' failed: Operation not permitted\n");
    assert_fails(hv->ops->power_button(hv, 5, &err), &err,
                 "xl trigger 5 power: exited 1: libxl: error: libxl_domain.c:1727:"
                 "libxl_send_trigger: Domain 5:Send trigger 'power' failed: Operation not "
                 "permitted");
    close_xen(hv);
}

static void test_rename_trigger_hang(void **state)
{
    (void)state;
    add_guest(5, "win1", XEN_DOMINF_running | XEN_DOMINF_hvm_guest);
    struct hv_xl xl = { xl_path, 5000, 200 };
    struct hv *hv = open_xen_with(&xl);
    xl_hangs(false);
    char *err = NULL;
    assert_fails(hv->ops->power_button(hv, 5, &err), &err,
                 "xl trigger 5 power: timed out after 200 ms");
    assert_xl_gone(xl_background());
    assert_fails(hv->ops->rename(hv, 5, "win2", &err), &err,
                 "xl rename 5 win2: timed out after 200 ms");
    assert_xl_gone(xl_background());
    close_xen(hv);
}

static void test_readonly(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    add_guest(5, "win1", XEN_DOMINF_running | XEN_DOMINF_hvm_guest);
    struct hv *hv = NULL;
    char *err = NULL;
    struct hv_xl xl = tool(xl_path);
    assert_int_equal(hv_xen_open("/", &xl, HV_OPEN_READONLY, &hv, &err), 0);
    size_t n = 0;
    struct hv_domain *d = list_ok(hv, &n);
    assert_int_equal(n, 2);
    free(d);
    char *path = config_for(9);
    struct hv_made made = { true, 7 };
    assert_fails(hv->ops->create(hv, path, path, &made, &err), &err,
                 "read-only hypervisor handle: create refused");
    assert_false(made.made);
    free(path);
    assert_fails(hv->ops->destroy(hv, 5, &err), &err,
                 "read-only hypervisor handle: destroy refused");
    assert_fails(hv->ops->shutdown(hv, 5, &err), &err,
                 "read-only hypervisor handle: shutdown refused");
    assert_fails(hv->ops->reboot(hv, 5, &err), &err,
                 "read-only hypervisor handle: reboot refused");
    assert_fails(hv->ops->set_memory(hv, 5, 1024, &err), &err,
                 "read-only hypervisor handle: set_memory refused");
    assert_fails(hv->ops->set_vcpus(hv, 5, 1, &err), &err,
                 "read-only hypervisor handle: set_vcpus refused");
    assert_fails(hv->ops->rename(hv, 5, "x", &err), &err,
                 "read-only hypervisor handle: rename refused");
    assert_fails(hv->ops->power_button(hv, 5, &err), &err,
                 "read-only hypervisor handle: power_button refused");
    assert_xl_log("");
    assert_null(fakexen_xs_get("/local/domain/5/control/shutdown"));
    close_xen(hv);
}

/* ---- wait ---- */

static void test_wait_timeout(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    char *err = NULL;
    long long t0 = now_ms();
    /* the registration's event was drained at open: nothing to report */
    assert_int_equal(hv->ops->wait(hv, 50, &err), 1);
    assert_true(now_ms() - t0 >= 45);
    assert_int_equal(hv->ops->wait(hv, 0, &err), 1);
    assert_null(err);
    close_xen(hv);
}

static void test_wait_event(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    char *err = NULL;
    fakexen_fire("@releaseDomain");
    fakexen_fire("@releaseDomain");
    fakexen_fire("@releaseDomain");
    long long t0 = now_ms();
    assert_int_equal(hv->ops->wait(hv, 5000, &err), 0);
    assert_true(now_ms() - t0 < 1000);
    /* all three were taken at once */
    assert_int_equal(fakexen_count("events"), 0);
    assert_int_equal(hv->ops->wait(hv, 0, &err), 1);
    assert_null(err);
    close_xen(hv);
}

static void test_wait_no_initial_event(void **state)
{
    (void)state;
    /* a xenstored that does not fire at registration: open does not hang */
    fakexen_set("no_initial_event", 1);
    long long t0 = now_ms();
    struct hv *hv = open_xen();
    assert_true(now_ms() - t0 < 1000);
    char *err = NULL;
    assert_int_equal(hv->ops->wait(hv, 0, &err), 1);
    fakexen_fire("@releaseDomain");
    assert_int_equal(hv->ops->wait(hv, 1000, &err), 0);
    assert_null(err);
    close_xen(hv);
}

static void test_wait_connection_lost(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    fakexen_set("lost", 1);
    char *err = NULL;
    assert_fails(hv->ops->wait(hv, 1000, &err), &err,
                 "lost the connection to xenstored (Invalid argument)");
    close_xen(hv);
}

/* ---- moving guests ---- */

static void test_sh_quote_join(void **state)
{
    (void)state;
    char *q = hv_xen_sh_quote("it's");
    assert_string_equal(q, "'it'\\''s'");
    free(q);
    q = hv_xen_sh_quote("");
    assert_string_equal(q, "''");
    free(q);
    const char *const words[] = { "ssh", "-o", "ProxyCommand=nc %h 22", "$HOME", NULL };
    q = hv_xen_sh_join(words);
    assert_string_equal(q, "'ssh' '-o' 'ProxyCommand=nc %h 22' '$HOME'");
    free(q);
    q = hv_xen_sh_join(NULL);
    assert_string_equal(q, "");
    free(q);
}

static void test_check_host(void **state)
{
    (void)state;
    assert_true(hv_xen_check_host("beta"));
    assert_true(hv_xen_check_host("root@beta.example.org"));
    assert_true(hv_xen_check_host("fe80::1"));
    assert_false(hv_xen_check_host(""));
    assert_false(hv_xen_check_host(NULL));
    assert_false(hv_xen_check_host("-oProxyCommand=x"));
    assert_false(hv_xen_check_host("beta; rm -rf /"));
    assert_false(hv_xen_check_host("beta gamma"));
    assert_false(hv_xen_check_host("a/b"));
}

static const char *const ssh_words[] = { "ssh", "-o", "BatchMode=yes", NULL };
static const char *const scp_words[] = { "scp", "-q", "-p", NULL };

static void test_peer_is_local(void **state)
{
    (void)state;
    const char *const empty[] = { NULL };
    const char *const blank[] = { "", NULL };
    struct hv_peer p = { "beta", ssh_words, scp_words, 0 };
    assert_false(hv_xen_peer_is_local(&p, "alpha.example.org"));
    assert_true(hv_xen_peer_is_local(&p, "beta.example.org"));
    assert_true(hv_xen_peer_is_local(&p, "beta"));
    assert_false(hv_xen_peer_is_local(&p, "betamax"));
    assert_false(hv_xen_peer_is_local(&p, NULL));
    p.host = "beta.example.org";
    assert_true(hv_xen_peer_is_local(&p, "beta.example.org"));
    assert_false(hv_xen_peer_is_local(&p, "beta"));
    p.host = "localhost";
    assert_true(hv_xen_peer_is_local(&p, "alpha"));
    p.host = "beta";
    p.remote = NULL;
    assert_true(hv_xen_peer_is_local(&p, "alpha"));
    p.remote = empty;
    assert_true(hv_xen_peer_is_local(&p, "alpha"));
    p.remote = blank;
    assert_true(hv_xen_peer_is_local(&p, "alpha"));
}

static void test_image_uuid(void **state)
{
    (void)state;
    /* xl's header, then its JSON config (c_info first). */
    static const char image[] = "Xen saved domain, xl format\n \0 \r\1\0\0\0"
                                "{\n    \"c_info\": {\n        \"type\": \"pv\",\n"
                                "        \"name\": \"web1\",\n"
                                "        \"uuid\": \"1111AAAA-2222-3333-4444-555555555555\",\n"
                                "    },\n    \"vtpms\": [ { \"uuid\": "
                                "\"66666666-7777-8888-9999-aaaaaaaaaaaa\" } ]\n}";
    char uuid[37];
    assert_true(hv_xen_image_uuid(image, sizeof(image) - 1, uuid));
    assert_string_equal(uuid, "1111aaaa-2222-3333-4444-555555555555");
    /* cut short, or none */
    assert_false(hv_xen_image_uuid(image, 120, uuid));
    assert_false(hv_xen_image_uuid("no config", 9, uuid));
    assert_false(hv_xen_image_uuid("\"uuid\": \"not-a-uuid-at-all-not-a-uuid-at-all-xx\"", 46,
                                   uuid));
}

static void test_argv_moves(void **state)
{
    (void)state;
    const char *save[] = { "/usr/sbin/xl", "save", "5", "/var/lib/xen/save/web1", NULL };
    assert_argv(hv_xen_argv_save("/usr/sbin/xl", 5, "/var/lib/xen/save/web1"), save);
    const char *restore[] = { "/usr/sbin/xl", "restore", "/var/lib/xen/save/web1", NULL };
    assert_argv(hv_xen_argv_restore("/usr/sbin/xl", "/var/lib/xen/save/web1"), restore);
    const char *const odd_ssh[] = { "/usr/bin/ssh", "-i", "/root/my key", "-l", "o'neil", NULL };
    struct hv_peer p = { "beta.example.org", odd_ssh, scp_words, 0 };
    const char *migrate[] = { "/usr/sbin/xl", "migrate", "-s",
                              "'/usr/bin/ssh' '-i' '/root/my key' '-l' 'o'\\''neil'", "5",
                              "beta.example.org", NULL };
    assert_argv(hv_xen_argv_migrate("/usr/sbin/xl", 5, &p, false), migrate);
    const char *local[] = { "/usr/sbin/xl", "migrate", "-s", "", "5",
                            "'/usr/sbin/xl' migrate-receive", NULL };
    assert_argv(hv_xen_argv_migrate("/usr/sbin/xl", 5, &p, true), local);
    const char *copy[] = { "/usr/bin/scp", "-q", "-p", "/var/lib/xen/save/web1",
                           "beta.example.org:/var/lib/xen/save/web1", NULL };
    assert_argv(hv_xen_argv_copy("/usr/bin/scp", &p, "/var/lib/xen/save/web1"), copy);
    const char *remote[] = { "/usr/bin/ssh", "-i", "/root/my key", "-l", "o'neil",
                             "beta.example.org",
                             "'/usr/sbin/xl' restore '/var/lib/xen/save/web 1'", NULL };
    assert_argv(hv_xen_argv_remote_restore("/usr/bin/ssh", &p, "/usr/sbin/xl",
                                           "/var/lib/xen/save/web 1"),
                remote);
}

static void test_caps(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    unsigned caps = 99;
    char *err = NULL;
    fakexen_set("physcaps", XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_pv |
                                XEN_SYSCTL_PHYSCAP_hap);
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, HV_CAP_HAP);
    fakexen_set("physcaps", XEN_SYSCTL_PHYSCAP_shadow | XEN_SYSCTL_PHYSCAP_hap);
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, HV_CAP_HAP | HV_CAP_SHADOW);
    fakexen_set("physcaps", XEN_SYSCTL_PHYSCAP_pv);
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_int_equal(caps, 0);
    fakexen_set("physinfo_errno", EPERM);
    assert_fails(hv->ops->caps(hv, &caps, &err), &err,
                 "cannot read the hypervisor's capabilities: Operation not permitted "
                 "(xc: XEN_SYSCTL_physinfo failed: Operation not permitted)");
    close_xen(hv);
}

static void test_save(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *img = tmp_file("web1.save"), *err = NULL;
    assert_int_equal(hv->ops->save(hv, 5, img, img, &err), 0);
    assert_null(err);
    char *want = xasprintf("save\n5\n%s\n--\n", img);
    assert_xl_log(want);
    free(want);
    /* A failed save leaves no image behind. */
    write_file(img, "half an image", 0600);
    xl_fails(1, "libxl: error: libxl_dom_suspend.c:1: guest did not suspend\n");
    char *msg = xasprintf("xl save 5 %s: exited 1: libxl: error: libxl_dom_suspend.c:1: guest "
                          "did not suspend", img);
    assert_fails(hv->ops->save(hv, 5, img, img, &err), &err, msg);
    free(msg);
    assert_int_equal(access(img, F_OK), -1);
    assert_fails(hv->ops->save(hv, 0, img, img, &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->save(hv, 6, img, img, &err), &err, "no domain with id 6");
    assert_fails(hv->ops->save(hv, 5, "save/web1", "save/web1", &err), &err,
                 "xl save 5 save/web1: bad image path (is not an absolute path)");
    close_xen(hv);
    free(img);
}

static void test_restore_made(void **state)
{
    (void)state;
    add_guest(0, "Domain-0", XEN_DOMINF_running);
    xc_domaininfo_t r = record(9, 0);
    char uuid[37];
    hv_xen_format_uuid(r.handle, uuid);
    char *img = tmp_file("web1.save");
    char *text = xasprintf("Xen saved domain, xl format\n{ \"c_info\": { \"uuid\": \"%s\" } }",
                           uuid);
    write_file(img, text, 0600);
    free(text);
    struct hv *hv = open_xen();
    xl_makes(9, XEN_DOMINF_running);
    struct hv_made made = { false, 0 };
    char *err = NULL;
    assert_int_equal(hv->ops->restore(hv, img, img, &made, &err), 0);
    assert_true(made.made);
    assert_int_equal(made.domid, 9);
    char *want = xasprintf("restore\n%s\n--\n", img);
    assert_xl_log(want);
    free(want);
    /* xl fails: its paused remains are its own, as for create. */
    remove_tmp("argv");
    fakexen_remove_domain(9);
    xl_makes(10, XEN_DOMINF_paused);
    r = record(10, 0);
    hv_xen_format_uuid(r.handle, uuid);
    text = xasprintf("Xen saved domain, xl format\n{ \"c_info\": { \"uuid\": \"%s\" } }", uuid);
    write_file(img, text, 0600);
    free(text);
    xl_fails(1, "libxl: error: restore failed\n");
    char *msg = xasprintf("xl restore %s: exited 1: libxl: error: restore failed", img);
    made.made = false;
    assert_fails(hv->ops->restore(hv, img, img, &made, &err), &err, msg);
    free(msg);
    assert_true(made.made);
    assert_int_equal(made.domid, 10);
    close_xen(hv);
    free(img);
}

static void test_migrate(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    add_guest(6, "win1", XEN_DOMINF_running | XEN_DOMINF_hvm_guest);
    struct hv *hv = open_xen();
    struct hv_peer p = { "beta", ssh_words, scp_words, 0 };
    char *err = NULL;
    /* Debian 12's Xen: HAP, no shadow paging. PV refused before xl runs. */
    fakexen_set("physcaps", XEN_SYSCTL_PHYSCAP_hap);
    assert_fails(hv->ops->migrate(hv, 5, &p, &err), &err,
                 "live migration of PV guests needs shadow paging, which this hypervisor "
                 "lacks");
    assert_xl_log("");
    assert_int_equal(hv->ops->migrate(hv, 6, &p, &err), 0);
    assert_xl_log("migrate\n-s\n'ssh' '-o' 'BatchMode=yes'\n6\nbeta\n--\n");
    /* No HAP either (QEMU's TCG): no live migration at all. */
    fakexen_set("physcaps", 0);
    assert_fails(hv->ops->migrate(hv, 6, &p, &err), &err,
                 "live migration of HVM and PVH guests needs HAP or shadow paging, which this "
                 "hypervisor lacks");
    /* To this host: no ssh. */
    fakexen_set("physcaps", XEN_SYSCTL_PHYSCAP_shadow);
    remove_tmp("argv");
    struct hv_peer self = { "localhost", ssh_words, scp_words, 0 };
    assert_int_equal(hv->ops->migrate(hv, 5, &self, &err), 0);
    char *want = xasprintf("migrate\n-s\n\n5\n'%s' migrate-receive\n--\n", xl_path);
    assert_xl_log(want);
    free(want);
    /* xl's own failure, its reason in the message; bad hosts. */
    xl_fails(1, "xc: error: Failed to enable logdirty: 95\n");
    assert_fails(hv->ops->migrate(hv, 5, &p, &err), &err,
                 "xl migrate 5 beta: exited 1: xc: error: Failed to enable logdirty: 95");
    struct hv_peer bad = { "beta;reboot", ssh_words, scp_words, 0 };
    assert_fails(hv->ops->migrate(hv, 5, &bad, &err), &err,
                 "xl migrate 5 beta;reboot: bad host name");
    assert_fails(hv->ops->migrate(hv, 7, &p, &err), &err, "no domain with id 7");
    close_xen(hv);
}

static void test_migrate_timeout(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    fakexen_set("physcaps", XEN_SYSCTL_PHYSCAP_shadow);
    struct hv *hv = open_xen();
    struct hv_peer p = { "beta", ssh_words, scp_words, 300 };
    xl_hangs(false);
    char *err = NULL;
    long long t0 = now_ms();
    assert_fails(hv->ops->migrate(hv, 5, &p, &err), &err,
                 "xl migrate 5 beta: timed out after 300 ms");
    assert_true(now_ms() - t0 < 5000);
    close_xen(hv);
}

static void test_send_restore_at(void **state)
{
    (void)state;
    struct hv *hv = open_xen();
    /* The stand-in xl logs its arguments: it stands in for ssh and scp. */
    const char *const copy[] = { xl_path, "-q", NULL };
    const char *const remote[] = { xl_path, "-x", NULL };
    struct hv_peer p = { "beta", remote, copy, 0 };
    char *err = NULL;
    assert_int_equal(hv->ops->send(hv, "/var/lib/xen/save/web1", "/x", &p, &err), 0);
    assert_xl_log("-q\n/var/lib/xen/save/web1\nbeta:/var/lib/xen/save/web1\n--\n");
    remove_tmp("argv");
    assert_int_equal(hv->ops->restore_at(hv, &p, "/var/lib/xen/save/web1", &err), 0);
    char *want = xasprintf("-x\nbeta\n'%s' restore '/var/lib/xen/save/web1'\n--\n", xl_path);
    assert_xl_log(want);
    free(want);
    /* To this host: nothing to copy, xl restore here. */
    remove_tmp("argv");
    struct hv_peer self = { "beta", NULL, copy, 0 };
    assert_int_equal(hv->ops->send(hv, "/var/lib/xen/save/web1", "/x", &self, &err), 0);
    assert_xl_log("");
    assert_int_equal(hv->ops->restore_at(hv, &self, "/var/lib/xen/save/web1", &err), 0);
    assert_xl_log("restore\n/var/lib/xen/save/web1\n--\n");
    /* Failures name the stage and the reason. */
    xl_fails(1, "scp: /var/lib/xen/save/web1: No such file or directory\n");
    assert_fails(hv->ops->send(hv, "/var/lib/xen/save/web1", "/x", &p, &err), &err,
                 "copying /var/lib/xen/save/web1 to beta: exited 1: scp: "
                 "/var/lib/xen/save/web1: No such file or directory");
    xl_fails(255, "ssh: connect to host beta port 22: Connection refused\n");
    assert_fails(hv->ops->restore_at(hv, &p, "/var/lib/xen/save/web1", &err), &err,
                 "xl restore /var/lib/xen/save/web1 on beta: exited 255: ssh: connect to host "
                 "beta port 22: Connection refused");
    const char *const none[] = { "no-such-program-here", NULL };
    struct hv_peer q = { "beta", none, none, 0 };
    assert_fails(hv->ops->send(hv, "/a", "/a", &q, &err), &err,
                 "copying /a to beta: cannot find no-such-program-here in "
                 "/usr/sbin:/usr/bin:/sbin:/bin");
    assert_fails(hv->ops->send(hv, "a", "a", &p, &err), &err,
                 "copying a to beta: bad path (is not an absolute path)");
    close_xen(hv);
}

static void test_readonly_moves(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = NULL;
    char *err = NULL;
    struct hv_xl xl = tool(xl_path);
    assert_int_equal(hv_xen_open("/", &xl, HV_OPEN_READONLY, &hv, &err), 0);
    struct hv_peer p = { "beta", ssh_words, scp_words, 0 };
    unsigned caps;
    assert_int_equal(hv->ops->caps(hv, &caps, &err), 0);
    assert_fails(hv->ops->save(hv, 5, "/s", "/s", &err), &err,
                 "read-only hypervisor handle: save refused");
    assert_fails(hv->ops->restore(hv, "/s", "/s", NULL, &err), &err,
                 "read-only hypervisor handle: restore refused");
    assert_fails(hv->ops->migrate(hv, 5, &p, &err), &err,
                 "read-only hypervisor handle: migrate refused");
    assert_fails(hv->ops->send(hv, "/s", "/s", &p, &err), &err,
                 "read-only hypervisor handle: send refused");
    assert_fails(hv->ops->restore_at(hv, &p, "/s", &err), &err,
                 "read-only hypervisor handle: restore_at refused");
    assert_xl_log("");
    close_xen(hv);
}

/* ---- devices ---- */

static void xs_dev(const char *kind, unsigned domid, unsigned devid, const char *leaf,
                   const char *value)
{
    char *p = xasprintf("/local/domain/0/backend/%s/%u/%u/%s", kind, domid, devid, leaf);
    fakexen_xs_set(p, value);
    free(p);
}

/* From dom0's backend directories: vbd and qdisk disks (a format prefix
 * taken off the target), vif NICs, in devid order; a device without its
 * dev (or mac) node is being torn down, and left out. */
static void test_devices(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    xs_dev("vbd", 5, 51728, "dev", "xvdb");
    xs_dev("vbd", 5, 51728, "params", "/dev/vg0/web1-b");
    xs_dev("vbd", 5, 51728, "mode", "r");
    xs_dev("vbd", 5, 51712, "dev", "xvda");
    xs_dev("vbd", 5, 51712, "params", "/var/lib/xen/images/web1.img");
    xs_dev("vbd", 5, 51712, "mode", "w");
    xs_dev("vbd", 5, 51712, "device-type", "disk");
    xs_dev("vbd", 5, 5632, "dev", "hdc");
    xs_dev("vbd", 5, 5632, "params", "/iso/d.iso");
    xs_dev("vbd", 5, 5632, "mode", "r");
    xs_dev("vbd", 5, 5632, "device-type", "cdrom");
    xs_dev("vbd", 5, 51744, "state", "6"); /* torn down: no dev */
    xs_dev("qdisk", 5, 51760, "dev", "xvdd");
    xs_dev("qdisk", 5, 51760, "params", "qcow2:/var/lib/xen/images/web1-d.qcow2");
    xs_dev("vif", 5, 1, "mac", "00:16:3E:00:00:02");
    xs_dev("vif", 5, 1, "bridge", "xenbr1");
    xs_dev("vif", 5, 0, "mac", "00:16:3e:00:00:01");
    xs_dev("vif", 5, 0, "bridge", "xenbr0");
    xs_dev("vif", 6, 0, "mac", "00:16:3e:00:00:06"); /* another domain's */
    struct hv *hv = open_xen();
    struct hv_devices d;
    char *err = NULL;
    assert_int_equal(hv->ops->devices(hv, 5, &d, &err), 0);
    assert_null(err);
    assert_int_equal(d.ndisks, 4);
    assert_string_equal(d.disks[0].vdev, "hdc");
    assert_string_equal(d.disks[0].target, "/iso/d.iso");
    assert_true(d.disks[0].readonly && d.disks[0].cdrom);
    assert_string_equal(d.disks[1].vdev, "xvda");
    assert_string_equal(d.disks[1].target, "/var/lib/xen/images/web1.img");
    assert_false(d.disks[1].readonly || d.disks[1].cdrom);
    assert_string_equal(d.disks[2].vdev, "xvdb");
    assert_true(d.disks[2].readonly);
    assert_string_equal(d.disks[3].vdev, "xvdd");
    assert_string_equal(d.disks[3].target, "/var/lib/xen/images/web1-d.qcow2");
    assert_int_equal(d.nnics, 2);
    assert_int_equal(d.nics[0].devid, 0);
    assert_string_equal(d.nics[0].mac, "00:16:3e:00:00:01");
    assert_string_equal(d.nics[0].bridge, "xenbr0");
    assert_int_equal(d.nics[1].devid, 1);
    assert_string_equal(d.nics[1].mac, "00:16:3e:00:00:02");
    assert_string_equal(d.nics[1].bridge, "xenbr1");
    hv_devices_free(&d);
    /* None at all. */
    add_guest(7, "web2", XEN_DOMINF_running);
    assert_int_equal(hv->ops->devices(hv, 7, &d, &err), 0);
    assert_int_equal(d.ndisks + d.nnics, 0);
    assert_fails(hv->ops->devices(hv, 0, &d, &err), &err, "refusing to touch Domain-0");
    assert_fails(hv->ops->devices(hv, 9, &d, &err), &err, "no domain with id 9");
    fakexen_fail_read("/local/domain/0/backend/vif/5", EACCES);
    assert_fails(hv->ops->devices(hv, 5, &d, &err), &err,
                 "cannot list /local/domain/0/backend/vif/5 in xenstore: Permission denied");
    close_xen(hv);
    assert_int_equal(fakexen_count("xs_handles"), 0);
}

static void test_attach(void **state)
{
    (void)state;
    add_guest(5, "web1", XEN_DOMINF_running);
    struct hv *hv = open_xen();
    char *err = NULL;
    const char *spec = "format=raw, vdev=xvdc, access=rw, target=/var/lib/xen/images/c.img";
    assert_int_equal(hv->ops->attach_disk(hv, 5, spec, &err), 0);
    assert_int_equal(hv->ops->attach_nic(hv, 5, "mac=00:16:3e:00:00:09, bridge=xenbr0, "
                                         "script=vif-bridge", &err), 0);
    assert_null(err);
    assert_xl_log("block-attach\n5\nformat=raw, vdev=xvdc, access=rw, "
                  "target=/var/lib/xen/images/c.img\n--\n"
                  "network-attach\n5\nmac=00:16:3e:00:00:09\nbridge=xenbr0\n"
                  "script=vif-bridge\n--\n");
    xl_fails(1, "libxl: error: libxl_device.c:1109:device_backend_callback: unable to add "
                "device with path /local/domain/0/backend/vbd/5/51744\n");
    assert_fails(hv->ops->attach_disk(hv, 5, spec, &err), &err,
                 "xl block-attach 5 'format=raw, vdev=xvdc, access=rw, "
                 "target=/var/lib/xen/images/c.img': exited 1: libxl: error: "
                 "libxl_device.c:1109:device_backend_callback: unable to add device with path "
                 "/local/domain/0/backend/vbd/5/51744");
    assert_fails(hv->ops->attach_nic(hv, 5, "bridge=xenbr9", &err), &err,
                 "xl network-attach 5 bridge=xenbr9: exited 1: libxl: error: "
                 "libxl_device.c:1109:device_backend_callback: unable to add device with path "
                 "/local/domain/0/backend/vbd/5/51744");
    assert_fails(hv->ops->attach_disk(hv, 0, spec, &err), &err, "refusing to touch Domain-0");
    close_xen(hv);

    struct hv *ro = NULL;
    struct hv_xl xl = tool(xl_path);
    assert_int_equal(hv_xen_open("/", &xl, HV_OPEN_READONLY, &ro, &err), 0);
    assert_fails(ro->ops->attach_nic(ro, 5, "bridge=xenbr0", &err), &err,
                 "read-only hypervisor handle: attach_nic refused");
    close_xen(ro);
}

static void test_argv_attach(void **state)
{
    (void)state;
    const char *disk[] = { "/usr/sbin/xl", "block-attach", "3", "vdev=xvdc, target=/a b", NULL };
    assert_argv(hv_xen_argv_block_attach("/usr/sbin/xl", 3, "vdev=xvdc, target=/a b"), disk);
    const char *nic[] = { "/usr/sbin/xl", "network-attach", "3", "mac=00:16:3e:00:00:01",
                          "bridge=br0.5", "rate=10Mb/s", NULL };
    assert_argv(hv_xen_argv_network_attach("/usr/sbin/xl", 3,
                                           "mac=00:16:3e:00:00:01,  bridge=br0.5,,rate=10Mb/s"),
                nic);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_running),
        cmocka_unit_test(test_decode_paused),
        cmocka_unit_test(test_decode_shutdown),
        cmocka_unit_test(test_decode_crashed),
        cmocka_unit_test(test_decode_dying),
        cmocka_unit_test(test_decode_numbers),
        cmocka_unit_test(test_uuid_format),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_parse_seconds),
        cmocka_unit_test(test_argv_create),
        cmocka_unit_test(test_argv_destroy),
        cmocka_unit_test(test_argv_mem_set),
        cmocka_unit_test(test_argv_vcpu_set),
        cmocka_unit_test_setup(test_open_not_dom0, setup),
        cmocka_unit_test_setup(test_open_no_xenstored, setup),
        cmocka_unit_test_setup(test_open_watch_fails, setup),
        cmocka_unit_test_setup(test_open_bad_xl, setup),
        cmocka_unit_test_setup(test_open_close, setup),
        cmocka_unit_test_setup(test_list, setup),
        cmocka_unit_test_setup(test_list_empty_values, setup),
        cmocka_unit_test_setup(test_list_max_is_static_max, setup),
        cmocka_unit_test_setup(test_list_long_name, setup),
        cmocka_unit_test_setup(test_list_domain_vanishes, setup),
        cmocka_unit_test_setup(test_list_domain_without_name, setup),
        cmocka_unit_test_setup(test_list_batches, setup),
        cmocka_unit_test_setup(test_list_full_batch_at_end, setup),
        cmocka_unit_test_setup(test_list_hypercall_fails, setup),
        cmocka_unit_test_setup(test_lookup, setup),
        cmocka_unit_test_setup(test_lookup_hypercall_fails, setup),
        cmocka_unit_test_setup(test_list_xenstore_fails, setup),
        cmocka_unit_test_setup(test_shutdown, setup),
        cmocka_unit_test_setup(test_reboot, setup),
        cmocka_unit_test_setup(test_shutdown_vanished, setup),
        cmocka_unit_test_setup(test_shutdown_retries_eagain, setup),
        cmocka_unit_test_setup(test_shutdown_gives_up, setup),
        cmocka_unit_test_setup(test_dom0_refused, setup),
        cmocka_unit_test_setup(test_create, setup),
        cmocka_unit_test_setup(test_create_fails, setup),
        cmocka_unit_test_setup(test_create_bad_path, setup),
        cmocka_unit_test_setup(test_destroy, setup),
        cmocka_unit_test_setup(test_set_memory, setup),
        cmocka_unit_test_setup(test_set_vcpus, setup),
        cmocka_unit_test_setup(test_xl_no_such_domain, setup),
        cmocka_unit_test_setup(test_xl_missing, setup),
        cmocka_unit_test_setup(test_xl_under_root, setup),
        cmocka_unit_test_setup(test_xl_create_hangs, setup),
        cmocka_unit_test_setup(test_xl_hangs_ignoring_sigterm, setup),
        cmocka_unit_test_setup(test_wait_timeout, setup),
        cmocka_unit_test_setup(test_wait_event, setup),
        cmocka_unit_test_setup(test_wait_no_initial_event, setup),
        cmocka_unit_test_setup(test_wait_connection_lost, setup),
        cmocka_unit_test(test_config_uuid),
        cmocka_unit_test(test_argv_rename_trigger),
        cmocka_unit_test(test_decode_hvm),
        cmocka_unit_test_setup(test_list_request_pending, setup),
        cmocka_unit_test_setup(test_lookup_uuid, setup),
        cmocka_unit_test_setup(test_create_made, setup),
        cmocka_unit_test_setup(test_create_failed_made, setup),
        cmocka_unit_test_setup(test_create_failed_not_made, setup),
        cmocka_unit_test_setup(test_create_no_uuid, setup),
        cmocka_unit_test_setup(test_rename, setup),
        cmocka_unit_test_setup(test_power_button, setup),
        cmocka_unit_test_setup(test_rename_trigger_hang, setup),
        cmocka_unit_test_setup(test_readonly, setup),
        cmocka_unit_test(test_sh_quote_join),
        cmocka_unit_test(test_check_host),
        cmocka_unit_test(test_peer_is_local),
        cmocka_unit_test(test_image_uuid),
        cmocka_unit_test(test_argv_moves),
        cmocka_unit_test_setup(test_caps, setup),
        cmocka_unit_test_setup(test_save, setup),
        cmocka_unit_test_setup(test_restore_made, setup),
        cmocka_unit_test_setup(test_migrate, setup),
        cmocka_unit_test_setup(test_migrate_timeout, setup),
        cmocka_unit_test_setup(test_send_restore_at, setup),
        cmocka_unit_test_setup(test_readonly_moves, setup),
        cmocka_unit_test(test_cpu_decode),
        cmocka_unit_test_setup(test_cpu_get, setup),
        cmocka_unit_test_setup(test_cpu_changes, setup),
        cmocka_unit_test_setup(test_devices, setup),
        cmocka_unit_test_setup(test_attach, setup),
        cmocka_unit_test(test_argv_attach),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

#else /* HVX_REAL_LIBS */

/* Against the real libraries, on a host that is no Xen dom0: the message
 * of the interface, and not a byte from the libraries on stderr (they
 * print their own errors there unless given a logger). */
static void test_real_open_off_dom0(void **state)
{
    (void)state;
    if (access("/dev/xen/privcmd", F_OK) == 0 || access("/proc/xen/privcmd", F_OK) == 0)
        skip(); /* maybe a real dom0: nothing to assert */

    char path[] = "/tmp/test-hv-xen-stderr.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, 2), 2);

    struct hv *hv = (struct hv *)&hv;
    char *err = NULL;
    struct hv_xl xl = { "/usr/sbin/xl", HV_XL_CREATE_TIMEOUT_MS, HV_XL_TIMEOUT_MS };
    int rc = hv_xen_open("/", &xl, 0, &hv, &err);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *printed = test_read_file(path);
    unlink(path);

    assert_int_equal(rc, -1);
    assert_null(hv);
    assert_non_null(err);
    assert_string_equal(err, "this host is not a running Xen dom0 (cannot open the "
                             "hypervisor interface: No such file or directory)");
    free(err);
    assert_string_equal(printed, "");
    free(printed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_open_off_dom0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
