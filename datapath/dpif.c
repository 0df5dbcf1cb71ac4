/* The client side of the datapath channel (see dpif.h).
 *
 * Every request is a transaction identified by its sequence number.  A
 * non-dump request always carries NLM_F_ACK and is finished by its
 * NLMSG_ERROR (error 0 = ACK; an object answer, if any, comes first); a dump
 * is finished by NLMSG_DONE or an NLMSG_ERROR.  Anything else that arrives
 * meanwhile is sorted by the datagram walker: PACKET MISS messages go to the
 * upcall queue (as raw bytes, decoded again when handed out, so a queued
 * miss costs its size and not a struct vsw_msg), answers with the sequence
 * number of an earlier, abandoned transaction are dropped.
 *
 * The socket is nonblocking and every wait is a poll() with the dpif's
 * timeout: a sender that waits for room also reads, so that a batch of
 * requests (dpif_operate) never deadlocks against a server that is busy
 * writing the answers we are not reading.  The timeout restarts whenever an
 * answer for the waiting transaction arrives, so a long dump is not cut. */
#include <config.h>
#include "datapath/dpif.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dp-chan.h"
#include "utilities/log.h"

VSW_LOG_MODULE(dpif);

/* A MISS waiting in the queue: the netlink message as received. */
struct upcall_buf {
    uint8_t *data;
    uint32_t len;
};

struct dpif {
    struct vsw_chan chan;
    char *engine;
    char *path;
    int timeout_ms;             /* -1: wait forever */
    bool busy;                  /* a transaction is running: a callback may
                                 * not start another one */
    struct vsw_dgram tx;        /* requests being sent */
    struct vsw_dgram rx;        /* last datagram received */

    struct upcall_buf *queue;   /* ring of DPIF_UPCALL_QUEUE_MAX */
    size_t q_head;
    size_t q_n;
    uint64_t n_overflow;        /* misses dropped because the queue was full */
};

/* One outstanding request. */
struct txn {
    uint32_t seq;
    uint16_t type;              /* request's family */
    uint8_t cmd;
    bool dump;
    bool sent;                  /* on the wire: answers are expected */
    bool done;
    int error;                  /* positive errno once done */
    struct vsw_error *err;      /* may be NULL */
    struct vsw_msg *reply;      /* first object answer is copied here */
    bool got_reply;
    int (*cb)(void *aux, const struct vsw_msg *);   /* every object answer */
    void *aux;
    int cb_result;              /* first nonzero result; stops the calls */
};

/* The requests of one dpif call, with consecutive sequence numbers. */
struct pending {
    struct txn *txns;
    size_t n;
    size_t n_open;              /* sent and not done */
    uint64_t progress;          /* answers received, to restart the timer */
};

/* ---- Transactions ------------------------------------------------------- */

static const char *
req_name(const struct txn *t, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s", vsw_family_name(t->type),
             vsw_cmd_name(t->type, t->cmd));
    return buf;
}

static void
txn_finish(struct pending *p, struct txn *t, int error, const char *text)
{
    if (t->done) {
        return;
    }
    t->done = true;
    t->error = error;
    if (t->sent && p) {
        p->n_open--;
    }
    if (error) {
        char name[32];

        if (text && text[0]) {
            vsw_error_set(t->err, error, "%s", text);
        } else {
            vsw_error_set(t->err, error, "datapathd refused %s: %s",
                          req_name(t, name, sizeof name), strerror(error));
        }
    }
}

/* Ends every open transaction of P with ERROR and TEXT. */
static void
pending_fail(struct pending *p, int error, const char *text)
{
    for (size_t i = 0; p && i < p->n; i++) {
        if (!p->txns[i].done) {
            txn_finish(p, &p->txns[i], error, text);
        }
    }
}

static struct txn *
pending_find(struct pending *p, uint32_t seq)
{
    size_t idx;

    if (!p || !p->n) {
        return NULL;
    }
    idx = (uint32_t) (seq - p->txns[0].seq);
    return idx < p->n && p->txns[idx].seq == seq ? &p->txns[idx] : NULL;
}

/* Reserves N consecutive nonzero sequence numbers (MISS messages use 0). */
static uint32_t
alloc_seqs(struct dpif *dpif, size_t n)
{
    uint32_t base;

    if (dpif->chan.next_seq == 0 || dpif->chan.next_seq > UINT32_MAX - n) {
        dpif->chan.next_seq = 1;
    }
    base = dpif->chan.next_seq;
    dpif->chan.next_seq += n;
    return base;
}

static void
enqueue_upcall(struct dpif *dpif, const struct nlmsghdr *nlh)
{
    static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);
    struct upcall_buf *b;

    if (dpif->q_n >= DPIF_UPCALL_QUEUE_MAX) {
        dpif->n_overflow++;
        VSW_WARN_RL(&rl, "%s: upcall queue full (%d), dropped a miss "
                    "(%"PRIu64" so far)", dpif->path, DPIF_UPCALL_QUEUE_MAX,
                    dpif->n_overflow);
        return;
    }
    b = &dpif->queue[(dpif->q_head + dpif->q_n) % DPIF_UPCALL_QUEUE_MAX];
    b->data = xmemdup(nlh, nlh->nlmsg_len);
    b->len = nlh->nlmsg_len;
    dpif->q_n++;
}

/* Walks a received datagram.  vsw_dgram_for_each() calls exactly one of
 * the two callbacks per message, in order, so OFF follows the raw bytes of
 * the message being looked at (needed to queue a MISS). */
struct walk {
    struct dpif *dpif;
    struct pending *p;
    size_t off;
};

static const struct nlmsghdr *
walk_next(struct walk *w)
{
    const struct nlmsghdr *nlh = (const void *) (w->dpif->rx.data + w->off);

    w->off += nlh->nlmsg_len;
    return nlh;
}

static int
walk_msg(const struct vsw_msg *m, void *aux)
{
    static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);
    struct walk *w = aux;
    const struct nlmsghdr *nlh = walk_next(w);
    struct pending *p = w->p;
    struct txn *t;
    char name[32];

    if (m->type == VSW_FAMILY_PACKET && m->cmd == VSW_PACKET_CMD_MISS) {
        enqueue_upcall(w->dpif, nlh);
        return 0;
    }
    t = pending_find(p, m->seq);
    if (!t || !t->sent || t->done) {
        VSW_DBG("%s: dropping %s message with stale seq %u", w->dpif->path,
                vsw_family_name(m->type), m->seq);
        return 0;
    }
    p->progress++;
    switch (m->type) {
    case NLMSG_ERROR:
        if (m->u.error.error) {
            txn_finish(p, t, m->u.error.error, m->u.error.text);
        } else if (!t->dump) {
            txn_finish(p, t, 0, NULL);
        }
        break;
    case NLMSG_DONE:
        if (t->dump) {
            txn_finish(p, t, m->u.error.error, NULL);
        }
        break;
    default:
        if (m->type != t->type) {
            char text[VSW_ERROR_MAX];

            snprintf(text, sizeof text, "datapathd answered %s with a %s "
                     "message", req_name(t, name, sizeof name),
                     vsw_family_name(m->type));
            VSW_WARN_RL(&rl, "%s: %s", w->dpif->path, text);
            txn_finish(p, t, EPROTO, text);
            break;
        }
        if (t->reply && !t->got_reply) {
            *t->reply = *m;
            t->got_reply = true;
        }
        if (t->cb && !t->cb_result) {
            t->cb_result = t->cb(t->aux, m);
        }
        break;
    }
    return 0;
}

static void
walk_bad(const struct nlmsghdr *nlh_, const struct vsw_error *e, void *aux)
{
    static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);
    struct walk *w = aux;
    const struct nlmsghdr *nlh = walk_next(w);
    struct txn *t = pending_find(w->p, nlh->nlmsg_seq);

    (void) nlh_;
    VSW_WARN_RL(&rl, "%s: malformed message from datapathd: %s",
                w->dpif->path, e->msg);
    if (t && t->sent && !t->done) {
        char text[2 * VSW_ERROR_MAX], name[32];

        snprintf(text, sizeof text, "datapathd's answer to %s is malformed: "
                 "%s", req_name(t, name, sizeof name), e->msg);
        txn_finish(w->p, t, EPROTO, text);
    }
}

/* Sorts the messages of dpif->rx into P's transactions and the upcall
 * queue. */
static void
dispatch(struct dpif *dpif, struct pending *p)
{
    struct walk w = { .dpif = dpif, .p = p };
    struct vsw_error err;

    if (vsw_dgram_for_each(&dpif->rx, walk_msg, walk_bad, &w, &err)) {
        char text[2 * VSW_ERROR_MAX];

        VSW_WARN("%s: %s", dpif->path, err.msg);
        snprintf(text, sizeof text, "datapathd sent a malformed datagram: %s",
                 err.msg);
        pending_fail(p, EPROTO, text);
    }
}

static int
remaining_ms(const struct dpif *dpif, uint64_t deadline)
{
    uint64_t now;

    if (dpif->timeout_ms < 0) {
        return -1;
    }
    now = vsw_time_msec();
    return now >= deadline ? 0 : (int) VSW_MIN(deadline - now, INT32_MAX);
}

static uint64_t
new_deadline(const struct dpif *dpif)
{
    return dpif->timeout_ms < 0 ? 0 : vsw_time_msec() + dpif->timeout_ms;
}

/* A sentence for a transport failure. */
static void
transport_error(const struct dpif *dpif, int error, char *text, size_t size)
{
    switch (error) {
    case ETIMEDOUT:
        snprintf(text, size, "no answer from datapathd on %s within %d ms",
                 dpif->path, dpif->timeout_ms);
        break;
    case EPIPE:
        snprintf(text, size, "datapathd closed the connection on %s",
                 dpif->path);
        break;
    case EMSGSIZE:
        snprintf(text, size, "datapathd sent a datagram larger than %d bytes",
                 VSW_DP_MAX_DATAGRAM);
        break;
    default:
        snprintf(text, size, "channel %s: %s", dpif->path, strerror(error));
        break;
    }
}

/* Sends dpif->tx, reading (and dispatching into P) while the socket is
 * full. */
static int
send_tx(struct dpif *dpif, struct pending *p, uint64_t deadline)
{
    for (;;) {
        struct pollfd pfd = {
            .fd = dpif->chan.fd, .events = POLLIN | POLLOUT,
        };
        int error = vsw_chan_send(&dpif->chan, &dpif->tx);
        int n;

        if (error != EAGAIN) {
            return error;
        }
        n = poll(&pfd, 1, remaining_ms(dpif, deadline));
        if (n < 0 && errno != EINTR) {
            return errno;
        } else if (n == 0) {
            return ETIMEDOUT;
        } else if (n > 0 && pfd.revents & (POLLIN | POLLHUP)) {
            error = vsw_chan_recv(&dpif->chan, &dpif->rx);
            if (!error) {
                dispatch(dpif, p);
            } else if (error != EAGAIN && error != EMSGSIZE) {
                return error;
            }
        }
    }
}

/* Receives until every sent transaction of P is done. */
static int
wait_pending(struct dpif *dpif, struct pending *p, uint64_t deadline)
{
    while (p->n_open) {
        uint64_t progress = p->progress;
        int error = vsw_chan_recv_wait(&dpif->chan, &dpif->rx,
                                       remaining_ms(dpif, deadline));

        if (error) {
            return error;
        }
        dispatch(dpif, p);
        if (p->progress != progress) {
            deadline = new_deadline(dpif);
        }
    }
    return 0;
}

/* Runs P: sends what is in dpif->tx (already encoded) and waits. */
static int
run(struct dpif *dpif, struct pending *p)
{
    uint64_t deadline = new_deadline(dpif);
    int error = send_tx(dpif, p, deadline);

    if (!error) {
        error = wait_pending(dpif, p, deadline);
    }
    if (error) {
        char text[VSW_ERROR_MAX];

        transport_error(dpif, error, text, sizeof text);
        pending_fail(p, error, text);
    }
    return error;
}

static int
busy_error(struct vsw_error *err)
{
    return vsw_error_set(err, EBUSY, "dpif called from inside one of its own "
                         "dump callbacks");
}

static int
encode_error(const struct vsw_msg *req, int error, struct vsw_error *err)
{
    if (error == ENOBUFS) {
        return vsw_error_set(err, EMSGSIZE, "%s %s request does not fit in a "
                             "datagram", vsw_family_name(req->type),
                             vsw_cmd_name(req->type, req->cmd));
    }
    return vsw_error_set(err, error, "%s %s request cannot be encoded (a key "
                         "with fields outside its parsed headers, a bad "
                         "action or a string that does not fit)",
                         vsw_family_name(req->type),
                         vsw_cmd_name(req->type, req->cmd));
}

/* Sends REQ and waits for its end.  REPLY (may be NULL) gets the first
 * object answer; CB (may be NULL) gets every one.  Returns 0, the errno of
 * the failure (ERR says why), or CB's first nonzero result. */
static int
transact(struct dpif *dpif, struct vsw_msg *req, bool dump,
         struct vsw_msg *reply, bool *got_reply,
         int (*cb)(void *, const struct vsw_msg *), void *aux,
         struct vsw_error *err)
{
    struct txn t = {
        .type = req->type, .cmd = req->cmd, .dump = dump, .err = err,
        .reply = reply, .cb = cb, .aux = aux,
    };
    struct pending p = { .txns = &t, .n = 1 };
    int error;

    vsw_error_clear(err);
    if (dpif->busy) {
        return busy_error(err);
    }
    t.seq = req->seq = alloc_seqs(dpif, 1);
    req->nl_flags |= NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
    vsw_dgram_clear(&dpif->tx);
    error = vsw_msg_encode(req, &dpif->tx);
    if (error) {
        return encode_error(req, error, err);
    }

    dpif->busy = true;
    t.sent = true;
    p.n_open = 1;
    run(dpif, &p);
    dpif->busy = false;

    if (got_reply) {
        *got_reply = t.got_reply;
    }
    return t.error ? t.error : t.cb_result;
}

/* ---- Opening ------------------------------------------------------------ */

int
dpif_open(const char *rundir, const char *engine, struct dpif **dpifp,
          struct vsw_error *err)
{
    char path[256];
    struct dpif *dpif;
    struct vsw_chan chan;
    int error;

    *dpifp = NULL;
    vsw_error_clear(err);
    error = vsw_chan_path(rundir, engine, path, sizeof path);
    if (error) {
        return vsw_error_set(err, error, "no channel socket path for engine "
                             "\"%s\" under %s: %s", engine, rundir,
                             strerror(error));
    }
    error = vsw_chan_connect(path, false, &chan);
    if (error == ENOENT) {
        return vsw_error_set(err, error, "datapathd is not running (no %s)",
                             path);
    } else if (error == ECONNREFUSED) {
        return vsw_error_set(err, error, "datapathd is not running (nothing "
                             "answers on %s)", path);
    } else if (error) {
        return vsw_error_set(err, error, "cannot connect to datapathd at %s: "
                             "%s", path, strerror(error));
    }

    dpif = xzalloc(sizeof *dpif);
    dpif->chan = chan;
    dpif->engine = xstrdup(engine);
    dpif->path = xstrdup(path);
    dpif->timeout_ms = DPIF_DEFAULT_TIMEOUT_MS;
    vsw_dgram_init(&dpif->tx);
    vsw_dgram_init(&dpif->rx);
    dpif->queue = xcalloc(DPIF_UPCALL_QUEUE_MAX, sizeof *dpif->queue);
    *dpifp = dpif;
    return 0;
}

void
dpif_close(struct dpif *dpif)
{
    if (!dpif) {
        return;
    }
    vsw_chan_close(&dpif->chan);
    for (size_t i = 0; i < dpif->q_n; i++) {
        free(dpif->queue[(dpif->q_head + i) % DPIF_UPCALL_QUEUE_MAX].data);
    }
    free(dpif->queue);
    vsw_dgram_destroy(&dpif->tx);
    vsw_dgram_destroy(&dpif->rx);
    free(dpif->engine);
    free(dpif->path);
    free(dpif);
}

int
dpif_fd(const struct dpif *dpif)
{
    return dpif->chan.fd;
}

const char *
dpif_engine(const struct dpif *dpif)
{
    return dpif->engine;
}

void
dpif_set_timeout(struct dpif *dpif, int timeout_ms)
{
    dpif->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
}

uint64_t
dpif_upcall_overflows(const struct dpif *dpif)
{
    return dpif->n_overflow;
}

size_t
dpif_upcalls_queued(const struct dpif *dpif)
{
    return dpif->q_n;
}

/* ---- Datapaths ---------------------------------------------------------- */

static int
check_name(const char *what, const char *name, struct vsw_error *err)
{
    if (!name || !name[0]) {
        return vsw_error_set(err, EINVAL, "%s name is empty", what);
    }
    if (strlen(name) >= VSW_NAME_MAX) {
        return vsw_error_set(err, EINVAL, "%s name \"%s\" is longer than %d "
                             "characters", what, name, VSW_NAME_MAX - 1);
    }
    return 0;
}

int
dpif_dp_new(struct dpif *dpif, const char *name, uint32_t *dp_index,
            struct vsw_error *err)
{
    struct vsw_msg *req = xmalloc(sizeof *req);
    struct vsw_msg *reply = xmalloc(sizeof *reply);
    bool got_reply;
    int error;

    *dp_index = 0;
    error = check_name("datapath", name, err);
    if (!error) {
        vsw_msg_init(req, VSW_FAMILY_DATAPATH, VSW_DP_CMD_NEW, NLM_F_CREATE,
                     0, 0);
        strcpy(req->u.dp.name, name);
        vsw_msg_set(req, VSW_DP_ATTR_NAME);
        req->u.dp.version = VSW_DP_PROTO_VERSION;
        vsw_msg_set(req, VSW_DP_ATTR_VERSION);
        error = transact(dpif, req, false, reply, &got_reply, NULL, NULL, err);
    }
    if (!error) {
        if (!got_reply || !reply->dp_index) {
            error = vsw_error_set(err, EPROTO, "datapathd answered DATAPATH "
                                  "NEW for %s without a datapath index", name);
        } else {
            *dp_index = reply->dp_index;
        }
    }
    free(req);
    free(reply);
    return error;
}

static int
simple(struct dpif *dpif, struct vsw_msg *req, struct vsw_error *err)
{
    int error = transact(dpif, req, false, NULL, NULL, NULL, NULL, err);

    free(req);
    return error;
}

static struct vsw_msg *
new_req(uint16_t family, uint8_t cmd, uint32_t dp_index)
{
    struct vsw_msg *req = xmalloc(sizeof *req);

    vsw_msg_init(req, family, cmd, 0, 0, dp_index);
    return req;
}

int
dpif_dp_del(struct dpif *dpif, uint32_t dp_index, struct vsw_error *err)
{
    return simple(dpif, new_req(VSW_FAMILY_DATAPATH, VSW_DP_CMD_DEL, dp_index),
                  err);
}

int
dpif_dp_get(struct dpif *dpif, uint32_t dp_index, const char *name,
            struct vsw_msg_dp *out, struct vsw_error *err)
{
    struct vsw_msg *req, *reply;
    bool got_reply;
    int error;

    if (!dp_index) {
        error = check_name("datapath", name, err);
        if (error) {
            return error;
        }
    }
    req = new_req(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, dp_index);
    reply = xmalloc(sizeof *reply);
    if (!dp_index) {
        strcpy(req->u.dp.name, name);
        vsw_msg_set(req, VSW_DP_ATTR_NAME);
    }
    error = transact(dpif, req, false, reply, &got_reply, NULL, NULL, err);
    if (!error && !got_reply) {
        error = vsw_error_set(err, EPROTO, "datapathd answered DATAPATH GET "
                              "without the datapath");
    }
    if (!error) {
        *out = reply->u.dp;
    }
    free(req);
    free(reply);
    return error;
}

struct dp_dump_aux {
    int (*cb)(void *, uint32_t, const struct vsw_msg_dp *);
    void *aux;
};

static int
dp_dump_cb(void *aux_, const struct vsw_msg *m)
{
    struct dp_dump_aux *a = aux_;

    return a->cb(a->aux, m->dp_index, &m->u.dp);
}

int
dpif_dp_dump(struct dpif *dpif,
             int (*cb)(void *, uint32_t dp_index, const struct vsw_msg_dp *),
             void *aux, struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, 0);
    struct dp_dump_aux a = { cb, aux };
    int error = transact(dpif, req, true, NULL, NULL, dp_dump_cb, &a, err);

    free(req);
    return error;
}

int
dpif_dp_set(struct dpif *dpif, uint32_t dp_index, const struct vsw_msg_dp *dp,
            uint64_t attrs, struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_DATAPATH, VSW_DP_CMD_SET,
                                  dp_index);

    req->u.dp = *dp;
    req->attrs = attrs;
    return simple(dpif, req, err);
}

int
dpif_upcall_register(struct dpif *dpif, uint32_t dp_index,
                     struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_DATAPATH, VSW_DP_CMD_SET,
                                  dp_index);

    vsw_msg_set(req, VSW_DP_ATTR_UPCALL_REGISTER);
    return simple(dpif, req, err);
}

/* ---- Ports -------------------------------------------------------------- */

int
dpif_port_add(struct dpif *dpif, uint32_t dp_index, struct vsw_msg_port *port,
              struct vsw_error *err)
{
    struct vsw_msg *req, *reply;
    bool got_reply;
    int error;

    error = check_name("port", port->name, err);
    if (error) {
        return error;
    }
    if (!port->type[0] || !memchr(port->type, '\0', sizeof port->type)) {
        return vsw_error_set(err, EINVAL, "port %s: type is empty or too "
                             "long", port->name);
    }
    if (port->n_options > VSW_MAX_PORT_OPTIONS) {
        return vsw_error_set(err, EINVAL, "port %s: %u options, at most %d",
                             port->name, port->n_options,
                             VSW_MAX_PORT_OPTIONS);
    }
    req = new_req(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, dp_index);
    reply = xmalloc(sizeof *reply);
    req->u.port = *port;
    vsw_msg_set(req, VSW_PORT_ATTR_NAME);
    vsw_msg_set(req, VSW_PORT_ATTR_TYPE);
    if (port->n_options) {
        vsw_msg_set(req, VSW_PORT_ATTR_OPTIONS);
    }
    if (port->port_no) {
        vsw_msg_set(req, VSW_PORT_ATTR_PORT_NO);
    }
    if (port->upcall_rate) {
        vsw_msg_set(req, VSW_PORT_ATTR_UPCALL_RATE);
    }
    error = transact(dpif, req, false, reply, &got_reply, NULL, NULL, err);
    if (!error && (!got_reply
                   || !vsw_msg_has(reply, VSW_PORT_ATTR_PORT_NO))) {
        error = vsw_error_set(err, EPROTO, "datapathd answered PORT NEW for "
                              "%s without a port number", port->name);
    }
    if (!error) {
        /* What the datapath reports, keeping what it does not repeat. */
        struct vsw_msg_port *r = &reply->u.port;

        if (!vsw_msg_has(reply, VSW_PORT_ATTR_NAME)) {
            memcpy(r->name, port->name, sizeof r->name);
        }
        if (!vsw_msg_has(reply, VSW_PORT_ATTR_TYPE)) {
            memcpy(r->type, port->type, sizeof r->type);
        }
        if (!vsw_msg_has(reply, VSW_PORT_ATTR_OPTIONS)) {
            r->n_options = port->n_options;
            memcpy(r->options, port->options, sizeof r->options);
        }
        *port = *r;
    }
    free(req);
    free(reply);
    return error;
}

int
dpif_port_del(struct dpif *dpif, uint32_t dp_index, uint32_t port_no,
              struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_PORT, VSW_PORT_CMD_DEL, dp_index);

    req->u.port.port_no = port_no;
    vsw_msg_set(req, VSW_PORT_ATTR_PORT_NO);
    return simple(dpif, req, err);
}

int
dpif_port_set(struct dpif *dpif, uint32_t dp_index,
              const struct vsw_msg_port *port, uint64_t attrs,
              struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_PORT, VSW_PORT_CMD_SET, dp_index);

    req->u.port = *port;
    req->attrs = attrs | (1ULL << VSW_PORT_ATTR_PORT_NO);
    return simple(dpif, req, err);
}

int
dpif_port_get(struct dpif *dpif, uint32_t dp_index, uint32_t port_no,
              const char *name, struct vsw_msg_port *out,
              struct vsw_error *err)
{
    struct vsw_msg *req, *reply;
    bool got_reply;
    int error;

    if (!port_no) {
        error = check_name("port", name, err);
        if (error) {
            return error;
        }
    }
    req = new_req(VSW_FAMILY_PORT, VSW_PORT_CMD_GET, dp_index);
    reply = xmalloc(sizeof *reply);
    if (port_no) {
        req->u.port.port_no = port_no;
        vsw_msg_set(req, VSW_PORT_ATTR_PORT_NO);
    } else {
        strcpy(req->u.port.name, name);
        vsw_msg_set(req, VSW_PORT_ATTR_NAME);
    }
    error = transact(dpif, req, false, reply, &got_reply, NULL, NULL, err);
    if (!error && !got_reply) {
        error = vsw_error_set(err, EPROTO, "datapathd answered PORT GET "
                              "without the port");
    }
    if (!error) {
        *out = reply->u.port;
    }
    free(req);
    free(reply);
    return error;
}

struct port_dump_aux {
    int (*cb)(void *, const struct vsw_msg_port *);
    void *aux;
};

static int
port_dump_cb(void *aux_, const struct vsw_msg *m)
{
    struct port_dump_aux *a = aux_;

    return a->cb(a->aux, &m->u.port);
}

int
dpif_port_dump(struct dpif *dpif, uint32_t dp_index,
               int (*cb)(void *, const struct vsw_msg_port *), void *aux,
               struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_PORT, VSW_PORT_CMD_GET, dp_index);
    struct port_dump_aux a = { cb, aux };
    int error = transact(dpif, req, true, NULL, NULL, port_dump_cb, &a, err);

    free(req);
    return error;
}

/* ---- Flows -------------------------------------------------------------- */

/* FLOW NEW (or SET for DP_FLOW_MODIFY) for KEY/MASK/ACTIONS into REQ. */
static int
flow_put_msg(struct vsw_msg *req, uint32_t dp_index,
             const struct vsw_flow_key *key, const struct vsw_flow_key *mask,
             const struct vsw_actions *actions, unsigned int flags,
             struct vsw_error *err)
{
    bool modify = flags & DP_FLOW_MODIFY;

    if ((flags & DP_FLOW_CREATE) && modify) {
        return vsw_error_set(err, EINVAL, "a flow put cannot both create "
                             "only and modify only");
    }
    if (!key || !actions) {
        return vsw_error_set(err, EINVAL, "a flow put needs a key and "
                             "actions");
    }
    vsw_msg_init(req, VSW_FAMILY_FLOW,
                 modify ? VSW_FLOW_CMD_SET : VSW_FLOW_CMD_NEW,
                 modify ? 0 : (NLM_F_CREATE
                               | (flags & DP_FLOW_CREATE ? NLM_F_EXCL : 0)),
                 0, dp_index);
    req->u.flow.key = *key;
    vsw_msg_set(req, VSW_FLOW_ATTR_KEY);
    if (mask) {
        req->u.flow.mask = *mask;
        vsw_msg_set(req, VSW_FLOW_ATTR_MASK);
    }
    req->u.flow.actions = *actions;
    vsw_msg_set(req, VSW_FLOW_ATTR_ACTIONS);
    if (flags & DP_FLOW_CLEAR_STATS) {
        vsw_msg_set(req, VSW_FLOW_ATTR_CLEAR);
    }
    return 0;
}

int
dpif_flow_put(struct dpif *dpif, uint32_t dp_index,
              const struct vsw_flow_key *key, const struct vsw_flow_key *mask,
              const struct vsw_actions *actions, unsigned int flags,
              struct vsw_error *err)
{
    struct vsw_msg *req = xmalloc(sizeof *req);
    int error = flow_put_msg(req, dp_index, key, mask, actions, flags, err);

    if (error) {
        free(req);
        return error;
    }
    return simple(dpif, req, err);
}

static void
flow_key_msg(struct vsw_msg *req, uint8_t cmd, uint32_t dp_index,
             const struct vsw_flow_key *key)
{
    vsw_msg_init(req, VSW_FAMILY_FLOW, cmd, 0, 0, dp_index);
    req->u.flow.key = *key;
    vsw_msg_set(req, VSW_FLOW_ATTR_KEY);
}

/* FLOW DEL and GET: the flow comes back as an object answer. */
static int
flow_by_key(struct dpif *dpif, uint8_t cmd, uint32_t dp_index,
            const struct vsw_flow_key *key, struct vsw_msg_flow *out,
            bool need_reply, struct vsw_error *err)
{
    struct vsw_msg *req = xmalloc(sizeof *req);
    struct vsw_msg *reply = xmalloc(sizeof *reply);
    bool got_reply;
    int error;

    flow_key_msg(req, cmd, dp_index, key);
    error = transact(dpif, req, false, reply, &got_reply, NULL, NULL, err);
    if (!error && !got_reply && need_reply) {
        error = vsw_error_set(err, EPROTO, "datapathd answered FLOW %s "
                              "without the flow",
                              vsw_cmd_name(VSW_FAMILY_FLOW, cmd));
    }
    if (!error && out) {
        if (got_reply) {
            *out = reply->u.flow;
        } else {
            memset(out, 0, sizeof *out);
            out->key = *key;
        }
    }
    free(req);
    free(reply);
    return error;
}

int
dpif_flow_del(struct dpif *dpif, uint32_t dp_index,
              const struct vsw_flow_key *key, struct vsw_msg_flow *final,
              struct vsw_error *err)
{
    return flow_by_key(dpif, VSW_FLOW_CMD_DEL, dp_index, key, final, false,
                       err);
}

int
dpif_flow_get(struct dpif *dpif, uint32_t dp_index,
              const struct vsw_flow_key *key, struct vsw_msg_flow *out,
              struct vsw_error *err)
{
    return flow_by_key(dpif, VSW_FLOW_CMD_GET, dp_index, key, out, true, err);
}

struct flow_dump_aux {
    int (*cb)(void *, const struct vsw_msg_flow *);
    void *aux;
};

static int
flow_dump_cb(void *aux_, const struct vsw_msg *m)
{
    struct flow_dump_aux *a = aux_;

    if (!vsw_msg_has(m, VSW_FLOW_ATTR_PMD)) {
        /* Core 0 is a valid PMD: say "none" in a way callers can tell. */
        struct vsw_msg_flow flow = m->u.flow;

        flow.pmd = UINT32_MAX;
        return a->cb(a->aux, &flow);
    }
    return a->cb(a->aux, &m->u.flow);
}

int
dpif_flow_dump(struct dpif *dpif, uint32_t dp_index,
               int (*cb)(void *, const struct vsw_msg_flow *), void *aux,
               struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_FLOW, VSW_FLOW_CMD_GET, dp_index);
    struct flow_dump_aux a = { cb, aux };
    int error = transact(dpif, req, true, NULL, NULL, flow_dump_cb, &a, err);

    free(req);
    return error;
}

int
dpif_flow_flush(struct dpif *dpif, uint32_t dp_index, struct vsw_error *err)
{
    return simple(dpif, new_req(VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, dp_index),
                  err);
}

/* ---- Packets ------------------------------------------------------------ */

static void
packet_msg(struct vsw_msg *req, uint8_t cmd, uint32_t dp_index,
           uint32_t in_port, const uint8_t *pkt, uint32_t len,
           const struct vsw_actions *actions)
{
    vsw_msg_init(req, VSW_FAMILY_PACKET, cmd, 0, 0, dp_index);
    req->u.packet.data = pkt;
    req->u.packet.len = len;
    vsw_msg_set(req, VSW_PACKET_ATTR_PACKET);
    req->u.packet.in_port = in_port;
    vsw_msg_set(req, VSW_PACKET_ATTR_IN_PORT);
    if (actions) {
        req->u.packet.actions = *actions;
        vsw_msg_set(req, VSW_PACKET_ATTR_ACTIONS);
    }
}

int
dpif_execute(struct dpif *dpif, uint32_t dp_index, uint32_t in_port,
             const uint8_t *pkt, uint32_t len,
             const struct vsw_actions *actions, struct vsw_error *err)
{
    struct vsw_msg *req = xmalloc(sizeof *req);

    if (!actions) {
        free(req);
        return vsw_error_set(err, EINVAL, "EXECUTE needs actions");
    }
    packet_msg(req, VSW_PACKET_CMD_EXECUTE, dp_index, in_port, pkt, len,
               actions);
    return simple(dpif, req, err);
}

int
dpif_inject(struct dpif *dpif, uint32_t dp_index, uint32_t in_port,
            const uint8_t *pkt, uint32_t len, struct vsw_error *err)
{
    struct vsw_msg *req = xmalloc(sizeof *req);

    packet_msg(req, VSW_PACKET_CMD_INJECT, dp_index, in_port, pkt, len, NULL);
    return simple(dpif, req, err);
}

struct captured_aux {
    int (*cb)(void *, uint32_t, const uint8_t *, uint32_t);
    void *aux;
};

static int
captured_cb(void *aux_, const struct vsw_msg *m)
{
    struct captured_aux *a = aux_;

    return a->cb(a->aux, m->u.packet.in_port, m->u.packet.data,
                 m->u.packet.len);
}

int
dpif_captured_dump(struct dpif *dpif, uint32_t dp_index,
                   int (*cb)(void *, uint32_t port, const uint8_t *pkt,
                             uint32_t len),
                   void *aux, struct vsw_error *err)
{
    struct vsw_msg *req = new_req(VSW_FAMILY_PACKET, VSW_PACKET_CMD_CAPTURED,
                                  dp_index);
    struct captured_aux a = { cb, aux };
    int error = transact(dpif, req, true, NULL, NULL, captured_cb, &a, err);

    free(req);
    return error;
}

/* ---- Batches ------------------------------------------------------------ */

static int
op_msg(const struct dpif_op *op, struct vsw_msg *req, struct vsw_error *err)
{
    switch (op->type) {
    case DPIF_OP_FLOW_PUT:
        return flow_put_msg(req, op->dp_index, op->key, op->mask, op->actions,
                            op->flags, err);
    case DPIF_OP_FLOW_DEL:
        if (!op->key) {
            return vsw_error_set(err, EINVAL, "a flow delete needs a key");
        }
        flow_key_msg(req, VSW_FLOW_CMD_DEL, op->dp_index, op->key);
        return 0;
    case DPIF_OP_EXECUTE:
        if (!op->actions) {
            return vsw_error_set(err, EINVAL, "EXECUTE needs actions");
        }
        packet_msg(req, VSW_PACKET_CMD_EXECUTE, op->dp_index, op->in_port,
                   op->packet, op->len, op->actions);
        return 0;
    default:
        return vsw_error_set(err, EINVAL, "unknown dpif operation %d",
                             op->type);
    }
}

int
dpif_operate(struct dpif *dpif, struct dpif_op *ops, size_t n)
{
    struct vsw_msg *req;
    struct pending p;
    uint64_t deadline;
    size_t i = 0;
    uint32_t base;
    int error = 0;

    for (i = 0; i < n; i++) {
        ops[i].error = 0;
        vsw_error_clear(&ops[i].err);
    }
    if (dpif->busy) {
        for (i = 0; i < n; i++) {
            ops[i].error = busy_error(&ops[i].err);
        }
        return EBUSY;
    }
    if (!n) {
        return 0;
    }

    req = xmalloc(sizeof *req);
    p = (struct pending) { .txns = xcalloc(n, sizeof *p.txns), .n = n };
    base = alloc_seqs(dpif, n);
    for (i = 0; i < n; i++) {
        p.txns[i].seq = base + i;
        p.txns[i].err = &ops[i].err;
    }

    dpif->busy = true;
    deadline = new_deadline(dpif);
    i = 0;
    while (i < n && !error) {
        /* As many requests as fit in one datagram. */
        vsw_dgram_clear(&dpif->tx);
        while (i < n) {
            struct txn *t = &p.txns[i];
            int e = op_msg(&ops[i], req, t->err);

            if (!e) {
                req->seq = t->seq;
                req->nl_flags |= NLM_F_REQUEST | NLM_F_ACK;
                t->type = req->type;
                t->cmd = req->cmd;
                e = vsw_msg_encode(req, &dpif->tx);
                if (e == ENOBUFS && dpif->tx.len) {
                    break;              /* goes into the next datagram */
                }
                if (e) {
                    e = encode_error(req, e, t->err);
                }
            }
            if (e) {
                t->done = true;
                t->error = e;
            } else {
                t->sent = true;
                p.n_open++;
            }
            i++;
        }
        if (dpif->tx.len) {
            error = send_tx(dpif, &p, deadline);
        }
    }
    if (!error) {
        error = wait_pending(dpif, &p, deadline);
    }
    if (error) {
        char text[VSW_ERROR_MAX];

        transport_error(dpif, error, text, sizeof text);
        pending_fail(&p, error, text);
    }
    dpif->busy = false;

    for (i = 0; i < n; i++) {
        ops[i].error = p.txns[i].error;
    }
    free(p.txns);
    free(req);
    return error;
}

/* ---- Upcalls ------------------------------------------------------------ */

int
dpif_recv_upcalls(struct dpif *dpif, int (*cb)(void *, const struct vsw_msg *),
                  void *aux, size_t max)
{
    static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 5);
    struct vsw_msg *msg = NULL;
    size_t n = 0;
    int error = 0;

    if (dpif->busy) {
        return -EBUSY;
    }
    while (n < max) {
        if (dpif->q_n) {
            /* Take it off the queue first: CB may call dpif functions
             * (EXECUTE, FLOW NEW), which may queue more misses. */
            struct upcall_buf b = dpif->queue[dpif->q_head];
            struct vsw_error err;
            int stop = 0;

            dpif->q_head = (dpif->q_head + 1) % DPIF_UPCALL_QUEUE_MAX;
            dpif->q_n--;
            if (!msg) {
                msg = xmalloc(sizeof *msg);
            }
            if (!vsw_msg_decode((const struct nlmsghdr *) b.data, msg, &err)) {
                n++;
                stop = cb(aux, msg);
            } else {
                /* It decoded when it arrived. */
                VSW_ERR("%s: queued miss no longer decodes: %s", dpif->path,
                        err.msg);
            }
            free(b.data);
            if (stop) {
                break;
            }
            continue;
        }

        error = vsw_chan_recv(&dpif->chan, &dpif->rx);
        if (error == EAGAIN) {
            error = 0;
            break;
        } else if (error == EMSGSIZE) {
            VSW_WARN_RL(&rl, "%s: dropped a datagram larger than %d bytes",
                        dpif->path, VSW_DP_MAX_DATAGRAM);
            continue;
        } else if (error) {
            break;
        }
        dpif->busy = true;
        dispatch(dpif, NULL);
        dpif->busy = false;
    }
    free(msg);
    return n || !error ? (int) n : -error;
}
