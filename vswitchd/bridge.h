/* vswitchd's model of what it runs: engines (one datapathd connection per
 * datapath type in use), bridges (one datapath each) and interfaces (one
 * datapath port each), kept in step with the configuration database.
 *
 * Reconcile (bridge_reconfigure() in bridge.c) follows Open vSwitch's
 * bridge_reconfigure(): read one snapshot of the database, delete what is
 * gone, add what is new, then configure each feature (datapath tuning, MAC
 * table, VLANs, rules), write status back and acknowledge next_cfg in
 * cur_cfg.  Anything that fails is written into the interface's `error`
 * column and retried later; everything else keeps working.
 *
 * Numbering: vswitchd gives every interface an OpenFlow port number
 * (ofport: stable, the DB's value when it has one, else the smallest free
 * number >= 1) and asks the datapath for the same datapath port number, so
 * the two normally coincide; when the datapath picks another number (a port
 * adopted after a restart) the xport keeps both.
 *
 * Everything here runs in the main thread (one libevent loop): upcall.c,
 * revalidator.c and commands.c use these structs directly. */
#ifndef VSW_VSWITCHD_BRIDGE_H
#define VSW_VSWITCHD_BRIDGE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/dp-msg.h"
#include "db/vsdb.h"
#include "utilities/error.h"
#include "utilities/hmap.h"
#include "vswitchd/xlate.h"

struct event;
struct event_base;
struct dpif;
struct ctl_server;

/* Defaults of the tuning knobs (other_config keys in brackets). */
#define BR_DEFAULT_FLOW_LIMIT 200000        /* flow-limit */
#define BR_DEFAULT_MAX_IDLE_MS 10000        /* max-idle */
#define BR_DEFAULT_STATS_INTERVAL_MS 5000   /* stats-update-interval */
#define BR_MIN_STATS_INTERVAL_MS 100
#define BR_REVALIDATE_INTERVAL_MS 1000
#define BR_DB_POLL_INTERVAL_MS 100
#define BR_DEFAULT_ENGINE "xdp"

/* The connections to the datapathd of one engine.  Two, as Open vSwitch
 * keeps its upcall channels apart from its requests: misses arrive on
 * upcall_dpif only (it is the registered receiver and sends nothing), and
 * every request -- flow installs included -- goes on dpif, whose replies
 * never wait behind a backlog of misses.  So a miss flood cannot slow the
 * control socket's commands or the revalidator down, and a request never
 * makes dpif queue (or drop) misses. */
struct br_engine {
    struct hmap_node node;          /* in vswd.engines, by name */
    char *name;                     /* "xdp", "dpdk", "dummy" */
    struct dpif *dpif;              /* requests; NULL while not connected */
    struct dpif *upcall_dpif;       /* misses; set whenever dpif is */
    struct event *ev;               /* upcall_dpif's fd readable */
    struct event *kick_ev;          /* zero timer: handle the misses dpif
                                     * already queued, after the other
                                     * ready events had their turn */
    uint64_t next_try_ms;           /* next connection attempt */
    unsigned int backoff_ms;        /* grows while datapathd is absent */
    char error[VSW_ERROR_MAX];      /* why not connected ("" when fine) */
    unsigned int n_users;           /* bridges of this type */
    uint64_t n_connects;            /* successful connections so far */
};

/* One interface of a bridge: one datapath port. */
struct br_iface {
    struct hmap_node node;          /* in br_bridge.ifaces, by name */
    struct br_bridge *bridge;
    char *name;
    char *port_name;                /* the port row it belongs to */
    char *type;                     /* "system", "internal", ... */
    struct vsdb_smap options;

    /* VLAN configuration (the port row's). */
    int tag;
    uint16_t *trunks;
    size_t n_trunks;
    enum vsdb_vlan_mode vlan_mode;

    uint32_t ofport;                /* OpenFlow port number, 0 = none yet */
    uint32_t dp_port;               /* datapath port number, 0 = not in the
                                     * datapath (error set, or no datapath) */
    struct xport *xport;            /* in bridge->xbr while dp_port != 0 */
    struct vsw_msg_port info;       /* the datapath's last PORT reply */
    char *error;                    /* why it is not in the datapath */
    bool seen;                      /* mark during reconcile */
};

/* One bridge: one datapath on its engine. */
struct br_bridge {
    struct hmap_node node;          /* in vswd.bridges, by name */
    char *name;
    char *dp_type;                  /* engine name */
    struct br_engine *engine;
    uint32_t dp_index;              /* 0: datapath not created */
    char *error;                    /* why there is no datapath */
    bool adopt_flows;               /* next revalidation adopts what the
                                     * datapath has (new datapath handle) */

    struct hmap ifaces;             /* struct br_iface, by name */
    struct xbridge xbr;             /* the translation model */

    /* Rules as last loaded, to detect changes. */
    struct vsdb_rule *rules;        /* copies (strings owned) */
    size_t n_rules;
    uint64_t ports_gen;             /* bumped when xports come or go */
    uint64_t rules_ports_gen;       /* ports_gen the rules were resolved at */

    /* Tuning, from other_config (bridge first, then global). */
    uint32_t flow_limit;
    uint32_t upcall_rate;           /* 0: datapath default */
    uint32_t dp_flow_limit;         /* as last sent to the datapath */
    uint32_t dp_upcall_rate;
    uint64_t max_idle_ms;
    unsigned int mac_aging_s;
    size_t mac_table_size;

    /* Flows (struct ukey in upcall.h), by key. */
    struct hmap ukeys;

    /* Revalidation triggers. */
    bool need_revalidate;           /* rules, ports or VLANs changed */
    uint64_t reval_ml_gen;          /* MAC table generation last seen */
    uint64_t reval_seq;             /* dump counter */

    /* Counters for upcall-show. */
    uint64_t n_upcalls;             /* misses handled */
    uint64_t n_duplicates;          /* misses for a flow being installed */
    uint64_t n_install_fail;        /* FLOW NEW refused by the datapath */
    uint64_t n_exec_fail;
    uint64_t n_flow_limit_hit;      /* executed but not installed: limit */
    uint64_t n_installed;           /* flows installed in total */
    uint64_t n_idle_deleted;
    uint64_t n_evicted;             /* flow-limit evictions */
    uint64_t n_modified;            /* fixed by revalidation */
    uint64_t n_reval_deleted;       /* deleted by revalidation */
    uint64_t n_adopted;             /* flows adopted from the datapath */
    uint64_t rate_sec;              /* setup rate: current second */
    uint64_t rate_this;             /* installs in rate_sec */
    uint64_t rate_last;             /* installs in the previous second */
    uint64_t rate_peak;
    bool stats_dirty;               /* rule counters changed since the last
                                     * DB write */
};

/* The daemon. */
struct vswd {
    struct event_base *base;
    char *rundir;
    struct vsdb *db;
    struct hmap engines;            /* struct br_engine */
    struct hmap bridges;            /* struct br_bridge */
    struct ctl_server *ctl;
    struct event *db_timer;         /* DB poll + reconnects */
    struct event *reval_timer;
    struct event *stats_timer;
    int64_t cur_cfg;                /* last acknowledged */
    bool reconfigure_pending;       /* poke or DB change: reconcile soon */
    uint64_t stats_interval_ms;
    uint64_t max_idle_ms;           /* global default */
    uint32_t flow_limit;            /* global default */
    uint64_t n_reconfigures;
    char db_error[VSW_ERROR_MAX];   /* last DB failure, "" when fine */
};

extern struct vswd vswd;

int bridge_init(struct event_base *, const char *db_path, const char *rundir,
                struct vsw_error *);
/* Stops without touching the datapaths (their flows keep forwarding). */
void bridge_exit(void);

/* Reconciles now (the "poke" command). */
void bridge_poke(void);
/* Runs the reconcile if the database changed or a poke asked for it. */
void bridge_run(void);

struct br_bridge *bridge_find(const char *name);
struct br_bridge *bridge_find_by_dp(const struct br_engine *,
                                    uint32_t dp_index);
struct br_iface *bridge_iface_by_dp_port(const struct br_bridge *,
                                         uint32_t dp_port);
struct br_iface *bridge_iface_by_ofport(const struct br_bridge *,
                                        uint32_t ofport);
/* The datapath port name for DP_PORT, or NULL. */
const char *bridge_dp_port_name(const struct br_bridge *, uint32_t dp_port);

/* Whether BR's datapath can be used now. */
bool bridge_dp_ready(const struct br_bridge *);

/* Called when a dpif call on ENGINE failed with ERROR: a dead connection
 * (EPIPE, ECONNRESET, ENOTCONN, ETIMEDOUT) closes it and schedules a
 * reconnect.  Returns true if the connection was dropped. */
bool bridge_engine_failed(struct br_engine *, int error);

/* Makes sure queued upcalls of every engine get handled soon (after a
 * synchronous dpif call that may have queued some). */
void bridge_kick_upcalls(void);

/* Writes interface and rule statistics now. */
void bridge_write_stats(void);

/* Bridges sorted by name (for stable output).  Caller frees the array. */
struct br_bridge **bridge_sorted(size_t *n);
/* BR's interfaces sorted by ofport. */
struct br_iface **bridge_ifaces_sorted(const struct br_bridge *, size_t *n);

/* Helpers exposed for unit tests. */

/* Picks the OpenFlow port number for an interface: WANT (the DB's ofport)
 * if it is >= 1, < 65280 and not in USED, else the smallest free number
 * >= 1.  USED_FN tells whether a number is taken. */
uint32_t bridge_pick_ofport(int64_t want, bool (*used_fn)(uint32_t, void *),
                            void *aux);
/* Reads other_config KEY as an unsigned number in [MIN, MAX] from BR then
 * GLOBAL (either may be NULL); DFLT when absent or invalid. */
unsigned long long bridge_knob(const struct vsdb_smap *br,
                               const struct vsdb_smap *global,
                               const char *key, unsigned long long min,
                               unsigned long long max,
                               unsigned long long dflt);

#endif
