/* test-exec.c: running programs (src/exec.c). /bin/sh -c '...' appears here
 * only as the program under test, to make a child behave in some way;
 * exec_run itself never uses a shell. Every run is followed by a check
 * that no child of this process is left unreaped. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "util.h"

#define SH "/bin/sh"
#define MIB (1024 * 1024)

/* ---- helpers ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* No child of ours, running or zombie, is left. */
static void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* Run argv, which must start; fills res. */
static void run(char *const argv[], char *const env[], unsigned timeout_ms,
                struct exec_result *res)
{
    char *err = NULL;
    int rc = exec_run(argv, env, timeout_ms, res, &err);
    if (rc != 0)
        fail_msg("exec_run %s: %s", argv[0], err ? err : "(no message)");
    assert_null(err);
    assert_non_null(res->out);
    assert_non_null(res->err);
    assert_no_children();
}

/* Run argv, which must not start, with exactly the message want. */
static void run_fails(char *const argv[], char *const env[], const char *want)
{
    struct exec_result res = { 0 };
    char *err = NULL;
    assert_int_equal(exec_run(argv, env, 5000, &res, &err), -1);
    assert_non_null(err);
    assert_string_equal(err, want);
    assert_null(res.out);
    assert_null(res.err);
    assert_int_equal(res.timed_out, 0);
    exec_result_free(&res); /* harmless on an empty result */
    free(err);
    assert_no_children();
}

static void assert_describe(const struct exec_result *res, unsigned timeout_ms,
                            const char *want)
{
    char *d = exec_describe(res, timeout_ms);
    assert_string_equal(d, want);
    free(d);
}

/* The process pid has gone (or is a zombie nobody of ours has to reap). */
static void assert_process_gone(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    for (int i = 0; i < 100; i++) {
        FILE *f = fopen(path, "r");
        if (!f)
            return;
        char state = '?';
        int n = fscanf(f, "%*d (%*[^)]) %c", &state);
        fclose(f);
        if (n == 1 && (state == 'Z' || state == 'X'))
            return;
        struct timespec ts = { 0, 10 * 1000000L };
        nanosleep(&ts, NULL);
    }
    fail_msg("process %ld is still running", (long)pid);
}

/* ---- how it ended, what it printed ---- */

static void test_exit_status_and_output(void **state)
{
    (void)state;
    struct exec_result res;
    char *argv[] = { SH, "-c", "echo out; echo err >&2; exit 3", NULL };
    run(argv, NULL, 5000, &res);
    assert_int_equal(res.status, 3);
    assert_int_equal(res.signal, 0);
    assert_int_equal(res.timed_out, 0);
    assert_string_equal(res.out, "out\n");
    assert_string_equal(res.err, "err\n");
    assert_describe(&res, 5000, "exited 3: err");
    exec_result_free(&res);
    assert_null(res.out);
    assert_null(res.err);
    exec_result_free(&res); /* twice is harmless */
    exec_result_free(NULL);

    char *argv_true[] = { "/bin/true", NULL };
    run(argv_true, NULL, 5000, &res);
    assert_int_equal(res.status, 0);
    assert_int_equal(res.signal, 0);
    assert_string_equal(res.out, "");
    assert_string_equal(res.err, "");
    assert_describe(&res, 5000, "exited 0");
    exec_result_free(&res);

    /* Exactly what was written: no newline added or taken, streams kept
     * apart, blank lines and trailing blanks kept. */
    char *argv_exact[] = { SH, "-c",
                           "printf 'a\\n\\n  b  '; printf 'x\\n' >&2; printf 'c'; "
                           "printf '\\ny' >&2; exit 255",
                           NULL };
    run(argv_exact, NULL, 5000, &res);
    assert_int_equal(res.status, 255);
    assert_string_equal(res.out, "a\n\n  b  c");
    assert_string_equal(res.err, "x\n\ny");
    assert_describe(&res, 5000, "exited 255: x");
    exec_result_free(&res);
}

/* Both pipes at EOF well before the child ends: its end is still waited
 * for, and its status is the real one. */
static void test_output_closed_early(void **state)
{
    (void)state;
    struct exec_result res;
    char *argv[] = { SH, "-c", "echo last; exec >&- 2>&-; sleep 0.2; exit 5", NULL };
    long long t0 = now_ms();
    run(argv, NULL, 5000, &res);
    assert_true(now_ms() - t0 >= 200);
    assert_int_equal(res.status, 5);
    assert_int_equal(res.timed_out, 0);
    assert_string_equal(res.out, "last\n");
    assert_string_equal(res.err, "");
    assert_describe(&res, 5000, "exited 5");
    exec_result_free(&res);
}

/* A stopped child is still ended by the timeout's SIGTERM. */
static void test_timeout_stopped_child(void **state)
{
    (void)state;
    struct exec_result res;
    char *argv[] = { SH, "-c", "kill -STOP $$; sleep 10", NULL };
    long long t0 = now_ms();
    run(argv, NULL, 200, &res);
    assert_true(now_ms() - t0 < 2000);
    assert_int_equal(res.timed_out, 1);
    assert_int_equal(res.signal, SIGTERM);
    exec_result_free(&res);
}

static void test_killed_by_signal(void **state)
{
    (void)state;
    struct exec_result res;
    char *argv[] = { SH, "-c", "echo bye; kill -9 $$", NULL };
    run(argv, NULL, 5000, &res);
    assert_int_equal(res.status, -1);
    assert_int_equal(res.signal, SIGKILL);
    assert_int_equal(res.timed_out, 0);
    assert_string_equal(res.out, "bye\n");
    assert_describe(&res, 5000, "killed by signal 9");
    exec_result_free(&res);
}

/* ---- what the child gets ---- */

static void test_environment_minimal(void **state)
{
    (void)state;
    assert_int_equal(setenv("LCFGXEN_SECRET", "x", 1), 0);
    struct exec_result res;

    char *argv[] = { "/usr/bin/env", NULL };
    run(argv, NULL, 5000, &res);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C\n");
    assert_null(strstr(res.out, "LCFGXEN_SECRET"));
    exec_result_free(&res);

    char *extra[] = { "XEN_DOMAIN=web 1; x", "EMPTY=", NULL };
    run(argv, extra, 5000, &res);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C\n"
                                 "XEN_DOMAIN=web 1; x\nEMPTY=\n");
    exec_result_free(&res);

    /* An entry replaces an earlier one of the same name. */
    char *override[] = { "LANG=C.UTF-8", "A=1", "AB=2", "A=3", NULL };
    run(argv, override, 5000, &res);
    assert_string_equal(res.out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C.UTF-8\n"
                                 "A=3\nAB=2\n");
    exec_result_free(&res);

    /* The child sees them as environment variables (and no HOME etc.). */
    char *argv_sh[] = { SH, "-c", "echo \"$PATH|$LANG|${LCFGXEN_SECRET-unset}|$XEN_DOMAIN\"",
                        NULL };
    run(argv_sh, extra, 5000, &res);
    assert_string_equal(res.out, "/usr/sbin:/usr/bin:/sbin:/bin|C|unset|web 1; x\n");
    exec_result_free(&res);

    char *bad1[] = { "NOEQUALS", NULL };
    run_fails(argv, bad1, "invalid environment entry \"NOEQUALS\" (want NAME=value)");
    char *bad2[] = { "A=1", "=value", NULL };
    run_fails(argv, bad2, "invalid environment entry \"=value\" (want NAME=value)");

    unsetenv("LCFGXEN_SECRET");
}

static void test_argv_verbatim(void **state)
{
    (void)state;
    struct exec_result res;

    char *argv_echo[] = { "/bin/echo", "a; rm -rf /tmp/x", NULL };
    run(argv_echo, NULL, 5000, &res);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.out, "a; rm -rf /tmp/x\n");
    exec_result_free(&res);

    /* Each argument arrives as one, untouched: no splitting, quoting,
     * globbing, expansion or substitution. */
    char *argv[] = { "/usr/bin/printf", "[%s]\n",
                     "a; rm -rf /tmp/x",
                     "two  words",
                     "'single'",
                     "\"double\"",
                     "$HOME ${PATH}",
                     "`id` $(id)",
                     "*",
                     "a | b && c > /tmp/lcfgxen-no",
                     "",
                     "back\\slash",
                     "new\nline",
                     NULL };
    run(argv, NULL, 5000, &res);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.out, "[a; rm -rf /tmp/x]\n"
                                 "[two  words]\n"
                                 "['single']\n"
                                 "[\"double\"]\n"
                                 "[$HOME ${PATH}]\n"
                                 "[`id` $(id)]\n"
                                 "[*]\n"
                                 "[a | b && c > /tmp/lcfgxen-no]\n"
                                 "[]\n"
                                 "[back\\slash]\n"
                                 "[new\nline]\n");
    assert_string_equal(res.err, "");
    exec_result_free(&res);
    assert_int_equal(access("/tmp/lcfgxen-no", F_OK), -1);

    /* argv[0] is passed as given too. */
    char *argv_sh[] = { SH, "-c", "printf '%s|%s|%s' \"$0\" \"$1\" \"$#\"", "name", "x y", NULL };
    run(argv_sh, NULL, 5000, &res);
    assert_string_equal(res.out, "name|x y|1");
    exec_result_free(&res);
}

static void test_stdin_is_dev_null(void **state)
{
    (void)state;
    struct exec_result res;

    long long t0 = now_ms();
    char *argv[] = { "/bin/cat", NULL };
    run(argv, NULL, 5000, &res);
    assert_true(now_ms() - t0 < 2000);
    assert_int_equal(res.status, 0);
    assert_int_equal(res.timed_out, 0);
    assert_string_equal(res.out, "");
    exec_result_free(&res);

    char *argv_link[] = { "/usr/bin/readlink", "/proc/self/fd/0", NULL };
    run(argv_link, NULL, 5000, &res);
    assert_string_equal(res.out, "/dev/null\n");
    exec_result_free(&res);
}

static void test_no_inherited_fds(void **state)
{
    (void)state;
    /* Descriptors this process has open without close-on-exec: one on the
     * lowest free number (3 here, which ls would otherwise show as its own
     * directory descriptor moved to 4) and one far above. */
    int low = open("/dev/zero", O_RDONLY);
    assert_true(low >= 3);
    assert_int_equal(dup2(low, 100), 100);
    assert_int_equal(fcntl(low, F_GETFD) & FD_CLOEXEC, 0);

    struct exec_result res;
    /* ls opens /proc/self/fd itself: that is the one descriptor above 2. */
    char *argv[] = { "/bin/ls", "/proc/self/fd", NULL };
    run(argv, NULL, 5000, &res);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.out, "0\n1\n2\n3\n");
    exec_result_free(&res);

    /* The parent's own descriptors are left as they were. */
    assert_int_equal(fcntl(low, F_GETFD), 0);
    assert_int_equal(fcntl(100, F_GETFD), 0);
    close(100);
    close(low);
}

/* The child comes out right even when this process runs with 0 and 1
 * closed, so that exec_run's own pipes are given those numbers. */
static void test_parent_stdio_closed(void **state)
{
    (void)state;
    fflush(stdout);
    int saved_in = dup(0), saved_out = dup(1);
    assert_true(saved_in >= 0 && saved_out >= 0);
    close(0);
    close(1);

    struct exec_result res = { 0 };
    char *err = NULL;
    char *argv[] = { SH, "-c", "echo out; echo err >&2; cat; readlink /proc/self/fd/0", NULL };
    int rc = exec_run(argv, NULL, 5000, &res, &err);

    dup2(saved_in, 0);
    dup2(saved_out, 1);
    close(saved_in);
    close(saved_out);

    assert_int_equal(rc, 0);
    assert_null(err);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.out, "out\n/dev/null\n");
    assert_string_equal(res.err, "err\n");
    exec_result_free(&res);
    assert_no_children();
}

/* Whatever this process ignores or blocks, the child starts with default
 * dispositions and an empty mask; and this process's own are untouched. */
static void test_signal_state_reset(void **state)
{
    (void)state;
    struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
    sigemptyset(&ign.sa_mask);
    assert_int_equal(sigaction(SIGPIPE, &ign, &old_pipe), 0);
    sigset_t term, old_mask;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    assert_int_equal(sigprocmask(SIG_BLOCK, &term, &old_mask), 0);

    /* With SIGPIPE ignored, yes would complain of a broken pipe; with
     * SIGTERM blocked, the sleep would last until the SIGKILL. */
    struct exec_result res;
    long long t0 = now_ms();
    char *argv[] = { SH, "-c", "yes | head -n 1; sleep 10", NULL };
    run(argv, NULL, 200, &res);
    long long elapsed = now_ms() - t0;
    assert_string_equal(res.out, "y\n");
    assert_string_equal(res.err, "");
    assert_int_equal(res.timed_out, 1);
    assert_int_equal(res.signal, SIGTERM);
    assert_true(elapsed < 2000);
    exec_result_free(&res);

    /* As the kernel sees it (a shell would clear the mask by itself). */
    char *argv_status[] = { "/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
    run(argv_status, NULL, 5000, &res);
    assert_string_equal(res.out, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    exec_result_free(&res);

    struct sigaction now_pipe;
    assert_int_equal(sigaction(SIGPIPE, NULL, &now_pipe), 0);
    assert_true(now_pipe.sa_handler == SIG_IGN);
    sigset_t now_mask;
    assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &now_mask), 0);
    assert_true(sigismember(&now_mask, SIGTERM));

    assert_int_equal(sigprocmask(SIG_SETMASK, &old_mask, NULL), 0);
    assert_int_equal(sigaction(SIGPIPE, &old_pipe, NULL), 0);
}

/* Signals arriving all the time (handled, without SA_RESTART, so that
 * every blocking call fails with EINTR) do not disturb a run. */
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void test_eintr(void **state)
{
    (void)state;
    struct sigaction sa = { .sa_handler = on_alarm }, old;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    struct itimerval every = { { 0, 1000 }, { 0, 1000 } }, off = { { 0, 0 }, { 0, 0 } };
    alarms = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);

    struct exec_result res = { 0 };
    char *err = NULL;
    char *argv[] = { SH, "-c", "echo a; sleep 0.1; echo b >&2; sleep 0.1; exit 4", NULL };
    int rc = exec_run(argv, NULL, 5000, &res, &err);
    /* Many short waits for the exec report, for some of them to be cut. */
    char *bad[] = { "/no/such", NULL };
    char *err2 = NULL;
    struct exec_result res2;
    int rc2 = -1;
    for (int i = 0; i < 40 && rc2 == -1; i++) {
        free(err2);
        err2 = NULL;
        rc2 = exec_run(bad, NULL, 5000, &res2, &err2);
    }
    if (rc2 == 0)
        exec_result_free(&res2);
    char *argv_to[] = { SH, "-c", "sleep 10", NULL };
    struct exec_result res3 = { 0 };
    int rc3 = exec_run(argv_to, NULL, 200, &res3, NULL);

    assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
    assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);

    assert_true(alarms > 20);
    assert_int_equal(rc, 0);
    assert_null(err);
    assert_int_equal(res.status, 4);
    assert_string_equal(res.out, "a\n");
    assert_string_equal(res.err, "b\n");
    exec_result_free(&res);
    assert_int_equal(rc2, -1);
    assert_string_equal(err2, "/no/such: No such file or directory");
    free(err2);
    assert_int_equal(rc3, 0);
    assert_int_equal(res3.timed_out, 1);
    assert_int_equal(res3.signal, SIGTERM);
    exec_result_free(&res3);
    assert_no_children();
}

/* ---- time limits ---- */

static void test_timeout(void **state)
{
    (void)state;
    struct exec_result res;
    long long t0 = now_ms();
    char *argv[] = { SH, "-c", "echo started; echo warming >&2; sleep 10", NULL };
    run(argv, NULL, 300, &res);
    long long elapsed = now_ms() - t0;
    assert_int_equal(res.timed_out, 1);
    assert_int_equal(res.signal, SIGTERM);
    assert_int_equal(res.status, -1);
    assert_true(elapsed >= 300);
    assert_true(elapsed < 3000);
    assert_string_equal(res.out, "started\n"); /* what came before is kept */
    assert_string_equal(res.err, "warming\n");
    assert_describe(&res, 300, "timed out after 300 ms");
    exec_result_free(&res);
}

static void test_timeout_sigterm_ignored(void **state)
{
    (void)state;
    struct exec_result res;
    long long t0 = now_ms();
    char *argv[] = { SH, "-c", "trap '' TERM; echo ready; sleep 10", NULL };
    run(argv, NULL, 300, &res);
    long long elapsed = now_ms() - t0;
    assert_int_equal(res.timed_out, 1);
    assert_int_equal(res.signal, SIGKILL);
    assert_int_equal(res.status, -1);
    assert_string_equal(res.out, "ready\n");
    /* SIGKILL about 2 s after the deadline. */
    if (elapsed < 2250 || elapsed > 4000)
        fail_msg("ended after %lld ms, want about 2300", elapsed);
    assert_describe(&res, 300, "timed out after 300 ms");
    exec_result_free(&res);
}

/* A timeout ends what the child started as well. */
static void test_timeout_kills_process_group(void **state)
{
    (void)state;
    struct exec_result res;
    char *argv[] = { SH, "-c", "sleep 10 & echo $!; wait", NULL };
    long long t0 = now_ms();
    run(argv, NULL, 200, &res);
    assert_true(now_ms() - t0 < 2000);
    assert_int_equal(res.timed_out, 1);
    long bg = strtol(res.out, NULL, 10);
    assert_true(bg > 1);
    assert_process_gone((pid_t)bg);
    exec_result_free(&res);
}

/* The run ends when the child does, even though something it left in the
 * background still holds its output pipes (and is not killed). */
static void test_background_process_left(void **state)
{
    (void)state;
    struct exec_result res;
    char *argv[] = { SH, "-c", "sleep 5 & echo $!; echo done >&2", NULL };
    long long t0 = now_ms();
    run(argv, NULL, 10000, &res);
    assert_true(now_ms() - t0 < 2000);
    assert_int_equal(res.status, 0);
    assert_int_equal(res.timed_out, 0);
    assert_string_equal(res.err, "done\n");
    long bg = strtol(res.out, NULL, 10);
    assert_true(bg > 1);
    assert_int_equal(kill((pid_t)bg, 0), 0); /* still there: left alone */
    assert_int_equal(kill((pid_t)bg, SIGKILL), 0);
    exec_result_free(&res);
}

/* ---- programs that cannot be run ---- */

static void test_cannot_execute(void **state)
{
    (void)state;
    char *argv1[] = { "/no/such", NULL };
    run_fails(argv1, NULL, "/no/such: No such file or directory");
    char *argv2[] = { "/no/such", "with", "args", NULL };
    run_fails(argv2, NULL, "/no/such: No such file or directory");
    char *argv3[] = { "/etc/passwd", NULL }; /* not executable */
    run_fails(argv3, NULL, "/etc/passwd: Permission denied");
    char *argv4[] = { "/tmp", NULL };
    run_fails(argv4, NULL, "/tmp: Permission denied");
    char *argv5[] = { "/etc/passwd/x", NULL };
    run_fails(argv5, NULL, "/etc/passwd/x: Not a directory");
}

static void test_not_absolute(void **state)
{
    (void)state;
    char *argv1[] = { "sh", "-c", "true", NULL };
    run_fails(argv1, NULL, "sh: not an absolute path");
    char *argv2[] = { "./bin/true", NULL };
    run_fails(argv2, NULL, "./bin/true: not an absolute path");
    char *argv3[] = { "", NULL };
    run_fails(argv3, NULL, "no program to run");
    char *argv4[] = { NULL };
    run_fails(argv4, NULL, "no program to run");

    /* err may be NULL. */
    struct exec_result res;
    assert_int_equal(exec_run(argv1, NULL, 1000, &res, NULL), -1);
    char *argv5[] = { "/no/such", NULL };
    assert_int_equal(exec_run(argv5, NULL, 1000, &res, NULL), -1);
    assert_no_children();
}

/* ---- volume ---- */

static void test_large_output(void **state)
{
    (void)state;
    struct exec_result res;
    /* 5 MiB on each stream; the child must be able to write it all. */
    char *argv[] = { SH, "-c",
                     "head -c 5242880 /dev/zero | tr '\\0' a; "
                     "head -c 5242880 /dev/zero | tr '\\0' b >&2; echo end",
                     NULL };
    long long t0 = now_ms();
    run(argv, NULL, 20000, &res);
    assert_true(now_ms() - t0 < 10000);
    assert_int_equal(res.status, 0);
    assert_int_equal(res.timed_out, 0);
    assert_int_equal(strlen(res.out), MIB);
    assert_int_equal(strlen(res.err), MIB);
    assert_int_equal(strspn(res.out, "a"), MIB);
    assert_int_equal(strspn(res.err, "b"), MIB);
    exec_result_free(&res);
}

static void test_many_runs_no_zombies(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        struct exec_result res;
        char *argv[] = { "/bin/true", NULL };
        run(argv, NULL, 5000, &res);
        exec_result_free(&res);
        char *bad[] = { "/no/such", NULL };
        char *err = NULL;
        assert_int_equal(exec_run(bad, NULL, 5000, &res, &err), -1);
        free(err);
    }
    assert_no_children();
}

/* ---- exec_describe ---- */

static void test_describe(void **state)
{
    (void)state;
    struct exec_result r = { 0 };

    r.status = 0;
    r.err = "ignored on success\n";
    assert_describe(&r, 1000, "exited 0");

    r.status = 3;
    r.err = "";
    assert_describe(&r, 1000, "exited 3");
    r.err = NULL;
    assert_describe(&r, 1000, "exited 3");
    r.err = "  \n\t\r\n";
    assert_describe(&r, 1000, "exited 3");
    r.err = "  Volume group \"vg0\" not found  \r\nsecond line\n";
    assert_describe(&r, 1000, "exited 3: Volume group \"vg0\" not found");
    r.err = "no newline";
    assert_describe(&r, 1000, "exited 3: no newline");
    r.err = "\n\n  after blank lines\nmore\n";
    assert_describe(&r, 1000, "exited 3: after blank lines");
    r.err = "tab\there, escape \x1b[1m, bell \a";
    assert_describe(&r, 1000, "exited 3: tab here, escape ?[1m, bell ?");

    /* At most 200 bytes of it, never half a UTF-8 character. */
    char longline[400], want[300];
    memset(longline, 'x', 300);
    strcpy(longline + 300, "\nnext\n");
    memset(want, 'x', 200);
    want[200] = '\0';
    char *w = xasprintf("exited 1: %s", want);
    r.status = 1;
    r.err = longline;
    assert_describe(&r, 1000, w);
    free(w);
    memset(longline, 'y', 199);
    strcpy(longline + 199, "\xc3\xa9zzz"); /* é straddles byte 200 */
    w = xasprintf("exited 1: %.199s", longline);
    assert_describe(&r, 1000, w);
    free(w);
    memset(longline, 'y', 198);
    strcpy(longline + 198, "\xc3\xa9zzz"); /* é ends at byte 200 */
    w = xasprintf("exited 1: %.200s", longline);
    assert_describe(&r, 1000, w);
    free(w);

    struct exec_result k = { .status = -1, .signal = 9 };
    assert_describe(&k, 1000, "killed by signal 9");
    k.signal = SIGSEGV;
    assert_describe(&k, 1000, "killed by signal 11");

    struct exec_result t = { .status = -1, .signal = 15, .timed_out = 1 };
    assert_describe(&t, 30000, "timed out after 30 s");
    assert_describe(&t, 1000, "timed out after 1 s");
    assert_describe(&t, 1999, "timed out after 1 s");
    assert_describe(&t, 999, "timed out after 999 ms");
    assert_describe(&t, 300, "timed out after 300 ms");
    t.signal = 9;
    assert_describe(&t, 120000, "timed out after 120 s");
}

int main(void)
{
    /* The tests reason about which descriptors a child gets: start from
     * the usual 0-2 even when run with standard input closed (as CI may). */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
            return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_status_and_output),
        cmocka_unit_test(test_output_closed_early),
        cmocka_unit_test(test_killed_by_signal),
        cmocka_unit_test(test_environment_minimal),
        cmocka_unit_test(test_argv_verbatim),
        cmocka_unit_test(test_stdin_is_dev_null),
        cmocka_unit_test(test_no_inherited_fds),
        cmocka_unit_test(test_parent_stdio_closed),
        cmocka_unit_test(test_signal_state_reset),
        cmocka_unit_test(test_eintr),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_timeout_sigterm_ignored),
        cmocka_unit_test(test_timeout_stopped_child),
        cmocka_unit_test(test_timeout_kills_process_group),
        cmocka_unit_test(test_background_process_left),
        cmocka_unit_test(test_cannot_execute),
        cmocka_unit_test(test_not_absolute),
        cmocka_unit_test(test_large_output),
        cmocka_unit_test(test_many_runs_no_zombies),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
