/* testutil.h: what every cmocka unit test needs. */
#ifndef LCFGXEN_TESTUTIL_H
#define LCFGXEN_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
