/* The channel transport: AF_UNIX SOCK_SEQPACKET sockets carrying datagrams
 * of netlink-format messages (dp-msg.h).  All functions return 0 or a
 * positive errno.  Sockets are nonblocking unless stated; callers poll them
 * from a libevent loop (datapathd, vswitchd) or block (dpctl, tests). */
#ifndef VSW_DATAPATH_DP_CHAN_H
#define VSW_DATAPATH_DP_CHAN_H 1

#include <stdbool.h>
#include <sys/types.h>
#include "datapath/dp-msg.h"

struct vsw_chan {
    int fd;                     /* -1 when closed */
    uid_t peer_uid;             /* from SO_PEERCRED */
    pid_t peer_pid;
    uint32_t next_seq;          /* for requests this side originates */
};

/* Creates the listening socket at PATH (removing a stale socket file, not a
 * live one: EADDRINUSE if another server answers), mode 0600. */
int vsw_chan_listen(const char *path, int *listen_fd);
/* Accepts one client; refuses peers whose uid is neither 0 nor ours
 * (EPERM, connection closed). */
int vsw_chan_accept(int listen_fd, struct vsw_chan *);
/* Connects to PATH; BLOCKING selects a blocking socket. */
int vsw_chan_connect(const char *path, bool blocking, struct vsw_chan *);
void vsw_chan_close(struct vsw_chan *);

/* Sends DG as one datagram. EAGAIN if the socket is full (nonblocking). */
int vsw_chan_send(struct vsw_chan *, const struct vsw_dgram *dg);
/* Receives one datagram into DG (resized to fit VSW_DP_MAX_DATAGRAM).
 * EAGAIN if none is waiting, EPIPE when the peer closed. */
int vsw_chan_recv(struct vsw_chan *, struct vsw_dgram *dg);
/* Waits up to TIMEOUT_MS (-1 forever) for a datagram: ETIMEDOUT. */
int vsw_chan_recv_wait(struct vsw_chan *, struct vsw_dgram *dg, int timeout_ms);

/* Builds the socket path "RUNDIR/dp-ENGINE.sock" into BUF. */
int vsw_chan_path(const char *rundir, const char *engine, char *buf, size_t size);

#endif
