/* lcfgdb: LCFG profile DB fixtures for the tests, in the layout rdxprof
 * writes with lcfg-core (bdb/write.c: a Berkeley DB hash file; for each
 * resource the keys [SYMBOL][NAMESPACE.]COMP.RES made as
 * lcfgresource_build_key makes them; for each component the key COMP
 * holding its resource names, sorted with strcmp and joined by spaces).
 * Checked against lcfg-core's own DB (lcfg-oracle db; see
 * tests/scenario/15-sources.sh).
 *
 *   lcfgdb write OUT.db [NAMESPACE] <SPEC
 *       SPEC: one resource item a line, as in a status file:
 *       COMP.RES=VALUE, and with a first character of '#' (derivation),
 *       '%' (type), '=' (context) or '^' (priority) its other items; a
 *       line "!KEY=VALUE" puts KEY as it is (a broken DB). In values (and
 *       raw keys) \n, \t, \0 and \\ stand for a newline, a tab, a NUL
 *       and a backslash. Empty lines are skipped.
 *   lcfgdb dump DB
 *       every KEY=VALUE of the DB, sorted, with the same escapes.
 */
#define _GNU_SOURCE /* asprintf, open_memstream */
#include <db.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *what, const char *why)
{
    fprintf(stderr, "lcfgdb: %s: %s\n", what, why);
    exit(1);
}

/* s with its escapes undone, in place; the new length. */
static size_t unescape(char *s)
{
    char *o = s;
    for (const char *p = s; *p; p++) {
        if (*p != '\\' || !p[1]) {
            *o++ = *p;
            continue;
        }
        p++;
        *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == '0' ? '\0' : *p;
    }
    return (size_t)(o - s);
}

static void put(DB *db, const char *k, size_t kl, const char *v, size_t vl)
{
    DBT key, val;
    memset(&key, 0, sizeof(key));
    memset(&val, 0, sizeof(val));
    key.data = (void *)k;
    key.size = (u_int32_t)kl;
    val.data = (void *)v;
    val.size = (u_int32_t)vl;
    int r = db->put(db, NULL, &key, &val, 0);
    if (r)
        die("put", db_strerror(r));
}

struct comp {
    char *name;
    char **res;
    size_t n;
};

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int write_db(const char *out, const char *ns)
{
    DB *db;
    if (db_create(&db, NULL, 0) || db->open(db, NULL, out, NULL, DB_HASH, DB_CREATE | DB_TRUNCATE,
                                            0644))
        die(out, "cannot create");
    struct comp *comps = NULL;
    size_t ncomps = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        if (line[len - 1] == '\n')
            line[--len] = '\0';
        if (!len)
            continue;
        char *eq = strchr(line + 1, '=');
        if (!eq)
            die(line, "no '='");
        *eq = '\0';
        char *val = eq + 1;
        size_t vl = unescape(val);
        if (line[0] == '!') {
            size_t kl = unescape(line + 1);
            put(db, line + 1, kl, val, vl);
            continue;
        }
        char *spec = line, sym = 0;
        if (strchr("#%=^", *spec))
            sym = *spec++;
        char *dot = strchr(spec, '.');
        if (!dot)
            die(spec, "not COMP.RES");
        char *key;
        if (asprintf(&key, "%.*s%s%s%s", sym ? 1 : 0, &sym, ns, *ns ? "." : "", spec) < 0)
            die("asprintf", "out of memory");
        put(db, key, strlen(key), val, vl);
        free(key);
        if (sym)
            continue;
        *dot = '\0';
        size_t i;
        for (i = 0; i < ncomps && strcmp(comps[i].name, spec); i++)
            ;
        if (i == ncomps) {
            comps = realloc(comps, ++ncomps * sizeof(*comps));
            comps[i] = (struct comp){ strdup(spec), NULL, 0 };
        }
        struct comp *c = &comps[i];
        c->res = realloc(c->res, (c->n + 1) * sizeof(*c->res));
        c->res[c->n++] = strdup(dot + 1);
    }
    for (size_t i = 0; i < ncomps; i++) {
        struct comp *c = &comps[i];
        qsort(c->res, c->n, sizeof(*c->res), by_str);
        size_t total = 0;
        for (size_t j = 0; j < c->n; j++)
            total += strlen(c->res[j]) + 1;
        char *list = calloc(1, total + 1), *p = list;
        for (size_t j = 0; j < c->n; j++) {
            if (j && !strcmp(c->res[j], c->res[j - 1]))
                continue; /* a resource given twice is named once */
            p += sprintf(p, "%s%s", p == list ? "" : " ", c->res[j]);
        }
        put(db, c->name, strlen(c->name), list, strlen(list));
        free(list);
        for (size_t j = 0; j < c->n; j++)
            free(c->res[j]);
        free(c->res);
        free(c->name);
    }
    free(comps);
    free(line);
    if (db->close(db, 0))
        die(out, "cannot close");
    return 0;
}

static void escaped(FILE *f, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n' || c == '\t' || c == '\0' || c == '\\')
            fprintf(f, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : c == '\0' ? '0' : '\\');
        else
            fputc(c, f);
    }
}

static int dump_db(const char *path)
{
    DB *db;
    DBC *cur;
    if (db_create(&db, NULL, 0) || db->open(db, NULL, path, NULL, DB_HASH, DB_RDONLY, 0) ||
        db->cursor(db, NULL, &cur, 0))
        die(path, "cannot open");
    char *buf = NULL;
    size_t blen = 0;
    FILE *mem = open_memstream(&buf, &blen);
    DBT k, v;
    memset(&k, 0, sizeof(k));
    memset(&v, 0, sizeof(v));
    while (cur->get(cur, &k, &v, DB_NEXT) == 0) {
        escaped(mem, k.data, k.size);
        fputc('=', mem);
        escaped(mem, v.data, v.size);
        fputc('\n', mem);
    }
    cur->close(cur);
    db->close(db, 0);
    fclose(mem);
    /* Sorted: a hash file's order is its own. */
    size_t n = 0;
    for (size_t i = 0; i < blen; i++)
        n += buf[i] == '\n';
    char **lines = calloc(n + 1, sizeof(*lines));
    n = 0;
    for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        lines[n++] = l;
    qsort(lines, n, sizeof(*lines), by_str);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", lines[i]);
    free(lines);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "write"))
        return write_db(argv[2], argc > 3 ? argv[3] : "");
    if (argc == 3 && !strcmp(argv[1], "dump"))
        return dump_db(argv[2]);
    fprintf(stderr, "usage: lcfgdb write OUT.db [NAMESPACE] <SPEC\n"
                    "       lcfgdb dump DB\n");
    return 2;
}
