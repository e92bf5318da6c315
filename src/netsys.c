/* netsys.c: the network of the host or of the simulator (netsys.h). */
#include "netsys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "fsutil.h"
#include "hostsetup.h"
#include "util.h"

#define TOOL_TIMEOUT_MS (2 * 60 * 1000)

/* ---- the host ---- */

static int host_run(void *ctx, char *const argv[], char **err)
{
    (void)ctx;
    struct exec_result res = { 0 };
    int rc = -1;
    if (exec_run(argv, NULL, TOOL_TIMEOUT_MS, &res, err) == 0) {
        if (res.status == 0)
            rc = 0;
        else {
            char *how = exec_describe(&res, TOOL_TIMEOUT_MS);
            set_error(err, "%s", how);
            free(how);
        }
    }
    exec_result_free(&res);
    return rc;
}

static int host_exists(void *ctx, const char *bridge, bool ovs, char **err)
{
    struct netsys *s = ctx;
    if (ovs) {
        /* ovs-vsctl(8): br-exists exits 0 when the bridge exists, 2 when
         * it does not. */
        char *prog = root_path(s->root, s->h->res[HF_ovsvsctl]);
        char *argv[] = { prog, "br-exists", (char *)bridge, NULL };
        struct exec_result res = { 0 };
        int r = -1;
        if (exec_run(argv, NULL, TOOL_TIMEOUT_MS, &res, err) == 0) {
            if (res.status == 0 || res.status == 2) {
                r = res.status == 0;
            } else {
                char *how = exec_describe(&res, TOOL_TIMEOUT_MS);
                set_error(err, "ovs-vsctl br-exists %s: %s", bridge, how);
                free(how);
            }
        }
        exec_result_free(&res);
        free(prog);
        return r;
    }
    /* A Linux bridge has the directory "bridge" in sysfs (what brctl and
     * Xen's vif-bridge look at). */
    char *p = xasprintf("/sys/class/net/%s/bridge", bridge), *rp = root_path(s->root, p);
    struct stat st;
    int r = stat(rp, &st) == 0 && S_ISDIR(st.st_mode);
    free(rp);
    free(p);
    return r;
}

static bool host_guest_ports(void *ctx, const char *bridge)
{
    struct netsys *s = ctx;
    char *p = xasprintf("/sys/class/net/%s/brif", bridge), *rp = root_path(s->root, p);
    DIR *d = opendir(rp);
    bool found = false;
    for (struct dirent *e; d && !found && (e = readdir(d));)
        found = !strncmp(e->d_name, "vif", 3) || !strncmp(e->d_name, "tap", 3);
    if (d)
        closedir(d);
    free(rp);
    free(p);
    return found;
}

/* ---- the simulator ---- */

static char *sim_read(const struct netsys *s)
{
    char *path = root_path(s->root, PATH_SIM_BRIDGES), *text = NULL;
    if (fs_read_file(path, &text, NULL, NULL) < 0)
        text = xstrdup(SIM_BRIDGES_DEFAULT);
    free(path);
    return text;
}

/* The line of bridge in text (its first word), or NULL. */
static const char *sim_line(const char *text, const char *bridge, size_t *len)
{
    size_t n = strlen(bridge);
    for (const char *l = text; *l;) {
        size_t k = strcspn(l, "\n");
        if (l[0] != '#' && !strncmp(l, bridge, n) && (l[n] == ' ' || l[n] == '\n' || !l[n])) {
            *len = k + (l[k] == '\n');
            return l;
        }
        l += k + (l[k] == '\n');
    }
    return NULL;
}

static int sim_set(const struct netsys *s, const char *bridge, bool up, char **err)
{
    char *text = sim_read(s);
    size_t len;
    const char *l = sim_line(text, bridge, &len);
    struct buf b = BUF_INIT;
    if (up && !l) {
        buf_adds(&b, text);
        if (b.len && buf_str(&b)[b.len - 1] != '\n')
            buf_addc(&b, '\n');
        buf_addf(&b, "%s\n", bridge);
    } else if (!up && l) {
        buf_add(&b, text, (size_t)(l - text));
        buf_adds(&b, l + len);
    } else {
        buf_adds(&b, text);
    }
    int rc = fs_save_under(s->root, PATH_SIM_BRIDGES, buf_str(&b), b.len, 0644, err);
    buf_free(&b);
    free(text);
    return rc;
}

/* networkctl reload, simulated: networkd makes the bridges of the .netdev
 * files (the component's, which name them). */
static int sim_reload(const struct netsys *s, char **err)
{
    char *dir = root_path(s->root, NETCONF_NETWORKD_DIR);
    DIR *d = opendir(dir);
    int rc = 0;
    const char *pre = NETCONF_NETWORKD_PREFIX "br-";
    for (struct dirent *e; d && rc == 0 && (e = readdir(d));) {
        if (strncmp(e->d_name, pre, strlen(pre)) || !str_ends_with(e->d_name, ".netdev"))
            continue;
        char *br = xstrndup(e->d_name + strlen(pre),
                            strlen(e->d_name) - strlen(pre) - strlen(".netdev"));
        rc = sim_set(s, br, true, err);
        free(br);
    }
    if (d)
        closedir(d);
    free(dir);
    return rc;
}

static int sim_run(void *ctx, char *const argv[], char **err)
{
    struct netsys *s = ctx;
    const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    struct buf line = BUF_INIT;
    buf_adds(&line, base);
    for (size_t i = 1; argv[i]; i++)
        buf_addf(&line, " %s", argv[i]);
    buf_addc(&line, '\n');
    /* Recorded as the daemons' commands are (hostsetup.c). */
    char *path = root_path(s->root, PATH_SIM_SERVICES), *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    int rc = fs_mkdir_p(dir, 0755, err);
    if (rc == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 || fs_write_all(fd, buf_str(&line), line.len) < 0) {
            set_error(err, "cannot write %s: %s", path, strerror(errno));
            rc = -1;
        }
        if (fd >= 0)
            close(fd);
    }
    buf_free(&line);
    free(dir);
    free(path);
    if (rc < 0)
        return rc;
    if (!strcmp(base, "ifup") && argv[1])
        return sim_set(s, argv[1], true, err);
    if (!strcmp(base, "ifdown") && argv[1])
        return sim_set(s, argv[1], false, err);
    if (!strcmp(base, "networkctl") && argv[1] && !strcmp(argv[1], "reload"))
        return sim_reload(s, err);
    if (!strcmp(base, "networkctl") && argv[1] && !strcmp(argv[1], "delete") && argv[2])
        return sim_set(s, argv[2], false, err);
    return 0;
}

static int sim_exists(void *ctx, const char *bridge, bool ovs, char **err)
{
    (void)err;
    struct netsys *s = ctx;
    char *text = sim_read(s);
    size_t len;
    const char *l = sim_line(text, bridge, &len);
    bool is_ovs = l && len > strlen(bridge) + 1 && !strncmp(l + strlen(bridge), " ovs", 4);
    int r = l && is_ovs == ovs;
    free(text);
    return r;
}

static bool sim_guest_ports(void *ctx, const char *bridge)
{
    (void)ctx;
    (void)bridge;
    return false; /* the running guests say it (net_busy) */
}

void netsys_ops(struct netsys *s, const char *root, const struct host *h, bool sim,
                struct net_ops *ops)
{
    s->root = root;
    s->h = h;
    s->sim = sim;
    ops->run = sim ? sim_run : host_run;
    ops->exists = sim ? sim_exists : host_exists;
    ops->guest_ports = sim ? sim_guest_ports : host_guest_ports;
    ops->ctx = s;
}
