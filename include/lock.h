/* lock.h: the component lock, as lcfglock provides it to ngeneric
 * components: one mutating method at a time; a second one waits a bounded
 * time and then gives up (exit status 2). */
#ifndef LCFGXEN_LOCK_H
#define LCFGXEN_LOCK_H

/* Take the lock at path, waiting up to timeout_ms. Writes "pid method" into
 * the lock file for whoever finds it busy.
 * Returns 0 (held; *ret_fd is the lock), 1 (busy after the wait; *err says
 * who holds it) or -1 (error; *err). */
int lock_acquire(const char *path, const char *method, unsigned timeout_ms,
                 int *ret_fd, char **err);
void lock_release(int fd);

#endif
