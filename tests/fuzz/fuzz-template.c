/* fuzz-template: the template engine on any text, with a few resources
 * and an include of a fixed template. Errors must name the file and a
 * line; output and errors are freed (ASan finds leaks and overruns). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lookup(void *ctx, const char *name, const char **derivation)
{
    (void)ctx;
    static const char *const res[][2] = {
        { "name", "web1" }, { "list", "a b c" }, { "empty", "" }, { "yes", "yes" },
        { "memory_web1", "512" }, { "tag", "web1" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(res); i++)
        if (!strcmp(name, res[i][0])) {
            if (derivation)
                *derivation = "fuzz:1";
            return res[i][1];
        }
    return NULL;
}

static int include(void *ctx, const char *name, char **ret_text, char **err)
{
    (void)ctx;
    if (!strcmp(name, "self.tmpl")) {
        *ret_text = xstrdup("<%include: self.tmpl%>");
        return 0;
    }
    if (!strcmp(name, "part.tmpl")) {
        *ret_text = xstrdup("[<%name%><%for: x=<%list%>%>,<%x%><%end:%>]\n");
        return 0;
    }
    *err = xstrdup("no such template");
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xstrndup((const char *)data, size);
    struct tmpl_env env = { lookup, include, NULL };
    char *out = NULL, *err = NULL;
    if (tmpl_render(text, "f.tmpl", &env, &out, &err) < 0) {
        if (!err || (strncmp(err, "f.tmpl:", 7) && strncmp(err, "self.tmpl:", 10) &&
                     strncmp(err, "part.tmpl:", 10)))
            abort(); /* every error names the file and line */
    }
    free(out);
    free(err);
    free(text);
    return 0;
}
