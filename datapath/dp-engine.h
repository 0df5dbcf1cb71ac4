/* The engine provider interface: what datapathd asks of a fast path.
 *
 * One engine instance per datapathd process.  Engines are registered in a
 * static table (datapath/dp-engine.c) and chosen by name (--engine=NAME).
 * Every function returns 0 or a positive errno, and on failure fills the
 * struct vsw_error (when nonnull) with one sentence for the operator; that
 * sentence travels back to the client as the NLMSG_ERROR text.
 *
 * Threading: datapathd calls every member from its main thread only.  An
 * engine that runs its own threads (dpdk PMDs) owns the synchronisation with
 * them, and must never make a packet wait for the main thread.
 *
 * Persistence: open() adopts whatever the engine left behind last time
 * (pinned XDP maps and attached programs, ...) so that forwarding survives a
 * datapathd restart; dp_new() on an adopted name returns the existing index.
 */
#ifndef VSW_DATAPATH_DP_ENGINE_H
#define VSW_DATAPATH_DP_ENGINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/dp-msg.h"
#include "utilities/error.h"

struct dp_engine;

/* One miss (or USERSPACE action) handed from the engine to datapathd, which
 * forwards it as PACKET MISS to the datapath's registered client.  All
 * pointers are valid only during the callback. */
struct dp_upcall {
    uint32_t dp_index;
    uint32_t in_port;
    uint32_t reason;            /* VSW_MISS_REASON_* */
    uint32_t userdata;
    const struct vsw_flow_key *key;
    const uint8_t *packet;
    uint32_t len;               /* bytes at packet */
    uint32_t orig_len;          /* frame length on the wire */
};

/* Returns 0 if the upcall was queued to a client, else a positive errno
 * (ENOTCONN: nobody registered; ENOBUFS: client queue full).  Engines count
 * a nonzero return as lost. */
typedef int dp_upcall_cb(void *aux, const struct dp_upcall *);

struct dp_engine_params {
    const char *rundir;
    int argc;                   /* engine arguments after "--" (EAL for dpdk) */
    char **argv;
    dp_upcall_cb *upcall;
    void *upcall_aux;
};

/* One flow as an engine reports it. */
struct dp_flow {
    struct vsw_flow_key key;
    struct vsw_flow_key mask;   /* valid when has_mask */
    bool has_mask;
    struct vsw_actions actions;
    uint64_t n_packets;
    uint64_t n_bytes;
    uint64_t used_ms;           /* CLOCK_MONOTONIC ms, 0 = never */
    uint16_t tcp_flags;
    uint32_t pmd;               /* owning PMD core, UINT32_MAX if n/a */
};

/* flow_put() flags. */
#define DP_FLOW_CREATE      0x1 /* fail with EEXIST if the key exists */
#define DP_FLOW_MODIFY      0x2 /* fail with ENOENT if it does not */
#define DP_FLOW_CLEAR_STATS 0x4

typedef int dp_flow_cb(void *aux, const struct dp_flow *);
typedef int dp_packet_cb(void *aux, uint32_t port_no, const uint8_t *pkt,
                         uint32_t len);

struct dp_engine_class {
    const char *name;           /* "xdp", "dpdk", "dummy" */

    int (*open)(const struct dp_engine_params *, struct dp_engine **,
                struct vsw_error *);
    void (*close)(struct dp_engine *);      /* leaves pinned state in place */

    /* Datapaths.  dp_index values are small positive integers, stable across
     * a datapathd restart. */
    int (*dp_new)(struct dp_engine *, const char *name, uint32_t *dp_index,
                  struct vsw_error *);
    int (*dp_del)(struct dp_engine *, uint32_t dp_index, struct vsw_error *);
    int (*dp_get)(struct dp_engine *, uint32_t dp_index, struct vsw_msg_dp *out,
                  struct vsw_error *);
    int (*dp_list)(struct dp_engine *, uint32_t *indexes, size_t max,
                   size_t *n);
    /* Applies the FLOW_LIMIT / UPCALL_RATE attributes present in ATTRS. */
    int (*dp_set)(struct dp_engine *, uint32_t dp_index,
                  const struct vsw_msg_dp *req, uint64_t attrs,
                  struct vsw_error *);

    /* Ports.  port_add reads name, type, options and port_no (0: engine
     * picks) from PORT and fills the rest (port_no, ifindex, mac, mtu, mode,
     * warning). */
    int (*port_add)(struct dp_engine *, uint32_t dp_index,
                    struct vsw_msg_port *port, struct vsw_error *);
    int (*port_del)(struct dp_engine *, uint32_t dp_index, uint32_t port_no,
                    struct vsw_error *);
    int (*port_get)(struct dp_engine *, uint32_t dp_index, uint32_t port_no,
                    struct vsw_msg_port *out, struct vsw_error *);
    int (*port_list)(struct dp_engine *, uint32_t dp_index, uint32_t *port_nos,
                     size_t max, size_t *n);
    int (*port_set)(struct dp_engine *, uint32_t dp_index,
                    const struct vsw_msg_port *req, uint64_t attrs,
                    struct vsw_error *);

    /* Flows.  MASK NULL means exact match; an engine without a masked tier
     * refuses a mask with EOPNOTSUPP and a sentence saying so. */
    int (*flow_put)(struct dp_engine *, uint32_t dp_index,
                    const struct vsw_flow_key *key,
                    const struct vsw_flow_key *mask,
                    const struct vsw_actions *, unsigned int flags,
                    struct vsw_error *);
    int (*flow_del)(struct dp_engine *, uint32_t dp_index,
                    const struct vsw_flow_key *key, struct dp_flow *final,
                    struct vsw_error *);
    int (*flow_get)(struct dp_engine *, uint32_t dp_index,
                    const struct vsw_flow_key *key, struct dp_flow *out,
                    struct vsw_error *);
    int (*flow_dump)(struct dp_engine *, uint32_t dp_index, dp_flow_cb *,
                     void *aux);
    int (*flow_flush)(struct dp_engine *, uint32_t dp_index,
                      struct vsw_error *);

    /* Packets.  execute applies ACTIONS to the frame as if it arrived on
     * IN_PORT.  inject (may be NULL) runs the frame through the full
     * lookup.  captured_dump (may be NULL) reports frames the engine has
     * "transmitted" (dummy). */
    int (*execute)(struct dp_engine *, uint32_t dp_index, uint32_t in_port,
                   const uint8_t *pkt, uint32_t len,
                   const struct vsw_actions *, struct vsw_error *);
    int (*inject)(struct dp_engine *, uint32_t dp_index, uint32_t in_port,
                  const uint8_t *pkt, uint32_t len, struct vsw_error *);
    int (*captured_dump)(struct dp_engine *, uint32_t dp_index, dp_packet_cb *,
                         void *aux);

    /* Main-loop integration: file descriptors to poll for reading, and the
     * work to do when one is readable or RUN_INTERVAL_MS elapsed (drain miss
     * rings and call the upcall callback, refresh port state...). */
    size_t (*get_fds)(struct dp_engine *, int *fds, size_t max);
    void (*run)(struct dp_engine *);
};

/* The engine classes.  Only dp-engine.c's registry refers to them; the
 * dummy engine is always built, the others only when configure found their
 * libraries (HAVE_XDP, HAVE_DPDK). */
extern const struct dp_engine_class dp_engine_dummy_class;
extern const struct dp_engine_class dp_engine_xdp_class;
extern const struct dp_engine_class dp_engine_dpdk_class;

/* For engines' USERSPACE action sinks: hands PKT, as the actions left it,
 * to CB as a PACKET MISS with reason ACTION (its key extracted from those
 * bytes, tcp_flags clear).  Returns CB's result, or ENOTCONN when CB is
 * NULL; nonzero means the packet was lost, for the engine's counters. */
int dp_upcall_userspace(dp_upcall_cb *cb, void *aux, uint32_t dp_index,
                        uint32_t in_port, uint32_t userdata,
                        const uint8_t *pkt, uint32_t len);

/* Registered engine classes (those built in), or NULL. */
const struct dp_engine_class *dp_engine_lookup(const char *name);
/* Comma-separated names of the registered engines, for usage messages. */
const char *dp_engine_names(void);

#define DP_ENGINE_RUN_INTERVAL_MS 100

#endif
