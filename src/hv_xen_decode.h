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
#include <stddef.h>
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
/* hv_xen_devices.c's: block-attach ID SPEC (one word, as xl's disk parser
 * takes it); network-attach ID KEY=VALUE... (the vif item split at its
 * commas, leading blanks skipped, as xl splits one). */
char **hv_xen_argv_block_attach(const char *xl, unsigned domid, const char *spec);
char **hv_xen_argv_network_attach(const char *xl, unsigned domid, const char *spec);

/* ---- moving guests (hv_xen.c's save, restore, migrate, send,
 * restore_at) ---- */

/* s quoted for sh: in single quotes, a quote as '\''. Caller frees. */
char *hv_xen_sh_quote(const char *s);
/* The words of argv (NULL-terminated), each quoted for sh, joined by
 * blanks: how xl migrate -s takes a command. Caller frees. */
char *hv_xen_sh_join(const char *const *argv);
/* A host name the component passes to ssh, scp and xl migrate (which
 * pastes it into a sh command line): [A-Za-z0-9._@:-], at most 255, not
 * starting with '-'. */
bool hv_xen_check_host(const char *host);
/* Is peer this host: no remote program (NULL or empty), or host is
 * "localhost" or nodename (this host's uname), or nodename's first label. */
bool hv_xen_peer_is_local(const struct hv_peer *peer, const char *nodename);
/* The uuid of the domain an xl save image holds (the first "uuid" of its
 * JSON config, which is c_info's), lower-case into out (37 bytes), from
 * the image's first len bytes. False when there is none. */
bool hv_xen_image_uuid(const char *data, size_t len, char out[37]);

char **hv_xen_argv_save(const char *xl, unsigned domid, const char *path); /* save ID PATH */
char **hv_xen_argv_restore(const char *xl, const char *path);             /* restore PATH */
/* xl migrate -s CMD ID HOST: CMD is peer->remote joined for sh, or, when
 * the peer is this host (local), "" and HOST is "<xl> migrate-receive". */
char **hv_xen_argv_migrate(const char *xl, unsigned domid, const struct hv_peer *peer,
                           bool local);
/* The copy program (prog: its argv[0] resolved, then copy[1..]), path and
 * HOST:path. */
char **hv_xen_argv_copy(const char *prog, const struct hv_peer *peer, const char *path);
/* The remote program (prog, then remote[1..]), host, and "XL restore
 * 'PATH'" as one word (the remote's shell reads it). */
char **hv_xen_argv_remote_restore(const char *prog, const struct hv_peer *peer,
                                  const char *xl, const char *path);

/* CPU placement (hv_xen_cpu.c): a scheduler's name from its
 * XEN_SCHEDULER_* id ("credit2", ...; "unknown"); a cpumap of bytes bytes
 * as a CPU list of a host of ncpus CPUs ("all", "0-1,4"; cpulist.h), in
 * out. */
const char *hv_xen_sched_name(unsigned sched_id);
void hv_xen_cpumap_text(const uint8_t *map, size_t bytes, unsigned ncpus, char *out, size_t size);

#endif
