/* testroot.h: files under a test's root directory, and a monotonic clock,
 * for the unit tests that drive the simulator (test-hv-sim*.c). Needs
 * testutil.h, fsutil.h and util.h first. */
#ifndef LCFGXEN_TESTROOT_H
#define LCFGXEN_TESTROOT_H

#include <stdbool.h>
#include <time.h>

static inline long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write root + path, creating its directory. */
static inline void put_file(const char *root, const char *path, const char *text)
{
    char *full = root_path(root, path);
    char *dir = xstrdup(full);
    *strrchr(dir, '/') = '\0';
    char *err = NULL;
    assert_int_equal(fs_mkdir_p(dir, 0755, &err), 0);
    FILE *f = fopen(full, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    free(dir);
    free(full);
}

/* root + path, read whole (the test fails when it cannot be). */
static inline char *get_file(const char *root, const char *path)
{
    char *full = root_path(root, path);
    char *text = test_read_file(full);
    free(full);
    return text;
}

static inline bool exists_under(const char *root, const char *path)
{
    char *full = root_path(root, path);
    bool yes = access(full, F_OK) == 0;
    free(full);
    return yes;
}

#endif
