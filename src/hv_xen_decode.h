/* hv_xen_decode.h: the pure parts of the Xen backend (hv_xen.c), exposed
 * for the unit tests only: decoding the hypervisor's domain records,
 * formatting uuids, building xenstore paths and xl command lines. Nothing
 * here talks to Xen, and this header does not include <xenctrl.h> (which
 * needs -std=gnu11): a record is passed as a pointer to the struct that
 * xc_domaininfo_t names, so only the callers that build one need the real
 * header. Not part of the component's interface. */
#ifndef LCFGXEN_HV_XEN_DECODE_H
#define LCFGXEN_HV_XEN_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "hv.h"

/* xc_domaininfo_t is a typedef of this struct (xenctrl.h). */
struct xen_domctl_getdomaininfo;

/* How many domain records one xc_domain_getinfolist call asks for. */
#define HV_XEN_BATCH 256

/* Fill *d from one hypervisor record: domid, uuid, state and shutdown
 * reason, memory (KiB), vcpus and cpu time. The fields that only xenstore
 * knows (name, target_kb, start_time) are left empty ("" and 0). */
void hv_xen_decode(const struct xen_domctl_getdomaininfo *info, struct hv_domain *d);

/* A domain handle (16 bytes) as a lower-case 8-4-4-4-12 uuid; out has
 * room for 37 bytes. */
void hv_xen_format_uuid(const uint8_t handle[16], char out[37]);

/* "/local/domain/<domid>/<leaf>". Caller frees. */
char *hv_xen_dom_path(unsigned domid, const char *leaf);

/* "/vm/<uuid>/<leaf>": where libxl keeps toolstack data such as
 * start_time. Caller frees. */
char *hv_xen_vm_path(const char *uuid, const char *leaf);

/* The whole seconds of a xenstore time stamp such as start_time: digits,
 * optionally followed by a fraction ("1700000000.25"). False on anything
 * else (empty, sign, junk, more than 18 digits). */
bool hv_xen_parse_seconds(const char *s, long long *ret);

/* The uuid an xl config text sets (its last uuid = "..." statement),
 * lower-case, into out (37 bytes). False when it sets none, or the last
 * one is no uuid. */
bool hv_xen_config_uuid(const char *text, char out[37]);

/* The xl command lines, NULL-terminated, argv[0] = xl. Free them with
 * hv_xen_argv_free. */
char **hv_xen_argv_create(const char *xl, const char *path);   /* create -q -f PATH */
char **hv_xen_argv_destroy(const char *xl, unsigned domid);    /* destroy ID */
char **hv_xen_argv_mem_set(const char *xl, unsigned domid,
                           unsigned long long kb);             /* mem-set ID <kb>k */
char **hv_xen_argv_vcpu_set(const char *xl, unsigned domid, unsigned n); /* vcpu-set ID N */
char **hv_xen_argv_rename(const char *xl, unsigned domid,
                          const char *name);                   /* rename ID NAME */
char **hv_xen_argv_trigger_power(const char *xl, unsigned domid); /* trigger ID power */
void hv_xen_argv_free(char **argv);

#endif
