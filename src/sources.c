/* sources.c: choose where the current resources come from and read them
 * (see sources.h for the order and why). */
#include "sources.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "fsutil.h"
#include "paths.h"
#include "profile.h"
#include "profiledb.h"

/* The client's file pattern: the environment's (tests, unusual clients)
 * or the build's. */
static const char *pattern(const char *env, const char *built)
{
    const char *e = getenv(env);
    return str_empty(e) ? built : e;
}

/* pattern with "%s" as node. */
static char *expand(const char *pat, const char *node)
{
    const char *s = strstr(pat, "%s");
    if (!s)
        return xstrdup(pat);
    return xasprintf("%.*s%s%s", (int)(s - pat), pat, node, s + 2);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sources_node(const char *root, const char *pat, const char *host, char **ret_node, char **err)
{
    *ret_node = NULL;
    const char *s = strstr(pat, "%s"), *slash = strrchr(pat, '/');
    char *short_host = xstrndup(host, strcspn(host, "."));
    if (!s || !slash || s < slash) {
        /* No node in the file's name: the file is the host's if it is there. */
        char *p = expand(pat, short_host), *path = root_path(root, p);
        if (is_file(path))
            *ret_node = xstrdup(short_host);
        free(path);
        free(p);
        free(short_host);
        return 0;
    }
    char *dname = slash == pat ? xstrdup("/") : xstrndup(pat, (size_t)(slash - pat));
    char *dir = root_path(root, dname);
    const char *prefix = slash + 1, *suffix = s + 2;
    size_t pl = (size_t)(s - prefix), sl = strlen(suffix);
    char **found = NULL;
    size_t n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        /* Dot files are rdxprof's temporaries (lcfgutils_safe_tmpfile). */
        if (e->d_name[0] == '.' || len <= pl + sl || strncmp(e->d_name, prefix, pl) ||
            strcmp(e->d_name + len - sl, suffix))
            continue;
        char *path = str_join(dir, '/', e->d_name);
        if (is_file(path)) {
            found = xrealloc(found, (n + 1) * sizeof(*found));
            found[n++] = xstrndup(e->d_name + pl, len - pl - sl);
        }
        free(path);
    }
    if (d)
        closedir(d);
    int rc = 0;
    if (n == 1) {
        *ret_node = found[0];
        found[0] = NULL;
    } else if (n > 1) {
        qsort(found, n, sizeof(*found), by_str);
        for (size_t i = 0; i < n && !*ret_node; i++)
            if (!strcmp(found[i], host))
                *ret_node = xstrdup(found[i]);
        for (size_t i = 0; i < n && !*ret_node; i++)
            if (!strcmp(found[i], short_host))
                *ret_node = xstrdup(found[i]);
        if (!*ret_node) {
            struct buf b = BUF_INIT;
            for (size_t i = 0; i < n; i++)
                buf_addf(&b, "%s%s", i ? ", " : "", found[i]);
            set_error(err, "%s holds the files of several nodes (%s), none of them this host "
                      "(%s)", dir, buf_str(&b), host);
            buf_free(&b);
            rc = -1;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(found[i]);
    free(found);
    free(dir);
    free(dname);
    free(short_host);
    return rc;
}

/* ------------------------------------------------------------ overrides */

/* Merge over into rs by priority, all or nothing: lcfg-core stops at the
 * first conflict with what it merged so far applied; a profile that
 * conflicts is better passed over whole. */
static int merge_over(struct resset *rs, const struct resset *over, char **err)
{
    for (size_t i = 0; i < resset_count(over); i++) {
        const struct resource *r = resset_at(over, i);
        long at = resset_index(rs, r->name);
        if (at >= 0 && resset_priority(rs, (size_t)at) == resset_priority(over, i) &&
            strcmp(resset_at(rs, (size_t)at)->value, r->value)) {
            set_error(err, "resource %s has another value with the same context priority (%d)",
                      r->name, resset_priority(over, i));
            return -1;
        }
    }
    for (size_t i = 0; i < resset_count(over); i++) {
        const struct resource *r = resset_at(over, i);
        resset_merge(rs, r->name, r->value, r->derivation, resset_priority(over, i));
    }
    return 0;
}

/* The context override profiles (lcfgprofile_overrides_context): for each
 * active context with a value, in priority order, CONTEXTDIR/NAME/VALUE.xml
 * when it exists, its resources under the context NAME=VALUE. */
static void context_overrides(const char *root, const struct ctxlist *ctx, struct resset *rs,
                              struct errlist *warn)
{
    for (size_t i = 0; i < ctx_count(ctx); i++) {
        const char *name, *value;
        int prio;
        ctx_at(ctx, i, &name, &value, &prio);
        if (str_empty(value))
            continue;
        /* The derivation names the host's file, not the one under --root. */
        char *host = xasprintf(PATH_CONTEXT_DIR "/%s/%s.xml", name, value);
        char *path = root_path(root, host);
        char *base = xasprintf("%s=%s", name, value), *err = NULL;
        struct xml_source src = { .contexts = ctx, .base_context = base, .base_derivation = host };
        struct resset *over = resset_new();
        bool found = false;
        if (is_file(path) && (profile_read_xml_ex(path, &src, over, &found, &err) < 0 ||
                              (found && merge_over(rs, over, &err) < 0)))
            errlist_add(warn, "context override profile %s passed over: %s", path, err);
        resset_free(over);
        free(err);
        free(base);
        free(path);
        free(host);
    }
}

/* The local override of the component (lcfgprofile_overrides_xmldir):
 * LOCALDIR/xen.xml, when it has the component, replaces it whole. */
static void local_override(const char *root, const struct ctxlist *ctx, struct resset *rs,
                           bool *found, struct errlist *warn)
{
    const char *host = PATH_LOCAL_DIR "/" COMPONENT ".xml";
    char *path = root_path(root, host), *err = NULL;
    struct xml_source src = { .contexts = ctx, .base_derivation = host };
    struct resset *over = resset_new();
    bool has = false;
    if (is_file(path)) {
        if (profile_read_xml_ex(path, &src, over, &has, &err) < 0) {
            errlist_add(warn, "local override profile %s passed over: %s", path, err);
        } else if (has) {
            resset_swap(rs, over);
            *found = true;
        }
    }
    resset_free(over);
    free(err);
    free(path);
}

/* The host's XML profile, as rdxprof makes its DB from it (lcfg-core's
 * xml/lcfg_xml_reader.c): read under the active contexts, then the
 * context override profiles merged in, then the local override. */
static int read_client_xml(const char *root, const char *path, struct resset *rs,
                           struct errlist *warn, char **err)
{
    char *ctxdir = root_path(root, PATH_CONTEXT_DIR);
    char *active = str_join(ctxdir, '/', CONTEXT_ACTIVE_FILE);
    struct ctxlist *ctx = NULL;
    int rc = ctx_load(active, &ctx, err);
    bool found = false;
    if (rc == 0) {
        struct xml_source src = { .contexts = ctx };
        rc = profile_read_xml_ex(path, &src, rs, &found, err);
    }
    if (rc == 0) {
        /* Context overrides change components; they add none. */
        if (found)
            context_overrides(root, ctx, rs, warn);
        local_override(root, ctx, rs, &found, warn);
        if (!found) {
            set_error(err, "profile %s: no " COMPONENT " component (is " COMPONENT
                      " in profile.components?)", path);
            rc = -1;
        }
    }
    ctx_free(ctx);
    free(active);
    free(ctxdir);
    return rc;
}

/* An XML profile given by name: its cfg:context values under the host's
 * active contexts, no override (it is the file asked for). */
static int read_named_xml(const char *root, const char *path, struct resset *rs, char **err)
{
    char *active = root_path(root, PATH_CONTEXT_DIR "/" CONTEXT_ACTIVE_FILE);
    struct ctxlist *ctx = NULL;
    int rc = ctx_load(active, &ctx, err);
    if (rc == 0) {
        struct xml_source src = { .contexts = ctx };
        rc = profile_read_xml_ex(path, &src, rs, NULL, err);
    }
    ctx_free(ctx);
    free(active);
    return rc;
}

/* ------------------------------------------------------------- the order */

int sources_read(const struct source_opts *o, struct resset *rs, char **ret_src,
                 struct errlist *warn, char **err)
{
    if (o->profile) {
        *ret_src = xasprintf("profile %s", o->profile);
        return read_named_xml(o->root, o->profile, rs, err);
    }
    if (o->resources) {
        *ret_src = xasprintf("resources %s", o->resources);
        return profile_read_status(o->resources, rs, err);
    }
    if (profile_env_present(o->envp)) {
        *ret_src = xstrdup("the environment");
        return profile_read_env(o->envp, rs, err);
    }
    char host[256] = "localhost";
    if (gethostname(host, sizeof(host) - 1) < 0)
        strcpy(host, "localhost");
    const char *dbpat = pattern("XEN_PROFILE_DB", LCFGXEN_PROFILE_DB);
    char *node = NULL, *nerr = NULL;
    if (sources_node(o->root, dbpat, host, &node, &nerr) < 0) {
        *ret_src = xstrdup("the profile DB");
        set_error(err, "profile DB: %s", nerr);
        free(nerr);
        return -1;
    }
    int rc;
    if (node) {
        char *p = expand(dbpat, node), *path = root_path(o->root, p);
        *ret_src = xasprintf("profile DB %s (node %s)", path, node);
        rc = profiledb_read(path, node, rs, err);
        free(path);
        free(p);
        free(node);
        return rc;
    }
    const char *xmlpat = pattern("XEN_PROFILE_PATH", LCFGXEN_PROFILE_PATH);
    if (sources_node(o->root, xmlpat, host, &node, &nerr) < 0) {
        *ret_src = xstrdup("the XML profile");
        set_error(err, "profile: %s", nerr);
        free(nerr);
        return -1;
    }
    if (!node)
        node = xstrndup(host, strcspn(host, "."));
    char *p = expand(xmlpat, node), *path = root_path(o->root, p);
    *ret_src = xasprintf("profile %s", path);
    if (access(path, F_OK) < 0 && errno == ENOENT) {
        char *dbdir = root_path(o->root, dbpat);
        char *slash = strrchr(dbdir, '/');
        if (slash && slash != dbdir)
            *slash = '\0';
        set_error(err, "profile %s: cannot open: %s (and no profile DB in %s)", path,
                  strerror(ENOENT), dbdir);
        free(dbdir);
        rc = -1;
    } else {
        rc = read_client_xml(o->root, path, rs, warn, err);
    }
    free(path);
    free(p);
    free(node);
    return rc;
}
