/* The revalidator: keeps the datapath's flows honest.
 *
 * Every BR_REVALIDATE_INTERVAL_MS (and on the `revalidate` command) each
 * bridge's datapath flows are dumped (in batches, by dpif) and for each:
 *
 *   - statistics: the packets and bytes since the previous dump are credited
 *     to the rules its translation hit, and the MACs it learned are
 *     refreshed in the MAC table when it was used;
 *   - idle expiry: a flow not used for max-idle (default 10 s) is deleted;
 *   - re-translation: when the rules, the ports, the VLAN configuration or
 *     (for flows that went through NORMAL) the MAC table changed since the
 *     previous pass, the flow is translated again without learning and its
 *     actions are fixed in place, or the flow is deleted if it cannot be
 *     translated any more;
 *   - adoption: a flow vswitchd has no record of (vswitchd restarted; the
 *     datapath kept forwarding) gets a record, teaches the MAC table its
 *     source, and is then re-translated like the others, so correct flows
 *     stay untouched and no established traffic is lost;
 *   - flow limit: when the datapath holds flow-limit flows or more, the
 *     idlest are evicted until a tenth of the limit is free again.
 *
 * Flows with a record but absent from the dump were removed by someone
 * else (dpctl, a datapathd restart): their records go.
 *
 * MAC aging runs at the start of each pass. */
#ifndef VSW_VSWITCHD_REVALIDATOR_H
#define VSW_VSWITCHD_REVALIDATOR_H 1

#include <stdint.h>

struct br_bridge;

/* One pass over BR.  Returns 0 or the dpif error that stopped it. */
int revalidator_run(struct br_bridge *);
/* One pass over every bridge whose datapath is reachable. */
void revalidator_run_all(void);

/* The eviction target for a flow limit: how many flows may remain after
 * evicting when the datapath is at LIMIT (exposed for unit tests). */
uint64_t revalidator_evict_target(uint64_t limit);

#endif
