/* model_groups.h: what model.c shares with model_groups.c (not public):
 * the limits of the values, and the steps model_build calls. */
#ifndef LCFGXEN_MODEL_GROUPS_H
#define LCFGXEN_MODEL_GROUPS_H

#include "model.h"

#define MAX_MEMORY_MB 16777216ULL  /* 16 TiB */
#define MIN_MEMORY_MB 16ULL
#define MAX_VCPUS 512ULL
#define MAX_BOOT_ORDER 999ULL
#define MAX_DISK_GB 1048576ULL     /* 1 PB */

/* model_groups.c. groups_read: once the host's resources are in h->rs,
 * read the list xen.groups (its tags checked, the list kept normalised)
 * and add each group's resources to h->rs after the host's, in list
 * order and schema order (the status file's order). */
void groups_read(struct host *h, const struct resset *input, struct errlist *errs);
/* The group a resource name would belong to if its group were listed
 * ("groupvcpus_web" -> "web"), for the message about it; else NULL. */
const char *groups_unlisted_tag(const char *name);
/* Once h->rs is complete: each group's values (checked). */
void groups_check(struct host *h, struct errlist *errs);
/* Each guest's group, and its empty inheritable fields filled from the
 * group, else from their built-in defaults (before the guests are
 * checked, so that every check sees the effective values). */
void groups_resolve(struct host *h, struct errlist *errs);

/* g's fields as the input gave them, in res (GF_COUNT): those the model
 * filled are "" (the status file keeps the input). Returns false (res
 * untouched) when it filled none. */
bool groups_input(const struct guest *g, const char **res);

#endif
