/* fuzz-env: the environment reader (LCFG_xen__RESOURCES and LCFG_xen_*
 * as ngeneric exports them); the input's lines are the environment. */
#include <stdlib.h>
#include <string.h>

#include "fuzzlib.h"
#include "profile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    size_t n = 1;
    for (char *p = text; *p; p++)
        n += *p == '\n';
    char **envp = xcalloc(n + 1, sizeof(*envp));
    size_t k = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        envp[k++] = l;
    struct resset *rs = resset_new();
    char *err = NULL;
    if (profile_env_present(envp) && profile_read_env(envp, rs, &err) == 0)
        fuzz_check_resources(rs);
    free(err);
    resset_free(rs);
    free(envp);
    free(text);
    return 0;
}
