/* MAC learning table of one bridge: which port a (VLAN, MAC) was last seen
 * on, as NORMAL switching learns it.
 *
 * Entries are keyed by (VLAN, MAC): the same MAC in two VLANs is two
 * entries (learning is per VLAN, like Open vSwitch).  Every entry sits on
 * an LRU list ordered by last-seen time, oldest first, which serves both
 * aging (vsw_mac_expire() pops from the front while the front is older than
 * the aging time) and the size limit (learning a new entry in a full table
 * evicts the front, the entry seen longest ago).
 *
 * Time is passed in by the caller (monotonic milliseconds), so tests can
 * inject it and the packet path never makes a syscall.
 *
 * Entries stay visible to vsw_mac_lookup() until vsw_mac_expire() removes
 * them (as in Open vSwitch, whose mac_learning_run() does the aging): the
 * daemon runs expiry from a timer (vsw_mac_next_expiry() says when).
 *
 * `generation` increases whenever the mapping changes (new entry, moved
 * entry, expiry, eviction, flush), never on a mere refresh of an entry's
 * time; the daemon compares it to decide when to revalidate flows that
 * NORMAL translated.
 *
 * Not thread-safe: vswitchd's main loop owns it. */
#ifndef VSW_VSWITCHD_MAC_LEARNING_H
#define VSW_VSWITCHD_MAC_LEARNING_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "utilities/ds.h"
#include "utilities/hmap.h"
#include "utilities/list.h"

#define VSW_MAC_DEFAULT_AGING_S 300     /* other_config:mac-aging-time */
#define VSW_MAC_DEFAULT_MAX 8192        /* other_config:mac-table-size */
#define VSW_MAC_MIN_AGING_S 15          /* OVS clamps to [15, 3600] */
#define VSW_MAC_MAX_AGING_S 3600

struct vsw_mac_entry {
    struct hmap_node node;          /* in vsw_mac_table.by_key */
    struct vsw_list lru;            /* in vsw_mac_table.lru, oldest first */
    uint16_t vlan;                  /* 0..4095 */
    uint8_t mac[6];
    uint32_t port;                  /* ofport it was last seen on */
    uint64_t used_ms;               /* last seen (monotonic ms) */
};

struct vsw_mac_table {
    struct hmap by_key;             /* struct vsw_mac_entry, by (vlan, mac) */
    struct vsw_list lru;            /* oldest first */
    uint64_t aging_ms;              /* idle time before expiry */
    size_t max_entries;             /* >= 1 */
    uint64_t generation;            /* see the top of this file */

    /* Counters for upcall-show / debugging. */
    uint64_t n_learned;             /* new entries */
    uint64_t n_moved;
    uint64_t n_expired;
    uint64_t n_evicted;             /* by the size limit */
};

/* What vsw_mac_learn() did.  0 means "no change to the mapping", so the
 * result also works as a bool. */
enum vsw_mac_learn_result {
    VSW_MAC_UNCHANGED = 0,          /* known on this port; time refreshed */
    VSW_MAC_NEW = 1,                /* new entry (maybe evicting the oldest) */
    VSW_MAC_MOVED = 2,              /* known on another port: now on PORT */
};

/* AGING_S 0 means the default; values are clamped like Open vSwitch does
 * (15..3600 s).  MAX 0 means the default. */
void vsw_mac_table_init(struct vsw_mac_table *, unsigned int aging_s,
                        size_t max);
void vsw_mac_table_destroy(struct vsw_mac_table *);

/* Changes the aging time (0 = default; clamped).  Existing entries age by
 * the new value at the next vsw_mac_expire(). */
void vsw_mac_set_aging(struct vsw_mac_table *, unsigned int aging_s);
/* Changes the size limit (0 = default) and evicts the oldest entries at
 * once if the table is over it.  Returns how many were evicted. */
size_t vsw_mac_set_max(struct vsw_mac_table *, size_t max);

/* Whether SRC may be learned at all: not multicast/broadcast (the rule of
 * Open vSwitch's mac_learning_may_learn()). */
bool vsw_mac_may_learn(const uint8_t src[6]);

/* Records that MAC in VLAN was seen on PORT at NOW_MS.  Returns what
 * changed (see enum vsw_mac_learn_result); for VSW_MAC_MOVED stores the
 * previous port in *OLD_PORT if nonnull.  Refuses (VSW_MAC_UNCHANGED, no
 * entry) a MAC for which vsw_mac_may_learn() is false.  Never allocates
 * more than one entry; a full table evicts its oldest entry. */
enum vsw_mac_learn_result vsw_mac_learn(struct vsw_mac_table *, uint16_t vlan,
                                        const uint8_t mac[6], uint32_t port,
                                        uint64_t now_ms, uint32_t *old_port);

/* The entry for (VLAN, MAC), or NULL.  Multicast MACs are never found.
 * No allocation. */
const struct vsw_mac_entry *vsw_mac_lookup(const struct vsw_mac_table *,
                                           uint16_t vlan,
                                           const uint8_t mac[6]);

/* Removes the entries idle for longer than the aging time at NOW_MS.  CB,
 * if nonnull, sees each entry just before it is freed.  Returns the number
 * removed. */
size_t vsw_mac_expire(struct vsw_mac_table *, uint64_t now_ms,
                      void (*cb)(const struct vsw_mac_entry *, void *aux),
                      void *aux);
/* When (monotonic ms) the oldest entry expires; UINT64_MAX when empty. */
uint64_t vsw_mac_next_expiry(const struct vsw_mac_table *);

/* Flushes.  Each returns the number of entries removed. */
size_t vsw_mac_flush(struct vsw_mac_table *);
size_t vsw_mac_flush_port(struct vsw_mac_table *, uint32_t port);
size_t vsw_mac_flush_vlan(struct vsw_mac_table *, uint16_t vlan);

static inline size_t
vsw_mac_count(const struct vsw_mac_table *ml)
{
    return hmap_count(&ml->by_key);
}

/* Age in whole seconds of E at NOW_MS. */
unsigned int vsw_mac_entry_age(const struct vsw_mac_entry *, uint64_t now_ms);

/* Iteration, oldest first (the order ovs-appctl fdb/show prints). */
#define VSW_MAC_FOR_EACH(E, ML) VSW_LIST_FOR_EACH (E, lru, &(ML)->lru)

/* Maps an ofport to the name to print; may return NULL to print the
 * number. */
typedef const char *vsw_mac_port_name_func(uint32_t port, void *aux);

/* `fdb-show BR` text, the ovs-appctl fdb/show layout:
 *      " port  VLAN  MAC                Age\n"
 *      "   p1    10  02:00:00:00:00:01    3\n"
 * PORT_NAME may be NULL (numbers are printed). */
void vsw_mac_format(const struct vsw_mac_table *, uint64_t now_ms,
                    vsw_mac_port_name_func *port_name, void *aux,
                    struct ds *out);
/* The same as a JSON array:
 *   [{"port":"p1","vlan":10,"mac":"02:00:00:00:00:01","age":3}, ...]
 * ("port" is the number when PORT_NAME gives no name). */
void vsw_mac_format_json(const struct vsw_mac_table *, uint64_t now_ms,
                         vsw_mac_port_name_func *port_name, void *aux,
                         struct ds *out);

#endif
