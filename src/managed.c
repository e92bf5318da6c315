/* managed.c: the record of the guests the component manages (see
 * managed.h).
 *
 * The file, one guest a line, in UUID order:
 *
 *   UUID STATE NAME
 *
 * STATE: profile, held, kept or gone. Written whole, atomically and fsync'd;
 * anything else in it makes it unreadable, said with its line, rather
 * than guessed at: it decides which domains are the component's. */
#include "managed.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fsutil.h"
#include "paths.h"
#include "util.h"

static const char *const state_names[] = { "profile", "held", "kept", "gone" };
_Static_assert(ARRAY_SIZE(state_names) == MG_STATE_COUNT, "a name for every managed_state");

void uuid_lower(const char *uuid, char out[37])
{
    size_t i = 0;
    for (; uuid[i] && i < 36; i++)
        out[i] = (char)tolower((unsigned char)uuid[i]);
    out[i] = '\0';
}

/* The entry of uuid (lower case), or where it would go. */
static size_t position(const struct managed *m, const char *uuid, bool *found)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->v[mid].uuid, uuid) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < m->n && !strcmp(m->v[lo].uuid, uuid);
    return lo;
}

const struct managed_guest *managed_find(const struct managed *m, const char *uuid)
{
    char u[37];
    bool found;
    uuid_lower(uuid, u);
    size_t i = position(m, u, &found);
    return found ? &m->v[i] : NULL;
}

/* Room for one more entry. */
static void grow(struct managed *m)
{
    if (m->n < m->cap)
        return;
    m->cap = m->cap ? 2 * m->cap : 64;
    m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
}

void managed_set(struct managed *m, const char *uuid, const char *name, enum managed_state st)
{
    char u[37];
    bool found;
    uuid_lower(uuid, u);
    size_t i = position(m, u, &found);
    if (found) {
        if (m->v[i].state == st && !strcmp(m->v[i].name, name))
            return; /* the usual case: nothing to write */
        free(m->v[i].name);
    } else {
        grow(m);
        memmove(&m->v[i + 1], &m->v[i], (m->n - i) * sizeof(*m->v));
        m->n++;
        memcpy(m->v[i].uuid, u, sizeof(u));
    }
    m->v[i].name = xstrdup(name);
    m->v[i].state = st;
    m->dirty = true;
}

void managed_free(struct managed *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].name);
    free(m->v);
    *m = (struct managed){ 0 };
}

static char *format(const struct managed *m)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < m->n; i++)
        buf_addf(&b, "%s %s %s\n", m->v[i].uuid, state_names[m->v[i].state], m->v[i].name);
    return buf_detach(&b);
}

int managed_load(const char *root, struct managed *m, char **err)
{
    *m = (struct managed){ 0 };
    char *path = root_path(root, PATH_MANAGED), *text = NULL;
    int rc = 0;
    if (fs_read_file(path, &text, NULL, err) < 0) {
        if (errno == ENOENT) {
            free(*err);
            *err = NULL;
        } else {
            rc = -1;
        }
        goto out;
    }
    size_t lineno = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *st = strchr(line, ' ');
        char *name = st ? strchr(st + 1, ' ') : NULL;
        int s = -1;
        if (name) {
            *st = *name = '\0';
            for (int k = 0; k < MG_STATE_COUNT; k++)
                if (!strcmp(st + 1, state_names[k]))
                    s = k;
        }
        char u[37];
        if (s >= 0 && check_uuid(line))
            uuid_lower(line, u);
        /* Written in UUID order: each line follows the last one. */
        if (s < 0 || !check_uuid(line) || !check_guest_name(name + 1) ||
            (m->n && strcmp(m->v[m->n - 1].uuid, u) >= 0)) {
            set_error(err, "%s, line %zu: not \"UUID profile|held|kept|gone NAME\" in UUID order, "
                      "each UUID once", path, lineno);
            managed_free(m);
            rc = -1;
            goto out;
        }
        grow(m);
        memcpy(m->v[m->n].uuid, u, sizeof(u));
        m->v[m->n].name = xstrdup(name + 1);
        m->v[m->n].state = (enum managed_state)s;
        m->n++;
    }
out:
    free(text);
    free(path);
    return rc;
}

int managed_save(const struct managed *m, const char *root, char **err)
{
    if (!m->dirty)
        return 0;
    char *text = format(m);
    int rc = fs_save_under(root, PATH_MANAGED, text, strlen(text), 0644, err);
    free(text);
    return rc;
}
