/* lease.h: one host only, at run time: a lease file per guest UUID in a
 * directory the hosts share (xen.leasedir), taken before a guest whose
 * disks are on shared storage boots, so that a second host refuses to
 * boot it and says which host holds it. Created atomically (a private
 * file, then link(2), which fails when the lease exists, also on NFS);
 * released when the guest stops here, handed over on migration, broken
 * only by an admin (unlease). See LEASES in lcfg-xen(8). */
#ifndef LCFGXEN_LEASE_H
#define LCFGXEN_LEASE_H

#include <stdbool.h>

struct lease_holder {
    char host[256];
    char bootid[64];
    char guest[128];
    long long since; /* seconds since the epoch */
};

/* dir is the lease directory as the component sees it (under its root). */

/* Take the lease of uuid for self (bootid: this boot's). Returns 0 when
 * taken (or already self's: then refreshed), 1 when another host holds it
 * (*holder says which), -1 on error (*err). */
int lease_take(const char *dir, const char *uuid, const char *guest, const char *self,
               const char *bootid, struct lease_holder *holder, char **err);
/* Release self's lease of uuid: 0 when released or there was none of
 * self's, -1 on error. Another host's lease is left alone. */
int lease_release(const char *dir, const char *uuid, const char *self, char **err);
/* Hand self's lease of uuid over to target (migration): 0 when done, 1
 * when self does not hold it, -1 on error. */
int lease_handover(const char *dir, const char *uuid, const char *self, const char *target,
                   char **err);
/* Who holds the lease of uuid: 1 (and *holder) when held, 0 when free,
 * -1 on error. */
int lease_read(const char *dir, const char *uuid, struct lease_holder *holder, char **err);
/* Remove the lease of uuid whoever holds it (the admin's unlease): 1 when
 * removed (*was says whose it was), 0 when there was none, -1 on error. */
int lease_break(const char *dir, const char *uuid, struct lease_holder *was, char **err);

/* Is path on a file system other hosts may share (NFS, CIFS/SMB, GFS2,
 * OCFS2, Ceph, FUSE: glusterfs, sshfs...)? False when it cannot tell. */
bool lease_shared_fs(const char *path);

/* This boot's identity (/proc/sys/kernel/random/boot_id), "" when
 * unknown. */
void lease_bootid(char *buf, unsigned long n);

#endif
