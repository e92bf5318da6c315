/* saverec.c: the records of guests saved by stop (saverec.h). One small
 * file per UUID: the header, then "image PATH", "name NAME", "saved TIME",
 * "config PATH" lines, then the config file's text as it was. */
#include "saverec.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "fsutil.h"
#include "managed.h"
#include "paths.h"
#include "util.h"

#define HEADER "# lcfg-xen save record 1: the guest's save image, its name, when, and the " \
               "config file it ran from (then its text)\n"

static char *rec_path(const char *uuid)
{
    char low[37];
    uuid_lower(uuid, low);
    return xasprintf("%s/%s", PATH_SAVED_DIR, low);
}

int saverec_write(const char *root, const struct saverec *r, char **err)
{
    struct buf b = BUF_INIT;
    buf_adds(&b, HEADER);
    buf_addf(&b, "image %s\nname %s\nsaved %lld\nconfig %s\n", r->image, r->name, r->when,
             r->cfgpath);
    buf_adds(&b, r->config);
    char *path = rec_path(r->uuid);
    int rc = fs_save_under(root, path, b.data, b.len, 0600, err);
    free(path);
    buf_free(&b);
    return rc;
}

/* The value of line "KEY VALUE" at *p (advanced past it), or NULL. */
static char *field(char **p, const char *key)
{
    size_t k = strlen(key);
    if (strncmp(*p, key, k) || (*p)[k] != ' ')
        return NULL;
    char *v = *p + k + 1, *nl = strchr(v, '\n');
    if (!nl)
        return NULL;
    *nl = '\0';
    *p = nl + 1;
    return v;
}

int saverec_read(const char *root, const char *uuid, struct saverec *r, char **err)
{
    *r = (struct saverec){ 0 };
    char *rel = rec_path(uuid), *path = root_path(root, rel), *text = NULL;
    free(rel);
    char *rerr = NULL;
    if (fs_read_file(path, &text, NULL, &rerr) < 0) {
        int rc = errno == ENOENT ? 1 : -1;
        if (rc < 0)
            set_error(err, "%s", rerr);
        free(rerr);
        free(path);
        return rc;
    }
    char *p = text, *when_s = NULL, *image = NULL, *name = NULL, *cfg = NULL;
    unsigned long long when = 0;
    if (!strncmp(p, HEADER, strlen(HEADER)) && (p += strlen(HEADER)) &&
        (image = field(&p, "image")) && (name = field(&p, "name")) &&
        (when_s = field(&p, "saved")) && parse_u64(when_s, &when) &&
        (cfg = field(&p, "config"))) {
        uuid_lower(uuid, r->uuid);
        r->image = xstrdup(image);
        r->name = xstrdup(name);
        r->when = (long long)when;
        r->cfgpath = xstrdup(cfg);
        r->config = xstrdup(p);
        free(text);
        free(path);
        return 0;
    }
    set_error(err, "%s: not a save record of this component (damaged?)", path);
    free(text);
    free(path);
    return -1;
}

int saverec_remove(const char *root, const char *uuid, char **err)
{
    char *rel = rec_path(uuid), *path = root_path(root, rel);
    free(rel);
    int rc = 0;
    if (unlink(path) < 0 && errno != ENOENT) {
        set_error(err, "cannot remove %s: %s", path, strerror(errno));
        rc = -1;
    } else {
        (void)fs_fsync_dir_of(path);
    }
    free(path);
    return rc;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int saverec_list(const char *root, char ***ret, size_t *n, char **err)
{
    *ret = NULL;
    *n = 0;
    char *dir = root_path(root, PATH_SAVED_DIR);
    DIR *d = opendir(dir);
    if (!d) {
        int rc = errno == ENOENT ? 0 : -1;
        if (rc)
            set_error(err, "cannot read %s: %s", dir, strerror(errno));
        free(dir);
        return rc;
    }
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!check_uuid(e->d_name))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            *ret = xrealloc(*ret, cap * sizeof(**ret));
        }
        (*ret)[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    free(dir);
    if (*n)
        qsort(*ret, *n, sizeof(**ret), by_text);
    return 0;
}

void saverec_free(struct saverec *r)
{
    free(r->image);
    free(r->name);
    free(r->cfgpath);
    free(r->config);
    *r = (struct saverec){ 0 };
}
