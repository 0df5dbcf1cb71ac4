/* Telling, from its bytes, that a frame has the same flow key as the frame
 * before it in a burst, so that a train of one flow is parsed, hashed and
 * looked up once (dpdk-pmd.c).
 *
 * vsw_flow_extract() reads at most 98 bytes of a frame that is not IPv6
 * (Ethernet, one VLAN tag, IPv4 with 40 bytes of options, a 20-byte TCP
 * header; ARP and other types less), and depends otherwise only on the
 * frame's length and the input port.  So two frames of the same length,
 * from the same port, that agree on their first MIN(length, DEDUP_BYTES)
 * bytes have the same key -- provided the first one's key is not IPv6,
 * whose extension header chains can reach further.
 * tests/unit/test-dpdk-dedup.c holds the parser to this. */
#ifndef VSW_DPDK_DEDUP_H
#define VSW_DPDK_DEDUP_H 1

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include "vswitch/flow-key.h"

#define VSW_DEDUP_BYTES 128
#define VSW_DEDUP_MIN_LEN 14

typedef uint64_t vsw_dedup_u64 __attribute__((may_alias, aligned(1)));

/* Whether a frame with KEY may serve as the reference for the next ones. */
static inline bool
vsw_dedup_key_ok(const struct vsw_flow_key *key, uint32_t len)
{
    return len >= VSW_DEDUP_MIN_LEN && key->eth_type != htons(0x86dd);
}

/* Whether frames A and B, both LEN bytes long (LEN >= VSW_DEDUP_MIN_LEN),
 * agree on the bytes that decide their keys. */
static inline bool
vsw_dedup_same(const uint8_t *a, const uint8_t *b, uint32_t len)
{
    uint32_t n = len < VSW_DEDUP_BYTES ? len : VSW_DEDUP_BYTES, i;

    for (i = 0; i + 8 <= n; i += 8) {
        if (*(const vsw_dedup_u64 *) (a + i) != *(const vsw_dedup_u64 *) (b + i)) {
            return false;
        }
    }
    /* The tail: one overlapping word. */
    return i == n || *(const vsw_dedup_u64 *) (a + n - 8)
                     == *(const vsw_dedup_u64 *) (b + n - 8);
}

#endif
