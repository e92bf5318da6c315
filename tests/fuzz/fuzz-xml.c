/* fuzz-xml: the XML profile reader (its cfg:context expressions under a
 * few active contexts), then validation and rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "context.h"
#include "fuzzlib.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The reader takes a file, as the component does. */
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof(path), "%s/profile.xml", fuzz_root());
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    static struct ctxlist *ctx;
    if (!ctx && ctx_parse("install=yes\nmaint=no\nenv=prod\n", "fuzz", &ctx, NULL) < 0)
        abort();
    struct xml_source src = { .contexts = ctx };
    struct resset *rs = resset_new();
    char *err = NULL;
    if (profile_read_xml_ex(path, &src, rs, NULL, &err) == 0)
        fuzz_check_resources(rs);
    free(err);
    resset_free(rs);
    return 0;
}
