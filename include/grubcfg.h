/* grubcfg.h: what a GRUB configuration says about booting Xen, for the
 * check of a boot loader that another component owns (xen.grubowner
 * lcfg-grub): the component reads it, never writes it. Two syntaxes:
 * GRUB 2's grub.cfg, where a Xen entry loads the hypervisor with
 * multiboot, multiboot2 or xen_hypervisor (as grub-mkconfig's
 * 20_linux_xen writes it), and GRUB legacy's grub.conf or menu.lst
 * ("title" entries; Xen is the "kernel" line of a xen image, followed by
 * the dom0 kernel as a "module", as EL5's kernel-xen installs it). Pure:
 * text in, findings out. */
#ifndef LCFGXEN_GRUBCFG_H
#define LCFGXEN_GRUBCFG_H

#include <stdbool.h>
#include <stddef.h>

struct grub_xen {
    bool legacy;         /* GRUB legacy syntax ("title" entries) */
    size_t nxen;         /* lines that load a Xen hypervisor */
    char *missing;       /* of the wanted options, those the Xen line with
                          * the most of them lacks, space-separated ("":
                          * none); NULL when there is no Xen line */
    /* GRUB legacy only (GRUB 2's default, a title, an id or a saved
     * entry, is not resolved): */
    long dflt;           /* the "default" entry (0 when not set), -1 when
                          * it is not a number ("saved") */
    int default_xen;     /* 1: that entry loads Xen; 0: it does not (or
                          * does not exist); -1: unknown */
    char *default_title; /* its title, NULL when it does not exist */
};

/* Scan text (a whole GRUB configuration) for Xen entries; want: the Xen
 * options asked for, space-separated (each must be a word of one Xen
 * line). Free out with grub_xen_free. */
void grub_xen_scan(const char *text, const char *want, struct grub_xen *out);

void grub_xen_free(struct grub_xen *g);

#endif
