/* lock.h: the component lock: one mutating method at a time; a second one
 * waits a bounded time and then gives up (exit status 2, as lcfglock).
 * Two locks, taken in this order: LCFG's own semaphore through lcfglock
 * (lcfg-ngeneric), as ngeneric components take it, so that the component
 * excludes ngeneric's methods and whoever else holds "lcfglock xen"; then
 * the component's flock(2) lock, which the children that boot guests
 * inherit, so that a run killed mid-boot keeps the next run out until its
 * children are done (hv_batch.c). */
#ifndef LCFGXEN_LOCK_H
#define LCFGXEN_LOCK_H

/* Take the lock at path, waiting up to timeout_ms. Writes "pid method" into
 * the lock file for whoever finds it busy.
 * Returns 0 (held; *ret_fd is the lock), 1 (busy after the wait; *err says
 * who holds it) or -1 (error; *err). */
int lock_acquire(const char *path, const char *method, unsigned timeout_ms,
                 int *ret_fd, char **err);
void lock_release(int fd);

/* lcfglock, the program at prog: "prog -p PID -m METHOD (-t SECS | -n)
 * [-d DIR] xen" with this process's pid as the owner (dir: NULL for
 * lcfglock's own lock directory). Returns 0 (held), 1 (busy: it exited 2
 * after the wait; *err says so) or -1 (it failed; *err). */
int lcfglock_take(const char *prog, const char *dir, const char *method, unsigned timeout_ms,
                  char **err);
/* "prog -u -p PID [-d DIR] xen". Returns 0, or -1 with *err. */
int lcfglock_release(const char *prog, const char *dir, char **err);

#endif
