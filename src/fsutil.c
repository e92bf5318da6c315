/* fsutil.c: filesystem helpers (see fsutil.h). */
#include "fsutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

bool fs_exists_under(const char *root, const char *path)
{
    char *p = root_path(root, path);
    struct stat st;
    bool ok = lstat(p, &st) == 0;
    free(p);
    return ok;
}

char *root_path(const char *root, const char *path)
{
    if (str_empty(root) || !strcmp(root, "/"))
        return xstrdup(path);
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    size_t lp = strlen(path);
    bool slash = path[0] == '/';
    char *s = xmalloc(n + lp + 2);
    memcpy(s, root, n);
    if (!slash)
        s[n++] = '/';
    memcpy(s + n, path, lp + 1);
    return s;
}

int fs_mkdir_p(const char *path, mode_t mode, char **err)
{
    if (!*path) {
        set_error(err, "cannot create a directory with an empty name");
        return -1;
    }
    /* Mostly it is there already: one stat instead of a mkdir per
     * component (each would fail with EEXIST), with the same answer. */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    char *p = xstrdup(path);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, mode) < 0 && errno != EEXIST) {
            set_error(err, "cannot create directory %s: %s", p, strerror(errno));
            rc = -1;
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    if (rc == 0) {
        if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
            set_error(err, "%s is not a directory", path);
            rc = -1;
        }
    }
    free(p);
    return rc;
}

int fs_read_file(const char *path, char **ret, size_t *ret_len, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        set_error(err, "cannot open %s: %s", path, strerror(e));
        errno = e;
        return -1;
    }
    /* A small file (a guest's config) is read into a chunk on the stack
     * and copied once. A file that fills the chunk is sized with fstat and
     * the rest read in place, so that a large one (the status file) is not
     * copied again at every doubling. */
    struct buf b = BUF_INIT;
    char chunk[65536];
    bool sized = false, tried = false;
    for (;;) {
        char *to = chunk;
        size_t room = sizeof(chunk);
        if (sized) {
            if (b.cap - b.len < 2) { /* room for a byte more and the NUL */
                b.cap *= 2;
                b.data = xrealloc(b.data, b.cap);
            }
            to = b.data + b.len;
            room = b.cap - b.len - 1;
        }
        ssize_t n = read(fd, to, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            set_error(err, "cannot read %s: %s", path, strerror(e));
            close(fd);
            buf_free(&b);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        if (sized) {
            b.len += (size_t)n;
            b.data[b.len] = '\0';
            continue;
        }
        buf_add(&b, chunk, (size_t)n);
        struct stat st;
        if ((size_t)n < sizeof(chunk) || tried)
            continue;
        tried = true;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
            /* The whole file, one byte more (to see its end without
             * growing) and the NUL. */
            size_t want = (size_t)st.st_size > b.len ? (size_t)st.st_size + 2 : b.len + 2;
            if (want < 2 * sizeof(chunk))
                want = 2 * sizeof(chunk);
            b.data = xrealloc(b.data, want);
            b.cap = want;
            sized = true;
        }
    }
    close(fd);
    if (ret_len)
        *ret_len = b.len;
    *ret = buf_detach(&b);
    return 0;
}

int fs_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int fs_fsync_dir_of(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = -1;
    if (fd >= 0) {
        rc = fsync(fd);
        close(fd);
    }
    free(dir);
    return rc;
}

#define TEMP_PREFIX ".lcfg-xen."

/* Six characters of mkstemp's alphabet at the end of n (from). */
static bool six_alnum(const char *from)
{
    for (int i = 0; i < 6; i++)
        if (!isalnum((unsigned char)from[i]))
            return false;
    return from[6] == '\0';
}

/* A temporary of ours: TEMP_PREFIX NAME "." and six characters of
 * mkstemp's alphabet, NAME being only when only is given. Nobody else
 * names files so, in the shared directories the component writes into
 * (/run/lcfg/status, /etc/default). With only, also ".#" only ".XXXXXX",
 * as versions before the prefix named that file's temporaries. */
static bool is_our_temp(const char *n, const char *only)
{
    size_t len = strlen(n), pl = strlen(TEMP_PREFIX);
    if (len >= pl + 1 + 1 + 6 && !memcmp(n, TEMP_PREFIX, pl) && n[len - 7] == '.' &&
        six_alnum(n + len - 6))
        return !only || (len == pl + strlen(only) + 7 && !memcmp(n + pl, only, strlen(only)));
    return only && len == 2 + strlen(only) + 7 && n[0] == '.' && n[1] == '#' &&
           !memcmp(n + 2, only, strlen(only)) && n[len - 7] == '.' && six_alnum(n + len - 6);
}

/* fs_remove_stale_temps, of the file called only (any: NULL). */
static int remove_temps(const char *dir, const char *only, size_t *removed, char **err)
{
    *removed = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        set_error(err, "cannot read %s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        struct stat st;
        /* Files, and the links that make_link renames into place. */
        if (!is_our_temp(e->d_name, only) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !(S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
            (*removed)++;
        } else if (errno != ENOENT) {
            set_error(err, "cannot remove %s/%s: %s", dir, e->d_name, strerror(errno));
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

int fs_remove_stale_temps(const char *dir, size_t *removed, char **err)
{
    return remove_temps(dir, NULL, removed, err);
}

int fs_remove_stale_temps_of(const char *path, size_t *removed, char **err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || !slash[1]) {
        *removed = 0;
        set_error(err, "%s: not the path of a file", path);
        return -1;
    }
    char *dir = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
    int rc = remove_temps(dir, slash + 1, removed, err);
    free(dir);
    return rc;
}

int fs_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                    enum fs_change *ret_change, char **err)
{
    return fs_write_atomic_ex(path, data, len, mode, 0, ret_change, err);
}

int fs_write_atomic_ex(const char *path, const char *data, size_t len, mode_t mode,
                       unsigned flags, enum fs_change *ret_change, char **err)
{
    char *old = NULL;
    size_t oldlen = 0;
    struct stat st;
    bool exists = lstat(path, &st) == 0;
    if (exists && !S_ISREG(st.st_mode)) {
        set_error(err, "%s exists and is not a regular file", path);
        return -1;
    }
    if (exists && !(flags & FS_KNOWN_CHANGED) && fs_read_file(path, &old, &oldlen, NULL) == 0 &&
        oldlen == len &&
        memcmp(old, data, len) == 0 && (st.st_mode & 07777) == mode) {
        free(old);
        *ret_change = FS_UNCHANGED;
        return 0;
    }
    free(old);

    /* A hidden temporary beside the target, so that rename is atomic. */
    const char *slash = strrchr(path, '/');
    char *tmp = slash ? xasprintf("%.*s/" TEMP_PREFIX "%s.XXXXXX", (int)(slash - path), path,
                                  slash + 1)
                      : xasprintf(TEMP_PREFIX "%s.XXXXXX", path);
    mode_t um = umask(077);
    int fd = mkostemp(tmp, O_CLOEXEC);
    umask(um);
    if (fd < 0) {
        set_error(err, "cannot create a temporary file for %s: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    const char *step = "write";
    if (fs_write_all(fd, data, len) < 0)
        goto fail;
    step = "chmod";
    if (fchmod(fd, mode) < 0)
        goto fail;
    step = "fsync";
    if (!(flags & FS_NO_SYNC) && fsync(fd) < 0)
        goto fail;
    step = "close";
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    step = "rename";
    if (rename(tmp, path) < 0)
        goto fail;
    step = "fsync the directory of";
    if (!(flags & (FS_SYNC_DIR_LATER | FS_NO_SYNC)) && fs_fsync_dir_of(path) < 0) {
        /* The new content is in place; only durability is in doubt. */
        set_error(err, "cannot %s %s: %s", step, path, strerror(errno));
        free(tmp);
        *ret_change = exists ? FS_UPDATED : FS_CREATED;
        return -1;
    }
    free(tmp);
    *ret_change = exists ? FS_UPDATED : FS_CREATED;
    return 0;

fail:
    set_error(err, "cannot %s %s: %s", step, path, strerror(errno));
    if (fd >= 0)
        close(fd);
    (void)unlink(tmp);
    free(tmp);
    return -1;
}

int fs_save_under(const char *root, const char *path, const char *data, size_t len, mode_t mode,
                  char **err)
{
    return fs_save_under_ex(root, path, data, len, mode, 0, err);
}

int fs_save_under_ex(const char *root, const char *path, const char *data, size_t len,
                     mode_t mode, unsigned flags, char **err)
{
    char *full = root_path(root, path);
    char *dir = xstrdup(full);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    enum fs_change ch;
    int rc = slash && *dir ? fs_mkdir_p(dir, 0755, err) : 0;
    if (rc == 0)
        rc = fs_write_atomic_ex(full, data, len, mode, flags, &ch, err);
    free(dir);
    free(full);
    return rc;
}
