/* log.c: LCFG-compatible messages (see log.h). The rules are lcfg-core's
 * utils/libmsg.c (LCFG_OK, LCFG_Info, LCFG_Warn, LCFG_Error, LCFG_Fail,
 * LCFG_Event, LCFG_ClearEvent, LCFG_Ack): liblcfg_utils is not packaged
 * for Debian, so they are followed here rather than linked. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "fsutil.h"

#define COMP "xen"

static struct {
    char *root;
    char *dir;
    char *file;
    char *events; /* event files are <events>.<event>: <dir>/xen, or $_LOGFILE */
    bool debug;
    bool quiet;
    bool warned; /* told the user once that the log cannot be written */
    int fd;      /* the log file, opened at the first message: an open and a
                  * close per message cost more than the rest of a large run */
} L = { .fd = -1 };

void log_init(const char *root, bool debug)
{
    const char *dir = getenv("_LOGDIR");
    const char *file = getenv("_LOGFILE");
    log_done();
    L.root = xstrdup(root);
    L.dir = root_path(root, str_empty(dir) ? "/var/log/lcfg" : dir);
    if (!str_empty(file)) {
        L.file = root_path(root, file);
    } else {
        L.file = xasprintf("%s/%s", L.dir, COMP);
    }
    /* libmsg: with _LOGFILE set, the events are beside it ($_LOGFILE.err),
     * else in the log directory (<logdir>/xen.err). */
    L.events = xstrdup(L.file);
    const char *q = getenv("_QUIET");
    L.quiet = q && *q && strcmp(q, "0") != 0;
    L.debug = debug;
    L.warned = false;
}

void log_done(void)
{
    free(L.root);
    free(L.dir);
    free(L.file);
    free(L.events);
    if (L.fd >= 0)
        close(L.fd);
    L.fd = -1;
    L.root = L.dir = L.file = L.events = NULL;
}

void log_detach(void)
{
    L.fd = -1;
}

const char *log_dir(void)
{
    return L.dir;
}

/* Open path for appending, making its directory when missing; -1 when it
 * cannot be written (said once). */
static int open_log(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 && errno == ENOENT) {
        char *dir = xstrdup(path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            char *e = NULL;
            if (fs_mkdir_p(dir, 0755, &e) == 0)
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
            free(e);
        }
        free(dir);
    }
    if (fd < 0) {
        if (!L.warned)
            fprintf(stderr, "[WARNING] %s: cannot write %s: %s\n", COMP, path, strerror(errno));
        L.warned = true;
    }
    return fd;
}

/* Append msg, each line prefixed with the time stamp and prefix. The main
 * log stays open for the run; event files are opened per message.
 * Returns true when the file was made by this message (libmsg then acks). */
static bool append(const char *path, const char *prefix, const char *msg)
{
    if (!path)
        return false;
    bool main_log = path == L.file;
    int fd = main_log ? L.fd : -1;
    bool made = false;
    if (fd < 0) {
        made = access(path, F_OK) != 0;
        fd = open_log(path);
    }
    if (fd < 0)
        return false;
    if (main_log)
        L.fd = fd;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    /* LCFG's stamp: dd/mm/yy HH:MM:SS (a two-digit year, by convention). */
    snprintf(stamp, sizeof(stamp), "%02d/%02d/%02d %02d:%02d:%02d: ", tm.tm_mday,
             tm.tm_mon + 1, tm.tm_year % 100, tm.tm_hour, tm.tm_min, tm.tm_sec);
    struct buf b = BUF_INIT;
    const char *p = msg;
    do {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        buf_adds(&b, stamp);
        buf_adds(&b, prefix);
        buf_add(&b, p, n);
        buf_addc(&b, '\n');
        p = nl ? nl + 1 : p + n;
    } while (*p);
    /* One write per message keeps concurrent writers' lines whole. */
    ssize_t w = write(fd, b.data, b.len);
    (void)w;
    if (!main_log)
        close(fd);
    buf_free(&b);
    return made;
}

/* Tell the LCFG server that the component's events changed, as LCFG_Ack
 * does: run lcfgack (found in $PATH, under the root) if it is there, and
 * ignore how it fares. */
static void ack(void)
{
    const char *path = getenv("PATH");
    if (str_empty(path))
        path = "/usr/sbin:/usr/bin:/sbin:/bin";
    char *dirs = xstrdup(path), *save = NULL;
    for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        if (d[0] != '/')
            continue;
        char *rel = xasprintf("%s/lcfgack", d);
        char *prog = root_path(L.root, rel);
        free(rel);
        if (access(prog, X_OK) == 0) {
            char *argv[] = { prog, NULL };
            struct exec_result res = { 0 };
            char *err = NULL;
            (void)exec_run(argv, NULL, 30 * 1000, &res, &err);
            exec_result_free(&res);
            free(err);
            free(prog);
            break;
        }
        free(prog);
    }
    free(dirs);
}

static char *event_path(const char *ev)
{
    return xasprintf("%s.%s", L.events, ev);
}

/* An event file's line has no prefix (libmsg's LCFG_LogMessage with ""). */
static void event(const char *ev, const char *msg)
{
    if (!L.events)
        return;
    char *path = event_path(ev);
    if (append(path, "", msg))
        ack();
    free(path);
}

bool log_has_event(const char *ev)
{
    if (!L.events)
        return false;
    char *path = event_path(ev);
    bool there = access(path, F_OK) == 0;
    free(path);
    return there;
}

void log_clear_event(const char *ev)
{
    if (!L.events)
        return;
    char *path = event_path(ev);
    if (unlink(path) == 0)
        ack();
    else if (errno != ENOENT)
        msg_warn("cannot delete the event file %s: %s", path, strerror(errno));
    free(path);
}

enum level { OK, INFO, WARN, ERROR, FAIL, DEBUG, LOGONLY };

ATTR_PRINTF(2, 0) static void emit(enum level lv, const char *fmt, va_list ap)
{
    static const char *const tag[] = { "OK", "INFO", "WARNING", "ERROR", "FAIL", "DEBUG", NULL };
    /* The log's prefixes; [OK] is never logged (LCFG_OK: "information
     * messages which don't need logging"). */
    static const char *const prefix[] = { NULL, "   ", "++ ", "** ", "** ", "-- [debug] ", "   " };
    if (lv == DEBUG && !L.debug)
        return;
    char *msg = xvasprintf(fmt, ap);
    bool to_tty = tag[lv] && !(lv == INFO && L.quiet);
    if (to_tty) {
        /* Every line of a multi-line message carries the tag. */
        struct buf b = BUF_INIT;
        const char *p = msg;
        do {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            buf_addf(&b, "[%s] %s: ", tag[lv], COMP);
            buf_add(&b, p, n);
            buf_addc(&b, '\n');
            p = nl ? nl + 1 : p + n;
        } while (*p);
        fputs(buf_str(&b), stderr);
        fflush(stderr);
        buf_free(&b);
    }
    if (prefix[lv])
        append(L.file, prefix[lv], msg);
    if (lv == WARN)
        event("warn", msg);
    else if (lv == ERROR || lv == FAIL)
        event("err", msg);
    free(msg);
}

#define DEFINE_MSG(fn, lv)              \
    void fn(const char *fmt, ...)       \
    {                                   \
        va_list ap;                     \
        va_start(ap, fmt);              \
        emit(lv, fmt, ap);              \
        va_end(ap);                     \
    }

DEFINE_MSG(msg_ok, OK)
DEFINE_MSG(msg_info, INFO)
DEFINE_MSG(msg_warn, WARN)
DEFINE_MSG(msg_error, ERROR)
DEFINE_MSG(msg_fail, FAIL)
DEFINE_MSG(msg_debug, DEBUG)
DEFINE_MSG(msg_log, LOGONLY)

void log_event(const char *ev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    append(L.file, "== ", msg);
    event(ev, msg);
    free(msg);
}
