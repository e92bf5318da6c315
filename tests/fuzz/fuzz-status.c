/* fuzz-status: the status-file reader, then validation and rendering. */
#include <stdlib.h>
#include <string.h>

#include "fuzzlib.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    struct resset *rs = resset_new();
    char *err = NULL;
    if (profile_parse_status(text, "fuzz", rs, &err) == 0) {
        fuzz_check_resources(rs);
        /* What is read can be written and read back the same. */
        char *again = profile_format_status(rs);
        struct resset *rs2 = resset_new();
        char *err2 = NULL;
        if (profile_parse_status(again, "again", rs2, &err2) != 0)
            abort();
        char *twice = profile_format_status(rs2);
        if (strcmp(again, twice))
            abort();
        free(twice);
        free(again);
        free(err2);
        resset_free(rs2);
    }
    free(err);
    resset_free(rs);
    free(text);
    return 0;
}
