/* lease.c: lease files per guest UUID in a shared directory (lease.h).
 *
 * Why a file and not sanlock or virtlockd: libvirt's virtlockd keeps
 * fcntl locks in a shared directory, held by a daemon for as long as the
 * guest runs (a lock dies with its holder, which a component that exits
 * after each method cannot be); sanlock's delta leases on shared block
 * storage need the sanlock and wdmd daemons and a lease area per
 * lockspace. The component is no daemon: a lease file that says who took
 * it (host, boot id, time) outlives the method that took it, and is
 * broken only by an admin who knows the holder is gone. */
#include "lease.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Copy at most n - 1 bytes of s (values longer than the field are cut). */
static void copy_field(char *dst, size_t n, const char *s)
{
    size_t l = strnlen(s, n - 1);
    memcpy(dst, s, l);
    dst[l] = '\0';
}

static char *lease_path(const char *dir, const char *uuid)
{
    return xasprintf("%s/%s.lease", dir, uuid);
}

/* Write a private file next to the lease, holding self's record. */
static char *write_record(const char *dir, const char *uuid, const char *guest,
                          const char *self, const char *bootid, char **err)
{
    char *tmp = xasprintf("%s/.%s.%s.%ld.tmp", dir, uuid, self, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        set_error(err, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return NULL;
    }
    char *text = xasprintf("host=%s\nbootid=%s\nguest=%s\ntime=%lld\n", self, bootid, guest,
                           (long long)time(NULL));
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    int saved = errno;
    free(text);
    if (close(fd) < 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        set_error(err, "cannot write %s: %s", tmp, strerror(saved));
        unlink(tmp);
        free(tmp);
        return NULL;
    }
    return tmp;
}

int lease_read(const char *dir, const char *uuid, struct lease_holder *h, char **err)
{
    memset(h, 0, sizeof(*h));
    char *path = lease_path(dir, uuid);
    FILE *f = fopen(path, "re");
    if (!f) {
        int e = errno;
        if (e == ENOENT) {
            free(path);
            return 0;
        }
        set_error(err, "cannot read %s: %s", path, strerror(e));
        free(path);
        return -1;
    }
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "host=", 5))
            copy_field(h->host, sizeof(h->host), line + 5);
        else if (!strncmp(line, "bootid=", 7))
            copy_field(h->bootid, sizeof(h->bootid), line + 7);
        else if (!strncmp(line, "guest=", 6))
            copy_field(h->guest, sizeof(h->guest), line + 6);
        else if (!strncmp(line, "time=", 5))
            h->since = strtoll(line + 5, NULL, 10);
    }
    fclose(f);
    /* The record is complete before it is linked, so a lease without a
     * host was not written by the component: held, by an unknown host. */
    if (!h->host[0])
        snprintf(h->host, sizeof(h->host), "(unknown: %s unreadable)", path);
    free(path);
    return 1;
}

int lease_take(const char *dir, const char *uuid, const char *guest, const char *self,
               const char *bootid, struct lease_holder *holder, char **err)
{
    char *tmp = write_record(dir, uuid, guest, self, bootid, err);
    if (!tmp)
        return -1;
    char *path = lease_path(dir, uuid);
    int rc;
    /* link() creates the name only when it is free: of two hosts taking
     * the lease at once, one wins. */
    if (link(tmp, path) == 0) {
        rc = 0;
    } else if (errno != EEXIST) {
        set_error(err, "cannot create %s: %s", path, strerror(errno));
        rc = -1;
    } else if ((rc = lease_read(dir, uuid, holder, err)) < 0) {
        ;
    } else if (rc == 0) {
        /* Released meanwhile: take it now, or lose to whoever did. */
        rc = link(tmp, path) == 0 ? 0 : lease_read(dir, uuid, holder, err) > 0 ? 1 : -1;
        if (rc < 0 && err && !*err)
            set_error(err, "cannot create %s: %s", path, strerror(errno));
    } else if (!strcmp(holder->host, self)) {
        /* Already this host's: refresh its boot id and time. */
        if (rename(tmp, path) < 0) {
            set_error(err, "cannot update %s: %s", path, strerror(errno));
            rc = -1;
        } else {
            rc = 0;
        }
    } else {
        rc = 1;
    }
    unlink(tmp);
    free(tmp);
    free(path);
    return rc;
}

int lease_release(const char *dir, const char *uuid, const char *self, char **err)
{
    struct lease_holder h;
    int rc = lease_read(dir, uuid, &h, err);
    if (rc <= 0)
        return rc;
    if (strcmp(h.host, self))
        return 0;
    char *path = lease_path(dir, uuid);
    rc = 0;
    if (unlink(path) < 0 && errno != ENOENT) {
        set_error(err, "cannot remove %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(path);
    return rc;
}

int lease_handover(const char *dir, const char *uuid, const char *self, const char *target,
                   char **err)
{
    struct lease_holder h;
    int rc = lease_read(dir, uuid, &h, err);
    if (rc < 0)
        return -1;
    if (rc == 0 || strcmp(h.host, self))
        return 1;
    /* The target's boot id is not known here: it refreshes the lease when
     * it takes the guest over (lease_take by the holder). */
    char *tmp = write_record(dir, uuid, h.guest, target, "", err);
    if (!tmp)
        return -1;
    char *path = lease_path(dir, uuid);
    rc = 0;
    if (rename(tmp, path) < 0) {
        set_error(err, "cannot update %s: %s", path, strerror(errno));
        unlink(tmp);
        rc = -1;
    }
    free(tmp);
    free(path);
    return rc;
}

int lease_break(const char *dir, const char *uuid, struct lease_holder *was, char **err)
{
    int rc = lease_read(dir, uuid, was, err);
    if (rc <= 0)
        return rc;
    char *path = lease_path(dir, uuid);
    if (unlink(path) < 0 && errno != ENOENT) {
        set_error(err, "cannot remove %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(path);
    return rc;
}

/* The f_type values of statfs(2) (linux/magic.h and the file systems'
 * own headers). */
bool lease_shared_fs(const char *path)
{
    static const unsigned long shared[] = {
        0x6969UL,     /* NFS */
        0x517BUL,     /* SMB */
        0xFE534D42UL, /* SMB2 */
        0xFF534D42UL, /* CIFS */
        0x01161970UL, /* GFS2 */
        0x7461636fUL, /* OCFS2 */
        0x00c36400UL, /* Ceph */
        0x65735546UL, /* FUSE (glusterfs, sshfs, ...) */
    };
    struct statfs s;
    if (statfs(path, &s) < 0)
        return false;
    for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
        if ((unsigned long)s.f_type == shared[i])
            return true;
    return false;
}

void lease_bootid(char *buf, unsigned long n)
{
    buf[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
    if (!f)
        return;
    if (fgets(buf, (int)n, f))
        buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}
