/* exec.c: run a program from an argv array, never through a shell (see
 * exec.h).
 *
 * How a run goes:
 *  - everything the child needs (environment, /dev/null, pipes) is made in
 *    the parent before fork(), so that the child, between fork() and
 *    execve(), only makes async-signal-safe system calls;
 *  - every descriptor the parent creates is close-on-exec, and the child
 *    marks every descriptor above 2 close-on-exec before execve(), so that
 *    it inherits only 0-2 even when something else in this process opened
 *    a file without O_CLOEXEC;
 *  - a close-on-exec "status" pipe carries the errno of a failed execve()
 *    back to the parent: EOF means the exec succeeded;
 *  - the child leads its own process group, so that a timeout can end
 *    whatever it started too (a shell script's children would otherwise
 *    keep running and keep the output pipes open);
 *  - the parent polls the two output pipes and a pidfd of the child (or,
 *    without pidfd_open, wakes up every few milliseconds to look), with
 *    the deadline measured on CLOCK_MONOTONIC; the run is over when the
 *    child has ended and what it wrote has been read, even if a background
 *    process it left behind still holds the pipes open.
 *
 * The parent never writes to a pipe, so it cannot get SIGPIPE from here;
 * it changes no signal disposition or mask of its own (this is a library
 * function), but the child starts with default dispositions and an empty
 * mask, whatever the parent had. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define EXEC_OUTPUT_MAX (1024 * 1024) /* bytes kept per stream */
#define EXEC_KILL_GRACE_MS 2000       /* from SIGTERM to SIGKILL */
#define EXEC_TICK_MS 10               /* wake-up interval without a pidfd */
#define EXEC_DESCRIBE_MAX 200         /* bytes of stderr in exec_describe */

static const char *const base_env[] = {
    "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG=C",
};

/* What the child sends back through the status pipe when it fails. */
enum child_stage { STAGE_SETUP = 1, STAGE_EXEC = 2 };
struct child_report {
    int stage;
    int errnum;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        int saved = errno;
        close(*fd);
        errno = saved;
        *fd = -1;
    }
}

/* ---- the environment ---- */

static size_t env_name_len(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq ? (size_t)(eq - entry) : 0;
}

/* The child's environment: the base entries, then extra_env; an entry
 * replaces an earlier one of the same name. NULL-terminated; the strings
 * are not copied (free only the array). NULL with *err on a bad entry. */
static char **make_env(char *const extra_env[], char **err)
{
    size_t n_extra = 0;
    if (extra_env)
        while (extra_env[n_extra])
            n_extra++;
    size_t cap = ARRAY_SIZE(base_env) + n_extra + 1;
    char **env = xcalloc(cap, sizeof(*env));
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(base_env); i++)
        env[n++] = (char *)base_env[i];
    for (size_t i = 0; i < n_extra; i++) {
        const char *e = extra_env[i];
        size_t len = env_name_len(e);
        if (len == 0) {
            set_error(err, "invalid environment entry \"%s\" (want NAME=value)", e);
            free(env);
            return NULL;
        }
        size_t j;
        for (j = 0; j < n; j++)
            if (env_name_len(env[j]) == len && memcmp(env[j], e, len) == 0)
                break;
        env[j] = (char *)e;
        if (j == n)
            n++;
    }
    env[n] = NULL;
    return env;
}

/* ---- the child, between fork() and execve() ---- */

/* Only async-signal-safe calls from here on: the parent may have threads. */

static void child_report(int fd, int stage, int errnum)
{
    struct child_report r = { stage, errnum };
    const char *p = (const char *)&r;
    size_t left = sizeof(r);
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
}

/* Mark every descriptor from 3 up close-on-exec (the status pipe already
 * is, and must stay open until execve). */
static int child_cloexec_from_3(int max_fd)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
        return 0;
#endif
    /* Older kernels: one fcntl per possible descriptor. */
    for (int fd = 3; fd < max_fd; fd++) {
        int fl = fcntl(fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
            return -1;
    }
    return 0;
}

static void __attribute__((noreturn))
child(char *const argv[], char *const env[], int in_fd, int out_fd, int err_fd, int status_fd,
      int max_fd)
{
    /* Its own process group, so that a timeout reaches what it starts. */
    (void)setpgid(0, 0);

    /* Default signal dispositions (ignored ones survive execve) and an
     * empty mask (it survives execve too). */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &sa, NULL);
    /* glibc refuses its two internal real-time signals (32 and 33), but an
     * ignored disposition of them would survive execve all the same: reset
     * them with the system call itself. */
    struct { void (*handler)(int); unsigned long flags; void (*restorer)(void);
             unsigned long mask; } ksa = { SIG_DFL, 0, NULL, 0 };
    for (int sig = 32; sig < 34; sig++)
        (void)syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof(ksa.mask));
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);

    /* Move the three sources above 2 first, so that none of them can be
     * overwritten by the dup2() of another (when the parent ran with 0, 1
     * or 2 closed, a pipe may have been given one of those numbers). */
    int src[3] = { in_fd, out_fd, err_fd };
    for (int i = 0; i < 3; i++) {
        src[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 3);
        if (src[i] < 0)
            goto fail;
    }
    for (int i = 0; i < 3; i++) {
        while (dup2(src[i], i) < 0) /* dup2 clears close-on-exec on i */
            if (errno != EINTR)
                goto fail;
    }
    if (child_cloexec_from_3(max_fd) < 0)
        goto fail;

    execve(argv[0], argv, env);
    child_report(status_fd, STAGE_EXEC, errno);
    _exit(127);
fail:
    child_report(status_fd, STAGE_SETUP, errno);
    _exit(127);
}

/* ---- the parent ---- */

struct stream {
    int fd; /* -1 once it reached EOF */
    struct buf buf;
};

/* Read what is there (the fd is non-blocking); keep at most
 * EXEC_OUTPUT_MAX bytes, read and drop the rest. Returns the number of
 * bytes read, 0 at EOF (the fd is then closed) or -1 when nothing was
 * there. */
static ssize_t stream_read(struct stream *s)
{
    char chunk[65536];
    for (;;) {
        ssize_t n = read(s->fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return -1;
        if (n <= 0) { /* EOF, or an error that will not go away */
            close_fd(&s->fd);
            return 0;
        }
        if (s->buf.len < EXEC_OUTPUT_MAX) {
            size_t keep = (size_t)n;
            if (keep > EXEC_OUTPUT_MAX - s->buf.len)
                keep = EXEC_OUTPUT_MAX - s->buf.len;
            buf_add(&s->buf, chunk, keep);
        }
        return n;
    }
}

/* Signal the child's process group (the child itself if the group is not
 * there). */
static void kill_child(pid_t pid, int sig)
{
    if (kill(-pid, sig) < 0)
        (void)kill(pid, sig);
}

/* Has the child ended? 1 (without reaping it: its pid, and so its process
 * group id, stay reserved until waitpid), 0, or -1 when it cannot be
 * waited for (ECHILD: somebody else reaped it). */
static int child_ended(pid_t pid)
{
    siginfo_t si;
    for (;;) {
        memset(&si, 0, sizeof(si));
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
            return si.si_pid == pid ? 1 : 0;
        if (errno != EINTR)
            return -1;
    }
}

/* Reap the child; its wait status, or -1 when it cannot be had. */
static int reap(pid_t pid)
{
    int wstatus;
    for (;;) {
        if (waitpid(pid, &wstatus, 0) == pid)
            return wstatus;
        if (errno != EINTR)
            return -1;
    }
}

/* A pidfd for the child (readable once it has ended), or -1: then
 * supervise() looks every EXEC_TICK_MS. Not there before Linux 5.3, nor
 * under some valgrind versions: after ENOSYS it is not asked for again. */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    static int unsupported;
    if (__atomic_load_n(&unsupported, __ATOMIC_RELAXED))
        return -1;
    long fd = syscall(SYS_pidfd_open, pid, 0); /* always close-on-exec */
    if (fd < 0 && errno == ENOSYS)
        __atomic_store_n(&unsupported, 1, __ATOMIC_RELAXED);
    return fd >= 0 ? (int)fd : -1;
#else
    (void)pid;
    return -1;
#endif
}

/* Read the status pipe until execve closes it (0) or the child reports a
 * failure (-1 with *err). */
static int wait_for_exec(int status_fd, const char *prog, char **err)
{
    struct child_report r;
    size_t got = 0;
    while (got < sizeof(r)) {
        ssize_t n = read(status_fd, (char *)&r + got, sizeof(r) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got == 0)
        return 0;
    if (got < sizeof(r))
        set_error(err, "%s: the child process failed before it could run it", prog);
    else if (r.stage == STAGE_EXEC)
        set_error(err, "%s: %s", prog, strerror(r.errnum));
    else
        set_error(err, "%s: cannot set up the child process: %s", prog, strerror(r.errnum));
    return -1;
}

/* Collect the output of a running child until it has ended; kills it at
 * the deadline. Returns whether it timed out. */
static bool supervise(pid_t pid, struct stream out[2], unsigned timeout_ms)
{
    int pidfd = open_pidfd(pid);
    long long start = now_ms();
    long long deadline = timeout_ms ? start + timeout_ms : LLONG_MAX;
    long long kill_at = LLONG_MAX; /* when to send SIGKILL */
    bool timed_out = false, killed = false;

    for (;;) {
        int st = child_ended(pid);
        if (st != 0) {
            if (st > 0 && timed_out)
                kill_child(pid, SIGKILL); /* whatever else is left of it */
            break;
        }
        long long now = now_ms();
        if (!timed_out && now >= deadline) {
            timed_out = true;
            kill_child(pid, SIGTERM);
            kill_child(pid, SIGCONT); /* a stopped process acts on it too */
            kill_at = now + EXEC_KILL_GRACE_MS;
        }
        if (timed_out && !killed && now >= kill_at) {
            killed = true;
            kill_child(pid, SIGKILL);
        }

        long long next = timed_out ? (killed ? LLONG_MAX : kill_at) : deadline;
        int wait_ms = -1;
        if (next != LLONG_MAX)
            wait_ms = next - now > INT_MAX ? INT_MAX : (int)(next - now);
        if (pidfd < 0 && (wait_ms < 0 || wait_ms > EXEC_TICK_MS))
            wait_ms = EXEC_TICK_MS;

        struct pollfd pfd[3];
        int idx[3]; /* which stream each pollfd is, or -1 for the pidfd */
        nfds_t n = 0;
        for (int i = 0; i < 2; i++)
            if (out[i].fd >= 0) {
                pfd[n] = (struct pollfd){ .fd = out[i].fd, .events = POLLIN };
                idx[n++] = i;
            }
        if (pidfd >= 0) {
            pfd[n] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
            idx[n++] = -1;
        }
        int r = poll(pfd, n, wait_ms);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            /* Not expected (EFAULT, EINVAL, ENOMEM): carry on by ticking. */
            struct timespec ts = { 0, EXEC_TICK_MS * 1000000L };
            nanosleep(&ts, NULL);
            continue;
        }
        for (nfds_t i = 0; i < n; i++)
            if (idx[i] >= 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
                (void)stream_read(&out[idx[i]]);
    }
    close_fd(&pidfd);

    /* It has ended: what it wrote is in the pipes. Take it, but do not
     * wait for EOF, which a process it left behind may hold off. The
     * bound only matters when such a process keeps writing. */
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 256 && out[i].fd >= 0; k++)
            if (stream_read(&out[i]) < 0)
                break;
    return timed_out;
}

int exec_run(char *const argv[], char *const extra_env[], unsigned timeout_ms,
             struct exec_result *res, char **err)
{
    *res = (struct exec_result){ .status = -1, .signal = 0, .timed_out = 0, .out = NULL,
                                 .err = NULL };
    if (!argv || !argv[0] || !argv[0][0]) {
        set_error(err, "no program to run");
        return -1;
    }
    const char *prog = argv[0];
    if (prog[0] != '/') {
        set_error(err, "%s: not an absolute path", prog);
        return -1;
    }
    char **env = make_env(extra_env, err);
    if (!env)
        return -1;

    /* The most descriptors the child may have, for the fallback loop. */
    int max_fd = 65536;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)INT_MAX)
        max_fd = (int)rl.rlim_cur;

    int null_fd = -1, out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
    int status_pipe[2] = { -1, -1 };
    struct stream out[2] = { { -1, BUF_INIT }, { -1, BUF_INIT } };
    int rc = -1;

    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) {
        set_error(err, "%s: cannot open /dev/null: %s", prog, strerror(errno));
        goto done;
    }
    if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0 ||
        pipe2(status_pipe, O_CLOEXEC) < 0) {
        set_error(err, "%s: cannot make a pipe: %s", prog, strerror(errno));
        goto done;
    }
    if (fcntl(out_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
        fcntl(err_pipe[0], F_SETFL, O_NONBLOCK) < 0) {
        set_error(err, "%s: cannot set up a pipe: %s", prog, strerror(errno));
        goto done;
    }

    /* null_fd and out_pipe take the lowest free numbers: if 0-2 were
     * free, they are used up by now, and status_pipe[1] is above 2 (the
     * child's dup2() calls cannot clobber it). */
    pid_t pid = fork();
    if (pid < 0) {
        set_error(err, "%s: cannot fork: %s", prog, strerror(errno));
        goto done;
    }
    if (pid == 0)
        child(argv, env, null_fd, out_pipe[1], err_pipe[1], status_pipe[1], max_fd);

    close_fd(&null_fd);
    close_fd(&out_pipe[1]);
    close_fd(&err_pipe[1]);
    close_fd(&status_pipe[1]);
    out[0].fd = out_pipe[0];
    out[1].fd = err_pipe[0];
    out_pipe[0] = err_pipe[0] = -1;

    if (wait_for_exec(status_pipe[0], prog, err) < 0) {
        (void)reap(pid); /* it has exited (127) or is about to */
        goto done;
    }

    res->timed_out = supervise(pid, out, timeout_ms);
    int ws = reap(pid);
    if (ws != -1 && WIFEXITED(ws))
        res->status = WEXITSTATUS(ws);
    else if (ws != -1 && WIFSIGNALED(ws))
        res->signal = WTERMSIG(ws);
    /* Stopped on the way out by the timeout: it did not finish its work,
     * whatever it exited with. */
    if (res->timed_out)
        res->status = -1;
    res->out = buf_detach(&out[0].buf);
    res->err = buf_detach(&out[1].buf);
    rc = 0;

done:
    close_fd(&null_fd);
    for (int i = 0; i < 2; i++) {
        close_fd(&out_pipe[i]);
        close_fd(&err_pipe[i]);
        close_fd(&status_pipe[i]);
        close_fd(&out[i].fd);
        buf_free(&out[i].buf);
    }
    free(env);
    return rc;
}

void exec_result_free(struct exec_result *res)
{
    if (!res)
        return;
    free(res->out);
    free(res->err);
    res->out = res->err = NULL;
}

/* The first non-blank line of s, trimmed, at most EXEC_DESCRIBE_MAX bytes
 * (not cutting a UTF-8 sequence), control characters made visible as '?'.
 * NULL when there is none. */
static char *first_line(const char *s)
{
    if (!s)
        return NULL;
    s += strspn(s, " \t\r\n\v\f"); /* blank lines and leading blanks */
    if (!*s)
        return NULL;
    size_t len = strcspn(s, "\n");
    while (len > 0 && strchr(" \t\r\v\f", s[len - 1]))
        len--;
    if (len > EXEC_DESCRIBE_MAX) {
        len = EXEC_DESCRIBE_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--; /* s[len] continues a UTF-8 sequence: cut before it */
    }
    char *line = xstrndup(s, len);
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = *p == '\t' ? ' ' : '?';
    return line;
}

char *exec_describe(const struct exec_result *res, unsigned timeout_ms)
{
    if (res->timed_out) {
        if (timeout_ms < 1000)
            return xasprintf("timed out after %u ms", timeout_ms);
        return xasprintf("timed out after %u s", timeout_ms / 1000);
    }
    if (res->signal)
        return xasprintf("killed by signal %d", res->signal);
    if (res->status < 0)
        return xstrdup("ended in an unknown way");
    char *line = res->status ? first_line(res->err) : NULL;
    char *d = line ? xasprintf("exited %d: %s", res->status, line)
                   : xasprintf("exited %d", res->status);
    free(line);
    return d;
}
