/* Unit tests for datapath/dpif.c against a small scripted datapathd that
 * runs in a thread of the test: requests and their answers, dumps spread
 * over several datagrams, errors with sentences, MISS messages arriving in
 * the middle of a transaction, the bounded upcall queue, batches, time-outs
 * and a server that goes away. */
#include <config.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "datapath/dp-chan.h"
#include "datapath/dpif.h"

#define N_DUMP_FLOWS 1000
#define N_FLOOD_MISSES (DPIF_UPCALL_QUEUE_MAX + 104)

static const uint8_t frame[] = {
    0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
    0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x13, 0x88, 0x17, 0x70, 0, 8, 0, 0,
};

static void
make_key(struct vsw_flow_key *k, uint32_t in_port, uint16_t sport)
{
    memset(k, 0, sizeof *k);
    k->in_port = in_port;
    k->eth_src[0] = k->eth_dst[0] = 2;
    k->eth_dst[5] = 2;
    k->eth_type = htons(0x0800);
    k->ip_src[0] = k->ip_dst[0] = 10;
    k->ip_dst[3] = 2;
    k->nw_proto = 17;
    k->nw_ttl = 64;
    k->tp_src = htons(sport);
    k->tp_dst = htons(53);
    k->parsed = VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4;
}

static void
make_actions(struct vsw_actions *a, uint32_t port)
{
    memset(a, 0, sizeof *a);
    a->n_actions = 1;
    a->acts[0].type = VSW_ACTION_OUTPUT;
    a->acts[0].u.port = port;
}

/* ---- The scripted server ------------------------------------------------ */

struct server {
    char dir[64];
    int lfd;
    pthread_t thread;
    struct vsw_chan chan;
    struct vsw_dgram out;
    struct vsw_msg *msg;        /* scratch for answers */

    /* What the server saw (read by the test after the calls return). */
    int n_dgrams;
    int n_msgs;
    uint32_t seqs[4096];
    struct vsw_msg last;        /* last FLOW NEW/SET or PACKET EXECUTE */
    uint8_t last_pkt[256];
    bool closed;                /* asked to drop the connection */
};

static void
srv_flush(struct server *s)
{
    while (s->out.len) {
        int error = vsw_chan_send(&s->chan, &s->out);

        if (error == EAGAIN) {
            struct pollfd pfd = { .fd = s->chan.fd, .events = POLLOUT };

            poll(&pfd, 1, 1000);
            continue;
        }
        vsw_dgram_clear(&s->out);
    }
}

static void
srv_msg(struct server *s, const struct vsw_msg *m)
{
    if (vsw_msg_encode(m, &s->out) == ENOBUFS) {
        srv_flush(s);
        if (vsw_msg_encode(m, &s->out)) {
            abort();            /* (no cmocka asserts in this thread) */
        }
    }
}

static void
srv_error(struct server *s, const struct vsw_msg *req, int error,
          const char *text)
{
    if (vsw_msg_encode_error(&s->out, req->type, req->seq, error, text)) {
        srv_flush(s);
        vsw_msg_encode_error(&s->out, req->type, req->seq, error, text);
    }
}

static void
srv_ack(struct server *s, const struct vsw_msg *req)
{
    if (req->nl_flags & NLM_F_ACK) {
        srv_error(s, req, 0, NULL);
    }
}

static void
srv_done(struct server *s, const struct vsw_msg *req)
{
    if (vsw_msg_encode_done(&s->out, req->seq)) {
        srv_flush(s);
        vsw_msg_encode_done(&s->out, req->seq);
    }
}

static void
srv_misses(struct server *s, int n)
{
    struct vsw_msg *m = s->msg;

    for (int i = 0; i < n; i++) {
        vsw_msg_init(m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0, 0, 7);
        make_key(&m->u.packet.key, 3, 1000 + i);
        m->u.packet.data = frame;
        m->u.packet.len = sizeof frame;
        m->u.packet.in_port = 3;
        m->u.packet.reason = VSW_MISS_REASON_NO_MATCH;
        m->u.packet.userdata = i;       /* lets the test check the order */
        vsw_msg_set(m, VSW_PACKET_ATTR_PACKET);
        vsw_msg_set(m, VSW_PACKET_ATTR_KEY);
        vsw_msg_set(m, VSW_PACKET_ATTR_IN_PORT);
        vsw_msg_set(m, VSW_PACKET_ATTR_REASON);
        vsw_msg_set(m, VSW_PACKET_ATTR_USERDATA);
        srv_msg(s, m);
    }
    srv_flush(s);
}

static void
srv_dp(struct server *s, const struct vsw_msg *req, uint32_t idx,
       const char *name)
{
    struct vsw_msg *m = s->msg;

    vsw_msg_init(m, VSW_FAMILY_DATAPATH, req->cmd,
                 req->nl_flags & NLM_F_DUMP ? NLM_F_MULTI : 0, req->seq, idx);
    snprintf(m->u.dp.name, sizeof m->u.dp.name, "%s", name);
    strcpy(m->u.dp.engine, "test");
    m->u.dp.stats.n_hit = 100 + idx;
    m->u.dp.n_ports = 2;
    vsw_msg_set(m, VSW_DP_ATTR_NAME);
    vsw_msg_set(m, VSW_DP_ATTR_ENGINE);
    vsw_msg_set(m, VSW_DP_ATTR_STATS);
    vsw_msg_set(m, VSW_DP_ATTR_N_PORTS);
    srv_msg(s, m);
}

static void
srv_port(struct server *s, const struct vsw_msg *req, uint32_t port_no,
         const char *name)
{
    struct vsw_msg *m = s->msg;

    vsw_msg_init(m, VSW_FAMILY_PORT, req->cmd,
                 req->nl_flags & NLM_F_DUMP ? NLM_F_MULTI : 0, req->seq,
                 req->dp_index);
    m->u.port.port_no = port_no;
    snprintf(m->u.port.name, sizeof m->u.port.name, "%s", name);
    strcpy(m->u.port.mode, "native");
    m->u.port.ifindex = 40 + port_no;
    m->u.port.mtu = 1500;
    m->u.port.link_up = 1;
    vsw_msg_set(m, VSW_PORT_ATTR_PORT_NO);
    vsw_msg_set(m, VSW_PORT_ATTR_NAME);
    vsw_msg_set(m, VSW_PORT_ATTR_MODE);
    vsw_msg_set(m, VSW_PORT_ATTR_IFINDEX);
    vsw_msg_set(m, VSW_PORT_ATTR_MTU);
    vsw_msg_set(m, VSW_PORT_ATTR_LINK_UP);
    srv_msg(s, m);
}

static void
srv_flow(struct server *s, const struct vsw_msg *req, uint32_t i)
{
    struct vsw_msg *m = s->msg;

    vsw_msg_init(m, VSW_FAMILY_FLOW, req->cmd,
                 req->nl_flags & NLM_F_DUMP ? NLM_F_MULTI : 0, req->seq,
                 req->dp_index);
    if (req->nl_flags & NLM_F_DUMP) {
        make_key(&m->u.flow.key, 1, i);
    } else {
        m->u.flow.key = req->u.flow.key;
    }
    make_actions(&m->u.flow.actions, 2);
    m->u.flow.stats.n_packets = i + 10;
    m->u.flow.stats.n_bytes = (i + 10) * 64;
    m->u.flow.used_ms = 5000;
    vsw_msg_set(m, VSW_FLOW_ATTR_KEY);
    vsw_msg_set(m, VSW_FLOW_ATTR_ACTIONS);
    vsw_msg_set(m, VSW_FLOW_ATTR_STATS);
    vsw_msg_set(m, VSW_FLOW_ATTR_USED);
    srv_msg(s, m);
}

static void
srv_remember(struct server *s, const struct vsw_msg *req)
{
    s->last = *req;
    if (req->type == VSW_FAMILY_PACKET && req->u.packet.len
        && req->u.packet.len <= sizeof s->last_pkt) {
        memcpy(s->last_pkt, req->u.packet.data, req->u.packet.len);
    }
}

/* Answers one request; returns nonzero to drop the connection. */
static int
srv_handle(const struct vsw_msg *req, void *aux)
{
    struct server *s = aux;
    bool dump = (req->nl_flags & NLM_F_DUMP) == NLM_F_DUMP;

    if (s->n_msgs < (int) ARRAY_SIZE(s->seqs)) {
        s->seqs[s->n_msgs] = req->seq;
    }
    s->n_msgs++;

    switch (req->type) {
    case VSW_FAMILY_DATAPATH:
        if (req->cmd == VSW_DP_CMD_NEW) {
            if (!strcmp(req->u.dp.name, "miss-first")) {
                /* Misses that overtake the answer. */
                srv_misses(s, 2);
            } else if (!strcmp(req->u.dp.name, "noreply")) {
                srv_ack(s, req);
                break;
            }
            srv_dp(s, req, 7, req->u.dp.name);
        } else if (req->cmd == VSW_DP_CMD_GET && dump) {
            srv_dp(s, req, 1, "br1");
            srv_dp(s, req, 2, "br2");
            srv_flush(s);               /* the rest in another datagram */
            srv_dp(s, req, 3, "br3");
            srv_done(s, req);
            break;
        } else if (req->cmd == VSW_DP_CMD_GET) {
            if (!strcmp(req->u.dp.name, "nope")) {
                srv_error(s, req, ENODEV, "no datapath named nope");
                break;
            }
            srv_dp(s, req, req->dp_index ? req->dp_index : 4,
                   req->dp_index ? "byindex" : req->u.dp.name);
        } else if (req->cmd == VSW_DP_CMD_SET && req->dp_index == 666) {
            usleep(300 * 1000);         /* answers after the client gave up */
            srv_dp(s, req, 666, "slow");
        } else if (req->cmd == VSW_DP_CMD_SET && req->dp_index == 667) {
            /* An answer with an attribute in the reserved range. */
            size_t start = s->out.len;

            srv_dp(s, req, 667, "bad");
            ((struct nlattr *) (s->out.data + start + NLMSG_HDRLEN + 8))
                ->nla_type = 50;
        } else if (req->cmd == VSW_DP_CMD_SET && req->dp_index == 668) {
            s->closed = true;
            return 1;
        } else {
            if (req->cmd == VSW_DP_CMD_SET) {
                srv_remember(s, req);
            }
            srv_dp(s, req, req->dp_index, "br0");
            if (vsw_msg_has(req, VSW_DP_ATTR_UPCALL_REGISTER)) {
                srv_ack(s, req);
                srv_flush(s);
                srv_misses(s, 5);       /* unsolicited, own datagram */
                break;
            }
        }
        srv_ack(s, req);
        break;

    case VSW_FAMILY_PORT:
        if (req->cmd == VSW_PORT_CMD_GET && dump) {
            srv_port(s, req, 1, "p1");
            srv_port(s, req, 2, "p2");
            srv_done(s, req);
            break;
        }
        if (req->cmd == VSW_PORT_CMD_NEW) {
            srv_remember(s, req);
            srv_port(s, req, 5, req->u.port.name);
        } else if (req->cmd == VSW_PORT_CMD_GET
                   && !strcmp(req->u.port.name, "nope")) {
            srv_error(s, req, ENODEV, "no port named nope");
            break;
        } else {
            srv_port(s, req, req->u.port.port_no ? req->u.port.port_no : 9,
                     req->u.port.name[0] ? req->u.port.name : "pX");
        }
        srv_ack(s, req);
        break;

    case VSW_FAMILY_FLOW:
        switch (req->cmd) {
        case VSW_FLOW_CMD_NEW:
        case VSW_FLOW_CMD_SET:
            srv_remember(s, req);
            if (req->u.flow.key.in_port == 13) {
                srv_error(s, req, EEXIST, "FLOW NEW: the flow already exists");
            } else {
                srv_error(s, req, 0, NULL);
            }
            break;
        case VSW_FLOW_CMD_GET:
            if (dump) {
                for (int i = 0; i < N_DUMP_FLOWS; i++) {
                    srv_flow(s, req, i);
                }
                srv_done(s, req);
                break;
            }
            /* fall through */
        case VSW_FLOW_CMD_DEL:
            srv_flow(s, req, 32);
            srv_ack(s, req);
            break;
        case VSW_FLOW_CMD_FLUSH:
            if (req->dp_index == 5) {
                srv_misses(s, N_FLOOD_MISSES);
            }
            srv_error(s, req, 0, NULL);
            break;
        }
        break;

    case VSW_FAMILY_PACKET:
        if (req->cmd == VSW_PACKET_CMD_CAPTURED) {
            struct vsw_msg *m = s->msg;

            for (uint32_t port = 1; port <= 2; port++) {
                vsw_msg_init(m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_CAPTURED,
                             NLM_F_MULTI, req->seq, req->dp_index);
                m->u.packet.data = frame;
                m->u.packet.len = sizeof frame - port;
                m->u.packet.in_port = port;
                vsw_msg_set(m, VSW_PACKET_ATTR_PACKET);
                vsw_msg_set(m, VSW_PACKET_ATTR_IN_PORT);
                srv_msg(s, m);
            }
            srv_done(s, req);
            break;
        }
        srv_remember(s, req);
        if (req->cmd == VSW_PACKET_CMD_INJECT) {
            srv_misses(s, 1);
        }
        srv_error(s, req, 0, NULL);
        break;
    }
    return 0;
}

static void *
srv_main(void *aux)
{
    struct server *s = aux;
    struct pollfd pfd = { .fd = s->lfd, .events = POLLIN };
    struct vsw_dgram in;

    if (poll(&pfd, 1, 5000) != 1 || vsw_chan_accept(s->lfd, &s->chan)) {
        return NULL;
    }
    vsw_dgram_init(&in);
    for (;;) {
        struct vsw_error err;

        if (vsw_chan_recv_wait(&s->chan, &in, -1)) {
            break;
        }
        s->n_dgrams++;
        if (vsw_dgram_for_each(&in, srv_handle, NULL, s, &err)) {
            break;
        }
        srv_flush(s);
    }
    vsw_chan_close(&s->chan);
    vsw_dgram_destroy(&in);
    return NULL;
}

struct fixture {
    struct server *s;
    struct dpif *dpif;
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct server *s = calloc(1, sizeof *s);
    struct vsw_error err;
    char path[128];

    strcpy(s->dir, "/tmp/test-dpif.XXXXXX");
    if (!mkdtemp(s->dir)) {
        return -1;
    }
    snprintf(path, sizeof path, "%s/dp-test.sock", s->dir);
    if (vsw_chan_listen(path, &s->lfd)) {
        return -1;
    }
    s->msg = malloc(sizeof *s->msg);
    vsw_dgram_init(&s->out);
    if (pthread_create(&s->thread, NULL, srv_main, s)) {
        return -1;
    }
    f->s = s;
    if (dpif_open(s->dir, "test", &f->dpif, &err)) {
        fprintf(stderr, "dpif_open: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    struct server *s = f->s;
    char path[128];

    dpif_close(f->dpif);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    snprintf(path, sizeof path, "%s/dp-test.sock", s->dir);
    unlink(path);
    rmdir(s->dir);
    vsw_dgram_destroy(&s->out);
    free(s->msg);
    free(s);
    free(f);
    return 0;
}

/* ---- Tests -------------------------------------------------------------- */

static void
test_open_errors(void **state)
{
    char dir[] = "/tmp/test-dpif.XXXXXX", expected[128], path[128];
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct vsw_error err;
    struct dpif *dpif;
    int fd;

    (void) state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(dpif_open(dir, "xdp", &dpif, &err), ENOENT);
    assert_null(dpif);
    snprintf(expected, sizeof expected,
             "datapathd is not running (no %s/dp-xdp.sock)", dir);
    assert_string_equal(err.msg, expected);

    /* A socket file without a server. */
    snprintf(path, sizeof path, "%s/dp-xdp.sock", dir);
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    assert_int_equal(bind(fd, (struct sockaddr *) &sun, sizeof sun), 0);
    close(fd);
    assert_int_equal(dpif_open(dir, "xdp", &dpif, &err), ECONNREFUSED);
    assert_non_null(strstr(err.msg, "datapathd is not running"));
    unlink(path);

    assert_int_equal(dpif_open(dir, "a/b", &dpif, &err), EINVAL);
    rmdir(dir);
}

struct dp_seen {
    uint32_t idx[8];
    char names[8][VSW_NAME_MAX];
    int n;
};

static int
dp_cb(void *aux, uint32_t dp_index, const struct vsw_msg_dp *dp)
{
    struct dp_seen *seen = aux;

    seen->idx[seen->n] = dp_index;
    strcpy(seen->names[seen->n], dp->name);
    seen->n++;
    return 0;
}

static void
test_datapaths(void **state)
{
    struct fixture *f = *state;
    struct dp_seen seen = { .n = 0 };
    struct vsw_msg_dp dp;
    struct vsw_error err;
    uint32_t idx;
    int n_msgs;

    assert_string_equal(dpif_engine(f->dpif), "test");
    assert_true(dpif_fd(f->dpif) >= 0);

    assert_int_equal(dpif_dp_new(f->dpif, "br0", &idx, &err), 0);
    assert_int_equal(idx, 7);

    assert_int_equal(dpif_dp_get(f->dpif, 0, "br0", &dp, &err), 0);
    assert_string_equal(dp.name, "br0");
    assert_string_equal(dp.engine, "test");
    assert_int_equal(dp.stats.n_hit, 104);
    assert_int_equal(dpif_dp_get(f->dpif, 2, NULL, &dp, &err), 0);
    assert_string_equal(dp.name, "byindex");

    /* The datapath's sentence reaches the caller. */
    assert_int_equal(dpif_dp_get(f->dpif, 0, "nope", &dp, &err), ENODEV);
    assert_int_equal(err.code, ENODEV);
    assert_string_equal(err.msg, "no datapath named nope");

    /* A dump spread over two datagrams. */
    assert_int_equal(dpif_dp_dump(f->dpif, dp_cb, &seen, &err), 0);
    assert_int_equal(seen.n, 3);
    assert_int_equal(seen.idx[0], 1);
    assert_int_equal(seen.idx[2], 3);
    assert_string_equal(seen.names[2], "br3");

    {
        struct vsw_msg_dp set = { .flow_limit = 1000 };

        assert_int_equal(dpif_dp_set(f->dpif, 7, &set,
                                     1ULL << VSW_DP_ATTR_FLOW_LIMIT, &err), 0);
        assert_int_equal(f->s->last.u.dp.flow_limit, 1000);
        assert_true(vsw_msg_has(&f->s->last, VSW_DP_ATTR_FLOW_LIMIT));
        assert_false(vsw_msg_has(&f->s->last, VSW_DP_ATTR_UPCALL_RATE));
        assert_true(f->s->last.nl_flags & NLM_F_ACK);
    }
    assert_int_equal(dpif_dp_del(f->dpif, 7, &err), 0);

    /* Refused locally, without a word to the server. */
    n_msgs = f->s->n_msgs;
    assert_int_equal(dpif_dp_new(f->dpif, "a-name-of-16-chr", &idx, &err),
                     EINVAL);
    assert_string_equal(err.msg, "datapath name \"a-name-of-16-chr\" is "
                        "longer than 15 characters");
    assert_int_equal(dpif_dp_get(f->dpif, 0, NULL, &dp, &err), EINVAL);
    assert_int_equal(f->s->n_msgs, n_msgs);

    /* An ACK where the index should be. */
    assert_int_equal(dpif_dp_new(f->dpif, "noreply", &idx, &err), EPROTO);
    assert_non_null(strstr(err.msg, "without a datapath index"));
}

struct port_seen {
    uint32_t port_no[4];
    int n;
};

static int
port_cb(void *aux, const struct vsw_msg_port *p)
{
    struct port_seen *seen = aux;

    seen->port_no[seen->n++] = p->port_no;
    return 0;
}

static void
test_ports(void **state)
{
    struct fixture *f = *state;
    struct port_seen seen = { .n = 0 };
    struct vsw_msg_port port, out;
    struct vsw_error err;

    memset(&port, 0, sizeof port);
    strcpy(port.name, "veth0");
    strcpy(port.type, "system");
    port.n_options = 1;
    strcpy(port.options[0].key, "mode");
    strcpy(port.options[0].value, "generic");
    assert_int_equal(dpif_port_add(f->dpif, 7, &port, &err), 0);
    /* Filled from the answer... */
    assert_int_equal(port.port_no, 5);
    assert_int_equal(port.ifindex, 45);
    assert_int_equal(port.mtu, 1500);
    assert_string_equal(port.mode, "native");
    /* ...keeping what the answer does not repeat. */
    assert_string_equal(port.type, "system");
    assert_int_equal(port.n_options, 1);
    assert_string_equal(port.options[0].value, "generic");
    /* The request carried the options. */
    assert_int_equal(f->s->last.u.port.n_options, 1);
    assert_string_equal(f->s->last.u.port.options[0].key, "mode");
    assert_false(vsw_msg_has(&f->s->last, VSW_PORT_ATTR_PORT_NO));

    assert_int_equal(dpif_port_get(f->dpif, 7, 3, NULL, &out, &err), 0);
    assert_int_equal(out.port_no, 3);
    assert_int_equal(dpif_port_get(f->dpif, 7, 0, "veth9", &out, &err), 0);
    assert_string_equal(out.name, "veth9");
    assert_int_equal(dpif_port_get(f->dpif, 7, 0, "nope", &out, &err), ENODEV);
    assert_string_equal(err.msg, "no port named nope");

    assert_int_equal(dpif_port_dump(f->dpif, 7, port_cb, &seen, &err), 0);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.port_no[1], 2);

    assert_int_equal(dpif_port_del(f->dpif, 7, 5, &err), 0);
}

struct flow_seen {
    int n;
    bool in_order;
    int stop_at;
};

static int
flow_cb(void *aux, const struct vsw_msg_flow *fl)
{
    struct flow_seen *seen = aux;

    if (ntohs(fl->key.tp_src) != seen->n
        || fl->stats.n_packets != (uint64_t) seen->n + 10) {
        seen->in_order = false;
    }
    seen->n++;
    return seen->stop_at && seen->n == seen->stop_at ? 99 : 0;
}

static void
test_flows(void **state)
{
    struct fixture *f = *state;
    struct flow_seen seen = { .in_order = true };
    struct vsw_flow_key key, mask;
    struct vsw_actions acts;
    struct vsw_msg_flow out;
    struct vsw_error err;

    make_key(&key, 1, 1000);
    make_actions(&acts, 2);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    mask.tp_dst = 0xffff;

    /* Flags become commands and netlink flags. */
    assert_int_equal(dpif_flow_put(f->dpif, 7, &key, NULL, &acts,
                                   DP_FLOW_CREATE, &err), 0);
    assert_int_equal(f->s->last.cmd, VSW_FLOW_CMD_NEW);
    assert_true(f->s->last.nl_flags & NLM_F_EXCL);
    assert_false(vsw_msg_has(&f->s->last, VSW_FLOW_ATTR_MASK));
    assert_memory_equal(&f->s->last.u.flow.key, &key, sizeof key);
    assert_int_equal(dpif_flow_put(f->dpif, 7, &key, &mask, &acts, 0, &err),
                     0);
    assert_false(f->s->last.nl_flags & NLM_F_EXCL);
    assert_true(vsw_msg_has(&f->s->last, VSW_FLOW_ATTR_MASK));
    assert_memory_equal(&f->s->last.u.flow.mask, &mask, sizeof mask);
    assert_int_equal(dpif_flow_put(f->dpif, 7, &key, NULL, &acts,
                                   DP_FLOW_MODIFY | DP_FLOW_CLEAR_STATS, &err),
                     0);
    assert_int_equal(f->s->last.cmd, VSW_FLOW_CMD_SET);
    assert_true(vsw_msg_has(&f->s->last, VSW_FLOW_ATTR_CLEAR));
    assert_int_equal(dpif_flow_put(f->dpif, 7, &key, NULL, &acts,
                                   DP_FLOW_MODIFY | DP_FLOW_CREATE, &err),
                     EINVAL);

    /* The server's refusal, with its sentence. */
    make_key(&key, 13, 1000);
    assert_int_equal(dpif_flow_put(f->dpif, 7, &key, NULL, &acts,
                                   DP_FLOW_CREATE, &err), EEXIST);
    assert_string_equal(err.msg, "FLOW NEW: the flow already exists");

    /* A key that cannot be said on the wire. */
    make_key(&key, 1, 1000);
    key.ip_src[10] = 1;
    assert_int_equal(dpif_flow_put(f->dpif, 7, &key, NULL, &acts, 0, &err),
                     EINVAL);
    assert_non_null(strstr(err.msg, "cannot be encoded"));

    make_key(&key, 1, 1000);
    assert_int_equal(dpif_flow_get(f->dpif, 7, &key, &out, &err), 0);
    assert_int_equal(out.stats.n_packets, 42);
    assert_int_equal(out.used_ms, 5000);
    assert_memory_equal(&out.key, &key, sizeof key);
    memset(&out, 0, sizeof out);
    assert_int_equal(dpif_flow_del(f->dpif, 7, &key, &out, &err), 0);
    assert_int_equal(out.stats.n_bytes, 42 * 64);
    assert_int_equal(dpif_flow_del(f->dpif, 7, &key, NULL, &err), 0);

    /* A dump of many datagrams. */
    assert_int_equal(dpif_flow_dump(f->dpif, 7, flow_cb, &seen, &err), 0);
    assert_int_equal(seen.n, N_DUMP_FLOWS);
    assert_true(seen.in_order);

    /* A callback stops the calls; the dump is still read to its end, so the
     * next request works. */
    seen = (struct flow_seen) { .in_order = true, .stop_at = 10 };
    assert_int_equal(dpif_flow_dump(f->dpif, 7, flow_cb, &seen, &err), 99);
    assert_int_equal(seen.n, 10);
    assert_int_equal(dpif_flow_flush(f->dpif, 7, &err), 0);
}

struct upcalls {
    int n;
    uint32_t userdata[8];
    struct dpif *dpif;          /* set: answer each with EXECUTE */
    int n_executed;
};

static int
upcall_cb(void *aux, const struct vsw_msg *m)
{
    struct upcalls *u = aux;
    struct vsw_flow_key key;

    assert_int_equal(m->type, VSW_FAMILY_PACKET);
    assert_int_equal(m->cmd, VSW_PACKET_CMD_MISS);
    assert_int_equal(m->u.packet.len, sizeof frame);
    assert_memory_equal(m->u.packet.data, frame, sizeof frame);
    assert_int_equal(m->u.packet.in_port, 3);
    make_key(&key, 3, 1000 + m->u.packet.userdata);
    assert_memory_equal(&m->u.packet.key, &key, sizeof key);
    if (u->n < (int) ARRAY_SIZE(u->userdata)) {
        u->userdata[u->n] = m->u.packet.userdata;
    }
    u->n++;
    if (u->dpif) {
        struct vsw_actions acts;
        struct vsw_error err;

        make_actions(&acts, 9);
        assert_int_equal(dpif_execute(u->dpif, m->dp_index,
                                      m->u.packet.in_port, m->u.packet.data,
                                      m->u.packet.len, &acts, &err), 0);
        u->n_executed++;
    }
    return 0;
}

static void
test_packets(void **state)
{
    struct fixture *f = *state;
    struct upcalls u = { .n = 0 };
    struct vsw_actions acts;
    struct vsw_error err;

    make_actions(&acts, 4);
    assert_int_equal(dpif_execute(f->dpif, 7, 1, frame, sizeof frame, &acts,
                                  &err), 0);
    assert_int_equal(f->s->last.cmd, VSW_PACKET_CMD_EXECUTE);
    assert_int_equal(f->s->last.u.packet.in_port, 1);
    assert_int_equal(f->s->last.u.packet.len, sizeof frame);
    assert_memory_equal(f->s->last_pkt, frame, sizeof frame);
    assert_memory_equal(&f->s->last.u.packet.actions, &acts, sizeof acts);

    /* The server sends the inject's miss before the ACK: it is queued. */
    assert_int_equal(dpif_inject(f->dpif, 7, 3, frame, sizeof frame, &err), 0);
    assert_int_equal(f->s->last.cmd, VSW_PACKET_CMD_INJECT);
    assert_int_equal(dpif_upcalls_queued(f->dpif), 1);
    assert_int_equal(dpif_recv_upcalls(f->dpif, upcall_cb, &u, 10), 1);
    assert_int_equal(u.n, 1);
    assert_int_equal(dpif_upcalls_queued(f->dpif), 0);
    assert_int_equal(dpif_recv_upcalls(f->dpif, upcall_cb, &u, 10), 0);
}

static int
captured_cb(void *aux, uint32_t port, const uint8_t *pkt, uint32_t len)
{
    int *n = aux;

    assert_int_equal(port, *n + 1);
    assert_int_equal(len, sizeof frame - port);
    assert_memory_equal(pkt, frame, len);
    ++*n;
    return 0;
}

static void
test_captured(void **state)
{
    struct fixture *f = *state;
    struct vsw_error err;
    int n = 0;

    assert_int_equal(dpif_captured_dump(f->dpif, 7, captured_cb, &n, &err), 0);
    assert_int_equal(n, 2);
}

static void
test_miss_before_reply(void **state)
{
    struct fixture *f = *state;
    struct upcalls u = { .n = 0 };
    struct vsw_error err;
    uint32_t idx;

    /* Two misses arrive before DATAPATH NEW's answer: the transaction
     * finishes and the misses wait in the queue. */
    assert_int_equal(dpif_dp_new(f->dpif, "miss-first", &idx, &err), 0);
    assert_int_equal(idx, 7);
    assert_int_equal(dpif_upcalls_queued(f->dpif), 2);
    assert_int_equal(dpif_recv_upcalls(f->dpif, upcall_cb, &u, 64), 2);
    assert_int_equal(u.n, 2);
    assert_int_equal(u.userdata[0], 0);
    assert_int_equal(u.userdata[1], 1);
}

static void
test_unsolicited_upcalls(void **state)
{
    struct fixture *f = *state;
    struct upcalls u = { .n = 0 };
    struct pollfd pfd = { .fd = dpif_fd(f->dpif), .events = POLLIN };
    struct vsw_error err;

    /* The server registers us, answers, then sends 5 misses on its own. */
    assert_int_equal(dpif_upcall_register(f->dpif, 7, &err), 0);
    assert_true(vsw_msg_has(&f->s->last, VSW_DP_ATTR_UPCALL_REGISTER));
    assert_int_equal(poll(&pfd, 1, 2000), 1);

    /* At most MAX handed out; the rest of the datagram waits its turn. */
    assert_int_equal(dpif_recv_upcalls(f->dpif, upcall_cb, &u, 3), 3);
    assert_int_equal(dpif_upcalls_queued(f->dpif), 2);
    /* A callback may answer with dpif calls of its own. */
    u.dpif = f->dpif;
    assert_int_equal(dpif_recv_upcalls(f->dpif, upcall_cb, &u, 10), 2);
    assert_int_equal(u.n, 5);
    assert_int_equal(u.n_executed, 2);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(u.userdata[i], i);
    }
    assert_int_equal(dpif_recv_upcalls(f->dpif, upcall_cb, &u, 10), 0);
}

static int
count_upcall(void *aux, const struct vsw_msg *m)
{
    int *n = aux;

    if (m->u.packet.userdata != (uint32_t) *n) {
        return -1;              /* out of order: stop, and the test fails */
    }
    ++*n;
    return 0;
}

static void
test_upcall_overflow(void **state)
{
    struct fixture *f = *state;
    struct vsw_error err;
    int n = 0;

    /* N_FLOOD_MISSES arrive during one transaction: the queue keeps the
     * first DPIF_UPCALL_QUEUE_MAX and counts the rest. */
    assert_int_equal(dpif_flow_flush(f->dpif, 5, &err), 0);
    assert_int_equal(dpif_upcalls_queued(f->dpif), DPIF_UPCALL_QUEUE_MAX);
    assert_int_equal(dpif_upcall_overflows(f->dpif),
                     N_FLOOD_MISSES - DPIF_UPCALL_QUEUE_MAX);
    assert_int_equal(dpif_recv_upcalls(f->dpif, count_upcall, &n, 100000),
                     DPIF_UPCALL_QUEUE_MAX);
    assert_int_equal(n, DPIF_UPCALL_QUEUE_MAX);
}

static void
test_operate(void **state)
{
    enum { N = 2000 };
    struct fixture *f = *state;
    struct dpif_op *ops = calloc(N, sizeof *ops);
    struct vsw_flow_key *keys = calloc(N, sizeof *keys);
    struct vsw_actions acts;
    struct vsw_dgram dg;
    int n_dgrams = f->s->n_dgrams, expected_dgrams = 1;
    int n_msgs = f->s->n_msgs;

    make_actions(&acts, 2);
    for (int i = 0; i < N; i++) {
        struct dpif_op *op = &ops[i];

        make_key(&keys[i], i % 50 == 13 ? 13 : 1, i);
        op->dp_index = 7;
        op->key = &keys[i];
        op->actions = &acts;
        if (i % 7 == 3) {
            op->type = DPIF_OP_EXECUTE;
            op->in_port = 1;
            op->packet = frame;
            op->len = sizeof frame;
        } else if (i % 11 == 5) {
            op->type = DPIF_OP_FLOW_DEL;
        } else {
            op->type = DPIF_OP_FLOW_PUT;
            op->flags = DP_FLOW_CREATE;
        }
    }
    /* One op the encoder refuses: it fails alone. */
    keys[100].pad0 = 1;
    ops[100].type = DPIF_OP_FLOW_PUT;

    /* How many datagrams the batch needs at best. */
    vsw_dgram_init(&dg);
    for (int i = 0; i < N; i++) {
        struct vsw_msg m;
        int error;

        if (i == 100) {
            continue;
        }
        if (ops[i].type == DPIF_OP_EXECUTE) {
            vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_EXECUTE,
                         NLM_F_REQUEST | NLM_F_ACK, 1, 7);
            m.u.packet.data = frame;
            m.u.packet.len = sizeof frame;
            m.u.packet.actions = acts;
            vsw_msg_set(&m, VSW_PACKET_ATTR_PACKET);
            vsw_msg_set(&m, VSW_PACKET_ATTR_IN_PORT);
            vsw_msg_set(&m, VSW_PACKET_ATTR_ACTIONS);
        } else {
            vsw_msg_init(&m, VSW_FAMILY_FLOW, ops[i].type == DPIF_OP_FLOW_DEL
                         ? VSW_FLOW_CMD_DEL : VSW_FLOW_CMD_NEW,
                         NLM_F_REQUEST | NLM_F_ACK, 1, 7);
            m.u.flow.key = keys[i];
            vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
            if (ops[i].type == DPIF_OP_FLOW_PUT) {
                m.u.flow.actions = acts;
                vsw_msg_set(&m, VSW_FLOW_ATTR_ACTIONS);
            }
        }
        error = vsw_msg_encode(&m, &dg);
        if (error == ENOBUFS) {
            expected_dgrams++;
            vsw_dgram_clear(&dg);
            error = vsw_msg_encode(&m, &dg);
        }
        assert_int_equal(error, 0);
    }
    vsw_dgram_destroy(&dg);
    assert_true(expected_dgrams >= 2);

    assert_int_equal(dpif_operate(f->dpif, ops, N), 0);
    for (int i = 0; i < N; i++) {
        if (i == 100) {
            assert_int_equal(ops[i].error, EINVAL);
            assert_non_null(strstr(ops[i].err.msg, "cannot be encoded"));
        } else if (i % 50 == 13 && ops[i].type == DPIF_OP_FLOW_PUT) {
            assert_int_equal(ops[i].error, EEXIST);
            assert_string_equal(ops[i].err.msg,
                                "FLOW NEW: the flow already exists");
        } else if (ops[i].error) {
            fail_msg("op %d: %s", i, ops[i].err.msg);
        }
    }
    /* Packed tightly, sent in order. */
    assert_int_equal(f->s->n_dgrams - n_dgrams, expected_dgrams);
    assert_int_equal(f->s->n_msgs - n_msgs, N - 1);
    for (int i = n_msgs + 1; i < f->s->n_msgs; i++) {
        assert_true(f->s->seqs[i] > f->s->seqs[i - 1]);
    }
    /* An empty batch is fine. */
    assert_int_equal(dpif_operate(f->dpif, ops, 0), 0);
    free(ops);
    free(keys);
}

static int
nested_cb(void *aux, const struct vsw_msg_port *p)
{
    struct dpif *dpif = aux;
    struct vsw_error err;

    (void) p;
    assert_int_equal(dpif_flow_flush(dpif, 7, &err), EBUSY);
    return 0;
}

static void
test_failures(void **state)
{
    struct fixture *f = *state;
    struct vsw_msg_dp dp = { .upcall_rate = 1 };
    uint64_t attrs = 1ULL << VSW_DP_ATTR_UPCALL_RATE;
    struct vsw_error err;
    uint64_t start;
    struct upcalls u = { .n = 0 };

    /* A dump callback may not start another request. */
    assert_int_equal(dpif_port_dump(f->dpif, 7, nested_cb, f->dpif, &err), 0);

    /* No answer in time. */
    dpif_set_timeout(f->dpif, 100);
    start = vsw_time_msec();
    assert_int_equal(dpif_dp_set(f->dpif, 666, &dp, attrs, &err), ETIMEDOUT);
    assert_true(vsw_time_msec() - start >= 100);
    assert_non_null(strstr(err.msg, "no answer from datapathd"));
    assert_non_null(strstr(err.msg, "within 100 ms"));
    /* The late answer arrives during the next request and is dropped. */
    dpif_set_timeout(f->dpif, 2000);
    assert_int_equal(dpif_dp_set(f->dpif, 3, &dp, attrs, &err), 0);

    /* A malformed answer. */
    assert_int_equal(dpif_dp_set(f->dpif, 667, &dp, attrs, &err), EPROTO);
    assert_non_null(strstr(err.msg, "datapathd's answer to DATAPATH SET is "
                           "malformed"));
    assert_non_null(strstr(err.msg, "reserved range"));

    /* The server goes away. */
    assert_int_equal(dpif_dp_set(f->dpif, 668, &dp, attrs, &err), EPIPE);
    assert_non_null(strstr(err.msg, "datapathd closed the connection"));
    assert_int_equal(dpif_recv_upcalls(f->dpif, upcall_cb, &u, 10), -EPIPE);
    assert_int_equal(dpif_flow_flush(f->dpif, 7, &err), EPIPE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test_setup_teardown(test_datapaths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_packets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_captured, setup, teardown),
        cmocka_unit_test_setup_teardown(test_miss_before_reply, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unsolicited_upcalls, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_upcall_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failures, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
