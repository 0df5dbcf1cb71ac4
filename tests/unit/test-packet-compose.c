/* Unit tests for vsw_packet_compose(): key -> frame -> vsw_flow_extract()
 * must give the key back, and every checksum of the frame must verify
 * (recomputed here from scratch). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "datapath/flow.h"

#define F_ETH VSW_KEY_F_ETH
#define F_L3 (VSW_KEY_F_ETH | VSW_KEY_F_L3)
#define F_L4 (VSW_KEY_F_ETH | VSW_KEY_F_L3 | VSW_KEY_F_L4)

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
sum_bytes(uint32_t sum, const uint8_t *p, size_t n)
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
    return (uint16_t) ~sum;
}

/* Verifies the IPv4 header checksum and the L4 checksum of FRAME, walking
 * the headers independently of the code under test. */
static void
check_frame_csums(const uint8_t *f, size_t len)
{
    size_t ofs = 12;
    uint16_t type = get16(f + ofs);

    if (type == 0x8100) {
        ofs += 4;
        type = get16(f + ofs);
    }
    ofs += 2;
    if (type == 0x0800) {
        const uint8_t *ip = f + ofs;
        size_t tot = get16(ip + 2), l4_len = tot - 20;
        uint8_t proto = ip[9];
        const uint8_t *l4 = ip + 20;

        assert_true(ofs + tot <= len);
        assert_int_equal(fold(sum_bytes(0, ip, 20)), 0);
        if (get16(ip + 6) & 0x1fff) {
            return;                             /* later fragment */
        }
        if (proto == 6 || proto == 17) {
            uint32_t ps = sum_bytes(0, ip + 12, 8) + proto + (uint32_t) l4_len;
            if (proto == 17) {
                assert_int_not_equal(get16(l4 + 6), 0);
                assert_int_equal(get16(l4 + 4), l4_len);
            }
            assert_int_equal(fold(sum_bytes(ps, l4, l4_len)), 0);
        } else if (proto == 1) {
            assert_int_equal(fold(sum_bytes(0, l4, l4_len)), 0);
        }
    } else if (type == 0x86dd) {
        const uint8_t *ip = f + ofs;
        size_t plen = get16(ip + 4);
        uint8_t next = ip[6];
        const uint8_t *l4 = ip + 40;

        assert_true(ofs + 40 + plen <= len);
        if (next == 44) {
            if (get16(l4 + 2) & 0xfff8) {
                return;
            }
            next = l4[0];
            l4 += 8;
            plen -= 8;
        }
        if (next == 6 || next == 17 || next == 58) {
            uint32_t ps = sum_bytes(0, ip + 8, 32) + next + (uint32_t) plen;
            assert_int_equal(fold(sum_bytes(ps, l4, plen)), 0);
        }
    }
}

static void
set_ip4(uint8_t *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
    a[0] = x; a[1] = y; a[2] = z; a[3] = w;
}

static struct vsw_flow_key
base_key(uint16_t eth_type, uint8_t parsed)
{
    struct vsw_flow_key k;

    memset(&k, 0, sizeof k);
    k.in_port = 3;
    memcpy(k.eth_src, (uint8_t[]) { 0x02, 0, 0, 0, 0, 1 }, 6);
    memcpy(k.eth_dst, (uint8_t[]) { 0x02, 0, 0, 0, 0, 2 }, 6);
    k.eth_type = htons(eth_type);
    k.parsed = parsed;
    return k;
}

static struct vsw_flow_key
ip4_key(uint8_t proto, uint8_t parsed)
{
    struct vsw_flow_key k = base_key(0x0800, parsed);

    set_ip4(k.ip_src, 192, 0, 2, 1);
    set_ip4(k.ip_dst, 192, 0, 2, 2);
    k.nw_proto = proto;
    k.nw_tos = 0x28;
    k.nw_ttl = 61;
    return k;
}

static struct vsw_flow_key
ip6_key(uint8_t proto, uint8_t parsed)
{
    struct vsw_flow_key k = base_key(0x86dd, parsed);

    k.ip_src[0] = 0x20; k.ip_src[1] = 0x01; k.ip_src[15] = 1;
    k.ip_dst[0] = 0x20; k.ip_dst[1] = 0x01; k.ip_dst[15] = 2;
    k.nw_proto = proto;
    k.nw_tos = 0xb8;
    k.nw_ttl = 255;
    return k;
}

/* Compose KEY, check the frame, extract it and compare with KEY. */
static void
roundtrip(const struct vsw_flow_key *key)
{
    uint8_t buf[256];
    struct vsw_flow_key back;
    size_t len = 0;
    uint8_t *exact;

    assert_int_equal(vsw_packet_compose(key, buf, sizeof buf, &len), 0);
    assert_true(len >= 60 && len <= sizeof buf);
    check_frame_csums(buf, len);

    /* Extract from a heap copy of exactly LEN bytes. */
    exact = malloc(len);
    memcpy(exact, buf, len);
    vsw_flow_extract(exact, len, key->in_port, &back);
    free(exact);
    if (memcmp(&back, key, sizeof back)) {
        struct ds a = DS_EMPTY, b = DS_EMPTY;

        vsw_flow_key_format(key, NULL, &a);
        vsw_flow_key_format(&back, NULL, &b);
        print_error("composed  %s (parsed 0x%x)\nextracted %s (parsed 0x%x)\n",
                    ds_cstr(&a), key->parsed, ds_cstr(&b), back.parsed);
        ds_destroy(&a);
        ds_destroy(&b);
        fail();
    }
}

static void
test_l2_only(void **state)
{
    struct vsw_flow_key k = base_key(0x88cc, F_ETH);       /* LLDP */

    (void) state;
    roundtrip(&k);
}

static void
test_udp4(void **state)
{
    struct vsw_flow_key k = ip4_key(17, F_L4);

    (void) state;
    k.tp_src = htons(5000);
    k.tp_dst = htons(53);
    roundtrip(&k);
}

static void
test_tcp4_with_flags(void **state)
{
    struct vsw_flow_key k = ip4_key(6, F_L4);

    (void) state;
    k.tp_src = htons(40000);
    k.tp_dst = htons(80);
    k.tcp_flags = htons(0x012);                 /* SYN|ACK */
    roundtrip(&k);
}

static void
test_icmp4(void **state)
{
    struct vsw_flow_key k = ip4_key(1, F_L4);

    (void) state;
    k.tp_src = htons(8);
    k.tp_dst = htons(0);
    roundtrip(&k);
    k.tp_src = htons(3);
    k.tp_dst = htons(4);
    roundtrip(&k);
}

static void
test_vlan(void **state)
{
    struct vsw_flow_key k = ip4_key(17, F_L4 | VSW_KEY_F_VLAN);

    (void) state;
    k.vlan_tci = htons(VSW_VLAN_CFI | (5 << VSW_VLAN_PCP_SHIFT) | 100);
    k.tp_src = htons(1);
    k.tp_dst = htons(2);
    roundtrip(&k);
    /* VID 0 with a tag present differs from no tag. */
    k.vlan_tci = htons(VSW_VLAN_CFI);
    roundtrip(&k);
}

static void
test_ip4_fragments(void **state)
{
    struct vsw_flow_key k = ip4_key(17, F_L4);

    (void) state;
    k.nw_frag = VSW_FRAG_FIRST;
    k.tp_src = htons(7);
    k.tp_dst = htons(9);
    roundtrip(&k);

    k = ip4_key(17, F_L3);
    k.nw_frag = VSW_FRAG_LATER;
    roundtrip(&k);
}

static void
test_other_ip4_proto(void **state)
{
    struct vsw_flow_key k = ip4_key(47, F_L3);  /* GRE: no L4 we parse */

    (void) state;
    roundtrip(&k);
}

static void
test_ip6(void **state)
{
    struct vsw_flow_key k;

    (void) state;
    k = ip6_key(17, F_L4);
    k.tp_src = htons(546);
    k.tp_dst = htons(547);
    roundtrip(&k);

    k = ip6_key(6, F_L4);
    k.tp_src = htons(22);
    k.tp_dst = htons(50000);
    k.tcp_flags = htons(0x010);
    roundtrip(&k);

    k = ip6_key(58, F_L4);
    k.tp_src = htons(135);                      /* neighbour solicitation */
    k.tp_dst = htons(0);
    roundtrip(&k);

    k = ip6_key(17, F_L4);
    k.nw_frag = VSW_FRAG_FIRST;
    k.tp_src = htons(1);
    k.tp_dst = htons(2);
    roundtrip(&k);

    k = ip6_key(17, F_L3);
    k.nw_frag = VSW_FRAG_LATER;
    roundtrip(&k);
}

static void
test_arp(void **state)
{
    struct vsw_flow_key k = base_key(0x0806, F_L3);

    (void) state;
    set_ip4(k.ip_src, 192, 0, 2, 1);
    set_ip4(k.ip_dst, 192, 0, 2, 254);
    k.nw_proto = 1;                             /* request */
    roundtrip(&k);
    k.nw_proto = 2;
    roundtrip(&k);
}

static void
test_parsed_zero_means_all(void **state)
{
    struct vsw_flow_key full = ip4_key(17, F_L4), zero;
    uint8_t a[128], b[128];
    size_t la, lb;

    (void) state;
    full.tp_src = htons(1000);
    full.tp_dst = htons(2000);
    zero = full;
    zero.parsed = 0;
    assert_int_equal(vsw_packet_compose(&full, a, sizeof a, &la), 0);
    assert_int_equal(vsw_packet_compose(&zero, b, sizeof b, &lb), 0);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
}

static void
test_errors(void **state)
{
    struct vsw_flow_key k = ip4_key(17, F_L4);
    uint8_t buf[256];
    size_t len = 99;

    (void) state;
    /* Too small a buffer: ENOBUFS, nothing claimed. */
    assert_int_equal(vsw_packet_compose(&k, buf, 59, &len), ENOBUFS);
    assert_int_equal(len, 0);
    assert_int_equal(vsw_packet_compose(&k, buf, 60, &len), 0);
    assert_int_equal(len, 60);

    k.nw_frag = 3;
    assert_int_equal(vsw_packet_compose(&k, buf, sizeof buf, &len), EINVAL);

    k = ip4_key(1, F_L4);
    k.tp_src = htons(300);                      /* ICMP type is one byte */
    assert_int_equal(vsw_packet_compose(&k, buf, sizeof buf, &len), EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l2_only),
        cmocka_unit_test(test_udp4),
        cmocka_unit_test(test_tcp4_with_flags),
        cmocka_unit_test(test_icmp4),
        cmocka_unit_test(test_vlan),
        cmocka_unit_test(test_ip4_fragments),
        cmocka_unit_test(test_other_ip4_proto),
        cmocka_unit_test(test_ip6),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_parsed_zero_means_all),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
