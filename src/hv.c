/* hv.c: choose a hypervisor backend (see hv.h). The backends themselves
 * are hv_xen.c (the real one) and hv_sim.c (the simulator). */
#include "hv.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "hv_impl.h"
#include "util.h"

/* The whole of root + path, with leading and trailing white space removed,
 * or NULL when it cannot be read. Caller frees. */
static char *read_trimmed(const char *root, const char *path)
{
    char *p = root_path(root, path);
    char *text = NULL;
    int rc = fs_read_file(p, &text, NULL, NULL);
    free(p);
    if (rc < 0)
        return NULL;
    size_t n = strlen(text);
    while (n > 0 && strchr(" \t\r\n", text[n - 1]))
        text[--n] = '\0';
    size_t skip = strspn(text, " \t\r\n");
    memmove(text, text + skip, n - skip + 1);
    return text;
}

bool hv_is_dom0(const char *root)
{
    /* Both are needed: a domU of a Xen host also has type "xen", but only
     * the control domain has control_d among its capabilities. */
    char *type = read_trimmed(root, "/sys/hypervisor/type");
    bool xen = type && !strcmp(type, "xen");
    free(type);
    if (!xen)
        return false;
    char *caps = read_trimmed(root, "/proc/xen/capabilities");
    bool control = caps && strstr(caps, "control_d");
    free(caps);
    return control;
}

int hv_open(const char *which, const char *root, const struct hv_xl *xl, struct hv **ret,
            char **err)
{
    return hv_open_flags(which, root, xl, 0, ret, err);
}

int hv_open_flags(const char *which, const char *root, const struct hv_xl *xl, unsigned flags,
                  struct hv **ret, char **err)
{
    *ret = NULL;
    /* The defaults filled in, so that the backends see no 0 timeout. */
    struct hv_xl t = { .path = xl ? xl->path : NULL };
    t.create_timeout_ms =
        xl && xl->create_timeout_ms ? xl->create_timeout_ms : HV_XL_CREATE_TIMEOUT_MS;
    t.timeout_ms = xl && xl->timeout_ms ? xl->timeout_ms : HV_XL_TIMEOUT_MS;
    /* Never the simulator unless asked for: a host that is not a dom0
     * must say so, not pretend to boot guests. */
    if (!which || !strcmp(which, "xen")) {
        if (!hv_is_dom0(root)) {
            set_error(err, "%s", HV_NOT_DOM0);
            return -1;
        }
        return hv_xen_open(root, &t, flags, ret, err);
    }
    if (!strcmp(which, "sim"))
        return hv_sim_open(root, &t, flags, ret, err);
    set_error(err, "unknown hypervisor backend '%s' (sim or xen)", which);
    return -1;
}
