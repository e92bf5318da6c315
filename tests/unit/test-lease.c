/* test-lease.c: lease files per guest UUID in a shared directory
 * (src/lease.c): taken once, refused naming the holder, released only by
 * the holder, handed over, broken; two takers at once, one winner. */
#include "testutil.h"

#include <sys/wait.h>

#include "lease.h"
#include "util.h"

#define UUID "6f1c4b52-8d0e-4c3a-9a57-1f2e3d4c5b6a"

static char *lease_file(const char *dir)
{
    return xasprintf("%s/%s.lease", dir, UUID);
}

static void test_take_refuse_release(void **state)
{
    const char *dir = *state;
    struct lease_holder h;
    char *err = NULL;
    assert_int_equal(lease_read(dir, UUID, &h, &err), 0);
    assert_int_equal(lease_take(dir, UUID, "web1", "alpha", "boot-a", &h, &err), 0);
    assert_null(err);
    char *path = lease_file(dir), *text = test_read_file(path);
    assert_non_null(strstr(text, "host=alpha\nbootid=boot-a\nguest=web1\ntime="));
    free(text);
    /* Another host is refused, told who holds it. */
    memset(&h, 0, sizeof(h));
    assert_int_equal(lease_take(dir, UUID, "web1", "beta", "boot-b", &h, &err), 1);
    assert_string_equal(h.host, "alpha");
    assert_string_equal(h.bootid, "boot-a");
    assert_string_equal(h.guest, "web1");
    assert_true(h.since > 0);
    /* The holder takes it again (after a reboot, say): refreshed. */
    assert_int_equal(lease_take(dir, UUID, "web1", "alpha", "boot-a2", &h, &err), 0);
    assert_int_equal(lease_read(dir, UUID, &h, &err), 1);
    assert_string_equal(h.bootid, "boot-a2");
    /* Only the holder releases it. */
    assert_int_equal(lease_release(dir, UUID, "beta", &err), 0);
    assert_int_equal(access(path, F_OK), 0);
    assert_int_equal(lease_release(dir, UUID, "alpha", &err), 0);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(lease_release(dir, UUID, "alpha", &err), 0);
    /* No private files are left behind. */
    char *cmd = xasprintf("test -z \"$(ls -A %s)\"", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(path);
}

static void test_handover_and_break(void **state)
{
    const char *dir = *state;
    struct lease_holder h;
    char *err = NULL;
    assert_int_equal(lease_handover(dir, UUID, "alpha", "beta", &err), 1);
    assert_int_equal(lease_take(dir, UUID, "web1", "alpha", "boot-a", &h, &err), 0);
    assert_int_equal(lease_handover(dir, UUID, "gamma", "beta", &err), 1);
    assert_int_equal(lease_handover(dir, UUID, "alpha", "beta", &err), 0);
    assert_int_equal(lease_read(dir, UUID, &h, &err), 1);
    assert_string_equal(h.host, "beta");
    assert_string_equal(h.guest, "web1");
    /* alpha no longer holds it: refused; beta takes it over. */
    assert_int_equal(lease_take(dir, UUID, "web1", "alpha", "boot-a", &h, &err), 1);
    assert_string_equal(h.host, "beta");
    assert_int_equal(lease_take(dir, UUID, "web1", "beta", "boot-b", &h, &err), 0);
    /* The admin breaks it, whoever holds it. */
    struct lease_holder was;
    assert_int_equal(lease_break(dir, UUID, &was, &err), 1);
    assert_string_equal(was.host, "beta");
    assert_int_equal(lease_break(dir, UUID, &was, &err), 0);
    assert_int_equal(lease_take(dir, UUID, "web1", "alpha", "boot-a", &h, &err), 0);
}

static void test_errors(void **state)
{
    const char *dir = *state;
    struct lease_holder h;
    char *err = NULL, *missing = xasprintf("%s/none", dir);
    assert_int_equal(lease_take(missing, UUID, "web1", "alpha", "b", &h, &err), -1);
    char *want = xasprintf("cannot create %s/." UUID ".alpha.%ld.tmp: No such file or directory",
                           missing, (long)getpid());
    assert_string_equal(err, want);
    free(want);
    free(err);
    free(missing);
    /* A lease file the component did not write: held by an unknown host. */
    char *path = lease_file(dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("garbage\n", f);
    fclose(f);
    err = NULL;
    assert_int_equal(lease_take(dir, UUID, "web1", "alpha", "b", &h, &err), 1);
    want = xasprintf("(unknown: %s unreadable)", path);
    assert_string_equal(h.host, want);
    free(want);
    free(path);
}

/* Many hosts take the same lease at the same moment: exactly one wins. */
static void test_race(void **state)
{
    const char *dir = *state;
    for (int round = 0; round < 20; round++) {
        enum { N = 8 };
        pid_t pids[N];
        int go[2];
        assert_int_equal(pipe(go), 0);
        for (int i = 0; i < N; i++) {
            pids[i] = fork();
            assert_true(pids[i] >= 0);
            if (pids[i] == 0) {
                char c, self[16];
                close(go[1]);
                (void)!read(go[0], &c, 1);
                snprintf(self, sizeof(self), "host%d", i);
                struct lease_holder h;
                _exit(lease_take(dir, UUID, "web1", self, "b", &h, NULL) == 0 ? 0 : 1);
            }
        }
        close(go[0]);
        close(go[1]); /* all start at once */
        int won = 0;
        for (int i = 0; i < N; i++) {
            int st;
            assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
            won += WIFEXITED(st) && WEXITSTATUS(st) == 0;
        }
        assert_int_equal(won, 1);
        struct lease_holder was;
        assert_int_equal(lease_break(dir, UUID, &was, NULL), 1);
    }
}

static void test_shared_fs(void **state)
{
    (void)state;
    /* /proc and a tmpfs or local disk are not shared. */
    assert_false(lease_shared_fs("/proc"));
    assert_false(lease_shared_fs("/nonexistent/path"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_take_refuse_release, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_handover_and_break, test_tmpdir_setup,
                                        test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_errors, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_race, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test(test_shared_fs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
