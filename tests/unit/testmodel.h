/* testmodel.h: the model of a host from status-file text (resources as
 * "xen.name=value" lines), for the unit tests that start from one. */
#ifndef LCFGXEN_TESTMODEL_H
#define LCFGXEN_TESTMODEL_H

#include "model.h"
#include "profile.h"
#include "resources.h"
#include "testutil.h"

/* The host text describes, or NULL with the model's errors in errs. */
static inline struct host *test_host_build(const char *text, struct errlist *errs)
{
    struct resset *rs = resset_new();
    char *err = NULL;
    if (profile_parse_status(text, "test", rs, &err) < 0)
        fail_msg("status text: %s", err);
    struct host *h = model_build(rs, errs);
    resset_free(rs);
    return h;
}

/* The host text describes; fails the test with the model's first error. */
static inline struct host *test_host(const char *text)
{
    struct errlist errs = { 0 };
    struct host *h = test_host_build(text, &errs);
    if (!h)
        fail_msg("model: %s", errs.n ? errs.v[0] : "?");
    errlist_free(&errs);
    return h;
}

#endif
