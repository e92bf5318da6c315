/* methods.c: the method table (dispatch, locking, dry run and usage
 * come from it), argument checks, logrotate. */
#include "methods_impl.h"

#include <string.h>

#include "log.h"

/* A method's only option, flag: *set when given. Returns 0, or -1 after
 * saying what is wrong. */
int one_flag(int argc, char **argv, const char *flag, bool *set)
{
    *set = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], flag)) {
            msg_fail("%s: unknown argument '%s' (usage: %s [%s])", argv[0], argv[i], argv[0],
                     flag);
            return -1;
        }
        *set = true;
    }
    return 0;
}

static int m_logrotate(struct ctx *c, int argc, char **argv)
{
    (void)c;
    (void)argv;
    if (argc > 1) {
        msg_fail("logrotate: takes no arguments");
        return 1;
    }
    /* The log is opened for each message, so a rotated file is simply
     * recreated by the next one: nothing stays open to reopen. */
    msg_log("logrotate: log file reopened");
    return 0;
}

const struct method methods[] = {
    { "configure", m_configure, M_MODIFIES | M_DRYRUN, "",
      "validate the resources, write each guest's config file, save the resources" },
    { "start", m_start, M_MODIFIES, "",
      "configure, then boot every guest with boot set that is not running" },
    { "stop", m_stop, M_MODIFIES | M_DRYRUN, "",
      "shut every running guest down gracefully, all at once; destroy after their timeout" },
    { "run", m_run, M_MODIFIES | M_DRYRUN, "",
      "boot the boot guests that are down (crashed or stopped by hand); change nothing else" },
    { "boot", m_boot, M_MODIFIES | M_DRYRUN, "NAME...", "boot these guests (of the saved configuration)" },
    { "shutdown", m_shutdown, M_MODIFIES | M_DRYRUN, "NAME...",
      "shut these guests down gracefully; destroy after their timeout" },
    { "reboot", m_reboot, M_MODIFIES | M_DRYRUN, "NAME...", "ask these guests to reboot" },
    { "destroy", m_destroy, M_MODIFIES | M_DRYRUN, "[--force] NAME...",
      "destroy these guests at once (--force: also a domain not in the profile)" },
    { "status", m_status, 0, "[--json]",
      "every guest: running state, domid, memory, vcpus, uptime, disks; unmanaged domains" },
    { "isstarted", m_isstarted, 0, "[-q]", "exit 0 if the component is started" },
    { "logrotate", m_logrotate, 0, "", "called after the log file was rotated" },
    { NULL, NULL, 0, NULL, NULL },
};

const struct method *method_find(const char *name)
{
    for (const struct method *m = methods; m->name; m++)
        if (!strcmp(m->name, name))
            return m;
    return NULL;
}
