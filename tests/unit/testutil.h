/* testutil.h: what every cmocka unit test needs. */
#ifndef LCFGXEN_TESTUTIL_H
#define LCFGXEN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Directory of golden data, relative to the repository top (tests run from
 * there: tests/run-tests changes into it). */
#define TEST_DATA "tests/data"

/* Read a whole file; fails the test when it cannot. Caller frees. */
static inline char *test_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    return p;
}

static inline int test_rm_one(const char *path, const struct stat *st, int flag,
                              struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* The fixture of the tests that work in files: a fresh directory under
 * /tmp per test, its path in *state, removed with all it holds after. */
static inline int test_tmpdir_setup(void **state)
{
    char *dir = strdup("/tmp/lcfgxen-test-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static inline int test_tmpdir_teardown(void **state)
{
    char *dir = *state;
    int rc = nftw(dir, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
    return rc;
}

#endif
