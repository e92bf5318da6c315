/* log.c: LCFG-compatible messages (see log.h). */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

#define COMP "xen"

static struct {
    char *dir;
    char *file;
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
    free(L.dir);
    free(L.file);
    if (L.fd >= 0)
        close(L.fd);
    L.fd = -1;
    L.dir = root_path(root, str_empty(dir) ? "/var/log/lcfg" : dir);
    if (!str_empty(file)) {
        L.file = root_path(root, file);
    } else {
        L.file = xasprintf("%s/%s", L.dir, COMP);
    }
    const char *q = getenv("_QUIET");
    L.quiet = q && *q && strcmp(q, "0") != 0;
    L.debug = debug;
    L.warned = false;
}

void log_done(void)
{
    free(L.dir);
    free(L.file);
    if (L.fd >= 0)
        close(L.fd);
    L.fd = -1;
    L.dir = L.file = NULL;
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
 * log stays open for the run; event files are opened per message. */
static void append(const char *path, const char *prefix, const char *msg)
{
    if (!path)
        return;
    bool main_log = path == L.file;
    int fd = main_log ? L.fd : -1;
    if (fd < 0)
        fd = open_log(path);
    if (fd < 0)
        return;
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
}

static void event(const char *ev, const char *prefix, const char *msg)
{
    if (!L.dir)
        return;
    char *path = xasprintf("%s/%s.%s", L.dir, COMP, ev);
    append(path, prefix, msg);
    free(path);
}

enum level { OK, INFO, WARN, ERROR, FAIL, DEBUG, LOGONLY };

ATTR_PRINTF(2, 0) static void emit(enum level lv, const char *fmt, va_list ap)
{
    static const char *const tag[] = { "OK", "INFO", "WARNING", "ERROR", "FAIL", "DEBUG", NULL };
    static const char *const prefix[] = { "   ", "   ", "++ ", "** ", "** ", "-- [debug] ", "   " };
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
    append(L.file, prefix[lv], msg);
    if (lv == WARN)
        event("warn", prefix[lv], msg);
    else if (lv == ERROR || lv == FAIL)
        event("err", prefix[lv], msg);
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
