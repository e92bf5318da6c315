/* context.h: LCFG contexts, evaluated as lcfg-core does (common/context/:
 * context.c, list.c, tools.c, lexer.l, parser.y): the client's active
 * contexts, and the cfg:context expressions of a profile's resources, each
 * of which is worth a priority. A value whose priority is negative is not
 * applied; of the others, the highest priority wins. */
#ifndef LCFGXEN_CONTEXT_H
#define LCFGXEN_CONTEXT_H

#include <stddef.h>

/* The client's active contexts (lcfgcontext_load_active: the file .active
 * in the context directory). */
#define CONTEXT_ACTIVE_FILE ".active"

struct ctxlist;

/* The active contexts in the file at path: one NAME=VALUE a line (blank
 * lines and '#' comments skipped); a context's priority is its line
 * number; a name given again takes the later line's value and priority,
 * unless the value is the same. A missing file is no context. Returns 0
 * with *ret set (free with ctx_free), or -1 with *err set. */
int ctx_load(const char *path, struct ctxlist **ret, char **err);
/* The same from text in memory; name is used in messages. */
int ctx_parse(const char *text, const char *name, struct ctxlist **ret, char **err);
void ctx_free(struct ctxlist *l);

/* The priority of a cfg:context expression (l may be NULL: no context is
 * active): 0 for an empty expression; otherwise the priority of the
 * contexts that decide it, positive when it holds and negative when not.
 * Returns 0, or -1 with *err set when the expression is not valid. */
int ctx_eval(const struct ctxlist *l, const char *expr, int *ret_prio, char **err);

/* Two expressions as one that holds when both do, written as lcfg-core
 * writes it (a record's resources take their list's context this way);
 * either may be NULL or empty. Caller frees. */
char *ctx_combine(const char *a, const char *b);

/* The contexts in priority order, lowest first (the order in which
 * lcfg-core applies context override profiles). */
size_t ctx_count(const struct ctxlist *l);
/* The i-th: its name, its value (NULL when it has none) and priority. */
void ctx_at(const struct ctxlist *l, size_t i, const char **name, const char **value,
            int *prio);

#endif
