/* vswitchd's control socket server: see ctl-server.h and
 * include/vswitch/ctl-proto.h for the wire format. */
#include <config.h>
#include "vswitchd/ctl-server.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "vswitch/ctl-proto.h"
#include "utilities/list.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(ctl_server);

/* A client may take this long to send its request or read its answer. */
#define CTL_CONN_TIMEOUT_S 10
/* More simultaneous clients than this are refused at accept time, so a
 * runaway script cannot exhaust file descriptors. */
#define CTL_MAX_CONNS 64

struct ctl_conn {
    struct vsw_list node;       /* in ctl_server's conns */
    struct ctl_server *server;
    struct bufferevent *bev;
    int replied;                /* reply queued: close once written */
};

struct ctl_server {
    struct event_base *base;
    struct evconnlistener *listener;
    char *path;
    ctl_handler_fn *handler;
    void *aux;
    struct vsw_list conns;
    size_t n_conns;
};

static void ctl_conn_close(struct ctl_conn *);

void
ctl_argv_free(int argc, char **argv)
{
    if (argv) {
        for (int i = 0; i < argc; i++) {
            free(argv[i]);
        }
        free(argv);
    }
}

int
ctl_request_decode(const void *buf_, size_t len, int *argcp, char ***argvp,
                   size_t *consumed, struct vsw_error *err)
{
    const uint8_t *buf = buf_;
    struct vsw_ctl_request req;
    size_t ofs;
    char **argv;

    *argcp = 0;
    *argvp = NULL;
    *consumed = 0;
    if (len < sizeof req) {
        return EAGAIN;
    }
    memcpy(&req, buf, sizeof req);
    if (req.magic != VSW_CTL_MAGIC) {
        return vsw_error_set(err, EPROTO, "bad control request magic 0x%08x",
                             req.magic);
    }
    if (req.argc == 0) {
        return vsw_error_set(err, EPROTO, "control request without a command");
    }
    if (req.argc > VSW_CTL_MAX_ARGS) {
        return vsw_error_set(err, EPROTO,
                             "control request with %u arguments (at most %d)",
                             req.argc, VSW_CTL_MAX_ARGS);
    }

    /* Check lengths before allocating anything. */
    ofs = sizeof req;
    for (uint32_t i = 0; i < req.argc; i++) {
        uint32_t n;

        if (len - ofs < sizeof n) {
            return EAGAIN;
        }
        memcpy(&n, buf + ofs, sizeof n);
        if (n > VSW_CTL_MAX_ARG) {
            return vsw_error_set(err, EPROTO,
                                 "control request argument %u is %u bytes "
                                 "long (at most %d)", i, n, VSW_CTL_MAX_ARG);
        }
        ofs += sizeof n;
        if (len - ofs < n) {
            return EAGAIN;
        }
        if (memchr(buf + ofs, '\0', n)) {
            return vsw_error_set(err, EPROTO,
                                 "control request argument %u contains a "
                                 "NUL byte", i);
        }
        ofs += n;
    }

    argv = xcalloc(req.argc + 1, sizeof *argv);
    ofs = sizeof req;
    for (uint32_t i = 0; i < req.argc; i++) {
        uint32_t n;

        memcpy(&n, buf + ofs, sizeof n);
        ofs += sizeof n;
        argv[i] = xmalloc(n + 1);
        memcpy(argv[i], buf + ofs, n);
        argv[i][n] = '\0';
        ofs += n;
    }
    *argcp = req.argc;
    *argvp = argv;
    *consumed = ofs;
    return 0;
}

static void
ctl_conn_reply(struct ctl_conn *conn, int status, const char *text,
               size_t len)
{
    struct evbuffer *out = bufferevent_get_output(conn->bev);
    struct vsw_ctl_reply reply;

    if (len > VSW_CTL_MAX_REPLY) {
        status = 1;
        text = "reply too large for the control protocol";
        len = strlen(text);
    }
    memset(&reply, 0, sizeof reply);
    reply.magic = VSW_CTL_MAGIC;
    reply.status = status;
    reply.len = len;
    evbuffer_add(out, &reply, sizeof reply);
    evbuffer_add(out, text, len);
    conn->replied = 1;
    bufferevent_disable(conn->bev, EV_READ);
    bufferevent_enable(conn->bev, EV_WRITE);
}

static void
ctl_conn_read_cb(struct bufferevent *bev, void *conn_)
{
    struct ctl_conn *conn = conn_;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len = evbuffer_get_length(in);
    struct vsw_error err;
    size_t consumed;
    char **argv;
    int argc;
    int error;

    if (conn->replied) {
        evbuffer_drain(in, len);
        return;
    }
    vsw_error_clear(&err);
    error = ctl_request_decode(evbuffer_pullup(in, len), len, &argc, &argv,
                               &consumed, &err);
    if (error == EAGAIN) {
        return;
    } else if (error) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(10, 10);

        VSW_WARN_RL(&rl, "control socket: %s", err.msg);
        evbuffer_drain(in, len);
        ctl_conn_reply(conn, 1, err.msg, strlen(err.msg));
        return;
    }
    evbuffer_drain(in, consumed);

    struct ds out = DS_EMPTY;
    int status = conn->server->handler(conn->server->aux, argc, argv, &out);
    if (status && !out.len) {
        ds_put_cstr(&out, "command failed");
    }
    ctl_conn_reply(conn, status, ds_cstr(&out), out.len);
    ds_destroy(&out);
    ctl_argv_free(argc, argv);
}

static void
ctl_conn_write_cb(struct bufferevent *bev, void *conn_)
{
    struct ctl_conn *conn = conn_;

    if (conn->replied
        && !evbuffer_get_length(bufferevent_get_output(bev))) {
        ctl_conn_close(conn);
    }
}

static void
ctl_conn_event_cb(struct bufferevent *bev VSW_UNUSED, short what, void *conn_)
{
    struct ctl_conn *conn = conn_;

    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        ctl_conn_close(conn);
    }
}

static void
ctl_conn_close(struct ctl_conn *conn)
{
    vsw_list_remove(&conn->node);
    conn->server->n_conns--;
    bufferevent_free(conn->bev);
    free(conn);
}

static void
ctl_accept_cb(struct evconnlistener *listener VSW_UNUSED, evutil_socket_t fd,
              struct sockaddr *sa VSW_UNUSED, int socklen VSW_UNUSED,
              void *server_)
{
    struct ctl_server *server = server_;
    struct timeval tv = { CTL_CONN_TIMEOUT_S, 0 };
    struct ctl_conn *conn;

    if (server->n_conns >= CTL_MAX_CONNS) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);

        VSW_WARN_RL(&rl, "control socket: too many connections, refusing one");
        close(fd);
        return;
    }
    evutil_make_socket_nonblocking(fd);
    conn = xzalloc(sizeof *conn);
    conn->server = server;
    conn->bev = bufferevent_socket_new(server->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!conn->bev) {
        close(fd);
        free(conn);
        return;
    }
    bufferevent_setcb(conn->bev, ctl_conn_read_cb, ctl_conn_write_cb,
                      ctl_conn_event_cb, conn);
    bufferevent_set_timeouts(conn->bev, &tv, &tv);
    bufferevent_enable(conn->bev, EV_READ);
    vsw_list_push_back(&server->conns, &conn->node);
    server->n_conns++;
}

/* Whether a server answers at PATH. */
static bool
ctl_socket_is_live(const struct sockaddr_un *sun)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live;

    if (fd < 0) {
        return false;
    }
    live = !connect(fd, (const struct sockaddr *) sun, sizeof *sun);
    close(fd);
    return live;
}

int
ctl_server_create(struct event_base *base, const char *rundir,
                  ctl_handler_fn *handler, void *aux,
                  struct ctl_server **serverp, struct vsw_error *err)
{
    struct sockaddr_un sun;
    struct ctl_server *server;
    mode_t old_umask;
    char *path;
    int fd;

    *serverp = NULL;
    path = xasprintf("%s/%s", rundir, VSW_CTL_SOCK_NAME);
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    if (!vsw_strlcpy(sun.sun_path, path, sizeof sun.sun_path)) {
        vsw_error_set(err, ENAMETOOLONG, "control socket path %s is too long",
                      path);
        free(path);
        return ENAMETOOLONG;
    }
    if (ctl_socket_is_live(&sun)) {
        vsw_error_set(err, EADDRINUSE,
                      "another vswitchd is already serving %s", path);
        free(path);
        return EADDRINUSE;
    }
    unlink(path);

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        int error = errno;
        vsw_error_set(err, error, "socket: %s", strerror(error));
        free(path);
        return error;
    }
    /* Create the socket file with mode 0600 from the start: no window in
     * which another user could connect. */
    old_umask = umask(0177);
    if (bind(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        int error = errno;
        umask(old_umask);
        vsw_error_set(err, error, "cannot bind control socket %s: %s", path,
                      strerror(error));
        close(fd);
        free(path);
        return error;
    }
    umask(old_umask);
    chmod(path, 0600);
    if (listen(fd, 64) < 0) {
        int error = errno;
        vsw_error_set(err, error, "listen on %s: %s", path, strerror(error));
        close(fd);
        unlink(path);
        free(path);
        return error;
    }

    server = xzalloc(sizeof *server);
    server->base = base;
    server->path = path;
    server->handler = handler;
    server->aux = aux;
    vsw_list_init(&server->conns);
    server->listener = evconnlistener_new(base, ctl_accept_cb, server,
                                          LEV_OPT_CLOSE_ON_FREE, 0, fd);
    if (!server->listener) {
        vsw_error_set(err, ENOMEM, "cannot listen on %s", path);
        close(fd);
        unlink(path);
        free(path);
        free(server);
        return ENOMEM;
    }
    *serverp = server;
    return 0;
}

void
ctl_server_destroy(struct ctl_server *server)
{
    struct ctl_conn *conn, *next;

    if (!server) {
        return;
    }
    VSW_LIST_FOR_EACH_SAFE (conn, next, node, &server->conns) {
        ctl_conn_close(conn);
    }
    evconnlistener_free(server->listener);
    unlink(server->path);
    free(server->path);
    free(server);
}

const char *
ctl_server_path(const struct ctl_server *server)
{
    return server->path;
}
