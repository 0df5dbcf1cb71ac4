/* See ratelimit.h. */
#include <config.h>
#include "datapath/ratelimit.h"

#include <stdbool.h>

#define NSEC_PER_SEC 1000000000ull

static uint32_t
clamp_u32(uint32_t v, uint32_t max)
{
    return v > max ? max : v;
}

void
vsw_token_bucket_set(struct vsw_token_bucket *tb, uint32_t rate,
                     uint32_t burst, uint64_t now_ns)
{
    bool was_unlimited = !tb->rate;

    rate = clamp_u32(rate, VSW_TB_MAX_RATE);
    burst = clamp_u32(burst ? burst : rate, VSW_TB_MAX_RATE);
    if (rate && !burst) {
        burst = 1;
    }
    if (was_unlimited) {
        /* An unlimited bucket had everything: start limiting from full. */
        tb->credit = UINT64_MAX;
    }
    tb->rate = rate;
    tb->burst = burst;
    if (tb->credit > (uint64_t) burst * NSEC_PER_SEC) {
        tb->credit = (uint64_t) burst * NSEC_PER_SEC;
    }
    tb->last_ns = now_ns;
}

void
vsw_token_bucket_init(struct vsw_token_bucket *tb, uint32_t rate,
                      uint32_t burst, uint64_t now_ns)
{
    tb->rate = 0;
    tb->n_refused = 0;
    vsw_token_bucket_set(tb, rate, burst, now_ns);
}

bool
vsw_token_bucket_withdraw(struct vsw_token_bucket *tb, uint32_t n,
                          uint64_t now_ns)
{
    uint64_t cap, need;

    if (!tb->rate) {
        return true;
    }

    cap = (uint64_t) tb->burst * NSEC_PER_SEC;
    if (now_ns > tb->last_ns) {
        /* Refill.  Clamp the elapsed time first: after a long idle period
         * ELAPSED * RATE could overflow, and the bucket is full anyway once
         * ELAPSED reaches BURST / RATE seconds. */
        uint64_t elapsed = now_ns - tb->last_ns;
        uint64_t fill_ns = cap / tb->rate + 1;

        if (elapsed > fill_ns) {
            elapsed = fill_ns;
        }
        tb->credit += elapsed * tb->rate;
        if (tb->credit > cap) {
            tb->credit = cap;
        }
        tb->last_ns = now_ns;
    }

    need = (uint64_t) n * NSEC_PER_SEC;
    if (tb->credit >= need) {
        tb->credit -= need;
        return true;
    }
    tb->n_refused++;
    return false;
}
