/* devspec.c: the disk and vif items of an xl.cfg(5) text (devspec.h).
 * The syntax followed is xl.cfg(5) and xl-disk-configuration(5) of Xen
 * 4.17: a disk item is comma-separated, target= last (the rest of the
 * item is the path); a vif item is split at every comma (xl_parse.c's
 * strtok) into KEY=VALUE words with leading blanks skipped. */
#include "devspec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void hv_devices_free(struct hv_devices *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->ndisks; i++) {
        free(d->disks[i].vdev);
        free(d->disks[i].target);
    }
    for (size_t i = 0; i < d->nnics; i++)
        free(d->nics[i].bridge);
    free(d->disks);
    free(d->nics);
    memset(d, 0, sizeof(*d));
}

void devspecs_free(struct devspecs *s)
{
    for (size_t i = 0; i < s->dev.ndisks; i++)
        free(s->disk_spec[i]);
    for (size_t i = 0; i < s->dev.nnics; i++)
        free(s->nic_spec[i]);
    free(s->disk_spec);
    free(s->nic_spec);
    hv_devices_free(&s->dev);
    s->disk_spec = s->nic_spec = NULL;
}

void devspecs_detach(struct devspecs *s, struct hv_devices *ret)
{
    *ret = s->dev;
    s->dev = (struct hv_devices){ 0 };
    /* The specs are counted by the devices they were read with. */
    for (size_t i = 0; i < ret->ndisks; i++)
        free(s->disk_spec[i]);
    for (size_t i = 0; i < ret->nnics; i++)
        free(s->nic_spec[i]);
    free(s->disk_spec);
    free(s->nic_spec);
    s->disk_spec = s->nic_spec = NULL;
}

const char *devspec_strip_format(const char *target)
{
    static const char *const prefixes[] = { "aio:", "raw:", "qcow:", "qcow2:", "vhd:", "qed:" };
    for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
        if (str_starts_with(target, prefixes[i]))
            return target + strlen(prefixes[i]);
    return target;
}

static char *trim(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return xstrndup(s, n);
}

/* xm's "PREFIX:PATH,VDEV[:cdrom],MODE" (file:, phy:, tap:aio:, tap:qcow2:). */
static int xm_disk(const char *spec, struct hv_disk *d, char **err)
{
    const char *c1 = strchr(spec, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c2) {
        set_error(err, "disk '%s': expected PREFIX:PATH,VDEV,MODE", spec);
        return -1;
    }
    char *target = trim(spec, (size_t)(c1 - spec));
    const char *colon = strrchr(target, ':');
    d->target = xstrdup(colon ? colon + 1 : target);
    free(target);
    char *vdev = trim(c1 + 1, (size_t)(c2 - c1 - 1));
    char *cd = strchr(vdev, ':');
    if (cd) {
        d->cdrom = !strcmp(cd + 1, "cdrom");
        *cd = '\0';
    }
    d->vdev = vdev;
    char *mode = trim(c2 + 1, strlen(c2 + 1));
    d->readonly = !strcmp(mode, "r") || !strcmp(mode, "ro");
    free(mode);
    return 0;
}

int devspec_disk(const char *spec, struct hv_disk *d, char **err)
{
    memset(d, 0, sizeof(*d));
    const char *p = spec;
    p += strspn(p, " \t");
    /* xm's form starts with its backend prefix. */
    if (!strncmp(p, "file:", 5) || !strncmp(p, "phy:", 4) || !strncmp(p, "tap:", 4))
        return xm_disk(p, d, err);
    static const char *const positional[] = { "target", "format", "vdev", "access" };
    size_t pos = 0;
    while (*p) {
        p += strspn(p, " \t");
        if (!strncmp(p, "target=", 7)) {
            free(d->target);
            d->target = trim(p + 7, strlen(p + 7));
            break;
        }
        size_t len = strcspn(p, ",");
        char *item = trim(p, len);
        char *eq = strchr(item, '=');
        const char *key = item, *val = "";
        if (eq) {
            *eq = '\0';
            val = eq + 1;
        } else if (!strcmp(item, "cdrom")) {
            key = "devtype";
            val = "cdrom";
        } else if (pos < ARRAY_SIZE(positional)) {
            key = positional[pos++];
            val = item;
        } else {
            key = "";
        }
        if (!strcmp(key, "target")) {
            free(d->target);
            d->target = xstrdup(val);
        } else if (!strcmp(key, "vdev")) {
            free(d->vdev);
            d->vdev = xstrdup(val);
        } else if (!strcmp(key, "access")) {
            d->readonly = !strcmp(val, "ro") || !strcmp(val, "r");
        } else if (!strcmp(key, "devtype")) {
            d->cdrom = !strcmp(val, "cdrom");
        }
        free(item);
        p += len;
        if (*p == ',')
            p++;
    }
    if (!d->vdev || !*d->vdev) {
        set_error(err, "disk '%s': no vdev", spec);
        free(d->vdev);
        free(d->target);
        memset(d, 0, sizeof(*d));
        return -1;
    }
    if (!d->target)
        d->target = xstrdup(""); /* an empty cdrom drive */
    return 0;
}

int devspec_nic(const char *spec, unsigned devid, struct hv_nic *n, char **err)
{
    memset(n, 0, sizeof(*n));
    n->devid = devid;
    char *copy = xstrdup(spec), *save = NULL;
    int rc = 0;
    for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        w += strspn(w, " \t");
        char *eq = strchr(w, '=');
        if (!eq)
            continue; /* xl ignores what it does not know, and so may we */
        *eq = '\0';
        const char *v = eq + 1;
        if (!strcmp(w, "mac")) {
            if (strlen(v) != 17) {
                set_error(err, "vif '%s': bad mac", spec);
                rc = -1;
                break;
            }
            for (size_t i = 0; i < 17; i++)
                n->mac[i] = (char)tolower((unsigned char)v[i]);
        } else if (!strcmp(w, "bridge")) {
            free(n->bridge);
            n->bridge = xstrdup(v);
        }
    }
    free(copy);
    if (rc == 0 && !n->bridge)
        n->bridge = xstrdup("xenbr0");
    if (rc < 0) {
        free(n->bridge);
        n->bridge = NULL;
    }
    return rc;
}

/* ---- the lists of a config text ---- */

struct scan {
    const char *p;
    unsigned line;
};

/* Skip blanks, newlines, ';' (between statements) and comments. */
static void skip_space(struct scan *s, bool newlines)
{
    for (;;) {
        char c = *s->p;
        if (c == '#') {
            s->p += strcspn(s->p, "\n");
        } else if (c == '\n' && newlines) {
            s->line++;
            s->p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || (c == ';' && newlines)) {
            s->p++;
        } else {
            return;
        }
    }
}

/* A "..." or '...' string at s->p: its text in *ret (may be NULL). */
static bool scan_string(struct scan *s, char **ret)
{
    char q = *s->p;
    const char *end = strchr(s->p + 1, q);
    if (!end || memchr(s->p, '\n', (size_t)(end - s->p)))
        return false;
    if (ret)
        *ret = xstrndup(s->p + 1, (size_t)(end - s->p - 1));
    s->p = end + 1;
    return true;
}

static void add_item(struct devspecs *r, bool disk, char *spec, char **err, int *rc)
{
    if (disk) {
        struct hv_disk d;
        if (devspec_disk(spec, &d, err) < 0) {
            *rc = -1;
            free(spec);
            return;
        }
        size_t k = r->dev.ndisks++;
        r->dev.disks = xrealloc(r->dev.disks, r->dev.ndisks * sizeof(d));
        r->disk_spec = xrealloc(r->disk_spec, r->dev.ndisks * sizeof(char *));
        r->dev.disks[k] = d;
        r->disk_spec[k] = spec;
    } else {
        struct hv_nic n;
        if (devspec_nic(spec, (unsigned)r->dev.nnics, &n, err) < 0) {
            *rc = -1;
            free(spec);
            return;
        }
        size_t k = r->dev.nnics++;
        r->dev.nics = xrealloc(r->dev.nics, r->dev.nnics * sizeof(n));
        r->nic_spec = xrealloc(r->nic_spec, r->dev.nnics * sizeof(char *));
        r->dev.nics[k] = n;
        r->nic_spec[k] = spec;
    }
}

int devspec_parse_config(const char *text, struct devspecs *r, char **err)
{
    memset(r, 0, sizeof(*r));
    struct scan s = { text, 1 };
    int rc = 0;
    while (rc == 0) {
        skip_space(&s, true);
        if (!*s.p)
            break;
        const char *key = s.p;
        while (isalnum((unsigned char)*s.p) || *s.p == '_' || *s.p == '-')
            s.p++;
        size_t klen = (size_t)(s.p - key);
        skip_space(&s, false);
        if (*s.p == '+')
            s.p++;
        if (klen == 0 || *s.p != '=') {
            set_error(err, "line %u: expected KEY = VALUE", s.line);
            rc = -1;
            break;
        }
        s.p++;
        skip_space(&s, false);
        int which = klen == 4 && !strncmp(key, "disk", 4) ? 1
                  : klen == 3 && !strncmp(key, "vif", 3)  ? 2 : 0;
        if (*s.p == '"' || *s.p == '\'') {
            if (!scan_string(&s, NULL)) {
                set_error(err, "line %u: unterminated string", s.line);
                rc = -1;
            }
        } else if (*s.p == '[') {
            s.p++;
            for (;;) {
                skip_space(&s, true);
                if (*s.p == ',') {
                    s.p++;
                } else if (*s.p == ']') {
                    s.p++;
                    break;
                } else if (*s.p == '"' || *s.p == '\'') {
                    char *item = NULL;
                    if (!scan_string(&s, &item)) {
                        set_error(err, "line %u: unterminated string", s.line);
                        rc = -1;
                        break;
                    }
                    if (which)
                        add_item(r, which == 1, item, err, &rc);
                    else
                        free(item);
                    if (rc < 0)
                        break;
                } else if (isdigit((unsigned char)*s.p)) {
                    s.p += strspn(s.p, "0123456789abcdefABCDEFxX");
                } else {
                    set_error(err, "line %u: unterminated list", s.line);
                    rc = -1;
                    break;
                }
            }
        } else {
            s.p += strcspn(s.p, "\n;#");
        }
    }
    if (rc < 0)
        devspecs_free(r);
    return rc;
}
