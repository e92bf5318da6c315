/* hv_batch.c: create many domains side by side (see hv_create_all in hv.h).
 *
 * Each create runs in a child process of its own: the backends' create is
 * synchronous (xl create waits for the domain to be built), and a child
 * needs no threads and no change to the backends. The child opens its own
 * handle (the simulator's flock lock belongs to an open file, so a handle
 * shared across fork would not exclude anything), creates, writes any
 * error text to a pipe and exits; only this process reports. */
#include "hv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "util.h"

#define MAX_ERR 4096

struct slot {
    size_t job;
    pid_t pid;
    int fd;
    double started;
    char buf[MAX_ERR];
    size_t len;
};

/* Close every descriptor above 2 but keep. The child must hold nothing of
 * its parent's: an inherited simulator lock would outlive a killed parent,
 * and the child's own lock request on it would then wait forever. */
static void close_all_but(int keep)
{
#ifdef SYS_close_range
    if (keep > 3 && syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) < 0)
        goto slow;
    if (syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0)
        return;
slow:
#endif
    {
        long max = sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (max > 0 ? max : 1024); fd++)
            if (fd != keep)
                (void)close(fd);
    }
}

static void child(int fd, const char *backend, const char *root, const struct hv_xl *xl,
                  const struct hv_create_job *job)
{
    close_all_but(fd);
    log_detach();
    struct hv *hv = NULL;
    char *err = NULL;
    int rc = hv_open(backend, root, xl, &hv, &err);
    if (rc == 0) {
        rc = hv->ops->create(hv, job->path, job->rpath, &err);
        hv->ops->close(hv);
    }
    if (rc < 0) {
        const char *msg = err ? err : "failed";
        (void)fs_write_all(fd, msg, strlen(msg));
    }
    /* _exit: nothing of the parent's (stdio buffers, atexit) runs twice. */
    _exit(rc < 0 ? 1 : 0);
}

/* Start job j in slot s. Returns 0, or -1 with the job marked failed. */
static int start(struct slot *s, size_t j, struct hv_create_job *job, const char *backend,
                 const char *root, const struct hv_xl *xl)
{
    int p[2];
    /* Close-on-exec: no xl or hotplug script may hold a pipe open, or its
     * end would only be seen when that program exits. */
    if (pipe2(p, O_CLOEXEC) < 0) {
        set_error(&job->err, "cannot make a pipe: %s", strerror(errno));
        job->rc = -1;
        return -1;
    }
    s->started = mono_seconds();
    pid_t pid = fork();
    if (pid < 0) {
        set_error(&job->err, "cannot fork: %s", strerror(errno));
        job->rc = -1;
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        child(p[1], backend, root, xl, job);
    }
    close(p[1]);
    s->job = j;
    s->pid = pid;
    s->fd = p[0];
    s->len = 0;
    return 0;
}

/* Slot s's child has closed its pipe: collect it. */
static void finish(struct slot *s, struct hv_create_job *job)
{
    close(s->fd);
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    job->seconds = mono_seconds() - s->started;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    job->rc = ok ? 0 : -1;
    if (!ok) {
        if (s->len > 0)
            set_error(&job->err, "%.*s", (int)s->len, s->buf);
        else if (WIFSIGNALED(status))
            set_error(&job->err, "the create was killed by signal %d", WTERMSIG(status));
        else
            set_error(&job->err, "the create failed");
    }
}

size_t hv_create_all(const char *backend, const char *root, const struct hv_xl *xl,
                     struct hv_create_job *jobs, size_t n, unsigned parallel,
                     void (*done)(void *arg, const struct hv_create_job *job), void *arg)
{
    if (parallel < 1)
        parallel = 1;
    if (parallel > n)
        parallel = (unsigned)n;
    struct slot *slots = xcalloc(parallel ? parallel : 1, sizeof(*slots));
    struct pollfd *pfd = xcalloc(parallel ? parallel : 1, sizeof(*pfd));
    size_t next = 0, running = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        jobs[i].rc = 0;
        jobs[i].err = NULL;
        jobs[i].seconds = 0;
    }
    while (next < n || running > 0) {
        while (running < parallel && next < n) {
            size_t j = next++;
            if (start(&slots[running], j, &jobs[j], backend, root, xl) < 0) {
                failed++;
                done(arg, &jobs[j]);
                continue;
            }
            running++;
        }
        if (running == 0)
            continue;
        for (size_t i = 0; i < running; i++)
            pfd[i] = (struct pollfd){ .fd = slots[i].fd, .events = POLLIN };
        /* No timeout here: each backend bounds its own create (xl create
         * runs under xlcreatetimeout, which the simulator keeps too), and
         * a child always ends. */
        if (poll(pfd, running, -1) < 0) {
            if (errno == EINTR)
                continue;
            /* Should not happen; fall back to reading each in turn. */
            for (size_t i = 0; i < running; i++)
                pfd[i].revents = POLLIN;
        }
        for (size_t i = running; i-- > 0;) {
            if (!pfd[i].revents)
                continue;
            struct slot *s = &slots[i];
            char tmp[512];
            ssize_t r = read(s->fd, tmp, sizeof(tmp));
            if (r < 0 && errno == EINTR)
                continue;
            if (r > 0) {
                size_t room = sizeof(s->buf) - s->len;
                size_t take = (size_t)r < room ? (size_t)r : room;
                memcpy(s->buf + s->len, tmp, take);
                s->len += take;
                continue;
            }
            struct hv_create_job *job = &jobs[s->job];
            finish(s, job);
            if (job->rc < 0)
                failed++;
            done(arg, job);
            slots[i] = slots[--running];
            pfd[i] = pfd[running];
        }
    }
    free(pfd);
    free(slots);
    return failed;
}
