/* methods.c: the method table (dispatch, locking, dry run, suspension,
 * usage and argument checks come from it), restart, suspend, resume,
 * logrotate. */
#include "methods_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "paths.h"
#include "util.h"

char *method_usage(const struct method *m)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, m->name);
    for (size_t i = 0; m->opts[i]; i++)
        buf_addf(&b, " [%s]", m->opts[i]);
    if (m->flags & M_NAME_HOST)
        buf_adds(&b, " NAME HOST");
    else if ((m->flags & M_GROUPS) && (m->flags & M_NAMES))
        buf_adds(&b, " NAME|@GROUP...");
    else if (m->flags & M_GROUPS)
        buf_adds(&b, " [NAME|@GROUP...]");
    else if (m->flags & M_NAMES)
        buf_adds(&b, " NAME...");
    else if (m->flags & M_HOSTS)
        buf_adds(&b, " [HOST...]");
    return buf_detach(&b);
}

static int opt_index(const struct method *m, const char *arg)
{
    for (int i = 0; m->opts[i]; i++)
        if (!strcmp(m->opts[i], arg))
            return i;
    return -1;
}

int method_args(const struct method *m, int argc, char **argv, struct margs *a, char **err)
{
    *a = (struct margs){ .m = m };
    a->names = xcalloc(argc > 0 ? (size_t)argc : 1, sizeof(*a->names));
    for (int i = 1; i < argc; i++) {
        int k = opt_index(m, argv[i]);
        if (k >= 0) {
            a->opts |= 1u << k;
        } else if (argv[i][0] != '-' && (m->flags & (M_NAMES | M_HOSTS | M_GROUPS))) {
            /* A guest name never starts with '-' (model.h): any such
             * word is an option. */
            a->names[a->nnames++] = argv[i];
        } else {
            char *u = method_usage(m);
            set_error(err, "%s: unknown argument '%s' (usage: %s)", m->name, argv[i], u);
            free(u);
            margs_free(a);
            return -1;
        }
    }
    if ((m->flags & M_NAMES) && !a->nnames) {
        char *u = method_usage(m);
        set_error(err, "%s: name at least one guest (usage: %s)", m->name, u);
        free(u);
        margs_free(a);
        return -1;
    }
    return 0;
}

void margs_free(struct margs *a)
{
    free(a->names);
    a->names = NULL;
    a->nnames = 0;
}

bool margs_has(const struct margs *a, const char *opt)
{
    int k = opt_index(a->m, opt);
    return k >= 0 && (a->opts & (1u << k));
}

/* ngeneric: restart is Stop (on the saved configuration), then Configure
 * and Start; one run, holding the lock throughout. */
static int m_restart(struct ctx *c, const struct margs *a)
{
    char *saved = root_path(c->o->root, PATH_STATUS);
    bool have = access(saved, F_OK) == 0;
    free(saved);
    int src = 0;
    if (have)
        src = m_stop(c, a);
    else
        msg_info("restart: nothing to stop (no saved configuration)");
    int rc = m_start(c, a);
    if (src && !rc)
        msg_fail("restart: started, but stop failed (above)");
    return src || rc ? 1 : 0;
}

bool suspended_since(const char *root, char **since)
{
    char *path = root_path(root, PATH_SUSPENDED), *text = NULL;
    bool there = fs_read_file(path, &text, NULL, NULL) == 0;
    free(path);
    if (there) {
        text[strcspn(text, "\n")] = '\0';
        if (since)
            *since = text;
        else
            free(text);
    }
    return there;
}

/* suspend: the component stops acting on the host (M_SUSPENDS methods do
 * nothing) until resume. The guests are left exactly as they are: not
 * paused, not saved, not shut down. */
static int m_suspend(struct ctx *c, const struct margs *a)
{
    (void)a;
    char *since = NULL;
    if (suspended_since(c->o->root, &since)) {
        msg_ok("suspend: already suspended (since %s)", since);
        free(since);
        return 0;
    }
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    /* LCFG's time stamp (libmsg): a two-digit year. */
    snprintf(stamp, sizeof(stamp), "%02d/%02d/%02d %02d:%02d:%02d", tm.tm_mday, tm.tm_mon + 1,
             tm.tm_year % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
    char *line = xasprintf("%s\n", stamp);
    char *path = root_path(c->o->root, PATH_SUSPENDED), *dir = xstrdup(path), *err = NULL;
    *strrchr(dir, '/') = '\0';
    enum fs_change ch;
    int rc = 1;
    if (fs_mkdir_p(dir, 0755, &err) < 0 ||
        fs_write_atomic(path, line, strlen(line), 0644, &ch, &err) < 0) {
        msg_fail("suspend: %s", err);
    } else {
        msg_log("suspend: suspended");
        msg_ok("suspend: configure, start, restart and run do nothing until resume; the guests "
               "are left as they are");
        rc = 0;
    }
    free(err);
    free(dir);
    free(path);
    free(line);
    return rc;
}

/* resume: the suspension ends, and configure catches up with what the
 * profile says now (rdxprof calls configure only when the profile
 * changes: a change made while suspended would otherwise wait). */
static int m_resume(struct ctx *c, const struct margs *a)
{
    (void)a;
    char *since = NULL;
    if (!suspended_since(c->o->root, &since)) {
        msg_ok("resume: not suspended");
        return 0;
    }
    char *path = root_path(c->o->root, PATH_SUSPENDED);
    int rc = 0;
    if (unlink(path) < 0 && errno != ENOENT) {
        msg_fail("resume: cannot remove %s: %s", path, strerror(errno));
        rc = 1;
    } else {
        msg_info("resume: suspended since %s; resumed, configure follows", since);
        bool saved;
        rc = configure(c, &saved) ? 1 : 0;
    }
    free(path);
    free(since);
    return rc;
}

static int m_logrotate(struct ctx *c, const struct margs *a)
{
    (void)c;
    (void)a;
    /* The log is opened at a run's first message, so a rotated file is
     * simply recreated by the next run: nothing stays open to reopen. */
    msg_log("logrotate: log file reopened");
    return 0;
}

const struct method methods[] = {
    { "configure", m_configure, M_MODIFIES | M_DRYRUN | M_SUSPENDS, { NULL },
      "validate the resources, write each guest's config file, save the resources" },
    { "start", m_start, M_MODIFIES | M_SUSPENDS, { NULL },
      "configure, then boot every guest with boot set that is not running" },
    { "stop", m_stop, M_MODIFIES | M_DRYRUN, { NULL },
      "shut every running guest down gracefully, all at once; destroy after their timeout" },
    { "restart", m_restart, M_MODIFIES | M_SUSPENDS, { NULL },
      "stop, then start: every running guest is shut down and booted again" },
    { "run", m_run, M_MODIFIES | M_DRYRUN | M_SUSPENDS, { NULL },
      "boot the boot guests that are down (crashed or stopped by hand); change nothing else" },
    { "suspend", m_suspend, M_MODIFIES, { NULL },
      "configure, start, restart and run do nothing until resume; guests are left as they are" },
    { "resume", m_resume, M_MODIFIES, { NULL }, "end a suspension, then configure" },
    { "boot", m_boot, M_MODIFIES | M_DRYRUN | M_NAMES | M_GROUPS, { NULL },
      "boot these guests (of the saved configuration; @GROUP: its members)" },
    { "shutdown", m_shutdown, M_MODIFIES | M_DRYRUN | M_NAMES | M_GROUPS, { NULL },
      "shut these guests down gracefully; destroy after their timeout" },
    { "reboot", m_reboot, M_MODIFIES | M_DRYRUN | M_NAMES | M_GROUPS, { NULL },
      "ask these guests to reboot" },
    { "destroy", m_destroy, M_MODIFIES | M_DRYRUN | M_NAMES | M_GROUPS, { "--force", NULL },
      "destroy these guests at once (--force: also a domain not in the profile)" },
    { "migrate", m_migrate, M_MODIFIES | M_DRYRUN | M_NAMES | M_NAME_HOST, { "--cold", NULL },
      "move this running guest to HOST: live where the hypervisor can, else (or --cold) saved, "
      "copied and restored there" },
    { "evacuate", m_evacuate, M_MODIFIES | M_DRYRUN | M_HOSTS, { NULL },
      "move every running guest to these hosts in turn (none named: xen.evacuateto)" },
    { "unlease", m_unlease, M_MODIFIES | M_NAMES, { NULL },
      "break this guest's lease (xen.leasedir) held by a host that is gone" },
    { "status", m_status, M_GROUPS, { "--json", NULL },
      "every guest (or these): running state, domid, memory, vcpus, uptime, disks; unmanaged "
      "domains" },
    { "isstarted", m_isstarted, 0, { "-q", NULL }, "exit 0 if the component is started" },
    { "logrotate", m_logrotate, 0, { NULL }, "called after the log file was rotated" },
    { NULL, NULL, 0, { NULL }, NULL },
};

const struct method *method_find(const char *name)
{
    for (const struct method *m = methods; m->name; m++)
        if (!strcmp(m->name, name))
            return m;
    return NULL;
}
