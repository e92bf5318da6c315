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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
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


/* The record: identity -> "name uuid epoch how path" for every disk the
 * component created ("created"), is about to create ("pending") or found
 * in use by a guest with no record ("found"). The path is kept for
 * messages and to re-key entries whose identity changed. Older records
 * were "path name uuid epoch" lines: read, re-keyed by what the path now
 * resolves to, and written in the new form at the next save. */
#define REC_HEADER "# lcfg-xen disk record 2: identity, guest name, guest uuid, time recorded " \
                   "(seconds since 1970), created|found|pending, path. Kept when guests leave " \
                   "the profile.\n"

/* A record file (identity -> the rest of its line) as one array in file
 * order, with an index by key (open addressing). Keys and values point
 * into the text as read (cut in place) or into the table's arena (set
 * since): nothing is copied to load it, and a value once handed out stays
 * valid until the table is freed (setting an entry points it elsewhere). */
struct rec_entry {
    const char *key, *val;
    size_t hash; /* rec_hash(key) */
};

struct rectab {
    char *text;
    struct rec_entry *v;
    size_t n, cap;
    uint32_t *slot;      /* 1 + an index in v, by the key's hash; mask + 1 of them */
    size_t mask;
    struct arena strs;
    struct rectab *prev; /* an earlier plan's table, kept for its items */
};

struct disk_state {
    struct rectab *rec;
    bool rec_dirty;
    struct rectab *probes;     /* identity -> "size mtime ctime format vsize backing" */
    bool *probes_hit;          /* per entry of probes: used by this plan */
    size_t nhit;
    struct resset *probes_new; /* the entries this plan made */
    bool probes_dirty;
    struct arena strs;         /* the items' id and found */
    /* "f:DEV:" of the last image's filesystem: most images share one. */
    bool id_pre_ok;
    dev_t id_dev;
    char id_pre[32];
    size_t id_prelen;
    char **owners;             /* per item: disks_owner's text, made when asked */
    size_t nowners;
    long long owner_day;       /* the day owner_text wrote last (-1: none) */
    char owner_date[16];
};

static size_t rec_hash_n(const char *key, size_t n)
{
    return (size_t)hash64(HASH64_INIT, key, n);
}

static size_t rec_hash(const char *key)
{
    return rec_hash_n(key, strlen(key));
}

static struct rectab *rec_new(void)
{
    return xcalloc(1, sizeof(struct rectab));
}

static void rec_free(struct rectab *t)
{
    while (t) {
        struct rectab *prev = t->prev;
        free(t->text);
        free(t->v);
        free(t->slot);
        arena_free(&t->strs);
        free(t);
        t = prev;
    }
}

/* The position of key (its hash h) in t->v, or -1; *at: its slot or
 * where it would go. */
static long rec_index_at(const struct rectab *t, const char *key, size_t h, size_t *at)
{
    if (!t->slot)
        return -1;
    size_t k = h & t->mask;
    for (; t->slot[k]; k = (k + 1) & t->mask) {
        const struct rec_entry *e = &t->v[t->slot[k] - 1];
        if (e->hash == h && !strcmp(e->key, key)) {
            *at = k;
            return (long)(t->slot[k] - 1);
        }
    }
    *at = k;
    return -1;
}

static long rec_index(const struct rectab *t, const char *key, size_t h)
{
    size_t at;
    return rec_index_at(t, key, h, &at);
}

static const char *rec_get_h(const struct rectab *t, const char *key, size_t h)
{
    long i = rec_index(t, key, h);
    return i < 0 ? NULL : t->v[i].val;
}

static const char *rec_get(const struct rectab *t, const char *key)
{
    return rec_get_h(t, key, rec_hash(key));
}

/* Room for n entries, the index at most half full: cap is always half
 * its slots. */
static void rec_reserve(struct rectab *t, size_t n)
{
    if (t->slot && n <= t->cap)
        return;
    size_t mask = 63;
    while (mask + 1 < 2 * n)
        mask = mask * 2 + 1;
    t->cap = (mask + 1) / 2;
    t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
    free(t->slot);
    t->slot = xcalloc(mask + 1, sizeof(*t->slot));
    t->mask = mask;
    for (size_t i = 0; i < t->n; i++) {
        size_t k = t->v[i].hash & mask;
        while (t->slot[k])
            k = (k + 1) & mask;
        t->slot[k] = (uint32_t)(i + 1);
    }
}

/* Set (or replace, in its place) the entry of key. copy: key and val are
 * not the table's own (its text, its arena, or a literal) and are copied. */
static void rec_put_h(struct rectab *t, const char *key, size_t h, const char *val, bool copy)
{
    size_t at;
    long i = rec_index_at(t, key, h, &at);
    if (i >= 0) {
        t->v[i].val = copy ? arena_strdup(&t->strs, val) : val;
        return;
    }
    if (!t->slot || t->n + 1 > t->cap) {
        rec_reserve(t, 2 * (t->n + 1));
        rec_index_at(t, key, h, &at);
    }
    t->v[t->n].hash = h;
    t->v[t->n].key = copy ? arena_strdup(&t->strs, key) : key;
    t->v[t->n].val = copy ? arena_strdup(&t->strs, val) : val;
    t->slot[at] = (uint32_t)++t->n;
}

static void rec_put(struct rectab *t, const char *key, const char *val, bool copy)
{
    rec_put_h(t, key, rec_hash(key), val, copy);
}

/* The lines of a record file, "key rest" each (comments and lines without
 * a space skipped), cut in place; each handed to fn. */
static void rec_lines(char *text, void (*fn)(void *arg, char *key, size_t klen, char *val),
                      void *arg)
{
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *sp = strchr(line, ' ');
        if (line[0] != '#' && sp) { /* else not ours to interpret: keep going */
            *sp = '\0';
            fn(arg, line, (size_t)(sp - line), sp + 1);
        }
        if (!nl)
            break;
        line = nl + 1;
    }
}

/* s (malloc'd) moved into the plan's arena: freed with the plan. */
static char *keep(struct disk_state *ds, char *s)
{
    char *k = arena_strdup(&ds->strs, s);
    free(s);
    return k;
}

/* Room for the entries of a record file of len bytes at once, as most
 * likely: its lines are some 90 to 110 characters (more only grow the
 * table, fewer leave it less full). */
static size_t rec_guess(size_t len)
{
    return len / 128 + 16;
}

/* v in decimal at o; the end. (Made for every disk of every configure:
 * printf costs more than the rest of planning a disk.) */
static char *put_u64(char *o, unsigned long long v)
{
    char t[24];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        *o++ = t[--n];
    return o;
}

/* A file's identity, "f:dev:ino", in id[48]. */
static char *file_id_in(const struct stat *st, char id[48])
{
    char *o = id;
    *o++ = 'f';
    *o++ = ':';
    o = put_u64(o, (unsigned long long)st->st_dev);
    *o++ = ':';
    o = put_u64(o, (unsigned long long)st->st_ino);
    *o = '\0';
    return id;
}

static char *file_id(const struct stat *st)
{
    char id[48];
    return xstrdup(file_id_in(st, id));
}

/* An entry's identity now, from its path: a file's or a block device's;
 * NULL when the path does not lead to one. */
static char *id_of_path(const char *root, const char *path)
{
    char *rp = root_path(root, path);
    struct stat st;
    char *id = NULL;
    if (lstat(rp, &st) == 0 && S_ISREG(st.st_mode))
        id = file_id(&st);
    else if (stat(rp, &st) == 0 && S_ISBLK(st.st_mode))
        id = xasprintf("b:%u:%u", major(st.st_rdev), minor(st.st_rdev));
    free(rp);
    return id;
}

struct prov_loading {
    const char *root;
    struct rectab *p;
    bool *dirty;
};

static void prov_line(void *arg, char *line, size_t klen, char *val)
{
    struct prov_loading *L = arg;
    struct rectab *p = L->p;
    const char *root = L->root;
    if (line[0] == '/') {
        /* The old form, keyed by path: key it by what the path is now;
         * "o:path" (matched by path) when it leads nowhere yet (an
         * LVM volume, an unmounted filesystem). */
        char *id = id_of_path(root, line);
        char *k = id ? id : xasprintf("o:%s", line);
        char *v = xasprintf("%s created %s", val, line);
        rec_put(p, k, v, true);
        free(v);
        free(k);
        *L->dirty = true;
        return;
    }
    if (!strncmp(line, "n:", 2) || !strncmp(line, "p:", 2)) {
        /* Pending: a run was stopped between recording an image and
         * saving the record of what it made. Kept if the image exists
         * (made then), dropped if not. */
        const char *pp = strchr(val, '/');
        char *id = pp ? id_of_path(root, pp) : NULL;
        if (id) {
            char name[128], uuid[64], when[32];
            const char *q = val;
            if (next_word(&q, name, sizeof(name)) && next_word(&q, uuid, sizeof(uuid)) &&
                next_word(&q, when, sizeof(when))) {
                char *v = xasprintf("%s %s %s created %s", name, uuid, when, pp);
                rec_put(p, id, v, true);
                free(v);
            }
        }
        free(id);
        *L->dirty = true;
        return;
    }
    const char *pend = strncmp(line, "l:", 2) ? NULL : strstr(val, " pending ");
    if (pend) {
        /* A volume recorded before lvcreate ran: lvcreate refuses an
         * existing name, so if it exists it is the one made then. */
        char *v = xasprintf("%.*s created %s", (int)(pend - val), val, pend + 9);
        rec_put(p, line, v, true);
        free(v);
        *L->dirty = true;
        return;
    }
    rec_put_h(p, line, rec_hash_n(line, klen), val, false);
}

static struct rectab *prov_load(const char *root, bool *dirty, char **err)
{
    struct rectab *p = rec_new();
    char *path = root_path(root, PATH_PROVENANCE);
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, &text, &len, err) < 0) {
        if (errno == ENOENT) {
            free(*err);
            *err = NULL;
            free(path);
            return p;
        }
        free(path);
        rec_free(p);
        return NULL;
    }
    p->text = text;
    rec_reserve(p, rec_guess(len));
    struct prov_loading L = { root, p, dirty };
    rec_lines(text, prov_line, &L);
    free(path);
    return p;
}

static int prov_save(const struct rectab *p, const char *root, char **err)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, REC_HEADER);
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].val[0]) /* "": removed */
            buf_addf(&b, "%s %s\n", p->v[i].key, p->v[i].val);
    int rc = fs_save_under(root, PATH_PROVENANCE, b.data, b.len, 0644, err);
    buf_free(&b);
    return rc;
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

/* The creator's name and uuid in a record value ("name uuid when how
 * path"): whether both are there, each shorter than its bound (128, 64),
 * as owner_text reads them; the uuid's place in *uuid and *lu. */
static bool owner_words(const char *v, const char **uuid, size_t *lu)
{
    size_t len[2];
    for (int w = 0; w < 2; w++) {
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strcspn(v, " \t");
        if (!n || n >= (w ? 64u : 128u))
            return false;
        if (w)
            *uuid = v;
        len[w] = n;
        v += n;
    }
    *lu = len[1];
    return true;
}

/* "testVMxen (0a20...) on 2026-11-26" of a record value that owner_words
 * accepts; *found: recorded as found in use (not created). Made only for
 * a message or status. */
static char *owner_text(struct disk_state *ds, const char *v, bool *found)
{
    char name[128], uuid[64], num[32], how[16];
    size_t ln = next_word(&v, name, sizeof(name)), lu = ln ? next_word(&v, uuid, 64) : 0;
    if (!lu)
        return NULL;
    long long when = 0;
    if (next_word(&v, num, sizeof(num)))
        when = parse_when(num);
    bool f = next_word(&v, how, sizeof(how)) && !strcmp(how, "found");
    if (found)
        *found = f;
    const char *day = "?";
    if (when > 0) {
        /* UTC: the date is a function of the day number alone; most
         * disks of a host were made on a few days. */
        if (ds->owner_day != when / 86400) {
            time_t t = (time_t)when;
            struct tm tm;
            strcpy(ds->owner_date, "?");
            if (gmtime_r(&t, &tm))
                strftime(ds->owner_date, sizeof(ds->owner_date), "%Y-%m-%d", &tm);
            ds->owner_day = when / 86400;
        }
        day = ds->owner_date;
    }
    return xasprintf("%s (%s) on %s", name, uuid, day);
}

bool disks_origin(const struct disk_item *it, char uuid[37], long long *when, bool *created)
{
    char name[128], u[64], num[32], how[16];
    const char *v = it->prov;
    if (!v || !next_word(&v, name, sizeof(name)) || !next_word(&v, u, sizeof(u)) ||
        strlen(u) > 36 || !next_word(&v, num, sizeof(num)) || !next_word(&v, how, sizeof(how)))
        return false;
    strcpy(uuid, u);
    *when = parse_when(num);
    *created = !strcmp(how, "created");
    return true;
}

const char *disks_owner(const struct disk_plan *plan, const struct disk_item *it)
{
    struct disk_state *ds = plan->st;
    if (!it->prov || !ds || it < plan->v || it >= plan->v + plan->n)
        return NULL;
    size_t i = (size_t)(it - plan->v);
    if (i >= ds->nowners) {
        ds->owners = xrealloc(ds->owners, plan->n * sizeof(*ds->owners));
        memset(ds->owners + ds->nowners, 0, (plan->n - ds->nowners) * sizeof(*ds->owners));
        ds->nowners = plan->n;
    }
    if (!ds->owners[i])
        ds->owners[i] = owner_text(ds, it->prov, NULL);
    return ds->owners[i];
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
    int last_dir_stat;   /* 0: not yet; 1: last_dir_dev/ino are its; -1: failed */
    dev_t last_dir_dev;
    ino_t last_dir_ino;
    struct buf rpath; /* the image's path under root, reused */
    bool rooted;      /* rpath's first rootlen bytes are root's part */
    size_t rootlen;
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

/* ----------------------------------------------------- probing formats */

/* What an existing image holds, whatever its name or the profile says. */
struct probe {
    char format[32];            /* "raw", "qcow2", ... */
    unsigned long long vsize;   /* virtual size (bytes) */
    bool backing;
    char backing_name[256];     /* "" when unknown */
};

/* A JSON string at s (after its '"'): copied into out (escapes kept as
 * they are, cut at n - 1); returns the character after its closing '"',
 * or NULL. */
static const char *json_string(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && *s != '"'; s++) {
        if (*s == '\\') {
            if (!s[1])
                return NULL;
            if (k + 1 < n)
                out[k++] = *s;
            s++;
        }
        if (k + 1 < n)
            out[k++] = *s;
    }
    if (n)
        out[k] = '\0';
    return *s == '"' ? s + 1 : NULL;
}

static const char *json_ws(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
        s++;
    return s;
}

/* Skip one JSON value; the character after it, or NULL. */
static const char *json_skip(const char *s, int depth)
{
    s = json_ws(s);
    if (depth > 64)
        return NULL;
    if (*s == '"')
        return json_string(s + 1, NULL, 0);
    if (*s == '{' || *s == '[') {
        char close = *s == '{' ? '}' : ']';
        s = json_ws(s + 1);
        if (*s == close)
            return s + 1;
        for (;;) {
            if (close == '}') {
                if (*s != '"' || !(s = json_string(s + 1, NULL, 0)))
                    return NULL;
                s = json_ws(s);
                if (*s++ != ':')
                    return NULL;
            }
            if (!(s = json_skip(s, depth + 1)))
                return NULL;
            s = json_ws(s);
            if (*s == close)
                return s + 1;
            if (*s++ != ',')
                return NULL;
            s = json_ws(s);
        }
    }
    /* number, true, false, null */
    const char *b = s;
    while (*s && !strchr(",}] \n\t\r", *s))
        s++;
    return s > b ? s : NULL;
}

/* The top-level keys of qemu-img info's JSON object that matter: only
 * those (a nested "format" belongs to a child node). 0, or -1. */
static int parse_info(const char *s, struct probe *pr)
{
    memset(pr, 0, sizeof(*pr));
    bool have_size = false;
    s = json_ws(s);
    if (*s++ != '{')
        return -1;
    s = json_ws(s);
    if (*s == '}')
        return -1;
    for (;;) {
        char key[64];
        if (*s != '"' || !(s = json_string(s + 1, key, sizeof(key))))
            return -1;
        s = json_ws(s);
        if (*s++ != ':')
            return -1;
        s = json_ws(s);
        const char *v = s;
        if (!(s = json_skip(s, 1)))
            return -1;
        if (!strcmp(key, "format") && *v == '"') {
            json_string(v + 1, pr->format, sizeof(pr->format));
        } else if (!strcmp(key, "virtual-size")) {
            char num[32];
            size_t n = (size_t)(s - v);
            if (n >= sizeof(num))
                return -1;
            memcpy(num, v, n);
            num[n] = '\0';
            have_size = parse_u64(num, &pr->vsize);
        } else if (!strcmp(key, "backing-filename") || !strcmp(key, "full-backing-filename") ||
                   !strcmp(key, "backing-image")) {
            pr->backing = true;
            if (*v == '"' && !pr->backing_name[0])
                json_string(v + 1, pr->backing_name, sizeof(pr->backing_name));
        }
        s = json_ws(s);
        if (*s == '}')
            break;
        if (*s++ != ',')
            return -1;
        s = json_ws(s);
    }
    return pr->format[0] && have_size ? 0 : -1;
}

/* Ask qemu-img what the image is. No -f: qemu-img probes the content
 * (naming the format would make it believe us). -U: a running guest's
 * image is locked, and reading its header is harmless. */
static int probe_qemu(const char *prog, const char *rpath, struct probe *pr, char **err)
{
    char *argv[] = { (char *)prog, "info", "--output=json", "-U", (char *)rpath, NULL };
    struct exec_result res = { 0 };
    int rc = -1;
    if (run_tool(argv, &res, err) == 0) {
        if (res.status == 0 && parse_info(res.out, pr) == 0) {
            rc = 0;
        } else {
            char *how = res.status == 0 ? xstrdup("output not understood")
                                        : exec_describe(&res, TOOL_TIMEOUT_MS);
            set_error(err, "qemu-img info: %s", how);
            free(how);
        }
    }
    exec_result_free(&res);
    return rc;
}

static unsigned long long be64(const unsigned char *p)
{
    unsigned long long v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The magic numbers of the formats qemu-img would find, read from the
 * header: enough to tell a raw image from the rest without running it
 * (and all there is on a host without qemu-img, which raw images alone
 * do not need). */
static int probe_header(const char *rpath, unsigned long long size, struct probe *pr, char **err)
{
    memset(pr, 0, sizeof(*pr));
    int fd = open(rpath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        set_error(err, "cannot read it: %s", strerror(errno));
        return -1;
    }
    unsigned char h[512] = { 0 };
    ssize_t n = pread(fd, h, sizeof(h), 0);
    int e = errno;
    close(fd);
    if (n < 0) {
        set_error(err, "cannot read it: %s", strerror(e));
        return -1;
    }
    const char *f = "raw";
    if (!memcmp(h, "QFI\xfb", 4)) {
        f = h[7] == 1 ? "qcow" : "qcow2";
        pr->backing = be64(h + 8) != 0; /* backing_file_offset */
    } else if (!memcmp(h, "QED", 4)) {
        f = "qed";
    } else if (!memcmp(h, "KDMV", 4) || !memcmp(h, "COWD", 4) ||
               memmem(h, sizeof(h), "createType=", 11)) {
        f = "vmdk"; /* binary, or a text descriptor naming extents */
    } else if (!memcmp(h, "vhdxfile", 8)) {
        f = "vhdx";
    } else if (!memcmp(h, "conectix", 8)) {
        f = "vpc";
    } else if (!memcmp(h, "LUKS\xba\xbe", 6)) {
        f = "luks";
    } else if (!memcmp(h + 0x40, "\x7f\x10\xda\xbe", 4)) {
        f = "vdi";
    } else if (!memcmp(h, "WithoutFreeSpace", 16) || !memcmp(h, "WithouFreSpacExt", 16)) {
        f = "parallels";
    } else if (!memcmp(h, "Bochs Virtual HD Image", 22)) {
        f = "bochs";
    } else if (!memcmp(h, "#!/bin/sh\n#V2.0 Format\n", 23)) {
        f = "cloop";
    }
    snprintf(pr->format, sizeof(pr->format), "%s", f);
    /* qcow and qcow2 both keep the virtual size at byte 24. */
    pr->vsize = f[0] == 'q' && f[1] == 'c' ? be64(h + 24) : size;
    return 0;
}

static bool word_ok(const char *s)
{
    for (; *s; s++)
        if (*s == ' ' || *s == '\n' || *s == '\t')
            return false;
    return true;
}

/* What says an image is as it was: anything written to it changes its
 * mtime and ctime (and a rename or link its ctime). */
static char *put_time(char *o, const struct timespec *ts)
{
    if (ts->tv_sec < 0)
        *o++ = '-';
    o = put_u64(o, ts->tv_sec < 0 ? -(unsigned long long)ts->tv_sec
                                  : (unsigned long long)ts->tv_sec);
    *o++ = '.';
    unsigned long ns = (unsigned long)ts->tv_nsec % 1000000000UL;
    for (int i = 8; i >= 0; i--, ns /= 10)
        o[i] = (char)('0' + ns % 10);
    return o + 9;
}

/* A number at *s as put_u64 writes it (digits, no leading zero), its end
 * in *s; false when there is none or it is too big. */
static bool scan_u64(const char **s, unsigned long long *v)
{
    const char *b = *s, *p = b;
    unsigned long long n = 0;
    while (*p >= '0' && *p <= '9')
        n = n * 10 + (unsigned)(*p++ - '0'); /* wraps past 20 digits: refused below */
    size_t len = (size_t)(p - b);
    if (!len || (len > 1 && *b == '0') || len > 20 ||
        (len == 20 && memcmp(b, "18446744073709551615", 20) > 0))
        return false;
    *v = n;
    *s = p;
    return true;
}

/* The next word of *s (as next_word finds it) when it is a number (as
 * parse_u64 reads it); its end in *s. */
static bool next_u64(const char **s, unsigned long long *v)
{
    const char *p = *s + strspn(*s, " \t");
    if (!scan_u64(&p, v) || (*p && *p != ' ' && *p != '\t'))
        return false;
    *s = p;
    return true;
}

/* Whether the text at *s is ts as put_time writes it; its end in *s. A
 * cached stamp is read, not the image's written and compared: the same
 * answer, for a fraction of the cost. */
static bool stamp_time_is(const char **s, const struct timespec *ts)
{
    const char *p = *s;
    bool neg = *p == '-';
    unsigned long long sec;
    p += neg;
    if (!scan_u64(&p, &sec) || *p++ != '.' || (neg && !sec))
        return false;
    if (neg ? ts->tv_sec >= 0 || -(unsigned long long)ts->tv_sec != sec
            : ts->tv_sec < 0 || (unsigned long long)ts->tv_sec != sec)
        return false;
    const char *b = p;
    unsigned long ns = 0;
    while (*p >= '0' && *p <= '9')
        ns = ns * 10 + (unsigned long)(*p++ - '0');
    *s = p;
    return p - b == 9 && ns == (unsigned long)ts->tv_nsec % 1000000000UL;
}

/* Whether the next word of *s is "-" (no backing file): then past it. */
static bool no_backing(const char **s)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (p[0] != '-' || (p[1] && p[1] != ' ' && p[1] != '\t'))
        return false;
    *s = p + 1;
    return true;
}

/* Whether the time at *s is b, when a's text is at at (n characters; its
 * end in *s): most images' ctime is their mtime, and then its text is the
 * same. */
static bool same_time_is(const char **s, const char *at, size_t n, const struct timespec *a,
                         const struct timespec *b)
{
    if (a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec) {
        if (strncmp(*s, at, n) || ((*s)[n] && (*s)[n] != ' '))
            return false;
        *s += n;
        return true;
    }
    return stamp_time_is(s, b);
}

/* The next word of *s when it is the number at at (n digits), whose value
 * is v (a raw image's virtual size is its size): *out, its end in *s. */
static bool same_number(const char **s, const char *at, size_t n, unsigned long long v,
                        unsigned long long *out)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (strncmp(p, at, n) || (p[n] && p[n] != ' ' && p[n] != '\t'))
        return false;
    *out = v;
    *s = p + n;
    return true;
}

/* "size mtime ctime" (seconds.nanoseconds); n is at least 96. */
static void probe_stamp(const struct stat *st, char *stamp, size_t n)
{
    (void)n;
    char *o = put_u64(stamp, (unsigned long long)st->st_size);
    *o++ = ' ';
    o = put_time(o, &st->st_mtim);
    *o++ = ' ';
    o = put_time(o, &st->st_ctim);
    *o = '\0';
}

/* An image this run made is what it made, until written: no need to ask
 * qemu-img at the next run. */
static void probe_remember(struct disk_state *ds, const char *rpath, const char *id,
                           const char *format, unsigned long long vsize)
{
    struct stat st;
    char stamp[128];
    if (lstat(rpath, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    probe_stamp(&st, stamp, sizeof(stamp));
    char *v = xasprintf("%s %s %llu -", stamp, format, vsize);
    resset_set(ds->probes_new, id, v, NULL);
    free(v);
    ds->probes_dirty = true;
}

/* The probe of an existing image (rpath, lstat'd as st, identity id),
 * from the cache when its size, mtime and ctime are those it had when
 * probed (anything written to it changes them). 0, or -1 with *err. */
static int probe_image(struct disk_state *ds, const struct host *h, const char *root,
                       const char *rpath, const char *id, size_t idh, const struct stat *st,
                       enum disk_format want, struct probe *pr, char **err)
{
    long pos = rec_index(ds->probes, id, idh);
    /* "size mtime ctime format vsize backing [name]" */
    const char *c = pos >= 0 ? ds->probes->v[pos].val : NULL, *q = c, *mt = NULL;
    unsigned long long size = 0;
    size_t sizelen = 0;
    bool hit = q && scan_u64(&q, &size) && size == (unsigned long long)st->st_size &&
               *q == ' ';
    if (hit) {
        sizelen = (size_t)(q - c);
        mt = ++q;
        hit = stamp_time_is(&q, &st->st_mtim) && *q == ' ';
    }
    if (hit) {
        size_t mtlen = (size_t)(q - mt);
        q++;
        hit = same_time_is(&q, mt, mtlen, &st->st_mtim, &st->st_ctim) && *q == ' ';
    }
    if (hit) {
        char back[8];
        bool dash = false;
        pr->backing_name[0] = '\0'; /* the rest is set below */
        if (next_word(&q, pr->format, sizeof(pr->format)) &&
            (same_number(&q, c, sizelen, size, &pr->vsize) || next_u64(&q, &pr->vsize)) &&
            ((dash = no_backing(&q)) || next_word(&q, back, sizeof(back)))) {
            pr->backing = !dash && strcmp(back, "-") != 0;
            if (pr->backing && *q == ' ')
                snprintf(pr->backing_name, sizeof(pr->backing_name), "%s", q + 1);
            if (!ds->probes_hit[pos]) {
                ds->probes_hit[pos] = true;
                ds->nhit++;
            }
            return 0;
        }
    }
    /* The header first: a raw image asked for as raw whose header is no
     * format's needs no qemu-img (some 6 ms an image: seconds for a host
     * whose running guests write their disks between two configures).
     * Everything else is qemu-img's to say: it knows the formats, their
     * backing files and sizes. */
    char stamp[128];
    probe_stamp(st, stamp, sizeof(stamp));
    int rc = probe_header(rpath, (unsigned long long)st->st_size, pr, err);
    bool cache = true;
    if (rc == 0 && !(want == FORMAT_RAW && !strcmp(pr->format, "raw"))) {
        char *prog = tool(h, root, HF_qemuimg);
        if (access(prog, X_OK) == 0)
            rc = probe_qemu(prog, rpath, pr, err);
        else
            cache = false; /* the header's word, until qemu-img is installed */
        free(prog);
    }
    if (rc == 0 && cache && word_ok(pr->format)) {
        /* The backing file's name last: it is the rest of the line. */
        char *v = xasprintf("%s %s %llu %s%s%s", stamp, pr->format, pr->vsize,
                            pr->backing ? "backing" : "-", pr->backing_name[0] ? " " : "",
                            strchr(pr->backing_name, '\n') ? "?" : pr->backing_name);
        resset_set(ds->probes_new, id, v, NULL);
        free(v);
        ds->probes_dirty = true;
    }
    return rc;
}

static void probe_line(void *arg, char *key, size_t klen, char *val)
{
    rec_put_h(arg, key, rec_hash_n(key, klen), val, false);
}

static struct rectab *probes_load(const char *root)
{
    struct rectab *p = rec_new();
    char *path = root_path(root, PATH_PROBES);
    char *text = NULL, *e = NULL;
    size_t len = 0;
    if (fs_read_file(path, &text, &len, &e) == 0) {
        p->text = text;
        rec_reserve(p, rec_guess(len));
        rec_lines(text, probe_line, p);
    }
    free(e);
    free(path);
    return p;
}

/* A cache: lost, it costs a probe of every image; so no fsync. */
static void probes_save(struct disk_state *ds, const char *root)
{
    /* Unchanged unless something was probed or an entry was not used
     * (its image is gone or changed: dropped). */
    if (!ds->probes_dirty && ds->nhit == ds->probes->n)
        return;
    struct buf b = BUF_INIT;
    buf_adds(&b, "# lcfg-xen: what qemu-img found in each image: identity, size, mtime, ctime, "
                 "format, virtual size, backing file. A cache.\n");
    for (size_t i = 0; i < ds->probes->n; i++) {
        const struct rec_entry *r = &ds->probes->v[i];
        if (ds->probes_hit[i] && !resset_get(ds->probes_new, r->key))
            buf_addf(&b, "%s %s\n", r->key, r->val);
    }
    for (size_t i = 0; i < resset_count(ds->probes_new); i++) {
        const struct resource *r = resset_at(ds->probes_new, i);
        buf_addf(&b, "%s %s\n", r->name, r->value);
    }
    char *e = NULL;
    (void)fs_save_under_ex(root, PATH_PROBES, b.data, b.len, 0644, FS_NO_SYNC, &e);
    free(e);
    buf_free(&b);
}

/* An image's identity (file_id_in's), in the plan's arena. */
static char *image_id(struct disk_state *ds, const struct stat *st)
{
    char id[48];
    if (!ds->id_pre_ok || ds->id_dev != st->st_dev) {
        char *o = ds->id_pre;
        *o++ = 'f';
        *o++ = ':';
        o = put_u64(o, (unsigned long long)st->st_dev);
        *o++ = ':';
        ds->id_prelen = (size_t)(o - ds->id_pre);
        ds->id_dev = st->st_dev;
        ds->id_pre_ok = true;
    }
    memcpy(id, ds->id_pre, ds->id_prelen);
    *put_u64(id + ds->id_prelen, (unsigned long long)st->st_ino) = '\0';
    return arena_strdup(&ds->strs, id);
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
    dc->last_dir_stat = 0;
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
    if (!dc->rooted) {
        /* root's part, the same for every disk of the plan: made once. */
        dc->rpath.len = 0;
        if (!str_empty(root) && strcmp(root, "/")) {
            size_t n = strlen(root);
            while (n > 1 && root[n - 1] == '/')
                n--;
            buf_add(&dc->rpath, root, n);
        }
        dc->rootlen = dc->rpath.len;
        dc->rooted = true;
    }
    dc->rpath.len = dc->rootlen;
    if (dc->rootlen && path[0] != '/')
        buf_addc(&dc->rpath, '/');
    buf_adds(&dc->rpath, path);
    return buf_str(&dc->rpath);
}

static const char *format_name(enum disk_format f)
{
    return f == FORMAT_QCOW2 ? "qcow2" : "raw";
}

/* An existing image is what its bytes say, not what its name or the
 * profile says: a guest writes its raw image at will (a qcow2 header with
 * a backing file /etc/shadow, say), and a qcow2 container handed over as
 * a raw disk gives the guest the container. */
static void judge_probe(struct disk_item *it, struct disk_state *ds, const struct probe *pr)
{
    const struct disk *d = it->d;
    /* The resource that names the format: the seed's, or the item's. */
    const char *rf = d->seed ? (d->seed == 2 ? "diskformatsec" : "diskformat") : "dformat";
    const char *ri = d->seed ? "" : d->item, *rs = d->seed ? "" : "_";
    const char *want = format_name(d->format);
    it->found = arena_strdup(&ds->strs, pr->format);
    if (pr->backing) {
        refuse(it, "it is a %s image with a backing file%s%s%s, and %s_%s%s%s is %s: an image "
               "with a backing file is never used", pr->format, pr->backing_name[0] ? " (" : "",
               pr->backing_name, pr->backing_name[0] ? ")" : "", rf, it->g->tag, rs, ri, want);
        return;
    }
    /* A raw disk may hold a guest's whole-disk encryption (LUKS): it is
     * handed over as raw bytes either way. */
    bool ok = d->format == FORMAT_QCOW2 ? !strcmp(pr->format, "qcow2")
                                        : !strcmp(pr->format, "raw") || !strcmp(pr->format, "luks");
    if (!ok)
        refuse(it, "it is a %s image, but %s_%s%s%s asks for %s: the component never converts "
               "or writes an existing image", pr->format, rf, it->g->tag, rs, ri, want);
}

static void plan_image(struct disk_item *it, const struct host *h, const char *root,
                       struct dircache *dc, struct disk_state *ds)
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
        /* Its identity is its real path until the directory exists. */
        it->id = keep(ds, xasprintf("p:%s/%s", dc->last_real, d->file));
        it->mkdir = true;
        it->action = DK_CREATE;
        return;
    }
    if (lstat(rpath, &st) < 0) {
        if (errno == ENOENT) {
            /* Not made yet: the real directory and the name. */
            if (!dc->last_dir_stat) {
                struct stat ds_;
                dc->last_dir_stat = stat(dc->last_real, &ds_) == 0 ? 1 : -1;
                dc->last_dir_dev = ds_.st_dev;
                dc->last_dir_ino = ds_.st_ino;
            }
            it->id = keep(ds, dc->last_dir_stat > 0
                ? xasprintf("n:%llu:%llu:%s", (unsigned long long)dc->last_dir_dev,
                            (unsigned long long)dc->last_dir_ino, d->file)
                : xasprintf("p:%s/%s", dc->last_real, d->file));
            it->action = DK_CREATE;
        } else {
            refuse(it, "cannot examine it: %s", strerror(errno));
        }
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        refuse(it, "it is a symbolic link (not followed)");
    } else if (S_ISDIR(st.st_mode)) {
        refuse(it, "it is a directory, not a disk image");
    } else if (!S_ISREG(st.st_mode)) {
        refuse(it, "it is not a regular file");
    } else {
        it->id = image_id(ds, &st);
        struct probe pr;
        char *e = NULL;
        it->idh = rec_hash(it->id);
        if (probe_image(ds, h, root, rpath, it->id, it->idh, &st, d->format, &pr, &e) < 0) {
            refuse(it, "cannot tell what it holds: %s", e);
            free(e);
            return;
        }
        judge_probe(it, ds, &pr);
        if (it->action == DK_REFUSED)
            return;
        unsigned long long have = d->format == FORMAT_QCOW2 ? pr.vsize
                                                            : (unsigned long long)st.st_size;
        it->have = have;
        it->action = have == it->want ? DK_OK : DK_DIFFERS;
    }
}

static void plan_device(struct disk_item *it, struct disk_state *ds, const char *root)
{
    char *rpath = root_path(root, it->d->path);
    struct stat st;
    if (stat(rpath, &st) < 0) {
        refuse(it, "the device does not exist (%s)", strerror(errno));
    } else if (!S_ISBLK(st.st_mode)) {
        refuse(it, "it is not a block device");
    } else {
        /* /dev/sdb and its /dev/disk/by-id links are one disk. */
        it->id = keep(ds, xasprintf("b:%u:%u", major(st.st_rdev), minor(st.st_rdev)));
        it->action = DK_DEVICE;
    }
    free(rpath);
}

static void plan_lvm(struct disk_item *it, struct disk_state *ds, const struct host *h,
                     const char *root)
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
    if (r >= 0)
        it->id = keep(ds, xasprintf("l:%s/%s", it->d->vg, it->d->file));
    free(e);
}

/* Two guests' disks that are one disk (through "//", a symlinked
 * directory, a hard link, a /dev/disk/by-id link): both refused, each
 * naming the other. */
static void refuse_shared(struct disk_plan *plan, size_t from)
{
    /* Item indexes + 1 by their identity's hash, at most half full. */
    size_t mask = 15;
    while (mask + 1 < 2 * (plan->n - from))
        mask = mask * 2 + 1;
    size_t *slot = xcalloc(mask + 1, sizeof(*slot));
    for (size_t i = from; i < plan->n; i++) {
        struct disk_item *it = &plan->v[i];
        if (!it->id)
            continue;
        size_t k = it->idh & mask;
        while (slot[k] && strcmp(plan->v[slot[k] - 1].id, it->id))
            k = (k + 1) & mask;
        if (!slot[k]) {
            slot[k] = i + 1;
            continue;
        }
        struct disk_item *o = &plan->v[slot[k] - 1];
        if (o->g == it->g) {
            refuse(it, "it is the same disk as this guest's disk %s", o->d->path);
            refuse(o, "it is the same disk as this guest's disk %s", it->d->path);
        } else {
            refuse(it, "it is the same disk as %s, the disk of guest '%s'", o->d->path,
                   o->g->name);
            /* The first keeps the first other guest it met. */
            if (!o->note || !strstr(o->note, "the same disk as"))
                refuse(o, "it is the same disk as %s, the disk of guest '%s'", it->d->path,
                       it->g->name);
        }
    }
    free(slot);
}

int disks_plan(const struct host *h, const char *root, struct disk_plan *plan, char **err)
{
    bool migrated = false;
    struct rectab *prov = prov_load(root, &migrated, err);
    if (!prov)
        return -1;
    struct disk_state *ds = plan->st;
    if (!ds) {
        ds = plan->st = xcalloc(1, sizeof(*ds));
        ds->probes = probes_load(root);
        ds->probes_hit = xcalloc(ds->probes->n + 1, sizeof(bool));
        ds->probes_new = resset_new();
        ds->owner_day = -1;
    }
    prov->prev = ds->rec; /* its items may point into it */
    ds->rec = prov;
    ds->rec_dirty = migrated;
    struct dircache dc = { .seen = resset_new() };
    struct resset *bypath = NULL; /* path -> identity, made when needed */
    /* Room for every item at once. */
    size_t items = 0, from = plan->n;
    for (size_t i = 0; i < h->nguests; i++)
        for (size_t k = 0; k < h->guests[i].ndisks; k++)
            items += h->guests[i].disks[k].type != DISK_NONE && h->guests[i].disks[k].path;
    if (items)
        plan->v = xrealloc(plan->v, (plan->n + items) * sizeof(*plan->v));
    for (size_t i = 0; i < h->nguests; i++) {
        const struct guest *g = &h->guests[i];
        const char *alloc = str_empty(g->res[GF_diskalloc]) ? h->res[HF_diskalloc]
                                                            : g->res[GF_diskalloc];
        for (size_t k = 0; k < g->ndisks; k++) {
            const struct disk *d = &g->disks[k];
            if (d->type == DISK_NONE || !d->path)
                continue;
            struct disk_item *it = add(plan, g, (int)k);
            it->full = !strcmp(alloc, "full");
            switch (d->type) {
            case DISK_IMAGE:
                plan_image(it, h, root, &dc, ds);
                break;
            case DISK_PHYSICAL:
                it->want = 0;
                plan_device(it, ds, root);
                break;
            case DISK_LVM:
                plan_lvm(it, ds, h, root);
                break;
            case DISK_NONE:
                break;
            }
            if (!it->id)
                continue;
            if (!it->idh)
                it->idh = rec_hash(it->id);
            /* A disk recorded for another guest is not handed over
             * silently, whatever path reaches it. Records of the old
             * form that lead nowhere yet are matched by path. */
            const char *uuid = NULL;
            size_t lu = 0;
            const char *v = rec_get_h(prov, it->id, it->idh);
            if (v && !owner_words(v, &uuid, &lu))
                v = NULL;
            if (!v) {
                char *legacy = xasprintf("o:%s", d->path);
                v = rec_get(prov, legacy);
                if (v && !owner_words(v, &uuid, &lu))
                    v = NULL;
                if (v) {
                    /* Re-keyed by identity at the next save. */
                    rec_put_h(prov, it->id, it->idh, v, true);
                    rec_put(prov, legacy, "", true);
                    ds->rec_dirty = true;
                }
                free(legacy);
            }
            if (!v && it->action == DK_CREATE) {
                /* Gone since it was recorded (status shows for whom it
                 * was made): its entry found by path. */
                if (!bypath) {
                    bypath = resset_new();
                    for (size_t r = 0; r < prov->n; r++) {
                        const struct rec_entry *e = &prov->v[r];
                        const char *pp = strchr(e->val, '/');
                        if (pp)
                            resset_set(bypath, pp, e->key, NULL);
                    }
                }
                const char *key = resset_get(bypath, d->path);
                if (key) {
                    v = rec_get(prov, key);
                    if (v && !owner_words(v, &uuid, &lu))
                        v = NULL;
                }
            }
            it->prov = v;
            if (v && it->action != DK_REFUSED && it->action != DK_CREATE &&
                (strncasecmp(uuid, g->uuid, lu) || g->uuid[lu]) && !g->disk_reuse) {
                bool found = false;
                char *owner = owner_text(ds, v, &found);
                refuse(it, "it %s guest %s; set diskreuse_%s to yes to use it",
                       found ? "was in use by" : "was created for", owner, g->tag);
                free(owner);
            }
        }
    }
    resset_free(bypath);
    refuse_shared(plan, from);
    free(plan->refused);
    plan->refused = xcalloc(h->nguests ? h->nguests : 1, sizeof(*plan->refused));
    plan->nguests = h->nguests;
    for (size_t i = plan->n; i-- > from;)
        if (plan->v[i].action == DK_REFUSED)
            plan->refused[plan->v[i].g - h->guests] = i + 1;
    resset_free(dc.seen);
    free(dc.last_dir);
    free(dc.last_real);
    buf_free(&dc.rpath);
    return 0;
}

const struct disk_item *disks_guest_refused(const struct disk_plan *plan, size_t guest)
{
    if (!plan->refused || guest >= plan->nguests || !plan->refused[guest])
        return NULL;
    return &plan->v[plan->refused[guest] - 1];
}

/* -------------------------------------------------------------- creating */

/* The identity of the image just made at rpath (fd: it, or -1). */
static char *made_id(const char *rpath, int fd)
{
    struct stat st;
    if ((fd >= 0 ? fstat(fd, &st) : lstat(rpath, &st)) == 0 && S_ISREG(st.st_mode))
        return file_id(&st);
    return NULL;
}

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
static int create_raw(struct disk_item *it, const char *rpath, char **id)
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
    *id = made_id(rpath, fd);
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

static char *rec_value(const struct guest *g, long long now, const char *how, const char *path)
{
    return xasprintf("%s %s %lld %s %s", g->name, g->uuid, now, how, path);
}

size_t disks_apply(struct disk_plan *plan, const struct host *h, const char *root, long long now)
{
    size_t failed = 0;
    char *e = NULL;
    struct disk_state *ds = plan->st;
    struct rectab *prov = ds ? ds->rec : NULL;
    struct resset *dirs = resset_new(); /* the directories to fsync */
    size_t ncreate = 0;
    for (size_t i = 0; prov && i < plan->n; i++) {
        struct disk_item *it = &plan->v[i];
        if (it->action == DK_CREATE && it->id) {
            /* The intent first: a run killed after the create and before
             * the record below leaves a record naming the image (kept
             * when it exists at the next run, dropped when it does not),
             * never an image nobody claims. */
            char *v = rec_value(it->g, now, "pending", it->d->path);
            rec_put(prov, it->id, v, true);
            free(v);
            ncreate++;
        } else if ((it->action == DK_OK || it->action == DK_DIFFERS || it->action == DK_DEVICE) &&
                   it->id && !it->prov) {
            /* In use and unrecorded: it is this guest's from now on (two
             * guests sharing it were refused above). */
            char *v = rec_value(it->g, now, "found", it->d->path);
            rec_put(prov, it->id, v, true);
            free(v);
            ds->rec_dirty = true;
        }
    }
    bool recorded = true;
    if (ncreate && prov_save(prov, root, &e) < 0)
        recorded = false;
    for (size_t i = 0; i < plan->n; i++) {
        struct disk_item *it = &plan->v[i];
        if (it->action != DK_CREATE)
            continue;
        if (!prov || !recorded) {
            set_error(&it->err, "not created: its record cannot be written: %s",
                      e ? e : "the record was not read");
            it->failed = 1;
            failed++;
            continue;
        }
        char *rpath = root_path(root, it->d->path);
        char **made = NULL;
        size_t nmade = 0;
        int rc = 0;
        char *id = NULL;
        if (it->mkdir) {
            char *rdir = root_path(root, it->d->dir);
            rc = make_dirs(rdir, &made, &nmade, &it->err);
            free(rdir);
        }
        if (rc == 0) {
            if (it->d->type == DISK_LVM) {
                rc = create_lv(it, h, root);
                if (rc == 0)
                    id = xstrdup(it->id);
            } else if (it->d->format == FORMAT_QCOW2) {
                rc = create_qcow2(it, h, root, rpath);
                if (rc == 0)
                    id = made_id(rpath, -1);
            } else {
                rc = create_raw(it, rpath, &id);
            }
        }
        if (it->id)
            rec_put(prov, it->id, "", true); /* the pending entry */
        if (rc < 0) {
            /* Only what this run made goes, deepest first. */
            while (nmade > 0)
                (void)rmdir(made[--nmade]);
            it->failed = 1;
            failed++;
        } else if (id) {
            if (it->d->type == DISK_IMAGE)
                probe_remember(ds, rpath, id, format_name(it->d->format), it->want);
            char *v = rec_value(it->g, now, "created", it->d->path);
            rec_put(prov, id, v, true);
            free(v);
            it->id = arena_strdup(&ds->strs, id);
            it->idh = rec_hash(it->id);
        }
        free(id);
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
    if (prov && recorded && (ncreate || ds->rec_dirty) && prov_save(prov, root, &e) < 0) {
        /* The disks exist, recorded as pending (kept while they exist);
         * say so on the first created item. */
        for (size_t i = 0; i < plan->n; i++)
            if (plan->v[i].action == DK_CREATE && !plan->v[i].failed) {
                set_error(&plan->v[i].err, "created, but its record was not completed: %s", e);
                plan->v[i].failed = 1;
                failed++;
                break;
            }
    }
    if (ds)
        probes_save(ds, root);
    free(e);
    return failed;
}

void disks_plan_free(struct disk_plan *plan)
{
    for (size_t i = 0; i < plan->n; i++) {
        free(plan->v[i].note);
        free(plan->v[i].err);
    }
    if (plan->st) {
        rec_free(plan->st->rec);
        rec_free(plan->st->probes);
        for (size_t i = 0; i < plan->st->nowners; i++)
            free(plan->st->owners[i]);
        free(plan->st->owners);
        arena_free(&plan->st->strs);
        resset_free(plan->st->probes_new);
        free(plan->st->probes_hit);
        free(plan->st);
        plan->st = NULL;
    }
    free(plan->refused);
    plan->refused = NULL;
    plan->nguests = 0;
    free(plan->v);
    plan->v = NULL;
    plan->n = 0;
}
