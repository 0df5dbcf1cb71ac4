/* The vswitchd control socket: runtime commands from vsctl.
 *
 * $rundir/vswitchd.ctl, AF_UNIX SOCK_STREAM, mode 0600.  One request per
 * connection:
 *
 *   client -> server   struct vsw_ctl_request, then argc arguments, each a
 *                      __u32 length (host order) followed by that many
 *                      bytes (no NUL).  argv[0] is the command name
 *                      ("dump-dp-flows", "fdb-show", "poke", ...); an
 *                      argument "--format=json" anywhere selects JSON.
 *   server -> client   struct vsw_ctl_reply, then len bytes: the output
 *                      (status 0) or one line of error text (status != 0,
 *                      the exit status vsctl should use: 1 error, 2 "not
 *                      found" where the command defines it).
 *   Then the server closes the connection.
 *
 * Both sides refuse a bad magic, argc > VSW_CTL_MAX_ARGS or an argument
 * longer than VSW_CTL_MAX_ARG; the server answers such a request with an
 * error reply when it can and never crashes on it.
 *
 * "poke" is the reconcile nudge that `vsctl --wait` sends after committing:
 * it makes vswitchd re-read the database now; its reply is empty. */
#ifndef VSWITCH_CTL_PROTO_H
#define VSWITCH_CTL_PROTO_H 1

#include <linux/types.h>

#define VSW_CTL_SOCK_NAME "vswitchd.ctl"
#define VSW_CTL_MAGIC 0x56535743u     /* "VSWC" */
#define VSW_CTL_MAX_ARGS 64
#define VSW_CTL_MAX_ARG 65536
#define VSW_CTL_MAX_REPLY (256u << 20)

struct vsw_ctl_request {
    __u32 magic;
    __u32 argc;
};

struct vsw_ctl_reply {
    __u32 magic;
    __u32 status;
    __u32 len;
    __u32 pad0;
};

#endif
