/* fsutil.h: filesystem side effects: paths under the root prefix, atomic
 * replace-if-changed writes, directory creation. Functions return 0 or -1
 * with a message in *err. */
#ifndef LCFGXEN_FSUTIL_H
#define LCFGXEN_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* path (absolute, a host path) resolved under root; root "/" or "" gives
 * the path itself. Caller frees. */
char *root_path(const char *root, const char *path);
/* Is there anything (a link too) at path under root? */
bool fs_exists_under(const char *root, const char *path);

/* mkdir -p with the given mode for the directories it creates. */
int fs_mkdir_p(const char *path, mode_t mode, char **err);

enum fs_change { FS_UNCHANGED, FS_CREATED, FS_UPDATED };

/* Replace path's content with data, atomically: a temporary file in the
 * same directory, written, fsync'd, chmod'd, renamed over path, then the
 * directory fsync'd. Nothing is written when the content is already equal.
 * *ret_change says what happened. */
int fs_write_atomic(const char *path, const char *data, size_t len, mode_t mode,
                    enum fs_change *ret_change, char **err);

/* The same; with FS_SYNC_DIR_LATER the directory is not fsync'd: the
 * caller does it once for the many files it writes there (a directory's
 * fsync costs more as it grows), with fs_fsync_dir_of. */
#define FS_SYNC_DIR_LATER 1u
/* With FS_NO_SYNC nothing is fsync'd: for a cache, which is checked
 * against what it describes whenever it is used, and may be lost. The
 * rename still makes it wholly old or wholly new to other processes. */
#define FS_NO_SYNC 2u
/* FS_KNOWN_CHANGED: the file is not read first to see whether it already
 * holds data (the caller knows it does not; if it did, writing it again
 * would only cost time). */
#define FS_KNOWN_CHANGED 4u
int fs_write_atomic_ex(const char *path, const char *data, size_t len, mode_t mode,
                       unsigned flags, enum fs_change *ret_change, char **err);

/* fsync the directory that holds path. Returns 0, or -1 with errno. */
int fs_fsync_dir_of(const char *path);

/* fs_write_atomic of root + path, making its directory first (mode 0755)
 * when missing: the component's own state files. */
int fs_save_under(const char *root, const char *path, const char *data, size_t len, mode_t mode,
                  char **err);
int fs_save_under_ex(const char *root, const char *path, const char *data, size_t len,
                     mode_t mode, unsigned flags, char **err);

/* Remove what an interrupted fs_write_atomic (or a new autostart link)
 * leaves in dir: files and links named ".lcfg-xen.NAME.XXXXXX", the
 * component's own prefix, so that other programs' temporaries in a shared
 * directory are never touched. *removed counts them. A missing dir is not
 * an error. */
int fs_remove_stale_temps(const char *dir, size_t *removed, char **err);

/* The same for one file: only the temporaries of path
 * (".lcfg-xen.BASENAME.XXXXXX" beside it, or ".#BASENAME.XXXXXX" as older
 * versions named them). */
int fs_remove_stale_temps_of(const char *path, size_t *removed, char **err);

/* write(2) until all of data is written (EINTR retried). Returns 0, or
 * -1 with errno. */
int fs_write_all(int fd, const char *data, size_t len);

/* Read a whole file (NUL-terminated; *ret_len may be NULL). Sets errno. */
int fs_read_file(const char *path, char **ret, size_t *ret_len, char **err);

#endif
