/* test-fsutil.c: filesystem helpers (src/fsutil.c), in a temporary
 * directory under /tmp that each test removes again. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "util.h"

/* dir/name (caller frees). */
static char *in(void **state, const char *name)
{
    return xasprintf("%s/%s", (const char *)*state, name);
}

static void write_plain(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* The number of entries of dir named as the component's temporaries. */
static int count_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strncmp(e->d_name, ".lcfg-xen.", 10) == 0)
            n++;
    closedir(d);
    return n;
}

static void assert_file_is(const char *path, const char *want)
{
    char *got = test_read_file(path);
    assert_string_equal(got, want);
    free(got);
}

/* ---- root_path ---- */

static void assert_root_path(const char *root, const char *path, const char *want)
{
    char *got = root_path(root, path);
    assert_string_equal(got, want);
    free(got);
}

static void test_root_path(void **state)
{
    (void)state;
    assert_root_path("/", "/etc/xen", "/etc/xen");
    assert_root_path("", "/etc/xen", "/etc/xen");
    assert_root_path(NULL, "/etc/xen", "/etc/xen");
    assert_root_path("/tmp/r", "/etc/xen", "/tmp/r/etc/xen");
    assert_root_path("/tmp/r/", "/etc/xen", "/tmp/r/etc/xen");
    assert_root_path("/tmp/r//", "/etc/xen", "/tmp/r/etc/xen");
    assert_root_path("/tmp/r", "etc/xen", "/tmp/r/etc/xen");
    assert_root_path("/tmp/r", "/", "/tmp/r/");
}

/* A dangling link counts: it is there, as lstat sees it. */
static void test_exists_under(void **state)
{
    (void)state;
    char root[] = "/tmp/fsutil-exists.XXXXXX";
    assert_non_null(mkdtemp(root));
    char *link = xasprintf("%s/dangling", root);
    assert_int_equal(symlink("/nonexistent/x", link), 0);
    assert_true(fs_exists_under(root, "/dangling"));
    assert_true(fs_exists_under(root, "/"));
    assert_false(fs_exists_under(root, "/missing"));
    assert_int_equal(unlink(link), 0);
    assert_int_equal(rmdir(root), 0);
    free(link);
}

/* ---- fs_mkdir_p ---- */

static void assert_dir_mode(const char *path, mode_t mode)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, mode);
}

static void test_mkdir_p_nested(void **state)
{
    char *err = NULL;
    char *a = in(state, "a");
    char *ab = in(state, "a/b");
    char *abc = in(state, "a/b/c");
    mode_t um = umask(022);
    assert_int_equal(fs_mkdir_p(abc, 0750, &err), 0);
    umask(um);
    assert_null(err);
    assert_dir_mode(a, 0750);
    assert_dir_mode(ab, 0750);
    assert_dir_mode(abc, 0750);
    free(a);
    free(ab);
    free(abc);
}

static void test_mkdir_p_existing(void **state)
{
    char *err = NULL;
    char *abc = in(state, "a/b/c");
    char *abc_slash = in(state, "a/b/c/");
    assert_int_equal(fs_mkdir_p(abc, 0755, &err), 0);
    assert_int_equal(fs_mkdir_p(abc, 0755, &err), 0);
    assert_int_equal(fs_mkdir_p(abc_slash, 0755, &err), 0);
    assert_int_equal(fs_mkdir_p((const char *)*state, 0755, &err), 0);
    assert_int_equal(fs_mkdir_p("/", 0755, &err), 0);
    assert_null(err);
    free(abc);
    free(abc_slash);
}

static void test_mkdir_p_through_file(void **state)
{
    char *err = NULL;
    char *file = in(state, "file");
    char *sub = in(state, "file/sub/deeper");
    write_plain(file, "x");
    assert_int_equal(fs_mkdir_p(sub, 0755, &err), -1);
    char *want = xasprintf("cannot create directory %s/file/sub: %s",
                           (const char *)*state, strerror(ENOTDIR));
    assert_string_equal(err, want);
    free(want);
    assert_file_is(file, "x");

    /* The path itself is a regular file. */
    assert_int_equal(fs_mkdir_p(file, 0755, &err), -1);
    want = xasprintf("%s is not a directory", file);
    assert_string_equal(err, want);
    free(want);
    assert_file_is(file, "x");
    free(err);
    free(file);
    free(sub);
}

/* An empty path is refused, without touching memory past its end (it once
 * did: found by ASan). Run in a child so that a sanitizer abort stays there. */
static void test_mkdir_p_empty_path_is_refused(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *err = NULL;
        int rc = fs_mkdir_p("", 0755, &err);
        _exit(rc == -1 && err && !strcmp(err, "cannot create a directory with an empty name") ? 0 : 2);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("fs_mkdir_p(\"\") did not return -1 cleanly (child %s %d)",
                 WIFEXITED(status) ? "exited" : "killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* ---- fs_write_atomic ---- */

static void test_write_create(void **state)
{
    char *err = NULL;
    char *path = in(state, "vm1.cfg");
    enum fs_change ch = FS_UPDATED;
    mode_t um = umask(077); /* the mode must not depend on the umask */
    int rc = fs_write_atomic(path, "name = \"vm1\"\n", 13, 0644, &ch, &err);
    umask(um);
    assert_int_equal(rc, 0);
    assert_null(err);
    assert_int_equal(ch, FS_CREATED);
    assert_file_is(path, "name = \"vm1\"\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0644);

    char *p2 = in(state, "secret");
    assert_int_equal(fs_write_atomic(p2, "s", 1, 0600, &ch, &err), 0);
    assert_int_equal(ch, FS_CREATED);
    assert_int_equal(stat(p2, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* Only len bytes are written; an empty file is possible. */
    char *p3 = in(state, "empty");
    assert_int_equal(fs_write_atomic(p3, "abc", 0, 0640, &ch, &err), 0);
    assert_int_equal(ch, FS_CREATED);
    assert_int_equal(stat(p3, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_int_equal(st.st_mode & 07777, 0640);

    assert_int_equal(count_temporaries(*state), 0);
    assert_null(err);
    free(path);
    free(p2);
    free(p3);
}

static void test_write_unchanged(void **state)
{
    char *err = NULL;
    char *path = in(state, "f");
    enum fs_change ch;
    assert_int_equal(fs_write_atomic(path, "hello\n", 6, 0644, &ch, &err), 0);
    assert_int_equal(ch, FS_CREATED);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    /* Let the clock move so that any rewrite would show in the mtime. */
    usleep(20 * 1000);
    ch = FS_CREATED;
    assert_int_equal(fs_write_atomic(path, "hello\n", 6, 0644, &ch, &err), 0);
    assert_int_equal(ch, FS_UNCHANGED);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_ino, before.st_ino);
    assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    assert_int_equal(count_temporaries(*state), 0);
    assert_null(err);
    free(path);
}

static void test_write_updated(void **state)
{
    char *err = NULL;
    char *path = in(state, "f");
    enum fs_change ch;
    assert_int_equal(fs_write_atomic(path, "old\n", 4, 0644, &ch, &err), 0);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);

    ch = FS_UNCHANGED;
    assert_int_equal(fs_write_atomic(path, "new content\n", 12, 0644, &ch, &err), 0);
    assert_int_equal(ch, FS_UPDATED);
    assert_file_is(path, "new content\n");
    assert_int_equal(stat(path, &after), 0);
    assert_int_not_equal(after.st_ino, before.st_ino);
    assert_int_equal(after.st_mode & 07777, 0644);
    assert_int_equal(count_temporaries(*state), 0);

    /* A prefix of the old content is a change too. */
    assert_int_equal(fs_write_atomic(path, "new", 3, 0644, &ch, &err), 0);
    assert_int_equal(ch, FS_UPDATED);
    assert_file_is(path, "new");

    /* Same content, different mode: rewritten with the new mode. */
    assert_int_equal(fs_write_atomic(path, "new", 3, 0600, &ch, &err), 0);
    assert_int_equal(ch, FS_UPDATED);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_mode & 07777, 0600);
    assert_file_is(path, "new");
    assert_int_equal(count_temporaries(*state), 0);
    assert_null(err);
    free(path);
}

static void test_write_relative(void **state)
{
    char *err = NULL;
    enum fs_change ch;
    int here = open(".", O_RDONLY | O_DIRECTORY);
    assert_true(here >= 0);
    assert_int_equal(chdir((const char *)*state), 0);
    int rc = fs_write_atomic("plain", "p\n", 2, 0644, &ch, &err);
    assert_int_equal(fchdir(here), 0);
    close(here);
    assert_int_equal(rc, 0);
    assert_null(err);
    assert_int_equal(ch, FS_CREATED);
    char *path = in(state, "plain");
    assert_file_is(path, "p\n");
    assert_int_equal(count_temporaries(*state), 0);
    free(path);
}

static void test_write_onto_directory(void **state)
{
    char *err = NULL;
    char *path = in(state, "d");
    char *inner = in(state, "d/inner");
    assert_int_equal(mkdir(path, 0755), 0);
    write_plain(inner, "keep");
    enum fs_change ch = FS_UNCHANGED;
    assert_int_equal(fs_write_atomic(path, "x", 1, 0644, &ch, &err), -1);
    char *want = xasprintf("%s exists and is not a regular file", path);
    assert_string_equal(err, want);
    free(want);
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_file_is(inner, "keep");
    assert_int_equal(count_temporaries(*state), 0);
    free(err);
    free(path);
    free(inner);
}

static void test_write_onto_symlink(void **state)
{
    char *err = NULL;
    char *target = in(state, "target");
    char *link = in(state, "link");
    write_plain(target, "original\n");
    assert_int_equal(symlink("target", link), 0);
    enum fs_change ch = FS_UNCHANGED;
    assert_int_equal(fs_write_atomic(link, "evil\n", 5, 0644, &ch, &err), -1);
    char *want = xasprintf("%s exists and is not a regular file", link);
    assert_string_equal(err, want);
    free(want);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char buf[64];
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);
    assert_int_equal(n, 6);
    buf[n] = '\0';
    assert_string_equal(buf, "target");
    assert_file_is(target, "original\n");

    /* A dangling symlink is refused too, and nothing is created. */
    char *dangling = in(state, "dangling");
    char *nowhere = in(state, "nowhere");
    assert_int_equal(symlink("nowhere", dangling), 0);
    assert_int_equal(fs_write_atomic(dangling, "x", 1, 0644, &ch, &err), -1);
    assert_int_equal(lstat(nowhere, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(count_temporaries(*state), 0);
    free(err);
    free(target);
    free(link);
    free(dangling);
    free(nowhere);
}

static void test_write_missing_directory(void **state)
{
    char *err = NULL;
    char *path = in(state, "nodir/f");
    enum fs_change ch = FS_UNCHANGED;
    assert_int_equal(fs_write_atomic(path, "x", 1, 0644, &ch, &err), -1);
    char *want = xasprintf("cannot create a temporary file for %s: %s", path,
                           strerror(ENOENT));
    assert_string_equal(err, want);
    free(want);
    free(err);
    free(path);
}

/* ---- fs_read_file ---- */

static void test_read_missing(void **state)
{
    char *err = NULL;
    char *path = in(state, "missing");
    char *data = (char *)"untouched";
    size_t len = 99;
    errno = 0;
    assert_int_equal(fs_read_file(path, &data, &len, &err), -1);
    assert_int_equal(errno, ENOENT);
    char *want = xasprintf("cannot open %s: %s", path, strerror(ENOENT));
    assert_string_equal(err, want);
    assert_string_equal(data, "untouched");
    free(want);
    /* err may be NULL. */
    errno = 0;
    assert_int_equal(fs_read_file(path, &data, NULL, NULL), -1);
    assert_int_equal(errno, ENOENT);
    free(err);
    free(path);
}

static void test_read_existing(void **state)
{
    char *err = NULL;
    char *path = in(state, "f");
    write_plain(path, "line 1\nline 2\n");
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
    assert_int_equal(len, 14);
    assert_string_equal(data, "line 1\nline 2\n");
    free(data);

    write_plain(path, "");
    data = NULL;
    assert_int_equal(fs_read_file(path, &data, NULL, &err), 0);
    assert_non_null(data);
    assert_string_equal(data, "");
    free(data);

    /* Larger than one read chunk (65536 bytes), and at its edges: the rest
     * of a large file is read in place. */
    static const size_t sizes[] = { 65535, 65536, 65537, 131072, 131073, 200000, 1000000 };
    for (size_t k = 0; k < ARRAY_SIZE(sizes); k++) {
        size_t big = sizes[k];
        char *text = malloc(big + 1);
        assert_non_null(text);
        for (size_t i = 0; i < big; i++)
            text[i] = (char)('a' + (i * 7 + k) % 26);
        text[big] = '\0';
        write_plain(path, text);
        assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
        assert_int_equal(len, big);
        assert_memory_equal(data, text, big + 1);
        free(data);
        free(text);
    }
    assert_null(err);
    free(path);
}

/* Something that is not a regular file (a pipe: no size to go by) is read
 * to its end all the same. */
static void test_read_pipe(void **state)
{
    char *path = in(state, "fifo");
    assert_int_equal(mkfifo(path, 0600), 0);
    size_t big = 300000;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_WRONLY);
        char c[1000];
        for (size_t i = 0; i < big; i += sizeof(c)) {
            for (size_t j = 0; j < sizeof(c); j++)
                c[j] = (char)('a' + (i + j) % 26);
            if (write(fd, c, sizeof(c)) != (ssize_t)sizeof(c))
                _exit(1);
        }
        _exit(0);
    }
    char *data = NULL, *err = NULL;
    size_t len = 0;
    assert_int_equal(fs_read_file(path, &data, &len, &err), 0);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(len, big);
    for (size_t i = 0; i < big; i++)
        if (data[i] != (char)('a' + i % 26))
            fail_msg("byte %zu", i);
    assert_int_equal(data[big], '\0');
    free(data);
    free(path);
}

/* ---- stale temporaries ---- */

/* The names in dir, sorted, one a line. */
static char *listing(const char *dir)
{
    struct dirent **v;
    int n = scandir(dir, &v, NULL, alphasort);
    assert_true(n >= 0);
    struct buf b = BUF_INIT;
    for (int i = 0; i < n; i++) {
        if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
            buf_addf(&b, "%s\n", v[i]->d_name);
        free(v[i]);
    }
    free(v);
    return buf_detach(&b);
}

/* The files a directory may hold besides what fs_write_atomic left:
 * other programs' temporaries (".#NAME.XXXXXX" is emacs's and others'),
 * names near ours, and a directory of our temporaries' form. */
static void others(void **state)
{
    const char *names[] = { "xendomains", ".#notes", ".#xendomains.short", ".#xendomains.toolong1",
                            ".#xendomains.ab-cd!", "#xendomains#", "xendomains~",
                            ".lcfg-xen.xendomains.short", ".lcfg-xen.xendomains.toolong1",
                            ".lcfg-xen.notes" };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char *p = in(state, names[i]);
        write_plain(p, "theirs\n");
        free(p);
    }
    char *p = in(state, ".lcfg-xen.xendomains.Dir123");
    assert_int_equal(mkdir(p, 0700), 0);
    free(p);
}

#define OTHERS "#xendomains#\n.#notes\n.#xendomains.ab-cd!\n.#xendomains.short\n" \
               ".#xendomains.toolong1\n.lcfg-xen.notes\n.lcfg-xen.xendomains.Dir123\n" \
               ".lcfg-xen.xendomains.short\n.lcfg-xen.xendomains.toolong1\nxendomains\n" \
               "xendomains~\n"

static void test_remove_stale_temps(void **state)
{
    others(state);
    const char *ours[] = { ".lcfg-xen.xendomains.Ab12Cd", ".lcfg-xen.zz-lcfg-xen.cfg.x9Y8z7",
                           ".lcfg-xen.a.cfg.000000" };
    for (size_t i = 0; i < ARRAY_SIZE(ours); i++) {
        char *p = in(state, ours[i]);
        write_plain(p, "half\n");
        free(p);
    }
    /* the autostart link a killed run was making */
    char *l = in(state, ".lcfg-xen.a.cfg.newlnk");
    assert_int_equal(symlink("/etc/xen/a.cfg", l), 0);
    free(l);
    size_t n = 99;
    char *err = NULL;
    assert_int_equal(fs_remove_stale_temps(*state, &n, &err), 0);
    assert_null(err);
    assert_int_equal(n, 4);
    char *got = listing(*state);
    assert_string_equal(got, OTHERS);
    free(got);
    /* A missing directory has none. */
    char *missing = in(state, "no-such-dir");
    assert_int_equal(fs_remove_stale_temps(missing, &n, &err), 0);
    assert_int_equal(n, 0);
    free(missing);
}

/* Only the temporaries of one file, and those older versions named
 * ".#NAME.XXXXXX" (of that file only: in /etc/default another program's
 * are not ours). */
static void test_remove_stale_temps_of_one_file(void **state)
{
    others(state);
    const char *names[] = { ".lcfg-xen.xendomains.Ab12Cd", ".#xendomains.q1W2e3", ".#grub.Ab12Cd",
                            ".lcfg-xen.xendomains2.Ab12Cd", ".#xendomain.Ab12Cd" };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        char *p = in(state, names[i]);
        write_plain(p, "half\n");
        free(p);
    }
    char *path = in(state, "xendomains");
    size_t n = 99;
    char *err = NULL;
    assert_int_equal(fs_remove_stale_temps_of(path, &n, &err), 0);
    assert_null(err);
    assert_int_equal(n, 2);
    char *got = listing(*state);
    assert_string_equal(got, "#xendomains#\n.#grub.Ab12Cd\n.#notes\n.#xendomain.Ab12Cd\n"
                             ".#xendomains.ab-cd!\n.#xendomains.short\n.#xendomains.toolong1\n"
                             ".lcfg-xen.notes\n.lcfg-xen.xendomains.Dir123\n"
                             ".lcfg-xen.xendomains.short\n.lcfg-xen.xendomains.toolong1\n"
                             ".lcfg-xen.xendomains2.Ab12Cd\nxendomains\nxendomains~\n");
    free(got);
    free(path);
    /* The file's directory missing: nothing to remove. */
    path = in(state, "grub.d/zz-lcfg-xen.cfg");
    assert_int_equal(fs_remove_stale_temps_of(path, &n, &err), 0);
    assert_int_equal(n, 0);
    free(path);
    /* Not a file's path. */
    assert_int_equal(fs_remove_stale_temps_of("/etc/default/", &n, &err), -1);
    assert_string_equal(err, "/etc/default/: not the path of a file");
    free(err);
}

/* The flags: a known change is written without a comparison (the same
 * content included), and no flag changes what is written. */
static void test_write_flags(void **state)
{
    char *err = NULL;
    char *path = in(state, "flags");
    enum fs_change ch;
    assert_int_equal(fs_write_atomic_ex(path, "one\n", 4, 0644, FS_NO_SYNC, &ch, &err), 0);
    assert_int_equal(ch, FS_CREATED);
    assert_file_is(path, "one\n");
    assert_int_equal(fs_write_atomic_ex(path, "one\n", 4, 0644, FS_NO_SYNC, &ch, &err), 0);
    assert_int_equal(ch, FS_UNCHANGED);
    assert_int_equal(fs_write_atomic_ex(path, "one\n", 4, 0644, FS_KNOWN_CHANGED, &ch, &err), 0);
    assert_int_equal(ch, FS_UPDATED);
    assert_int_equal(fs_write_atomic_ex(path, "two\n", 4, 0600,
                                        FS_SYNC_DIR_LATER | FS_KNOWN_CHANGED, &ch, &err), 0);
    assert_int_equal(ch, FS_UPDATED);
    assert_file_is(path, "two\n");
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(fs_fsync_dir_of(path), 0);
    assert_null(err);
    free(path);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_tmpdir_setup, test_tmpdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_root_path),
        cmocka_unit_test(test_exists_under),
        T(test_mkdir_p_nested),
        T(test_mkdir_p_existing),
        T(test_mkdir_p_through_file),
        cmocka_unit_test(test_mkdir_p_empty_path_is_refused),
        T(test_write_create),
        T(test_write_unchanged),
        T(test_write_updated),
        T(test_write_flags),
        T(test_write_relative),
        T(test_write_onto_directory),
        T(test_write_onto_symlink),
        T(test_write_missing_directory),
        T(test_read_missing),
        T(test_read_existing),
        T(test_read_pipe),
        T(test_remove_stale_temps),
        T(test_remove_stale_temps_of_one_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
