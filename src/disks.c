/* disks.c: guest disks (see disks.h).
 *
 * Safety comes from how things are created, not from checks made before:
 * images are opened O_CREAT|O_EXCL|O_NOFOLLOW (an existing file, or a
 * symbolic link, makes the create fail instead of touching it), qcow2
 * images are made under a temporary name and moved into place with
 * RENAME_NOREPLACE, and volumes are created only when lvs says they are
 * absent (lvcreate itself refuses an existing name). */
#include "disks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "fsutil.h"
#include "resources.h"
#include "paths.h"
#include "util.h"

#define TOOL_TIMEOUT_MS 120000

char *disks_size_str(unsigned long long bytes)
{
    if (bytes % GIB == 0)
        return xasprintf("%llu GB", bytes / GIB);
    return xasprintf("%.2f GB (%llu bytes)", (double)bytes / (double)GIB, bytes);
}

/* ------------------------------------------------------------ provenance */

/* path -> "name uuid epoch" for every disk the component created. */
static struct resset *prov_load(const char *root, char **err)
{
    struct resset *p = resset_new();
    char *path = root_path(root, PATH_PROVENANCE);
    char *text = NULL;
    if (fs_read_file(path, &text, NULL, err) < 0) {
        if (errno == ENOENT) {
            free(*err);
            *err = NULL;
            free(path);
            return p;
        }
        free(path);
        resset_free(p);
        return NULL;
    }
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (line[0] != '/' || !sp)
            continue; /* not ours to interpret: keep going */
        *sp = '\0';
        resset_set(p, line, sp + 1, NULL);
    }
    free(text);
    free(path);
    return p;
}

static int prov_save(const struct resset *p, const char *root, char **err)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, "# Disks created by the LCFG xen component: path, guest name, guest uuid, "
                 "time created (seconds since 1970). Kept when guests leave the profile.\n");
    for (size_t i = 0; i < resset_count(p); i++) {
        const struct resource *r = resset_at(p, i);
        buf_addf(&b, "%s %s\n", r->name, r->value);
    }
    int rc = fs_save_under(root, PATH_PROVENANCE, b.data, b.len, 0644, err);
    buf_free(&b);
    return rc;
}

/* The next space-separated word of *s, copied into w (at most n - 1
 * characters); its length, or 0 when there is none or it does not fit. */
static size_t next_word(const char **s, char *w, size_t n)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t len = 0;
    while (p[len] && p[len] != ' ' && p[len] != '\t')
        len++;
    if (!len || len >= n)
        return 0;
    memcpy(w, p, len);
    w[len] = '\0';
    *s = p + len;
    return len;
}

/* strtoll(s, NULL, 10), without its cost for the usual plain digits. */
static long long parse_when(const char *s)
{
    long long v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i == 18) /* might overflow: strtoll's rules */
            return strtoll(s, NULL, 10);
        v = v * 10 + (s[i] - '0');
    }
    return i && !s[i] ? v : strtoll(s, NULL, 10);
}

/* The days prov_owner wrote last: most disks of a host were made on a
 * few days. */
struct owner_days {
    long long day; /* seconds / 86400; -1: none yet */
    char text[16];
};

/* "testVMxen (0a20...) on 2026-11-26", or NULL; the creator's uuid in
 * uuid. Made for every disk of every configure: words are split by hand,
 * as sscanf and printf cost more than all the rest of planning a disk. */
static char *prov_owner(const struct resset *p, const char *path, char uuid[64],
                        struct owner_days *od)
{
    const char *v = resset_get(p, path);
    if (!v)
        return NULL;
    char name[128], num[32];
    size_t ln = next_word(&v, name, sizeof(name)), lu = ln ? next_word(&v, uuid, 64) : 0;
    if (!lu)
        return NULL;
    long long when = 0;
    if (next_word(&v, num, sizeof(num)))
        when = parse_when(num);
    const char *day = "?";
    if (when > 0) {
        /* UTC: the date is a function of the day number alone. */
        if (od->day != when / 86400) {
            time_t t = (time_t)when;
            struct tm tm;
            strcpy(od->text, "?");
            if (gmtime_r(&t, &tm))
                strftime(od->text, sizeof(od->text), "%Y-%m-%d", &tm);
            od->day = when / 86400;
        }
        day = od->text;
    }
    size_t ld = strlen(day);
    char *out = xmalloc(ln + lu + ld + 8), *o = out;
    memcpy(o, name, ln);
    o += ln;
    memcpy(o, " (", 2);
    o += 2;
    memcpy(o, uuid, lu);
    o += lu;
    memcpy(o, ") on ", 5);
    o += 5;
    memcpy(o, day, ld + 1);
    return out;
}

/* ------------------------------------------------------------- observing */

/* The real path a directory has or would have: the nearest existing
 * ancestor resolved, the missing rest appended. *missing says whether some
 * of it does not exist yet. NULL on error (errno). */
static char *resolve_dir(const char *dir, bool *missing)
{
    char *probe = xstrdup(dir);
    char *rest = xstrdup("");
    *missing = false;
    for (;;) {
        char *real = realpath(probe, NULL);
        if (real) {
            char *r = xasprintf("%s%s", strcmp(real, "/") ? real : "", rest);
            if (!*r) {
                free(r);
                r = xstrdup("/");
            }
            free(real);
            free(probe);
            free(rest);
            return r;
        }
        if (errno != ENOENT) {
            free(probe);
            free(rest);
            return NULL;
        }
        *missing = true;
        char *slash = strrchr(probe, '/');
        if (!slash || slash == probe) {
            free(probe);
            free(rest);
            errno = ENOENT;
            return NULL;
        }
        char *nr = xasprintf("%s%s", slash, rest);
        free(rest);
        rest = nr;
        *slash = '\0';
    }
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (!strcmp(dir, "/"))
        return true;
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/* resolve_dir's answers within one plan. A host's disks mostly share a
 * few directories, and realpath costs a readlink per path component:
 * without this, 1000 guests cost some 28,000 system calls. Nothing is
 * created while planning, so an answer stays good for the plan. Values:
 * "+real" (exists), "-real" (partly missing), "!errno". */
struct dircache {
    struct resset *seen;
    /* The last image directory plan_image judged (host path), and what it
     * found: disks mostly come in runs of one directory. */
    char *last_dir;
    char *last_real;  /* NULL: not resolved (errno in last_errno) */
    bool last_missing, last_in_roots;
    int last_errno;
    struct buf rpath; /* the image's path under root, reused */
};

static char *resolve_dir_cached(struct dircache *dc, const char *dir, bool *missing)
{
    const char *v = resset_get(dc->seen, dir);
    if (!v) {
        bool m = false;
        char *real = resolve_dir(dir, &m);
        char *nv = real ? xasprintf("%c%s", m ? '-' : '+', real) : xasprintf("!%d", errno);
        resset_set(dc->seen, dir, nv, NULL);
        free(nv);
        free(real);
        v = resset_get(dc->seen, dir);
    }
    if (v[0] == '!') {
        errno = atoi(v + 1);
        return NULL;
    }
    *missing = v[0] == '-';
    return xstrdup(v + 1);
}

/* Is the (resolved) image directory under one of the roots? */
static bool in_roots(const struct host *h, const char *root, struct dircache *dc,
                     const char *real_dir)
{
    char *roots = xstrdup(h->res[HF_diskroots]);
    bool ok = false;
    for (char *save = NULL, *r = strtok_r(roots, " \t", &save); r && !ok;
         r = strtok_r(NULL, " \t", &save)) {
        char *rr = root_path(root, r);
        bool missing;
        char *real = resolve_dir_cached(dc, rr, &missing);
        if (real)
            ok = under(real_dir, real);
        free(real);
        free(rr);
    }
    free(roots);
    return ok;
}

static char *tool(const struct host *h, const char *root, int field)
{
    return root_path(root, h->res[field]);
}

/* Run a tool; 0 and its output, or -1 with a message. */
static int run_tool(char *const argv[], struct exec_result *res, char **err)
{
    if (exec_run(argv, NULL, TOOL_TIMEOUT_MS, res, err) < 0)
        return -1;
    return 0;
}

/* The size of an LV in bytes: 1 = exists, 0 = absent, -1 = error. */
static int lv_size(const struct host *h, const char *root, const struct disk *d,
                   unsigned long long *bytes, char **err)
{
    char *prog = tool(h, root, HF_lvs);
    char *name = xasprintf("%s/%s", d->vg, d->file);
    char *argv[] = { prog, "--noheadings", "--nosuffix", "--units", "b", "-o", "lv_size",
                     name, NULL };
    struct exec_result res = { 0 };
    int rc = -1;
    if (run_tool(argv, &res, err) == 0) {
        unsigned long long n;
        char *s = res.out;
        while (*s == ' ')
            s++;
        s[strcspn(s, " \n")] = '\0';
        if (res.status == 0 && parse_u64(s, &n)) {
            *bytes = n;
            rc = 1;
        } else if (res.status != 0 && strstr(res.err, "Failed to find logical volume")) {
            rc = 0;
        } else {
            char *how = exec_describe(&res, TOOL_TIMEOUT_MS);
            set_error(err, "lvs %s: %s", name, how);
            free(how);
        }
    }
    exec_result_free(&res);
    free(name);
    free(prog);
    return rc;
}

/* The virtual size of a qcow2 image, from qemu-img info. */
static int qcow2_size(const struct host *h, const char *root, const char *rpath,
                      unsigned long long *bytes, char **err)
{
    char *prog = tool(h, root, HF_qemuimg);
    char *argv[] = { prog, "info", "--output=json", "-f", "qcow2", (char *)rpath, NULL };
    struct exec_result res = { 0 };
    int rc = -1;
    if (run_tool(argv, &res, err) == 0) {
        const char *k = strstr(res.out, "\"virtual-size\":");
        unsigned long long n = 0;
        if (res.status == 0 && k && sscanf(k + strlen("\"virtual-size\":"), " %llu", &n) == 1) {
            *bytes = n;
            rc = 0;
        } else {
            char *how = exec_describe(&res, TOOL_TIMEOUT_MS);
            set_error(err, "qemu-img info: %s", how);
            free(how);
        }
    }
    exec_result_free(&res);
    free(prog);
    return rc;
}

/* The next item of p, which has room for it (see disks_plan). */
static struct disk_item *add(struct disk_plan *p, const struct guest *g, int i)
{
    struct disk_item *it = &p->v[p->n++];
    memset(it, 0, sizeof(*it));
    it->g = g;
    it->index = i;
    it->d = &g->disks[i];
    it->want = g->disks[i].size_gb * GIB;
    return it;
}

static void refuse(struct disk_item *it, const char *fmt, ...) ATTR_PRINTF(2, 3);
static void refuse(struct disk_item *it, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    it->action = DK_REFUSED;
    free(it->note);
    it->note = xvasprintf(fmt, ap);
    va_end(ap);
}

/* What plan_image needs to know of an image directory: its real path
 * (or errno), whether part of it is missing, whether it is under the
 * roots. Nothing changes while planning, so it holds for every disk in
 * dir. */
static void judge_dir(struct dircache *dc, const struct host *h, const char *root,
                      const char *dir)
{
    if (dc->last_dir && !strcmp(dc->last_dir, dir))
        return;
    free(dc->last_dir);
    free(dc->last_real);
    dc->last_dir = xstrdup(dir);
    char *rdir = root_path(root, dir);
    dc->last_missing = false;
    dc->last_real = resolve_dir_cached(dc, rdir, &dc->last_missing);
    dc->last_errno = errno;
    dc->last_in_roots = dc->last_real && in_roots(h, root, dc, dc->last_real);
    free(rdir);
}

/* root + path in dc's buffer (as root_path makes it). */
static const char *rooted(struct dircache *dc, const char *root, const char *path)
{
    dc->rpath.len = 0;
    if (str_empty(root) || !strcmp(root, "/")) {
        buf_adds(&dc->rpath, path);
        return buf_str(&dc->rpath);
    }
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    buf_add(&dc->rpath, root, n);
    if (path[0] != '/')
        buf_addc(&dc->rpath, '/');
    buf_adds(&dc->rpath, path);
    return buf_str(&dc->rpath);
}

static void plan_image(struct disk_item *it, const struct host *h, const char *root,
                       struct dircache *dc)
{
    const struct disk *d = it->d;
    judge_dir(dc, h, root, d->dir);
    bool missing = dc->last_missing;
    const char *rpath = rooted(dc, root, d->path);
    struct stat st;
    if (!dc->last_real) {
        refuse(it, "cannot resolve %s: %s", d->dir, strerror(dc->last_errno));
        return;
    }
    if (!dc->last_in_roots) {
        refuse(it, "%s is outside the image directories (%s; see xen.diskroots)", d->dir,
               h->res[HF_diskroots]);
        return;
    }
    if (missing) {
        if (!*h->res[HF_diskdirs]) {
            refuse(it, "directory %s does not exist (set xen.diskdirs to yes to create it)",
                   d->dir);
            return;
        }
        it->mkdir = true;
        it->action = DK_CREATE;
        return;
    }
    if (lstat(rpath, &st) < 0) {
        if (errno == ENOENT)
            it->action = DK_CREATE;
        else
            refuse(it, "cannot examine it: %s", strerror(errno));
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        refuse(it, "it is a symbolic link (not followed)");
    } else if (S_ISDIR(st.st_mode)) {
        refuse(it, "it is a directory, not a disk image");
    } else if (!S_ISREG(st.st_mode)) {
        refuse(it, "it is not a regular file");
    } else {
        unsigned long long have = (unsigned long long)st.st_size;
        char *e = NULL;
        if (d->format == FORMAT_QCOW2 && qcow2_size(h, root, rpath, &have, &e) < 0) {
            refuse(it, "cannot read its size: %s", e);
            free(e);
            return;
        }
        it->have = have;
        it->action = have == it->want ? DK_OK : DK_DIFFERS;
    }
}

static void plan_device(struct disk_item *it, const char *root)
{
    char *rpath = root_path(root, it->d->path);
    struct stat st;
    if (stat(rpath, &st) < 0)
        refuse(it, "the device does not exist (%s)", strerror(errno));
    else if (!S_ISBLK(st.st_mode))
        refuse(it, "it is not a block device");
    else
        it->action = DK_DEVICE;
    free(rpath);
}

static void plan_lvm(struct disk_item *it, const struct host *h, const char *root)
{
    unsigned long long have = 0;
    char *e = NULL;
    int r = lv_size(h, root, it->d, &have, &e);
    if (r < 0) {
        refuse(it, "%s", e);
    } else if (r == 0) {
        it->action = DK_CREATE;
    } else {
        it->have = have;
        it->action = have == it->want ? DK_OK : DK_DIFFERS;
    }
    free(e);
}

int disks_plan(const struct host *h, const char *root, struct disk_plan *plan, char **err)
{
    struct resset *prov = prov_load(root, err);
    if (!prov)
        return -1;
    struct dircache dc = { .seen = resset_new() };
    struct owner_days od = { .day = -1 };
    /* Room for every item at once. */
    size_t items = 0;
    for (size_t i = 0; i < h->nguests; i++)
        for (int k = 0; k < 2; k++)
            items += h->guests[i].disks[k].type != DISK_NONE && h->guests[i].disks[k].path;
    if (items)
        plan->v = xrealloc(plan->v, (plan->n + items) * sizeof(*plan->v));
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const char *alloc = str_empty(g->res[GF_diskalloc]) ? h->res[HF_diskalloc]
                                                            : g->res[GF_diskalloc];
        for (int k = 0; k < 2; k++) {
            const struct disk *d = &g->disks[k];
            if (d->type == DISK_NONE || !d->path)
                continue;
            struct disk_item *it = add(plan, g, k);
            it->full = !strcmp(alloc, "full");
            switch (d->type) {
            case DISK_IMAGE:
                plan_image(it, h, root, &dc);
                break;
            case DISK_PHYSICAL:
                it->want = 0;
                plan_device(it, root);
                break;
            case DISK_LVM:
                plan_lvm(it, h, root);
                break;
            case DISK_NONE:
                break;
            }
            /* A disk made for another guest is not handed over silently. */
            char uuid[64];
            it->owner = prov_owner(prov, d->path, uuid, &od);
            if (it->owner && it->action != DK_REFUSED && it->action != DK_CREATE &&
                strcasecmp(uuid, g->uuid) && !g->disk_reuse)
                refuse(it, "it was created for guest %s; set diskreuse_%s to yes to use it",
                       it->owner, g->tag);
        }
    }
    resset_free(dc.seen);
    free(dc.last_dir);
    free(dc.last_real);
    buf_free(&dc.rpath);
    resset_free(prov);
    return 0;
}

/* -------------------------------------------------------------- creating */

/* Remove path only if it is still the file we created (fd). */
static void unlink_ours(const char *path, int fd)
{
    struct stat a, b;
    if (fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino)
        (void)unlink(path);
}

/* Give the finished image (fd, unnamed: O_TMPFILE) its name, never
 * replacing anything: linkat fails when the name exists, even as a
 * dangling symlink. */
static int link_into_place(int fd, const char *rpath)
{
    char proc[64];
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    if (linkat(AT_FDCWD, proc, AT_FDCWD, rpath, AT_SYMLINK_FOLLOW) == 0)
        return 0;
    /* Without /proc, AT_EMPTY_PATH does the same (it needs privilege). */
    if (errno == ENOENT && linkat(fd, "", AT_FDCWD, rpath, AT_EMPTY_PATH) == 0)
        return 0;
    return -1;
}

/* A new raw image is built without a name (O_TMPFILE) and linked into
 * place only once it has its size and is on disk: a run killed half-way
 * leaves nothing under the image's name, never a short image that a
 * later run would take for the guest's disk. Filesystems without
 * O_TMPFILE get the image created under its name with O_EXCL, as before. */
static int create_raw(struct disk_item *it, const char *rpath)
{
    char *dir = xstrdup(rpath);
    *strrchr(dir, '/') = '\0';
    bool unnamed = true;
    int fd = open(*dir ? dir : "/", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    free(dir);
    if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        unnamed = false;
        fd = open(rpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    } else if (fd >= 0) {
        /* The name must still be free: the link below would say so only
         * after all the work. */
        struct stat st;
        if (lstat(rpath, &st) == 0) {
            close(fd);
            errno = EEXIST;
            fd = -1;
        }
    }
    if (fd < 0) {
        if (errno == EEXIST)
            set_error(&it->err, "it appeared while the component was working: left alone");
        else
            set_error(&it->err, "cannot create it: %s", strerror(errno));
        return -1;
    }
    const char *step;
    int r;
    if (it->full) {
        step = "allocate";
        r = fallocate(fd, 0, 0, (off_t)it->want);
        if (r != 0 && (errno == EOPNOTSUPP || errno == ENOSYS))
            set_error(&it->err, "cannot allocate it fully: the filesystem does not support it");
    } else {
        step = "size";
        r = ftruncate(fd, (off_t)it->want);
    }
    if (r == 0) {
        step = "fsync";
        r = fsync(fd);
    }
    if (r == 0 && unnamed) {
        step = "name";
        r = link_into_place(fd, rpath);
        if (r != 0 && errno == EEXIST) {
            close(fd);
            set_error(&it->err, "it appeared while the component was working: left alone");
            return -1;
        }
    }
    if (r != 0) {
        int e = errno;
        if (!unnamed)
            unlink_ours(rpath, fd);
        close(fd);
        if (!it->err)
            set_error(&it->err, "cannot %s it: %s (the partial file was removed)", step,
                      strerror(e));
        return -1;
    }
    close(fd);
    return 0; /* its directory is fsync'd by disks_apply, once for all */
}

static int create_qcow2(struct disk_item *it, const struct host *h, const char *root,
                        const char *rpath)
{
    /* qemu-img overwrites whatever it is given: give it a name of our own
     * and move the result into place without replacing anything. */
    char *slash = strrchr(rpath, '/');
    char *tmp = xasprintf("%.*s/.%s.XXXXXX", (int)(slash - rpath), rpath, slash + 1);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        set_error(&it->err, "cannot create a temporary file beside it: %s", strerror(errno));
        free(tmp);
        return -1;
    }
    close(fd);
    char *prog = tool(h, root, HF_qemuimg);
    char *size = xasprintf("%lluG", it->want / GIB);
    char *opts = xasprintf("preallocation=%s", it->full ? "falloc" : "off");
    char *argv[] = { prog, "create", "-q", "-f", "qcow2", "-o", opts, tmp, size, NULL };
    struct exec_result res = { 0 };
    char *e = NULL;
    int rc = -1;
    if (exec_run(argv, NULL, TOOL_TIMEOUT_MS, &res, &e) < 0) {
        set_error(&it->err, "cannot run qemu-img: %s", e);
    } else if (res.status != 0) {
        char *how = exec_describe(&res, TOOL_TIMEOUT_MS);
        set_error(&it->err, "qemu-img create %s", how);
        free(how);
    } else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, rpath, RENAME_NOREPLACE) < 0) {
        if (errno == EEXIST)
            set_error(&it->err, "it appeared while the component was working: left alone");
        else
            set_error(&it->err, "cannot move the new image into place: %s", strerror(errno));
    } else {
        rc = 0; /* its directory is fsync'd by disks_apply */
    }
    if (rc < 0)
        (void)unlink(tmp);
    exec_result_free(&res);
    free(e);
    free(opts);
    free(size);
    free(prog);
    free(tmp);
    return rc;
}

static int create_lv(struct disk_item *it, const struct host *h, const char *root)
{
    char *prog = tool(h, root, HF_lvcreate);
    char *size = xasprintf("%llug", it->want / GIB);
    char *argv[] = { prog, "--yes", "--name", it->d->file, "--size", size, (char *)it->d->vg,
                     NULL };
    struct exec_result res = { 0 };
    char *e = NULL;
    int rc = -1;
    if (exec_run(argv, NULL, TOOL_TIMEOUT_MS, &res, &e) < 0) {
        set_error(&it->err, "cannot run lvcreate: %s", e);
    } else if (res.status != 0) {
        char *how = exec_describe(&res, TOOL_TIMEOUT_MS);
        set_error(&it->err, "lvcreate %s", how);
        free(how);
    } else {
        rc = 0;
    }
    exec_result_free(&res);
    free(e);
    free(size);
    free(prog);
    return rc;
}

/* Make the missing directories of dir (0700); remember which, so that a
 * failed create can remove them again. */
static int make_dirs(const char *dir, char ***made, size_t *nmade, char **err)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) == 0) {
            *made = xrealloc(*made, (*nmade + 1) * sizeof(**made));
            (*made)[(*nmade)++] = xstrdup(p);
        } else if (errno != EEXIST) {
            set_error(err, "cannot create directory %s: %s", p, strerror(errno));
            rc = -1;
            break;
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return rc;
}

size_t disks_apply(struct disk_plan *plan, const struct host *h, const char *root, long long now)
{
    size_t failed = 0;
    char *e = NULL;
    struct resset *prov = NULL;
    bool loaded = false, record = false;
    struct resset *dirs = resset_new(); /* the directories to fsync */
    for (size_t i = 0; i < plan->n; i++) {
        struct disk_item *it = &plan->v[i];
        if (it->action != DK_CREATE)
            continue;
        /* The record is read before the first create (a run that creates
         * nothing need not read it). */
        if (!loaded) {
            prov = prov_load(root, &e);
            loaded = true;
        }
        char *rpath = root_path(root, it->d->path);
        char **made = NULL;
        size_t nmade = 0;
        int rc = 0;
        if (it->mkdir) {
            char *rdir = root_path(root, it->d->dir);
            rc = make_dirs(rdir, &made, &nmade, &it->err);
            free(rdir);
        }
        if (rc == 0) {
            if (it->d->type == DISK_LVM)
                rc = create_lv(it, h, root);
            else if (it->d->format == FORMAT_QCOW2)
                rc = create_qcow2(it, h, root, rpath);
            else
                rc = create_raw(it, rpath);
        }
        if (rc < 0) {
            /* Only what this run made goes, deepest first. */
            while (nmade > 0)
                (void)rmdir(made[--nmade]);
            it->failed = 1;
            failed++;
        } else if (prov) {
            char *v = xasprintf("%s %s %lld", it->g->name, it->g->uuid, now);
            resset_set(prov, it->d->path, v, NULL);
            free(v);
            record = true;
        }
        /* New names are made durable once per directory, after all of
         * its images (a directory's fsync costs more as it grows). As
         * before, a failure there is not one of the disk's: the image
         * itself is fsync'd. */
        if (rc == 0 && it->d->type != DISK_LVM)
            resset_set(dirs, it->d->dir, "", NULL);
        for (size_t k = 0; k < nmade; k++)
            free(made[k]);
        free(made);
        free(rpath);
    }
    for (size_t i = 0; i < resset_count(dirs); i++) {
        char *rdir = root_path(root, resset_at(dirs, i)->name);
        char *in = str_cat(rdir, "/.", NULL); /* fs_fsync_dir_of syncs what holds it */
        (void)fs_fsync_dir_of(in);
        free(in);
        free(rdir);
    }
    resset_free(dirs);
    if (record && prov_save(prov, root, &e) < 0) {
        /* The disks exist; only their record is missing. Say so on the
         * first created item. */
        for (size_t i = 0; i < plan->n; i++)
            if (plan->v[i].action == DK_CREATE && !plan->v[i].failed) {
                set_error(&plan->v[i].err, "created, but its provenance was not recorded: %s", e);
                plan->v[i].failed = 1;
                failed++;
                break;
            }
    }
    free(e);
    resset_free(prov);
    return failed;
}

void disks_plan_free(struct disk_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        free(plan->v[i].note);
        free(plan->v[i].owner);
        free(plan->v[i].err);
    }
    free(plan->v);
    plan->v = NULL;
    plan->n = 0;
}
