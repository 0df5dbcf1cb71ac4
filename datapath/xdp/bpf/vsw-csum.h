/* Incremental Internet checksum updates for BPF (RFC 1624, eqn. 3):
 *
 *     HC' = ~(~HC + ~m + m')
 *
 * XDP has no csum_replace helpers (those are skb-only), and recomputing a
 * whole checksum would need a loop over the payload, so every rewrite of a
 * checksummed field folds the old and new value into the existing sum.
 * Values are taken as they sit in memory (network order); one's complement
 * sums do not care about byte order as long as both sides agree. */
#ifndef VSW_XDP_BPF_CSUM_H
#define VSW_XDP_BPF_CSUM_H 1

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

static __always_inline __u16
vsw_csum_fold(__u32 sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16) sum;
}

/* Adds ~OLD + NEW (one 16-bit word) to the running unfolded SUM.  A word
 * that does not change adds nothing (not 0xffff): datapath/actions.c skips
 * such words, and the two must agree even on a checksum field of 0xffff. */
static __always_inline __u32
vsw_csum_add16(__u32 sum, __u16 old, __u16 new)
{
    return old == new ? sum : sum + (__u16) ~old + new;
}

static __always_inline __u32
vsw_csum_add32(__u32 sum, __u32 old, __u32 new)
{
    sum = vsw_csum_add16(sum, (__u16) old, (__u16) new);
    return vsw_csum_add16(sum, (__u16) (old >> 16), (__u16) (new >> 16));
}

/* Applies the unfolded difference DIFF (as built by vsw_csum_add*) to the
 * checksum field value CHECK. */
static __always_inline __u16
vsw_csum_apply(__u16 check, __u32 diff)
{
    return ~vsw_csum_fold((__u16) ~check + diff);
}

#endif /* VSW_XDP_BPF_CSUM_H */
