/* fuzzlib.c: see fuzzlib.h. */
#include "fuzzlib.h"

#include <libxlutil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "model.h"
#include "render.h"
#include "util.h"

#ifndef FUZZ_TEMPLATES
#error "FUZZ_TEMPLATES: the directory holding the default templates"
#endif

static char root[64];

static void copy_template(const char *dir, const char *name)
{
    /* LCFGXEN_FUZZ_TEMPLATES: other templates, for the harness's own test
     * (a broken template must be caught). */
    const char *from = getenv("LCFGXEN_FUZZ_TEMPLATES");
    char *src = xasprintf("%s/%s", from ? from : FUZZ_TEMPLATES, name), *text = NULL, *err = NULL;
    char *dst = xasprintf("%s/%s", dir, name);
    enum fs_change ch;
    if (fs_read_file(src, &text, NULL, &err) < 0 ||
        fs_write_atomic(dst, text, strlen(text), 0644, &ch, &err) < 0) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    free(text);
    free(src);
    free(dst);
}

const char *fuzz_root(void)
{
    if (root[0])
        return root;
    snprintf(root, sizeof(root), "/tmp/lcfgxen-fuzz-XXXXXX");
    if (!mkdtemp(root))
        abort();
    char *dir = xasprintf("%s/usr/lib/lcfg/conf/xen", root), *err = NULL;
    if (fs_mkdir_p(dir, 0755, &err) < 0) {
        fprintf(stderr, "fuzz: %s\n", err);
        abort();
    }
    copy_template(dir, "xen-guest.cfg.tmpl");
    copy_template(dir, "xen-guest-xm.cfg.tmpl");
    free(dir);
    return root;
}

#define CHECK(cond, ...)                                             \
    do {                                                             \
        if (!(cond)) {                                               \
            fprintf(stderr, "fuzz invariant: " __VA_ARGS__);         \
            fprintf(stderr, "\n--- rendered ---\n%s--- end ---\n", text); \
            abort();                                                 \
        }                                                            \
    } while (0)

static int count_list(const XLU_Config *cfg, const char *key)
{
    XLU_ConfigList *list = NULL;
    int n = 0;
    if (xlu_cfg_get_list(cfg, key, &list, &n, 0))
        return -1;
    return n;
}

/* What xl's parser makes of the rendered text of guest g. */
static void check_with_xl(const struct guest *g, const char *text)
{
    XLU_Config *cfg = xlu_cfg_init(stderr, "rendered");
    CHECK(cfg, "xlu_cfg_init failed");
    CHECK(xlu_cfg_readdata(cfg, text, (int)strlen(text)) == 0, "xl cannot parse it");
    const char *s = NULL;
    CHECK(xlu_cfg_get_string(cfg, "name", &s, 0) == 0 && !strcmp(s, g->name),
          "name is '%s', not '%s'", s ? s : "(none)", g->name);
    CHECK(xlu_cfg_get_string(cfg, "uuid", &s, 0) == 0 && !strcmp(s, g->uuid),
          "uuid is '%s', not '%s'", s ? s : "(none)", g->uuid);
    long mem = -1;
    CHECK(xlu_cfg_get_long(cfg, "memory", &mem, 0) == 0 && (unsigned long)mem == g->memory,
          "memory is %ld, not %lu", mem, g->memory);
    int disks = (int)g->ndisks + !str_empty(g->res[GF_cdpath]);
    CHECK(count_list(cfg, "disk") == disks, "%d disks, not %d", count_list(cfg, "disk"), disks);
    int nics = (int)g->nnics;
    CHECK(count_list(cfg, "vif") == nics, "%d vifs, not %d", count_list(cfg, "vif"), nics);
    CHECK(xlu_cfg_get_string(cfg, "device_model_override", &s, 1) != 0 &&
          count_list(cfg, "pci") < 0 && count_list(cfg, "iomem") < 0,
          "a dangerous key is present");
    xlu_cfg_destroy(cfg);
}

void fuzz_check_resources(const struct resset *rs)
{
    struct errlist errs = { 0 };
    struct host *h = model_build(rs, &errs);
    errlist_free(&errs);
    if (!h)
        return;
    /* Only the default templates make promises. */
    bool defaults = str_empty(h->res[HF_template]) &&
                    !strcmp(h->res[HF_templatedir], "/usr/lib/lcfg/conf/xen");
    bool xl = !strcmp(h->res[HF_format], "xl");
    struct render_cache *rc = render_cache_new();
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        char *text = NULL, *err = NULL;
        int r = render_guest(h, g, fuzz_root(), rc, &text, &err);
        if (defaults && str_empty(g->res[GF_template])) {
            if (r < 0) {
                fprintf(stderr, "fuzz invariant: guest '%s' validated but does not render: %s\n",
                        g->name, err);
                abort();
            }
            if (xl)
                check_with_xl(g, text);
        }
        free(text);
        free(err);
    }
    render_cache_free(rc);
    host_free(h);
}
