/* installrec.c: the record of guest installs (install.h). One line per
 * guest UUID: "uuid fresh state since [why]", written whole and atomically
 * like the component's other records, so that a run killed at any point
 * leaves the record as it was before a change or after it. */
#include "install.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fsutil.h"
#include "managed.h"
#include "paths.h"
#include "util.h"

#define HEADER "# lcfg-xen install record 1: guest uuid, its disks' creation time (from), " \
               "pending|running|installed|failed, since (seconds since 1970), why (failed). " \
               "Kept when guests leave the profile.\n"

const char *const inst_state_names[IS_COUNT] = { "pending", "running", "installed", "failed" };

static bool parse_time(const char *s, long long *t)
{
    unsigned long long v;
    if (!parse_u64(s, &v) || v > (1ULL << 62))
        return false;
    *t = (long long)v;
    return true;
}

/* One line (cut in place): NULL, or what is wrong with it. */
static const char *parse_line(char *line, struct inst_record *r)
{
    char *f[5];
    for (int i = 0; i < 4; i++) {
        line += strspn(line, " \t");
        f[i] = line;
        line += strcspn(line, " \t");
        if (f[i] == line)
            return "too few fields";
        if (*line)
            *line++ = '\0';
    }
    f[4] = line + strspn(line, " \t");
    if (!check_uuid(f[0]))
        return "not a UUID";
    long long fresh, since;
    if (!parse_time(f[1], &fresh) || !parse_time(f[3], &since))
        return "not a time";
    int st = -1;
    for (int i = 0; i < IS_COUNT; i++)
        if (!strcmp(f[2], inst_state_names[i]))
            st = i;
    if (st < 0)
        return "not an install state";
    if (inst_find(r, f[0]))
        return "a guest listed twice";
    inst_set(r, f[0], fresh, (enum inst_state)st, since, *f[4] ? f[4] : NULL);
    return NULL;
}

int inst_load(const char *root, struct inst_record *r, char **err)
{
    *r = (struct inst_record){ 0 };
    char *path = root_path(root, PATH_INSTALLS), *text = NULL;
    int rc = 0;
    if (fs_read_file(path, &text, NULL, err) < 0) {
        if (errno == ENOENT) {
            free(*err);
            *err = NULL;
        } else {
            rc = -1;
        }
        free(path);
        return rc;
    }
    size_t lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (*line == '#' || !line[strspn(line, " \t")])
            continue;
        const char *why = parse_line(line, r);
        if (why) {
            set_error(err, "%s:%zu: %s", path, lineno, why);
            inst_free(r);
            rc = -1;
            break;
        }
    }
    r->dirty = false;
    free(text);
    free(path);
    return rc;
}

int inst_save(struct inst_record *r, const char *root, char **err)
{
    if (!r->dirty)
        return 0;
    struct buf b = BUF_INIT;
    buf_adds(&b, HEADER);
    for (size_t i = 0; i < r->n; i++) {
        const struct inst_entry *e = &r->v[i];
        buf_addf(&b, "%s %lld %s %lld%s%s\n", e->uuid, e->fresh, inst_state_names[e->state],
                 e->since, e->why ? " " : "", e->why ? e->why : "");
    }
    int rc = fs_save_under(root, PATH_INSTALLS, b.data, b.len, 0644, err);
    buf_free(&b);
    if (rc == 0)
        r->dirty = false;
    return rc;
}

struct inst_entry *inst_find(const struct inst_record *r, const char *uuid)
{
    char low[37];
    uuid_lower(uuid, low);
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->v[i].uuid, low))
            return &r->v[i];
    return NULL;
}

void inst_set(struct inst_record *r, const char *uuid, long long fresh, enum inst_state st,
              long long since, const char *why)
{
    struct inst_entry *e = inst_find(r, uuid);
    if (!e) {
        r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
        e = &r->v[r->n++];
        memset(e, 0, sizeof(*e));
        uuid_lower(uuid, e->uuid);
    }
    free(e->why);
    e->why = NULL;
    if (why && *why) {
        e->why = xstrdup(why);
        for (char *p = e->why; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
                *p = '?';
    }
    e->fresh = fresh;
    e->state = st;
    e->since = since;
    r->dirty = true;
}

void inst_free(struct inst_record *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].why);
    free(r->v);
    *r = (struct inst_record){ 0 };
}
