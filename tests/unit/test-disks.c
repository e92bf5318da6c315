/* test-disks.c: guest disks (src/disks.c) in a temporary root: a disk is
 * what its path resolves to, an existing image is what its bytes say
 * (qemu-img info's JSON, read by a stand-in qemu-img), and the guest of a
 * refused disk is named to the method layer. */
#include "testutil.h"
#include "testmodel.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "disks.h"
#include "fsutil.h"
#include "model.h"
#include "profile.h"
#include "util.h"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int setup_root(void **state)
{
    char *dir = strdup("/tmp/lcfgxen-disks-XXXXXX");
    if (!dir || !mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    char *img = xasprintf("%s/var/lib/xen/images", dir);
    char *e = NULL;
    int rc = fs_mkdir_p(img, 0755, &e);
    free(e);
    free(img);
    *state = dir;
    return rc;
}

static int teardown_root(void **state)
{
    char *dir = *state;
    int rc = nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
    return rc;
}

static void put(const char *root, const char *path, const char *text, mode_t mode)
{
    char *p = xasprintf("%s%s", root, path);
    char *e = NULL;
    enum fs_change ch;
    char *dir = xstrdup(p);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(fs_mkdir_p(dir, 0755, &e), 0);
    assert_int_equal(fs_write_atomic(p, text, strlen(text), mode, &ch, &e), 0);
    free(dir);
    free(p);
}

static void sized(const char *root, const char *path, off_t size)
{
    char *p = xasprintf("%s%s", root, path);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), size), 0);
    fclose(f);
    free(p);
}

/* A stand-in qemu-img that prints json and counts its runs in root/runs. */
static void fake_qemu_img(const char *root, const char *json)
{
    char *script = xasprintf("#!/bin/sh\necho run >>'%s/runs'\ncat <<'JSON'\n%s\nJSON\n", root, json);
    put(root, "/usr/bin/qemu-img", script, 0755);
    free(script);
}

static int runs(const char *root)
{
    char *p = xasprintf("%s/runs", root);
    char *text = NULL, *e = NULL;
    int n = 0;
    if (fs_read_file(p, &text, NULL, &e) == 0)
        for (char *s = text; (s = strstr(s, "run")); s++)
            n++;
    free(text);
    free(e);
    free(p);
    return n;
}

static const char *const three =
    "xen.virtualmachines=web1 web2 web3\n"
    "xen.uuid_web1=00000001-1111-4222-8333-444444444444\n"
    "xen.memory_web1=512\n"
    "xen.disk_web1=1\n"
    "xen.uuid_web2=00000002-1111-4222-8333-444444444444\n"
    "xen.memory_web2=512\n"
    "xen.disk_web2=1\n"
    "xen.disksec_web2=1\n"
    "xen.disknamesec_web2=other\n"
    "xen.uuid_web3=00000003-1111-4222-8333-444444444444\n"
    "xen.memory_web3=512\n"
    "xen.disk_web3=1\n";

/* A hard link is another name for one disk: both guests are refused, each
 * told of the other; the third is not held back. */
static void test_hard_link_is_one_disk(void **state)
{
    const char *root = *state;
    sized(root, "/var/lib/xen/images/web1.img", 1 << 30);
    char *a = xasprintf("%s/var/lib/xen/images/web1.img", root);
    char *b = xasprintf("%s/var/lib/xen/images/other.img", root);
    assert_int_equal(link(a, b), 0);
    struct host *h = test_host(three);
    struct disk_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(disks_plan(h, root, &p, &err), 0);
    const struct disk_item *r1 = disks_guest_refused(&p, 0), *r2 = disks_guest_refused(&p, 1);
    assert_non_null(r1);
    assert_non_null(r2);
    assert_null(disks_guest_refused(&p, 2));
    assert_null(disks_guest_refused(&p, 3)); /* out of range */
    assert_string_equal(r1->note, "it is the same disk as /var/lib/xen/images/other.img, the disk "
                                  "of guest 'web2'");
    assert_string_equal(r2->d->path, "/var/lib/xen/images/other.img");
    assert_string_equal(r2->note, "it is the same disk as /var/lib/xen/images/web1.img, the disk "
                                  "of guest 'web1'");
    struct stat st;
    assert_int_equal(stat(a, &st), 0);
    char *id = xasprintf("f:%llu:%llu", (unsigned long long)st.st_dev,
                         (unsigned long long)st.st_ino);
    assert_string_equal(r1->id, id);
    assert_string_equal(r2->id, id);
    free(id);
    disks_plan_free(&p);
    host_free(h);
    free(a);
    free(b);
}

/* Images not made yet are one disk too when their paths resolve alike. */
static void test_missing_images_through_two_paths(void **state)
{
    const char *root = *state;
    struct host *h = test_host("xen.virtualmachines=a b\n"
                           "xen.uuid_a=00000001-1111-4222-8333-444444444444\nxen.memory_a=512\n"
                           "xen.disk_a=1\n"
                           "xen.uuid_b=00000002-1111-4222-8333-444444444444\nxen.memory_b=512\n"
                           "xen.disk_b=1\nxen.disksec_b=1\nxen.diskpathsec_b=/var/lib/xen//images\n"
                           "xen.disknamesec_b=a\n");
    struct disk_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(disks_plan(h, root, &p, &err), 0);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.v[0].action, DK_REFUSED);
    assert_int_equal(p.v[1].action, DK_CREATE);
    assert_int_equal(p.v[2].action, DK_REFUSED);
    assert_int_equal(strncmp(p.v[0].id, "n:", 2), 0);
    assert_string_equal(p.v[0].id, p.v[2].id);
    disks_plan_free(&p);
    host_free(h);
}

static const char *const one_qcow2 =
    "xen.virtualmachines=web1\n"
    "xen.uuid_web1=00000001-1111-4222-8333-444444444444\n"
    "xen.memory_web1=512\n"
    "xen.disk_web1=2\n"
    "xen.diskformat_web1=qcow2\n";

/* Only the top level of qemu-img's JSON counts: a child's "format" and a
 * format-specific "backing-filename" are not the image's. */
static void test_json_top_level_only(void **state)
{
    const char *root = *state;
    sized(root, "/var/lib/xen/images/web1.img", 4096);
    fake_qemu_img(root, "{\n  \"children\": [ { \"name\": \"file\", \"info\": { \"format\": \"file\","
                        " \"virtual-size\": 4096, \"x\": [1, {\"a\": \"}\\\"\"}] } } ],\n"
                        "  \"format-specific\": { \"type\": \"qcow2\", \"data\": "
                        "{ \"backing-filename\": \"/etc/shadow\" } },\n"
                        "  \"virtual-size\": 2147483648,\n  \"format\": \"qcow2\",\n"
                        "  \"dirty-flag\": false\n}");
    struct host *h = test_host(one_qcow2);
    struct disk_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(disks_plan(h, root, &p, &err), 0);
    assert_int_equal(p.n, 1);
    if (p.v[0].action != DK_OK)
        fail_msg("not ok: %s", p.v[0].note ? p.v[0].note : "?");
    assert_string_equal(p.v[0].found, "qcow2");
    assert_int_equal(p.v[0].have, 2ULL << 30);
    disks_plan_free(&p);
    host_free(h);
}

static void test_backing_file_is_refused(void **state)
{
    const char *root = *state;
    sized(root, "/var/lib/xen/images/web1.img", 4096);
    fake_qemu_img(root, "{ \"virtual-size\": 2147483648, \"format\": \"qcow2\", "
                        "\"backing-filename\": \"/etc/shadow\" }");
    struct host *h = test_host(one_qcow2);
    struct disk_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(disks_plan(h, root, &p, &err), 0);
    assert_int_equal(p.v[0].action, DK_REFUSED);
    assert_string_equal(p.v[0].note, "it is a qcow2 image with a backing file (/etc/shadow), and "
                                     "diskformat_web1 is qcow2: an image with a backing file is "
                                     "never used");
    assert_non_null(disks_guest_refused(&p, 0));
    disks_plan_free(&p);
    host_free(h);
}

static void test_output_not_understood_is_refused(void **state)
{
    const char *root = *state;
    sized(root, "/var/lib/xen/images/web1.img", 4096);
    const char *bad[] = { "{", "{ \"format\": \"qcow2\" }", "[]", "{ \"format\": \"qcow2\", "
                          "\"virtual-size\": 1, }", "" };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        fake_qemu_img(root, bad[i]);
        struct host *h = test_host(one_qcow2);
        struct disk_plan p = { 0 };
        char *err = NULL;
        assert_int_equal(disks_plan(h, root, &p, &err), 0);
        assert_int_equal(p.v[0].action, DK_REFUSED);
        assert_string_equal(p.v[0].note, "cannot tell what it holds: qemu-img info: output not "
                                         "understood");
        disks_plan_free(&p);
        host_free(h);
    }
}

/* A probe is made once while the image stays as it was. */
static void test_probe_cached_until_written(void **state)
{
    const char *root = *state;
    sized(root, "/var/lib/xen/images/web1.img", 4096);
    fake_qemu_img(root, "{ \"virtual-size\": 2147483648, \"format\": \"qcow2\" }");
    struct host *h = test_host(one_qcow2);
    for (int i = 0; i < 3; i++) {
        if (i == 2) {
            /* Written: the stamps change (size here). */
            sized(root, "/var/lib/xen/images/web1.img", 8192);
        }
        struct disk_plan p = { 0 };
        char *err = NULL;
        assert_int_equal(disks_plan(h, root, &p, &err), 0);
        assert_int_equal(p.v[0].action, DK_OK);
        assert_int_equal(disks_apply(&p, h, root, 1764000000), 0);
        disks_plan_free(&p);
        assert_int_equal(runs(root), i == 2 ? 2 : 1);
    }
    host_free(h);
}

/* The cache holds while the image's size, mtime and ctime are those it
 * had: a new mtime (and ctime), or a new ctime alone, makes it probed
 * again, also when its mtime and ctime differ. */
static void test_probe_cached_until_touched(void **state)
{
    const char *root = *state;
    sized(root, "/var/lib/xen/images/web1.img", 4096);
    fake_qemu_img(root, "{ \"virtual-size\": 2147483648, \"format\": \"qcow2\" }");
    struct host *h = test_host(one_qcow2);
    char *img = root_path(root, "/var/lib/xen/images/web1.img");
    static const int want[] = { 1, 1, 2, 2, 3, 3 };
    for (int i = 0; i < 6; i++) {
        if (i == 2) {
            /* Another mtime (its ctime is now: the two differ). */
            struct timespec ts[2] = { { 1600000000, 123456789 }, { 1600000000, 123456789 } };
            assert_int_equal(utimensat(AT_FDCWD, img, ts, 0), 0);
        } else if (i == 4) {
            /* The ctime alone (past the clock's tick). */
            struct timespec pause = { 0, 30 * 1000 * 1000 };
            nanosleep(&pause, NULL);
            assert_int_equal(chmod(img, 0640), 0);
        }
        struct disk_plan p = { 0 };
        char *err = NULL;
        assert_int_equal(disks_plan(h, root, &p, &err), 0);
        assert_int_equal(p.v[0].action, DK_OK);
        assert_string_equal(p.v[0].found, "qcow2");
        assert_int_equal(disks_apply(&p, h, root, 1764000000), 0);
        disks_plan_free(&p);
        assert_int_equal(runs(root), want[i]);
    }
    free(img);
    host_free(h);
}

/* The old path-keyed record is read, its entry keyed by identity at the
 * next save; an unrecorded disk in use is recorded for its guest. */
static void test_record_migrated_and_claimed(void **state)
{
    const char *root = *state;
    sized(root, "/var/lib/xen/images/web1.img", 1 << 30);
    sized(root, "/var/lib/xen/images/web3.img", 1 << 30);
    put(root, "/var/lib/lcfg/xen/disks",
        "# old\n/var/lib/xen/images/web1.img web1 00000001-1111-4222-8333-444444444444 "
        "1764000000\n", 0644);
    struct host *h = test_host("xen.virtualmachines=web1 web3\n"
                           "xen.uuid_web1=00000001-1111-4222-8333-444444444444\n"
                           "xen.memory_web1=512\nxen.disk_web1=1\n"
                           "xen.uuid_web3=00000003-1111-4222-8333-444444444444\n"
                           "xen.memory_web3=512\nxen.disk_web3=1\n");
    struct disk_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(disks_plan(h, root, &p, &err), 0);
    assert_int_equal(p.v[0].action, DK_OK);
    assert_string_equal(disks_owner(&p, &p.v[0]),
                        "web1 (00000001-1111-4222-8333-444444444444) on 2025-11-24");
    assert_ptr_equal(disks_owner(&p, &p.v[0]), disks_owner(&p, &p.v[0])); /* made once */
    assert_null(disks_owner(&p, &p.v[1]));
    assert_int_equal(disks_apply(&p, h, root, 1765000000), 0);
    char *want = xasprintf("# lcfg-xen disk record 2: identity, guest name, guest uuid, time "
                           "recorded (seconds since 1970), created|found|pending, path. Kept "
                           "when guests leave the profile.\n"
                           "%s web1 00000001-1111-4222-8333-444444444444 1764000000 created "
                           "/var/lib/xen/images/web1.img\n"
                           "%s web3 00000003-1111-4222-8333-444444444444 1765000000 found "
                           "/var/lib/xen/images/web3.img\n", p.v[0].id, p.v[1].id);
    char *path = xasprintf("%s/var/lib/lcfg/xen/disks", root);
    char *text = test_read_file(path);
    assert_string_equal(text, want);
    free(text);
    free(path);
    free(want);
    disks_plan_free(&p);
    host_free(h);
}

/* A new image's record names it by its identity once made. */
static void test_created_image_recorded_by_identity(void **state)
{
    const char *root = *state;
    struct host *h = test_host("xen.virtualmachines=web1\n"
                           "xen.uuid_web1=00000001-1111-4222-8333-444444444444\n"
                           "xen.memory_web1=512\nxen.disk_web1=1\n");
    struct disk_plan p = { 0 };
    char *err = NULL;
    assert_int_equal(disks_plan(h, root, &p, &err), 0);
    assert_int_equal(p.v[0].action, DK_CREATE);
    assert_int_equal(disks_apply(&p, h, root, 1765000000), 0);
    struct stat st;
    char *img = xasprintf("%s/var/lib/xen/images/web1.img", root);
    assert_int_equal(stat(img, &st), 0);
    char *id = xasprintf("f:%llu:%llu", (unsigned long long)st.st_dev,
                         (unsigned long long)st.st_ino);
    assert_string_equal(p.v[0].id, id);
    char *path = xasprintf("%s/var/lib/lcfg/xen/disks", root);
    char *text = test_read_file(path);
    char *line = xasprintf("\n%s web1 00000001-1111-4222-8333-444444444444 1765000000 created "
                           "/var/lib/xen/images/web1.img\n", id);
    assert_non_null(strstr(text, line));
    assert_null(strstr(text, " pending "));
    free(line);
    free(text);
    free(path);
    free(id);
    free(img);
    disks_plan_free(&p);
    host_free(h);
}

/* Without qemu-img the header's magic tells the formats apart. */
static void header_image(const char *root, const unsigned char *h, size_t n)
{
    char *p = xasprintf("%s/var/lib/xen/images/web1.img", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(h, 1, n, f), n);
    assert_int_equal(ftruncate(fileno(f), 1 << 20), 0);
    fclose(f);
    free(p);
}

static const struct disk_item *plan_one(const char *root, const char *text, struct host **h,
                                        struct disk_plan *p)
{
    char *err = NULL;
    *h = test_host(text);
    memset(p, 0, sizeof(*p));
    assert_int_equal(disks_plan(*h, root, p, &err), 0);
    assert_int_equal(p->n, 1);
    return &p->v[0];
}

static void test_header_without_qemu_img(void **state)
{
    const char *root = *state;
    static const char *const raw1 = "xen.virtualmachines=web1\n"
                                    "xen.uuid_web1=00000001-1111-4222-8333-444444444444\n"
                                    "xen.memory_web1=512\nxen.disk_web1=2\n";
    unsigned char q[64] = "QFI\xfb\0\0\0\3";
    q[24 + 4] = 0x80; /* virtual size 2 GiB (0x80000000), big-endian */
    struct host *h;
    struct disk_plan p;
    header_image(root, q, sizeof(q));
    const struct disk_item *it = plan_one(root, one_qcow2, &h, &p);
    assert_int_equal(it->action, DK_OK);
    assert_int_equal(it->have, 2ULL << 30);
    disks_plan_free(&p);
    host_free(h);
    it = plan_one(root, raw1, &h, &p);
    assert_int_equal(it->action, DK_REFUSED);
    assert_string_equal(it->note, "it is a qcow2 image, but diskformat_web1 asks for raw: the "
                                  "component never converts or writes an existing image");
    disks_plan_free(&p);
    host_free(h);
    q[15] = 0x70; /* a backing file */
    header_image(root, q, sizeof(q));
    it = plan_one(root, one_qcow2, &h, &p);
    assert_int_equal(it->action, DK_REFUSED);
    assert_string_equal(it->note, "it is a qcow2 image with a backing file, and diskformat_web1 "
                                  "is qcow2: an image with a backing file is never used");
    disks_plan_free(&p);
    host_free(h);
    const unsigned char cloop[] = "#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$1\n";
    header_image(root, cloop, sizeof(cloop) - 1);
    it = plan_one(root, raw1, &h, &p);
    assert_int_equal(it->action, DK_REFUSED);
    assert_string_equal(it->found, "cloop");
    disks_plan_free(&p);
    host_free(h);
    /* A guest's whole-disk encryption in its raw disk is its business. */
    const unsigned char luks[] = "LUKS\xba\xbe\0\2";
    header_image(root, luks, sizeof(luks) - 1);
    it = plan_one(root, raw1, &h, &p);
    assert_int_equal(it->action, DK_DIFFERS);
    assert_string_equal(it->found, "luks");
    disks_plan_free(&p);
    host_free(h);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_root, teardown_root)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_hard_link_is_one_disk),
        T(test_missing_images_through_two_paths),
        T(test_json_top_level_only),
        T(test_backing_file_is_refused),
        T(test_output_not_understood_is_refused),
        T(test_probe_cached_until_written),
        T(test_probe_cached_until_touched),
        T(test_record_migrated_and_claimed),
        T(test_created_image_recorded_by_identity),
        T(test_header_without_qemu_img),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
