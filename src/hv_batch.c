/* hv_batch.c: create many domains side by side (see hv_create_all in hv.h).
 *
 * Each create runs in a child process of its own: the backends' create is
 * synchronous (xl create waits for the domain to be built), and a child
 * needs no threads and no change to the backends. The child opens its own
 * handle (the simulator's flock lock belongs to an open file, so a handle
 * shared across fork would not exclude anything), creates, writes what it
 * made and any error text to a pipe and exits; only this process reports.
 *
 * A parent killed mid-create (SIGKILL: om's timeout, an admin) must not
 * leave creates running that the next run of the component races: that
 * run would see no domain yet, create the guest again, and take the
 * other's half-built domain for its own. Two ways were possible: the
 * children die with the parent (PR_SET_PDEATHSIG, killing their xl), or
 * they outlive it holding the component lock. Killing leaves what xl had
 * half built (xl's own clean-up does not run under SIGKILL) for the next
 * run to guess about, and turns a create that would have worked into a
 * failure. So the children keep the component lock's descriptor (flock
 * belongs to the open file, which the kernel releases only when its last
 * descriptor closes): the next run waits for them, within its lock
 * timeout, and then finds each guest either built or not. What a failed
 * create of a dead parent made, the child destroys itself, since no one
 * else will know it was made (hv.h: hv_create_all). Each create is bounded
 * (xlcreatetimeout), so the lock is held at most that long. */
#include "hv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "paths.h"
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

/* Close every descriptor from lo up to hi - 1. */
static void close_from_to(int lo, int hi)
{
    if (lo >= hi)
        return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lo, (unsigned)hi - 1, 0U) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max <= 0)
        max = 1024;
    for (int fd = lo; fd < hi && fd < max; fd++)
        (void)close(fd);
}

/* Close every descriptor above 2 but keep and keep2 (-1: none). The child
 * must hold nothing else of its parent's: an inherited simulator lock
 * would outlive a killed parent, and the child's own lock request on it
 * would then wait forever. */
static void close_all_but(int keep, int keep2)
{
    int a = keep < keep2 ? keep : keep2, b = keep < keep2 ? keep2 : keep;
    if (a < 0)
        a = b;
    close_from_to(3, a);
    if (b != a)
        close_from_to(a + 1, b);
    close_from_to(b + 1, INT_MAX);
}

/* The descriptor of the component lock (PATH_LOCK under root) that this
 * process has open, or -1. Found by what the file is, not by a number
 * passed down: the method layer need not know about it. */
static int component_lock_fd(const char *root)
{
    char *path = root_path(root, PATH_LOCK);
    struct stat want;
    int rc = stat(path, &want);
    free(path);
    if (rc < 0)
        return -1;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -1;
    int found = -1, self = dirfd(dir);
    for (struct dirent *e; found < 0 && (e = readdir(dir));) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        struct stat st;
        if (*end || end == e->d_name || fd < 3 || fd == self || fd > INT_MAX)
            continue;
        if (fstat((int)fd, &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino)
            found = (int)fd;
    }
    closedir(dir);
    return found;
}

/* What the child tells its parent, before any error text: "<made>
 * <domid>\n". */
#define MADE_FMT "%d %u\n"

static void child(int fd, int lock_fd, pid_t parent, const char *backend, const char *root,
                  const struct hv_xl *xl, const struct hv_create_job *job)
{
    /* lock_fd stays open (see the top): never closed, it goes with us. */
    close_all_but(fd, lock_fd);
    /* A Ctrl-C or hang-up reaches the whole foreground process group, but
     * not xl, which leads a group of its own (exec.c): dying here would
     * leave xl building without the lock. Finish the (bounded) create
     * instead; exec_run gives xl default dispositions again. */
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    log_detach();
    struct hv *hv = NULL;
    char *err = NULL;
    struct hv_made made = { false, 0 };
    int rc = hv_open(backend, root, xl, &hv, &err);
    if (rc == 0) {
        rc = hv->ops->create(hv, job->path, job->rpath, &made, &err);
        /* Orphaned: the parent cannot destroy what this failed create
         * made, nor know it was made. */
        if (rc < 0 && made.made && getppid() != parent &&
            hv->ops->destroy(hv, made.domid, NULL) == 0)
            made.made = false;
        hv->ops->close(hv);
    }
    char head[32];
    int len = snprintf(head, sizeof(head), MADE_FMT, made.made ? 1 : 0, made.domid);
    (void)fs_write_all(fd, head, (size_t)len);
    if (rc < 0) {
        const char *msg = err ? err : "failed";
        (void)fs_write_all(fd, msg, strlen(msg));
    }
    /* _exit: nothing of the parent's (stdio buffers, atexit) runs twice. */
    _exit(rc < 0 ? 1 : 0);
}

/* Start job j in slot s. Returns 0, or -1 with the job marked failed. */
static int start(struct slot *s, size_t j, struct hv_create_job *job, int lock_fd,
                 const char *backend, const char *root, const struct hv_xl *xl)
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
    pid_t parent = getpid();
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
        child(p[1], lock_fd, parent, backend, root, xl, job);
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
    /* The head line; without it (a child killed early) nothing is known
     * as made. */
    size_t text = 0;
    char *nl = memchr(s->buf, '\n', s->len);
    if (nl) {
        int made = 0;
        unsigned domid = 0;
        *nl = '\0';
        if (sscanf(s->buf, "%d %u", &made, &domid) == 2 && made == 1) {
            job->made = true;
            job->domid = domid;
        }
        text = (size_t)(nl + 1 - s->buf);
    }
    if (!ok) {
        if (s->len > text)
            set_error(&job->err, "%.*s", (int)(s->len - text), s->buf + text);
        else if (WIFSIGNALED(status))
            set_error(&job->err, "the create was killed by signal %d", WTERMSIG(status));
        else
            set_error(&job->err, "the create failed");
    }
}

size_t hv_create_all(struct hv *hv, const char *root, const struct hv_xl *xl,
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
        jobs[i].made = false;
        jobs[i].domid = 0;
    }
    int lock_fd = component_lock_fd(root);
    while (next < n || running > 0) {
        while (running < parallel && next < n) {
            size_t j = next++;
            /* Failing, it only leaves the child more to read. */
            if (hv->ops->sync)
                (void)hv->ops->sync(hv, NULL);
            if (start(&slots[running], j, &jobs[j], lock_fd, hv->ops->name, root, xl) < 0) {
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
