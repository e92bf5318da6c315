/* render.h: a guest's configuration file, rendered from its template.
 *
 * The template sees, by name: the guest's resources without the tag
 * (memory, mac, ...), with the derived defaults applied (name, maxmem,
 * maxvcpus, bootloader), helper values (tag, template, hvm, disk_target,
 * disk_vdev, disk_format, disk_xmtype, and the same for disksec_*,
 * cdrom_vdev, installing, install_boot), the host resources, and every resource by its full name
 * (memory_testVMxen). The result must pass xlcfg_check. */
#ifndef LCFGXEN_RENDER_H
#define LCFGXEN_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* The template file name a guest uses (its own, the host's, or the
 * default for the host's format). Borrowed. */
const char *render_template_name(const struct host *h, const struct guest *g);

/* Parsed templates, kept between the guests of one run (most guests
 * share one template). */
struct render_cache;
struct render_cache *render_cache_new(void);
void render_cache_free(struct render_cache *rc);

/* Render guest g. Templates are read from root + templatedir, through
 * cache. Returns 0 and the text in
 * *ret_text (caller frees), or -1 with *err naming the guest and the
 * template file and line. */
int render_guest(const struct host *h, const struct guest *g, const char *root,
                 struct render_cache *cache, char **ret_text, char **err);

/* Render guest g's install config (install.h): the same template, where
 * the guest has the installer as kernel, ramdisk and cmdline (install
 * kernel; installextra with @name@, @mac@, @uuid@, @tag@ replaced by the
 * guest's), no boot loader, on_poweroff, on_reboot and on_crash
 * "preserve" (the domain stays, shut down with its reason, until the
 * component has read how the install ended), and the helpers installing
 * ("yes"; empty in the normal config) and install_boot ("n" for pxe, "d"
 * for cdrom). */
int render_guest_install(const struct host *h, const struct guest *g, const char *root,
                         struct render_cache *cache, char **ret_text, char **err);

/* What a render asked, so that a later run can tell without rendering
 * whether the text would come out the same: a template's text is a
 * function of the program, the template, the check's format and the
 * answers to its questions, asked in an order that only earlier answers
 * decide. So asking the same names in the same order (render_replay) and
 * getting the same answers, digested, means the same text. */
struct render_trace {
    char *names;                 /* space-separated, in order; "#name": with
                                  * its derivation */
    unsigned long long digest;   /* of all that, answers included */
    unsigned long long out_hash; /* of the text */
    size_t out_len;
    bool usable;                 /* false: it included files, or asked for a
                                  * name that is not one word */
};
void render_trace_free(struct render_trace *t);

/* render_guest, also filling *trace on success. */
int render_guest_traced(const struct host *h, const struct guest *g, const char *root,
                        struct render_cache *cache, char **ret_text, struct render_trace *trace,
                        char **err);

/* The digest a render of g would have now, asking the names of a trace.
 * Returns 0, or -1 when the template cannot be read or the questions
 * cannot be replayed. */
int render_replay(const struct host *h, const struct guest *g, const char *root,
                  struct render_cache *cache, const char *names, unsigned long long *digest);

#endif
