/* configs.c: guest config files and autostart links (see configs.h). */
#include "configs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "util.h"

/* Items are only ever added here, so the array's room is implied by its
 * count: it grows, doubling, when the count reaches a power of two (from
 * 16). */
static struct cfg_item *add(struct cfg_plan *p, enum cfg_action a, const char *guest,
                            char *path)
{
    size_t n = p->n;
    if (n == 0 || (n >= 16 && (n & (n - 1)) == 0))
        p->v = xrealloc(p->v, (n ? 2 * n : 16) * sizeof(*p->v));
    struct cfg_item *it = &p->v[p->n++];
    memset(it, 0, sizeof(*it));
    it->action = a;
    it->guest = xstrdup(guest);
    it->path = path;
    return it;
}

static const char *sep(const char *dir)
{
    size_t n = strlen(dir);
    return n && dir[n - 1] == '/' ? "" : "/";
}

static char *join(const char *dir, const char *file)
{
    return str_cat(dir, sep(dir), file, NULL);
}

/* dir/name.cfg */
static char *cfg_in(const char *dir, const char *name)
{
    return str_cat(dir, sep(dir), name, ".cfg", NULL);
}

char *configs_path(const struct host *h, const struct guest *g)
{
    return cfg_in(h->res[HF_configdir], g->name);
}

/* The target of the symlink at path, or NULL (not a link, or absent);
 * *is_file is set when something other than a symlink is there. */
static char *link_target(const char *path, int *is_file)
{
    struct stat st;
    *is_file = 0;
    if (lstat(path, &st) < 0)
        return NULL;
    if (!S_ISLNK(st.st_mode)) {
        *is_file = 1;
        return NULL;
    }
    char buf[4096];
    ssize_t n = readlink(path, buf, sizeof(buf) - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return xstrdup(buf);
}

/* What the autostart directory holds, read once per plan: most guests
 * have no link, and a failing lstat each costs a system call. Names are
 * kept in lower case, so that a name that might be there (on a
 * filesystem that ignores case, too) is still looked at with lstat. */
struct autodir {
    bool read;     /* tried */
    bool listed;   /* names says what is there */
    char **names;  /* sorted */
    size_t n;
    char *rdir;    /* the directory under root, as the links' paths name it */
};

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void autodir_read(struct autodir *ad, const char *rdir)
{
    ad->read = true;
    DIR *d = opendir(rdir);
    if (!d) {
        /* No directory (or not one): no link can be there, as an lstat of
         * each would find. Anything else: lstat each. */
        ad->listed = errno == ENOENT || errno == ENOTDIR;
        return;
    }
    size_t cap = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d))) {
        if (ad->n == cap) {
            cap = cap ? 2 * cap : 64;
            ad->names = xrealloc(ad->names, cap * sizeof(*ad->names));
        }
        ad->names[ad->n] = xstrdup(e->d_name);
        lower(ad->names[ad->n++]);
        errno = 0;
    }
    ad->listed = errno == 0;
    closedir(d);
    qsort(ad->names, ad->n, sizeof(*ad->names), cmp_name);
}

static void autodir_free(struct autodir *ad)
{
    for (size_t i = 0; i < ad->n; i++)
        free(ad->names[i]);
    free(ad->names);
    free(ad->rdir);
}

/* Might name's link (autodir/name.cfg) be there? name: without '/'. */
static bool autodir_may_hold(struct autodir *ad, const struct host *h, const char *root,
                             const char *name)
{
    if (!ad->read) {
        /* The directory as an lstat of a link would reach it. */
        char *link = cfg_in(h->res[HF_autodir], name);
        char *rlink = root_path(root, link);
        free(link);
        *strrchr(rlink, '/') = '\0';
        ad->rdir = xstrdup(*rlink ? rlink : "/");
        free(rlink);
        autodir_read(ad, ad->rdir);
    }
    if (!ad->listed)
        return true;
    if (!ad->n)
        return false;
    char key[128];
    size_t n = strlen(name);
    if (n + sizeof(".cfg") > sizeof(key))
        return true; /* not a guest name: look */
    memcpy(key, name, n);
    memcpy(key + n, ".cfg", sizeof(".cfg"));
    lower(key);
    const char *k = key;
    return bsearch(&k, ad->names, ad->n, sizeof(*ad->names), cmp_name) != NULL;
}

/* Autostart links for one guest. want: the link should exist. */
static void plan_link(struct cfg_plan *p, const struct host *h, const char *root,
                      struct autodir *ad, const char *name, const char *cfg, bool want,
                      bool xendomains)
{
    /* A link that cannot be there and is not wanted: nothing to do. */
    bool may = strchr(name, '/') || autodir_may_hold(ad, h, root, name);
    if (!may && !want)
        return;
    char *link = cfg_in(h->res[HF_autodir], name);
    int is_file = 0;
    char *target = NULL;
    if (may) {
        char *rlink = root_path(root, link);
        target = link_target(rlink, &is_file);
        free(rlink);
    }
    if (is_file) {
        if (!xendomains || want) {
            struct cfg_item *it = add(p, CFG_WARN, name, link);
            it->note = xstrdup(xendomains
                ? "is a file, not a link to the component's config: left alone"
                : "is a file: xendomains will start this guest too (remove it; the component boots its guests itself)");
            link = NULL;
        }
    } else if (want) {
        if (!target || strcmp(target, cfg)) {
            struct cfg_item *it = add(p, CFG_LINK, name, link);
            it->dest = xstrdup(cfg);
            link = NULL;
        }
    } else if (target && !strcmp(target, cfg)) {
        add(p, CFG_UNLINK, name, link);
        link = NULL;
    } else if (target && !xendomains) {
        struct cfg_item *it = add(p, CFG_WARN, name, link);
        it->note = xasprintf("links to %s: xendomains will start this guest too; left alone", target);
        link = NULL;
    }
    free(target);
    free(link);
}

static int configs_plan_in(const struct host *cur, char *const *texts, const struct host *prev,
                           const char *root, long long now, struct cfg_plan *plan,
                           struct autodir *ad, bool xendomains, char **err);

int configs_plan(const struct host *cur, char *const *texts, const struct host *prev,
                 const char *root, long long now, struct cfg_plan *plan, char **err)
{
    bool xendomains = !strcmp(cur->res[HF_autostart], "xendomains");
    struct autodir ad = { 0 };
    int rc = configs_plan_in(cur, texts, prev, root, now, plan, &ad, xendomains, err);
    autodir_free(&ad);
    return rc;
}

static int configs_plan_in(const struct host *cur, char *const *texts, const struct host *prev,
                           const char *root, long long now, struct cfg_plan *plan,
                           struct autodir *ad, bool xendomains, char **err)
{
    for (size_t i = 0; i < cur->nguests; i++) {
        const struct guest *g = &cur->guests[i];
        char *path = configs_path(cur, g);
        char *rpath = root_path(root, path);
        char *old = NULL;
        size_t oldlen = 0;
        struct stat st;
        enum cfg_action a;
        if (!texts[i]) {
            a = CFG_UNCHANGED; /* known current: see rendered.h */
        } else if (lstat(rpath, &st) < 0) {
            if (errno != ENOENT) {
                set_error(err, "guest '%s': cannot examine %s: %s", g->name, path, strerror(errno));
                free(rpath);
                free(path);
                return -1;
            }
            a = CFG_CREATE;
        } else if (!S_ISREG(st.st_mode)) {
            set_error(err, "guest '%s': %s exists and is not a regular file", g->name, path);
            free(rpath);
            free(path);
            return -1;
        } else {
            if (fs_read_file(rpath, &old, &oldlen, err) < 0) {
                free(rpath);
                free(path);
                return -1;
            }
            a = (oldlen == strlen(texts[i]) && !memcmp(old, texts[i], oldlen) &&
                 (st.st_mode & 07777) == 0600) ? CFG_UNCHANGED : CFG_UPDATE;
        }
        free(rpath);
        struct cfg_item *it = add(plan, a, g->name, path);
        it->index = i;
        if (a != CFG_UNCHANGED)
            it->text = xstrdup(texts[i]);
        if (a == CFG_UPDATE)
            it->old = old;
        else
            free(old);
        plan_link(plan, cur, root, ad, g->name, it->path, xendomains && g->boot, xendomains);
    }

    if (!prev)
        return 0;
    /* Guests that were applied before and are not in the profile now. */
    struct tm tm;
    time_t t = (time_t)now;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    for (size_t i = 0; i < prev->nguests; i++) {
        const struct guest *pg = &prev->guests[i];
        bool kept = false;
        for (size_t j = 0; j < cur->nguests && !kept; j++)
            kept = !strcmp(cur->guests[j].name, pg->name) &&
                   !strcmp(cur->res[HF_configdir], prev->res[HF_configdir]);
        if (kept)
            continue;
        char *path = configs_path(prev, pg);
        /* A guest that only changed config directory keeps its name. */
        bool reused = false;
        for (size_t j = 0; j < cur->nguests; j++) {
            char *cp = configs_path(cur, &cur->guests[j]);
            reused |= !strcmp(cp, path);
            free(cp);
        }
        char *rpath = root_path(root, path);
        struct stat st;
        if (!reused && lstat(rpath, &st) == 0 && S_ISREG(st.st_mode)) {
            struct cfg_item *it = add(plan, CFG_RETIRE, pg->name, path);
            char *file = xasprintf("%s.cfg.%s", pg->name, stamp);
            it->dest = join(cur->res[HF_retiredir], file);
            free(file);
            path = NULL;
        }
        free(rpath);
        if (path) {
            free(path);
            path = configs_path(prev, pg);
        }
        bool still = false;
        for (size_t j = 0; j < cur->nguests; j++)
            still |= !strcmp(cur->guests[j].name, pg->name);
        if (!still)
            plan_link(plan, cur, root, ad, pg->name, path, false, xendomains);
        free(path);
    }
    return 0;
}

static int copy_noreplace(const char *from, const char *to, char **err)
{
    char *data = NULL;
    size_t len;
    if (fs_read_file(from, &data, &len, err) < 0)
        return -1;
    int fd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        set_error(err, "cannot create %s: %s", to, strerror(errno));
        free(data);
        return -1;
    }
    ssize_t w = write(fd, data, len);
    int ok = w == (ssize_t)len && fsync(fd) == 0;
    int e = errno;
    close(fd);
    free(data);
    if (!ok) {
        (void)unlink(to);
        set_error(err, "cannot write %s: %s", to, strerror(e));
        return -1;
    }
    return 0;
}

/* Move from to to, never replacing anything: 0, 1 when to exists, or -1
 * with *err. */
static int move_noreplace(const char *from, const char *to, const struct cfg_item *it, char **err)
{
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno == EEXIST)
        return 1;
    if (errno != EXDEV && errno != EINVAL && errno != ENOSYS) {
        set_error(err, "cannot move %s to %s: %s", it->path, it->dest, strerror(errno));
        return -1;
    }
    /* Another filesystem (or no renameat2): copy, then remove. */
    struct stat st;
    if (lstat(to, &st) == 0)
        return 1;
    if (copy_noreplace(from, to, err) < 0)
        return -1;
    if (unlink(from) < 0) {
        set_error(err, "copied to %s but cannot remove %s: %s", to, it->path, strerror(errno));
        return -1;
    }
    return 0;
}

static int retire(struct cfg_item *it, const char *root)
{
    char *from = root_path(root, it->path);
    char *to = root_path(root, it->dest);
    char *dir = xstrdup(to);
    *strrchr(dir, '/') = '\0';
    int rc = -1;
    if (fs_mkdir_p(dir, 0700, &it->err) < 0)
        goto out;
    /* Never replace anything already retired: a second file of the same
     * name retired within the same second gets a number. */
    for (int n = 0; n < 100; n++) {
        char *t = n ? xasprintf("%s.%d", to, n) : xstrdup(to);
        int r = move_noreplace(from, t, it, &it->err);
        free(t);
        if (r == 1)
            continue;
        if (r == 0 && n) {
            char *d = xasprintf("%s.%d", it->dest, n);
            free(it->dest);
            it->dest = d;
        }
        rc = r;
        break;
    }
    if (rc < 0 && !it->err)
        set_error(&it->err, "cannot move %s to %s: 100 files of that name are there", it->path,
                  it->dest);
out:
    free(dir);
    free(to);
    free(from);
    return rc;
}

static int make_link(struct cfg_item *it, const char *root)
{
    char *link = root_path(root, it->path);
    char *dir = xstrdup(link);
    *strrchr(dir, '/') = '\0';
    int rc = -1;
    if (fs_mkdir_p(dir, 0755, &it->err) < 0)
        goto out;
    /* A new link beside the old, renamed over it: never a moment without.
     * Hidden and with the component's prefix (fsutil.h): xendomains
     * starts every file of its directory that a glob finds, and a killed
     * run's leftover is removed by the next. */
    const char *base = strrchr(link, '/') + 1;
    char *tmp = xasprintf("%.*s.lcfg-xen.%s.newlnk", (int)(base - link), link, base);
    (void)unlink(tmp);
    if (symlink(it->dest, tmp) < 0 || rename(tmp, link) < 0) {
        set_error(&it->err, "cannot create the link %s: %s", it->path, strerror(errno));
        (void)unlink(tmp);
    } else {
        rc = 0;
    }
    free(tmp);
out:
    free(dir);
    free(link);
    return rc;
}

/* Is b in the same directory as a (host paths)? */
static bool same_dir(const char *a, const char *b)
{
    const char *as = strrchr(a, '/'), *bs = strrchr(b, '/');
    return as && bs && as - a == bs - b && !strncmp(a, b, (size_t)(as - a));
}

/* The directories of the files written, each fsync'd once, after all of
 * them: a file whose directory cannot be made durable has failed, as it
 * would have with its own fsync. The files are in few directories (the
 * configdir, mostly): each is looked for among those already done. */
static size_t sync_dirs(struct cfg_plan *plan, const char *root, const size_t *written, size_t n)
{
    struct done {
        const char *path; /* the first file written there */
        int err;          /* its fsync's errno, 0 when it worked */
    } *dirs = xcalloc(n + 1, sizeof(*dirs));
    size_t ndirs = 0, failed = 0;
    for (size_t k = 0; k < n; k++) {
        struct cfg_item *it = &plan->v[written[k]];
        size_t d = 0;
        while (d < ndirs && !same_dir(dirs[d].path, it->path))
            d++;
        if (d == ndirs) {
            char *rpath = root_path(root, it->path);
            dirs[ndirs++] = (struct done){ it->path, fs_fsync_dir_of(rpath) < 0 ? (errno ? errno : EIO) : 0 };
            free(rpath);
        }
        if (dirs[d].err) {
            char *rpath = root_path(root, it->path);
            set_error(&it->err, "cannot fsync the directory of %s: %s", rpath,
                      strerror(dirs[d].err));
            free(rpath);
            it->failed = 1;
            failed++;
        }
    }
    free(dirs);
    return failed;
}

size_t configs_apply(struct cfg_plan *plan, const char *root)
{
    size_t failed = 0, nwritten = 0;
    size_t *written = xcalloc(plan->n + 1, sizeof(*written));
    for (size_t i = 0; i < plan->n; i++) {
        struct cfg_item *it = &plan->v[i];
        int rc = 0;
        switch (it->action) {
        case CFG_CREATE:
        case CFG_UPDATE: {
            char *rpath = root_path(root, it->path);
            char *dir = xstrdup(rpath);
            *strrchr(dir, '/') = '\0';
            enum fs_change ch = FS_UNCHANGED;
            rc = fs_mkdir_p(dir, 0755, &it->err);
            if (rc == 0)
                rc = fs_write_atomic_ex(rpath, it->text, strlen(it->text), 0600,
                                        FS_SYNC_DIR_LATER, &ch, &it->err);
            if (rc == 0 && ch != FS_UNCHANGED)
                written[nwritten++] = i;
            free(dir);
            free(rpath);
            break;
        }
        case CFG_RETIRE:
            rc = retire(it, root);
            break;
        case CFG_LINK:
            rc = make_link(it, root);
            break;
        case CFG_UNLINK: {
            char *link = root_path(root, it->path);
            if (unlink(link) < 0 && errno != ENOENT) {
                set_error(&it->err, "cannot remove the link %s: %s", it->path, strerror(errno));
                rc = -1;
            }
            free(link);
            break;
        }
        case CFG_UNCHANGED:
        case CFG_WARN:
        case CFG_HELD:
            break;
        }
        if (rc < 0) {
            it->failed = 1;
            failed++;
        }
    }
    failed += sync_dirs(plan, root, written, nwritten);
    free(written);
    return failed;
}

void configs_plan_free(struct cfg_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        struct cfg_item *it = &plan->v[i];
        free(it->guest);
        free(it->path);
        free(it->dest);
        free(it->text);
        free(it->old);
        free(it->note);
        free(it->err);
    }
    free(plan->v);
    plan->v = NULL;
    plan->n = 0;
}

void configs_plan_retire(const struct host *cur, const char *name, const char *root, long long now,
                         struct cfg_plan *plan)
{
    for (size_t j = 0; j < cur->nguests; j++)
        if (!strcmp(cur->guests[j].name, name))
            return;
    char *path = xasprintf("%s/%s.cfg", cur->res[HF_configdir], name);
    for (size_t j = 0; j < plan->n; j++)
        if (!strcmp(plan->v[j].path, path)) {
            free(path);
            return;
        }
    char *rpath = root_path(root, path);
    struct stat st;
    if (lstat(rpath, &st) == 0 && S_ISREG(st.st_mode)) {
        struct tm tm;
        time_t t = (time_t)now;
        gmtime_r(&t, &tm);
        char stamp[32];
        strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
        struct cfg_item *it = add(plan, CFG_RETIRE, name, path);
        path = NULL; /* the plan's now */
        char *file = xasprintf("%s.cfg.%s", name, stamp);
        it->dest = join(cur->res[HF_retiredir], file);
        free(file);
    }
    free(rpath);
    free(path);
}
