/* saverec.h: the record of a guest saved by stop (xen.onhostshutdown
 * save), one file per guest UUID under /var/lib/lcfg/xen/saved, written
 * whole and atomically before its save begins and removed once start has
 * dealt with its image. It says where the image is (so that a change of
 * xen.savedir since loses no image), the guest's name then, when, and the
 * text of the config file it ran from: start restores the image only when
 * the config file it would boot now holds exactly that text. The whole
 * text, not a digest of it: a byte-for-byte comparison needs no hash kept
 * stable across versions, and an admin can read what the guest ran with.
 *
 * The image is complete only once it is at its path: a save writes
 * <path>.part, renamed to path when it has ended well. */
#ifndef LCFGXEN_SAVEREC_H
#define LCFGXEN_SAVEREC_H

#include <stddef.h>

struct saverec {
    char uuid[37];    /* lower case */
    char *image;      /* host path of the image */
    char *name;       /* the guest's name when it was saved */
    long long when;   /* seconds since 1970 */
    char *cfgpath;    /* host path of the config file it ran from */
    char *config;     /* that file's text */
};

/* Write uuid's record under root (durably). Returns 0, or -1 with *err. */
int saverec_write(const char *root, const struct saverec *r, char **err);

/* Read uuid's record: 0, 1 when there is none, -1 with *err (unreadable
 * or damaged). */
int saverec_read(const char *root, const char *uuid, struct saverec *r, char **err);

/* Remove uuid's record (none is fine). Returns 0, or -1 with *err. */
int saverec_remove(const char *root, const char *uuid, char **err);

/* The UUIDs that have a record, sorted (caller frees each and *ret).
 * Returns 0, or -1 with *err. Files that are not records (temporaries)
 * are skipped. */
int saverec_list(const char *root, char ***ret, size_t *n, char **err);

void saverec_free(struct saverec *r);

#endif
