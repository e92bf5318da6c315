/* profiledb.c: the xen resources from the client's profile DB (Berkeley
 * DB), keyed as lcfg-core keys them (see profiledb.h). */
#include "profiledb.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <db.h>

#include "lcfgfmt.h"
#include "profile.h"
#include "util.h"

#define COMP "xen"

/* Berkeley DB says why an open failed on the handle's error channel (by
 * default, standard error): the last line is kept for our message. */
static void db_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
    (void)pfx;
    char **last = env->app_private;
    free(*last);
    *last = xstrdup(msg);
}

/* The value at key in a new string: 1, 0 when the key is absent, -1 with
 * *err set on an error or a NUL byte in the value. */
static int get(DB *db, const char *path, const char *key, char **ret, char **err)
{
    DBT k, v;
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    k.data = (void *)key;
    k.size = (u_int32_t)strlen(key);
    int r = db->get(db, NULL, &k, &v, 0);
    if (r == DB_NOTFOUND)
        return 0;
    if (r != 0) {
        set_error(err, "profile DB %s: cannot read %s: %s", path, key, db_strerror(r));
        return -1;
    }
    if (v.size == 0) { /* "" is stored as nothing (and may come as NULL) */
        *ret = xstrdup("");
        return 1;
    }
    if (memchr(v.data, '\0', v.size)) {
        set_error(err, "profile DB %s: the value of %s contains a NUL byte", path, key);
        return -1;
    }
    *ret = xstrndup(v.data, v.size);
    return 1;
}

/* The key of a resource (lcfgresource_build_key): [SYMBOL][NS.]xen.NAME,
 * where SYMBOL is '#' for the derivation, none for the value. */
static char *key_of(const char *symbol, const char *ns, const char *name)
{
    return xasprintf("%s%s%s" COMP ".%s", symbol, ns, *ns ? "." : "", name);
}

/* The namespace under which the DB holds the value of name: node, its
 * first label, or none. 1 when found (*ret set), 0 when none, -1 on an
 * error. */
static int find_namespace(DB *db, const char *path, const char *node, const char *name,
                          char **ret, char **err)
{
    char *cand[3] = { xstrdup(node), xstrndup(node, strcspn(node, ".")), xstrdup("") };
    int found = 0;
    for (size_t i = 0; i < ARRAY_SIZE(cand) && !found; i++) {
        if (i && !strcmp(cand[i], cand[i - 1]))
            continue;
        char *k = key_of("", cand[i], name), *v = NULL;
        found = get(db, path, k, &v, err);
        free(k);
        free(v);
        if (found > 0)
            *ret = xstrdup(cand[i]);
        if (found < 0)
            break;
    }
    for (size_t i = 0; i < ARRAY_SIZE(cand); i++)
        free(cand[i]);
    return found;
}

/* Every value and derivation of the component under namespace ns, by
 * resource name, in one pass over the DB: a cursor fetching many records
 * at a time costs a fraction of a lookup per key (a Xen host's profile
 * holds tens of thousands). */
static int scan(DB *db, const char *path, const char *ns, struct resset *vals,
                struct resset *derivs, char **err)
{
    char *prefix = xasprintf("%s%s" COMP ".", ns, *ns ? "." : "");
    size_t pl = strlen(prefix), cap = 1u << 20;
    char *page = xmalloc(cap);
    struct buf name = BUF_INIT, value = BUF_INIT;
    DBC *cur = NULL;
    int r = db->cursor(db, NULL, &cur, 0), rc = 0;
    DBT k, d;
    memset(&k, 0, sizeof(k));
    memset(&d, 0, sizeof(d));
    while (r == 0) {
        d.data = page;
        d.ulen = (u_int32_t)cap;
        d.flags = DB_DBT_USERMEM;
        r = cur->get(cur, &k, &d, DB_MULTIPLE_KEY | DB_NEXT);
        if (r == DB_BUFFER_SMALL) { /* one record larger than the buffer */
            while (cap < d.size)
                cap *= 2;
            page = xrealloc(page, cap);
            r = 0;
            continue;
        }
        if (r != 0)
            break;
        void *p;
        DB_MULTIPLE_INIT(p, &d);
        for (;;) {
            unsigned char *kp, *vp;
            u_int32_t kl, vl;
            DB_MULTIPLE_KEY_NEXT(p, &d, kp, kl, vp, vl);
            if (!p)
                break;
            const char *key = (const char *)kp;
            size_t sym = kl && key[0] == '#';
            if (kl <= sym + pl || memcmp(key + sym, prefix, pl))
                continue;
            if (vl && memchr(vp, '\0', vl)) {
                set_error(err, "profile DB %s: the value of %.*s contains a NUL byte", path,
                          (int)kl, key);
                rc = -1;
                break;
            }
            name.len = 0; /* emptied, its storage kept */
            buf_add(&name, key + sym + pl, kl - sym - pl);
            value.len = 0;
            buf_add(&value, vl ? (const char *)vp : "", vl);
            resset_set(sym ? derivs : vals, buf_str(&name), buf_str(&value), NULL);
        }
        if (rc < 0)
            break;
    }
    if (rc == 0 && r != DB_NOTFOUND) {
        set_error(err, "profile DB %s: cannot read: %s", path, db_strerror(r));
        rc = -1;
    }
    if (cur)
        cur->close(cur);
    buf_free(&name);
    buf_free(&value);
    free(page);
    free(prefix);
    return rc;
}

/* The resources the list names, read under their namespace, in the
 * list's order. */
static int read_resources(DB *db, const char *path, const char *node, char *list,
                          struct resset *rs, char **err)
{
    char *ns = NULL;
    struct resset *vals = resset_new(), *derivs = resset_new();
    int rc = 0;
    bool scanned = false;
    for (char *save = NULL, *n = strtok_r(list, " ", &save); n && rc == 0;
         n = strtok_r(NULL, " ", &save)) {
        if (!lcfg_valid_name(n)) {
            set_error(err, "profile DB %s: its " COMP " resource list names '%s', not a valid "
                      "resource name", path, n);
            rc = -1;
            break;
        }
        if (!scanned) {
            int f = find_namespace(db, path, node, n, &ns, err);
            if (f == 0)
                set_error(err, "profile DB %s: no value of " COMP ".%s for node %s (is it "
                          "this node's DB?)", path, n, node);
            if (f <= 0 || scan(db, path, ns, vals, derivs, err) < 0) {
                rc = -1;
                break;
            }
            scanned = true;
        }
        /* lcfg-core writes every value, "" too; one missing is read as
         * lcfg-core reads it: a resource without a value. */
        const char *v = resset_get(vals, n), *d = resset_get(derivs, n);
        resset_set(rs, n, v ? v : "", d);
    }
    resset_free(vals);
    resset_free(derivs);
    free(ns);
    return rc;
}

int profiledb_read(const char *path, const char *node, struct resset *rs, char **err)
{
    DB *db = NULL;
    int r = db_create(&db, NULL, 0);
    if (r != 0) {
        set_error(err, "profile DB %s: cannot open: %s", path, db_strerror(r));
        return -1;
    }
    char *dberr = NULL;
    db->get_env(db)->app_private = &dberr;
    db->set_errcall(db, db_errcall);
    r = db->open(db, NULL, path, NULL, DB_HASH, DB_RDONLY, 0);
    int rc = -1;
    if (r != 0) {
        /* errno values name the problem best ("No such file or
         * directory"); Berkeley DB's own line says what it disliked. */
        if (dberr && r == EINVAL)
            set_error(err, "profile DB %s: cannot open: not a Berkeley DB hash file (%s)", path,
                      dberr);
        else
            set_error(err, "profile DB %s: cannot open: %s", path, db_strerror(r));
        goto out;
    }
    char *list = NULL;
    int f = get(db, path, COMP, &list, err);
    if (f == 0 || (f > 0 && !*list)) {
        set_error(err, "profile DB %s: no " COMP " component (is " COMP
                  " in profile.components?)", path);
    } else if (f > 0) {
        rc = read_resources(db, path, node, list, rs, err);
    }
    free(list);
out:
    db->close(db, 0);
    free(dberr);
    return rc;
}
