/* lock.c: the component lock (see lock.h). flock(2) on a file that stays
 * in place: the kernel drops the lock when the holder dies, so a crashed
 * run never leaves the component locked. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

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
