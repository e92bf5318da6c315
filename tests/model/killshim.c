/* killshim.c: an LD_PRELOAD shim for tests/model/model-check.c that kills
 * the component (SIGKILL) at its Nth call of a function that changes or
 * syncs a file: open/openat, write, fsync/fdatasync, rename/renameat/
 * renameat2, link/linkat, unlink/unlinkat. N comes from MC_KILL_AT.
 *
 * Why a shim and not strace (85-crash.sh): strace costs tens of
 * milliseconds per run, too much for thousands of steps. Only the process
 * that was started counts (children forked for side-by-side boots run on,
 * as xl does when its caller dies), and the variable is removed at start,
 * so programs the component runs are never killed: the same N kills at the
 * same point every time, and a seed replays exactly. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

static long kill_at;
static long calls;
static pid_t main_pid;

__attribute__((constructor)) static void shim_init(void)
{
    const char *s = getenv("MC_KILL_AT");
    if (!s)
        return;
    kill_at = atol(s);
    main_pid = getpid();
    unsetenv("MC_KILL_AT");
}

static void tick(void)
{
    if (kill_at > 0 && getpid() == main_pid && ++calls >= kill_at)
        kill(main_pid, SIGKILL);
}

/* Each wrapper counts the call, then passes it on unchanged. */
#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    tick();
    return NEXT(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    tick();
    return NEXT(open64)(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    tick();
    return NEXT(openat)(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    tick();
    return NEXT(openat64)(dirfd, path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    tick();
    return NEXT(write)(fd, buf, n);
}

int fsync(int fd)
{
    tick();
    return NEXT(fsync)(fd);
}

int fdatasync(int fd)
{
    tick();
    return NEXT(fdatasync)(fd);
}

int rename(const char *from, const char *to)
{
    tick();
    return NEXT(rename)(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    tick();
    return NEXT(renameat)(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    tick();
    return NEXT(renameat2)(fd1, from, fd2, to, flags);
}

int link(const char *from, const char *to)
{
    tick();
    return NEXT(link)(from, to);
}

int linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
    tick();
    return NEXT(linkat)(fd1, from, fd2, to, flags);
}

int unlink(const char *path)
{
    tick();
    return NEXT(unlink)(path);
}

int unlinkat(int dirfd, const char *path, int flags)
{
    tick();
    return NEXT(unlinkat)(dirfd, path, flags);
}
