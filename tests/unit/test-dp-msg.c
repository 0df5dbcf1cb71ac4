/* Unit tests for datapath/dp-msg.c and datapath/flow-attrs.c: every message
 * type survives encode -> decode byte for byte, every kind of malformed
 * message is refused with a sentence, and datagrams batch messages. */
#include <config.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "datapath/dp-msg.h"

/* ---- Builders ----------------------------------------------------------- */

static void
key_eth(struct vsw_flow_key *k, uint32_t in_port, uint16_t eth_type)
{
    static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };

    memset(k, 0, sizeof *k);
    k->in_port = in_port;
    memcpy(k->eth_src, src, 6);
    memcpy(k->eth_dst, dst, 6);
    k->eth_type = htons(eth_type);
    k->parsed = VSW_KEY_F_ETH;
}

static void
key_ipv4(struct vsw_flow_key *k, uint8_t proto)
{
    static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 10, 0, 0, 2 };

    key_eth(k, 1, 0x0800);
    memcpy(k->ip_src, a, 4);
    memcpy(k->ip_dst, b, 4);
    k->nw_proto = proto;
    k->nw_tos = 0x10;
    k->nw_ttl = 64;
    k->parsed |= VSW_KEY_F_L3;
}

static void
key_ipv6(struct vsw_flow_key *k, uint8_t proto)
{
    key_eth(k, 2, 0x86dd);
    for (int i = 0; i < 16; i++) {
        k->ip_src[i] = 0x20 + i;
        k->ip_dst[i] = 0x40 + i;
    }
    k->nw_proto = proto;
    k->nw_tos = 0xb8;
    k->nw_ttl = 255;
    k->parsed |= VSW_KEY_F_L3;
}

static void
key_l4(struct vsw_flow_key *k, uint16_t src, uint16_t dst)
{
    k->tp_src = htons(src);
    k->tp_dst = htons(dst);
    k->parsed |= VSW_KEY_F_L4;
}

/* Every kind of key the encoder must carry exactly. */
static int
sample_key(int i, struct vsw_flow_key *k)
{
    switch (i) {
    case 0:                     /* in_port only */
        memset(k, 0, sizeof *k);
        k->in_port = 7;
        return 1;
    case 1:                     /* Ethernet, EtherType we do not parse */
        key_eth(k, 3, 0x88cc);
        return 1;
    case 2:                     /* VLAN + IPv4 + UDP */
        key_ipv4(k, 17);
        key_l4(k, 5000, 6000);
        k->vlan_tci = htons(VSW_VLAN_CFI | 10 | (3 << VSW_VLAN_PCP_SHIFT));
        k->parsed |= VSW_KEY_F_VLAN;
        return 1;
    case 3:                     /* IPv4 TCP with flags */
        key_ipv4(k, 6);
        key_l4(k, 80, 43210);
        k->tcp_flags = htons(0x012);
        return 1;
    case 4:                     /* ICMP echo request */
        key_ipv4(k, 1);
        key_l4(k, 8, 0);
        return 1;
    case 5:                     /* later fragment: no L4 */
        key_ipv4(k, 17);
        k->nw_frag = VSW_FRAG_LATER;
        return 1;
    case 6:                     /* truncated TCP header */
        key_ipv4(k, 6);
        k->parsed |= VSW_KEY_F_TRUNC;
        return 1;
    case 7:                     /* IPv6 TCP */
        key_ipv6(k, 6);
        key_l4(k, 22, 51000);
        k->nw_frag = VSW_FRAG_FIRST;
        return 1;
    case 8:                     /* ICMPv6 neighbour solicitation */
        key_ipv6(k, 58);
        key_l4(k, 135, 0);
        return 1;
    case 9: {                   /* ARP request */
        static const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };

        key_eth(k, 4, 0x0806);
        memcpy(k->ip_src, a, 4);
        memcpy(k->ip_dst, b, 4);
        k->nw_proto = 1;
        k->parsed |= VSW_KEY_F_L3;
        return 1;
    }
    case 10:                    /* IPv4 header cut short */
        key_eth(k, 5, 0x0800);
        k->parsed |= VSW_KEY_F_TRUNC;
        return 1;
    case 11:                    /* two tags: inner not parsed */
        key_eth(k, 6, 0x8100);
        k->vlan_tci = htons(VSW_VLAN_CFI | 100);
        k->parsed |= VSW_KEY_F_VLAN | VSW_KEY_F_VLAN_DEEP;
        return 1;
    case 12:                    /* IPv6 UDP */
        key_ipv6(k, 17);
        key_l4(k, 53, 5353);
        return 1;
    default:
        return 0;
    }
}

/* One action of every type. */
static void
sample_actions(struct vsw_actions *acts)
{
    struct vsw_action *a;

    memset(acts, 0, sizeof *acts);
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_PUSH_VLAN;
    a->u.vlan.tpid = htons(0x8100);
    a->u.vlan.tci = htons(20);
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_OUTPUT;
    a->u.port = 2;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_POP_VLAN;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_SET_ETH;
    memset(a->u.eth.src, 0x11, 6);
    memset(a->u.eth.dst, 0x22, 6);
    a->u.eth.fields = VSW_SET_SRC | VSW_SET_DST;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_SET_IPV4;
    a->u.ipv4.src = htonl(0x0a000001);
    a->u.ipv4.dst = htonl(0x0a000002);
    a->u.ipv4.tos = 4;
    a->u.ipv4.ttl = 9;
    a->u.ipv4.fields = VSW_SET_SRC | VSW_SET_TTL;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_SET_IPV6;
    memset(a->u.ipv6.src, 0xfe, 16);
    memset(a->u.ipv6.dst, 0x01, 16);
    a->u.ipv6.tclass = 3;
    a->u.ipv6.hlimit = 2;
    a->u.ipv6.fields = VSW_SET_DST | VSW_SET_TOS;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_SET_L4;
    a->u.l4.src = htons(1);
    a->u.l4.dst = htons(2);
    a->u.l4.fields = VSW_SET_DST;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_DEC_TTL;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_FLOOD;
    a->u.group = VSW_FLOOD_ALL;
    a = &acts->acts[acts->n_actions++];
    a->type = VSW_ACTION_USERSPACE;
    a->u.userdata = 0xdeadbeef;
}

static const uint8_t frame[] = {
    0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
    0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    0x13, 0x88, 0x17, 0x70, 0, 8, 0, 0, 0xaa,
};

/* Decodes the first message of DG. */
static int
decode_first(const struct vsw_dgram *dg, struct vsw_msg *out,
             struct vsw_error *err)
{
    return vsw_msg_decode((const struct nlmsghdr *) dg->data, out, err);
}

/* ---- Round trips -------------------------------------------------------- */

struct collected {
    struct vsw_msg msgs[8];
    size_t n;
    int n_bad;
    struct vsw_error bad;
};

static int
collect_cb(const struct vsw_msg *m, void *aux)
{
    struct collected *c = aux;

    if (c->n < ARRAY_SIZE(c->msgs)) {
        c->msgs[c->n] = *m;
    }
    c->n++;
    return 0;
}

static void
collect_bad(const struct nlmsghdr *nlh, const struct vsw_error *e, void *aux)
{
    struct collected *c = aux;

    (void) nlh;
    c->n_bad++;
    c->bad = *e;
}

/* Encodes IN, decodes it both directly and through vsw_dgram_for_each(),
 * and demands the identical struct back. */
static void
check_roundtrip(const struct vsw_msg *in)
{
    struct vsw_dgram dg;
    struct vsw_msg *out = malloc(sizeof *out);
    struct collected *c = calloc(1, sizeof *c);
    struct vsw_error err;
    int error;

    vsw_dgram_init(&dg);
    error = vsw_msg_encode(in, &dg);
    assert_int_equal(error, 0);
    assert_int_equal(((struct nlmsghdr *) dg.data)->nlmsg_len, dg.len);

    error = vsw_msg_decode((struct nlmsghdr *) dg.data, out, &err);
    if (error) {
        fail_msg("decode failed: %s", err.msg);
    }
    if (in->type == VSW_FAMILY_PACKET) {
        assert_int_equal(out->u.packet.len, in->u.packet.len);
        if (in->u.packet.len) {
            assert_memory_equal(out->u.packet.data, in->u.packet.data,
                                in->u.packet.len);
            /* The decoded pointer refers into the datagram. */
            assert_true(out->u.packet.data > dg.data
                        && out->u.packet.data < dg.data + dg.len);
        }
        out->u.packet.data = in->u.packet.data;
    }
    assert_memory_equal(out, in, sizeof *in);

    assert_int_equal(vsw_dgram_for_each(&dg, collect_cb, collect_bad, c, &err),
                     0);
    assert_int_equal(c->n, 1);
    assert_int_equal(c->n_bad, 0);

    free(c);
    free(out);
    vsw_dgram_destroy(&dg);
}

static void
test_roundtrip_datapath(void **state)
{
    struct vsw_msg m;

    (void) state;
    /* NEW request. */
    vsw_msg_init(&m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_NEW,
                 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, 11, 0);
    strcpy(m.u.dp.name, "br0");
    vsw_msg_set(&m, VSW_DP_ATTR_NAME);
    m.u.dp.version = VSW_DP_PROTO_VERSION;
    vsw_msg_set(&m, VSW_DP_ATTR_VERSION);
    check_roundtrip(&m);

    /* A reply with everything, a 15-character name. */
    vsw_msg_init(&m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, NLM_F_MULTI, 12, 3);
    strcpy(m.u.dp.name, "abcdefghijklmno");
    strcpy(m.u.dp.engine, "dummy");
    m.u.dp.version = 1;
    m.u.dp.stats = (struct vsw_dp_stats) { 1, 2, 3, 4, 5, 6, 7, 8 };
    m.u.dp.features = VSW_DP_F_MASKED_FLOWS;
    m.u.dp.flow_limit = 200000;
    m.u.dp.upcall_rate = 1000;
    m.u.dp.n_ports = 4;
    for (int a = VSW_DP_ATTR_NAME; a <= VSW_DP_ATTR_N_PORTS; a++) {
        if (a != VSW_DP_ATTR_UPCALL_REGISTER) {
            vsw_msg_set(&m, a);
        }
    }
    check_roundtrip(&m);

    /* SET with a flag, by index. */
    vsw_msg_init(&m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_SET, NLM_F_REQUEST, 13,
                 3);
    vsw_msg_set(&m, VSW_DP_ATTR_UPCALL_REGISTER);
    m.u.dp.upcall_rate = 0;
    vsw_msg_set(&m, VSW_DP_ATTR_UPCALL_RATE);
    check_roundtrip(&m);

    /* DEL by name, GET dump with no attributes. */
    vsw_msg_init(&m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_DEL, NLM_F_REQUEST, 14,
                 0);
    strcpy(m.u.dp.name, "br1");
    vsw_msg_set(&m, VSW_DP_ATTR_NAME);
    check_roundtrip(&m);
    vsw_msg_init(&m, VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET,
                 NLM_F_REQUEST | NLM_F_DUMP, 15, 0);
    check_roundtrip(&m);
}

static void
test_roundtrip_port(void **state)
{
    struct vsw_msg m;

    (void) state;
    vsw_msg_init(&m, VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST, 21, 1);
    strcpy(m.u.port.name, "vhost0");
    strcpy(m.u.port.type, "dpdkvhostuserclient");
    m.u.port.n_options = 3;
    strcpy(m.u.port.options[0].key, "vhost-server-path");
    strcpy(m.u.port.options[0].value, "/run/vm0.sock");
    strcpy(m.u.port.options[1].key, "n_rxq");
    strcpy(m.u.port.options[1].value, "2");
    strcpy(m.u.port.options[2].key, "empty");
    m.u.port.port_no = 9;
    vsw_msg_set(&m, VSW_PORT_ATTR_NAME);
    vsw_msg_set(&m, VSW_PORT_ATTR_TYPE);
    vsw_msg_set(&m, VSW_PORT_ATTR_OPTIONS);
    vsw_msg_set(&m, VSW_PORT_ATTR_PORT_NO);
    check_roundtrip(&m);

    /* A reply with every attribute. */
    vsw_msg_init(&m, VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, 0, 21, 1);
    m.u.port.port_no = 9;
    strcpy(m.u.port.name, "veth0");
    strcpy(m.u.port.type, "system");
    m.u.port.stats = (struct vsw_port_stats) { 1, 2, 3, 4, 5, 6, 7, 8 };
    m.u.port.ifindex = 42;
    memcpy(m.u.port.mac, "\x02\x11\x22\x33\x44\x55", 6);
    m.u.port.mtu = 1500;
    m.u.port.link_up = 1;
    strcpy(m.u.port.mode, "native");
    strcpy(m.u.port.warning, "veth peer vsw-b has no NAPI: enable GRO on it");
    m.u.port.upcall_rate = 500;
    for (int a = VSW_PORT_ATTR_PORT_NO; a <= VSW_PORT_ATTR_UPCALL_RATE; a++) {
        vsw_msg_set(&m, a);
    }
    check_roundtrip(&m);

    /* Empty OPTIONS survives as zero options. */
    vsw_msg_init(&m, VSW_FAMILY_PORT, VSW_PORT_CMD_SET, NLM_F_REQUEST, 22, 1);
    m.u.port.port_no = 9;
    vsw_msg_set(&m, VSW_PORT_ATTR_PORT_NO);
    vsw_msg_set(&m, VSW_PORT_ATTR_OPTIONS);
    check_roundtrip(&m);

    vsw_msg_init(&m, VSW_FAMILY_PORT, VSW_PORT_CMD_DEL, NLM_F_REQUEST, 23, 1);
    strcpy(m.u.port.name, "veth0");
    vsw_msg_set(&m, VSW_PORT_ATTR_NAME);
    check_roundtrip(&m);
}

static void
test_roundtrip_flow_keys(void **state)
{
    struct vsw_flow_key k;
    struct vsw_msg m;
    int n = 0;

    (void) state;
    for (int i = 0; sample_key(i, &k); i++, n++) {
        vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW,
                     NLM_F_REQUEST | NLM_F_EXCL, 100 + i, 1);
        m.u.flow.key = k;
        sample_actions(&m.u.flow.actions);
        m.u.flow.actions.n_actions = i % (m.u.flow.actions.n_actions + 1);
        memset(&m.u.flow.actions.acts[m.u.flow.actions.n_actions], 0,
               (VSW_MAX_ACTIONS - m.u.flow.actions.n_actions)
               * sizeof(struct vsw_action));
        vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
        vsw_msg_set(&m, VSW_FLOW_ATTR_ACTIONS);
        check_roundtrip(&m);

        /* The same key in a MISS. */
        vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0, 0, 1);
        m.u.packet.key = k;
        m.u.packet.data = frame;
        m.u.packet.len = sizeof frame;
        m.u.packet.in_port = k.in_port;
        m.u.packet.reason = VSW_MISS_REASON_NO_MATCH;
        vsw_msg_set(&m, VSW_PACKET_ATTR_KEY);
        vsw_msg_set(&m, VSW_PACKET_ATTR_PACKET);
        vsw_msg_set(&m, VSW_PACKET_ATTR_IN_PORT);
        vsw_msg_set(&m, VSW_PACKET_ATTR_REASON);
        check_roundtrip(&m);
    }
    assert_int_equal(n, 13);
}

static void
test_roundtrip_flow(void **state)
{
    struct vsw_msg m;

    (void) state;
    /* A masked flow: the mask has its own PARSED and TCP_FLAGS. */
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST, 31, 2);
    sample_key(3, &m.u.flow.key);
    m.u.flow.mask.in_port = UINT32_MAX;
    memset(m.u.flow.mask.eth_dst, 0xff, 6);
    m.u.flow.mask.eth_type = 0xffff;
    memset(m.u.flow.mask.ip_dst, 0xff, 3);
    m.u.flow.mask.nw_proto = 0xff;
    m.u.flow.mask.tp_dst = htons(0xff00);
    m.u.flow.mask.tcp_flags = htons(0x002);
    m.u.flow.mask.parsed = 0xff;
    sample_actions(&m.u.flow.actions);
    vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
    vsw_msg_set(&m, VSW_FLOW_ATTR_MASK);
    vsw_msg_set(&m, VSW_FLOW_ATTR_ACTIONS);
    check_roundtrip(&m);

    /* A dump reply with statistics. */
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_GET, NLM_F_MULTI, 32, 2);
    sample_key(8, &m.u.flow.key);
    sample_actions(&m.u.flow.actions);
    m.u.flow.stats.n_packets = 12345678901ULL;
    m.u.flow.stats.n_bytes = 98765432109ULL;
    m.u.flow.used_ms = 0x123456789abcULL;
    m.u.flow.tcp_flags = 0x1ff;
    m.u.flow.pmd = 3;
    for (int a = VSW_FLOW_ATTR_KEY; a <= VSW_FLOW_ATTR_PMD; a++) {
        if (a != VSW_FLOW_ATTR_MASK && a != VSW_FLOW_ATTR_CLEAR) {
            vsw_msg_set(&m, a);
        }
    }
    check_roundtrip(&m);

    /* SET with CLEAR only, DEL, GET, FLUSH, GET dump. */
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_SET, NLM_F_REQUEST, 33, 2);
    sample_key(2, &m.u.flow.key);
    vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
    vsw_msg_set(&m, VSW_FLOW_ATTR_CLEAR);
    check_roundtrip(&m);
    m.cmd = VSW_FLOW_CMD_DEL;
    m.attrs = 0;
    vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
    check_roundtrip(&m);
    m.cmd = VSW_FLOW_CMD_GET;
    check_roundtrip(&m);
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, NLM_F_REQUEST, 34,
                 2);
    check_roundtrip(&m);
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_GET,
                 NLM_F_REQUEST | NLM_F_DUMP, 35, 2);
    check_roundtrip(&m);
}

static void
test_mask_outside_headers_dropped(void **state)
{
    struct vsw_dgram dg;
    struct vsw_msg m, out;
    struct vsw_error err;

    (void) state;
    /* Mask bits for layers the key lacks cannot travel: they are dropped,
     * and the decoded mask is what the datapath will use. */
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST, 1, 1);
    sample_key(1, &m.u.flow.key);           /* Ethernet only */
    memset(&m.u.flow.mask, 0xff, sizeof m.u.flow.mask);
    vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
    vsw_msg_set(&m, VSW_FLOW_ATTR_MASK);
    vsw_msg_set(&m, VSW_FLOW_ATTR_ACTIONS);
    vsw_dgram_init(&dg);
    assert_int_equal(vsw_msg_encode(&m, &dg), 0);
    assert_int_equal(decode_first(&dg, &out, &err), 0);
    assert_int_equal(out.u.flow.mask.in_port, UINT32_MAX);
    assert_int_equal(out.u.flow.mask.eth_type, 0xffff);
    assert_int_equal(out.u.flow.mask.eth_src[5], 0xff);
    assert_int_equal(out.u.flow.mask.ip_src[0], 0);
    assert_int_equal(out.u.flow.mask.nw_proto, 0);
    assert_int_equal(out.u.flow.mask.tp_src, 0);
    assert_int_equal(out.u.flow.mask.parsed, 0xff);
    assert_int_equal(out.u.flow.mask.pad0, 0);
    vsw_dgram_destroy(&dg);
}

static void
test_roundtrip_packet(void **state)
{
    struct vsw_msg m;

    (void) state;
    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_EXECUTE, NLM_F_REQUEST,
                 41, 1);
    m.u.packet.data = frame;
    m.u.packet.len = sizeof frame;
    m.u.packet.in_port = 3;
    sample_actions(&m.u.packet.actions);
    vsw_msg_set(&m, VSW_PACKET_ATTR_PACKET);
    vsw_msg_set(&m, VSW_PACKET_ATTR_IN_PORT);
    vsw_msg_set(&m, VSW_PACKET_ATTR_ACTIONS);
    check_roundtrip(&m);

    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_INJECT, NLM_F_REQUEST,
                 42, 1);
    m.u.packet.data = frame;
    m.u.packet.len = 14;
    m.u.packet.in_port = 3;
    vsw_msg_set(&m, VSW_PACKET_ATTR_PACKET);
    vsw_msg_set(&m, VSW_PACKET_ATTR_IN_PORT);
    check_roundtrip(&m);

    /* A MISS from a USERSPACE action, cut short. */
    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0, 0, 1);
    m.u.packet.data = frame;
    m.u.packet.len = 20;
    m.u.packet.orig_len = sizeof frame;
    sample_key(2, &m.u.packet.key);
    m.u.packet.in_port = 1;
    m.u.packet.reason = VSW_MISS_REASON_ACTION;
    m.u.packet.userdata = 77;
    for (int a = VSW_PACKET_ATTR_PACKET; a <= VSW_PACKET_ATTR_ORIG_LEN; a++) {
        if (a != VSW_PACKET_ATTR_ACTIONS) {
            vsw_msg_set(&m, a);
        }
    }
    check_roundtrip(&m);

    /* CAPTURED: the dump request and one answer. */
    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_CAPTURED,
                 NLM_F_REQUEST | NLM_F_DUMP, 43, 1);
    check_roundtrip(&m);
    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_CAPTURED, NLM_F_MULTI,
                 43, 1);
    m.u.packet.data = frame;
    m.u.packet.len = sizeof frame;
    m.u.packet.in_port = 2;
    vsw_msg_set(&m, VSW_PACKET_ATTR_PACKET);
    vsw_msg_set(&m, VSW_PACKET_ATTR_IN_PORT);
    check_roundtrip(&m);
}

static void
test_roundtrip_error_done(void **state)
{
    struct vsw_dgram dg;
    struct vsw_msg m, out;
    struct vsw_error err;
    struct nlmsgerr e;

    (void) state;
    vsw_dgram_init(&dg);

    /* An error with text, through the helper. */
    assert_int_equal(vsw_msg_encode_error(&dg, VSW_FAMILY_FLOW, 77, EEXIST,
                                          "FLOW NEW: flow already exists"), 0);
    assert_int_equal(decode_first(&dg, &out, &err), 0);
    assert_int_equal(out.type, NLMSG_ERROR);
    assert_int_equal(out.seq, 77);
    assert_int_equal(out.u.error.error, EEXIST);
    assert_int_equal(out.u.error.orig_type, VSW_FAMILY_FLOW);
    assert_string_equal(out.u.error.text, "FLOW NEW: flow already exists");
    assert_true(out.nl_flags & NLM_F_ACK_TLVS);
    /* Wire format: struct nlmsgerr with -errno and the request's header. */
    memcpy(&e, dg.data + NLMSG_HDRLEN, sizeof e);
    assert_int_equal(e.error, -EEXIST);
    assert_int_equal(e.msg.nlmsg_type, VSW_FAMILY_FLOW);
    assert_int_equal(e.msg.nlmsg_seq, 77);
    /* And the struct survives a second trip. */
    check_roundtrip(&out);

    /* An ACK: error 0, no text, no TLV flag. */
    vsw_dgram_clear(&dg);
    assert_int_equal(vsw_msg_encode_error(&dg, VSW_FAMILY_PORT, 78, 0, NULL),
                     0);
    assert_int_equal(dg.len, NLMSG_HDRLEN + sizeof(struct nlmsgerr));
    assert_int_equal(decode_first(&dg, &out, &err), 0);
    assert_int_equal(out.u.error.error, 0);
    assert_string_equal(out.u.error.text, "");
    assert_false(out.nl_flags & NLM_F_ACK_TLVS);
    check_roundtrip(&out);

    /* A too-long text is cut, not refused. */
    {
        char big[600];

        memset(big, 'x', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        vsw_dgram_clear(&dg);
        assert_int_equal(vsw_msg_encode_error(&dg, 0x22, 79, EINVAL, big), 0);
        assert_int_equal(vsw_msg_decode((struct nlmsghdr *) dg.data, &out,
                                        &err), 0);
        assert_int_equal(strlen(out.u.error.text), VSW_ERROR_MAX - 1);
    }

    /* DONE. */
    vsw_dgram_clear(&dg);
    assert_int_equal(vsw_msg_encode_done(&dg, 80), 0);
    assert_int_equal(decode_first(&dg, &out, &err), 0);
    assert_int_equal(out.type, NLMSG_DONE);
    assert_int_equal(out.seq, 80);
    assert_int_equal(out.u.error.error, 0);
    check_roundtrip(&out);

    /* Encoding an ERROR from a struct. */
    memset(&m, 0, sizeof m);
    m.type = NLMSG_ERROR;
    m.seq = 81;
    m.nl_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
    m.u.error.error = ENODEV;
    m.u.error.orig_type = VSW_FAMILY_DATAPATH;
    strcpy(m.u.error.text, "no datapath 9");
    check_roundtrip(&m);

    vsw_dgram_destroy(&dg);
}

static void
test_names(void **state)
{
    (void) state;
    assert_string_equal(vsw_family_name(VSW_FAMILY_PACKET), "PACKET");
    assert_string_equal(vsw_family_name(NLMSG_ERROR), "ERROR");
    assert_string_equal(vsw_family_name(NLMSG_DONE), "DONE");
    assert_string_equal(vsw_family_name(0x99), "UNKNOWN");
    assert_string_equal(vsw_cmd_name(VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH),
                        "FLUSH");
    assert_string_equal(vsw_cmd_name(VSW_FAMILY_FLOW, 99), "UNKNOWN");
}

/* ---- Refusals ----------------------------------------------------------- */

/* A hand-built message, so that tests can say anything on the wire. */
static struct nl_msg *
raw_start(uint16_t family, uint8_t cmd, uint16_t flags)
{
    struct nl_msg *nm = nlmsg_alloc_size(70000);
    struct vsw_dp_header hdr = { .dp_index = 1 };
    void *user;

    assert_non_null(nm);
    user = genlmsg_put(nm, 0, 5, family, sizeof hdr, flags, cmd,
                       VSW_DP_PROTO_VERSION);
    assert_non_null(user);
    memcpy(user, &hdr, sizeof hdr);
    return nm;
}

/* Decodes NM (freed) and returns the errno, with ERR filled. */
static int
raw_decode(struct nl_msg *nm, struct vsw_error *err)
{
    struct nlmsghdr *nlh = nlmsg_hdr(nm);
    struct vsw_msg *m = malloc(sizeof *m);
    void *copy = malloc(nlh->nlmsg_len + 4);
    int error;

    memcpy(copy, nlh, nlh->nlmsg_len);
    error = vsw_msg_decode(copy, m, err);
    free(copy);
    free(m);
    nlmsg_free(nm);
    return error;
}

#define assert_refused(NM, CODE, TEXT)                                      \
    do {                                                                    \
        struct vsw_error e_;                                                \
        int r_ = raw_decode(NM, &e_);                                       \
        if (r_ != (CODE) || !strstr(e_.msg, TEXT)) {                        \
            fail_msg("got %d \"%s\", expected %d \"%s\"", r_,               \
                     r_ ? e_.msg : "", CODE, TEXT);                         \
        }                                                                   \
    } while (0)

/* Puts a well-formed IPv4/UDP key nest. */
static void
put_key(struct nl_msg *nm, int attr)
{
    struct vsw_flow_key k;

    sample_key(2, &k);
    assert_int_equal(vsw_key_to_attrs(nm, attr, &k, NULL), 0);
}

static void
put_actions(struct nl_msg *nm, int attr)
{
    struct vsw_actions a;

    sample_actions(&a);
    assert_int_equal(vsw_actions_to_attrs(nm, attr, &a), 0);
}

static void
test_refuse_attrs(void **state)
{
    struct nl_msg *nm;
    char long_name[40];

    (void) state;

    /* The brief's sentences, verbatim. */
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST);
    put_actions(nm, VSW_FLOW_ATTR_ACTIONS);
    assert_refused(nm, EINVAL, "FLOW NEW: missing KEY attribute");

    memset(long_name, 'a', sizeof long_name);
    long_name[sizeof long_name - 1] = '\0';
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST);
    nla_put(nm, VSW_PORT_ATTR_NAME, sizeof long_name, long_name);
    nla_put_string(nm, VSW_PORT_ATTR_TYPE, "system");
    assert_refused(nm, EINVAL,
                   "PORT NEW: attribute NAME has length 40, expected at most "
                   "16");

    /* Unknown attribute. */
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_GET, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_PORT_ATTR_PORT_NO, 1);
    nla_put_u32(nm, 20, 1);
    assert_refused(nm, EINVAL, "PORT GET: unknown attribute 20");
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, NLM_F_REQUEST);
    nla_put_u32(nm, 64, 1);
    assert_refused(nm, EINVAL, "DATAPATH GET: unknown attribute 64");
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, NLM_F_REQUEST);
    nla_put_u32(nm, 0, 1);
    assert_refused(nm, EINVAL, "unknown attribute 0");

    /* Reserved range. */
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, NLM_F_REQUEST);
    nla_put_u32(nm, 50, 1);
    assert_refused(nm, EINVAL, "FLOW FLUSH: attribute 50 is in the reserved "
                   "range 48..63");
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_DP_ATTR_RESERVED_LAST, 1);
    assert_refused(nm, EINVAL, "reserved range");

    /* Duplicate. */
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_NEW, NLM_F_REQUEST);
    nla_put_string(nm, VSW_DP_ATTR_NAME, "br0");
    nla_put_u32(nm, VSW_DP_ATTR_VERSION, 1);
    nla_put_string(nm, VSW_DP_ATTR_NAME, "br1");
    assert_refused(nm, EINVAL, "DATAPATH NEW: duplicate attribute NAME");

    /* Wrong fixed lengths. */
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_NEW, NLM_F_REQUEST);
    nla_put_string(nm, VSW_DP_ATTR_NAME, "br0");
    nla_put_u16(nm, VSW_DP_ATTR_VERSION, 1);
    assert_refused(nm, EINVAL, "DATAPATH NEW: attribute VERSION has length 2, "
                   "expected 4");
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, 0);
    nla_put(nm, VSW_DP_ATTR_STATS, 40, long_name);
    assert_refused(nm, EINVAL, "attribute STATS has length 40, expected 64");
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_SET, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_DP_ATTR_UPCALL_REGISTER, 1);
    assert_refused(nm, EINVAL, "attribute UPCALL_REGISTER has length 4, "
                   "expected 0");
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_GET, 0);
    nla_put(nm, VSW_PORT_ATTR_MAC, 8, long_name);
    assert_refused(nm, EINVAL, "attribute MAC has length 8, expected 6");

    /* Strings. */
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST);
    nla_put(nm, VSW_PORT_ATTR_NAME, 3, "eth");
    nla_put_string(nm, VSW_PORT_ATTR_TYPE, "system");
    assert_refused(nm, EINVAL,
                   "PORT NEW: attribute NAME is not NUL-terminated");
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST);
    nla_put(nm, VSW_PORT_ATTR_NAME, 6, "et\0h1");
    nla_put_string(nm, VSW_PORT_ATTR_TYPE, "system");
    assert_refused(nm, EINVAL, "attribute NAME has a NUL byte before its end");
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST);
    nla_put_string(nm, VSW_PORT_ATTR_NAME, "");
    nla_put_string(nm, VSW_PORT_ATTR_TYPE, "system");
    assert_refused(nm, EINVAL, "attribute NAME is an empty string");
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST);
    nla_put(nm, VSW_PORT_ATTR_NAME, 0, NULL);
    assert_refused(nm, EINVAL, "attribute NAME is not NUL-terminated");

    /* Flags on attribute types. */
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_DP_ATTR_NAME | NLA_F_NET_BYTEORDER, 1);
    assert_refused(nm, EINVAL, "NLA_F_NET_BYTEORDER");
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_GET, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_DP_ATTR_VERSION | NLA_F_NESTED, 1);
    assert_refused(nm, EINVAL, "attribute VERSION is flagged nested");

    /* Value ranges. */
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_GET, 0);
    nla_put_u8(nm, VSW_PORT_ATTR_LINK_UP, 2);
    assert_refused(nm, EINVAL, "LINK_UP is 2, expected 0 or 1");
    nm = raw_start(VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0);
    nla_put(nm, VSW_PACKET_ATTR_PACKET, sizeof frame, frame);
    put_key(nm, VSW_PACKET_ATTR_KEY);
    nla_put_u32(nm, VSW_PACKET_ATTR_IN_PORT, 1);
    nla_put_u32(nm, VSW_PACKET_ATTR_REASON, 9);
    assert_refused(nm, EINVAL,
                   "PACKET MISS: REASON 9 is not a VSW_MISS_REASON_*");
}

static void
test_refuse_required(void **state)
{
    struct nl_msg *nm;

    (void) state;
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST);
    put_key(nm, VSW_FLOW_ATTR_KEY);
    assert_refused(nm, EINVAL, "FLOW NEW: missing ACTIONS attribute");
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_DEL, NLM_F_REQUEST);
    assert_refused(nm, EINVAL, "FLOW DEL: missing KEY attribute");
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_SET, NLM_F_REQUEST);
    put_key(nm, VSW_FLOW_ATTR_KEY);
    assert_refused(nm, EINVAL, "FLOW SET: needs ACTIONS or CLEAR");
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_GET, 0);
    put_key(nm, VSW_FLOW_ATTR_MASK);
    assert_refused(nm, EINVAL, "FLOW GET: MASK attribute without KEY");

    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST);
    nla_put_string(nm, VSW_PORT_ATTR_NAME, "eth0");
    assert_refused(nm, EINVAL, "PORT NEW: missing TYPE attribute");
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_DEL, NLM_F_REQUEST);
    assert_refused(nm, EINVAL,
                   "PORT DEL: needs a PORT_NO or a NAME attribute");

    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_NEW, NLM_F_REQUEST);
    nla_put_string(nm, VSW_DP_ATTR_NAME, "br0");
    assert_refused(nm, EINVAL, "DATAPATH NEW: missing VERSION attribute");

    nm = raw_start(VSW_FAMILY_PACKET, VSW_PACKET_CMD_EXECUTE, NLM_F_REQUEST);
    nla_put(nm, VSW_PACKET_ATTR_PACKET, sizeof frame, frame);
    nla_put_u32(nm, VSW_PACKET_ATTR_IN_PORT, 1);
    assert_refused(nm, EINVAL, "PACKET EXECUTE: missing ACTIONS attribute");
    nm = raw_start(VSW_FAMILY_PACKET, VSW_PACKET_CMD_MISS, 0);
    nla_put(nm, VSW_PACKET_ATTR_PACKET, sizeof frame, frame);
    put_key(nm, VSW_PACKET_ATTR_KEY);
    nla_put_u32(nm, VSW_PACKET_ATTR_IN_PORT, 1);
    assert_refused(nm, EINVAL, "PACKET MISS: missing REASON attribute");
    nm = raw_start(VSW_FAMILY_PACKET, VSW_PACKET_CMD_INJECT, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_PACKET_ATTR_IN_PORT, 1);
    assert_refused(nm, EINVAL, "PACKET INJECT: missing PACKET attribute");

    /* A reply (no NLM_F_REQUEST) need not repeat the request's attributes. */
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_DEL, 0);
    assert_refused(nm, 0, "");
}

static void
test_refuse_framing(void **state)
{
    struct nl_msg *nm;
    struct nlmsghdr *nlh;
    struct vsw_error err;
    struct vsw_msg m;
    uint8_t buf[64] __attribute__((aligned(4)));

    (void) state;
    /* Trailing bytes after the last attribute (inside nlmsg_len). */
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, NLM_F_REQUEST);
    nlmsg_reserve(nm, 4, 4);
    assert_refused(nm, EINVAL, "FLOW FLUSH: 4 trailing bytes after the last "
                   "attribute");
    /* An attribute longer than what is left. */
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_FLOW_ATTR_PMD, 1);
    ((struct nlattr *) ((uint8_t *) nlmsg_hdr(nm) + nlmsg_hdr(nm)->nlmsg_len
                        - 8))->nla_len = 12;
    assert_refused(nm, EINVAL, "attribute at offset 0 has length 12, which "
                   "does not fit the 8 bytes left");
    /* The last attribute not padded: nlmsg_len cut to the payload. */
    nm = raw_start(VSW_FAMILY_DATAPATH, VSW_DP_CMD_NEW, NLM_F_REQUEST);
    nla_put_u32(nm, VSW_DP_ATTR_VERSION, 1);
    nla_put(nm, VSW_DP_ATTR_NAME, 7, "abcdef");     /* padded to 8 */
    nlmsg_hdr(nm)->nlmsg_len -= 1;
    assert_refused(nm, EPROTO, "not a multiple of 4");

    /* Headers too short for a family message. */
    memset(buf, 0, sizeof buf);
    nlh = (struct nlmsghdr *) buf;
    nlh->nlmsg_len = NLMSG_HDRLEN + 4;
    nlh->nlmsg_type = VSW_FAMILY_PORT;
    assert_int_equal(vsw_msg_decode(nlh, &m, &err), EPROTO);
    assert_non_null(strstr(err.msg, "shorter than its headers"));
    nlh->nlmsg_len = 8;
    assert_int_equal(vsw_msg_decode(nlh, &m, &err), EPROTO);
    assert_non_null(strstr(err.msg, "shorter than a netlink header"));
    nlh->nlmsg_len = NLMSG_HDRLEN;
    nlh->nlmsg_type = 0x30;
    assert_int_equal(vsw_msg_decode(nlh, &m, &err), EPROTO);
    assert_string_equal(err.msg, "unknown message type 0x30");
    nlh->nlmsg_type = NLMSG_NOOP;
    assert_int_equal(vsw_msg_decode(nlh, &m, &err), EPROTO);

    /* genetlink header: command, version, reserved. */
    nm = raw_start(VSW_FAMILY_FLOW, 9, NLM_F_REQUEST);
    assert_refused(nm, EOPNOTSUPP, "FLOW: unknown command 9");
    nm = raw_start(VSW_FAMILY_FLOW, 0, NLM_F_REQUEST);
    assert_refused(nm, EOPNOTSUPP, "FLOW: unknown command 0");
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, NLM_F_REQUEST);
    ((struct genlmsghdr *) nlmsg_data(nlmsg_hdr(nm)))->version = 2;
    assert_refused(nm, EPROTO, "FLOW FLUSH: protocol version 2, expected 1");
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_FLUSH, NLM_F_REQUEST);
    ((struct genlmsghdr *) nlmsg_data(nlmsg_hdr(nm)))->reserved = 1;
    assert_refused(nm, EPROTO, "reserved genetlink header field");

    /* NLMSG_ERROR and NLMSG_DONE. */
    {
        struct nlmsgerr e = { .error = 5 };

        nm = nlmsg_alloc_size(256);
        nlmsg_put(nm, 0, 1, NLMSG_ERROR, 0, NLM_F_CAPPED);
        nlmsg_append(nm, &e, sizeof e, 4);
        assert_refused(nm, EPROTO,
                       "ERROR: error code 5 is not a negative errno");
        e.error = -EINVAL;
        nm = nlmsg_alloc_size(256);
        nlmsg_put(nm, 0, 1, NLMSG_ERROR, 0, NLM_F_CAPPED);
        nlmsg_append(nm, &e, 8, 4);
        assert_refused(nm, EPROTO, "shorter than struct nlmsgerr");
        nm = nlmsg_alloc_size(256);
        nlmsg_put(nm, 0, 1, NLMSG_ERROR, 0, NLM_F_CAPPED);
        nlmsg_append(nm, &e, sizeof e, 4);
        nla_put_string(nm, NLMSGERR_ATTR_MSG, "text");
        assert_refused(nm, EPROTO, "without NLM_F_ACK_TLVS");
        nm = nlmsg_alloc_size(256);
        nlmsg_put(nm, 0, 1, NLMSG_ERROR, 0, NLM_F_CAPPED | NLM_F_ACK_TLVS);
        nlmsg_append(nm, &e, sizeof e, 4);
        nla_put_u32(nm, NLMSGERR_ATTR_OFFS, 4);
        assert_refused(nm, EINVAL, "ERROR: unknown attribute 2");
        nm = nlmsg_alloc_size(256);
        nlmsg_put(nm, 0, 1, NLMSG_ERROR, 0, 0);
        nlmsg_append(nm, &e, sizeof e, 4);
        assert_refused(nm, EPROTO, "NLM_F_CAPPED unset");

        nm = nlmsg_alloc_size(256);
        nlmsg_put(nm, 0, 1, NLMSG_DONE, 0, NLM_F_MULTI);
        assert_refused(nm, EPROTO, "DONE: message has length 16, expected 20");
    }
}

static void
test_refuse_keys(void **state)
{
    struct vsw_key_ipv4 ip4 = { .proto = 17, .ttl = 64 };
    struct vsw_key_ports ports = { htons(1), htons(2) };
    struct vsw_key_ethernet eth = {
        { 2, 0, 0, 0, 0, 1 }, { 2, 0, 0, 0, 0, 2 },
    };
    struct nlattr *nest;
    struct nl_msg *nm;

    (void) state;
#define KEY_START()                                                         \
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST);       \
    put_actions(nm, VSW_FLOW_ATTR_ACTIONS);                                 \
    nest = nla_nest_start(nm, VSW_FLOW_ATTR_KEY);                           \
    nla_put_u32(nm, VSW_KEY_ATTR_IN_PORT, 1)
#define KEY_END() nla_nest_end_keep_empty(nm, nest)

    /* L4 attribute that disagrees with the L3 protocol. */
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0800));
    nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip4, &ip4);
    nla_put(nm, VSW_KEY_ATTR_TCP, sizeof ports, &ports);
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED,
               VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4);
    KEY_END();
    assert_refused(nm, EINVAL, "FLOW NEW: KEY: attribute TCP does not match "
                   "IPV4 protocol 17");

    /* ICMPV6 over IPv4 with protocol 58 is no header we know. */
    ip4.proto = 58;
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0800));
    nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip4, &ip4);
    nla_put_u16(nm, VSW_KEY_ATTR_ICMPV6, 0);
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED,
               VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4);
    KEY_END();
    assert_refused(nm, EINVAL, "attribute ICMPV6 does not match IPV4 "
                   "protocol 58");
    ip4.proto = 17;

    /* L4 without any L3 header. */
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_UDP, sizeof ports, &ports);
    KEY_END();
    assert_refused(nm, EINVAL, "attribute UDP without an IPV4 or IPV6 header");

    /* L3 attribute that disagrees with the EtherType. */
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x86dd));
    nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip4, &ip4);
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED, VSW_KEY_F_ETH | VSW_KEY_F_L3);
    KEY_END();
    assert_refused(nm, EINVAL,
                   "attribute IPV4 does not match EtherType 0x86dd");

    /* Header present that PARSED does not claim. */
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0800));
    nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip4, &ip4);
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED, VSW_KEY_F_ETH);
    KEY_END();
    assert_refused(nm, EINVAL, "FLOW NEW: KEY: attribute IPV4 present but the "
                   "key's PARSED 0x01 does not include that layer");

    /* Header missing that PARSED claims. */
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0800));
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED, VSW_KEY_F_ETH | VSW_KEY_F_L3);
    KEY_END();
    assert_refused(nm, EINVAL, "missing IPV4 attribute required by the key's "
                   "PARSED 0x05");

    /* No IN_PORT. */
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST);
    put_actions(nm, VSW_FLOW_ATTR_ACTIONS);
    nest = nla_nest_start(nm, VSW_FLOW_ATTR_KEY);
    KEY_END();
    assert_refused(nm, EINVAL, "FLOW NEW: KEY: missing IN_PORT attribute");

    /* VLAN without the tag-present bit; unknown PARSED bits; frag. */
    KEY_START();
    nla_put_u16(nm, VSW_KEY_ATTR_VLAN, htons(10));
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED, VSW_KEY_F_VLAN);
    KEY_END();
    assert_refused(nm, EINVAL, "lacks the tag-present (CFI) bit");
    KEY_START();
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED, 0x80);
    KEY_END();
    assert_refused(nm, EINVAL, "PARSED has unknown bits 0x80");
    ip4.frag = 3;
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0800));
    nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip4, &ip4);
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED, VSW_KEY_F_ETH | VSW_KEY_F_L3);
    KEY_END();
    assert_refused(nm, EINVAL, "fragment type 3 is not one of VSW_FRAG_*");
    ip4.frag = 0;

    /* TCP_FLAGS on a UDP key; PARSED claiming L4 for an unknown protocol. */
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0800));
    nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip4, &ip4);
    nla_put(nm, VSW_KEY_ATTR_UDP, sizeof ports, &ports);
    nla_put_u16(nm, VSW_KEY_ATTR_TCP_FLAGS, htons(2));
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED,
               VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4);
    KEY_END();
    assert_refused(nm, EINVAL, "attribute TCP_FLAGS without a TCP header");
    ip4.proto = 47;
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
    nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0800));
    nla_put(nm, VSW_KEY_ATTR_IPV4, sizeof ip4, &ip4);
    nla_put_u8(nm, VSW_KEY_ATTR_PARSED,
               VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4);
    KEY_END();
    assert_refused(nm, EINVAL, "PARSED says L4 but protocol 47 over IPV4 has "
                   "no L4 attribute");
    ip4.proto = 17;

    /* Duplicate, wrong length, reserved, trailing bytes inside the nest. */
    KEY_START();
    nla_put_u32(nm, VSW_KEY_ATTR_IN_PORT, 2);
    KEY_END();
    assert_refused(nm, EINVAL, "FLOW NEW: KEY: duplicate attribute IN_PORT");
    KEY_START();
    nla_put(nm, VSW_KEY_ATTR_IPV4, 10, &ip4);
    KEY_END();
    assert_refused(nm, EINVAL, "FLOW NEW: KEY: attribute IPV4 has length 10, "
                   "expected 12");
    KEY_START();
    nla_put_u32(nm, 48, 0);
    KEY_END();
    assert_refused(nm, EINVAL, "KEY: attribute 48 is in the reserved range");
    KEY_START();
    nla_put_u32(nm, 14, 0);
    KEY_END();
    assert_refused(nm, EINVAL, "KEY: unknown attribute 14");
    KEY_START();
    nlmsg_reserve(nm, 4, 4);
    KEY_END();
    assert_refused(nm, EINVAL,
                   "KEY: 4 trailing bytes after the last attribute");

    /* ARP opcode that does not fit the key. */
    {
        struct vsw_key_arp arp = { .op = htons(0x0101) };

        KEY_START();
        nla_put(nm, VSW_KEY_ATTR_ETHERNET, sizeof eth, &eth);
        nla_put_u16(nm, VSW_KEY_ATTR_ETHERTYPE, htons(0x0806));
        nla_put(nm, VSW_KEY_ATTR_ARP, sizeof arp, &arp);
        nla_put_u8(nm, VSW_KEY_ATTR_PARSED, VSW_KEY_F_ETH | VSW_KEY_F_L3);
        KEY_END();
        assert_refused(nm, EINVAL, "ARP opcode 257 does not fit");
    }

    /* A MASK with a header its KEY lacks. */
    {
        struct vsw_flow_key k;

        nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST);
        put_actions(nm, VSW_FLOW_ATTR_ACTIONS);
        sample_key(1, &k);
        assert_int_equal(vsw_key_to_attrs(nm, VSW_FLOW_ATTR_KEY, &k, NULL), 0);
        put_key(nm, VSW_FLOW_ATTR_MASK);    /* IPv4/UDP headers */
        assert_refused(nm, EINVAL, "FLOW NEW: MASK: attribute IPV4 does not "
                       "match EtherType 0x88cc");
    }
#undef KEY_START
#undef KEY_END
}

static void
test_refuse_actions(void **state)
{
    struct vsw_action_vlan vlan = { htons(0x1234), htons(5) };
    struct vsw_action_eth eth = { .fields = VSW_SET_SRC };
    struct nlattr *nest;
    struct nl_msg *nm;

    (void) state;
#define ACT_START()                                                         \
    nm = raw_start(VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST);       \
    put_key(nm, VSW_FLOW_ATTR_KEY);                                         \
    nest = nla_nest_start(nm, VSW_FLOW_ATTR_ACTIONS)
#define ACT_END() nla_nest_end_keep_empty(nm, nest)

    ACT_START();
    for (int i = 0; i < VSW_MAX_ACTIONS + 1; i++) {
        nla_put_u32(nm, VSW_ACTION_ATTR_OUTPUT, i);
    }
    ACT_END();
    assert_refused(nm, EINVAL, "FLOW NEW: ACTIONS: more than 32 actions");

    /* Exactly the maximum is fine, repeats are the point of a list. */
    ACT_START();
    for (int i = 0; i < VSW_MAX_ACTIONS; i++) {
        nla_put_u32(nm, VSW_ACTION_ATTR_OUTPUT, i);
    }
    ACT_END();
    assert_refused(nm, 0, "");

    ACT_START();
    nla_put(nm, VSW_ACTION_ATTR_PUSH_VLAN, sizeof vlan, &vlan);
    ACT_END();
    assert_refused(nm, EINVAL, "ACTIONS: action 1 (PUSH_VLAN) has a TPID "
                   "other "
                   "than 0x8100 or 0x88a8");
    ACT_START();
    nla_put_u32(nm, VSW_ACTION_ATTR_OUTPUT, 1);
    eth.pad0[1] = 1;
    nla_put(nm, VSW_ACTION_ATTR_SET_ETH, sizeof eth, &eth);
    ACT_END();
    assert_refused(nm, EINVAL, "action 2 (SET_ETH) has nonzero padding");
    ACT_START();
    eth.pad0[1] = 0;
    eth.fields = 0x10;
    nla_put(nm, VSW_ACTION_ATTR_SET_ETH, sizeof eth, &eth);
    ACT_END();
    assert_refused(nm, EINVAL, "action 1 (SET_ETH) sets unknown fields");
    ACT_START();
    nla_put_u32(nm, VSW_ACTION_ATTR_POP_VLAN, 0);
    ACT_END();
    assert_refused(nm, EINVAL, "attribute POP_VLAN has length 4, expected 0");
    ACT_START();
    nla_put_u32(nm, 11, 0);
    ACT_END();
    assert_refused(nm, EINVAL, "ACTIONS: unknown attribute 11");
    ACT_START();
    nla_put_flag(nm, 60);
    ACT_END();
    assert_refused(nm, EINVAL,
                   "ACTIONS: attribute 60 is in the reserved range");
#undef ACT_START
#undef ACT_END
}

static void
test_refuse_options(void **state)
{
    struct nlattr *list, *opt;
    struct nl_msg *nm;

    (void) state;
#define OPT_START()                                                         \
    nm = raw_start(VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST);       \
    nla_put_string(nm, VSW_PORT_ATTR_NAME, "p0");                           \
    nla_put_string(nm, VSW_PORT_ATTR_TYPE, "dpdk");                         \
    list = nla_nest_start(nm, VSW_PORT_ATTR_OPTIONS)
#define OPT(K, V)                                                           \
    opt = nla_nest_start(nm, VSW_PORT_OPTION);                              \
    if (K) nla_put_string(nm, VSW_PORT_OPTION_KEY, K);                      \
    if (V) nla_put_string(nm, VSW_PORT_OPTION_VALUE, V);                    \
    nla_nest_end_keep_empty(nm, opt)

    OPT_START();
    OPT("devargs", "net_null0");
    OPT("devargs", "net_null1");
    nla_nest_end(nm, list);
    assert_refused(nm, EINVAL,
                   "PORT NEW: OPTIONS: duplicate option \"devargs\"");

    OPT_START();
    for (int i = 0; i < VSW_MAX_PORT_OPTIONS + 1; i++) {
        char k[8];

        const char *kp = k;

        snprintf(k, sizeof k, "k%d", i);
        OPT(kp, "v");
    }
    nla_nest_end(nm, list);
    assert_refused(nm, EINVAL, "PORT NEW: OPTIONS: more than 16 options");

    OPT_START();
    OPT("n_rxq", NULL);
    nla_nest_end(nm, list);
    assert_refused(nm, EINVAL, "PORT NEW: OPTIONS: option 1 lacks its VALUE");

    OPT_START();
    nla_put_string(nm, VSW_PORT_OPTION_KEY, "loose");
    nla_nest_end(nm, list);
    assert_refused(nm, EINVAL, "PORT NEW: OPTIONS: unknown attribute 2");

    OPT_START();
    opt = nla_nest_start(nm, VSW_PORT_OPTION);
    nla_put_string(nm, VSW_PORT_OPTION_KEY, "a");
    nla_put_string(nm, VSW_PORT_OPTION_VALUE, "b");
    nla_put_string(nm, VSW_PORT_OPTION_KEY, "c");
    nla_nest_end(nm, opt);
    nla_nest_end(nm, list);
    assert_refused(nm, EINVAL, "PORT NEW: OPTIONS: duplicate attribute KEY");
#undef OPT_START
#undef OPT
}

/* ---- Encoder refusals --------------------------------------------------- */

static void
test_encode_refusals(void **state)
{
    struct vsw_dgram dg;
    struct vsw_msg m;
    size_t len;

    (void) state;
    vsw_dgram_init(&dg);
    assert_int_equal(vsw_msg_encode_done(&dg, 1), 0);
    len = dg.len;

    /* A key with bytes outside its headers cannot be said exactly. */
    vsw_msg_init(&m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW, NLM_F_REQUEST, 2, 1);
    sample_key(1, &m.u.flow.key);
    m.u.flow.key.ip_src[0] = 1;
    vsw_msg_set(&m, VSW_FLOW_ATTR_KEY);
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    sample_key(1, &m.u.flow.key);
    m.u.flow.key.pad0 = 1;
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    sample_key(4, &m.u.flow.key);
    m.u.flow.key.tp_src = htons(0x100);         /* ICMP type > 255 */
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    sample_key(1, &m.u.flow.key);
    m.u.flow.key.parsed |= VSW_KEY_F_L3;        /* L3 of EtherType 0x88cc */
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    sample_key(2, &m.u.flow.key);
    m.u.flow.key.vlan_tci = htons(10);          /* no CFI */
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);

    /* Too many actions, an unknown action, bad padding. */
    sample_key(2, &m.u.flow.key);
    vsw_msg_set(&m, VSW_FLOW_ATTR_ACTIONS);
    m.u.flow.actions.n_actions = VSW_MAX_ACTIONS + 1;
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    m.u.flow.actions.n_actions = 1;
    m.u.flow.actions.acts[0].type = 11;
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    m.u.flow.actions.acts[0].type = VSW_ACTION_OUTPUT;
    m.u.flow.actions.acts[0].pad0 = 1;
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    m.u.flow.actions.acts[0].pad0 = 0;
    assert_int_equal(vsw_msg_encode(&m, &dg), 0);
    dg.len = len;

    /* Strings that do not fit, unknown attribute bits, bad command. */
    vsw_msg_init(&m, VSW_FAMILY_PORT, VSW_PORT_CMD_NEW, NLM_F_REQUEST, 3, 1);
    memset(m.u.port.name, 'x', sizeof m.u.port.name);
    vsw_msg_set(&m, VSW_PORT_ATTR_NAME);
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    m.u.port.name[0] = '\0';
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);      /* empty */
    strcpy(m.u.port.name, "ok");
    vsw_msg_set(&m, 20);
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    vsw_msg_init(&m, VSW_FAMILY_PORT, 7, NLM_F_REQUEST, 3, 1);
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);
    vsw_msg_init(&m, 0x30, 1, NLM_F_REQUEST, 3, 1);
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);

    /* A packet an attribute cannot hold. */
    vsw_msg_init(&m, VSW_FAMILY_PACKET, VSW_PACKET_CMD_INJECT, NLM_F_REQUEST,
                 4, 1);
    m.u.packet.data = dg.data;
    m.u.packet.len = 65535;
    vsw_msg_set(&m, VSW_PACKET_ATTR_PACKET);
    assert_int_equal(vsw_msg_encode(&m, &dg), EINVAL);

    /* Nothing of the refused messages reached the datagram. */
    assert_int_equal(dg.len, len);
    vsw_dgram_destroy(&dg);
}

/* ---- Batching ----------------------------------------------------------- */

struct seqs {
    uint32_t seq[4096];
    size_t n;
    int n_bad;
    int stop_at;
};

static int
seq_cb(const struct vsw_msg *m, void *aux)
{
    struct seqs *s = aux;

    s->seq[s->n++] = m->seq;
    return s->stop_at && (int) s->n == s->stop_at ? 42 : 0;
}

static void
seq_bad(const struct nlmsghdr *nlh, const struct vsw_error *e, void *aux)
{
    struct seqs *s = aux;

    assert_int_equal(e->code, EINVAL);
    s->seq[s->n++] = nlh->nlmsg_seq | 0x80000000;
    s->n_bad++;
}

static void
make_flow_msg(struct vsw_msg *m, uint32_t seq)
{
    vsw_msg_init(m, VSW_FAMILY_FLOW, VSW_FLOW_CMD_NEW,
                 NLM_F_REQUEST | NLM_F_ACK, seq, 1);
    sample_key(seq % 13, &m->u.flow.key);
    sample_actions(&m->u.flow.actions);
    vsw_msg_set(m, VSW_FLOW_ATTR_KEY);
    vsw_msg_set(m, VSW_FLOW_ATTR_ACTIONS);
}

static void
test_batching(void **state)
{
    struct seqs *s = calloc(1, sizeof *s);
    struct vsw_dgram dg;
    struct vsw_error err;
    struct vsw_msg m;
    uint8_t *before;
    size_t n = 0, len;
    int error;

    (void) state;
    vsw_dgram_init(&dg);

    /* Fill a whole datagram with flows. */
    for (;;) {
        make_flow_msg(&m, n + 1);
        len = dg.len;
        error = vsw_msg_encode(&m, &dg);
        if (error) {
            break;
        }
        n++;
    }
    assert_int_equal(error, ENOBUFS);
    assert_true(n > 100);
    assert_int_equal(dg.len, len);
    assert_true(dg.len <= dg.cap);

    /* A refused message left the datagram byte for byte as it was. */
    before = malloc(dg.len);
    memcpy(before, dg.data, dg.len);
    assert_int_equal(vsw_msg_encode(&m, &dg), ENOBUFS);
    assert_int_equal(dg.len, len);
    assert_memory_equal(before, dg.data, len);
    free(before);

    /* Every message comes back, in order. */
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, seq_bad, s, &err), 0);
    assert_int_equal(s->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(s->seq[i], i + 1);
    }

    /* A callback's nonzero result stops the walk and is returned. */
    memset(s, 0, sizeof *s);
    s->stop_at = 5;
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, seq_bad, s, &err), 42);
    assert_int_equal(s->n, 5);

    /* A small datagram: exactly what fits. */
    vsw_dgram_destroy(&dg);
    vsw_dgram_init(&dg);
    dg.cap = 100;
    assert_int_equal(vsw_msg_encode_done(&dg, 1), 0);
    assert_int_equal(vsw_msg_encode_done(&dg, 2), 0);
    assert_int_equal(vsw_msg_encode_error(&dg, 0x20, 3, 0, NULL), 0);
    assert_int_equal(dg.len, 20 + 20 + 36);
    assert_int_equal(vsw_msg_encode_error(&dg, 0x20, 4, 0, NULL), ENOBUFS);
    assert_int_equal(vsw_msg_encode_done(&dg, 5), 0);
    assert_int_equal(dg.len, 96);
    assert_int_equal(vsw_msg_encode_done(&dg, 6), ENOBUFS);
    dg.cap = VSW_DP_MAX_DATAGRAM;
    free(s);
    vsw_dgram_destroy(&dg);
}

static void
test_batch_mixed_and_bad(void **state)
{
    struct seqs *s = calloc(1, sizeof *s);
    struct vsw_dgram dg;
    struct vsw_error err;
    struct vsw_msg m;
    size_t bad_off;

    (void) state;
    vsw_dgram_init(&dg);
    make_flow_msg(&m, 1);
    assert_int_equal(vsw_msg_encode(&m, &dg), 0);
    bad_off = dg.len;
    make_flow_msg(&m, 2);
    assert_int_equal(vsw_msg_encode(&m, &dg), 0);
    assert_int_equal(vsw_msg_encode_error(&dg, VSW_FAMILY_FLOW, 3, ENOENT,
                                          "no such flow"), 0);
    assert_int_equal(vsw_msg_encode_done(&dg, 4), 0);

    /* Corrupt message 2 (make its KEY a duplicate IN_PORT): the others
     * still arrive and BAD hears about it. */
    {
        struct nlattr *key = (struct nlattr *) (dg.data + bad_off
                                                + NLMSG_HDRLEN + GENL_HDRLEN
                                                + 4);
        struct nlattr *first = (struct nlattr *) ((uint8_t *) key
                                                  + NLA_HDRLEN);
        struct nlattr *second = (struct nlattr *) ((uint8_t *) first + 8);

        assert_int_equal(key->nla_type & NLA_TYPE_MASK, VSW_FLOW_ATTR_KEY);
        assert_int_equal(first->nla_type, VSW_KEY_ATTR_IN_PORT);
        second->nla_type = VSW_KEY_ATTR_IN_PORT;
        second->nla_len = 8;
        /* Remaining bytes of the old second attribute become a bogus one. */
    }
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, seq_bad, s, &err), 0);
    assert_int_equal(s->n, 4);
    assert_int_equal(s->n_bad, 1);
    assert_int_equal(s->seq[0], 1);
    assert_int_equal(s->seq[1], 2 | 0x80000000);
    assert_int_equal(s->seq[2], 3);
    assert_int_equal(s->seq[3], 4);

    /* Framing errors stop the walk with a sentence. */
    memset(s, 0, sizeof *s);
    ((struct nlmsghdr *) (dg.data + bad_off))->nlmsg_len = dg.len;
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, NULL, s, &err), EPROTO);
    assert_int_equal(s->n, 1);
    assert_non_null(strstr(err.msg, "which does not fit"));
    memset(s, 0, sizeof *s);
    ((struct nlmsghdr *) (dg.data + bad_off))->nlmsg_len = 10;
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, NULL, s, &err), EPROTO);
    memset(s, 0, sizeof *s);
    ((struct nlmsghdr *) (dg.data + bad_off))->nlmsg_len = 22;
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, NULL, s, &err), EPROTO);
    assert_non_null(strstr(err.msg, "not a multiple of 4"));

    /* Trailing bytes after the last message (a truncated header). */
    memset(s, 0, sizeof *s);
    dg.len = 0;
    assert_int_equal(vsw_msg_encode_done(&dg, 9), 0);
    memset(dg.data + dg.len, 0, 8);
    dg.len += 8;
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, NULL, s, &err), EPROTO);
    assert_string_equal(err.msg, "datagram: 8 trailing bytes after the last "
                        "message");
    assert_int_equal(s->n, 1);

    /* An empty datagram has no messages. */
    memset(s, 0, sizeof *s);
    dg.len = 0;
    assert_int_equal(vsw_dgram_for_each(&dg, seq_cb, NULL, s, &err), 0);
    assert_int_equal(s->n, 0);

    free(s);
    vsw_dgram_destroy(&dg);
}

static void
test_public_key_api(void **state)
{
    struct nl_msg *nm = nlmsg_alloc_size(4096);
    struct vsw_flow_key k, out, mask, mout;
    struct vsw_actions acts, aout;
    struct nlattr *kattr, *mattr, *aattr;
    struct vsw_error err;

    (void) state;
    nlmsg_put(nm, 0, 0, 0x22, 0, 0);
    sample_key(7, &k);
    sample_actions(&acts);
    memset(&mask, 0, sizeof mask);
    mask.in_port = UINT32_MAX;
    memset(mask.ip_src, 0xff, 8);
    mask.tp_dst = 0xffff;
    assert_int_equal(vsw_key_to_attrs(nm, 1, &k, NULL), 0);
    assert_int_equal(vsw_key_to_attrs(nm, 2, &k, &mask), 0);
    assert_int_equal(vsw_actions_to_attrs(nm, 3, &acts), 0);
    kattr = nlmsg_find_attr(nlmsg_hdr(nm), 0, 1);
    mattr = nlmsg_find_attr(nlmsg_hdr(nm), 0, 2);
    aattr = nlmsg_find_attr(nlmsg_hdr(nm), 0, 3);
    assert_int_equal(vsw_key_from_attrs(kattr, &out, &err), 0);
    assert_memory_equal(&out, &k, sizeof k);
    assert_int_equal(vsw_mask_from_attrs(mattr, &k, &mout, &err), 0);
    assert_memory_equal(&mout, &mask, sizeof mask);
    assert_int_equal(vsw_actions_from_attrs(aattr, &aout, &err), 0);
    assert_memory_equal(&aout, &acts, sizeof acts);
    /* The mask is not a key: as a key, its headers are refused. */
    assert_int_equal(vsw_key_from_attrs(aattr, &out, &err), EINVAL);
    assert_int_equal(strncmp(err.msg, "key: ", 5), 0);
    assert_int_equal(vsw_mask_from_attrs(kattr, &mask, &mout, &err), EINVAL);
    assert_int_equal(strncmp(err.msg, "mask: ", 6), 0);
    nlmsg_free(nm);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_datapath),
        cmocka_unit_test(test_roundtrip_port),
        cmocka_unit_test(test_roundtrip_flow_keys),
        cmocka_unit_test(test_roundtrip_flow),
        cmocka_unit_test(test_mask_outside_headers_dropped),
        cmocka_unit_test(test_roundtrip_packet),
        cmocka_unit_test(test_roundtrip_error_done),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_refuse_attrs),
        cmocka_unit_test(test_refuse_required),
        cmocka_unit_test(test_refuse_framing),
        cmocka_unit_test(test_refuse_keys),
        cmocka_unit_test(test_refuse_actions),
        cmocka_unit_test(test_refuse_options),
        cmocka_unit_test(test_encode_refusals),
        cmocka_unit_test(test_batching),
        cmocka_unit_test(test_batch_mixed_and_bad),
        cmocka_unit_test(test_public_key_api),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
