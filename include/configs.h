/* configs.h: the guest configuration files and autostart links on disk:
 * compare what the profile wants with what exists (plan), then make it so
 * (apply). Nothing here prints; the method layer reports each item. */
#ifndef LCFGXEN_CONFIGS_H
#define LCFGXEN_CONFIGS_H

#include <stddef.h>

#include "model.h"

enum cfg_action {
    CFG_CREATE,     /* a new config file */
    CFG_UPDATE,     /* a config file whose content changes */
    CFG_UNCHANGED,  /* nothing to do */
    CFG_RETIRE,     /* a guest left the profile: move its config aside */
    CFG_LINK,       /* create (or correct) an autostart link */
    CFG_UNLINK,     /* remove an autostart link */
    CFG_WARN,       /* something to report that the component leaves alone */
    CFG_HELD,       /* a new or changed config not written: its guest is held
                     * back (a disk refused); the method layer says why */
};

struct cfg_item {
    enum cfg_action action;
    char *guest;   /* the guest's name */
    char *path;    /* the host path acted on (no root prefix) */
    char *dest;    /* CFG_RETIRE: where it goes; CFG_LINK: the link target */
    char *text;    /* CFG_CREATE/UPDATE: the new content */
    char *old;     /* CFG_UPDATE: the current content */
    char *note;    /* CFG_WARN: what to say */
    size_t index;  /* CFG_CREATE/UPDATE/UNCHANGED: the guest's position */
    int failed;    /* after apply: 1 when it could not be done (see err) */
    char *err;
};

struct cfg_plan {
    struct cfg_item *v;
    size_t n;
};

/* Guest g's config file (host path; caller frees). */
char *configs_path(const struct host *h, const struct guest *g);

/* Plan the files for host cur (texts[i] is guest i's rendered config, or
 * NULL when it is known to be current already),
 * given the previously applied configuration prev (NULL when there is
 * none). now stamps retired files. Returns 0, or -1 with *err. */
int configs_plan(const struct host *cur, char *const *texts, const struct host *prev,
                 const char *root, long long now, struct cfg_plan *plan, char **err);

/* Add to plan the retirement of the config file of a guest that was
 * called name (a renamed guest's old name, known from the record even
 * when the saved configuration never had it), when the file is there, no
 * guest of cur has that name and the plan has nothing for it yet. */
void configs_plan_retire(const struct host *cur, const char *name, const char *root, long long now,
                         struct cfg_plan *plan);

/* Carry the plan out; each item's failed/err say how it went. Returns the
 * number of items that failed. */
size_t configs_apply(struct cfg_plan *plan, const char *root);

void configs_plan_free(struct cfg_plan *plan);

#endif
