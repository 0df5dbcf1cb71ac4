/* Upcall handling: datapath misses -> translation -> FLOW NEW + EXECUTE,
 * and the per-flow records ("ukeys", as Open vSwitch calls them) that the
 * revalidator keeps in step with the datapath.
 *
 * A miss is read in batches (dpif_recv_upcalls(), UPCALL_BATCH at a time),
 * translated with xlate() (may_learn: the packet teaches the MAC table),
 * and answered with one dpif_operate() per batch: FLOW NEW with the exact
 * key and the actions, then EXECUTE of the packet with the same actions.
 * A miss for a flow that vswitchd installed moments ago (it was queued
 * before the flow landed) is a duplicate: EXECUTE only.  At the flow limit
 * the packet is executed but no flow is installed.
 *
 * Every installed flow has a ukey: its key, its actions, the rules and MAC
 * entries its translation depended on, and the datapath counters last seen,
 * so that the revalidator can credit statistics to rules, refresh learned
 * MACs while the flow is used, expire idle flows and re-translate flows
 * when rules, ports or MACs change. */
#ifndef VSW_VSWITCHD_UPCALL_H
#define VSW_VSWITCHD_UPCALL_H 1

#include <stdbool.h>
#include <stdint.h>
#include "utilities/hmap.h"
#include "vswitch/flow-key.h"
#include "vswitchd/xlate.h"

struct br_bridge;
struct br_engine;

#define UPCALL_BATCH 64
/* Batches handled per wakeup before yielding to the other events (control
 * socket, timers), so a flood of misses cannot starve them. */
#define UPCALL_MAX_BATCHES 4
/* A miss for a flow installed less than this long ago is a duplicate (it
 * was queued in the datapath before the flow landed); later misses mean
 * the datapath lost the flow, which is then installed again. */
#define UPCALL_DUPLICATE_MS 1000

/* A MAC learned by a flow's translation: refreshed while the flow is used,
 * so that the MAC table does not age out entries whose traffic the
 * datapath forwards without upcalls. */
struct ukey_mac {
    uint16_t vlan;
    uint8_t mac[6];
    uint32_t port;                  /* ofport */
};

struct ukey {
    struct hmap_node node;          /* in br_bridge.ukeys, by key hash */
    struct vsw_flow_key key;        /* exact key, tcp_flags zeroed */

    /* The translation the installed flow carries. */
    uint32_t n_actions;
    struct vsw_action *actions;     /* n_actions entries (may be NULL) */
    int64_t *rule_ids;              /* rules to credit, with repeats */
    uint32_t n_rules;
    struct ukey_mac *learned;
    uint32_t n_learned;
    bool used_normal;               /* depends on the MAC table */
    bool needs_xlate;               /* re-translate at the next pass */

    uint64_t created_ms;            /* monotonic */
    uint64_t used_ms;               /* last datapath hit, or created_ms */
    uint64_t n_packets;             /* datapath counters last seen */
    uint64_t n_bytes;
    uint64_t dump_seq;              /* last revalidation dump that saw it */
};

/* Key normalisation: what vswitchd hashes, stores and installs. */
void ukey_normalize_key(struct vsw_flow_key *);
uint32_t ukey_hash(const struct vsw_flow_key *);

struct ukey *ukey_find(const struct br_bridge *, const struct vsw_flow_key *);
/* Creates a ukey for KEY with the translation XOUT (may be NULL: no
 * actions yet, needs_xlate set) and inserts it. */
struct ukey *ukey_create(struct br_bridge *, const struct vsw_flow_key *,
                         const struct xlate_out *, uint64_t now_ms);
/* Replaces UKEY's translation with XOUT's. */
void ukey_set_xlate(struct ukey *, const struct xlate_out *);
/* Replaces UKEY's actions only (adopted flows before translation). */
void ukey_set_actions(struct ukey *, const struct vsw_actions *);
void ukey_get_actions(const struct ukey *, struct vsw_actions *);
bool ukey_actions_equal(const struct ukey *, const struct vsw_actions *);
void ukey_destroy(struct br_bridge *, struct ukey *);
void ukey_destroy_all(struct br_bridge *);

/* Adds N_PACKETS/N_BYTES to the counters of the rules in RULE_IDS. */
void upcall_credit_rules(struct br_bridge *, const int64_t *rule_ids,
                         size_t n_rules, uint64_t n_packets,
                         uint64_t n_bytes, uint64_t now_ms);
/* Counts one installed flow for the setup rate. */
void upcall_count_install(struct br_bridge *, uint64_t now_ms);
/* Installs per second: last full second and peak. */
uint64_t upcall_setup_rate(struct br_bridge *, uint64_t now_ms);

/* libevent callback for an engine's dpif fd (ENGINE is the aux). */
void upcall_engine_cb(int fd, short what, void *engine);
/* Makes ENGINE's queued misses be handled at the next loop iteration,
 * after the events that are ready now. */
void upcall_kick(struct br_engine *);
/* Handles up to UPCALL_MAX_BATCHES batches of ENGINE's queued misses.
 * Returns true if more may be waiting. */
bool upcall_handle(struct br_engine *);

/* Reinstalls every ukey of BR into its datapath (after datapathd came
 * back).  Returns 0 or the transport error. */
int upcall_reinstall(struct br_bridge *);

#endif
