/* See dp-server.h.  The channel server of datapathd.
 *
 * Everything runs on the libevent loop of the main thread.  Per client:
 * a read event (requests), a write event armed only while its output queue
 * is non-empty, the queue itself (bounded), and a datagram in which MISS
 * messages for the datapaths it registered for are batched until the end of
 * the current event.  A client found broken while its own request is being
 * handled is only marked dead and freed after the event ("reaped"), so no
 * callback ever touches freed memory. */
#include <config.h>
#include "datapath/dp-server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>

#include "datapath/dp-chan.h"
#include "datapath/dp-msg.h"
#include "utilities/hash.h"
#include "utilities/hmap.h"
#include "utilities/list.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(dp_server);

#define DP_SERVER_MAX_CLIENTS 128
#define DP_SERVER_MAX_ENGINE_FDS 64
#define DP_SERVER_MAX_DPS 4096
#define DP_SERVER_MAX_PORTS 65536
/* Requests handled per client per wakeup, so one busy client cannot starve
 * the others or the engine. */
#define DP_CLIENT_BATCH 64
/* Output queue bounds.  Replies may fill the whole queue (a big dump), and
 * a client that lets it overflow is disconnected; misses stop being queued
 * much earlier and are then counted lost, so a stalled vswitchd cannot make
 * the server hoard packets. */
#define DP_CLIENT_MAX_QUEUE 4096
#define DP_CLIENT_MAX_QUEUE_BYTES (256u << 20)
#define DP_CLIENT_MISS_QUEUE 64

struct dp_out {
    struct vsw_list node;               /* in dp_client.outq */
    size_t len;
    uint8_t data[];
};

struct dp_client {
    struct vsw_list node;               /* in dp_server.clients */
    struct dp_server *server;
    struct vsw_chan chan;
    struct event *ev_read;
    struct event *ev_write;             /* pending only while outq is busy */
    struct vsw_list outq;               /* struct dp_out, oldest first */
    size_t outq_n;
    size_t outq_bytes;
    struct vsw_dgram misses;            /* MISS batch under construction */
    size_t n_batched;                   /* messages in misses */
    bool dead;                          /* reap after the current event */
    char desc[48];                      /* "client pid 123" for logs */
};

/* Who receives the MISS messages of one datapath. */
struct dp_upcall_reg {
    struct hmap_node node;              /* in dp_server.regs, by dp_index */
    uint32_t dp_index;
    struct dp_client *client;
};

struct dp_server {
    struct event_base *base;
    const struct dp_engine_class *class;
    struct dp_engine *engine;
    char *path;
    int listen_fd;
    struct event *ev_listen;
    struct event *ev_timer;             /* engine run() every interval */
    struct event *ev_engine[DP_SERVER_MAX_ENGINE_FDS];
    int engine_fds[DP_SERVER_MAX_ENGINE_FDS];
    size_t n_engine_fds;
    struct vsw_list clients;
    size_t n_clients;
    struct hmap regs;
    struct vsw_dgram rx;                /* the datagram being handled */
    struct vsw_dgram reply;             /* answers under construction */
    uint64_t reply_gen;                 /* bumped each time reply is sent */
    struct vsw_msg *msg;                /* scratch for encoding answers */
    uint64_t n_lost_late;               /* batched misses lost when their
                                         * client disconnected */
};

static void server_after_event(struct dp_server *);
static void client_write_cb(evutil_socket_t, short, void *);

/* ---- output ------------------------------------------------------------- */

static void
client_kill(struct dp_client *c, const char *why)
{
    if (!c->dead) {
        VSW_INFO("%s: disconnecting: %s", c->desc, why);
        c->dead = true;
    }
}

/* Sends queued datagrams until the socket is full. */
static void
client_drain(struct dp_client *c)
{
    while (!vsw_list_is_empty(&c->outq) && !c->dead) {
        struct dp_out *out = CONTAINER_OF(c->outq.next, struct dp_out, node);
        struct vsw_dgram dg = { out->data, out->len, out->len };
        int error = vsw_chan_send(&c->chan, &dg);

        if (error == EAGAIN) {
            event_add(c->ev_write, NULL);
            return;
        } else if (error) {
            client_kill(c, strerror(error));
            return;
        }
        vsw_list_remove(&out->node);
        c->outq_n--;
        c->outq_bytes -= out->len;
        free(out);
    }
    event_del(c->ev_write);
}

/* Sends or queues one datagram.  IS_MISS: refused with ENOBUFS once
 * DP_CLIENT_MISS_QUEUE datagrams wait; otherwise overflowing the queue
 * disconnects the client. */
static int
client_send(struct dp_client *c, const uint8_t *data, size_t len,
            bool is_miss)
{
    struct dp_out *out;

    if (c->dead || !len) {
        return c->dead ? EPIPE : 0;
    }
    if (vsw_list_is_empty(&c->outq)) {
        struct vsw_dgram dg = { (uint8_t *) data, len, len };
        int error = vsw_chan_send(&c->chan, &dg);

        if (!error) {
            return 0;
        } else if (error != EAGAIN) {
            client_kill(c, strerror(error));
            return error;
        }
    }
    if (is_miss && c->outq_n >= DP_CLIENT_MISS_QUEUE) {
        return ENOBUFS;
    }
    if (c->outq_n >= DP_CLIENT_MAX_QUEUE
        || c->outq_bytes + len > DP_CLIENT_MAX_QUEUE_BYTES) {
        client_kill(c, "it does not read its replies (output queue full)");
        return ENOBUFS;
    }
    out = xmalloc(sizeof *out + len);
    out->len = len;
    memcpy(out->data, data, len);
    vsw_list_push_back(&c->outq, &out->node);
    c->outq_n++;
    c->outq_bytes += len;
    event_add(c->ev_write, NULL);
    return 0;
}

static void
client_flush_misses(struct dp_client *c)
{
    if (c->misses.len) {
        if (client_send(c, c->misses.data, c->misses.len, true)) {
            /* Only when the client died meanwhile: the engine counted these
             * as delivered, so keep our own count. */
            c->server->n_lost_late += c->n_batched;
        }
        vsw_dgram_clear(&c->misses);
        c->n_batched = 0;
    }
}

static void
server_flush_misses(struct dp_server *s)
{
    struct dp_client *c;

    VSW_LIST_FOR_EACH (c, node, &s->clients) {
        client_flush_misses(c);
    }
}

/* Appends an encoded answer for client C to the reply datagram, sending the
 * datagram first when it is full. */
static void
reply_flush(struct dp_server *s, struct dp_client *c)
{
    if (s->reply.len) {
        client_send(c, s->reply.data, s->reply.len, false);
        vsw_dgram_clear(&s->reply);
        s->reply_gen++;
    }
}

/* A point in the reply to roll back to when a request fails after some of
 * its answer was encoded.  Answers already sent cannot be taken back. */
struct reply_mark {
    uint64_t gen;
    size_t len;
};

static struct reply_mark
reply_mark(const struct dp_server *s)
{
    return (struct reply_mark) { s->reply_gen, s->reply.len };
}

static void
reply_rollback(struct dp_server *s, struct reply_mark mark)
{
    if (mark.gen == s->reply_gen && s->reply.len >= mark.len) {
        s->reply.len = mark.len;
    }
}

static void
reply_msg(struct dp_server *s, struct dp_client *c, const struct vsw_msg *m)
{
    int error = vsw_msg_encode(m, &s->reply);

    if (error == ENOBUFS && s->reply.len) {
        reply_flush(s, c);
        error = vsw_msg_encode(m, &s->reply);
    }
    if (error) {
        /* Our own message does not encode: a bug, not the client's fault.
         * Say so to the client rather than leave it waiting. */
        VSW_ERR("cannot encode %s %s answer: %s", vsw_family_name(m->type),
                vsw_cmd_name(m->type, m->cmd), strerror(error));
        vsw_msg_encode_error(&s->reply, m->type, m->seq, EIO,
                             "datapathd could not encode its answer");
    }
}

static void
reply_error(struct dp_server *s, struct dp_client *c, uint16_t type,
            uint32_t seq, int error, const char *text)
{
    if (vsw_msg_encode_error(&s->reply, type, seq, error, text) == ENOBUFS) {
        reply_flush(s, c);
        vsw_msg_encode_error(&s->reply, type, seq, error, text);
    }
}

static void
reply_done(struct dp_server *s, struct dp_client *c, uint32_t seq)
{
    if (vsw_msg_encode_done(&s->reply, seq) == ENOBUFS) {
        reply_flush(s, c);
        vsw_msg_encode_done(&s->reply, seq);
    }
}

/* ---- upcalls ------------------------------------------------------------ */

static struct dp_upcall_reg *
reg_find(const struct dp_server *s, uint32_t dp_index)
{
    struct dp_upcall_reg *reg;

    HMAP_FOR_EACH_WITH_HASH (reg, node, hash_int(dp_index, 0), &s->regs) {
        if (reg->dp_index == dp_index) {
            return reg;
        }
    }
    return NULL;
}

static void
reg_set(struct dp_server *s, uint32_t dp_index, struct dp_client *c)
{
    struct dp_upcall_reg *reg = reg_find(s, dp_index);

    if (!reg) {
        reg = xzalloc(sizeof *reg);
        reg->dp_index = dp_index;
        hmap_insert(&s->regs, &reg->node, hash_int(dp_index, 0));
    } else if (reg->client != c) {
        VSW_INFO("datapath %u: upcalls move from %s to %s", dp_index,
                 reg->client->desc, c->desc);
    }
    reg->client = c;
}

static void
reg_remove(struct dp_server *s, struct dp_upcall_reg *reg)
{
    hmap_remove(&s->regs, &reg->node);
    free(reg);
}

static void
reg_remove_client(struct dp_server *s, const struct dp_client *c)
{
    struct dp_upcall_reg *reg;

    HMAP_FOR_EACH_SAFE (reg, node, &s->regs) {
        if (reg->client == c) {
            reg_remove(s, reg);
        }
    }
}

/* dp_upcall_cb: batches one MISS for the datapath's registered client. */
static int
server_upcall(void *aux, const struct dp_upcall *up)
{
    struct dp_server *s = aux;
    struct dp_upcall_reg *reg = reg_find(s, up->dp_index);
    struct vsw_msg *m = s->msg;
    struct dp_client *c;
    int error;

    if (!reg || reg->client->dead) {
        return ENOTCONN;
    }
    c = reg->client;
    if (c->outq_n >= DP_CLIENT_MISS_QUEUE) {
        return ENOBUFS;
    }

    vsw_msg_init(m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0, 0,
                 up->dp_index);
    m->u.packet.data = up->packet;
    m->u.packet.len = up->len;
    m->u.packet.key = *up->key;
    m->u.packet.in_port = up->in_port;
    m->u.packet.reason = up->reason;
    m->u.packet.userdata = up->userdata;
    m->u.packet.orig_len = up->orig_len;
    vsw_msg_set(m, VSW_PACKET_ATTR_PACKET);
    vsw_msg_set(m, VSW_PACKET_ATTR_KEY);
    vsw_msg_set(m, VSW_PACKET_ATTR_IN_PORT);
    vsw_msg_set(m, VSW_PACKET_ATTR_REASON);
    if (up->reason == VSW_MISS_REASON_ACTION) {
        vsw_msg_set(m, VSW_PACKET_ATTR_USERDATA);
    }
    if (up->orig_len > up->len) {
        vsw_msg_set(m, VSW_PACKET_ATTR_ORIG_LEN);
    }

    error = vsw_msg_encode(m, &c->misses);
    if (error == ENOBUFS && c->misses.len) {
        client_flush_misses(c);
        if (c->dead) {
            return ENOTCONN;
        }
        error = vsw_msg_encode(m, &c->misses);
    }
    if (error) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 10);

        VSW_WARN_RL(&rl, "datapath %u: cannot encode a miss from port %u: %s",
                    up->dp_index, up->in_port, strerror(error));
        return error;
    }
    c->n_batched++;
    return 0;
}

/* ---- request handling --------------------------------------------------- */

/* What a request handler answers with. */
struct req_ctx {
    struct dp_server *s;
    struct dp_client *c;
    const struct vsw_msg *req;
    struct vsw_error err;
};

static uint16_t
answer_flags(const struct vsw_msg *req)
{
    return (req->nl_flags & NLM_F_DUMP) ? NLM_F_MULTI : 0;
}

static bool
valid_dp_name(const char *name)
{
    if (!name[0]) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z')
            && !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_'
            && *p != '.') {
            return false;
        }
    }
    return true;
}

/* Finds the datapath named NAME.  ENOENT with a sentence if none. */
static int
dp_lookup_name(struct req_ctx *r, const char *name, uint32_t *dp_index)
{
    const struct dp_engine_class *cls = r->s->class;
    uint32_t *idx = xmalloc(DP_SERVER_MAX_DPS * sizeof *idx);
    size_t n = 0;
    int error = ENOENT;

    cls->dp_list(r->s->engine, idx, DP_SERVER_MAX_DPS, &n);
    for (size_t i = 0; i < n; i++) {
        struct vsw_msg_dp dp;

        if (!cls->dp_get(r->s->engine, idx[i], &dp, NULL)
            && !strcmp(dp.name, name)) {
            *dp_index = idx[i];
            error = 0;
            break;
        }
    }
    free(idx);
    if (error) {
        vsw_error_set(&r->err, ENOENT, "no datapath named %s", name);
    }
    return error;
}

/* The datapath a DATAPATH request means: its dp_index, else its NAME. */
static int
dp_resolve(struct req_ctx *r, uint32_t *dp_index)
{
    if (r->req->dp_index) {
        *dp_index = r->req->dp_index;
        return 0;
    }
    if (vsw_msg_has(r->req, VSW_DP_ATTR_NAME)) {
        return dp_lookup_name(r, r->req->u.dp.name, dp_index);
    }
    return vsw_error_set(&r->err, EINVAL, "the request names no datapath "
                         "(dp_index 0 and no NAME)");
}

/* The dp_index of a PORT, FLOW or PACKET request, which must be set. */
static int
dp_require(struct req_ctx *r, uint32_t *dp_index)
{
    if (!r->req->dp_index) {
        return vsw_error_set(&r->err, EINVAL, "%s %s needs a datapath index "
                             "in its header", vsw_family_name(r->req->type),
                             vsw_cmd_name(r->req->type, r->req->cmd));
    }
    *dp_index = r->req->dp_index;
    return 0;
}

/* Encodes datapath DP_INDEX as an answer to the request. */
static int
answer_dp(struct req_ctx *r, uint32_t dp_index, uint8_t cmd)
{
    struct vsw_msg *m = r->s->msg;
    int error;

    vsw_msg_init(m, VSW_FAMILY_DATAPATH, cmd, answer_flags(r->req),
                 r->req->seq, dp_index);
    error = r->s->class->dp_get(r->s->engine, dp_index, &m->u.dp, &r->err);
    if (error) {
        return error;
    }
    if (!m->u.dp.engine[0]) {
        vsw_strlcpy(m->u.dp.engine, r->s->class->name,
                    sizeof m->u.dp.engine);
    }
    m->u.dp.version = VSW_DP_PROTO_VERSION;
    vsw_msg_set(m, VSW_DP_ATTR_NAME);
    vsw_msg_set(m, VSW_DP_ATTR_VERSION);
    vsw_msg_set(m, VSW_DP_ATTR_ENGINE);
    vsw_msg_set(m, VSW_DP_ATTR_STATS);
    vsw_msg_set(m, VSW_DP_ATTR_FEATURES);
    vsw_msg_set(m, VSW_DP_ATTR_FLOW_LIMIT);
    vsw_msg_set(m, VSW_DP_ATTR_UPCALL_RATE);
    vsw_msg_set(m, VSW_DP_ATTR_N_PORTS);
    if (m->u.dp.features & VSW_DP_F_PMD_STATS) {
        vsw_msg_set(m, VSW_DP_ATTR_PMDS);
        vsw_msg_set(m, VSW_DP_ATTR_RXQS);
    }
    reply_msg(r->s, r->c, m);
    return 0;
}

static int
handle_dp(struct req_ctx *r)
{
    const struct dp_engine_class *cls = r->s->class;
    struct dp_engine *eng = r->s->engine;
    const struct vsw_msg *req = r->req;
    uint32_t dp_index = 0;
    int error;

    switch (req->cmd) {
    case VSW_DP_CMD_NEW:
        if (req->u.dp.version != VSW_DP_PROTO_VERSION) {
            return vsw_error_set(&r->err, EPROTO, "the client speaks channel "
                                 "protocol version %u, this datapathd speaks "
                                 "%d", req->u.dp.version,
                                 VSW_DP_PROTO_VERSION);
        }
        if (!valid_dp_name(req->u.dp.name)) {
            return vsw_error_set(&r->err, EINVAL, "datapath name \"%s\" may "
                                 "contain only letters, digits, '-', '_' and "
                                 "'.'", req->u.dp.name);
        }
        if (req->nl_flags & NLM_F_EXCL
            && !dp_lookup_name(r, req->u.dp.name, &dp_index)) {
            return vsw_error_set(&r->err, EEXIST, "datapath %s already "
                                 "exists", req->u.dp.name);
        }
        vsw_error_clear(&r->err);
        error = cls->dp_new(eng, req->u.dp.name, &dp_index, &r->err);
        if (error) {
            return error;
        }
        if (req->attrs & ((1ULL << VSW_DP_ATTR_FLOW_LIMIT)
                          | (1ULL << VSW_DP_ATTR_UPCALL_RATE))) {
            error = cls->dp_set(eng, dp_index, &req->u.dp, req->attrs,
                                &r->err);
            if (error) {
                return error;
            }
        }
        if (vsw_msg_has(req, VSW_DP_ATTR_UPCALL_REGISTER)) {
            reg_set(r->s, dp_index, r->c);
        }
        return answer_dp(r, dp_index, VSW_DP_CMD_NEW);

    case VSW_DP_CMD_DEL: {
        struct dp_upcall_reg *reg;

        error = dp_resolve(r, &dp_index);
        if (error) {
            return error;
        }
        /* Answer with what is being deleted; encode it first, then drop the
         * answer again if the deletion fails. */
        struct reply_mark mark = reply_mark(r->s);
        error = answer_dp(r, dp_index, VSW_DP_CMD_DEL);
        if (!error) {
            error = cls->dp_del(eng, dp_index, &r->err);
        }
        if (error) {
            reply_rollback(r->s, mark);
            return error;
        }
        reg = reg_find(r->s, dp_index);
        if (reg) {
            reg_remove(r->s, reg);
        }
        return 0;
    }

    case VSW_DP_CMD_GET:
        if (req->nl_flags & NLM_F_DUMP) {
            uint32_t *idx = xmalloc(DP_SERVER_MAX_DPS * sizeof *idx);
            size_t n = 0;

            cls->dp_list(eng, idx, DP_SERVER_MAX_DPS, &n);
            for (size_t i = 0; i < n; i++) {
                answer_dp(r, idx[i], VSW_DP_CMD_GET);   /* gone: skip it */
            }
            free(idx);
            vsw_error_clear(&r->err);
            reply_done(r->s, r->c, req->seq);
            return 0;
        }
        error = dp_resolve(r, &dp_index);
        return error ? error : answer_dp(r, dp_index, VSW_DP_CMD_GET);

    case VSW_DP_CMD_SET:
        error = dp_resolve(r, &dp_index);
        if (error) {
            return error;
        }
        if (vsw_msg_has(req, VSW_DP_ATTR_PMD_CMD)) {
            struct vsw_msg_dp *dp = xmalloc(sizeof *dp);
            bool pmds;

            error = cls->dp_get(eng, dp_index, dp, &r->err);
            pmds = !error && dp->features & VSW_DP_F_PMD_STATS;
            free(dp);
            if (error) {
                return error;
            }
            if (!pmds) {
                return vsw_error_set(&r->err, EOPNOTSUPP, "the %s engine has "
                                     "no PMD threads", cls->name);
            }
        }
        if (req->attrs & ((1ULL << VSW_DP_ATTR_FLOW_LIMIT)
                          | (1ULL << VSW_DP_ATTR_UPCALL_RATE)
                          | (1ULL << VSW_DP_ATTR_PMD_CMD))) {
            error = cls->dp_set(eng, dp_index, &req->u.dp, req->attrs,
                                &r->err);
        } else {
            /* Still check that the datapath exists. */
            struct vsw_msg_dp dp;
            error = cls->dp_get(eng, dp_index, &dp, &r->err);
        }
        if (error) {
            return error;
        }
        if (vsw_msg_has(req, VSW_DP_ATTR_UPCALL_REGISTER)) {
            reg_set(r->s, dp_index, r->c);
        }
        return answer_dp(r, dp_index, VSW_DP_CMD_SET);

    default:
        return vsw_error_set(&r->err, EOPNOTSUPP, "unknown DATAPATH command "
                             "%u", req->cmd);
    }
}

static int
answer_port(struct req_ctx *r, uint32_t dp_index, uint32_t port_no,
            uint8_t cmd)
{
    struct vsw_msg *m = r->s->msg;
    struct vsw_msg_port *p = &m->u.port;
    int error;

    vsw_msg_init(m, VSW_FAMILY_PORT, cmd, answer_flags(r->req), r->req->seq,
                 dp_index);
    error = r->s->class->port_get(r->s->engine, dp_index, port_no, p,
                                  &r->err);
    if (error) {
        return error;
    }
    vsw_msg_set(m, VSW_PORT_ATTR_PORT_NO);
    vsw_msg_set(m, VSW_PORT_ATTR_NAME);
    vsw_msg_set(m, VSW_PORT_ATTR_TYPE);
    if (p->n_options) {
        vsw_msg_set(m, VSW_PORT_ATTR_OPTIONS);
    }
    vsw_msg_set(m, VSW_PORT_ATTR_STATS);
    vsw_msg_set(m, VSW_PORT_ATTR_IFINDEX);
    vsw_msg_set(m, VSW_PORT_ATTR_MAC);
    vsw_msg_set(m, VSW_PORT_ATTR_MTU);
    vsw_msg_set(m, VSW_PORT_ATTR_LINK_UP);
    if (p->mode[0]) {
        vsw_msg_set(m, VSW_PORT_ATTR_MODE);
    }
    if (p->warning[0]) {
        vsw_msg_set(m, VSW_PORT_ATTR_WARNING);
    }
    vsw_msg_set(m, VSW_PORT_ATTR_UPCALL_RATE);
    reply_msg(r->s, r->c, m);
    return 0;
}

/* The port a PORT request means: its PORT_NO, else its NAME. */
static int
port_resolve(struct req_ctx *r, uint32_t dp_index, uint32_t *port_no)
{
    const struct dp_engine_class *cls = r->s->class;
    const struct vsw_msg *req = r->req;
    struct vsw_msg_port *p;
    uint32_t *nos;
    size_t n = 0;
    int error;

    if (vsw_msg_has(req, VSW_PORT_ATTR_PORT_NO)) {
        *port_no = req->u.port.port_no;
        return 0;
    }
    if (!vsw_msg_has(req, VSW_PORT_ATTR_NAME)) {
        return vsw_error_set(&r->err, EINVAL, "the request names no port "
                             "(no PORT_NO and no NAME)");
    }
    nos = xmalloc(DP_SERVER_MAX_PORTS * sizeof *nos);
    p = xmalloc(sizeof *p);
    error = cls->port_list(r->s->engine, dp_index, nos, DP_SERVER_MAX_PORTS,
                           &n);
    if (error == ENOENT) {
        vsw_error_set(&r->err, ENOENT, "no datapath with index %u", dp_index);
    } else {
        error = ENOENT;
        for (size_t i = 0; i < n; i++) {
            if (!cls->port_get(r->s->engine, dp_index, nos[i], p, NULL)
                && !strcmp(p->name, req->u.port.name)) {
                *port_no = nos[i];
                error = 0;
                break;
            }
        }
        if (error) {
            vsw_error_set(&r->err, ENOENT, "datapath %u has no port named %s",
                          dp_index, req->u.port.name);
        }
    }
    free(p);
    free(nos);
    return error;
}

static int
handle_port(struct req_ctx *r)
{
    const struct dp_engine_class *cls = r->s->class;
    struct dp_engine *eng = r->s->engine;
    const struct vsw_msg *req = r->req;
    uint32_t dp_index, port_no = 0;
    int error;

    error = dp_require(r, &dp_index);
    if (error) {
        return error;
    }
    switch (req->cmd) {
    case VSW_PORT_CMD_NEW: {
        struct vsw_msg_port *p = xmemdup(&req->u.port, sizeof req->u.port);

        if (!vsw_msg_has(req, VSW_PORT_ATTR_PORT_NO)) {
            p->port_no = 0;
        }
        if (!vsw_msg_has(req, VSW_PORT_ATTR_UPCALL_RATE)) {
            p->upcall_rate = 0;
        }
        error = cls->port_add(eng, dp_index, p, &r->err);
        port_no = p->port_no;
        free(p);
        return error ? error
               : answer_port(r, dp_index, port_no, VSW_PORT_CMD_NEW);
    }

    case VSW_PORT_CMD_DEL: {
        struct reply_mark mark = reply_mark(r->s);

        error = port_resolve(r, dp_index, &port_no);
        if (!error) {
            error = answer_port(r, dp_index, port_no, VSW_PORT_CMD_DEL);
        }
        if (!error) {
            error = cls->port_del(eng, dp_index, port_no, &r->err);
            if (error) {
                reply_rollback(r->s, mark);
            }
        }
        return error;
    }

    case VSW_PORT_CMD_GET:
        if (req->nl_flags & NLM_F_DUMP) {
            uint32_t *nos = xmalloc(DP_SERVER_MAX_PORTS * sizeof *nos);
            size_t n = 0;

            error = cls->port_list(eng, dp_index, nos, DP_SERVER_MAX_PORTS,
                                   &n);
            if (error == ENOENT) {
                free(nos);
                return vsw_error_set(&r->err, ENOENT, "no datapath with "
                                     "index %u", dp_index);
            }
            for (size_t i = 0; i < n; i++) {
                answer_port(r, dp_index, nos[i], VSW_PORT_CMD_GET);
            }
            free(nos);
            vsw_error_clear(&r->err);
            reply_done(r->s, r->c, req->seq);
            return 0;
        }
        error = port_resolve(r, dp_index, &port_no);
        return error ? error
               : answer_port(r, dp_index, port_no, VSW_PORT_CMD_GET);

    case VSW_PORT_CMD_SET: {
        struct vsw_msg_port *p;

        error = port_resolve(r, dp_index, &port_no);
        if (error) {
            return error;
        }
        p = xmemdup(&req->u.port, sizeof req->u.port);
        p->port_no = port_no;
        error = cls->port_set(eng, dp_index, p, req->attrs, &r->err);
        free(p);
        return error ? error
               : answer_port(r, dp_index, port_no, VSW_PORT_CMD_SET);
    }

    default:
        return vsw_error_set(&r->err, EOPNOTSUPP, "unknown PORT command %u",
                             req->cmd);
    }
}

static void
fill_flow_msg(struct vsw_msg *m, const struct dp_flow *f)
{
    struct vsw_msg_flow *mf = &m->u.flow;

    mf->key = f->key;
    vsw_msg_set(m, VSW_FLOW_ATTR_KEY);
    if (f->has_mask) {
        mf->mask = f->mask;
        vsw_msg_set(m, VSW_FLOW_ATTR_MASK);
    }
    mf->actions = f->actions;
    vsw_msg_set(m, VSW_FLOW_ATTR_ACTIONS);
    mf->stats.n_packets = f->n_packets;
    mf->stats.n_bytes = f->n_bytes;
    vsw_msg_set(m, VSW_FLOW_ATTR_STATS);
    mf->used_ms = f->used_ms;
    vsw_msg_set(m, VSW_FLOW_ATTR_USED);
    mf->tcp_flags = f->tcp_flags;
    vsw_msg_set(m, VSW_FLOW_ATTR_TCP_FLAGS);
    if (f->pmd != UINT32_MAX) {
        mf->pmd = f->pmd;
        vsw_msg_set(m, VSW_FLOW_ATTR_PMD);
    }
}

static void
answer_flow(struct req_ctx *r, uint32_t dp_index, uint8_t cmd,
            const struct dp_flow *f)
{
    struct vsw_msg *m = r->s->msg;

    vsw_msg_init(m, VSW_FAMILY_FLOW, cmd, answer_flags(r->req), r->req->seq,
                 dp_index);
    fill_flow_msg(m, f);
    reply_msg(r->s, r->c, m);
}

struct flow_dump_ctx {
    struct req_ctx *r;
    uint32_t dp_index;
};

static int
flow_dump_cb(void *aux, const struct dp_flow *f)
{
    struct flow_dump_ctx *ctx = aux;

    answer_flow(ctx->r, ctx->dp_index, VSW_FLOW_CMD_GET, f);
    return ctx->r->c->dead ? EPIPE : 0;
}

static int
handle_flow(struct req_ctx *r)
{
    const struct dp_engine_class *cls = r->s->class;
    struct dp_engine *eng = r->s->engine;
    const struct vsw_msg *req = r->req;
    const struct vsw_msg_flow *rf = &req->u.flow;
    const struct vsw_flow_key *mask
        = vsw_msg_has(req, VSW_FLOW_ATTR_MASK) ? &rf->mask : NULL;
    struct dp_flow *f;
    uint32_t dp_index;
    int error;

    error = dp_require(r, &dp_index);
    if (error) {
        return error;
    }
    switch (req->cmd) {
    case VSW_FLOW_CMD_NEW:
        error = cls->flow_put(eng, dp_index, &rf->key, mask, &rf->actions,
                              (req->nl_flags & NLM_F_EXCL ? DP_FLOW_CREATE : 0)
                              | (vsw_msg_has(req, VSW_FLOW_ATTR_CLEAR)
                                 ? DP_FLOW_CLEAR_STATS : 0),
                              &r->err);
        if (!error) {
            reply_error(r->s, r->c, req->type, req->seq, 0, NULL);
        }
        return error;

    case VSW_FLOW_CMD_SET: {
        unsigned int flags = DP_FLOW_MODIFY;
        const struct vsw_actions *acts = &rf->actions;

        f = xmalloc(sizeof *f);
        if (vsw_msg_has(req, VSW_FLOW_ATTR_CLEAR)) {
            flags |= DP_FLOW_CLEAR_STATS;
        }
        if (!vsw_msg_has(req, VSW_FLOW_ATTR_ACTIONS)) {
            /* CLEAR alone: keep the actions the flow has. */
            error = cls->flow_get(eng, dp_index, &rf->key, f, &r->err);
            if (error) {
                free(f);
                return error;
            }
            acts = &f->actions;
            if (!mask && f->has_mask) {
                mask = &f->mask;
            }
        }
        error = cls->flow_put(eng, dp_index, &rf->key, mask, acts, flags,
                              &r->err);
        free(f);
        if (!error) {
            reply_error(r->s, r->c, req->type, req->seq, 0, NULL);
        }
        return error;
    }

    case VSW_FLOW_CMD_DEL:
        f = xmalloc(sizeof *f);
        error = cls->flow_del(eng, dp_index, &rf->key, f, &r->err);
        if (!error) {
            answer_flow(r, dp_index, VSW_FLOW_CMD_DEL, f);
        }
        free(f);
        return error;

    case VSW_FLOW_CMD_GET:
        if (req->nl_flags & NLM_F_DUMP) {
            struct flow_dump_ctx ctx = { r, dp_index };

            error = cls->flow_dump(eng, dp_index, flow_dump_cb, &ctx);
            if (error == ENOENT) {
                return vsw_error_set(&r->err, ENOENT, "no datapath with "
                                     "index %u", dp_index);
            } else if (error && error != EPIPE) {
                return vsw_error_set(&r->err, error, "flow dump failed: %s",
                                     strerror(error));
            }
            reply_done(r->s, r->c, req->seq);
            return 0;
        }
        f = xmalloc(sizeof *f);
        error = cls->flow_get(eng, dp_index, &rf->key, f, &r->err);
        if (!error) {
            answer_flow(r, dp_index, VSW_FLOW_CMD_GET, f);
        }
        free(f);
        return error;

    case VSW_FLOW_CMD_FLUSH:
        error = cls->flow_flush(eng, dp_index, &r->err);
        if (!error) {
            reply_error(r->s, r->c, req->type, req->seq, 0, NULL);
        }
        return error;

    default:
        return vsw_error_set(&r->err, EOPNOTSUPP, "unknown FLOW command %u",
                             req->cmd);
    }
}

struct captured_ctx {
    struct req_ctx *r;
    uint32_t dp_index;
};

static int
captured_cb(void *aux, uint32_t port_no, const uint8_t *pkt, uint32_t len)
{
    struct captured_ctx *ctx = aux;
    struct vsw_msg *m = ctx->r->s->msg;

    vsw_msg_init(m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_CAPTURED, NLM_F_MULTI,
                 ctx->r->req->seq, ctx->dp_index);
    m->u.packet.data = pkt;
    m->u.packet.len = len;
    m->u.packet.in_port = port_no;
    vsw_msg_set(m, VSW_PACKET_ATTR_PACKET);
    vsw_msg_set(m, VSW_PACKET_ATTR_IN_PORT);
    reply_msg(ctx->r->s, ctx->r->c, m);
    return ctx->r->c->dead ? EPIPE : 0;
}

static int
handle_packet(struct req_ctx *r)
{
    const struct dp_engine_class *cls = r->s->class;
    struct dp_engine *eng = r->s->engine;
    const struct vsw_msg *req = r->req;
    const struct vsw_msg_packet *p = &req->u.packet;
    uint32_t dp_index;
    int error;

    if (req->cmd == VSW_PACKET_CMD_MISS) {
        return vsw_error_set(&r->err, EINVAL, "PACKET MISS is sent by "
                             "datapathd, not to it");
    }
    error = dp_require(r, &dp_index);
    if (error) {
        return error;
    }
    switch (req->cmd) {
    case VSW_PACKET_CMD_EXECUTE:
        error = cls->execute(eng, dp_index, p->in_port, p->data, p->len,
                             &p->actions, &r->err);
        break;

    case VSW_PACKET_CMD_INJECT:
        if (!cls->inject) {
            return vsw_error_set(&r->err, EOPNOTSUPP, "the %s engine cannot "
                                 "inject packets (the dummy engine can)",
                                 cls->name);
        }
        error = cls->inject(eng, dp_index, p->in_port, p->data, p->len,
                            &r->err);
        break;

    case VSW_PACKET_CMD_CAPTURED: {
        struct captured_ctx ctx = { r, dp_index };

        if (!cls->captured_dump) {
            return vsw_error_set(&r->err, EOPNOTSUPP, "the %s engine does "
                                 "not capture packets (the dummy engine "
                                 "does)", cls->name);
        }
        error = cls->captured_dump(eng, dp_index, captured_cb, &ctx);
        if (error == ENOENT) {
            return vsw_error_set(&r->err, ENOENT, "no datapath with index %u",
                                 dp_index);
        } else if (error && error != EPIPE) {
            return vsw_error_set(&r->err, error, "capture dump failed: %s",
                                 strerror(error));
        }
        reply_done(r->s, r->c, req->seq);
        return 0;
    }

    default:
        return vsw_error_set(&r->err, EOPNOTSUPP, "unknown PACKET command %u",
                             req->cmd);
    }
    if (!error) {
        reply_error(r->s, r->c, req->type, req->seq, 0, NULL);
    }
    return error;
}

/* vsw_msg_cb for each well-formed message of a request datagram. */
static int
handle_msg(const struct vsw_msg *req, void *aux)
{
    struct dp_client *c = aux;
    struct req_ctx r = { .s = c->server, .c = c, .req = req };
    struct reply_mark mark = reply_mark(c->server);
    int error;

    if (c->dead) {
        return EPIPE;
    }
    vsw_error_clear(&r.err);
    if (!(req->nl_flags & NLM_F_REQUEST)) {
        error = vsw_error_set(&r.err, EINVAL, "%s message is not a request "
                              "(NLM_F_REQUEST is not set)",
                              vsw_family_name(req->type));
    } else {
        switch (req->type) {
        case VSW_FAMILY_DATAPATH:
            error = handle_dp(&r);
            break;
        case VSW_FAMILY_PORT:
            error = handle_port(&r);
            break;
        case VSW_FAMILY_FLOW:
            error = handle_flow(&r);
            break;
        case VSW_FAMILY_PACKET:
            error = handle_packet(&r);
            break;
        default:
            error = vsw_error_set(&r.err, EOPNOTSUPP, "%s messages are "
                                  "answers, not requests",
                                  vsw_family_name(req->type));
            break;
        }
    }

    if (error) {
        if (!r.err.msg[0]) {
            vsw_error_set(&r.err, error, "%s %s failed: %s",
                          vsw_family_name(req->type),
                          vsw_cmd_name(req->type, req->cmd), strerror(error));
        }
        VSW_DBG("%s: %s %s refused: %s", c->desc, vsw_family_name(req->type),
                vsw_cmd_name(req->type, req->cmd), r.err.msg);
        /* Drop partial answers (a dump cut short) from this datagram's
         * reply when they are still there, and say why. */
        reply_rollback(c->server, mark);
        reply_error(c->server, c, req->type, req->seq, error, r.err.msg);
    } else if (req->nl_flags & NLM_F_ACK
               && !(req->nl_flags & NLM_F_DUMP)
               && (req->type == VSW_FAMILY_DATAPATH
                   || req->type == VSW_FAMILY_PORT
                   || (req->type == VSW_FAMILY_FLOW
                       && (req->cmd == VSW_FLOW_CMD_DEL
                           || req->cmd == VSW_FLOW_CMD_GET)))) {
        /* Object answers get the ACK asked for; the others had one. */
        reply_error(c->server, c, req->type, req->seq, 0, NULL);
    }
    return 0;
}

/* vsw_msg_bad_cb: a message that does not decode. */
static void
handle_bad(const struct nlmsghdr *nlh, const struct vsw_error *e, void *aux)
{
    struct dp_client *c = aux;

    VSW_DBG("%s: malformed message: %s", c->desc, e->msg);
    reply_error(c->server, c, nlh->nlmsg_type, nlh->nlmsg_seq,
                e->code ? e->code : EINVAL, e->msg);
}

static void
handle_dgram(struct dp_client *c)
{
    struct dp_server *s = c->server;
    struct vsw_error err;
    int error;

    vsw_dgram_clear(&s->reply);
    error = vsw_dgram_for_each(&s->rx, handle_msg, handle_bad, c, &err);
    if (error && error != EPIPE && err.msg[0]) {
        /* A framing error: answer with what we can tell of the message. */
        uint16_t type = 0;
        uint32_t seq = 0;

        if (s->rx.len >= sizeof(struct nlmsghdr)) {
            const struct nlmsghdr *nlh = (const void *) s->rx.data;

            type = nlh->nlmsg_type;
            seq = nlh->nlmsg_seq;
        }
        VSW_DBG("%s: malformed datagram: %s", c->desc, err.msg);
        reply_error(s, c, type, seq, error, err.msg);
    }
    /* Misses this datagram caused go out before its answers. */
    server_flush_misses(s);
    reply_flush(s, c);
}

/* ---- clients ------------------------------------------------------------ */

static void
client_read_cb(evutil_socket_t fd, short what, void *aux)
{
    struct dp_client *c = aux;
    struct dp_server *s = c->server;

    (void) fd;
    (void) what;
    for (int i = 0; i < DP_CLIENT_BATCH && !c->dead; i++) {
        int error = vsw_chan_recv(&c->chan, &s->rx);

        if (error == EAGAIN) {
            break;
        } else if (error == EPIPE || error == ECONNRESET) {
            VSW_DBG("%s: closed the connection", c->desc);
            c->dead = true;
            break;
        } else if (error) {
            /* A datagram we could not take whole (too long): say so, keep
             * the connection. */
            vsw_dgram_clear(&s->reply);
            reply_error(s, c, 0, 0, error, error == EMSGSIZE
                        ? "datagram is longer than the channel maximum"
                        : "cannot receive the datagram");
            reply_flush(s, c);
            break;
        }
        handle_dgram(c);
    }
    server_after_event(s);
}

static void
client_write_cb(evutil_socket_t fd, short what, void *aux)
{
    struct dp_client *c = aux;

    (void) fd;
    (void) what;
    client_drain(c);
    server_after_event(c->server);
}

static void
client_destroy(struct dp_client *c)
{
    struct dp_server *s = c->server;
    struct dp_out *out, *next;

    reg_remove_client(s, c);
    if (c->n_batched) {
        s->n_lost_late += c->n_batched;
    }
    event_free(c->ev_read);
    event_free(c->ev_write);
    VSW_LIST_FOR_EACH_SAFE (out, next, node, &c->outq) {
        free(out);
    }
    vsw_dgram_destroy(&c->misses);
    vsw_chan_close(&c->chan);
    vsw_list_remove(&c->node);
    s->n_clients--;
    free(c);
}

static void
server_accept_cb(evutil_socket_t fd, short what, void *aux)
{
    struct dp_server *s = aux;
    struct dp_client *c;
    struct vsw_chan chan;
    int error;

    (void) fd;
    (void) what;
    error = vsw_chan_accept(s->listen_fd, &chan);
    if (error) {
        if (error != EAGAIN) {
            static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 10);
            VSW_WARN_RL(&rl, "refused a connection on %s: %s", s->path,
                        strerror(error));
        }
        return;
    }
    if (s->n_clients >= DP_SERVER_MAX_CLIENTS) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 10);
        VSW_WARN_RL(&rl, "refused a connection from pid %ld: already %d "
                    "clients", (long) chan.peer_pid, DP_SERVER_MAX_CLIENTS);
        vsw_chan_close(&chan);
        return;
    }
    c = xzalloc(sizeof *c);
    c->server = s;
    c->chan = chan;
    vsw_list_init(&c->outq);
    vsw_dgram_init(&c->misses);
    snprintf(c->desc, sizeof c->desc, "client pid %ld",
             (long) chan.peer_pid);
    c->ev_read = event_new(s->base, chan.fd, EV_READ | EV_PERSIST,
                           client_read_cb, c);
    c->ev_write = event_new(s->base, chan.fd, EV_WRITE | EV_PERSIST,
                            client_write_cb, c);
    event_add(c->ev_read, NULL);
    vsw_list_push_back(&s->clients, &c->node);
    s->n_clients++;
    VSW_DBG("%s connected", c->desc);
}

/* ---- engine integration ------------------------------------------------- */

static void sync_engine_fds(struct dp_server *);

static void
engine_run(struct dp_server *s)
{
    if (s->class->run) {
        s->class->run(s->engine);
    }
    server_after_event(s);
}

static void
engine_fd_cb(evutil_socket_t fd, short what, void *aux)
{
    (void) fd;
    (void) what;
    engine_run(aux);
}

static void
engine_timer_cb(evutil_socket_t fd, short what, void *aux)
{
    (void) fd;
    (void) what;
    engine_run(aux);
}

/* Watches the file descriptors the engine asks for now; they may change as
 * ports come and go. */
static void
sync_engine_fds(struct dp_server *s)
{
    int fds[DP_SERVER_MAX_ENGINE_FDS];
    size_t n = s->class->get_fds ? s->class->get_fds(s->engine, fds,
                                                     ARRAY_SIZE(fds)) : 0;

    if (n > ARRAY_SIZE(fds)) {
        n = ARRAY_SIZE(fds);
    }
    if (n == s->n_engine_fds
        && !memcmp(fds, s->engine_fds, n * sizeof *fds)) {
        return;
    }
    for (size_t i = 0; i < s->n_engine_fds; i++) {
        event_free(s->ev_engine[i]);
    }
    for (size_t i = 0; i < n; i++) {
        s->engine_fds[i] = fds[i];
        s->ev_engine[i] = event_new(s->base, fds[i], EV_READ | EV_PERSIST,
                                    engine_fd_cb, s);
        event_add(s->ev_engine[i], NULL);
    }
    s->n_engine_fds = n;
}

/* After every event: send the misses batched during it, free clients that
 * died, and follow the engine's file descriptors. */
static void
server_after_event(struct dp_server *s)
{
    struct dp_client *c, *next;

    server_flush_misses(s);
    VSW_LIST_FOR_EACH_SAFE (c, next, node, &s->clients) {
        if (c->dead) {
            client_destroy(c);
        }
    }
    if (s->n_lost_late) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(5, 10);
        VSW_WARN_RL(&rl, "%llu batched misses were lost with their client",
                    (unsigned long long) s->n_lost_late);
        s->n_lost_late = 0;
    }
    sync_engine_fds(s);
}

/* ---- server ------------------------------------------------------------- */

int
dp_server_open(struct event_base *base, const struct dp_engine_class *class,
               const char *rundir, int argc, char **argv,
               struct dp_server **serverp, struct vsw_error *err)
{
    struct dp_server *s = xzalloc(sizeof *s);
    struct dp_engine_params params;
    char path[4096];
    struct timeval tv = { 0, DP_ENGINE_RUN_INTERVAL_MS * 1000 };
    int error;

    *serverp = NULL;
    error = vsw_chan_path(rundir, class->name, path, sizeof path);
    if (error) {
        free(s);
        return vsw_error_set(err, error, "socket path under %s is too long",
                             rundir);
    }
    s->base = base;
    s->class = class;
    s->path = xstrdup(path);
    s->listen_fd = -1;
    vsw_list_init(&s->clients);
    hmap_init(&s->regs);
    vsw_dgram_init(&s->rx);
    vsw_dgram_init(&s->reply);
    s->msg = xmalloc(sizeof *s->msg);

    /* Listen first: a second datapathd for the same engine must fail here,
     * before it touches the engine state the first one is using. */
    error = vsw_chan_listen(path, &s->listen_fd);
    if (error == EADDRINUSE) {
        vsw_error_set(err, error, "another datapathd already serves %s",
                      path);
        goto fail;
    } else if (error) {
        vsw_error_set(err, error, "cannot listen on %s: %s", path,
                      strerror(error));
        goto fail;
    }

    memset(&params, 0, sizeof params);
    params.rundir = rundir;
    params.argc = argc;
    params.argv = argv;
    params.upcall = server_upcall;
    params.upcall_aux = s;
    error = class->open(&params, &s->engine, err);
    if (error) {
        if (!err || !err->msg[0]) {
            vsw_error_set(err, error, "cannot open the %s engine: %s",
                          class->name, strerror(error));
        }
        unlink(path);
        goto fail;
    }

    s->ev_listen = event_new(base, s->listen_fd, EV_READ | EV_PERSIST,
                             server_accept_cb, s);
    event_add(s->ev_listen, NULL);
    s->ev_timer = event_new(base, -1, EV_PERSIST, engine_timer_cb, s);
    event_add(s->ev_timer, &tv);
    sync_engine_fds(s);
    *serverp = s;
    return 0;

fail:
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
    }
    vsw_dgram_destroy(&s->rx);
    vsw_dgram_destroy(&s->reply);
    hmap_destroy(&s->regs);
    free(s->msg);
    free(s->path);
    free(s);
    return error;
}

void
dp_server_close(struct dp_server *s)
{
    struct dp_client *c, *next;

    if (!s) {
        return;
    }
    server_flush_misses(s);
    VSW_LIST_FOR_EACH_SAFE (c, next, node, &s->clients) {
        client_destroy(c);
    }
    for (size_t i = 0; i < s->n_engine_fds; i++) {
        event_free(s->ev_engine[i]);
    }
    if (s->ev_listen) {
        event_free(s->ev_listen);
    }
    if (s->ev_timer) {
        event_free(s->ev_timer);
    }
    s->class->close(s->engine);
    close(s->listen_fd);
    unlink(s->path);
    hmap_destroy(&s->regs);
    vsw_dgram_destroy(&s->rx);
    vsw_dgram_destroy(&s->reply);
    free(s->msg);
    free(s->path);
    free(s);
}

const char *
dp_server_path(const struct dp_server *s)
{
    return s->path;
}
