/* What datapathd and vswitchd share about being a daemon: --detach with a
 * readiness handshake, and a locked pidfile. */
#ifndef VSW_DAEMON_H
#define VSW_DAEMON_H 1

/* --detach, step 1: forks.  The parent waits until the child calls
 * vsw_daemon_ready() and exits 0, or exits 1 if the child dies first (its
 * error is already on the shared stderr).  Returns, in the child, the fd to
 * give to vsw_daemon_ready(). */
int vsw_daemon_start(void);

/* --detach, step 2: the daemon serves now.  Detaches stdin/stdout/stderr
 * and lets the parent exit 0, so a script may use the daemon as soon as the
 * starting command returns.  READY_FD < 0 (not detaching) does nothing. */
void vsw_daemon_ready(int ready_fd);

/* Creates PATH, locks it and writes our pid.  If another process holds the
 * lock, exits with "PATH is locked: WHAT is already running (pid N)". */
void vsw_pidfile_create(const char *path, const char *what);
/* Removes the pidfile created above, if any. */
void vsw_pidfile_remove(void);

#endif
