/* cpulist.h: CPU lists as xl.cfg(5) and xl(1) write them ("0-3,6",
 * "all", "^1" to leave one out), as a set of physical CPUs. */
#ifndef LCFGXEN_CPULIST_H
#define LCFGXEN_CPULIST_H

#include <stdbool.h>
#include <stddef.h>

/* The highest CPU number a list may name, plus one. */
#define CPULIST_MAX 1024

struct cpuset {
    unsigned char bits[CPULIST_MAX / 8];
};

/* Parse comma-separated items N, N-M (N <= M) or all and, after at
 * least one of those, ^N or ^N-M (taken out again), N < CPULIST_MAX
 * ("all,^0": every CPU but 0). allow_all: all and ^ items are accepted. Returns NULL and fills *set,
 * or why the text is not a CPU list (a static string). "all" is every
 * CPU below CPULIST_MAX. */
const char *cpulist_parse(const char *s, bool allow_all, struct cpuset *set);

/* The set as xl prints it: "all" when every CPU below ncpus is in it (and
 * none above), "none" when it is empty, else ranges "0-3,6". Only CPUs
 * below ncpus count. Caller frees. */
char *cpulist_format(const struct cpuset *set, unsigned ncpus);

static inline bool cpuset_has(const struct cpuset *s, unsigned cpu)
{
    return cpu < CPULIST_MAX && (s->bits[cpu / 8] >> (cpu % 8)) & 1;
}

static inline void cpuset_add(struct cpuset *s, unsigned cpu)
{
    if (cpu < CPULIST_MAX)
        s->bits[cpu / 8] |= (unsigned char)(1u << (cpu % 8));
}

static inline void cpuset_del(struct cpuset *s, unsigned cpu)
{
    if (cpu < CPULIST_MAX)
        s->bits[cpu / 8] &= (unsigned char)~(1u << (cpu % 8));
}

/* Is a a subset of b? Do they share a CPU (the first in *cpu)? */
bool cpuset_subset(const struct cpuset *a, const struct cpuset *b);
bool cpuset_overlap(const struct cpuset *a, const struct cpuset *b, unsigned *cpu);
bool cpuset_empty(const struct cpuset *s);

#endif
