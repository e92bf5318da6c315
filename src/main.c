/* main.c: command line, dispatch through the method table, the lock, and
 * the exit status (0 success, 1 failure, 2 busy). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
            "  --hypervisor sim|xen  the hypervisor backend (default: xen on a dom0, else sim)\n"
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
        char *head = xasprintf("%s%s%s", m->name, *m->args ? " " : "", m->args);
        fprintf(out, "  %-19s %s\n", head, m->desc);
        free(head);
    }
    fprintf(out, "\nExit status: 0 success, 1 failure, 2 busy (another run holds the lock).\n");
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
    if (o.dry_run && (m->flags & M_MODIFIES) && !(m->flags & M_DRYRUN)) {
        msg_fail("%s: does not support --dry-run", m->name);
        log_done();
        return 1;
    }
    xmlInitParser();
    int lockfd = -1;
    int rc;
    if ((m->flags & M_MODIFIES) && !o.dry_run) {
        char *path = root_path(o.root, PATH_LOCK);
        char *err = NULL;
        int lr = lock_acquire(path, m->name, o.lock_timeout_ms, &lockfd, &err);
        free(path);
        if (lr != 0) {
            msg_fail("%s: %s", m->name, err);
            free(err);
            xmlCleanupParser();
            log_done();
            return lr == 1 ? 2 : 1;
        }
    }
    struct ctx c = { .o = &o, .envp = environ };
    rc = m->fn(&c, margc, margv);
    lock_release(lockfd);
    xmlCleanupParser();
    log_done();
    return rc;
}
