/* test-lock.c: the component lock (src/lock.c), with a forked child as the
 * other run. Each test works in its own directory under /tmp. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

/* ---- fixture ---- */

static char *in(void **state, const char *name)
{
    return xasprintf("%s/%s", (const char *)*state, name);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void assert_file_is(const char *path, const char *want)
{
    char *got = test_read_file(path);
    assert_string_equal(got, want);
    free(got);
}

/* ---- a child process that holds the lock ---- */

struct holder {
    pid_t pid;
    int release_fd; /* close it to let the child go */
};

enum hold_how { HOLD_LOCK_ACQUIRE, HOLD_FLOCK, HOLD_AND_DIE };

/* Fork a child that takes the lock at path (with lock_acquire as method
 * "start", or with a bare flock) and keeps it until release_fd is closed.
 * HOLD_AND_DIE: the child exits holding the lock, without releasing it.
 * Returns once the child holds the lock. */
static struct holder hold_lock(const char *path, enum hold_how how)
{
    int held[2], go[2];
    assert_int_equal(pipe(held), 0);
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(held[0]);
        close(go[1]);
        int fd = -1;
        char *err = NULL;
        if (how == HOLD_FLOCK) {
            fd = open(path, O_RDWR | O_CREAT, 0644);
            if (fd < 0 || flock(fd, LOCK_EX) < 0)
                _exit(3);
        } else if (lock_acquire(path, "start", 0, &fd, &err) != 0) {
            _exit(3);
        }
        if (write(held[1], "h", 1) != 1)
            _exit(4);
        if (how == HOLD_AND_DIE)
            _exit(0);
        /* Keep the lock until the parent closes its end (or 10 s). */
        alarm(10);
        char c;
        while (read(go[0], &c, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(held[1]);
    close(go[0]);
    char c;
    ssize_t n;
    while ((n = read(held[0], &c, 1)) < 0 && errno == EINTR)
        ;
    close(held[0]);
    if (n != 1) {
        close(go[1]);
        waitpid(pid, NULL, 0);
        fail_msg("the child could not take the lock");
    }
    return (struct holder){ pid, go[1] };
}

static void release_holder(struct holder h)
{
    close(h.release_fd);
    int status;
    assert_int_equal(waitpid(h.pid, &status, 0), h.pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- tests ---- */

static void test_acquire_writes_holder(void **state)
{
    char *path = in(state, "run/lock/xen"); /* the directories are created */
    char *err = NULL;
    int fd = -1;
    assert_int_equal(lock_acquire(path, "configure", 200, &fd, &err), 0);
    assert_null(err);
    assert_true(fd >= 0);
    char *want = xasprintf("%ld configure\n", (long)getpid());
    assert_file_is(path, want);
    free(want);
    lock_release(fd);
    /* The holder line is cleared on release. */
    assert_file_is(path, "");
    free(path);
}

static void test_release_reacquire(void **state)
{
    char *path = in(state, "xen.lock");
    char *err = NULL;
    int fd = -1;
    assert_int_equal(lock_acquire(path, "start", 0, &fd, &err), 0);
    lock_release(fd);
    fd = -1;
    assert_int_equal(lock_acquire(path, "stop", 0, &fd, &err), 0);
    char *want = xasprintf("%ld stop\n", (long)getpid());
    assert_file_is(path, want);
    free(want);
    lock_release(fd);
    fd = -1;
    assert_int_equal(lock_acquire(path, "configure", 0, &fd, &err), 0);
    lock_release(fd);
    lock_release(-1); /* harmless */
    assert_null(err);
    free(path);
}

static void test_busy_waits_then_gives_up(void **state)
{
    char *path = in(state, "xen.lock");
    struct holder h = hold_lock(path, HOLD_LOCK_ACQUIRE);
    char *err = NULL;
    int fd = -1;
    long long t0 = now_ms();
    int rc = lock_acquire(path, "configure", 200, &fd, &err);
    long long waited = now_ms() - t0;
    assert_int_equal(rc, 1);
    assert_int_equal(fd, -1);
    assert_true(waited >= 200);
    assert_true(waited < 2000);
    char *want = xasprintf("busy: another run holds the lock %s (pid, method: %ld start)",
                           path, (long)h.pid);
    assert_string_equal(err, want);
    free(want);
    /* The busy attempt leaves the holder's line alone. */
    want = xasprintf("%ld start\n", (long)h.pid);
    assert_file_is(path, want);
    free(want);

    release_holder(h);
    /* Free again once the child has released it. */
    assert_int_equal(lock_acquire(path, "configure", 0, &fd, &err), 0);
    want = xasprintf("%ld configure\n", (long)getpid());
    assert_file_is(path, want);
    free(want);
    lock_release(fd);
    free(err);
    free(path);
}

static void test_busy_timeout_zero(void **state)
{
    char *path = in(state, "xen.lock");
    struct holder h = hold_lock(path, HOLD_LOCK_ACQUIRE);
    char *err = NULL;
    int fd = -1;
    long long t0 = now_ms();
    assert_int_equal(lock_acquire(path, "stop", 0, &fd, &err), 1);
    assert_true(now_ms() - t0 < 150);
    assert_non_null(err);
    assert_true(str_starts_with(err, "busy: another run holds the lock"));
    release_holder(h);
    free(err);
    free(path);
}

static void test_busy_without_holder_line(void **state)
{
    /* Someone holding a bare flock and writing nothing. */
    char *path = in(state, "xen.lock");
    struct holder h = hold_lock(path, HOLD_FLOCK);
    char *err = NULL;
    int fd = -1;
    assert_int_equal(lock_acquire(path, "configure", 100, &fd, &err), 1);
    char *want = xasprintf("busy: another run holds the lock %s", path);
    assert_string_equal(err, want);
    free(want);
    release_holder(h);
    assert_int_equal(lock_acquire(path, "configure", 0, &fd, &err), 0);
    lock_release(fd);
    free(err);
    free(path);
}

static void test_holder_dies(void **state)
{
    /* A run that dies holding the lock does not leave it locked. */
    char *path = in(state, "xen.lock");
    struct holder h = hold_lock(path, HOLD_AND_DIE);
    release_holder(h);
    char *err = NULL;
    int fd = -1;
    assert_int_equal(lock_acquire(path, "configure", 0, &fd, &err), 0);
    assert_null(err);
    char *want = xasprintf("%ld configure\n", (long)getpid());
    assert_file_is(path, want);
    free(want);
    lock_release(fd);
    free(path);
}

static void test_lock_errors(void **state)
{
    char *err = NULL;
    int fd = -1;

    /* The lock's directory cannot be created. */
    char *file = in(state, "file");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    char *path = in(state, "file/sub/xen.lock");
    assert_int_equal(lock_acquire(path, "configure", 0, &fd, &err), -1);
    char *want = xasprintf("cannot create directory %s/file/sub: %s",
                           (const char *)*state, strerror(ENOTDIR));
    assert_string_equal(err, want);
    free(want);
    free(path);

    /* The lock is a symlink: not followed. */
    char *link = in(state, "link.lock");
    assert_int_equal(symlink("file", link), 0);
    assert_int_equal(lock_acquire(link, "configure", 0, &fd, &err), -1);
    want = xasprintf("cannot open lock %s: %s", link, strerror(ELOOP));
    assert_string_equal(err, want);
    free(want);
    assert_int_equal(fd, -1);
    assert_file_is(file, "");
    free(link);
    free(file);
    free(err);
}

#define T(f) cmocka_unit_test_setup_teardown(f, test_tmpdir_setup, test_tmpdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_acquire_writes_holder),
        T(test_release_reacquire),
        T(test_busy_waits_then_gives_up),
        T(test_busy_timeout_zero),
        T(test_busy_without_holder_line),
        T(test_holder_dies),
        T(test_lock_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
