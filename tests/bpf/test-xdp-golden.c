/* Golden-packet tests of the XDP program (datapath/xdp/bpf/vsw-xdp.bpf.c).
 *
 * The real object (embedded in the skeleton) is loaded, its maps are
 * populated by hand, and crafted frames are run through it with
 * bpf_prog_test_run_opts().  Each test checks the verdict, the output bytes
 * and the counters.  Two references keep the BPF code honest:
 *
 *   - keys: every miss record's key must equal what datapath/flow-key.c's
 *     vsw_flow_extract() makes of the same frame (valid and malformed);
 *   - actions: the output bytes must equal what datapath/actions.c makes
 *     of the same frame and action list, and checksums are also verified
 *     by recomputing them from scratch.
 *
 * The ingress device is "lo" (test runs need a real ifindex); outputs point
 * at lo too, since test runs do not transmit.  Needs root (CAP_BPF and
 * CAP_NET_ADMIN): otherwise the program prints why and exits 77 (skip). */
#include <config.h>

#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vswitch/flow-key.h"
#include "vswitch/xdp-maps.h"
#include "datapath/flow.h"
#include "datapath/actions.h"
#include "datapath/xdp/vsw-xdp.skel.h"
#include "tests/unit/flow-test-pkts.h"

/* Layouts the BPF program and datapathd share (xdp-maps.h). */
_Static_assert(sizeof(struct vsw_xdp_flow) == 336, "vsw_xdp_flow");
_Static_assert(offsetof(struct vsw_xdp_flow, acts) == 16, "vsw_xdp_flow.acts");
_Static_assert(sizeof(struct vsw_xdp_port) == 24, "vsw_xdp_port");
_Static_assert(sizeof(struct vsw_xdp_port_slot) == 32, "vsw_xdp_port_slot");
_Static_assert(sizeof(struct vsw_xdp_port_meta) == 584, "vsw_xdp_port_meta");
_Static_assert(offsetof(struct vsw_xdp_port_meta, options) == 72,
               "vsw_xdp_port_meta.options");
_Static_assert(sizeof(struct vsw_xdp_counters) == 128, "vsw_xdp_counters");
_Static_assert(sizeof(struct vsw_xdp_bucket) == 24, "vsw_xdp_bucket");
_Static_assert(sizeof(struct vsw_xdp_pending) == 16, "vsw_xdp_pending");
_Static_assert(offsetof(struct vsw_xdp_upcall, data) == 96,
               "vsw_xdp_upcall.data");
_Static_assert(sizeof(struct vsw_xdp_config) == 64, "vsw_xdp_config");
_Static_assert(sizeof(struct vsw_xdp_ustats) == 192, "vsw_xdp_ustats");
_Static_assert(VSW_XDP_FLOW_VALUE_SIZE(2) == 336 + 2 * 32, "flow value");

#define IN_PORT 1
#define OUT_PORT 2
#define OTHER_PORT 3
#define PORT_MAC { 0x02, 0, 0, 0, 0, 0xaa }

static struct vsw_xdp *skel;
static struct ring_buffer *ring;
static int lo_ifindex;
static int n_cpus;
static size_t flow_size;        /* the flows map's value size */

#define MAX_RECS 64
static struct vsw_xdp_upcall recs[MAX_RECS];
static int n_recs;

/* ---- Frames ------------------------------------------------------------- */

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

/* One's complement sum of N bytes, added to SUM (not folded). */
static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    size_t i;

    for (i = 0; i + 1 < n; i += 2) {
        sum += get16(p + i);
    }
    if (i < n) {
        sum += (uint32_t) p[i] << 8;
    }
    return sum;
}

static uint16_t
fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) sum;
}

/* Offset of the IP header (after at most one tag), 0 if not IP. */
static size_t
l3_offset(const uint8_t *f, size_t len, uint16_t *type)
{
    size_t ofs = 14;

    *type = get16(f + 12);
    if (*type == 0x8100 || *type == 0x88a8) {
        *type = get16(f + 16);
        ofs = 18;
    }
    return ofs < len ? ofs : 0;
}

/* Pseudo-header sum for the L4 segment at L4 of L4LEN bytes. */
static uint32_t
pseudo_sum(const uint8_t *ip, int v6, uint8_t proto, size_t l4len)
{
    uint32_t sum = v6 ? sum16(ip + 8, 32, 0) : sum16(ip + 12, 8, 0);

    sum += proto;
    sum += (uint32_t) l4len;
    return sum;
}

/* Writes valid IPv4 header and TCP/UDP/ICMP(v6) checksums into frame F
 * (no IPv6 extension headers).  UDP_ZERO leaves a UDP checksum at 0. */
static void
fix_checksums(uint8_t *f, size_t len, int udp_zero)
{
    uint16_t type;
    size_t l3 = l3_offset(f, len, &type), l4, l4len;
    uint8_t *ip = f + l3, proto;
    int v6 = type == 0x86dd;

    if (!l3 || (type != 0x0800 && !v6)) {
        return;
    }
    if (v6) {
        proto = ip[6];
        l4 = l3 + 40;
        l4len = get16(ip + 4);
    } else {
        size_t ihl = (ip[0] & 0x0f) * 4u;

        ip[10] = ip[11] = 0;
        uint16_t c = (uint16_t) ~fold(sum16(ip, ihl, 0));
        ip[10] = c >> 8;
        ip[11] = c & 0xff;
        proto = ip[9];
        l4 = l3 + ihl;
        l4len = get16(ip + 2) - ihl;
    }
    size_t cofs = proto == 6 ? 16 : proto == 17 ? 6 : 2;
    if (proto != 6 && proto != 17 && proto != 1 && proto != 58) {
        return;
    }
    f[l4 + cofs] = f[l4 + cofs + 1] = 0;
    if (proto == 17 && udp_zero) {
        return;
    }
    uint32_t sum = (proto == 1) ? 0 : pseudo_sum(ip, v6, proto, l4len);
    uint16_t c = (uint16_t) ~fold(sum16(f + l4, l4len, sum));
    if (proto == 17 && !c) {
        c = 0xffff;
    }
    f[l4 + cofs] = c >> 8;
    f[l4 + cofs + 1] = c & 0xff;
}

/* Checks, by recomputing from scratch, that the IPv4 header checksum and
 * the L4 checksum of frame F are valid. */
static void
assert_checksums_valid(const uint8_t *f, size_t len)
{
    uint16_t type;
    size_t l3 = l3_offset(f, len, &type), l4, l4len;
    const uint8_t *ip = f + l3;
    uint8_t proto;
    int v6 = type == 0x86dd;

    assert_true(l3 && (type == 0x0800 || v6));
    if (v6) {
        proto = ip[6];
        l4 = l3 + 40;
        l4len = get16(ip + 4);
    } else {
        size_t ihl = (ip[0] & 0x0f) * 4u;

        assert_int_equal(fold(sum16(ip, ihl, 0)), 0xffff);
        proto = ip[9];
        l4 = l3 + ihl;
        l4len = get16(ip + 2) - ihl;
    }
    assert_true(l4 + l4len <= len);
    if (proto == 17 && !get16(f + l4 + 6)) {
        return;                 /* no UDP checksum */
    }
    uint32_t sum = proto == 1 ? 0 : pseudo_sum(ip, v6, proto, l4len);
    assert_int_equal(fold(sum16(f + l4, l4len, sum)), 0xffff);
}

static void
build_udp4(struct test_pkt *p, size_t payload, int udp_zero)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 5000, 6000, payload);
    for (size_t i = 0; i < payload; i++) {
        p->b[p->len - payload + i] = (uint8_t) (i * 7 + 1);
    }
    tp_ipv4_finish(p, ip);
    fix_checksums(p->b, p->len, udp_zero);
}

static void
build_tcp4(struct test_pkt *p, uint16_t flags)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0x10, 64, 0x4000, 5);
    tp_tcp(p, 40000, 80, flags, 5);
    tp_zero(p, 12);
    tp_ipv4_finish(p, ip);
    fix_checksums(p->b, p->len, 0);
}

static void
build_udp6(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0x12345, 17, 64);
    tp_udp(p, 546, 547, 6);
    tp_ipv6_finish(p, ip);
    fix_checksums(p->b, p->len, 0);
}

static void
build_vlan_udp4(struct test_pkt *p, uint16_t tci)
{
    size_t ip;

    tp_eth(p, 0x8100);
    tp_vlan(p, tci, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 5000, 6000, 10);
    tp_ipv4_finish(p, ip);
    fix_checksums(p->b, p->len, 0);
}

/* ---- Maps --------------------------------------------------------------- */

static void
drain_ring(void)
{
    ring_buffer__consume(ring);
}

static int
on_record(void *ctx, void *data, size_t size)
{
    (void) ctx;
    if (n_recs < MAX_RECS && size >= sizeof recs[0]) {
        memcpy(&recs[n_recs], data, sizeof recs[0]);
    }
    n_recs++;
    return 0;
}

static void
clear_map(int fd, size_t key_size)
{
    uint8_t key[128], next[128];

    while (!bpf_map_get_next_key(fd, NULL, next)) {
        memcpy(key, next, key_size);
        assert_int_equal(bpf_map_delete_elem(fd, key), 0);
    }
}

static void
set_port(uint32_t ifindex, uint32_t port_no, uint32_t flags, uint32_t cost)
{
    struct vsw_xdp_port p = { .port_no = port_no, .flags = flags,
                              .mac = PORT_MAC, .upcall_cost_ns = cost };

    assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.ports),
                                         &ifindex, &p, BPF_ANY), 0);
}

static void
set_config(uint32_t pending_max, uint64_t window_ns)
{
    struct vsw_xdp_config c = {
        .layout_version = VSW_XDP_LAYOUT_VERSION,
        .dp_index = 1,
        .pending_max = pending_max,
        .pending_window_ns = window_ns,
    };
    uint32_t zero = 0;

    assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.config),
                                         &zero, &c, BPF_ANY), 0);
}

static int
reset(void **state)
{
    struct vsw_xdp_counters *zc = calloc(n_cpus, sizeof *zc);
    struct vsw_xdp_bucket zb = { 0 };

    (void) state;
    clear_map(bpf_map__fd(skel->maps.flows), sizeof(struct vsw_flow_key));
    clear_map(bpf_map__fd(skel->maps.pending), sizeof(struct vsw_flow_key));
    for (uint32_t i = 0; i < 8; i++) {
        assert_int_equal(bpf_map_update_elem(
                             bpf_map__fd(skel->maps.port_stats), &i, zc,
                             BPF_ANY), 0);
        assert_int_equal(bpf_map_update_elem(
                             bpf_map__fd(skel->maps.upcall_bkt), &i, &zb,
                             BPF_ANY), 0);
    }
    free(zc);
    {
        struct vsw_xdp_port_slot zs = { 0 };
        uint32_t slot = (uint32_t) lo_ifindex % VSW_XDP_PORT_SLOTS;

        assert_int_equal(bpf_map_update_elem(
                             bpf_map__fd(skel->maps.port_slots), &slot, &zs,
                             BPF_ANY), 0);
    }
    set_port(lo_ifindex, IN_PORT, 0, 0);
    set_config(VSW_XDP_DEFAULT_PENDING_MAX, VSW_XDP_DEFAULT_PENDING_WINDOW_NS);
    drain_ring();
    n_recs = 0;
    return 0;
}

static void
add_devmap(struct bpf_map *map, uint32_t port_no, uint32_t ifindex)
{
    struct bpf_devmap_val v = { .ifindex = ifindex };

    assert_int_equal(bpf_map_update_elem(bpf_map__fd(map), &port_no, &v,
                                         BPF_ANY), 0);
}

/* Installs FRAME's flow (key by vsw_flow_extract) with ACTS. */
static void
install(const uint8_t *frame, size_t len, const struct vsw_actions *acts,
        uint32_t flags)
{
    struct vsw_xdp_flow *f = calloc(1, flow_size);
    struct vsw_flow_key key;

    assert_true(acts->n_actions <= VSW_XDP_FAST_ACTIONS);
    f->flags = flags;
    f->n_actions = acts->n_actions;
    memcpy(f->acts, acts->acts, acts->n_actions * sizeof f->acts[0]);
    vsw_flow_extract(frame, len, IN_PORT, &key);
    key.tcp_flags = 0;
    assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.flows), &key,
                                         f, BPF_ANY), 0);
    free(f);
}

/* FRAME's flow statistics: the per-CPU slots after the flow value. */
static struct vsw_flow_stats
flow_stats_of(const uint8_t *frame, size_t len)
{
    struct vsw_xdp_flow *f = calloc(1, flow_size);
    struct vsw_flow_stats sum = { 0 }, *per;
    struct vsw_flow_key key;

    vsw_flow_extract(frame, len, IN_PORT, &key);
    key.tcp_flags = 0;
    assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.flows), &key,
                                         f), 0);
    per = (struct vsw_flow_stats *) (f + 1);
    for (int i = 0; i < n_cpus; i++) {
        sum.n_packets += per[i].n_packets;
        sum.n_bytes += per[i].n_bytes;
        sum.used_ns = per[i].used_ns > sum.used_ns ? per[i].used_ns
                                                    : sum.used_ns;
        sum.tcp_flags |= per[i].tcp_flags;
    }
    free(f);
    return sum;
}

static struct vsw_xdp_counters
counters(uint32_t port_no)
{
    struct vsw_xdp_counters sum = { 0 }, *per = calloc(n_cpus, sizeof *per);

    assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.port_stats),
                                         &port_no, per), 0);
    for (int i = 0; i < n_cpus; i++) {
        uint64_t *s = (uint64_t *) &sum, *c = (uint64_t *) &per[i];

        for (size_t j = 0; j < sizeof sum / sizeof *s; j++) {
            s[j] += c[j];
        }
    }
    free(per);
    return sum;
}

/* ---- Running frames ----------------------------------------------------- */

struct result {
    int verdict;
    uint8_t out[2048];
    uint32_t len;
};

static void
run_on(uint32_t ifindex, const uint8_t *frame, size_t len, struct result *r)
{
    struct xdp_md ctx = { .data = 0, .data_end = (uint32_t) len,
                          .ingress_ifindex = ifindex };
    LIBBPF_OPTS(bpf_test_run_opts, o,
                .data_in = frame, .data_size_in = (uint32_t) len,
                .data_out = r->out, .data_size_out = sizeof r->out,
                .ctx_in = &ctx, .ctx_size_in = sizeof ctx,
                .repeat = 1);
    int err = bpf_prog_test_run_opts(
        bpf_program__fd(skel->progs.vsw_xdp_main), &o);

    assert_int_equal(err, 0);
    r->verdict = (int) o.retval;
    r->len = o.data_size_out;
    drain_ring();
}

static void
run(const uint8_t *frame, size_t len, struct result *r)
{
    run_on(lo_ifindex, frame, len, r);
}

/* What datapath/actions.c makes of the frame: the first output's bytes. */
struct c_out {
    int n;
    uint8_t bytes[2048];
    uint32_t len;
};

static void
c_output(void *aux, uint32_t port, const uint8_t *pkt, uint32_t len)
{
    struct c_out *o = aux;

    (void) port;
    if (!o->n++) {
        memcpy(o->bytes, pkt, len);
        o->len = len;
    }
}

static void
c_flood(void *aux, uint32_t group, uint32_t in_port, const uint8_t *pkt,
        uint32_t len)
{
    (void) group;
    (void) in_port;
    c_output(aux, 0, pkt, len);
}

static void
c_execute(const uint8_t *frame, size_t len, const struct vsw_actions *acts,
          struct c_out *o)
{
    static uint8_t buf[64 + 2048];
    struct vsw_packet pkt = { .data = buf + 64, .len = (uint32_t) len,
                              .headroom = 64 };
    struct vsw_actions_sink sink = { .output = c_output, .flood = c_flood,
                                     .aux = o };

    memset(o, 0, sizeof *o);
    memcpy(buf + 64, frame, len);
    vsw_actions_execute(&pkt, IN_PORT, acts, &sink);
}

/* Installs ACTS for FRAME, runs it, and checks the result against
 * actions.c: same verdict (output or not) and the same bytes. */
static void
run_actions(const uint8_t *frame, size_t len, const struct vsw_actions *acts,
            struct result *r)
{
    struct c_out c;

    install(frame, len, acts, 0);
    run(frame, len, r);
    c_execute(frame, len, acts, &c);
    if (c.n) {
        assert_int_equal(r->verdict, XDP_REDIRECT);
        assert_int_equal(r->len, c.len);
        assert_memory_equal(r->out, c.bytes, c.len);
    } else {
        assert_int_equal(r->verdict, XDP_DROP);
    }
}

/* ---- Action lists ------------------------------------------------------- */

static void
push(struct vsw_actions *a, struct vsw_action act)
{
    a->acts[a->n_actions++] = act;
}

static struct vsw_action
output(uint32_t port)
{
    return (struct vsw_action) { .type = VSW_ACTION_OUTPUT, .u.port = port };
}

static struct vsw_action
set_ipv4(uint8_t fields, const char *src, const char *dst, uint8_t tos,
         uint8_t ttl)
{
    struct vsw_action a = { .type = VSW_ACTION_SET_IPV4 };

    a.u.ipv4.fields = fields;
    if (src) {
        inet_pton(AF_INET, src, &a.u.ipv4.src);
    }
    if (dst) {
        inet_pton(AF_INET, dst, &a.u.ipv4.dst);
    }
    a.u.ipv4.tos = tos;
    a.u.ipv4.ttl = ttl;
    return a;
}

static struct vsw_action
set_l4(uint8_t fields, uint16_t src, uint16_t dst)
{
    struct vsw_action a = { .type = VSW_ACTION_SET_L4 };

    a.u.l4.fields = fields;
    a.u.l4.src = htons(src);
    a.u.l4.dst = htons(dst);
    return a;
}

static struct vsw_action
push_vlan(uint16_t tpid, uint16_t tci)
{
    struct vsw_action a = { .type = VSW_ACTION_PUSH_VLAN };

    a.u.vlan.tpid = htons(tpid);
    a.u.vlan.tci = htons(tci);
    return a;
}

static struct vsw_action
simple(uint16_t type)
{
    return (struct vsw_action) { .type = type };
}

/* ---- Tests: keys -------------------------------------------------------- */

typedef void frame_builder(struct test_pkt *);

static void f_tcp4(struct test_pkt *p) { tp_build_tcp4(p); }
static void f_udp6_ext(struct test_pkt *p) { tp_build_udp6_ext(p); }
static void f_qinq(struct test_pkt *p) { tp_build_qinq(p); }
static void f_vlan(struct test_pkt *p) { build_vlan_udp4(p, 0x2064); }
static void f_udp4(struct test_pkt *p) { build_udp4(p, 20, 0); }
static void f_eth_only(struct test_pkt *p) { tp_eth(p, 0x0800); }
static void f_lldp(struct test_pkt *p) { tp_eth(p, 0x88cc); tp_zero(p, 46); }
static void f_8023(struct test_pkt *p) { tp_eth(p, 0x0040); tp_zero(p, 46); }
static void f_vlan_cut(struct test_pkt *p) { tp_eth(p, 0x8100); tp_be16(p, 5); }
static void f_arp(struct test_pkt *p) { tp_eth(p, 0x0806); tp_arp(p, 1, 6, 4); }
static void f_arp_reply(struct test_pkt *p) { tp_eth(p, 0x0806); tp_arp(p, 2, 6, 4); }
static void f_arp_bad(struct test_pkt *p) { tp_eth(p, 0x0806); tp_arp(p, 1, 8, 4); }
static void f_arp_cut(struct test_pkt *p) { tp_eth(p, 0x0806); tp_zero(p, 20); }

static void
f_icmp4_cut(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 1, 0, 64, 0, 5);
    tp_u8(p, 8);
    tp_u8(p, 0);
    tp_be16(p, 0);
    tp_ipv4_finish(p, ip);
}

static void
f_icmp6(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 58, 255);
    tp_icmp(p, 135, 0);
    tp_ipv6_finish(p, ip);
}

static void
f_frag_first(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0x2000, 5);
    tp_udp(p, 1, 2, 16);
    tp_ipv4_finish(p, ip);
}

static void
f_frag_later(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 185, 5);
    tp_zero(p, 24);
    tp_ipv4_finish(p, ip);
}

static void
f_frag6_first(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 44, 64);
    tp_ipv6_frag(p, 6, 0, 1);
    tp_tcp(p, 1000, 2000, 0x002, 5);
    tp_ipv6_finish(p, ip);
}

static void
f_frag6_later(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 44, 64);
    tp_ipv6_frag(p, 6, 181, 0);
    tp_zero(p, 30);
    tp_ipv6_finish(p, ip);
}

static void
f_ihl_bad(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 1, 2, 0);
    tp_ipv4_finish(p, ip);
    p->b[ip] = 0x44;            /* IHL 4 */
}

static void
f_ihl_long(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_ipv4_finish(p, ip);
    p->b[ip] = 0x4f;            /* IHL 15: 60 bytes, frame has 20 */
}

static void
f_totlen_short(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 1, 2, 0);
    tp_set_be16(p, ip + 2, 12);  /* < IHL * 4 */
}

static void
f_totlen_long(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 1, 2, 0);
    tp_set_be16(p, ip + 2, 400); /* past the frame's end */
}

static void
f_ipv4_padded(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0, 64, 0, 5);
    tp_be16(p, 1);              /* 4 bytes of "TCP" inside tot_len ... */
    tp_be16(p, 2);
    tp_ipv4_finish(p, ip);
    tp_zero(p, 30);             /* ... and Ethernet padding after it */
}

static void
f_ipv4_v6version(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_udp(p, 1, 2, 0);
    tp_ipv4_finish(p, ip);
    p->b[ip] = 0x65;
}

static void
f_tcp_doff_bad(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0, 64, 0, 5);
    tp_tcp(p, 1, 2, 0x010, 4);
    tp_ipv4_finish(p, ip);
}

static void
f_tcp_doff_long(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 6, 0, 64, 0, 5);
    tp_tcp(p, 1, 2, 0x010, 5);
    tp_ipv4_finish(p, ip);
    p->b[ip + 20 + 12] = 0xf0;  /* 60-byte header in a 20-byte segment */
}

static void
f_udp_cut(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 17, 0, 64, 0, 5);
    tp_be16(p, 1);
    tp_be16(p, 2);
    tp_ipv4_finish(p, ip);
}

static void
f_gre(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x0800);
    ip = tp_ipv4(p, 47, 0, 64, 0, 5);
    tp_zero(p, 8);
    tp_ipv4_finish(p, ip);
}

static void
f_ipv6_cut(struct test_pkt *p)
{
    tp_eth(p, 0x86dd);
    tp_ipv6(p, 0, 0, 17, 64);
    p->len -= 10;
}

static void
f_ipv6_plen_long(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 17, 64);
    tp_udp(p, 1, 2, 0);
    tp_set_be16(p, ip + 4, 500);
}

static void
f_ipv6_many_ext(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 60, 64);
    for (int i = 0; i < 9; i++) {
        tp_ipv6_ext(p, i < 8 ? 60 : 17, 0);
    }
    tp_udp(p, 1, 2, 0);
    tp_ipv6_finish(p, ip);
}

static void
f_ipv6_eight_ext(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 0, 64);
    for (int i = 0; i < 8; i++) {
        tp_ipv6_ext(p, i < 7 ? 60 : 6, 0);
    }
    tp_tcp(p, 1, 2, 0x018, 5);
    tp_ipv6_finish(p, ip);
}

static void
f_ipv6_ah(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 51, 64);
    tp_u8(p, 17);               /* AH: next header, length 4 => 24 bytes */
    tp_u8(p, 4);
    tp_zero(p, 22);
    tp_udp(p, 7, 8, 2);
    tp_ipv6_finish(p, ip);
}

static void
f_ipv6_ext_cut(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 0, 64);
    tp_u8(p, 17);
    tp_u8(p, 2);                /* 24 bytes claimed, 8 present */
    tp_zero(p, 6);
    tp_ipv6_finish(p, ip);
}

static void
f_ipv6_v4version(struct test_pkt *p)
{
    size_t ip;

    tp_eth(p, 0x86dd);
    ip = tp_ipv6(p, 0, 0, 17, 64);
    tp_udp(p, 1, 2, 0);
    tp_ipv6_finish(p, ip);
    p->b[ip] = 0x40;
}

static void
f_vlan_arp(struct test_pkt *p)
{
    tp_eth(p, 0x88a8);
    tp_vlan(p, 0xe00a, 0x0806);
    tp_arp(p, 1, 6, 4);
}

static const struct {
    const char *name;
    frame_builder *build;
} key_frames[] = {
    { "tcp4 with options", f_tcp4 },
    { "udp6 with extension headers", f_udp6_ext },
    { "qinq (deep vlan)", f_qinq },
    { "802.1q udp4", f_vlan },
    { "udp4", f_udp4 },
    { "ethernet header only", f_eth_only },
    { "lldp", f_lldp },
    { "802.3 length field", f_8023 },
    { "vlan tag cut short", f_vlan_cut },
    { "arp request", f_arp },
    { "arp reply", f_arp_reply },
    { "arp with hlen 8", f_arp_bad },
    { "arp cut short", f_arp_cut },
    { "icmp echo", tp_build_icmp4 },
    { "icmp cut short", f_icmp4_cut },
    { "icmpv6", f_icmp6 },
    { "ipv4 first fragment", f_frag_first },
    { "ipv4 later fragment", f_frag_later },
    { "ipv6 first fragment", f_frag6_first },
    { "ipv6 later fragment", f_frag6_later },
    { "ipv4 ihl 4", f_ihl_bad },
    { "ipv4 ihl past the end", f_ihl_long },
    { "ipv4 total length < ihl", f_totlen_short },
    { "ipv4 total length past the end", f_totlen_long },
    { "ipv4 with ethernet padding", f_ipv4_padded },
    { "ipv4 ethertype, version 6", f_ipv4_v6version },
    { "tcp data offset 4", f_tcp_doff_bad },
    { "tcp data offset past the segment", f_tcp_doff_long },
    { "udp cut short", f_udp_cut },
    { "gre (no ports)", f_gre },
    { "ipv6 header cut short", f_ipv6_cut },
    { "ipv6 payload length past the end", f_ipv6_plen_long },
    { "ipv6 with 9 extension headers", f_ipv6_many_ext },
    { "ipv6 with 8 extension headers", f_ipv6_eight_ext },
    { "ipv6 with AH", f_ipv6_ah },
    { "ipv6 extension header cut short", f_ipv6_ext_cut },
    { "ipv6 ethertype, version 4", f_ipv6_v4version },
    { "802.1ad arp", f_vlan_arp },
};

static void
format_key(const struct vsw_flow_key *k, char *buf, size_t size)
{
    struct ds s;

    ds_init(&s);
    vsw_flow_key_format(k, NULL, &s);
    snprintf(buf, size, "%s (parsed 0x%02x tcp_flags 0x%04x)", ds_cstr(&s),
             k->parsed, ntohs(k->tcp_flags));
    ds_destroy(&s);
}

/* Every frame misses (no flows): the record's key must be exactly what the
 * C parser makes of the frame, and the record carries the whole frame. */
static void
test_miss_keys_match_flow_extract(void **state)
{
    int bad = 0;

    (void) state;
    for (size_t i = 0; i < ARRAY_SIZE(key_frames); i++) {
        struct test_pkt p = TEST_PKT_INIT;
        struct vsw_flow_key c;
        struct result r;

        reset(NULL);
        key_frames[i].build(&p);
        run(p.b, p.len, &r);
        assert_int_equal(r.verdict, XDP_DROP);
        assert_int_equal(n_recs, 1);
        assert_int_equal(recs[0].reason, VSW_XDP_UPCALL_MISS);
        assert_int_equal(recs[0].in_port, IN_PORT);
        assert_int_equal(recs[0].ifindex, lo_ifindex);
        assert_int_equal(recs[0].len, p.len);
        assert_int_equal(recs[0].orig_len, p.len);
        assert_memory_equal(recs[0].data, p.b, p.len);

        vsw_flow_extract(p.b, p.len, IN_PORT, &c);
        if (memcmp(&c, &recs[0].key, sizeof c)) {
            char a[512], b[512];

            format_key(&recs[0].key, a, sizeof a);
            format_key(&c, b, sizeof b);
            print_error("%s:\n  bpf: %s\n  C:   %s\n", key_frames[i].name,
                        a, b);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

/* ---- Tests: verdicts and actions ---------------------------------------- */

static void
test_output(void **state)
{
    struct test_pkt p = TEST_PKT_INIT, q = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct vsw_flow_stats st;
    struct timespec t0, t1;
    struct result r;

    (void) state;
    build_tcp4(&p, 0x002);      /* SYN */
    build_tcp4(&q, 0x010);      /* ACK: same flow, other flags */
    push(&a, output(OUT_PORT));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_actions(p.b, p.len, &a, &r);
    assert_memory_equal(r.out, p.b, p.len);
    run(q.b, q.len, &r);
    assert_int_equal(r.verdict, XDP_REDIRECT);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    st = flow_stats_of(p.b, p.len);
    assert_int_equal(st.n_packets, 2);
    assert_int_equal(st.n_bytes, p.len + q.len);
    assert_int_equal(st.tcp_flags, 0x012);
    /* The program uses the coarse clock: up to a tick behind. */
    assert_in_range(st.used_ns,
                    t0.tv_sec * 1000000000ull + t0.tv_nsec - 20000000,
                    t1.tv_sec * 1000000000ull + t1.tv_nsec);

    struct vsw_xdp_counters in = counters(IN_PORT), out = counters(OUT_PORT);
    assert_int_equal(in.rx_packets, 2);
    assert_int_equal(in.rx_bytes, p.len + q.len);
    assert_int_equal(in.hit, 2);
    assert_int_equal(in.missed, 0);
    assert_int_equal(out.tx_packets, 2);
    assert_int_equal(out.tx_bytes, p.len + q.len);
    assert_int_equal(n_recs, 0);
}

/* OpenFlow semantics: output to the input port is skipped (dropped). */
static void
test_output_to_in_port_is_skipped(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    push(&a, output(IN_PORT));
    install(p.b, p.len, &a, 0);
    run(p.b, p.len, &r);
    assert_int_equal(r.verdict, XDP_DROP);
    assert_int_equal(counters(IN_PORT).dropped, 1);
    assert_int_equal(counters(IN_PORT).tx_packets, 0);
}

static void
test_output_to_missing_port_drops(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    push(&a, output(9));
    install(p.b, p.len, &a, 0);
    run(p.b, p.len, &r);
    assert_int_equal(r.verdict, XDP_DROP);
    assert_int_equal(counters(IN_PORT).dropped, 1);
    assert_int_equal(counters(9).tx_packets, 0);
}

static void
test_flood(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    push(&a, simple(VSW_ACTION_FLOOD));
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(r.verdict, XDP_REDIRECT);
    assert_memory_equal(r.out, p.b, p.len);
    assert_int_equal(counters(IN_PORT).dropped, 0);
}

static void
test_empty_list_drops(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(r.verdict, XDP_DROP);
    assert_int_equal(counters(IN_PORT).dropped, 1);
    assert_int_equal(counters(IN_PORT).hit, 1);
    assert_int_equal(flow_stats_of(p.b, p.len).n_packets, 1);
}

static void
test_push_vlan(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    /* PCP 3, VID 10; the CFI bit of the action is not put on the wire. */
    push(&a, push_vlan(0x8100, 0x600a | VSW_VLAN_CFI));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(r.len, p.len + 4);
    assert_memory_equal(r.out, p.b, 12);
    assert_int_equal(get16(r.out + 12), 0x8100);
    assert_int_equal(get16(r.out + 14), 0x600a);
    assert_memory_equal(r.out + 16, p.b + 12, p.len - 12);
}

static void
test_pop_vlan(void **state)
{
    struct test_pkt p = TEST_PKT_INIT, u = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_vlan_udp4(&p, 0x0064);
    push(&a, simple(VSW_ACTION_POP_VLAN));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(r.len, p.len - 4);
    assert_memory_equal(r.out, p.b, 12);
    assert_memory_equal(r.out + 12, p.b + 16, p.len - 16);

    /* Untagged: unchanged. */
    build_udp4(&u, 10, 0);
    run_actions(u.b, u.len, &a, &r);
    assert_int_equal(r.len, u.len);
    assert_memory_equal(r.out, u.b, u.len);
}

static void
test_set_eth(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct vsw_action e = { .type = VSW_ACTION_SET_ETH };
    static const uint8_t src[6] = { 0x0a, 1, 2, 3, 4, 5 };
    static const uint8_t dst[6] = { 0x0a, 6, 7, 8, 9, 10 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    memcpy(e.u.eth.src, src, 6);
    memcpy(e.u.eth.dst, dst, 6);
    e.u.eth.fields = VSW_SET_SRC | VSW_SET_DST;
    push(&a, e);
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_memory_equal(r.out, dst, 6);
    assert_memory_equal(r.out + 6, src, 6);
    assert_memory_equal(r.out + 12, p.b + 12, p.len - 12);

    /* Only the source. */
    a.n_actions = 0;
    e.u.eth.fields = VSW_SET_SRC;
    push(&a, e);
    push(&a, output(OUT_PORT));
    reset(NULL);
    run_actions(p.b, p.len, &a, &r);
    assert_memory_equal(r.out, p.b, 6);
    assert_memory_equal(r.out + 6, src, 6);
}

static void
test_set_ipv4_udp(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 33, 0);
    push(&a, set_ipv4(VSW_SET_SRC | VSW_SET_DST | VSW_SET_TOS | VSW_SET_TTL,
                      "192.0.2.77", "198.51.100.200", 0xb8, 17));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_memory_equal(r.out + 14 + 12, "\xc0\x00\x02\x4d", 4);
    assert_memory_equal(r.out + 14 + 16, "\xc6\x33\x64\xc8", 4);
    assert_int_equal(r.out[14 + 1], 0xb8);
    assert_int_equal(r.out[14 + 8], 17);
    assert_true(get16(r.out + 34 + 6) != 0);
    assert_checksums_valid(r.out, r.len);
}

/* A UDP checksum of 0 ("none") stays 0 when the addresses change. */
static void
test_set_ipv4_udp_no_checksum(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 1);
    push(&a, set_ipv4(VSW_SET_DST, NULL, "192.0.2.9", 0, 0));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(get16(r.out + 34 + 6), 0);
    assert_memory_equal(r.out + 14 + 16, "\xc0\x00\x02\x09", 4);
    assert_int_equal(fold(sum16(r.out + 14, 20, 0)), 0xffff);
}

static void
test_set_ipv4_tcp(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_tcp4(&p, 0x018);
    push(&a, set_ipv4(VSW_SET_SRC | VSW_SET_TTL, "203.0.113.5", NULL, 0, 3));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_memory_equal(r.out + 14 + 12, "\xcb\x00\x71\x05", 4);
    assert_checksums_valid(r.out, r.len);
}

/* ICMP has no pseudo-header: its checksum must not change. */
static void
test_set_ipv4_icmp(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    tp_build_icmp4(&p);
    fix_checksums(p.b, p.len, 0);
    push(&a, set_ipv4(VSW_SET_SRC | VSW_SET_DST, "192.0.2.1", "192.0.2.2",
                      0, 0));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_memory_equal(r.out + 34, p.b + 34, p.len - 34);
    assert_checksums_valid(r.out, r.len);
}

static void
test_set_l4(void **state)
{
    struct test_pkt t = TEST_PKT_INIT, u = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_tcp4(&t, 0x002);
    push(&a, set_l4(VSW_SET_SRC | VSW_SET_DST, 1234, 8080));
    push(&a, output(OUT_PORT));
    run_actions(t.b, t.len, &a, &r);
    assert_int_equal(get16(r.out + 34), 1234);
    assert_int_equal(get16(r.out + 36), 8080);
    assert_checksums_valid(r.out, r.len);

    build_udp4(&u, 5, 0);
    a.n_actions = 0;
    push(&a, set_l4(VSW_SET_DST, 0, 53));
    push(&a, output(OUT_PORT));
    run_actions(u.b, u.len, &a, &r);
    assert_int_equal(get16(r.out + 34), 5000);
    assert_int_equal(get16(r.out + 36), 53);
    assert_checksums_valid(r.out, r.len);
}

/* A UDP checksum that comes out as 0 is sent as 0xffff (RFC 768). */
static void
test_set_l4_udp_checksum_never_zero(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;
    uint32_t port;

    (void) state;
    build_udp4(&p, 4, 0);
    /* Find the destination port that makes the computed checksum 0. */
    for (port = 1; port < 65536; port++) {
        uint8_t f[128];

        memcpy(f, p.b, p.len);
        f[36] = (uint8_t) (port >> 8);
        f[37] = (uint8_t) port;
        f[40] = f[41] = 0;
        uint32_t sum = pseudo_sum(f + 14, 0, 17, p.len - 34);
        if (fold(sum16(f + 34, p.len - 34, sum)) == 0xffff) {
            break;
        }
    }
    assert_true(port < 65536);
    push(&a, set_l4(VSW_SET_DST, 0, (uint16_t) port));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(get16(r.out + 36), port);
    assert_int_equal(get16(r.out + 40), 0xffff);
    assert_checksums_valid(r.out, r.len);
}

static void
test_set_ipv6(void **state)
{
    struct test_pkt p = TEST_PKT_INIT, q = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct vsw_action s = { .type = VSW_ACTION_SET_IPV6 };
    struct result r;

    (void) state;
    build_udp6(&p);
    inet_pton(AF_INET6, "2001:db8:ffff::99", s.u.ipv6.src);
    inet_pton(AF_INET6, "2001:db8:eeee::1", s.u.ipv6.dst);
    s.u.ipv6.tclass = 0xa5;
    s.u.ipv6.hlimit = 9;
    s.u.ipv6.fields = VSW_SET_SRC | VSW_SET_DST | VSW_SET_TOS | VSW_SET_TTL;
    push(&a, s);
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_memory_equal(r.out + 14 + 8, s.u.ipv6.src, 16);
    assert_memory_equal(r.out + 14 + 24, s.u.ipv6.dst, 16);
    assert_int_equal(((r.out[14] & 0x0f) << 4) | (r.out[15] >> 4), 0xa5);
    assert_int_equal(r.out[14 + 7], 9);
    assert_checksums_valid(r.out, r.len);

    /* ICMPv6 covers the pseudo-header too. */
    f_icmp6(&q);
    fix_checksums(q.b, q.len, 0);
    run_actions(q.b, q.len, &a, &r);
    assert_checksums_valid(r.out, r.len);
}

static void
test_dec_ttl(void **state)
{
    struct test_pkt p = TEST_PKT_INIT, one = TEST_PKT_INIT;
    struct test_pkt six = TEST_PKT_INIT, arp = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    push(&a, simple(VSW_ACTION_DEC_TTL));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(r.out[14 + 8], 63);
    assert_checksums_valid(r.out, r.len);

    /* TTL 1: dropped, the list stops (no output). */
    reset(NULL);
    build_udp4(&one, 11, 0);
    one.b[14 + 8] = 1;
    fix_checksums(one.b, one.len, 0);
    run_actions(one.b, one.len, &a, &r);
    assert_int_equal(r.verdict, XDP_DROP);
    assert_int_equal(counters(IN_PORT).dropped, 1);
    assert_int_equal(counters(OUT_PORT).tx_packets, 0);

    /* IPv6 hop limit. */
    build_udp6(&six);
    run_actions(six.b, six.len, &a, &r);
    assert_int_equal(r.verdict, XDP_REDIRECT);
    assert_int_equal(r.out[14 + 7], 63);

    /* Not IP: unchanged and forwarded. */
    f_arp(&arp);
    run_actions(arp.b, arp.len, &a, &r);
    assert_int_equal(r.verdict, XDP_REDIRECT);
    assert_memory_equal(r.out, arp.b, arp.len);
}

/* Longer lists, matched against actions.c byte for byte: rewrites after a
 * push see the moved headers, and a second tag hides L3 (like the key). */
static void
test_action_chains(void **state)
{
    struct test_pkt p = TEST_PKT_INIT, v = TEST_PKT_INIT, q = TEST_PKT_INIT;
    struct vsw_action e = { .type = VSW_ACTION_SET_ETH };
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_tcp4(&p, 0x010);
    e.u.eth.fields = VSW_SET_DST;
    memset(e.u.eth.dst, 0xee, 6);
    push(&a, e);
    push(&a, push_vlan(0x8100, 0x0005));
    push(&a, set_ipv4(VSW_SET_DST, NULL, "192.0.2.44", 0, 0));
    push(&a, simple(VSW_ACTION_DEC_TTL));
    push(&a, set_l4(VSW_SET_SRC, 999, 0));
    push(&a, output(OUT_PORT));
    run_actions(p.b, p.len, &a, &r);
    assert_int_equal(get16(r.out + 12), 0x8100);
    assert_checksums_valid(r.out, r.len);

    /* Tagged frame, push a second tag, then rewrite IPv4: skipped. */
    build_vlan_udp4(&v, 0x0064);
    a.n_actions = 0;
    push(&a, push_vlan(0x88a8, 0x0007));
    push(&a, set_ipv4(VSW_SET_DST, NULL, "192.0.2.55", 0, 0));
    push(&a, simple(VSW_ACTION_DEC_TTL));
    push(&a, output(OUT_PORT));
    run_actions(v.b, v.len, &a, &r);
    assert_memory_equal(r.out + 20, v.b + 16, v.len - 16);

    /* QinQ, pop one tag, then rewrite: now visible. */
    tp_build_qinq(&q);
    fix_checksums(q.b, q.len, 0);
    a.n_actions = 0;
    push(&a, simple(VSW_ACTION_POP_VLAN));
    push(&a, set_ipv4(VSW_SET_SRC, "192.0.2.66", NULL, 0, 0));
    push(&a, output(OUT_PORT));
    run_actions(q.b, q.len, &a, &r);
    assert_memory_equal(r.out + 18 + 12, "\xc0\x00\x02\x42", 4);
}

/* Frames the parser calls truncated are still switched by their key. */
static void
test_malformed_frames_follow_their_flow(void **state)
{
    static frame_builder *const builders[] = {
        f_totlen_long, f_ihl_bad, f_tcp_doff_long, f_ipv6_ext_cut, f_vlan_cut,
        f_arp_cut, f_eth_only,
    };
    struct vsw_actions a = { 0 };

    (void) state;
    push(&a, simple(VSW_ACTION_DEC_TTL));
    push(&a, set_l4(VSW_SET_DST, 0, 7));
    push(&a, output(OUT_PORT));
    for (size_t i = 0; i < ARRAY_SIZE(builders); i++) {
        struct test_pkt p = TEST_PKT_INIT;
        struct result r;

        reset(NULL);
        builders[i](&p);
        run_actions(p.b, p.len, &a, &r);
        assert_int_equal(counters(IN_PORT).hit, 1);
    }
}

/* ---- Tests: misses, rate limits, slow path, pass ------------------------ */

/* One new flow sends at most pending_max upcalls per window. */
static void
test_pending_marker(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    set_config(3, 5000000000ull);
    for (int i = 0; i < 7; i++) {
        run(p.b, p.len, &r);
        assert_int_equal(r.verdict, XDP_DROP);
    }
    assert_int_equal(n_recs, 3);
    struct vsw_xdp_counters c = counters(IN_PORT);
    assert_int_equal(c.missed, 7);
    assert_int_equal(c.upcalls, 3);
    assert_int_equal(c.duplicates, 4);
    assert_int_equal(c.lost, 0);

    /* Once the window has passed, the flow may ask again. */
    set_config(3, 1000000);
    usleep(2000);
    run(p.b, p.len, &r);
    assert_int_equal(n_recs, 4);
}

/* The per-port token bucket: rate 2/s allows a burst of 2 misses. */
static void
test_upcall_rate_limit(void **state)
{
    struct result r;

    (void) state;
    set_port(lo_ifindex, IN_PORT, 0, 500000000);
    for (int i = 0; i < 6; i++) {
        struct test_pkt p = TEST_PKT_INIT;

        build_udp4(&p, 10, 0);
        p.b[34 + 1] = (uint8_t) i;      /* a new flow each time */
        run(p.b, p.len, &r);
        assert_int_equal(r.verdict, XDP_DROP);
    }
    assert_int_equal(n_recs, 2);
    struct vsw_xdp_counters c = counters(IN_PORT);
    assert_int_equal(c.missed, 6);
    assert_int_equal(c.upcalls, 2);
    assert_int_equal(c.lost, 4);
}

/* A slow flow: counted as a hit, handed to userspace with its reason. */
static void
test_slow_flow(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    build_tcp4(&p, 0x002);
    push(&a, output(OUT_PORT));
    push(&a, output(OTHER_PORT));
    install(p.b, p.len, &a, VSW_XDP_FLOW_F_SLOW);
    run(p.b, p.len, &r);
    assert_int_equal(r.verdict, XDP_DROP);
    assert_int_equal(n_recs, 1);
    assert_int_equal(recs[0].reason, VSW_XDP_UPCALL_SLOW);
    assert_int_equal(ntohs(recs[0].key.tcp_flags), 0x002);
    assert_memory_equal(recs[0].data, p.b, p.len);
    struct vsw_xdp_counters c = counters(IN_PORT);
    assert_int_equal(c.hit, 1);
    assert_int_equal(c.slow_path, 1);
    assert_int_equal(c.missed, 0);
    assert_int_equal(flow_stats_of(p.b, p.len).n_packets, 1);
}

/* xdp-pass-non-switch: frames for the port's own MAC go to the kernel;
 * broadcasts go to the kernel and (as a copy) to the switch. */
static void
test_pass_non_switch(void **state)
{
    static const uint8_t own[6] = PORT_MAC;
    struct test_pkt p = TEST_PKT_INIT, b = TEST_PKT_INIT;
    struct vsw_actions a = { 0 };
    struct result r;

    (void) state;
    set_port(lo_ifindex, IN_PORT, VSW_XDP_PORT_F_PASS_NON_SWITCH, 0);
    build_udp4(&p, 10, 0);
    memcpy(p.b, own, 6);
    push(&a, output(OUT_PORT));
    install(p.b, p.len, &a, 0);
    run(p.b, p.len, &r);
    assert_int_equal(r.verdict, XDP_PASS);
    assert_int_equal(counters(IN_PORT).passed, 1);
    assert_int_equal(counters(IN_PORT).hit, 0);

    /* Broadcast, no flow: passed, and a miss record. */
    f_arp(&b);
    memset(b.b, 0xff, 6);
    run(b.b, b.len, &r);
    assert_int_equal(r.verdict, XDP_PASS);
    assert_int_equal(n_recs, 1);
    assert_int_equal(recs[0].reason, VSW_XDP_UPCALL_MISS);

    /* Broadcast with a fast flow: passed, and executed by userspace. */
    install(b.b, b.len, &a, 0);
    run(b.b, b.len, &r);
    assert_int_equal(r.verdict, XDP_PASS);
    assert_int_equal(n_recs, 2);
    assert_int_equal(recs[1].reason, VSW_XDP_UPCALL_SLOW);

    /* Without the option the same broadcast is switched. */
    set_port(lo_ifindex, IN_PORT, 0, 0);
    run(b.b, b.len, &r);
    assert_int_equal(r.verdict, XDP_REDIRECT);
}

/* A netdev the port table does not know: left to the kernel. */
static void
test_unknown_ingress_passes(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct result r;
    uint32_t ifindex = lo_ifindex;

    (void) state;
    build_udp4(&p, 10, 0);
    assert_int_equal(bpf_map_delete_elem(bpf_map__fd(skel->maps.ports),
                                         &ifindex), 0);
    run(p.b, p.len, &r);
    assert_int_equal(r.verdict, XDP_PASS);
    assert_int_equal(n_recs, 0);
    assert_int_equal(counters(0).rx_packets, 1);
    assert_int_equal(counters(0).passed, 1);
}

/* The direct-mapped port slot is tried first; a slot holding another
 * ifindex sends the lookup to the hash. */
static void
test_port_slots(void **state)
{
    struct vsw_xdp_port_slot ps = { .ifindex = (uint32_t) lo_ifindex,
                                    .port = { .port_no = 5 } };
    uint32_t slot = (uint32_t) lo_ifindex % VSW_XDP_PORT_SLOTS;
    struct test_pkt p = TEST_PKT_INIT;
    struct result r;

    (void) state;
    build_udp4(&p, 10, 0);
    assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.port_slots),
                                         &slot, &ps, BPF_ANY), 0);
    run(p.b, p.len, &r);
    assert_int_equal(n_recs, 1);
    assert_int_equal(recs[0].in_port, 5);       /* the slot's port */
    assert_int_equal(counters(5).rx_packets, 1);

    ps.ifindex += VSW_XDP_PORT_SLOTS;           /* same slot, other netdev */
    assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.port_slots),
                                         &slot, &ps, BPF_ANY), 0);
    p.b[35]++;                                  /* another flow */
    run(p.b, p.len, &r);
    assert_int_equal(n_recs, 2);
    assert_int_equal(recs[1].in_port, IN_PORT); /* the hash's port */
}

/* The ring copies at most VSW_XDP_SNAPLEN bytes; frames are whole below. */
static void
test_miss_record_carries_whole_frame(void **state)
{
    struct test_pkt p = TEST_PKT_INIT;
    struct result r;

    (void) state;
    build_udp4(&p, 1400, 0);
    run(p.b, p.len, &r);
    assert_int_equal(n_recs, 1);
    assert_int_equal(recs[0].len, p.len);
    assert_memory_equal(recs[0].data, p.b, p.len);
}

/* ---- Main ---------------------------------------------------------------- */

static int
quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    return level == LIBBPF_WARN && getenv("VSW_TEST_VERBOSE")
           ? vfprintf(stderr, fmt, ap) : 0;
}

int
main(void)
{
    int err;

    if (geteuid() != 0) {
        printf("SKIP: test-xdp-golden needs root (loads BPF programs)\n");
        return 77;
    }
    libbpf_set_print(quiet_libbpf);
    lo_ifindex = (int) if_nametoindex("lo");
    n_cpus = libbpf_num_possible_cpus();
    if (!lo_ifindex || n_cpus <= 0) {
        printf("SKIP: no loopback device or CPU count\n");
        return 77;
    }
    /* As datapathd does: one stats slot per possible CPU in each flow. */
    flow_size = VSW_XDP_FLOW_VALUE_SIZE(n_cpus);
    skel = vsw_xdp__open();
    if (skel) {
        skel->rodata->vsw_n_cpus = (uint32_t) n_cpus;
        if (bpf_map__set_value_size(skel->maps.flows, flow_size)
            || vsw_xdp__load(skel)) {
            err = errno;
            vsw_xdp__destroy(skel);
            skel = NULL;
            errno = err;
        }
    }
    if (!skel) {
        err = errno;
        if (err == EPERM) {
            printf("SKIP: loading BPF programs not permitted (%s)\n",
                   strerror(err));
            return 77;
        }
        fprintf(stderr, "test-xdp-golden: cannot load the XDP object: %s\n",
                strerror(err));
        return 1;
    }
    ring = ring_buffer__new(bpf_map__fd(skel->maps.upcalls), on_record, NULL,
                            NULL);
    if (!ring) {
        fprintf(stderr, "test-xdp-golden: ring_buffer__new failed\n");
        return 1;
    }
    add_devmap(skel->maps.tx_ports, OUT_PORT, lo_ifindex);
    add_devmap(skel->maps.tx_ports, OTHER_PORT, lo_ifindex);
    add_devmap(skel->maps.flood_ports, OUT_PORT, lo_ifindex);
    add_devmap(skel->maps.flood_ports, OTHER_PORT, lo_ifindex);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_miss_keys_match_flow_extract, reset),
        cmocka_unit_test_setup(test_output, reset),
        cmocka_unit_test_setup(test_output_to_in_port_is_skipped, reset),
        cmocka_unit_test_setup(test_output_to_missing_port_drops, reset),
        cmocka_unit_test_setup(test_flood, reset),
        cmocka_unit_test_setup(test_empty_list_drops, reset),
        cmocka_unit_test_setup(test_push_vlan, reset),
        cmocka_unit_test_setup(test_pop_vlan, reset),
        cmocka_unit_test_setup(test_set_eth, reset),
        cmocka_unit_test_setup(test_set_ipv4_udp, reset),
        cmocka_unit_test_setup(test_set_ipv4_udp_no_checksum, reset),
        cmocka_unit_test_setup(test_set_ipv4_tcp, reset),
        cmocka_unit_test_setup(test_set_ipv4_icmp, reset),
        cmocka_unit_test_setup(test_set_l4, reset),
        cmocka_unit_test_setup(test_set_l4_udp_checksum_never_zero, reset),
        cmocka_unit_test_setup(test_set_ipv6, reset),
        cmocka_unit_test_setup(test_dec_ttl, reset),
        cmocka_unit_test_setup(test_action_chains, reset),
        cmocka_unit_test_setup(test_malformed_frames_follow_their_flow, reset),
        cmocka_unit_test_setup(test_pending_marker, reset),
        cmocka_unit_test_setup(test_upcall_rate_limit, reset),
        cmocka_unit_test_setup(test_slow_flow, reset),
        cmocka_unit_test_setup(test_pass_non_switch, reset),
        cmocka_unit_test_setup(test_unknown_ingress_passes, reset),
        cmocka_unit_test_setup(test_port_slots, reset),
        cmocka_unit_test_setup(test_miss_record_carries_whole_frame, reset),
    };
    err = cmocka_run_group_tests_name("xdp-golden", tests, NULL, NULL);
    ring_buffer__free(ring);
    vsw_xdp__destroy(skel);
    return err;
}
