/* See ctl-client.h.  One request per connection, as ctl-proto.h says: the
 * request is written whole, then the reply header and body are read until
 * the declared length, each step bounded by what is left of the time
 * limit, so a stuck or misbehaving server can never hang the caller. */
#include <config.h>
#include "utilities/ctl-client.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "utilities/util.h"
#include "vswitch/ctl-proto.h"

char *
vsw_ctl_socket_path(const char *rundir)
{
    return xasprintf("%s/%s", rundir, VSW_CTL_SOCK_NAME);
}

/* Milliseconds left before DEADLINE (a vsw_time_msec() value; 0 means no
 * limit: -1 for poll()). */
static int
remaining_ms(uint64_t deadline)
{
    if (!deadline) {
        return -1;
    }
    uint64_t now = vsw_time_msec();
    return now >= deadline ? 0 : (int) VSW_MIN(deadline - now, INT32_MAX);
}

/* Waits until FD is ready for EVENTS.  Returns 0 or ETIMEDOUT / errno. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = events };
        int n = poll(&pfd, 1, remaining_ms(deadline));
        if (n > 0) {
            return 0;
        } else if (n == 0) {
            return ETIMEDOUT;
        } else if (errno != EINTR) {
            return errno;
        }
    }
}

static int
send_all(int fd, const void *buf_, size_t n, uint64_t deadline)
{
    const char *buf = buf_;
    while (n) {
        int error = wait_fd(fd, POLLOUT, deadline);
        if (error) {
            return error;
        }
        ssize_t w = send(fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return errno;
        }
        buf += w;
        n -= w;
    }
    return 0;
}

/* Reads exactly N bytes.  EPROTO if the peer closes first. */
static int
recv_all(int fd, void *buf_, size_t n, uint64_t deadline)
{
    char *buf = buf_;
    while (n) {
        int error = wait_fd(fd, POLLIN, deadline);
        if (error) {
            return error;
        }
        ssize_t r = recv(fd, buf, n, MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return errno;
        } else if (r == 0) {
            return EPROTO;
        }
        buf += r;
        n -= r;
    }
    return 0;
}

int
vsw_ctl_call(const char *rundir, int argc, char *const argv[],
             int timeout_ms, int *status, char **reply, size_t *len,
             struct vsw_error *err)
{
    *status = 0;
    *reply = NULL;
    if (len) {
        *len = 0;
    }
    if (argc < 1 || argc > VSW_CTL_MAX_ARGS) {
        return vsw_error_set(err, E2BIG, "a control request carries 1 to %d "
                             "arguments, not %d", VSW_CTL_MAX_ARGS, argc);
    }
    for (int i = 0; i < argc; i++) {
        if (strlen(argv[i]) > VSW_CTL_MAX_ARG) {
            return vsw_error_set(err, EINVAL, "argument %d is longer than %d "
                                 "bytes", i, VSW_CTL_MAX_ARG);
        }
    }

    uint64_t deadline = timeout_ms > 0 ? vsw_time_msec() + timeout_ms : 0;
    char *path = vsw_ctl_socket_path(rundir);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int error = 0;
    int fd = -1;

    if (!vsw_strlcpy(sun.sun_path, path, sizeof sun.sun_path)) {
        error = vsw_error_set(err, ENAMETOOLONG, "control socket path %s is "
                              "too long for a unix socket", path);
        goto out;
    }
    struct stat st;
    if (stat(path, &st)) {
        if (errno == ENOENT) {
            error = vsw_error_set(err, ENOENT, "vswitchd is not running "
                                  "(no %s)", path);
        } else {
            error = vsw_error_set(err, errno, "cannot reach vswitchd at %s: "
                                  "%s", path, strerror(errno));
        }
        goto out;
    }

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = vsw_error_set(err, errno, "socket: %s", strerror(errno));
        goto out;
    }
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun)) {
        int e = errno;
        if (e == ECONNREFUSED) {
            error = vsw_error_set(err, ECONNREFUSED, "vswitchd is not running "
                                  "(%s refuses connections)", path);
        } else if (e == ENOENT) {
            error = vsw_error_set(err, ENOENT, "vswitchd is not running "
                                  "(no %s)", path);
        } else {
            error = vsw_error_set(err, e, "cannot connect to %s: %s", path,
                                  strerror(e));
        }
        goto out;
    }

    /* The request. */
    struct vsw_ctl_request req = { .magic = VSW_CTL_MAGIC, .argc = argc };
    error = send_all(fd, &req, sizeof req, deadline);
    for (int i = 0; i < argc && !error; i++) {
        uint32_t alen = strlen(argv[i]);
        error = send_all(fd, &alen, sizeof alen, deadline);
        if (!error) {
            error = send_all(fd, argv[i], alen, deadline);
        }
    }
    /* The reply. */
    struct vsw_ctl_reply rep;
    if (!error) {
        error = recv_all(fd, &rep, sizeof rep, deadline);
    }
    if (!error && rep.magic != VSW_CTL_MAGIC) {
        error = EPROTO;
    }
    if (!error && rep.len > VSW_CTL_MAX_REPLY) {
        error = EPROTO;
    }
    char *body = NULL;
    if (!error) {
        body = xmalloc(rep.len + 1);
        error = recv_all(fd, body, rep.len, deadline);
        body[rep.len] = '\0';
    }
    if (error) {
        free(body);
        if (error == ETIMEDOUT) {
            vsw_error_set(err, ETIMEDOUT, "vswitchd did not answer on %s "
                          "within %d ms", path, timeout_ms);
        } else if (error == EPROTO) {
            vsw_error_set(err, EPROTO, "vswitchd sent a malformed reply on %s",
                          path);
        } else if (error == EPIPE || error == ECONNRESET) {
            vsw_error_set(err, error, "vswitchd closed the connection on %s "
                          "before answering", path);
        } else {
            vsw_error_set(err, error, "talking to vswitchd on %s: %s", path,
                          strerror(error));
        }
        goto out;
    }
    *status = rep.status;
    *reply = body;
    if (len) {
        *len = rep.len;
    }

out:
    if (fd >= 0) {
        close(fd);
    }
    free(path);
    return error;
}
