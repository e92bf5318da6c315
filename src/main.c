/* main.c: command line, dispatch through the method table, the lock, and
 * the exit status (0 success, 1 failure, 2 busy). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "fsutil.h"
#include "lock.h"
#include "log.h"
#include "methods.h"
#include "paths.h"
#include "util.h"

extern char **environ;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: xen [OPTIONS] METHOD [ARGS...]\n"
            "\n"
            "The LCFG xen component (lcfg-xen %s). Normally run as: om xen METHOD\n"
            "\n"
            "Options:\n"
            "  --root DIR          resolve every path the component touches under DIR (default /)\n"
            "  --profile FILE      read resources from a compiled LCFG XML profile\n"
            "  --resources FILE    read resources from an LCFG status file (xen.res=value lines)\n"
            "  --hypervisor xen|sim  the hypervisor backend (default xen; sim, the simulator,\n"
            "                      runs only when asked for, here or by LCFGXEN_HYPERVISOR)\n"
            "  --dry-run           show what would change, change nothing\n"
            "  --lock-timeout SECS how long to wait for another run's lock (default 60)\n"
            "  --debug             print [DEBUG] messages\n"
            "  --help, --version\n"
            "\n"
            "Without --profile or --resources, resources come from the environment when\n"
            "LCFG_xen__RESOURCES is set (as ngeneric exports them), else from the LCFG\n"
            "client's profile DB, %s, else from its\n"
            "XML profile, %s, read under the client's\n"
            "contexts and overrides (%%s: the node).\n"
            "\n"
            "Methods:\n",
            LCFGXEN_VERSION, LCFGXEN_PROFILE_DB, LCFGXEN_PROFILE_PATH);
    for (const struct method *m = methods; m->name; m++) {
        char *head = method_usage(m);
        fprintf(out, "  %-19s %s\n", head, m->desc);
        free(head);
    }
    fprintf(out, "\nExit status: 0 success, 1 failure, 2 busy (another run holds the lock).\n");
}

/* The locks a mutating method holds (lock.h). */
struct held {
    int fd;         /* the component's flock lock, or -1 */
    char *lcfglock; /* lcfglock's path when it holds LCFG's lock */
    char *dir;      /* the -d given to it (under a root other than /) */
};

static void release_locks(struct held *h);

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Take LCFG's lock through lcfglock when it is installed, then the
 * component's own, within timeout_ms in all. Returns 0, 1 (busy) or -1,
 * with *err. */
static int take_locks(const char *root, const char *method, unsigned timeout_ms,
                      struct held *h, char **err)
{
    long long t0 = mono_ms();
    char *prog = root_path(root, PATH_LCFGLOCK);
    if (access(prog, X_OK) == 0) {
        char *dir = strcmp(root, "/") ? root_path(root, PATH_LCFGLOCK_DIR) : NULL;
        int r = lcfglock_take(prog, dir, method, timeout_ms, err);
        if (r != 0) {
            free(dir);
            free(prog);
            return r;
        }
        h->lcfglock = prog;
        h->dir = dir;
    } else {
        free(prog);
    }
    long long spent = mono_ms() - t0;
    unsigned left = spent >= (long long)timeout_ms ? 0 : timeout_ms - (unsigned)spent;
    char *path = root_path(root, PATH_LOCK);
    int r = lock_acquire(path, method, left, &h->fd, err);
    free(path);
    if (r != 0)
        release_locks(h);
    return r;
}

static void release_locks(struct held *h)
{
    lock_release(h->fd);
    h->fd = -1;
    if (h->lcfglock) {
        char *err = NULL;
        if (lcfglock_release(h->lcfglock, h->dir, &err) < 0) {
            msg_warn("%s", err);
            free(err);
        }
    }
    free(h->lcfglock);
    free(h->dir);
    h->lcfglock = h->dir = NULL;
}

enum { O_ROOT = 256, O_PROFILE, O_RESOURCES, O_HV, O_DRY, O_LOCKT, O_DEBUG, O_HELP, O_VERSION };

static const struct option longopts[] = {
    { "root", required_argument, NULL, O_ROOT },
    { "profile", required_argument, NULL, O_PROFILE },
    { "resources", required_argument, NULL, O_RESOURCES },
    { "hypervisor", required_argument, NULL, O_HV },
    { "dry-run", no_argument, NULL, O_DRY },
    { "lock-timeout", required_argument, NULL, O_LOCKT },
    { "debug", no_argument, NULL, O_DEBUG },
    { "help", no_argument, NULL, O_HELP },
    { "version", no_argument, NULL, O_VERSION },
    { NULL, 0, NULL, 0 },
};

/* Apply one option. Returns 0 to go on, or an exit status + 1 (so that
 * --help gives 1, meaning exit 0) to stop. */
static int apply_option(struct opts *o, int opt, const char *arg)
{
    unsigned long long n;
    switch (opt) {
    case O_ROOT:
        if (arg[0] != '/') {
            fprintf(stderr, "[FAIL] xen: --root '%s' is not an absolute path\n", arg);
            return 2;
        }
        o->root = arg;
        return 0;
    case O_PROFILE:
        o->profile = arg;
        return 0;
    case O_RESOURCES:
        o->resources = arg;
        return 0;
    case O_HV:
        if (strcmp(arg, "sim") && strcmp(arg, "xen")) {
            fprintf(stderr, "[FAIL] xen: --hypervisor '%s' is not sim or xen\n", arg);
            return 2;
        }
        o->hypervisor = arg;
        return 0;
    case O_DRY:
        o->dry_run = true;
        return 0;
    case O_LOCKT:
        if (!parse_u64(arg, &n) || n > 86400) {
            fprintf(stderr, "[FAIL] xen: --lock-timeout '%s' is not 0-86400 seconds\n", arg);
            return 2;
        }
        o->lock_timeout_ms = (unsigned)n * 1000;
        return 0;
    case O_DEBUG:
        o->debug = true;
        return 0;
    case O_HELP:
        usage(stdout);
        return 1;
    case O_VERSION:
        printf("lcfg-xen %s\n", LCFGXEN_VERSION);
        return 1;
    default:
        usage(stderr);
        return 2;
    }
}

/* om passes whatever follows the method to the component ("om xen
 * configure --dry-run"): take the global long options out of the method's
 * arguments, leave the rest (e.g. isstarted's -q) to the method. */
static int take_trailing_options(struct opts *o, int *argc, char **argv)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        const struct option *lo = NULL;
        size_t len = strcspn(a + 2, "=");
        if (a[0] == '-' && a[1] == '-' && a[2])
            for (const struct option *p = longopts; p->name; p++)
                if (strlen(p->name) == len && !strncmp(p->name, a + 2, len))
                    lo = p;
        if (!lo) {
            argv[out++] = argv[i];
            continue;
        }
        const char *val = NULL;
        if (lo->has_arg == required_argument) {
            if (a[2 + len] == '=') {
                val = a + 3 + len;
            } else if (i + 1 < *argc) {
                val = argv[++i];
            } else {
                fprintf(stderr, "[FAIL] xen: option --%s needs a value\n", lo->name);
                return 2;
            }
        }
        int r = apply_option(o, lo->val, val);
        if (r)
            return r;
    }
    *argc = out;
    return 0;
}

int main(int argc, char **argv)
{
    /* Started with 0-2 closed, the first file opened would become
     * "standard error": keep them taken. */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            return 1;
    struct opts o = { .root = "/", .lock_timeout_ms = 60000 };
    int opt;
    /* "+": stop at the method name; its own arguments follow it. */
    while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
        int r = apply_option(&o, opt, optarg);
        if (r)
            return r - 1;
    }
    /* Test rigs ask for the simulator in the environment; an option wins. */
    const char *envhv = getenv("LCFGXEN_HYPERVISOR");
    if (!o.hypervisor && envhv && *envhv) {
        if (strcmp(envhv, "sim") && strcmp(envhv, "xen")) {
            fprintf(stderr, "[FAIL] xen: LCFGXEN_HYPERVISOR '%s' is not sim or xen\n", envhv);
            return 1;
        }
        o.hypervisor = envhv;
    }
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    int margc = argc - optind;
    char **margv = argv + optind;
    int r = take_trailing_options(&o, &margc, margv);
    if (r)
        return r - 1;
    if (o.profile && o.resources) {
        fprintf(stderr, "[FAIL] xen: give --profile or --resources, not both\n");
        return 1;
    }
    const struct method *m = method_find(margv[0]);
    if (!m) {
        fprintf(stderr, "[FAIL] xen: unknown method '%s' (see xen --help)\n", margv[0]);
        return 1;
    }

    log_init(o.root, o.debug);
    char *err = NULL;
    struct margs args;
    if (method_args(m, margc, margv, &args, &err) < 0) {
        msg_fail("%s", err);
        free(err);
        log_done();
        return 1;
    }
    if (o.dry_run && (m->flags & M_MODIFIES) && !(m->flags & M_DRYRUN)) {
        msg_fail("%s: does not support --dry-run", m->name);
        margs_free(&args);
        log_done();
        return 1;
    }
    xmlInitParser();
    struct held held = { .fd = -1 };
    int rc = 0;
    if ((m->flags & M_MODIFIES) && !o.dry_run) {
        int lr = take_locks(o.root, m->name, o.lock_timeout_ms, &held, &err);
        if (lr != 0) {
            msg_fail("%s: %s", m->name, err);
            rc = lr == 1 ? 2 : 1;
        }
        free(err);
        err = NULL;
    }
    char *since = NULL;
    if (rc) {
        /* Not taken: nothing runs. */
    } else if ((m->flags & M_SUSPENDS) && suspended_since(o.root, &since)) {
        /* Checked under the lock: a suspend that was running has ended. */
        if (o.dry_run)
            msg_info("%s (dry run): the component is suspended (since %s): nothing would be "
                     "done", m->name, since);
        else
            msg_warn("%s: the component is suspended (since %s): nothing done (om xen resume "
                     "ends it)", m->name, since);
    } else {
        struct ctx c = { .o = &o, .envp = environ };
        rc = m->fn(&c, &args);
    }
    free(since);
    release_locks(&held);
    margs_free(&args);
    xmlCleanupParser();
    log_done();
    return rc;
}
