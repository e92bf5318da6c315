/* lock.c: the component lock (see lock.h). Its own part is flock(2) on a
 * file that stays in place: the kernel drops the lock when the holder
 * dies, so a crashed run never leaves it locked. LCFG's part is lcfglock,
 * run as documented in its pod (lcfg-ngeneric 1.20.10: -p owner pid, -m
 * message "used by ngeneric to record the name of the component method",
 * -t timeout or -n no-block, -d lock directory, -u unlock; exit 0 done,
 * 2 busy, 1 error, 254 usage). */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "fsutil.h"
#include "util.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int lock_acquire(const char *path, const char *method, unsigned timeout_ms,
                 int *ret_fd, char **err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (fs_mkdir_p(dir, 0755, err) < 0) {
            free(dir);
            return -1;
        }
    }
    free(dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        set_error(err, "cannot open lock %s: %s", path, strerror(errno));
        return -1;
    }
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            break;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            set_error(err, "cannot lock %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (now_ms() >= deadline) {
            char holder[128] = "";
            ssize_t n = pread(fd, holder, sizeof(holder) - 1, 0);
            if (n > 0) {
                holder[n] = '\0';
                holder[strcspn(holder, "\n")] = '\0';
            }
            set_error(err, "busy: another run holds the lock %s%s%s%s", path,
                      n > 0 ? " (pid, method: " : "", n > 0 ? holder : "", n > 0 ? ")" : "");
            close(fd);
            return 1;
        }
        /* Waiting is the uncommon case; a short sleep keeps this simple. */
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    char *who = xasprintf("%ld %s\n", (long)getpid(), method);
    if (ftruncate(fd, 0) == 0) {
        ssize_t w = pwrite(fd, who, strlen(who), 0);
        (void)w;
    }
    free(who);
    *ret_fd = fd;
    return 0;
}

void lock_release(int fd)
{
    if (fd < 0)
        return;
    if (ftruncate(fd, 0) < 0) {
        /* Harmless: the next holder overwrites it. */
    }
    flock(fd, LOCK_UN);
    close(fd);
}

/* lcfglock's own run time beyond the wait it is asked for. */
#define LCFGLOCK_MARGIN_MS (30 * 1000)

static int run_lcfglock(char **argv, unsigned timeout_ms, const char *what, bool take,
                        char **err)
{
    struct exec_result res = { 0 };
    char *e = NULL;
    int rc = -1;
    if (exec_run(argv, NULL, timeout_ms + LCFGLOCK_MARGIN_MS, &res, &e) < 0) {
        set_error(err, "cannot run lcfglock to %s: %s", what, e);
    } else if (res.status == 0) {
        rc = 0;
    } else {
        char *how = exec_describe(&res, timeout_ms + LCFGLOCK_MARGIN_MS);
        if (take && res.status == 2) {
            set_error(err, "busy: another run holds the LCFG lock of xen (%s %s)", argv[0], how);
            rc = 1;
        } else {
            set_error(err, "%s: cannot %s: %s", argv[0], what, how);
        }
        free(how);
    }
    free(e);
    exec_result_free(&res);
    return rc;
}

int lcfglock_take(const char *prog, const char *dir, const char *method, unsigned timeout_ms,
                  char **err)
{
    char *pid = xasprintf("%ld", (long)getpid());
    /* lcfglock takes whole seconds; a part of one is waited in full. */
    char *secs = xasprintf("%u", (timeout_ms + 999) / 1000);
    char *argv[12];
    size_t n = 0;
    argv[n++] = (char *)prog;
    argv[n++] = "-p";
    argv[n++] = pid;
    argv[n++] = "-m";
    argv[n++] = (char *)method;
    if (timeout_ms) {
        argv[n++] = "-t";
        argv[n++] = secs;
    } else {
        argv[n++] = "-n";
    }
    if (dir) {
        argv[n++] = "-d";
        argv[n++] = (char *)dir;
    }
    argv[n++] = "xen";
    argv[n] = NULL;
    int rc = run_lcfglock(argv, timeout_ms, "take the lock", true, err);
    free(secs);
    free(pid);
    return rc;
}

int lcfglock_release(const char *prog, const char *dir, char **err)
{
    char *pid = xasprintf("%ld", (long)getpid());
    char *argv[] = { (char *)prog, "-u", "-p", pid, dir ? "-d" : "xen", (char *)dir,
                     dir ? "xen" : NULL, NULL };
    int rc = run_lcfglock(argv, 0, "release the lock", false, err);
    free(pid);
    return rc;
}
