/* Unit tests for datapath/dpdk/dedup.h: the DPDK PMD reuses a frame's key
 * for the next frame of the burst when both have the same length and agree
 * on their first MIN(length, VSW_DEDUP_BYTES) bytes.  That is only right
 * while vsw_flow_extract() decides non-IPv6 keys from those bytes alone;
 * these tests hold the real parser to it with random frames. */
#include <config.h>

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "datapath/dpdk/dedup.h"
#include "datapath/flow.h"

static uint32_t rng = 0x12345678;

static uint32_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* A random frame of LEN bytes whose headers are plausible enough to take
 * the parser down its deeper paths: VLAN tags, IPv4 with options and
 * fragments, TCP/UDP/ICMP, ARP. */
static void
random_frame(uint8_t *f, uint32_t len)
{
    static const uint16_t types[] = {
        0x0800, 0x0800, 0x0800, 0x0806, 0x8100, 0x88a8, 0x86dd, 0x1234,
    };
    uint32_t off = 12;

    for (uint32_t i = 0; i < len; i++) {
        f[i] = (uint8_t) rnd();
    }
    if (len < 14) {
        return;
    }
    uint16_t t = types[rnd() % (sizeof types / sizeof types[0])];
    if (t == 0x8100 || t == 0x88a8) {
        f[off] = (uint8_t) (t >> 8);
        f[off + 1] = (uint8_t) t;
        off += 4;
        t = rnd() % 4 ? 0x0800 : (rnd() % 2 ? 0x8100 : 0x0806);
        if (off + 2 > len) {
            return;
        }
    }
    f[off] = (uint8_t) (t >> 8);
    f[off + 1] = (uint8_t) t;
    off += 2;
    if (t == 0x0800 && off + 20 <= len) {
        uint32_t ihl = 5 + rnd() % 11;                  /* 5..15 */
        uint32_t tot = ihl * 4 + rnd() % 200;
        static const uint8_t protos[] = { 6, 6, 17, 17, 1, 47 };

        f[off] = (uint8_t) (0x40 | ihl);
        f[off + 2] = (uint8_t) (tot >> 8);
        f[off + 3] = (uint8_t) tot;
        f[off + 6] = rnd() % 4 ? 0 : (uint8_t) rnd();   /* mostly no frag */
        f[off + 7] = rnd() % 4 ? 0 : (uint8_t) rnd();
        f[off + 9] = protos[rnd() % sizeof protos];
        if (f[off + 9] == 6 && off + ihl * 4 + 13 < len) {
            f[off + ihl * 4 + 12] = (uint8_t) ((5 + rnd() % 11) << 4);
        }
    } else if (t == 0x0806 && off + 8 <= len) {
        f[off] = 0; f[off + 1] = 1;                     /* Ethernet */
        f[off + 2] = 0x08; f[off + 3] = 0;              /* IPv4 */
        f[off + 4] = 6; f[off + 5] = 4;
    }
}

/* The parser never looks past the compared bytes of a frame whose key may
 * be reused. */
static void
test_parser_reads_only_the_compared_bytes(void **state)
{
    uint8_t f[400], g[400];
    unsigned int tested = 0, deep = 0;

    (void) state;
    for (int round = 0; round < 40000; round++) {
        uint32_t len = 14 + rnd() % 300;
        struct vsw_flow_key k1, k2;

        random_frame(f, len);
        vsw_flow_extract(f, len, 3, &k1);
        if (!vsw_dedup_key_ok(&k1, len) || len <= VSW_DEDUP_BYTES) {
            continue;
        }
        tested++;
        deep += (k1.parsed & VSW_KEY_F_L4) != 0;
        for (int m = 0; m < 8; m++) {
            memcpy(g, f, len);
            for (uint32_t i = VSW_DEDUP_BYTES; i < len; i++) {
                g[i] = (uint8_t) rnd();
            }
            assert_true(vsw_dedup_same(f, g, len));
            vsw_flow_extract(g, len, 3, &k2);
            /* The whole key, tcp_flags included. */
            assert_memory_equal(&k1, &k2, sizeof k1);
        }
    }
    /* The random frames did exercise long frames with parsed L4. */
    assert_true(tested > 1000);
    assert_true(deep > 100);
}

/* Any difference in the compared bytes is seen. */
static void
test_every_compared_byte_counts(void **state)
{
    uint8_t f[200], g[200];

    (void) state;
    for (uint32_t len = VSW_DEDUP_MIN_LEN; len <= 200; len++) {
        random_frame(f, len);
        memcpy(g, f, len);
        assert_true(vsw_dedup_same(f, g, len));
        for (uint32_t i = 0; i < len && i < VSW_DEDUP_BYTES; i++) {
            g[i] ^= 0x10;
            assert_false(vsw_dedup_same(f, g, len));
            g[i] ^= 0x10;
        }
    }
}

static void
test_ipv6_and_short_frames_never_reused(void **state)
{
    struct vsw_flow_key k;

    (void) state;
    memset(&k, 0, sizeof k);
    k.eth_type = htons(0x86dd);
    assert_false(vsw_dedup_key_ok(&k, 100));
    k.eth_type = htons(0x0800);
    assert_true(vsw_dedup_key_ok(&k, 100));
    assert_false(vsw_dedup_key_ok(&k, 13));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parser_reads_only_the_compared_bytes),
        cmocka_unit_test(test_every_compared_byte_counts),
        cmocka_unit_test(test_ipv6_and_short_frames_never_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
