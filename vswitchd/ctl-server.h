/* The server side of vswitchd's control socket (include/vswitch/ctl-proto.h).
 *
 * The server owns the listening socket and its connections; it reads one
 * request per connection, hands the decoded argument vector to a handler
 * and writes the handler's answer back.  Everything runs in the caller's
 * libevent loop: a slow or silent client never blocks the daemon (reads and
 * writes are nonblocking, idle connections are closed after a timeout, and
 * the number of simultaneous connections is bounded). */
#ifndef VSW_VSWITCHD_CTL_SERVER_H
#define VSW_VSWITCHD_CTL_SERVER_H 1

#include <stddef.h>
#include "utilities/ds.h"
#include "utilities/error.h"

struct event_base;
struct ctl_server;

/* Handles one request: ARGC >= 1 arguments (NUL-terminated copies of the
 * request's byte strings; argv[0] is the command name).  Appends the output
 * (status 0) or one line of error text (status != 0) to OUT and returns the
 * status. */
typedef int ctl_handler_fn(void *aux, int argc, char *argv[], struct ds *out);

/* Creates the socket RUNDIR/vswitchd.ctl (mode 0600).  A stale socket file
 * is replaced; a live one (another vswitchd answers) is EADDRINUSE. */
int ctl_server_create(struct event_base *, const char *rundir,
                      ctl_handler_fn *, void *aux, struct ctl_server **,
                      struct vsw_error *);
/* Closes every connection and removes the socket file. */
void ctl_server_destroy(struct ctl_server *);
const char *ctl_server_path(const struct ctl_server *);

/* Decodes a complete request in BUF[0..LEN).  Returns 0 and fills *ARGC
 * and *ARGV (a NULL-terminated array of xmalloc'd strings; free with
 * ctl_argv_free()), EAGAIN when more bytes are needed, or EPROTO with ERR
 * saying what is wrong.  *CONSUMED gets the request's length.  Exposed for
 * unit tests. */
int ctl_request_decode(const void *buf, size_t len, int *argc, char ***argv,
                       size_t *consumed, struct vsw_error *);
void ctl_argv_free(int argc, char **argv);

#endif
