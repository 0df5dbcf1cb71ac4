/* A token bucket for packet-path rate limits (per-port upcall rate in the
 * dummy and DPDK engines; the XDP engine keeps its own in BPF).
 *
 * The caller passes the current time, so withdrawing makes no syscall and
 * costs a few integer operations: fit for a PMD loop.  A bucket has one
 * owner (one thread); nothing here is atomic.
 *
 * Units: one token is one packet.  Credit is kept in token-nanoseconds
 * (tokens * 1e9) so that refilling at RATE tokens/s over ELAPSED ns adds
 * exactly ELAPSED * RATE, with no division on the fast path.  The bucket
 * holds at most BURST tokens and starts full. */
#ifndef VSW_DATAPATH_RATELIMIT_H
#define VSW_DATAPATH_RATELIMIT_H 1

#include <stdbool.h>
#include <stdint.h>

/* Largest accepted rate and burst: keeps burst * 1e9 and the refill
 * product far from 64-bit overflow. */
#define VSW_TB_MAX_RATE 1000000000u

struct vsw_token_bucket {
    uint32_t rate;              /* tokens per second; 0 = unlimited */
    uint32_t burst;             /* bucket size in tokens (>= 1 when limited) */
    uint64_t credit;            /* tokens * 1e9 available now */
    uint64_t last_ns;           /* time of the last refill */
    uint64_t n_refused;         /* withdrawals refused since init */
};

/* Sets RATE tokens/s (0: unlimited) and BURST tokens (0: one second's worth,
 * at least 1); values above VSW_TB_MAX_RATE are clamped.  The bucket starts
 * full at NOW_NS. */
void vsw_token_bucket_init(struct vsw_token_bucket *, uint32_t rate,
                           uint32_t burst, uint64_t now_ns);

/* Changes rate and burst, keeping the credit (capped at the new burst), so
 * that retuning does not hand out a fresh burst.  A bucket that was
 * unlimited (rate 0) starts full. */
void vsw_token_bucket_set(struct vsw_token_bucket *, uint32_t rate,
                          uint32_t burst, uint64_t now_ns);

/* Takes N tokens if available at NOW_NS and returns true; otherwise takes
 * none, counts a refusal and returns false.  A clock that goes backwards
 * refills nothing. */
bool vsw_token_bucket_withdraw(struct vsw_token_bucket *, uint32_t n,
                               uint64_t now_ns);

#endif
