/* cpulist.c: CPU lists (see cpulist.h). The syntax is the part of xl's
 * (tools/xl/xl_parse.c, parse_cpurange at 4.17) that names CPUs: no
 * "node:" or "socket:" items, which depend on the host's topology. */
#include "cpulist.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A CPU number: decimal digits without a leading zero (but "0"). */
static const char *cpu_number(const char *p, unsigned *out)
{
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
        return NULL;
    unsigned long v = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v >= CPULIST_MAX)
            return NULL;
    }
    *out = (unsigned)v;
    return p;
}

const char *cpulist_parse(const char *s, bool allow_all, struct cpuset *set)
{
    memset(set, 0, sizeof(*set));
    if (!*s)
        return "is not a CPU list (empty)";
    bool any = false;
    for (const char *p = s;;) {
        bool out = *p == '^';
        if (out) {
            if (!allow_all)
                return "is not a CPU list here (no ^ items: name the CPUs)";
            if (!any)
                return "is not a CPU list (a ^ item must follow the CPUs it takes out of)";
            p++;
        }
        unsigned lo, hi;
        const char *e;
        if (!out && !strncmp(p, "all", 3) && (p[3] == ',' || !p[3])) {
            if (!allow_all)
                return "is not a CPU list here (no \"all\": name the CPUs, 2-3,6)";
            memset(set->bits, 0xff, sizeof(set->bits));
            any = true;
            e = p + 3;
            if (!*e)
                break;
            p = e + 1;
            continue;
        }
        e = cpu_number(p, &lo);
        if (!e)
            return "is not a CPU list (items N or N-M, N a CPU number below 1024, separated by ',')";
        hi = lo;
        if (*e == '-') {
            e = cpu_number(e + 1, &hi);
            if (!e)
                return "is not a CPU list (items N or N-M, N a CPU number below 1024, separated by ',')";
            if (hi < lo)
                return "is not a CPU list (a range N-M needs N <= M)";
        }
        for (unsigned c = lo; c <= hi; c++)
            out ? cpuset_del(set, c) : cpuset_add(set, c);
        any = true;
        if (!*e)
            break;
        if (*e != ',')
            return "is not a CPU list (items N or N-M, N a CPU number below 1024, separated by ',')";
        p = e + 1;
    }
    if (cpuset_empty(set))
        return "selects no CPU";
    return NULL;
}

char *cpulist_format(const struct cpuset *set, unsigned ncpus)
{
    if (ncpus > CPULIST_MAX)
        ncpus = CPULIST_MAX;
    struct buf b = BUF_INIT;
    unsigned n = 0;
    for (unsigned c = 0; c < ncpus; c++)
        n += cpuset_has(set, c);
    if (ncpus && n == ncpus)
        return xstrdup("all");
    if (n == 0)
        return xstrdup("none");
    for (unsigned c = 0; c < ncpus;) {
        if (!cpuset_has(set, c)) {
            c++;
            continue;
        }
        unsigned e = c;
        while (e + 1 < ncpus && cpuset_has(set, e + 1))
            e++;
        if (b.len)
            buf_addc(&b, ',');
        if (e == c)
            buf_addf(&b, "%u", c);
        else
            buf_addf(&b, "%u-%u", c, e);
        c = e + 1;
    }
    return buf_detach(&b);
}

bool cpuset_subset(const struct cpuset *a, const struct cpuset *b)
{
    for (size_t i = 0; i < sizeof(a->bits); i++)
        if (a->bits[i] & ~b->bits[i])
            return false;
    return true;
}

bool cpuset_overlap(const struct cpuset *a, const struct cpuset *b, unsigned *cpu)
{
    for (unsigned c = 0; c < CPULIST_MAX; c++)
        if (cpuset_has(a, c) && cpuset_has(b, c)) {
            *cpu = c;
            return true;
        }
    return false;
}

bool cpuset_empty(const struct cpuset *s)
{
    for (size_t i = 0; i < sizeof(s->bits); i++)
        if (s->bits[i])
            return false;
    return true;
}
