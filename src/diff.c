/* diff.c: a unified diff of two texts (see diff.h).
 *
 * The output is meant to be byte-for-byte what GNU diff prints for
 * "diff -u --label OLD --label NEW", so the steps follow GNU diffutils'
 * own pipeline (src/io.c, src/analyze.c, src/context.c and gnulib's
 * diffseq.h), reimplemented here at line level:
 *
 *  1. split both texts into lines; a last line without a newline only
 *     ever equals another last line without a newline;
 *  2. trim the identical leading and trailing lines, but keep a horizon
 *     of CONTEXT lines on each side (GNU does this so that step 5 has
 *     room to slide the first and last changes);
 *  3. give every remaining line an equivalence class number and mark
 *     lines that occur nowhere in the other text as changed outright
 *     ("discard confusing lines"), which also keeps step 4 cheap;
 *  4. run Myers' O(ND) divide-and-conquer search (forward and backward
 *     at once, splitting at the middle snake) on what is left, with
 *     GNU's "too expensive" cut-off that trades minimality for speed
 *     only when the edit distance runs into the thousands;
 *  5. slide each run of changes as far down as it can go, merging runs
 *     where possible ("shift boundaries"), so that e.g. an inserted
 *     block between repeated lines lands where GNU puts it;
 *  6. print hunks with CONTEXT lines of context, merging two changes
 *     into one hunk when at most 2 * CONTEXT unchanged lines separate
 *     them.
 *
 * Time is O((N + M) * D) for texts of N and M lines with D differences
 * (capped by the cut-off), memory is O(N + M). */
#include "diff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A line number or count. Signed: the search uses negative diagonals. */
typedef ptrdiff_t lin;
#define LIN_MAX PTRDIFF_MAX

/* Lines of context around each change, as diff -u. */
#define CONTEXT 3
/* Identical lines kept next to the differing middle (GNU's horizon_lines,
 * which -u sets to the context). */
#define HORIZON CONTEXT

struct line {
    const char *s;
    size_t len;  /* without the newline */
    bool nl;     /* false only for a last line lacking its newline */
};

struct text {
    struct line *lines;
    lin n;
    /* n + 2 change flags; changed = flags + 1, so changed[-1] and
     * changed[n] exist and stay 0 (sentinels the algorithms rely on). */
    char *flags;
    char *changed;
};

static void text_split(struct text *t, const char *s)
{
    lin n = 0;
    for (const char *p = s; *p; p++)
        if (*p == '\n')
            n++;
    size_t total = strlen(s);
    if (total && s[total - 1] != '\n')
        n++;
    t->n = n;
    t->lines = xmalloc((size_t)(n ? n : 1) * sizeof *t->lines);
    const char *p = s;
    for (lin i = 0; i < n; i++) {
        const char *e = strchr(p, '\n');
        struct line *l = &t->lines[i];
        l->s = p;
        if (e) {
            l->len = (size_t)(e - p);
            l->nl = true;
            p = e + 1;
        } else {
            l->len = strlen(p);
            l->nl = false;
            p += l->len;
        }
    }
    t->flags = xcalloc((size_t)n + 2, 1);
    t->changed = t->flags + 1;
}

static void text_free(struct text *t)
{
    free(t->lines);
    free(t->flags);
}

static bool line_eq(const struct line *a, const struct line *b)
{
    return a->len == b->len && a->nl == b->nl && memcmp(a->s, b->s, a->len) == 0;
}

static uint64_t line_hash(const struct line *l)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < l->len; i++) {
        h ^= (unsigned char)l->s[i];
        h *= 1099511628211ULL;
    }
    h ^= l->nl ? 0x9e3779b97f4a7c15ULL : 0;
    return h * 1099511628211ULL;
}

/* ---- the middle of the two texts, as the comparison sees it ---- */

struct side {
    const struct line *lines; /* the buffered lines */
    lin n;                    /* how many */
    char *changed;            /* their flags, with sentinels at -1 and n */
    lin *equivs;              /* equivalence class of each (>= 1) */
    lin *undiscarded;         /* classes of the lines left for the search */
    lin *realindexes;         /* and their indexes into lines[] */
    lin nundiscarded;
};

/* Number the distinct lines of both sides from 1; returns the count + 1. */
static lin assign_classes(struct side sd[2])
{
    lin total = sd[0].n + sd[1].n;
    size_t cap = 16;
    while (cap < (size_t)total * 2)
        cap *= 2;
    lin *table = xcalloc(cap, sizeof *table);   /* class numbers, 0 = empty */
    const struct line **rep = xmalloc(((size_t)total + 1) * sizeof *rep);
    uint64_t *rep_hash = xmalloc(((size_t)total + 1) * sizeof *rep_hash);
    lin nclasses = 1;

    for (int f = 0; f < 2; f++) {
        sd[f].equivs = xmalloc((size_t)(sd[f].n ? sd[f].n : 1) * sizeof(lin));
        for (lin i = 0; i < sd[f].n; i++) {
            const struct line *l = &sd[f].lines[i];
            uint64_t h = line_hash(l);
            size_t k = (size_t)h & (cap - 1);
            for (;; k = (k + 1) & (cap - 1)) {
                lin c = table[k];
                if (c == 0) {
                    c = nclasses++;
                    rep[c] = l;
                    rep_hash[c] = h;
                    table[k] = c;
                    sd[f].equivs[i] = c;
                    break;
                }
                if (rep_hash[c] == h && line_eq(rep[c], l)) {
                    sd[f].equivs[i] = c;
                    break;
                }
            }
        }
    }
    free(table);
    free(rep);
    free(rep_hash);
    return nclasses;
}

/* Lines that match nothing in the other side are certainly changed: mark
 * them so, and leave them out of the search. Lines that match very many
 * lines are left out too when they sit inside a run of such lines. The
 * rules (and their constants) are GNU diff's discard_confusing_lines. */
static void discard_confusing_lines(struct side sd[2], lin nclasses)
{
    lin *counts[2];
    char *discarded[2];
    for (int f = 0; f < 2; f++) {
        counts[f] = xcalloc((size_t)nclasses, sizeof(lin));
        for (lin i = 0; i < sd[f].n; i++)
            counts[f][sd[f].equivs[i]]++;
        discarded[f] = xcalloc((size_t)sd[f].n + 1, 1);
    }

    /* 1: matches nothing; 2: provisionally, matches "many" lines. */
    for (int f = 0; f < 2; f++) {
        lin end = sd[f].n;
        char *d = discarded[f];
        const lin *other = counts[1 - f];
        lin many = 5;
        /* Multiply by about the square root of the number of lines. */
        for (lin tem = end >> 6; (tem = tem >> 2) > 0;)
            many *= 2;
        for (lin i = 0; i < end; i++) {
            lin nmatch = other[sd[f].equivs[i]];
            if (nmatch == 0)
                d[i] = 1;
            else if (nmatch > many)
                d[i] = 2;
        }
    }

    /* Keep a provisional discard only inside a run of discards that
     * begins and ends with definite ones, and not too densely packed. */
    for (int f = 0; f < 2; f++) {
        lin end = sd[f].n;
        char *d = discarded[f];
        for (lin i = 0; i < end; i++) {
            if (d[i] == 2) {
                d[i] = 0;
                continue;
            }
            if (d[i] == 0)
                continue;
            /* A definite discard starts a run: find its end and count
             * the provisional ones in it. */
            lin j, provisional = 0;
            for (j = i; j < end && d[j] != 0; j++)
                if (d[j] == 2)
                    provisional++;
            while (j > i && d[j - 1] == 2) {
                d[--j] = 0;
                provisional--;
            }
            lin length = j - i;

            if (provisional * 4 > length) {
                /* Too many: keep none of them. (As in GNU diff, the scan
                 * then carries on inside this run.) */
                while (j > i)
                    if (d[--j] == 2)
                        d[j] = 0;
                continue;
            }

            /* minimum is about sqrt(length / 4) + 1: cancel every
             * subrun of that many provisional discards or more. */
            lin minimum = 1;
            for (lin tem = length >> 2; 0 < (tem >>= 2);)
                minimum <<= 1;
            minimum++;
            lin consec = 0;
            for (j = 0; j < length; j++) {
                if (d[i + j] != 2)
                    consec = 0;
                else if (minimum == ++consec)
                    j -= consec; /* back to the subrun's start */
                else if (minimum < consec)
                    d[i + j] = 0;
            }

            /* From the run's start, cancel provisionals until 3 definite
             * discards in a row or a definite one 8 or more lines in. */
            consec = 0;
            for (j = 0; j < length; j++) {
                if (j >= 8 && d[i + j] == 1)
                    break;
                if (d[i + j] == 2) {
                    consec = 0;
                    d[i + j] = 0;
                } else if (d[i + j] == 0) {
                    consec = 0;
                } else {
                    consec++;
                }
                if (consec == 3)
                    break;
            }

            /* Likewise from its end; i moves to the run's last line. */
            i += length - 1;
            consec = 0;
            for (j = 0; j < length; j++) {
                if (j >= 8 && d[i - j] == 1)
                    break;
                if (d[i - j] == 2) {
                    consec = 0;
                    d[i - j] = 0;
                } else if (d[i - j] == 0) {
                    consec = 0;
                } else {
                    consec++;
                }
                if (consec == 3)
                    break;
            }
        }
    }

    for (int f = 0; f < 2; f++) {
        lin n = sd[f].n, j = 0;
        sd[f].undiscarded = xmalloc((size_t)(n ? n : 1) * sizeof(lin));
        sd[f].realindexes = xmalloc((size_t)(n ? n : 1) * sizeof(lin));
        for (lin i = 0; i < n; i++) {
            if (discarded[f][i] == 0) {
                sd[f].undiscarded[j] = sd[f].equivs[i];
                sd[f].realindexes[j++] = i;
            } else {
                sd[f].changed[i] = 1;
            }
        }
        sd[f].nundiscarded = j;
        free(discarded[f]);
        free(counts[f]);
    }
}

/* ---- Myers' O(ND) search (Myers 1986, section 4.2) ---- */

struct ctx {
    const lin *xv, *yv;        /* the two class sequences */
    const lin *xreal, *yreal;  /* their indexes into the buffered lines */
    char *xchanged, *ychanged; /* flags of the buffered lines */
    lin *fd;                   /* by diagonal: furthest x going forward */
    lin *bd;                   /* by diagonal: least x going backward */
    lin too_expensive;         /* give up minimality beyond this cost */
};

struct partition {
    lin xmid, ymid;
    bool lo_minimal, hi_minimal;
};

/* Find the middle snake of the shortest edit script turning
 * x[xoff, xlim) into y[yoff, ylim), searching from both corners at once.
 * The first and the last elements of the two ranges must differ. */
static void diag(lin xoff, lin xlim, lin yoff, lin ylim, bool find_minimal,
                 struct partition *part, struct ctx *c)
{
    lin *const fd = c->fd;
    lin *const bd = c->bd;
    const lin *const xv = c->xv;
    const lin *const yv = c->yv;
    const lin dmin = xoff - ylim;
    const lin dmax = xlim - yoff;
    const lin fmid = xoff - yoff;
    const lin bmid = xlim - ylim;
    lin fmin = fmid, fmax = fmid;
    lin bmin = bmid, bmax = bmid;
    const bool odd = (fmid - bmid) & 1;

    fd[fmid] = xoff;
    bd[bmid] = xlim;

    for (lin cost = 1;; cost++) {
        lin d;

        /* One more edit step forward on every active diagonal. */
        if (fmin > dmin)
            fd[--fmin - 1] = -1;
        else
            fmin++;
        if (fmax < dmax)
            fd[++fmax + 1] = -1;
        else
            fmax--;
        for (d = fmax; d >= fmin; d -= 2) {
            lin tlo = fd[d - 1], thi = fd[d + 1];
            lin x = tlo < thi ? thi : tlo + 1;
            lin y = x - d;
            while (x < xlim && y < ylim && xv[x] == yv[y]) {
                x++;
                y++;
            }
            fd[d] = x;
            if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
                part->xmid = x;
                part->ymid = y;
                part->lo_minimal = part->hi_minimal = true;
                return;
            }
        }

        /* And one backward. */
        if (bmin > dmin)
            bd[--bmin - 1] = LIN_MAX;
        else
            bmin++;
        if (bmax < dmax)
            bd[++bmax + 1] = LIN_MAX;
        else
            bmax--;
        for (d = bmax; d >= bmin; d -= 2) {
            lin tlo = bd[d - 1], thi = bd[d + 1];
            lin x = tlo < thi ? tlo : thi - 1;
            lin y = x - d;
            while (xoff < x && yoff < y && xv[x - 1] == yv[y - 1]) {
                x--;
                y--;
            }
            bd[d] = x;
            if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
                part->xmid = x;
                part->ymid = y;
                part->lo_minimal = part->hi_minimal = true;
                return;
            }
        }

        if (find_minimal || cost < c->too_expensive)
            continue;

        /* Gone well beyond the call of duty: split at the furthest point
         * either search has reached, and let the halves be suboptimal. */
        lin fxybest = -1, fxbest = 0;
        for (d = fmax; d >= fmin; d -= 2) {
            lin x = fd[d] < xlim ? fd[d] : xlim;
            lin y = x - d;
            if (ylim < y) {
                x = ylim + d;
                y = ylim;
            }
            if (fxybest < x + y) {
                fxybest = x + y;
                fxbest = x;
            }
        }
        lin bxybest = LIN_MAX, bxbest = 0;
        for (d = bmax; d >= bmin; d -= 2) {
            lin x = bd[d] > xoff ? bd[d] : xoff;
            lin y = x - d;
            if (y < yoff) {
                x = yoff + d;
                y = yoff;
            }
            if (x + y < bxybest) {
                bxybest = x + y;
                bxbest = x;
            }
        }
        if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff)) {
            part->xmid = fxbest;
            part->ymid = fxybest - fxbest;
            part->lo_minimal = true;
            part->hi_minimal = false;
        } else {
            part->xmid = bxbest;
            part->ymid = bxybest - bxbest;
            part->lo_minimal = false;
            part->hi_minimal = true;
        }
        return;
    }
}

/* Mark the differences between x[xoff, xlim) and y[yoff, ylim). Recurses
 * on the smaller half and loops on the larger, so the depth stays
 * logarithmic. */
static void compareseq(lin xoff, lin xlim, lin yoff, lin ylim, bool find_minimal,
                       struct ctx *c)
{
    const lin *xv = c->xv, *yv = c->yv;

    for (;;) {
        while (xoff < xlim && yoff < ylim && xv[xoff] == yv[yoff]) {
            xoff++;
            yoff++;
        }
        while (xoff < xlim && yoff < ylim && xv[xlim - 1] == yv[ylim - 1]) {
            xlim--;
            ylim--;
        }
        if (xoff == xlim) {
            for (; yoff < ylim; yoff++)
                c->ychanged[c->yreal[yoff]] = 1;
            return;
        }
        if (yoff == ylim) {
            for (; xoff < xlim; xoff++)
                c->xchanged[c->xreal[xoff]] = 1;
            return;
        }

        struct partition part;
        diag(xoff, xlim, yoff, ylim, find_minimal, &part, c);

        if ((xlim + ylim) - (part.xmid + part.ymid) < (part.xmid + part.ymid) - (xoff + yoff)) {
            compareseq(part.xmid, xlim, part.ymid, ylim, part.hi_minimal, c);
            xlim = part.xmid;
            ylim = part.ymid;
            find_minimal = part.lo_minimal;
        } else {
            compareseq(xoff, part.xmid, yoff, part.ymid, part.lo_minimal, c);
            xoff = part.xmid;
            yoff = part.ymid;
            find_minimal = part.hi_minimal;
        }
    }
}

/* Where a run of changes could equally well sit a few lines up or down
 * (the lines at its ends repeat), move it as far down as it will go,
 * merging it with neighbouring runs when that is possible, and then back
 * up to line up with a run of changes in the other side if there is one.
 * This is GNU diff's shift_boundaries, so ties break the way diff(1)'s
 * do. */
static void shift_boundaries(struct side sd[2])
{
    for (int f = 0; f < 2; f++) {
        char *changed = sd[f].changed;
        const char *other_changed = sd[1 - f].changed;
        const lin *equivs = sd[f].equivs;
        lin i = 0, j = 0;
        const lin i_end = sd[f].n;

        for (;;) {
            /* Find the start of the next run, tracking the corresponding
             * line j of the other side. */
            while (i < i_end && !changed[i]) {
                while (other_changed[j++])
                    continue;
                i++;
            }
            if (i == i_end)
                break;
            lin start = i;

            while (changed[++i])
                continue;
            while (other_changed[j])
                j++;

            lin runlength, corresponding;
            do {
                runlength = i - start;

                /* Up, while the line above equals the run's last line. */
                while (start && equivs[start - 1] == equivs[i - 1]) {
                    changed[--start] = 1;
                    changed[--i] = 0;
                    while (changed[start - 1])
                        start--;
                    while (other_changed[--j])
                        continue;
                }

                /* The run's end, at the last place where it lines up
                 * with a run in the other side; i_end if nowhere. */
                corresponding = other_changed[j - 1] ? i : i_end;

                /* Down, while the line below equals the run's first. */
                while (i != i_end && equivs[start] == equivs[i]) {
                    changed[start++] = 0;
                    changed[i++] = 1;
                    while (changed[i])
                        i++;
                    while (other_changed[++j])
                        corresponding = i;
                }
            } while (runlength != i - start);

            /* Back up to line up with the other side's run, if any. */
            while (corresponding < i) {
                changed[--start] = 1;
                changed[--i] = 0;
                while (other_changed[--j])
                    continue;
            }
        }
    }
}

/* ---- output ---- */

struct change {
    lin line0, line1;     /* first line affected in each text (0-based) */
    lin deleted, inserted;
};

static void add_line(struct buf *out, char mark, const struct line *l)
{
    buf_addc(out, mark);
    buf_add(out, l->s, l->len);
    buf_addc(out, '\n');
    if (!l->nl)
        buf_adds(out, "\\ No newline at end of file\n");
}

/* Lines a..b (0-based, inclusive) as a unified hunk range: "start,count",
 * just "start" for one line, "before,0" (the line before) for none. */
static void add_range(struct buf *out, lin a, lin b)
{
    lin ta = a + 1, tb = b + 1;
    if (tb < ta)
        buf_addf(out, "%td,0", tb);
    else if (tb == ta)
        buf_addf(out, "%td", tb);
    else
        buf_addf(out, "%td,%td", ta, tb - ta + 1);
}

static void add_hunk(struct buf *out, const struct text *t0, const struct text *t1,
                     const struct change *ch, size_t nch)
{
    const struct change *last = &ch[nch - 1];
    lin first0 = ch[0].line0, first1 = ch[0].line1;
    lin last0 = last->line0 + last->deleted - 1;
    lin last1 = last->line1 + last->inserted - 1;

    first0 = first0 - CONTEXT > 0 ? first0 - CONTEXT : 0;
    first1 = first1 - CONTEXT > 0 ? first1 - CONTEXT : 0;
    last0 = last0 < t0->n - CONTEXT ? last0 + CONTEXT : t0->n - 1;
    last1 = last1 < t1->n - CONTEXT ? last1 + CONTEXT : t1->n - 1;

    buf_adds(out, "@@ -");
    add_range(out, first0, last0);
    buf_adds(out, " +");
    add_range(out, first1, last1);
    buf_adds(out, " @@\n");

    lin i = first0, j = first1;
    size_t k = 0;
    while (i <= last0 || j <= last1) {
        if (k == nch || i < ch[k].line0) {
            add_line(out, ' ', &t0->lines[i++]);
            j++;
        } else {
            for (lin n = 0; n < ch[k].deleted; n++)
                add_line(out, '-', &t0->lines[i++]);
            for (lin n = 0; n < ch[k].inserted; n++)
                add_line(out, '+', &t1->lines[j++]);
            k++;
        }
    }
}

char *diff_unified(const char *old_text, const char *new_text, const char *old_name,
                   const char *new_name)
{
    if (strcmp(old_text, new_text) == 0)
        return xstrdup("");

    struct text t[2];
    text_split(&t[0], old_text);
    text_split(&t[1], new_text);
    lin n0 = t[0].n, n1 = t[1].n;
    lin nmin = n0 < n1 ? n0 : n1;

    /* Identical ends, less the horizon: outside the comparison. */
    lin prefix = 0;
    while (prefix < nmin && line_eq(&t[0].lines[prefix], &t[1].lines[prefix]))
        prefix++;
    lin skip_front = prefix > HORIZON ? prefix - HORIZON : 0;
    lin suffix = 0;
    while (suffix < nmin - skip_front &&
           line_eq(&t[0].lines[n0 - 1 - suffix], &t[1].lines[n1 - 1 - suffix]))
        suffix++;
    lin skip_back = suffix > HORIZON ? suffix - HORIZON : 0;

    struct side sd[2];
    for (int f = 0; f < 2; f++) {
        memset(&sd[f], 0, sizeof sd[f]);
        sd[f].lines = t[f].lines + skip_front;
        sd[f].n = t[f].n - skip_front - skip_back;
        sd[f].changed = t[f].changed + skip_front;
    }

    lin nclasses = assign_classes(sd);
    discard_confusing_lines(sd, nclasses);

    struct ctx c;
    c.xv = sd[0].undiscarded;
    c.yv = sd[1].undiscarded;
    c.xreal = sd[0].realindexes;
    c.yreal = sd[1].realindexes;
    c.xchanged = sd[0].changed;
    c.ychanged = sd[1].changed;
    lin diags = sd[0].nundiscarded + sd[1].nundiscarded + 3;
    lin *fdiag = xmalloc((size_t)diags * 2 * sizeof(lin));
    c.fd = fdiag + sd[1].nundiscarded + 1;
    c.bd = fdiag + diags + sd[1].nundiscarded + 1;
    /* About the square root of the input size, at least 4096. */
    lin too_expensive = 1;
    for (lin dd = diags; dd != 0; dd >>= 2)
        too_expensive <<= 1;
    c.too_expensive = too_expensive > 4096 ? too_expensive : 4096;

    compareseq(0, sd[0].nundiscarded, 0, sd[1].nundiscarded, false, &c);
    free(fdiag);

    shift_boundaries(sd);

    /* The edit script, in order. */
    struct change *ch = xmalloc((size_t)(n0 + n1 + 1) * sizeof *ch);
    size_t nch = 0;
    const char *c0 = t[0].changed, *c1 = t[1].changed;
    for (lin i0 = 0, i1 = 0; i0 < n0 || i1 < n1; i0++, i1++) {
        if (c0[i0] || c1[i1]) {
            struct change *e = &ch[nch++];
            e->line0 = i0;
            e->line1 = i1;
            while (c0[i0])
                i0++;
            while (c1[i1])
                i1++;
            e->deleted = i0 - e->line0;
            e->inserted = i1 - e->line1;
        }
    }

    struct buf out = BUF_INIT;
    if (nch) {
        buf_addf(&out, "--- %s\n+++ %s\n", old_name, new_name);
        /* A hunk takes the next change while no more than 2 * CONTEXT
         * unchanged lines separate them (GNU's find_hunk). */
        for (size_t h = 0; h < nch;) {
            size_t e = h;
            while (e + 1 < nch &&
                   ch[e + 1].line0 - (ch[e].line0 + ch[e].deleted) < 2 * CONTEXT + 1)
                e++;
            add_hunk(&out, &t[0], &t[1], &ch[h], e - h + 1);
            h = e + 1;
        }
    }

    free(ch);
    for (int f = 0; f < 2; f++) {
        free(sd[f].equivs);
        free(sd[f].undiscarded);
        free(sd[f].realindexes);
        text_free(&t[f]);
    }
    return buf_detach(&out);
}
