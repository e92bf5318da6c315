/* grubcfg.c: Xen entries of a GRUB configuration (see grubcfg.h). */
#include "grubcfg.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BLANKS " \t\r"

/* The words of one line (up to max), each NUL-terminated in copy. */
static size_t split(char *copy, char **w, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(copy, BLANKS, &save); t && n < max;
         t = strtok_r(NULL, BLANKS, &save))
        w[n++] = t;
    return n;
}

/* Does this line load a Xen hypervisor: GRUB 2's multiboot, multiboot2 or
 * xen_hypervisor, or GRUB legacy's kernel, of an image named xen*
 * ("/boot/xen-4.17-amd64.gz", "(hd0,0)/xen.gz-2.6.18-398.el5")? */
static bool xen_line(char *const *w, size_t n)
{
    if (n < 2 || (strcmp(w[0], "multiboot") && strcmp(w[0], "multiboot2") &&
                  strcmp(w[0], "xen_hypervisor") && strcmp(w[0], "kernel")))
        return false;
    const char *base = strrchr(w[1], '/');
    base = base ? base + 1 : strrchr(w[1], ')') ? strrchr(w[1], ')') + 1 : w[1];
    return !strncmp(base, "xen", 3);
}

/* The wanted options that words w[2..] lack, space-separated. */
static char *lacking(char *const *want, size_t nwant, char *const *w, size_t n, size_t *count)
{
    struct buf b = BUF_INIT;
    *count = 0;
    for (size_t i = 0; i < nwant; i++) {
        bool found = false;
        for (size_t k = 2; k < n && !found; k++)
            found = !strcmp(want[i], w[k]);
        if (!found) {
            buf_addf(&b, "%s%s", b.len ? " " : "", want[i]);
            (*count)++;
        }
    }
    return buf_detach(&b);
}

/* GRUB legacy's "default N" or "default=N": N, or -1 for another value
 * (saved). */
static long legacy_default(char *const *w, size_t n)
{
    const char *v = w[0][7] == '=' ? w[0] + 8 : n > 1 ? w[1] : "";
    char *end = NULL;
    long d = strtol(v, &end, 10);
    return *v && !*end && d >= 0 ? d : -1;
}

void grub_xen_scan(const char *text, const char *want, struct grub_xen *out)
{
    memset(out, 0, sizeof(*out));
    out->default_xen = -1;
    char *wcopy = xstrdup(want ? want : "");
    char *wv[256];
    size_t nwant = split(wcopy, wv, ARRAY_SIZE(wv));
    size_t best = (size_t)-1;
    long entry = -1;                  /* the current "title" entry */
    bool *xen = NULL;                 /* per legacy entry: loads Xen */
    char **titles = NULL;
    for (const char *l = text; *l;) {
        const char *start = l;
        size_t len = strcspn(l, "\n");
        char *line = xstrndup(l, len);
        l += len + (l[len] == '\n');
        char *w[256];
        size_t n = split(line, w, ARRAY_SIZE(w));
        if (n == 0 || w[0][0] == '#') {
            free(line);
            continue;
        }
        if (!strcmp(w[0], "title")) {
            out->legacy = true;
            entry++;
            xen = xrealloc(xen, (size_t)(entry + 1) * sizeof(*xen));
            titles = xrealloc(titles, (size_t)(entry + 1) * sizeof(*titles));
            xen[entry] = false;
            /* The title is the rest of the line, as GRUB shows it. */
            const char *t = start + strspn(start, BLANKS) + 5;
            t += strspn(t, BLANKS);
            size_t tl = len - (size_t)(t - start);
            while (tl && strchr(BLANKS, t[tl - 1]))
                tl--;
            titles[entry] = xstrndup(t, tl);
        } else if (entry < 0 && !strncmp(w[0], "default", 7) && (!w[0][7] || w[0][7] == '=')) {
            out->dflt = legacy_default(w, n);
        } else if (xen_line(w, n)) {
            out->nxen++;
            if (entry >= 0)
                xen[entry] = true;
            size_t count;
            char *miss = lacking(wv, nwant, w, n, &count);
            if (count < best) {
                best = count;
                free(out->missing);
                out->missing = miss;
            } else {
                free(miss);
            }
        }
        free(line);
    }
    if (out->legacy) {
        if (out->dflt >= 0) {
            bool exists = out->dflt <= entry;
            out->default_xen = exists && xen[out->dflt];
            out->default_title = exists ? xstrdup(titles[out->dflt]) : NULL;
        }
    } else {
        out->dflt = -1;
    }
    for (long i = 0; i <= entry; i++)
        free(titles[i]);
    free(titles);
    free(xen);
    free(wcopy);
}

void grub_xen_free(struct grub_xen *g)
{
    free(g->missing);
    free(g->default_title);
    memset(g, 0, sizeof(*g));
}
