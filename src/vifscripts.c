/* vifscripts.c: the site's vif scripts (vifscripts.h). */
#include "vifscripts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "diff.h"
#include "fsutil.h"
#include "netconf.h"
#include "template.h"
#include "util.h"

struct sctx {
    const struct host *h;
    const struct vifscript *s;
    const char *root;
};

static const char *lookup(void *ctx, const char *name, const char **derivation)
{
    struct sctx *c = ctx;
    if (derivation)
        *derivation = "";
    if (!strcmp(name, "script"))
        return c->s->name;
    if (!strcmp(name, "tag"))
        return c->s->tag;
    return host_lookup(c->h, name, derivation, NULL);
}

static int include(void *ctx, const char *name, char **ret_text, char **err)
{
    struct sctx *c = ctx;
    if (!check_filename(name)) {
        set_error(err, "not a template file name (no '/' or '..')");
        return -1;
    }
    char *dir = root_path(c->root, c->h->res[HF_templatedir]);
    char *path = xasprintf("%s/%s", dir, name);
    int rc = fs_read_file(path, ret_text, NULL, err);
    free(path);
    free(dir);
    return rc;
}

/* The header goes first, or after the "#!" line. */
static char *with_header(const char *text)
{
    if (strncmp(text, "#!", 2))
        return xasprintf(NETCONF_HEADER "\n%s", text);
    size_t n = strcspn(text, "\n");
    return xasprintf("%.*s\n" NETCONF_HEADER "\n%s", (int)n, text,
                     text[n] ? text + n + 1 : "");
}

static bool own_script(const char *text)
{
    size_t h = strlen(NETCONF_HEADER);
    const char *l = text;
    if (!strncmp(l, "#!", 2))
        l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "";
    return !strncmp(l, NETCONF_HEADER, h) && (l[h] == '\n' || !l[h]);
}

int vifscript_render(const struct host *h, const struct vifscript *s, const char *root,
                     char **ret, char **err)
{
    char *dir = root_path(root, h->res[HF_templatedir]);
    char *path = xasprintf("%s/%s", dir, s->template), *text = NULL, *out = NULL, *e = NULL;
    struct sctx c = { h, s, root };
    struct tmpl_env env = { .lookup = lookup, .include = include, .ctx = &c };
    int rc = -1;
    if (fs_read_file(path, &text, NULL, &e) < 0)
        set_error(err, "%s (vifscripttemplate_%s)", e, s->tag);
    else if (tmpl_render(text, path, &env, &out, &e) < 0)
        set_error(err, "template %s", e);
    else {
        *ret = with_header(out);
        rc = 0;
    }
    free(out);
    free(e);
    free(text);
    free(path);
    free(dir);
    return rc;
}

void vifscripts_apply(const struct host *h, const char *root, bool dry, struct host_report *rep)
{
    for (size_t i = 0; i < h->nvifscripts; i++) {
        const struct vifscript *s = &h->vifscripts[i];
        char *text = NULL, *err = NULL, *old = NULL;
        char *shown = xasprintf("%s/%s", h->res[HF_scriptdir], s->name);
        char *path = root_path(root, shown);
        struct stat st;
        bool there = lstat(path, &st) == 0;
        if (vifscript_render(h, s, root, &text, &err) < 0) {
            host_report_add(rep, HL_ERROR, "vif script %s: %s", s->name, err);
        } else if (there && (!S_ISREG(st.st_mode) || fs_read_file(path, &old, NULL, NULL) < 0 ||
                             !own_script(old))) {
            host_report_add(rep, HL_ERROR, "vif script %s: %s exists and is not the component's: "
                            "not overwritten", s->name, shown);
        } else if (there && !strcmp(old, text) && (st.st_mode & 07777) == 0755) {
            /* unchanged */
        } else if (dry) {
            host_report_add(rep, HL_INFO, "vif script %s: %s would be %s", s->name, shown,
                            there ? "updated" : "created");
            rep->v[rep->n - 1].diff = diff_unified(old ? old : "", text,
                                                   there ? shown : "/dev/null", shown);
        } else {
            char *dir = root_path(root, h->res[HF_scriptdir]);
            enum fs_change ch;
            if (fs_mkdir_p(dir, 0755, &err) < 0 ||
                fs_write_atomic(path, text, strlen(text), 0755, &ch, &err) < 0)
                host_report_add(rep, HL_ERROR, "vif script %s: %s", s->name, err);
            else if (chmod(path, 0755) < 0)
                host_report_add(rep, HL_ERROR, "vif script %s: cannot make %s executable: %s",
                                s->name, shown, strerror(errno));
            else
                host_report_add(rep, HL_INFO, "vif script %s: %s %s", s->name, shown,
                                there ? "updated" : "created");
            free(dir);
        }
        free(old);
        free(text);
        free(err);
        free(path);
        free(shown);
    }
}
