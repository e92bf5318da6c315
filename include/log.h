/* log.h: LCFG-style messages, as lcfg-core's libmsg gives them. The
 * terminal gets "[OK] xen: ..." and friends on stderr; the log file gets
 * "dd/mm/yy HH:MM:SS: <prefix>..." for every message but [OK] (terminal
 * only); warnings and errors also go to the xen.warn / xen.err event files
 * ("dd/mm/yy HH:MM:SS: message", no prefix), and a new or removed event
 * file is acknowledged to the LCFG server with lcfgack when it is
 * installed. Logging settings are the one piece of global state (with the
 * command-line options). */
#ifndef LCFGXEN_LOG_H
#define LCFGXEN_LOG_H

#include <stdbool.h>

#include "util.h"

/* Set up from the root prefix and the environment: _LOGDIR (default
 * /var/log/lcfg) and _LOGFILE (default <logdir>/xen) are resolved under
 * root; the event files are <logfile>.<event> (<logdir>/xen.err, or
 * $_LOGFILE.err); _QUIET suppresses [INFO] on the terminal. */
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

/* An event (LCFG_Event, "for special events like reboot requests"): the
 * log gets "== message", the event file <logfile>.<ev> the message. */
void log_event(const char *ev, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Is there an event file for ev? */
bool log_has_event(const char *ev);
/* Remove ev's event file (LCFG_ClearEvent); a failure other than its
 * absence is a warning. */
void log_clear_event(const char *ev);

#endif
