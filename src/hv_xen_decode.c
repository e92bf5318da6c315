/* hv_xen_decode.c: the pure parts of the xen backend (see hv_xen_decode.h
 * and hv_xen.c): nothing here talks to Xen. */
#include <xenctrl.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "hv_xen_decode.h"
#include "util.h"

void hv_xen_format_uuid(const uint8_t h[16], char out[37])
{
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11],
             h[12], h[13], h[14], h[15]);
}

void hv_xen_decode(const xc_domaininfo_t *info, struct hv_domain *d)
{
    memset(d, 0, sizeof(*d));
    d->domid = info->domain;
    hv_xen_format_uuid(info->handle, d->uuid);

    /* The order is xl list's: a dying domain may also be shut down, and a
     * shut down one may also be paused; the reason is only meaningful
     * with the shutdown bit. Running, blocked, or neither (all vcpus
     * waiting for a physical cpu) all mean alive. */
    uint32_t flags = info->flags;
    if (flags & XEN_DOMINF_dying) {
        d->state = DOM_DYING;
    } else if (flags & XEN_DOMINF_shutdown) {
        d->shutdown_reason =
            (int)((flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask);
        d->state = d->shutdown_reason == SHUTDOWN_crash ? DOM_CRASHED : DOM_SHUTDOWN;
    } else if (flags & XEN_DOMINF_paused) {
        d->state = DOM_PAUSED;
    } else {
        d->state = DOM_RUNNING;
    }

    /* libxl__xcinfo2xlinfo: pages are XC_PAGE_SIZE (4 KiB). */
    d->mem_kb = (unsigned long long)info->tot_pages * (XC_PAGE_SIZE / 1024);
    d->max_kb = (unsigned long long)info->max_pages * (XC_PAGE_SIZE / 1024);
    d->vcpus = info->nr_online_vcpus;
    d->max_vcpus = info->max_vcpu_id == XEN_INVALID_MAX_VCPU_ID ? 0 : info->max_vcpu_id + 1;
    d->cpu_seconds = (double)info->cpu_time / 1e9;
    d->hvm = (flags & XEN_DOMINF_hvm_guest) != 0;
}

char *hv_xen_dom_path(unsigned domid, const char *leaf)
{
    return xasprintf("/local/domain/%u/%s", domid, leaf);
}

char *hv_xen_vm_path(const char *uuid, const char *leaf)
{
    return xasprintf("/vm/%s/%s", uuid, leaf);
}

bool hv_xen_parse_seconds(const char *s, long long *ret)
{
    size_t int_len = strspn(s, "0123456789");
    if (int_len == 0 || int_len > 18) /* 18 digits always fit a long long */
        return false;
    const char *rest = s + int_len;
    if (*rest == '.') {
        size_t frac_len = strspn(rest + 1, "0123456789");
        if (frac_len == 0)
            return false;
        rest += 1 + frac_len;
    }
    if (*rest)
        return false;
    long long v = 0;
    for (size_t i = 0; i < int_len; i++)
        v = v * 10 + (s[i] - '0');
    *ret = v;
    return true;
}

/* A NULL-terminated argv of copies of the arguments (a NULL ends them). */
static char **argv_new(const char *first, ...)
{
    size_t n = 1;
    va_list ap;
    va_start(ap, first);
    while (va_arg(ap, const char *))
        n++;
    va_end(ap);

    char **argv = xcalloc(n + 1, sizeof(*argv));
    argv[0] = xstrdup(first);
    va_start(ap, first);
    for (size_t i = 1; i < n; i++)
        argv[i] = xstrdup(va_arg(ap, const char *));
    va_end(ap);
    argv[n] = NULL;
    return argv;
}

/* "xl create -q -f PATH": -f makes PATH an option argument, so xl reads
 * it as the config file whatever it looks like; a bare first argument
 * would be taken as the file only when it starts with no '-' and holds no
 * '=', and anything after it as extra config lines (XEN.md §3.2). */
char **hv_xen_argv_create(const char *xl, const char *path)
{
    return argv_new(xl, "create", "-q", "-f", path, (const char *)NULL);
}

/* The domain is named by its domid: xl reads an all-digit argument as
 * one, so there is no name lookup to race with. */
char **hv_xen_argv_destroy(const char *xl, unsigned domid)
{
    char id[16];
    snprintf(id, sizeof(id), "%u", domid);
    return argv_new(xl, "destroy", id, (const char *)NULL);
}

/* xl's mem-set reads a bare number as MiB: the "k" suffix makes it KiB
 * (parse_mem_size_kb in xl). */
char **hv_xen_argv_mem_set(const char *xl, unsigned domid, unsigned long long kb)
{
    char id[16], mem[32];
    snprintf(id, sizeof(id), "%u", domid);
    snprintf(mem, sizeof(mem), "%lluk", kb);
    return argv_new(xl, "mem-set", id, mem, (const char *)NULL);
}

/* By domid, as destroy; the name is checked by the caller (a guest name
 * never starts with '-', so xl cannot take it for an option). */
char **hv_xen_argv_rename(const char *xl, unsigned domid, const char *name)
{
    char id[16];
    snprintf(id, sizeof(id), "%u", domid);
    return argv_new(xl, "rename", id, name, (const char *)NULL);
}

/* "xl trigger ID power": the ACPI power button (libxl_send_trigger). */
char **hv_xen_argv_trigger_power(const char *xl, unsigned domid)
{
    char id[16];
    snprintf(id, sizeof(id), "%u", domid);
    return argv_new(xl, "trigger", id, "power", (const char *)NULL);
}

bool hv_xen_config_uuid(const char *text, char out[37])
{
    bool found = false, start = true;
    for (const char *p = text; *p;) {
        if (*p == '\n' || *p == ';') {
            start = true;
            p++;
        } else if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
        } else if (*p == '#') {
            p += strcspn(p, "\n");
        } else if (*p == '"' || *p == '\'') {
            /* A string: skip it whole (it may hold ';' or '#'). */
            const char *end = strchr(p + 1, *p);
            p = end ? end + 1 : p + strlen(p);
            start = false;
        } else if (start && !strncmp(p, "uuid", 4) && !isalnum((unsigned char)p[4]) &&
                   p[4] != '_' && p[4] != '.') {
            const char *v = p + 4;
            v += strspn(v, " \t");
            start = false;
            if (*v != '=') {
                p += 4;
                continue;
            }
            v++;
            v += strspn(v, " \t");
            if (*v != '"' && *v != '\'') {
                p = v;
                continue;
            }
            const char *end = strchr(v + 1, *v);
            if (!end) {
                p = v + strlen(v);
                continue;
            }
            char val[64];
            size_t len = (size_t)(end - v - 1);
            /* The last one counts, as for xl; a bad last one, none. */
            found = false;
            if (len < sizeof(val)) {
                memcpy(val, v + 1, len);
                val[len] = '\0';
                if (check_uuid(val)) {
                    for (size_t i = 0; i <= len; i++)
                        out[i] = (char)tolower((unsigned char)val[i]);
                    found = true;
                }
            }
            p = end + 1;
        } else {
            start = false;
            p++;
        }
    }
    return found;
}

char **hv_xen_argv_vcpu_set(const char *xl, unsigned domid, unsigned n)
{
    char id[16], count[16];
    snprintf(id, sizeof(id), "%u", domid);
    snprintf(count, sizeof(count), "%u", n);
    return argv_new(xl, "vcpu-set", id, count, (const char *)NULL);
}

void hv_xen_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **p = argv; *p; p++)
        free(*p);
    free(argv);
}


/* ---- moving guests ---- */

char *hv_xen_sh_quote(const char *s)
{
    struct buf b = BUF_INIT;
    buf_addc(&b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            buf_adds(&b, "'\\''");
        else
            buf_addc(&b, *s);
    }
    buf_addc(&b, '\'');
    char *q = xstrdup(buf_str(&b));
    buf_free(&b);
    return q;
}

char *hv_xen_sh_join(const char *const *argv)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; argv && argv[i]; i++) {
        char *q = hv_xen_sh_quote(argv[i]);
        buf_addf(&b, "%s%s", i ? " " : "", q);
        free(q);
    }
    char *s = xstrdup(buf_str(&b));
    buf_free(&b);
    return s;
}

bool hv_xen_check_host(const char *host)
{
    size_t n = host ? strlen(host) : 0;
    if (n == 0 || n > 255 || host[0] == '-')
        return false;
    return strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@:-") ==
           n;
}

bool hv_xen_peer_is_local(const struct hv_peer *peer, const char *nodename)
{
    if (!peer->remote || !peer->remote[0] || !peer->remote[0][0])
        return true;
    const char *h = peer->host ? peer->host : "";
    if (!strcmp(h, "localhost"))
        return true;
    if (!nodename || !*nodename)
        return false;
    size_t short_len = strcspn(nodename, ".");
    return !strcmp(h, nodename) || (strlen(h) == short_len && !strncmp(h, nodename, short_len));
}

bool hv_xen_image_uuid(const char *data, size_t len, char out[37])
{
    static const char key[] = "\"uuid\"";
    for (size_t i = 0; i + sizeof(key) - 1 < len; i++) {
        if (memcmp(data + i, key, sizeof(key) - 1))
            continue;
        size_t j = i + sizeof(key) - 1;
        while (j < len && (data[j] == ' ' || data[j] == ':' || data[j] == '\t'))
            j++;
        if (j + 38 > len || data[j] != '"' || data[j + 37] != '"')
            return false;
        char val[37];
        memcpy(val, data + j + 1, 36);
        val[36] = '\0';
        if (!check_uuid(val))
            return false;
        for (size_t k = 0; k < 37; k++)
            out[k] = (char)tolower((unsigned char)val[k]);
        return true;
    }
    return false;
}

/* "xl save ID PATH": the domain is destroyed once saved (no -c). */
char **hv_xen_argv_save(const char *xl, unsigned domid, const char *path)
{
    char id[16];
    snprintf(id, sizeof(id), "%u", domid);
    return argv_new(xl, "save", id, path, (const char *)NULL);
}

/* "xl restore PATH": the config saved in the image (no config argument);
 * unpaused once built (no -p). */
char **hv_xen_argv_restore(const char *xl, const char *path)
{
    return argv_new(xl, "restore", path, (const char *)NULL);
}

/* xl runs "exec CMD HOST xl migrate-receive" through sh -c, or, with an
 * empty CMD, HOST alone (xl_migrate.c, main_migrate): so CMD is quoted
 * word by word, and to this host HOST is the receiving command. */
char **hv_xen_argv_migrate(const char *xl, unsigned domid, const struct hv_peer *peer,
                           bool local)
{
    char id[16];
    snprintf(id, sizeof(id), "%u", domid);
    char *cmd = local ? xstrdup("") : hv_xen_sh_join(peer->remote);
    char *host = NULL;
    if (local) {
        char *q = hv_xen_sh_quote(xl);
        host = xasprintf("%s migrate-receive", q);
        free(q);
    } else {
        host = xstrdup(peer->host);
    }
    char **argv = argv_new(xl, "migrate", "-s", cmd, id, host, (const char *)NULL);
    free(cmd);
    free(host);
    return argv;
}

/* A NULL-terminated argv: prog, the words of rest after its first, then
 * the n words of more. */
static char **argv_join(const char *prog, const char *const *rest, const char *const *more,
                        size_t n)
{
    size_t k = 0;
    while (rest && rest[k])
        k++;
    size_t skip = k > 0 ? 1 : 0;
    char **argv = xcalloc(1 + (k - skip) + n + 1, sizeof(*argv));
    size_t i = 0;
    argv[i++] = xstrdup(prog);
    for (size_t j = skip; j < k; j++)
        argv[i++] = xstrdup(rest[j]);
    for (size_t j = 0; j < n; j++)
        argv[i++] = xstrdup(more[j]);
    argv[i] = NULL;
    return argv;
}

char **hv_xen_argv_copy(const char *prog, const struct hv_peer *peer, const char *path)
{
    char *dest = xasprintf("%s:%s", peer->host, path);
    const char *more[] = { path, dest };
    char **argv = argv_join(prog, peer->copy, more, 2);
    free(dest);
    return argv;
}

char **hv_xen_argv_remote_restore(const char *prog, const struct hv_peer *peer,
                                  const char *xl, const char *path)
{
    char *qxl = hv_xen_sh_quote(xl), *qpath = hv_xen_sh_quote(path);
    char *cmd = xasprintf("%s restore %s", qxl, qpath);
    const char *more[] = { peer->host, cmd };
    char **argv = argv_join(prog, peer->remote, more, 2);
    free(cmd);
    free(qxl);
    free(qpath);
    return argv;
}
