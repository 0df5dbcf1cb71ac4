/* The client side of vswitchd's control socket (include/vswitch/ctl-proto.h):
 * connect to RUNDIR/vswitchd.ctl, send an argv, read the reply, all within
 * a time limit.  Used by vsctl for runtime commands and the --wait poke. */
#ifndef VSW_CTL_CLIENT_H
#define VSW_CTL_CLIENT_H 1

#include <stddef.h>
#include "utilities/error.h"

/* The socket path for RUNDIR (caller frees). */
char *vsw_ctl_socket_path(const char *rundir);

/* Sends ARGV[0..ARGC) to the vswitchd serving RUNDIR and waits at most
 * TIMEOUT_MS milliseconds (0: no limit) for the whole reply.
 *
 * On success returns 0, stores the reply status in *STATUS (0 ok, 1 error,
 * 2 "not found"), and the reply bytes (NUL-terminated, LEN bytes without
 * the NUL) in *REPLY (caller frees) and *LEN (if nonnull).
 *
 * Errors, each with one sentence in ERR:
 *   ENOENT        no socket file: "vswitchd is not running (no PATH)"
 *   ECONNREFUSED  a stale socket file nobody listens on
 *   ETIMEDOUT     no complete reply within TIMEOUT_MS
 *   EPROTO        a reply that breaks the protocol (bad magic, too long,
 *                 connection closed early)
 *   E2BIG / EINVAL  too many or too long arguments (nothing was sent)
 *   other errno   from socket calls */
int vsw_ctl_call(const char *rundir, int argc, char *const argv[],
                 int timeout_ms, int *status, char **reply, size_t *len,
                 struct vsw_error *err);

#endif
