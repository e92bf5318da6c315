/* model_impl.h: what model.c shares with its helper modules (model_cpu.c).
 * Not public. */
#ifndef LCFGXEN_MODEL_IMPL_H
#define LCFGXEN_MODEL_IMPL_H

#include "model.h"
#include "util.h"

/* Where a message comes from: "guest 'web1': resource mac_web1" or
 * "resource configdir". */
struct where {
    struct errlist *errs;
    const struct guest *g; /* NULL for host resources */
};

/* Append "guest 'T': resource F_T: 'VALUE' WHY" (value NULL: without it). */
void model_bad(const struct where *w, int field, const char *value, const char *fmt, ...)
    ATTR_PRINTF(4, 5);
/* An integer resource within [min, max]; empty is "missing" when required,
 * otherwise *out is left as it is. Returns false on error. */
bool model_get_uint(const struct where *w, int field, const char *v, unsigned long long min,
                    unsigned long long max, const char *unit, bool required,
                    unsigned long *out);
/* The index of v in names, or -1 with "is not a WHAT (a, b or c)". */
int model_get_enum(const struct where *w, int field, const char *v, const char *const *names,
                   size_t n, const char *what);

#define bad model_bad
#define get_uint model_get_uint
#define get_enum model_get_enum

/* model_cpu.c: firmware and boot order, CPU placement (a guest's), and
 * the host's CPU pools. */
void model_check_boot(struct host *h, struct guest *g, struct errlist *errs);
void model_check_cpu(struct host *h, struct guest *g, struct errlist *errs);
void model_check_cpupools(struct host *h, struct errlist *errs);

#endif
