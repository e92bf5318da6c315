/* exec.h: run a program from an argv array (never through a shell), with
 * a bounded run time, capturing what it prints. */
#ifndef LCFGXEN_EXEC_H
#define LCFGXEN_EXEC_H

struct exec_result {
    int status;    /* exit status (0-255) when it exited by itself; -1 otherwise
                    * (killed by a signal, or timed out: a child that exits in
                    * answer to the timeout's SIGTERM did not finish its work) */
    int signal;    /* the signal that ended it, or 0 */
    int timed_out; /* 1 when it was killed for running past the timeout */
    char *out;     /* its standard output (NUL-terminated; caller frees) */
    char *err;     /* its standard error (NUL-terminated; caller frees) */
};

/* Run argv[0] (an absolute path) with arguments argv[1..] and a minimal
 * environment (PATH=/usr/sbin:/usr/bin:/sbin:/bin, LANG=C; plus the
 * entries of extra_env, "NAME=value", when not NULL; an entry replaces an
 * earlier one of the same name), standard input from /dev/null, no
 * inherited file descriptors beyond 0-2, default signal dispositions and
 * an empty signal mask. argv is passed verbatim: no shell is involved. The
 * child leads a new process group, and is killed with it (SIGTERM, then
 * SIGKILL after 2 s) when it runs longer than timeout_ms (0: no limit).
 * Returns 0 when it ran (see res for how it ended), or -1 with *err when
 * it could not be started (e.g. "/usr/bin/qemu-img: No such file or
 * directory", "qemu-img: not an absolute path"); res is then empty (out
 * and err NULL) and exec_result_free may still be called on it. The run
 * ends when the child has ended and its output is read, even if a process
 * it left in the background still holds the pipes. Output beyond 1 MiB per
 * stream is read and dropped (the child never blocks on a full pipe);
 * output containing NUL bytes is cut short at the first NUL by readers of
 * the strings. Not async-signal-safe; reaps only its own child. */
int exec_run(char *const argv[], char *const extra_env[], unsigned timeout_ms,
             struct exec_result *res, char **err);

/* Free out and err (and set them to NULL). NULL-safe. */
void exec_result_free(struct exec_result *res);

/* A one-line description of how it ended, for messages: "exited 0",
 * "exited 3: <first line of stderr>" (the first non-blank line, trimmed,
 * at most 200 bytes, control characters shown as '?'; just "exited 3"
 * when stderr is blank), "killed by signal 9", "timed out after 30 s"
 * ("after 300 ms" below a second); timeout_ms is the one given to
 * exec_run. Caller frees. */
char *exec_describe(const struct exec_result *res, unsigned timeout_ms);

#endif
