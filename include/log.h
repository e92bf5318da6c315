/* log.h: LCFG-style messages. The terminal gets "[OK] xen: ..." and
 * friends on stderr; the log file gets "dd/mm/yy HH:MM:SS: <prefix>..." and
 * warnings/errors also go to the xen.warn / xen.err event files, as
 * lcfg-utils' LCFG_Warn / LCFG_Error do. Logging settings are the one piece
 * of global state (with the command-line options). */
#ifndef LCFGXEN_LOG_H
#define LCFGXEN_LOG_H

#include <stdbool.h>

#include "util.h"

/* Set up from the root prefix and the environment: _LOGDIR (default
 * /var/log/lcfg) and _LOGFILE (default <logdir>/xen) are resolved under
 * root; _QUIET suppresses [INFO] on the terminal. */
void log_init(const char *root, bool debug);
void log_done(void);
/* Forget the open log descriptor without closing it: for a forked child
 * that has closed its inherited descriptors (a later message reopens). */
void log_detach(void);
/* The log directory (under the root): the event files go there. */
const char *log_dir(void);

void msg_ok(const char *fmt, ...) ATTR_PRINTF(1, 2);
void msg_info(const char *fmt, ...) ATTR_PRINTF(1, 2);
void msg_warn(const char *fmt, ...) ATTR_PRINTF(1, 2);
void msg_error(const char *fmt, ...) ATTR_PRINTF(1, 2);
void msg_fail(const char *fmt, ...) ATTR_PRINTF(1, 2);
void msg_debug(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* To the log file only. */
void msg_log(const char *fmt, ...) ATTR_PRINTF(1, 2);

#endif
