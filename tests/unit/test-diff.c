/* test-diff.c: unified diffs (src/diff.c).
 *
 * The expected outputs of the fixed cases were produced by GNU diff 3.8,
 * "diff -u --label old --label new OLD NEW", on the same inputs, and
 * pasted in verbatim: diff_unified() must match diff(1) byte for byte.
 * A round-trip test then applies diff_unified()'s output to pseudo-random
 * texts (up to a few thousand lines) and checks that it rebuilds the new
 * text and that its hunk headers and hunk merging are consistent. */
#include "testutil.h"

#include <stdbool.h>

#include "diff.h"
#include "util.h"

/* ---- helpers ---- */

/* Strings made by the helpers below live here until check_diff() (or the
 * test) calls pool_free(). */
static char *pool[32];
static size_t pool_len;

static char *pool_keep(char *s)
{
    assert_true(pool_len < ARRAY_SIZE(pool));
    pool[pool_len++] = s;
    return s;
}

static void pool_free(void)
{
    while (pool_len)
        free(pool[--pool_len]);
}

/* "line 1\n" ... "line n\n". */
static char *numbered(int n)
{
    struct buf b = BUF_INIT;
    for (int i = 1; i <= n; i++)
        buf_addf(&b, "line %d\n", i);
    return pool_keep(buf_detach(&b));
}

/* A copy of text with its k-th line (1-based, with its newline) replaced
 * by with: "" deletes the line, "line k\nextra\n" inserts after it. */
static char *replace_line(const char *text, int k, const char *with)
{
    struct buf b = BUF_INIT;
    const char *p = text;
    for (int i = 1; *p; i++) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
        if (i == k)
            buf_adds(&b, with);
        else
            buf_add(&b, p, len);
        p += len;
    }
    return pool_keep(buf_detach(&b));
}

static void check_diff(const char *old_text, const char *new_text, const char *expected)
{
    char *got = diff_unified(old_text, new_text, "old", "new");
    assert_string_equal(got, expected);
    free(got);
    pool_free();
}

/* ---- equal texts ---- */

static void test_identical(void **state)
{
    (void)state;
    check_diff("", "", "");
    check_diff("a\n", "a\n", "");
    check_diff("no newline", "no newline", "");
    check_diff(numbered(2000), numbered(2000), "");
}

/* ---- cases checked against GNU diff ---- */

/* From nothing: GNU writes the empty old range as "0,0". */
static void test_new_file(void **state)
{
    (void)state;
    check_diff("",
               "alpha\nbeta\ngamma\n",
               "--- old\n"
               "+++ new\n"
               "@@ -0,0 +1,3 @@\n"
               "+alpha\n"
               "+beta\n"
               "+gamma\n");
}

static void test_deleted_file(void **state)
{
    (void)state;
    check_diff("alpha\nbeta\ngamma\n",
               "",
               "--- old\n"
               "+++ new\n"
               "@@ -1,3 +0,0 @@\n"
               "-alpha\n"
               "-beta\n"
               "-gamma\n");
}

/* A range of one line is written without ",1". */
static void test_one_line(void **state)
{
    (void)state;
    check_diff("a\n",
               "b\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1 +1 @@\n"
               "-a\n"
               "+b\n");
}

static void test_change_middle(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(numbered(20), 10, "changed 10\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -7,7 +7,7 @@\n"
               " line 7\n"
               " line 8\n"
               " line 9\n"
               "-line 10\n"
               "+changed 10\n"
               " line 11\n"
               " line 12\n"
               " line 13\n");
}

static void test_change_start(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(numbered(20), 1, "changed 1\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -1,4 +1,4 @@\n"
               "-line 1\n"
               "+changed 1\n"
               " line 2\n"
               " line 3\n"
               " line 4\n");
}

static void test_change_end(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(numbered(20), 20, "changed 20\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -17,4 +17,4 @@\n"
               " line 17\n"
               " line 18\n"
               " line 19\n"
               "-line 20\n"
               "+changed 20\n");
}

/* 13 unchanged lines between the changes: two hunks. */
static void test_two_hunks(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(replace_line(numbered(20), 3, "changed 3\n"), 17,
                            "changed 17\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -1,6 +1,6 @@\n"
               " line 1\n"
               " line 2\n"
               "-line 3\n"
               "+changed 3\n"
               " line 4\n"
               " line 5\n"
               " line 6\n"
               "@@ -14,7 +14,7 @@\n"
               " line 14\n"
               " line 15\n"
               " line 16\n"
               "-line 17\n"
               "+changed 17\n"
               " line 18\n"
               " line 19\n"
               " line 20\n");
}

/* 5 unchanged lines between the changes: contexts overlap, one hunk. */
static void test_merged_gap5(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(replace_line(numbered(20), 5, "changed 5\n"), 11,
                            "changed 11\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -2,13 +2,13 @@\n"
               " line 2\n"
               " line 3\n"
               " line 4\n"
               "-line 5\n"
               "+changed 5\n"
               " line 6\n"
               " line 7\n"
               " line 8\n"
               " line 9\n"
               " line 10\n"
               "-line 11\n"
               "+changed 11\n"
               " line 12\n"
               " line 13\n"
               " line 14\n");
}

/* 6 unchanged lines: the contexts just touch, still one hunk. */
static void test_merged_gap6(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(replace_line(numbered(20), 5, "changed 5\n"), 12,
                            "changed 12\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -2,14 +2,14 @@\n"
               " line 2\n"
               " line 3\n"
               " line 4\n"
               "-line 5\n"
               "+changed 5\n"
               " line 6\n"
               " line 7\n"
               " line 8\n"
               " line 9\n"
               " line 10\n"
               " line 11\n"
               "-line 12\n"
               "+changed 12\n"
               " line 13\n"
               " line 14\n"
               " line 15\n");
}

/* 7 unchanged lines: one line would stay hidden, so two hunks. */
static void test_split_gap7(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(replace_line(numbered(20), 5, "changed 5\n"), 13,
                            "changed 13\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -2,7 +2,7 @@\n"
               " line 2\n"
               " line 3\n"
               " line 4\n"
               "-line 5\n"
               "+changed 5\n"
               " line 6\n"
               " line 7\n"
               " line 8\n"
               "@@ -10,7 +10,7 @@\n"
               " line 10\n"
               " line 11\n"
               " line 12\n"
               "-line 13\n"
               "+changed 13\n"
               " line 14\n"
               " line 15\n"
               " line 16\n");
}

static void test_insert_only(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(numbered(20), 10, "line 10\nnew a\nnew b\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -8,6 +8,8 @@\n"
               " line 8\n"
               " line 9\n"
               " line 10\n"
               "+new a\n"
               "+new b\n"
               " line 11\n"
               " line 12\n"
               " line 13\n");
}

/* Lines 9 and 10 deleted. */
static void test_delete_only(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(replace_line(numbered(20), 10, ""), 9, ""),
               "--- old\n"
               "+++ new\n"
               "@@ -6,8 +6,6 @@\n"
               " line 6\n"
               " line 7\n"
               " line 8\n"
               "-line 9\n"
               "-line 10\n"
               " line 11\n"
               " line 12\n"
               " line 13\n");
}

static void test_insert_at_start(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(numbered(20), 1, "first\nline 1\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -1,3 +1,4 @@\n"
               "+first\n"
               " line 1\n"
               " line 2\n"
               " line 3\n");
}

static void test_append_at_end(void **state)
{
    (void)state;
    check_diff(numbered(20),
               replace_line(numbered(20), 20, "line 20\nlast\n"),
               "--- old\n"
               "+++ new\n"
               "@@ -18,3 +18,4 @@\n"
               " line 18\n"
               " line 19\n"
               " line 20\n"
               "+last\n");
}

static void test_no_newline_old(void **state)
{
    (void)state;
    check_diff("a\nb\nc",
               "a\nb\nc\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1,3 +1,3 @@\n"
               " a\n"
               " b\n"
               "-c\n"
               "\\ No newline at end of file\n"
               "+c\n");
}

static void test_no_newline_new(void **state)
{
    (void)state;
    check_diff("a\nb\nc\n",
               "a\nb\nc",
               "--- old\n"
               "+++ new\n"
               "@@ -1,3 +1,3 @@\n"
               " a\n"
               " b\n"
               "-c\n"
               "+c\n"
               "\\ No newline at end of file\n");
}

static void test_no_newline_both_changed(void **state)
{
    (void)state;
    check_diff("a\nb\nc",
               "a\nb\nd",
               "--- old\n"
               "+++ new\n"
               "@@ -1,3 +1,3 @@\n"
               " a\n"
               " b\n"
               "-c\n"
               "\\ No newline at end of file\n"
               "+d\n"
               "\\ No newline at end of file\n");
}

/* The unchanged last line lacks its newline in both: a context line. */
static void test_no_newline_both_context(void **state)
{
    (void)state;
    check_diff("a\nb\nc\nd",
               "a\nB\nc\nd",
               "--- old\n"
               "+++ new\n"
               "@@ -1,4 +1,4 @@\n"
               " a\n"
               "-b\n"
               "+B\n"
               " c\n"
               " d\n"
               "\\ No newline at end of file\n");
}

static void test_no_newline_single_lines(void **state)
{
    (void)state;
    check_diff("x",
               "y",
               "--- old\n"
               "+++ new\n"
               "@@ -1 +1 @@\n"
               "-x\n"
               "\\ No newline at end of file\n"
               "+y\n"
               "\\ No newline at end of file\n");
}

static void test_replace_everything(void **state)
{
    (void)state;
    check_diff("a\nb\nc\n",
               "x\ny\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1,3 +1,2 @@\n"
               "-a\n"
               "-b\n"
               "-c\n"
               "+x\n"
               "+y\n");
}

/* A blank line added next to another (lines GNU prints as " "). */
static void test_blank_lines(void **state)
{
    (void)state;
    check_diff("a\n\nb\n",
               "a\n\n\nb\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1,3 +1,4 @@\n"
               " a\n"
               " \n"
               "+\n"
               " b\n");
}

/* An added repeat of a block goes after the last copy, as GNU puts it. */
static void test_repeated_block(void **state)
{
    (void)state;
    check_diff("x\na\nb\na\nb\ny\n",
               "x\na\nb\na\nb\na\nb\ny\n",
               "--- old\n"
               "+++ new\n"
               "@@ -3,4 +3,6 @@\n"
               " b\n"
               " a\n"
               " b\n"
               "+a\n"
               "+b\n"
               " y\n");
}

static void test_large_three_changes(void **state)
{
    (void)state;
    /* Line 150 changed, a line added after 1000, line 1999 deleted. */
    char *new_text = replace_line(numbered(2000), 1999, "");
    new_text = replace_line(new_text, 1000, "line 1000\nadded\n");
    new_text = replace_line(new_text, 150, "changed 150\n");
    check_diff(numbered(2000), new_text,
               "--- old\n"
               "+++ new\n"
               "@@ -147,7 +147,7 @@\n"
               " line 147\n"
               " line 148\n"
               " line 149\n"
               "-line 150\n"
               "+changed 150\n"
               " line 151\n"
               " line 152\n"
               " line 153\n"
               "@@ -998,6 +998,7 @@\n"
               " line 998\n"
               " line 999\n"
               " line 1000\n"
               "+added\n"
               " line 1001\n"
               " line 1002\n"
               " line 1003\n"
               "@@ -1996,5 +1997,4 @@\n"
               " line 1996\n"
               " line 1997\n"
               " line 1998\n"
               "-line 1999\n"
               " line 2000\n");
}

/* ---- ties between equally short diffs, broken as GNU diff does ---- */

/* A change next to an equal line could sit on either; GNU's
 * shift_boundaries slides it down as far as it goes. */
static void test_tie_shift_down(void **state)
{
    (void)state;
    check_diff("# end\n# end\n",
               "# new\n# end\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1,2 +1,2 @@\n"
               "-# end\n"
               "+# new\n"
               " # end\n");
}

/* Lines found nowhere in the other text are set aside before the search
 * (GNU's discard_confusing_lines), which decides which blank line stays. */
static void test_tie_discard(void **state)
{
    (void)state;
    check_diff("[global]\n\n\n[global]\n",
               "\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1,4 +1 @@\n"
               "-[global]\n"
               " \n"
               "-\n"
               "-[global]\n");
}

/* Only the last 3 lines of the common prefix take part in the comparison
 * (GNU's horizon); that decides this one. */
static void test_tie_horizon_front(void **state)
{
    (void)state;
    check_diff("\n\nvcpus = 2\nvcpus = 2\nvcpus = 2\n\n",
               "\nmemory = 512\nvcpus = 2\nvcpus = 2\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1,6 +1,4 @@\n"
               " \n"
               "-\n"
               "-vcpus = 2\n"
               "+memory = 512\n"
               " vcpus = 2\n"
               " vcpus = 2\n"
               "-\n");
}

/* One of two identical lines removed: the deletion slides down to the
 * second, which needs the 3 lines of common suffix GNU keeps in the
 * comparison. */
static void test_tie_duplicate_removed(void **state)
{
    (void)state;
    check_diff("vcpus = 2\nvcpus = 2\n",
               "vcpus = 2\n",
               "--- old\n"
               "+++ new\n"
               "@@ -1,2 +1 @@\n"
               " vcpus = 2\n"
               "-vcpus = 2\n");
}

/* ---- other properties ---- */

static void test_labels(void **state)
{
    (void)state;
    char *got = diff_unified("a\n", "b\n", "a/etc/xen/vm1.cfg", "b/etc/xen/vm1.cfg");
    assert_string_equal(got, "--- a/etc/xen/vm1.cfg\n"
                             "+++ b/etc/xen/vm1.cfg\n"
                             "@@ -1 +1 @@\n"
                             "-a\n"
                             "+b\n");
    free(got);
}

/* Parse "@@ -a[,b] +c[,d] @@\n" at *p. */
static void parse_hunk_header(const char **p, long *a, long *b, long *c, long *d)
{
    char *end;
    assert_true(str_starts_with(*p, "@@ -"));
    *a = strtol(*p + 4, &end, 10);
    *b = 1;
    if (*end == ',')
        *b = strtol(end + 1, &end, 10);
    assert_true(str_starts_with(end, " +"));
    *c = strtol(end + 2, &end, 10);
    *d = 1;
    if (*end == ',')
        *d = strtol(end + 1, &end, 10);
    assert_true(str_starts_with(end, " @@\n"));
    *p = end + 4;
}

/* Apply a diff made by diff_unified(..., "old", "new") to old, checking
 * everything on the way: context and deleted lines match old, the hunk
 * headers give the right positions and counts, and hunks are separated
 * by at least one line that no hunk shows (else they should have been
 * merged). Returns the patched text; caller frees. */
static char *apply_patch(const char *old, const char *patch)
{
    static const char nonl_marker[] = "\\ No newline at end of file\n";
    struct buf out = BUF_INIT;
    const char *op = old; /* where old is read */
    long oline = 0, nline = 0;
    const char *p = patch;

    if (*p == '\0')
        return xstrdup(old);
    assert_true(str_starts_with(p, "--- old\n+++ new\n"));
    p += strlen("--- old\n+++ new\n");
    assert_true(*p == '@');

    for (bool first = true; *p; first = false) {
        long a, b, c, d;
        parse_hunk_header(&p, &a, &b, &c, &d);
        long ostart = b == 0 ? a : a - 1; /* old lines before the hunk */
        long nstart = d == 0 ? c : c - 1;
        assert_true(ostart - oline >= (first ? 0 : 1));
        while (oline < ostart) {
            const char *e = strchr(op, '\n');
            assert_non_null(e);
            buf_add(&out, op, (size_t)(e - op) + 1);
            op = e + 1;
            oline++;
            nline++;
        }
        assert_int_equal(nline, nstart);

        long bseen = 0, dseen = 0;
        while (*p && *p != '@') {
            char mark = *p;
            const char *text = p + 1;
            const char *e = strchr(p, '\n');
            assert_non_null(e);
            size_t len = (size_t)(e - text);
            p = e + 1;
            bool nonl = str_starts_with(p, nonl_marker);
            if (nonl)
                p += strlen(nonl_marker);
            assert_true(mark == ' ' || mark == '-' || mark == '+');
            if (mark != '+') {
                assert_true(strlen(op) >= len);
                assert_memory_equal(op, text, len);
                op += len;
                if (nonl) {
                    assert_int_equal(*op, '\0');
                } else {
                    assert_int_equal(*op, '\n');
                    op++;
                }
                oline++;
                bseen++;
            }
            if (mark != '-') {
                buf_add(&out, text, len);
                if (!nonl)
                    buf_addc(&out, '\n');
                nline++;
                dseen++;
            }
        }
        assert_int_equal(bseen, b);
        assert_int_equal(dseen, d);
    }
    buf_adds(&out, op);
    return buf_detach(&out);
}

static unsigned long long rng_state = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Render lines (numbers) as "v<n>\n" each, maybe without the last newline. */
static char *render(const int *v, size_t n, bool final_newline)
{
    struct buf b = BUF_INIT;
    for (size_t i = 0; i < n; i++)
        buf_addf(&b, "v%d%s", v[i], i + 1 < n || final_newline ? "\n" : "");
    return buf_detach(&b);
}

static void round_trip(const char *old_text, const char *new_text)
{
    char *patch = diff_unified(old_text, new_text, "old", "new");
    if (strcmp(old_text, new_text) == 0)
        assert_string_equal(patch, "");
    else
        assert_true(patch[0] != '\0');
    char *patched = apply_patch(old_text, patch);
    assert_string_equal(patched, new_text);
    free(patched);
    free(patch);
}

/* One random pair: n lines drawn from alphabet values, then edits. */
static void random_case(size_t n, unsigned alphabet, unsigned edits)
{
    size_t cap = n + 4 * edits + 1;
    int *a = xmalloc(cap * sizeof *a);
    int *b = xmalloc(cap * sizeof *b);
    for (size_t i = 0; i < n; i++)
        a[i] = (int)rnd(alphabet);
    memcpy(b, a, n * sizeof *a);
    size_t m = n;
    for (unsigned k = 0; k < edits; k++) {
        size_t at = rnd((unsigned)m + 1);
        unsigned op = rnd(3), len = 1 + rnd(3);
        if (op == 0 && m) { /* delete */
            if (at == m)
                at--;
            if (len > m - at)
                len = (unsigned)(m - at);
            memmove(b + at, b + at + len, (m - at - len) * sizeof *b);
            m -= len;
        } else if (op == 1) { /* insert */
            memmove(b + at + len, b + at, (m - at) * sizeof *b);
            for (unsigned j = 0; j < len; j++)
                b[at + j] = (int)rnd(alphabet + 5);
            m += len;
        } else if (m) { /* replace */
            if (at == m)
                at--;
            b[at] = 1000 + (int)rnd(100);
        }
    }
    char *old_text = render(a, n, rnd(5) != 0);
    char *new_text = render(b, m, rnd(5) != 0);
    round_trip(old_text, new_text);
    free(old_text);
    free(new_text);
    free(a);
    free(b);
}

static void test_round_trip_random(void **state)
{
    (void)state;
    static const unsigned alphabets[] = { 2, 3, 5, 20, 1000 };
    static const size_t sizes[] = { 0, 1, 2, 5, 12, 40, 150 };
    static const unsigned edit_counts[] = { 0, 1, 2, 4, 10, 40 };
    for (int iter = 0; iter < 600; iter++)
        random_case(sizes[rnd(ARRAY_SIZE(sizes))], alphabets[rnd(ARRAY_SIZE(alphabets))],
                    edit_counts[rnd(ARRAY_SIZE(edit_counts))]);
}

/* Bigger inputs must stay quick: scattered edits, a reversal (every line
 * still matches somewhere, so the search does all the work), and two
 * unrelated texts over a tiny alphabet. */
static void test_round_trip_large(void **state)
{
    (void)state;
    random_case(3000, 1000000, 30);
    random_case(3000, 4, 200);

    int *v = xmalloc(3000 * sizeof *v);
    for (int i = 0; i < 3000; i++)
        v[i] = i;
    char *fwd = render(v, 3000, true);
    for (int i = 0; i < 3000; i++)
        v[i] = 2999 - i;
    char *rev = render(v, 3000, true);
    round_trip(fwd, rev);

    for (int i = 0; i < 3000; i++)
        v[i] = (int)rnd(4);
    char *x = render(v, 3000, true);
    for (int i = 0; i < 3000; i++)
        v[i] = (int)rnd(4);
    char *y = render(v, 3000, false);
    round_trip(x, y);

    free(fwd);
    free(rev);
    free(x);
    free(y);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical),
        cmocka_unit_test(test_new_file),
        cmocka_unit_test(test_deleted_file),
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_change_middle),
        cmocka_unit_test(test_change_start),
        cmocka_unit_test(test_change_end),
        cmocka_unit_test(test_two_hunks),
        cmocka_unit_test(test_merged_gap5),
        cmocka_unit_test(test_merged_gap6),
        cmocka_unit_test(test_split_gap7),
        cmocka_unit_test(test_insert_only),
        cmocka_unit_test(test_delete_only),
        cmocka_unit_test(test_insert_at_start),
        cmocka_unit_test(test_append_at_end),
        cmocka_unit_test(test_no_newline_old),
        cmocka_unit_test(test_no_newline_new),
        cmocka_unit_test(test_no_newline_both_changed),
        cmocka_unit_test(test_no_newline_both_context),
        cmocka_unit_test(test_no_newline_single_lines),
        cmocka_unit_test(test_replace_everything),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_repeated_block),
        cmocka_unit_test(test_large_three_changes),
        cmocka_unit_test(test_tie_shift_down),
        cmocka_unit_test(test_tie_discard),
        cmocka_unit_test(test_tie_horizon_front),
        cmocka_unit_test(test_tie_duplicate_removed),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_round_trip_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
