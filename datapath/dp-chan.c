/* The channel transport: AF_UNIX SOCK_SEQPACKET, one datagram per send (see
 * dp-chan.h).
 *
 * SEQPACKET keeps message boundaries (a datagram is received whole or, if
 * it is bigger than the buffer, detected as truncated) and gives a
 * connection (EOF when the peer goes away, credentials of the peer), which
 * is exactly what a netlink-style request/reply channel needs.
 *
 * The socket file is created 0600 before listen() so that nobody else can
 * connect even for an instant, and a leftover file from a dead server is
 * removed only after proving that nothing answers on it. */
#include <config.h>
#include "datapath/dp-chan.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "utilities/util.h"

/* Socket send buffer we ask for: room for a burst of full datagrams (a
 * datapath sending misses faster than vswitchd reads them for a moment).
 * SO_SNDBUFFORCE needs CAP_NET_ADMIN; otherwise SO_SNDBUF is capped by
 * net.core.wmem_max, which still fits one VSW_DP_MAX_DATAGRAM. */
#define CHAN_SNDBUF (4 * 1024 * 1024)

/* How long a blocking connect() may wait on a server whose backlog is full. */
#define CHAN_CONNECT_TIMEOUT_MS 5000

static int
make_addr(const char *path, struct sockaddr_un *sun, socklen_t *len)
{
    size_t n = strlen(path);

    if (n == 0) {
        return EINVAL;
    }
    if (n >= sizeof sun->sun_path) {
        return ENAMETOOLONG;
    }
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    memcpy(sun->sun_path, path, n + 1);
    *len = offsetof(struct sockaddr_un, sun_path) + n + 1;
    return 0;
}

static void
set_buffers(int fd)
{
    int size = CHAN_SNDBUF;

    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0) {
        /* Best effort: the kernel clamps it to wmem_max. */
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }
}

static int
set_nonblocking(int fd, bool nonblocking)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0) {
        return errno;
    }
    flags = nonblocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    return fcntl(fd, F_SETFL, flags) < 0 ? errno : 0;
}

static int
get_peer(int fd, struct vsw_chan *chan)
{
    struct ucred cred;
    socklen_t len = sizeof cred;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        return errno;
    }
    chan->peer_uid = cred.uid;
    chan->peer_pid = cred.pid;
    return 0;
}

/* PATH exists but bind() said EADDRINUSE: removes it if it is a socket that
 * nobody listens on.  Returns 0 when the path is free to bind again. */
static int
remove_stale(const char *path, const struct sockaddr_un *sun, socklen_t len)
{
    struct stat st;
    int probe, error;

    if (lstat(path, &st) < 0) {
        return errno == ENOENT ? 0 : errno;
    }
    if (!S_ISSOCK(st.st_mode)) {
        return EEXIST;          /* not a socket: never ours to delete */
    }
    probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (probe < 0) {
        return errno;
    }
    if (connect(probe, (const struct sockaddr *) sun, len) == 0) {
        error = EADDRINUSE;     /* a server answers */
    } else if (errno == ECONNREFUSED) {
        error = unlink(path) < 0 && errno != ENOENT ? errno : 0;
    } else {
        /* EAGAIN (backlog full), EPROTOTYPE (a stream server)...: alive, or
         * at least not provably dead. */
        error = EADDRINUSE;
    }
    close(probe);
    return error;
}

int
vsw_chan_listen(const char *path, int *listen_fd)
{
    struct sockaddr_un sun;
    socklen_t len;
    int fd, error;

    *listen_fd = -1;
    error = make_addr(path, &sun, &len);
    if (error) {
        return error;
    }
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    if (bind(fd, (struct sockaddr *) &sun, len) < 0) {
        error = errno;
        if (error == EADDRINUSE) {
            error = remove_stale(path, &sun, len);
            if (!error && bind(fd, (struct sockaddr *) &sun, len) < 0) {
                error = errno;
            }
        }
        if (error) {
            close(fd);
            return error;
        }
    }
    /* Before listen(): until then every connect() is refused anyway. */
    if (chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
        error = errno;
        unlink(path);
        close(fd);
        return error;
    }
    *listen_fd = fd;
    return 0;
}

int
vsw_chan_accept(int listen_fd, struct vsw_chan *chan)
{
    int fd, error;

    chan->fd = -1;
    do {
        fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return errno == EWOULDBLOCK || errno == ECONNABORTED ? EAGAIN : errno;
    }
    error = get_peer(fd, chan);
    if (!error && chan->peer_uid != 0 && chan->peer_uid != geteuid()) {
        error = EPERM;
    }
    if (error) {
        close(fd);
        return error;
    }
    set_buffers(fd);
    chan->fd = fd;
    chan->next_seq = 1;
    return 0;
}

int
vsw_chan_connect(const char *path, bool blocking, struct vsw_chan *chan)
{
    struct timeval tv = {
        .tv_sec = CHAN_CONNECT_TIMEOUT_MS / 1000,
        .tv_usec = CHAN_CONNECT_TIMEOUT_MS % 1000 * 1000,
    };
    static const struct timeval zero;
    struct sockaddr_un sun;
    socklen_t len;
    int fd, error;

    chan->fd = -1;
    error = make_addr(path, &sun, &len);
    if (error) {
        return error;
    }
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    /* A blocking AF_UNIX connect() waits while the server's backlog is full,
     * bounded by the send timeout. */
    (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    do {
        error = connect(fd, (struct sockaddr *) &sun, len) < 0 ? errno : 0;
    } while (error == EINTR);
    if (error == EAGAIN) {
        error = ETIMEDOUT;
    }
    (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &zero, sizeof zero);
    if (!error) {
        error = get_peer(fd, chan);
    }
    if (!error && !blocking) {
        error = set_nonblocking(fd, true);
    }
    if (error) {
        close(fd);
        return error;
    }
    set_buffers(fd);
    chan->fd = fd;
    chan->next_seq = 1;
    return 0;
}

void
vsw_chan_close(struct vsw_chan *chan)
{
    if (chan->fd >= 0) {
        close(chan->fd);
        chan->fd = -1;
    }
}

int
vsw_chan_send(struct vsw_chan *chan, const struct vsw_dgram *dg)
{
    if (chan->fd < 0) {
        return ENOTCONN;
    }
    if (dg->len == 0) {
        return EINVAL;          /* the peer would read it as end of file */
    }
    if (dg->len > VSW_DP_MAX_DATAGRAM) {
        return EMSGSIZE;
    }
    for (;;) {
        ssize_t n = send(chan->fd, dg->data, dg->len, MSG_NOSIGNAL);

        if (n >= 0) {
            /* SEQPACKET sends whole datagrams or nothing. */
            return (size_t) n == dg->len ? 0 : EMSGSIZE;
        }
        switch (errno) {
        case EINTR:
            continue;
        case EWOULDBLOCK:
            return EAGAIN;
        case ECONNRESET:
        case ENOTCONN:
        case EPIPE:
            return EPIPE;
        default:
            return errno;
        }
    }
}

int
vsw_chan_recv(struct vsw_chan *chan, struct vsw_dgram *dg)
{
    if (chan->fd < 0) {
        return ENOTCONN;
    }
    if (!dg->data || dg->cap < VSW_DP_MAX_DATAGRAM) {
        dg->data = xrealloc(dg->data, VSW_DP_MAX_DATAGRAM);
        dg->cap = VSW_DP_MAX_DATAGRAM;
    }
    dg->len = 0;
    for (;;) {
        /* MSG_TRUNC makes recv() return the real length of a datagram
         * that did not fit, so that it is refused rather than cut. */
        ssize_t n = recv(chan->fd, dg->data, dg->cap,
                         MSG_DONTWAIT | MSG_TRUNC);

        if (n > 0) {
            if ((size_t) n > dg->cap) {
                return EMSGSIZE;        /* and the datagram is gone */
            }
            dg->len = n;
            return 0;
        } else if (n == 0) {
            return EPIPE;
        }
        switch (errno) {
        case EINTR:
            continue;
        case EWOULDBLOCK:
            return EAGAIN;
        case ECONNRESET:
        case ENOTCONN:
            return EPIPE;
        default:
            return errno;
        }
    }
}

int
vsw_chan_recv_wait(struct vsw_chan *chan, struct vsw_dgram *dg, int timeout_ms)
{
    uint64_t deadline = timeout_ms >= 0 ? vsw_time_msec() + timeout_ms : 0;

    for (;;) {
        struct pollfd pfd = { .fd = chan->fd, .events = POLLIN };
        int error = vsw_chan_recv(chan, dg);
        int wait = -1;

        if (error != EAGAIN) {
            return error;
        }
        if (timeout_ms >= 0) {
            uint64_t now = vsw_time_msec();

            if (now >= deadline) {
                return ETIMEDOUT;
            }
            wait = deadline - now;
        }
        if (poll(&pfd, 1, wait) < 0 && errno != EINTR) {
            return errno;
        }
    }
}

int
vsw_chan_path(const char *rundir, const char *engine, char *buf, size_t size)
{
    int n;

    if (!engine[0] || strchr(engine, '/')) {
        return EINVAL;
    }
    n = snprintf(buf, size, "%s/%s%s%s", rundir, VSW_DP_SOCK_PREFIX, engine,
                 VSW_DP_SOCK_SUFFIX);
    if (n < 0 || (size_t) n >= size
        || (size_t) n >= sizeof ((struct sockaddr_un *) 0)->sun_path) {
        return ENAMETOOLONG;
    }
    return 0;
}
