/* libvsdb: typed access to the configuration database (conf.db), shared by
 * vsctl (which edits the desired state) and vswitchd (which reads it and
 * writes status back).
 *
 * The database
 * ------------
 * One sqlite file in WAL mode, foreign keys on, mode 0600.  db/schema.sql is
 * the current schema; `PRAGMA user_version` is its version
 * (VSDB_SCHEMA_VERSION).  vsdb_open() migrates an older file forward inside
 * one transaction and refuses a newer one ("database schema version N is
 * newer than this vsctl understands (M); upgrade vswitch").
 *
 *   global (one row)  next_cfg, cur_cfg, other_config{}
 *   bridge            name, datapath_type ("xdp" by default), fail_mode,
 *                     other_config{}, and its ports and rules
 *   port              name, tag, trunks, vlan_mode, other_config{}, and its
 *                     interfaces (add-port makes one, same name)
 *   interface         name, type, options{}, other_config{}; status written
 *                     by vswitchd: ofport, mac, mtu, admin_state,
 *                     link_state, error, status{}, statistics{}
 *   rule              OpenFlow-style rule of a bridge: table, priority,
 *                     match and actions as canonical text (db/rule.h),
 *                     cookie, timeouts; n_packets/n_bytes written by vswitchd
 *
 * Deleting a bridge deletes its ports, interfaces and rules (ON DELETE
 * CASCADE).  Names of bridges, ports and interfaces are each unique across
 * the whole database.
 *
 * Transactions and concurrency
 * ----------------------------
 * Many vsctl processes and vswitchd use the file at once.  Writers take the
 * write lock at the start (BEGIN IMMEDIATE) and wait for it up to the busy
 * timeout (10 s by default), so a transaction never fails halfway on a lock.
 * Readers in WAL mode never wait for writers and see one consistent
 * snapshot for the whole of a read transaction.
 *
 * The configuration handshake (what `vsctl --wait` relies on)
 * ------------------------------------------------------------
 * Every vsctl transaction that changes the desired state increments
 * global.next_cfg.  vswitchd, when it sees a change (vsdb_poll_changed(),
 * or a "poke" on its control socket), reads the whole configuration with
 * vsdb_read_config(), applies it, writes status, and then stores the
 * next_cfg it applied with vsdb_set_cur_cfg().  `vsctl --wait` waits until
 * cur_cfg >= the next_cfg it committed.
 *
 * A typical vswitchd reconcile:
 *
 *     bool changed;
 *     if (!vsdb_poll_changed(db, &changed, &err) && changed) {
 *         struct vsdb_config *cfg;
 *         if (!vsdb_read_config(db, &cfg, &err)) {   // one snapshot
 *             ... apply cfg ...
 *             vsdb_begin(db, VSDB_TXN_WRITE, &err);
 *             vsdb_set_iface_status(db, "p1", &st, &err);   // per iface
 *             vsdb_set_cur_cfg(db, cfg->next_cfg, &err);
 *             vsdb_commit(db, &err);
 *             vsdb_config_free(cfg);
 *         }
 *     }
 *
 * Errors: functions return 0 or a positive errno and, when ERR is nonnull,
 * fill it with one sentence (sqlite's text included where it helps).  A
 * database that is locked for longer than the busy timeout gives EBUSY.
 * Handles are not thread-safe: use one per thread.
 */
#ifndef VSW_DB_VSDB_H
#define VSW_DB_VSDB_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "utilities/error.h"

struct sqlite3;
struct vsdb;                    /* an open database handle (opaque) */

/* The schema version this build writes and understands. */
#define VSDB_SCHEMA_VERSION 2

#define VSDB_DEFAULT_DB "/var/lib/vswitch/conf.db"
#define VSDB_DEFAULT_RUNDIR "/run/vswitch"
#define VSDB_DEFAULT_BUSY_TIMEOUT_MS 10000

/* ------------------------------------------------------------------------
 * String maps (options, other_config, status, statistics).
 * ------------------------------------------------------------------------ */

struct vsdb_smap_node {
    char *key;
    char *value;
};

/* Key/value pairs sorted by key, keys unique.  Owns its strings. */
struct vsdb_smap {
    size_t n;
    struct vsdb_smap_node *nodes;
};

#define VSDB_SMAP_INITIALIZER { 0, NULL }

void vsdb_smap_init(struct vsdb_smap *);
void vsdb_smap_destroy(struct vsdb_smap *);
/* Adds KEY=VALUE, replacing an existing value for KEY. */
void vsdb_smap_add(struct vsdb_smap *, const char *key, const char *value);
void vsdb_smap_add_format(struct vsdb_smap *, const char *key,
                          const char *fmt, ...) VSW_PRINTF(3, 4);
/* Removes KEY if present.  Returns whether it was. */
bool vsdb_smap_remove(struct vsdb_smap *, const char *key);
/* The value of KEY, or NULL. */
const char *vsdb_smap_get(const struct vsdb_smap *, const char *key);
/* The value of KEY parsed as an unsigned number (decimal, or hexadecimal
 * with a 0x prefix), or DFLT when KEY is absent or not a number.  Values
 * that vsctl wrote were validated at write time. */
unsigned long long vsdb_smap_get_ull(const struct vsdb_smap *,
                                     const char *key,
                                     unsigned long long dflt);
bool vsdb_smap_get_bool(const struct vsdb_smap *, const char *key,
                        bool dflt);
/* Whether both maps hold the same pairs. */
bool vsdb_smap_equal(const struct vsdb_smap *, const struct vsdb_smap *);

/* ------------------------------------------------------------------------
 * The whole configuration, as read by vsdb_read_config().
 *
 * Plain structs: arrays with counts, strings owned by the config and freed
 * by vsdb_config_free().  String columns that are NULL in the database are
 * NULL here unless a default is stated.  Arrays are sorted by name (rules:
 * by table, then descending priority, then id), so two reads of the same
 * database compare equal element by element.
 * ------------------------------------------------------------------------ */

struct vsdb_interface {
    int64_t id;                 /* row id, stable while the row exists */
    char *name;
    char *type;                 /* "system" (default), "internal", "dpdk",
                                 * "dpdkvhostuser", "dpdkvhostuserclient",
                                 * "vf" */
    struct vsdb_smap options;   /* type-specific: dpdk-devargs, vhost-server-path,
                                 * n_rxq, ... */
    struct vsdb_smap other_config;  /* pmd-rxq-affinity, ... */

    /* Status as last written by vswitchd (vsdb_set_iface_status()). */
    int64_t ofport;             /* -1 when not assigned */
    char *mac;                  /* "aa:bb:cc:dd:ee:ff" or NULL */
    int64_t mtu;                /* -1 when unknown */
    char *admin_state;          /* "up", "down" or NULL */
    char *link_state;           /* "up", "down" or NULL */
    char *error;                /* NULL when fine */
    struct vsdb_smap status;    /* e.g. xdp_mode=native, warning=... */
    struct vsdb_smap statistics;    /* rx_packets=123, ... (decimal) */
};

enum vsdb_vlan_mode {
    VSDB_VLAN_MODE_DEFAULT,     /* access if tag is set, trunk otherwise */
    VSDB_VLAN_MODE_ACCESS,
    VSDB_VLAN_MODE_TRUNK,
    VSDB_VLAN_MODE_NATIVE_TAGGED,
    VSDB_VLAN_MODE_NATIVE_UNTAGGED,
};

struct vsdb_port {
    int64_t id;
    char *name;
    int tag;                    /* 0..4095, or -1 when none */
    uint16_t *trunks;           /* VLANs carried; n_trunks == 0: all */
    size_t n_trunks;
    enum vsdb_vlan_mode vlan_mode;
    struct vsdb_smap other_config;
    struct vsdb_interface *ifaces;  /* at least one for ports made by vsctl */
    size_t n_ifaces;
};

struct vsdb_rule {
    int64_t id;                 /* row id: key for vsdb_set_rule_stats() */
    uint8_t table_id;           /* 0..VSW_RULE_MAX_TABLE */
    uint16_t priority;
    char *match;                /* canonical match text ("" = all); parse
                                 * with vsw_rule_parse(..., MATCH, ...) or
                                 * use vsdb_rule_text() + ADD mode */
    char *actions;              /* canonical actions text ("drop" = none) */
    uint64_t cookie;
    uint16_t idle_timeout;      /* seconds, 0 = none */
    uint16_t hard_timeout;
    uint64_t n_packets;         /* as last written by vswitchd */
    uint64_t n_bytes;
    int64_t created_ms;         /* wall clock (ms since the epoch) of the
                                 * add-flow / last mod-flows that reset it */
};

struct vsdb_bridge {
    int64_t id;
    char *name;
    char *datapath_type;        /* "xdp" (default), "dpdk", "dummy" */
    char *fail_mode;            /* "standalone", "secure" or NULL */
    struct vsdb_smap other_config;  /* mac-aging-time, mac-table-size,
                                     * flow-limit, ... */
    struct vsdb_port *ports;
    size_t n_ports;
    struct vsdb_rule *rules;
    size_t n_rules;
};

struct vsdb_config {
    int64_t next_cfg;           /* the configuration sequence number this
                                 * snapshot represents: pass it to
                                 * vsdb_set_cur_cfg() once applied */
    int64_t cur_cfg;
    struct vsdb_smap other_config;  /* global knobs: flow-limit, max-idle,
                                     * pmd-cpu-mask, dpdk-extra, ... */
    struct vsdb_bridge *bridges;
    size_t n_bridges;
};

/* Lookups by name in a read configuration; NULL when absent. */
const struct vsdb_bridge *vsdb_config_find_bridge(const struct vsdb_config *,
                                                  const char *name);
const struct vsdb_port *vsdb_bridge_find_port(const struct vsdb_bridge *,
                                              const char *name);

/* Rebuilds the ovs-ofctl text of RULE ("table=0,priority=100,in_port=p1,
 * actions=output:p2", with cookie and timeouts when nonzero), suitable for
 * vsw_rule_parse(..., VSW_RULE_PARSE_ADD, ...).  Caller frees. */
char *vsdb_rule_text(const struct vsdb_rule *);

/* ------------------------------------------------------------------------
 * Opening and transactions.
 * ------------------------------------------------------------------------ */

enum {
    /* Create the file (mode 0600) and its parent directory (0700) when
     * missing, and initialize the schema.  Without it a missing file is
     * ENOENT "database FILE does not exist". */
    VSDB_OPEN_CREATE = 1 << 0,
    /* Open read-only: no creation and no migration (an older schema is
     * refused with EPROTO); writes fail. */
    VSDB_OPEN_READONLY = 1 << 1,
};

/* Opens (and if needed creates or migrates) the database at PATH.  On
 * success stores a handle in *DBP.  Errors: ENOENT, EACCES, EPROTO (schema
 * newer than VSDB_SCHEMA_VERSION, or not a vswitch database), EIO. */
int vsdb_open(const char *path, unsigned int flags, struct vsdb **dbp,
              struct vsw_error *);
void vsdb_close(struct vsdb *);

/* The path given to vsdb_open(). */
const char *vsdb_path(const struct vsdb *);
/* The raw handle, for SQL of one's own (vsctl's generic commands).  Use
 * inside vsdb_begin()/vsdb_commit(). */
struct sqlite3 *vsdb_sqlite(struct vsdb *);
/* The schema version found in the file before any migration at open
 * (equal to VSDB_SCHEMA_VERSION unless vsdb_open() migrated it, 0 for a
 * newly created file). */
int vsdb_opened_version(const struct vsdb *);

/* How long lock waits may last (default VSDB_DEFAULT_BUSY_TIMEOUT_MS). */
void vsdb_set_busy_timeout(struct vsdb *, int msec);

enum vsdb_txn_kind {
    VSDB_TXN_READ,      /* one consistent snapshot; never waits */
    VSDB_TXN_WRITE,     /* takes the write lock now (BEGIN IMMEDIATE),
                         * waiting and retrying up to the busy timeout */
};

/* Starts a transaction.  Transactions do not nest: EINVAL if one is
 * already open on this handle.  EBUSY when the write lock could not be had
 * within the busy timeout. */
int vsdb_begin(struct vsdb *, enum vsdb_txn_kind, struct vsw_error *);
/* Commits.  On failure the transaction is rolled back and nothing of it
 * is stored. */
int vsdb_commit(struct vsdb *, struct vsw_error *);
/* Abandons the open transaction (if any). */
void vsdb_rollback(struct vsdb *);
bool vsdb_in_txn(const struct vsdb *);

/* ------------------------------------------------------------------------
 * Reading.
 *
 * Outside a transaction each call uses its own read snapshot; inside one it
 * sees that transaction's view (including its own uncommitted writes).
 * ------------------------------------------------------------------------ */

/* Reads the whole configuration (and the status columns) into a new
 * struct vsdb_config. */
int vsdb_read_config(struct vsdb *, struct vsdb_config **, struct vsw_error *);
void vsdb_config_free(struct vsdb_config *);

int vsdb_get_cfg(struct vsdb *, int64_t *next_cfg, int64_t *cur_cfg,
                 struct vsw_error *);

/* Sets *CHANGED to whether any other connection committed to the database
 * since the previous call on this handle (true on the first call).  Cheap:
 * PRAGMA data_version, no table reads.  Commits made through this same
 * handle (status writes) do not count. */
int vsdb_poll_changed(struct vsdb *, bool *changed, struct vsw_error *);

/* ------------------------------------------------------------------------
 * Writing (vswitchd's side: status; vsctl's side: next_cfg).
 *
 * Outside a transaction each call commits on its own; vswitchd should wrap
 * one reconcile's writes in vsdb_begin(VSDB_TXN_WRITE)..vsdb_commit() so
 * that they take one lock and one fsync.
 * ------------------------------------------------------------------------ */

/* What vswitchd reports about one interface.  Every member replaces the
 * stored value (so a field that is now unknown should be written as
 * unknown, not left out). */
struct vsdb_iface_status {
    int64_t ofport;             /* -1: not in the datapath (stored as -1,
                                 * as OVS shows a failed interface) */
    const char *mac;            /* NULL: unknown */
    int64_t mtu;                /* -1: unknown */
    const char *admin_state;    /* "up" / "down" / NULL */
    const char *link_state;     /* "up" / "down" / NULL */
    const char *error;          /* NULL: no error (clears a previous one) */
    const struct vsdb_smap *status; /* replaces the whole map; NULL = empty */
};

/* Initializes *ST to "nothing known": ofport = mtu = -1, pointers NULL. */
void vsdb_iface_status_init(struct vsdb_iface_status *st);

/* Writes the status of interface IFACE.  ENOENT when no such interface
 * exists (it may have been deleted since the read): callers may ignore it.
 * Rows whose values are already the same are not rewritten. */
int vsdb_set_iface_status(struct vsdb *, const char *iface,
                          const struct vsdb_iface_status *,
                          struct vsw_error *);

/* One statistics counter. */
struct vsdb_stat {
    const char *key;            /* "rx_packets", "tx_bytes", "rx_dropped", ... */
    uint64_t value;
};

/* Replaces interface IFACE's statistics map with the N counters in STATS.
 * ENOENT when the interface does not exist. */
int vsdb_set_iface_statistics(struct vsdb *, const char *iface,
                              const struct vsdb_stat *stats, size_t n,
                              struct vsw_error *);

/* Stores the counters of rule RULE_ID (struct vsdb_rule's id).  ENOENT when
 * the rule was deleted meanwhile. */
int vsdb_set_rule_stats(struct vsdb *, int64_t rule_id,
                        uint64_t n_packets, uint64_t n_bytes,
                        struct vsw_error *);

/* Acknowledges that the configuration numbered CUR_CFG is applied. */
int vsdb_set_cur_cfg(struct vsdb *, int64_t cur_cfg, struct vsw_error *);

/* Increments global.next_cfg and stores the new value in *NEXT_CFG (if
 * nonnull).  vsctl calls it in every transaction that changes anything. */
int vsdb_bump_next_cfg(struct vsdb *, int64_t *next_cfg, struct vsw_error *);

#endif /* VSW_DB_VSDB_H */
