/* The PMD threads of the DPDK engine: the packet path.
 *
 * One chain per received burst (pmd_main -> pmd_process_rxq ->
 * pmd_process_burst -> pmd_execute):
 *
 *   rx burst (32) -> vsw_flow_extract for the whole burst (tcp_flags moved
 *   out of the key into the statistics) -> one hash per key -> EMC probe
 *   and confirm for the burst -> bulk lookup of the EMC misses in the shared
 *   table (buckets, then slots, prefetched) -> actions: drop, a single
 *   OUTPUT or only OUTPUTs without touching the frame, anything else
 *   through vsw_actions_execute() on copies -> per-output-port tx buffers
 *   -> tx bursts when a buffer fills and at the end of the iteration (or
 *   after tx-flush-interval microseconds).
 *
 * Misses: bounded per key by the pending marker, per rx queue by a token
 * bucket (the port's upcall rate divided over its queues), queued as the
 * mbuf itself on this PMD's miss ring, and the main thread is woken through
 * the engine's eventfd -- at most once per main-loop wakeup, as the main
 * thread re-arms main_waiting only when it goes back to sleep.  Everything
 * refused is counted as lost.
 *
 * Nothing here allocates memory (mbufs come from the pool), takes a lock
 * (except a shared tx queue when a device has fewer tx queues than there
 * are PMDs), logs, or makes a syscall other than that wakeup write. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_lcore.h>
#include <rte_prefetch.h>

#include "datapath/actions.h"
#include "datapath/dpdk/dedup.h"
#include "datapath/dpdk/dpdk-private.h"
#include "datapath/flow.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(dpdk_pmd);

uint32_t dpdk_pmd_sleep_max_us;

/* Idle iterations before a PMD with --pmd-sleep-max starts to sleep. */
#define PMD_IDLE_BEFORE_SLEEP 1024

#define VSW_LIKELY(x) __builtin_expect(!!(x), 1)
#define VSW_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- Transmit ------------------------------------------------------------- */

static void
pmd_flush_port(struct dpdk_pmd *pmd, struct dpdk_txbuf *tb)
{
    struct dpdk_port *port = tb->port;
    uint16_t txq = (uint16_t) (pmd->index % port->n_txq);
    uint16_t sent;

    if (port->tx_shared) {
        rte_spinlock_lock(&port->tx_lock[txq]);
    }
    sent = rte_eth_tx_burst(port->eth_port, txq, tb->pkts, tb->n);
    if (port->tx_shared) {
        rte_spinlock_unlock(&port->tx_lock[txq]);
    }
    if (sent < tb->n) {
        uint16_t lost = tb->n - sent;

        rte_pktmbuf_free_bulk(&tb->pkts[sent], lost);
        port->pmd_stats[pmd->index].tx_dropped += lost;
        pmd->stats.n_tx_dropped += lost;
    }
    tb->n = 0;
}

static void
pmd_flush_all(struct dpdk_pmd *pmd)
{
    for (uint16_t i = 0; i < pmd->n_dirty; i++) {
        struct dpdk_txbuf *tb = &pmd->txb[pmd->dirty[i]];

        if (tb->n) {
            pmd_flush_port(pmd, tb);
        }
        tb->port = NULL;
    }
    pmd->n_dirty = 0;
}

static inline void
pmd_tx_port(struct dpdk_pmd *pmd, struct dpdk_port *port, struct rte_mbuf *m)
{
    struct dpdk_txbuf *tb = &pmd->txb[port->eth_port];

    if (!tb->port) {
        tb->port = port;
        pmd->dirty[pmd->n_dirty++] = port->eth_port;
    }
    tb->pkts[tb->n++] = m;
    if (tb->n == DPDK_BURST) {
        pmd_flush_port(pmd, tb);
    }
}

/* Appends N frames for PORT, flushing whenever the buffer fills. */
static inline void
pmd_tx_port_bulk(struct dpdk_pmd *pmd, struct dpdk_port *port,
                 struct rte_mbuf **pkts, uint16_t n)
{
    struct dpdk_txbuf *tb = &pmd->txb[port->eth_port];

    if (!tb->port) {
        tb->port = port;
        pmd->dirty[pmd->n_dirty++] = port->eth_port;
    }
    while (n) {
        uint16_t k = VSW_MIN(n, (uint16_t) (DPDK_BURST - tb->n));

        memcpy(&tb->pkts[tb->n], pkts, k * sizeof *pkts);
        tb->n += k;
        pkts += k;
        n -= k;
        if (tb->n == DPDK_BURST) {
            pmd_flush_port(pmd, tb);
        }
    }
}

static inline struct dpdk_port *
view_port(const struct dpdk_dp_ports *view, uint32_t port_no)
{
    return port_no < view->n_map ? view->map[port_no] : NULL;
}

/* ---- Actions -------------------------------------------------------------- */

/* Context of vsw_actions_execute() on one frame. */
struct pmd_exec {
    struct dpdk_pmd *pmd;
    struct dpdk_rxq *rxq;
    const struct dpdk_dp_ports *view;
    uint32_t dp_index;
    uint32_t in_port;
};

static struct rte_mbuf *
pmd_copy(struct dpdk_pmd *pmd, const uint8_t *pkt, uint32_t len)
{
    struct rte_mbuf *m = rte_pktmbuf_alloc(pmd->eng->pool);
    char *p;

    if (!m) {
        return NULL;
    }
    p = rte_pktmbuf_append(m, (uint16_t) VSW_MIN(len, UINT16_MAX));
    if (!p || len > rte_pktmbuf_tailroom(m) + m->data_len) {
        rte_pktmbuf_free(m);
        return NULL;
    }
    rte_memcpy(p, pkt, len);
    return m;
}

static void
exec_output(void *aux, uint32_t port_no, const uint8_t *pkt, uint32_t len)
{
    struct pmd_exec *x = aux;
    struct dpdk_port *port = view_port(x->view, port_no);
    struct rte_mbuf *m;

    if (!port || !(m = pmd_copy(x->pmd, pkt, len))) {
        x->rxq->n_dropped++;
        return;
    }
    pmd_tx_port(x->pmd, port, m);
}

static void
exec_flood(void *aux, uint32_t group, uint32_t in_port, const uint8_t *pkt,
           uint32_t len)
{
    struct pmd_exec *x = aux;

    (void) group;               /* VSW_FLOOD_ALL is the only group */
    for (uint32_t i = 0; i < x->view->n_ports; i++) {
        struct dpdk_port *port = x->view->list[i];
        struct rte_mbuf *m;

        if (port->port_no == in_port) {
            continue;
        }
        m = pmd_copy(x->pmd, pkt, len);
        if (!m) {
            x->rxq->n_dropped++;
            continue;
        }
        pmd_tx_port(x->pmd, port, m);
    }
}

static void
pmd_wake_main(struct dpdk_engine *eng)
{
    int expected = 1;

    /* Pairs with the fence in dpdk_run(): either the main thread sees what
     * we queued, or we see that it waits. */
    atomic_thread_fence(memory_order_seq_cst);
    if (atomic_load_explicit(&eng->main_waiting, memory_order_relaxed)
        && atomic_compare_exchange_strong(&eng->main_waiting, &expected, 0)) {
        uint64_t one = 1;
        ssize_t n = write(eng->wake_fd, &one, sizeof one);

        (void) n;               /* a full counter still wakes the reader */
    }
}

static void
exec_userspace(void *aux, uint32_t userdata, const uint8_t *pkt, uint32_t len)
{
    struct pmd_exec *x = aux;
    struct rte_mbuf *m = pmd_copy(x->pmd, pkt, len);
    struct dpdk_mbuf_meta *meta;

    if (!m) {
        x->rxq->n_lost++;
        x->pmd->stats.n_lost++;
        return;
    }
    meta = dpdk_meta(m);
    meta->dp_index = x->dp_index;
    meta->port_no = x->in_port;
    meta->reason = VSW_MISS_REASON_ACTION;
    meta->userdata = userdata;
    if (rte_ring_sp_enqueue(x->pmd->miss_ring, m)) {
        rte_pktmbuf_free(m);
        x->rxq->n_lost++;
        x->pmd->stats.n_lost++;
        return;
    }
    x->pmd->stats.n_upcall_queued++;
    pmd_wake_main(x->pmd->eng);
}

static const struct vsw_actions_sink pmd_sink_proto = {
    .output = exec_output,
    .flood = exec_flood,
    .userspace = exec_userspace,
};

static inline void
pmd_execute(struct dpdk_pmd *pmd, struct dpdk_rxq *rxq,
            const struct dpdk_dp_ports *view, uint32_t dp_index,
            uint32_t in_port, const struct vsw_ft_actions *a,
            struct rte_mbuf *m)
{
    switch (a->kind) {
    case VSW_FT_OUTPUT: {
        struct dpdk_port *port = view_port(view, a->out_port);

        if (VSW_LIKELY(port)) {
            pmd_tx_port(pmd, port, m);
        } else {
            rxq->n_dropped++;
            rte_pktmbuf_free(m);
        }
        return;
    }
    case VSW_FT_DROP:
        rxq->n_dropped++;
        rte_pktmbuf_free(m);
        return;
    case VSW_FT_OUTPUTS: {
        /* The frame is not modified: every output shares the mbuf. */
        uint32_t n = a->acts.n_actions, n_ok = 0;
        struct dpdk_port *ports[VSW_MAX_ACTIONS];

        for (uint32_t i = 0; i < n; i++) {
            ports[n_ok] = view_port(view, a->acts.acts[i].u.port);
            n_ok += ports[n_ok] != NULL;
        }
        if (!n_ok) {
            rxq->n_dropped++;
            rte_pktmbuf_free(m);
            return;
        }
        rte_mbuf_refcnt_update(m, (int16_t) (n_ok - 1));
        for (uint32_t i = 0; i < n_ok; i++) {
            pmd_tx_port(pmd, ports[i], m);
        }
        return;
    }
    default:
        break;
    }

    /* Generic: run the interpreter on the frame in place (it may grow
     * into the headroom); every output is a copy. */
    if (m->nb_segs > 1 && rte_pktmbuf_linearize(m)) {
        rxq->n_dropped++;
        rte_pktmbuf_free(m);
        return;
    }
    struct pmd_exec x = { pmd, rxq, view, dp_index, in_port };
    struct vsw_actions_sink sink = pmd_sink_proto;
    struct vsw_packet pkt = {
        .data = rte_pktmbuf_mtod(m, uint8_t *),
        .len = rte_pktmbuf_data_len(m),
        .headroom = rte_pktmbuf_headroom(m),
    };

    sink.aux = &x;
    if (!vsw_actions_execute(&pkt, in_port, &a->acts, &sink)) {
        rxq->n_dropped++;
    }
    rte_pktmbuf_free(m);
}

/* ---- Misses --------------------------------------------------------------- */

static inline struct dpdk_pending_set *
pmd_pending_set(struct dpdk_pmd *pmd, uint32_t hash)
{
    return &pmd->pending[(hash >> 7) & (DPDK_PENDING_SETS - 1)];
}

/* Decides whether the miss of the frame with HASH goes up. */
static inline bool
pmd_miss_admit(struct dpdk_pmd *pmd, struct dpdk_rxq *rxq, uint32_t hash)
{
    struct dpdk_pending_set *set = pmd_pending_set(pmd, hash);
    uint16_t now = (uint16_t) pmd->now_ms;
    struct dpdk_pending *pe = NULL, *victim = &set->e[0];
    struct dpdk_port *port = rxq->port;
    uint32_t gen;

    hash |= !hash;              /* 0 marks an unused entry */
    for (int w = 0; w < DPDK_PENDING_WAYS; w++) {
        struct dpdk_pending *x = &set->e[w];
        int16_t left = (int16_t) (x->until - now);

        if (x->hash == hash && left > 0) {
            pe = x;
            break;
        }
        /* The victim: an expired or unused entry, else the one closest
         * to expiring. */
        if (!x->hash || left <= 0) {
            if (victim->hash && (int16_t) (victim->until - now) > 0) {
                victim = x;
            }
        } else if (victim->hash && (int16_t) (victim->until - now) > left) {
            victim = x;
        }
    }
    if (pe && pe->n >= DPDK_PENDING_MAX) {
        return false;
    }
    gen = atomic_load_explicit(&port->rate_gen, memory_order_relaxed);
    if (VSW_UNLIKELY(gen != rxq->tb_gen)) {
        uint32_t rate = atomic_load_explicit(&port->eff_rate,
                                             memory_order_relaxed);

        rxq->tb_gen = gen;
        rate = rate / port->n_rxq + (rate % port->n_rxq != 0);
        vsw_token_bucket_set(&rxq->tb, rate, 0, pmd->now_ns);
    }
    if (!vsw_token_bucket_withdraw(&rxq->tb, 1, pmd->now_ns)) {
        return false;
    }
    if (pe) {
        pe->n++;
    } else {
        victim->hash = hash;
        victim->n = 1;
        victim->until = (uint16_t) (now + DPDK_PENDING_MS);
    }
    return true;
}

/* ---- The burst ------------------------------------------------------------ */

static void
pmd_process_burst(struct dpdk_pmd *pmd, struct dpdk_rxq *rxq,
                  struct rte_mbuf **pkts, uint16_t n)
{
    struct vsw_flow_key keys[DPDK_BURST] __attribute__((aligned(64)));
    const struct vsw_flow_key *mkeys[DPDK_BURST];
    uint32_t hashes[DPDK_BURST], mhashes[DPDK_BURST], midx[DPDK_BURST];
    uint32_t cand[DPDK_BURST], cand_gen[DPDK_BURST];
    struct vsw_ft_slot *slots[DPDK_BURST], *mslots[DPDK_BURST];
    struct rte_mbuf *up[DPDK_BURST], *refused[DPDK_BURST];
    uint16_t flags[DPDK_BURST];
    uint8_t mpos[DPDK_BURST];
    bool from_emc[DPDK_BURST];
    /* dup[i]: frame i has frame i-1's key (and so its hash and flow). */
    bool dup[DPDK_BURST];
    uint8_t how[DPDK_BURST];    /* 1: EMC hit, 2: table hit, 0: neither */
    const uint8_t *prev_data = NULL;
    uint32_t prev_len = 0;
    bool prev_ok = false;
    struct dpdk_port *port = rxq->port;
    struct dpdk_dp *dp = port->dp;
    const struct vsw_ft *ft = dp->ft;
    const struct dpdk_dp_ports *view;
    uint32_t in_port = port->port_no;
    unsigned int n_m = 0, n_miss = 0, n_emc = 0, n_tbl = 0, n_up = 0;
    unsigned int n_refused = 0;

    view = atomic_load_explicit(&dp->ports, memory_order_acquire);

    /* Keys and hashes for the whole burst, packet data prefetched ahead. */
    for (uint16_t i = 0; i < n && i < 4; i++) {
        rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
    }
    for (uint16_t i = 0; i < n; i++) {
        if (i + 4 < n) {
            rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 4], void *));
        }
        if (VSW_UNLIKELY(pkts[i]->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)) {
            /* The driver took the tag off (AF_PACKET hands it over out of
             * band): the key and the actions need it in the frame. */
            rte_vlan_insert(&pkts[i]);
        }
        const uint8_t *data = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
        uint32_t len = rte_pktmbuf_data_len(pkts[i]);

        /* A train of one flow is parsed, hashed and looked up once. */
        if (prev_ok && len == prev_len
            && vsw_dedup_same(data, prev_data, len)) {
            dup[i] = true;
            flags[i] = flags[i - 1];
            continue;
        }
        dup[i] = false;
        vsw_flow_extract(data, len, in_port, &keys[i]);
        flags[i] = ntohs(keys[i].tcp_flags);
        keys[i].tcp_flags = 0;
        prev_data = data;
        prev_len = len;
        prev_ok = vsw_dedup_key_ok(&keys[i], len);
    }
    /* Hashing in a second pass lets the parser's narrow stores reach the
     * cache before the hash reads the key as 64-bit words (no
     * store-forwarding stalls). */
    for (uint16_t i = 0; i < n; i++) {
        if (dup[i]) {
            hashes[i] = hashes[i - 1];
            continue;
        }
        hashes[i] = vsw_ft_hash(&keys[i]);
        /* On its way while the EMC is probed, in case it misses. */
        vsw_ft_prefetch(ft, hashes[i]);
    }

    /* First stages for the whole burst, so that the slot lines of EMC
     * candidates and of table candidates are fetched together: an EMC
     * candidate for each packet, else the first signature match of its
     * (already prefetched) primary table bucket. */
    bool use_emc = !pmd->emc_skip_bursts;
    if (!use_emc) {
        pmd->emc_skip_bursts--;
    }
    for (uint16_t i = 0; i < n; i++) {
        if (dup[i]) {
            continue;
        }
        cand[i] = use_emc ? vsw_emc_probe(&pmd->emc, ft, hashes[i],
                                          &cand_gen[i])
                          : 0;
        from_emc[i] = cand[i] != 0;
        if (!cand[i]) {
            cand[i] = vsw_ft_probe(ft, hashes[i]);
        }
    }
    /* Verify; what fails goes to the full bulk lookup. */
    for (uint16_t i = 0; i < n; i++) {
        slots[i] = NULL;
        how[i] = 0;
        if (dup[i]) {
            continue;           /* resolved below, from its predecessor */
        }
        if (from_emc[i]) {
            slots[i] = vsw_emc_confirm(ft, cand[i], cand_gen[i], &keys[i]);
            how[i] = slots[i] ? 1 : 0;
        } else if (cand[i]) {
            struct vsw_ft_slot *s = vsw_ft_slot(ft, cand[i] - 1);

            if (vsw_ft_key_eq(&s->key, &keys[i])) {
                slots[i] = s;
                how[i] = 2;
                vsw_emc_maybe_insert(&pmd->emc, ft, hashes[i], cand[i]);
            }
        }
        if (!slots[i]) {
            /* Probably a miss: its pending marker is on its way while the
             * full lookup runs. */
            rte_prefetch0(pmd_pending_set(pmd, hashes[i]));
            mkeys[n_m] = &keys[i];
            mhashes[n_m] = hashes[i];
            mpos[n_m++] = (uint8_t) i;
        }
    }
    if (n_m) {
        vsw_ft_lookup_bulk(ft, mkeys, mhashes, n_m, mslots, midx);
        for (unsigned int k = 0; k < n_m; k++) {
            unsigned int i = mpos[k];

            if (mslots[k]) {
                slots[i] = mslots[k];
                how[i] = 2;
                vsw_emc_maybe_insert(&pmd->emc, ft, hashes[i], midx[k]);
            }
        }
    }
    /* Duplicates take their predecessor's flow (and are counted like it). */
    unsigned int n_probed = 0, n_probe_hits = 0;
    for (uint16_t i = 0; i < n; i++) {
        if (dup[i]) {
            slots[i] = slots[i - 1];
            how[i] = how[i - 1];
        } else {
            n_probed++;
            n_probe_hits += how[i] == 1;
        }
        n_emc += how[i] == 1;
        n_tbl += how[i] == 2;
    }
    if (use_emc) {
        pmd->emc_win_probes += n_probed;
        pmd->emc_win_hits += n_probe_hits;
        if (pmd->emc_win_probes >= DPDK_EMC_WINDOW) {
            if (pmd->emc_win_hits * DPDK_EMC_MIN_HIT_DIV
                < pmd->emc_win_probes) {
                pmd->emc_skip_bursts = DPDK_EMC_SKIP_BURSTS;
            }
            pmd->emc_win_probes = pmd->emc_win_hits = 0;
        }
    }

    /* Actions, in arrival order, one run of packets of the same flow at a
     * time (one statistics update and one tx-buffer append per run);
     * admitted misses collected for the ring. */
    for (uint16_t i = 0; i < n; ) {
        struct vsw_ft_slot *s = slots[i];

        if (VSW_LIKELY(s)) {
            const struct vsw_ft_actions *a = atomic_load_explicit(
                &s->actions, memory_order_acquire);
            uint32_t bytes = rte_pktmbuf_pkt_len(pkts[i]);
            uint16_t fl = flags[i], j = i + 1;

            while (j < n && slots[j] == s) {
                bytes += rte_pktmbuf_pkt_len(pkts[j]);
                fl |= flags[j];
                j++;
            }
            vsw_ft_stats_add_n(s, pmd->index, j - i, bytes, fl, pmd->now_ms);
            if (VSW_LIKELY(a->kind == VSW_FT_OUTPUT)) {
                struct dpdk_port *out = view_port(view, a->out_port);

                if (VSW_LIKELY(out)) {
                    pmd_tx_port_bulk(pmd, out, &pkts[i], j - i);
                } else {
                    rxq->n_dropped += j - i;
                    rte_pktmbuf_free_bulk(&pkts[i], j - i);
                }
            } else {
                for (uint16_t k = i; k < j; k++) {
                    pmd_execute(pmd, rxq, view, dp->index, in_port, a,
                                pkts[k]);
                }
            }
            i = j;
            continue;
        }

        n_miss++;
        if (!pmd_miss_admit(pmd, rxq, hashes[i])) {
            refused[n_refused++] = pkts[i];
            i++;
            continue;
        }
        struct dpdk_mbuf_meta *meta = dpdk_meta(pkts[i]);
        meta->dp_index = dp->index;
        meta->port_no = in_port;
        meta->reason = VSW_MISS_REASON_NO_MATCH;
        meta->userdata = 0;
        up[n_up++] = pkts[i];
        i++;
    }

    if (n_refused) {
        rte_pktmbuf_free_bulk(refused, n_refused);
        rxq->n_lost += n_refused;
        pmd->stats.n_lost += n_refused;
    }
    if (n_up) {
        unsigned int q = rte_ring_sp_enqueue_burst(pmd->miss_ring,
                                                   (void **) up, n_up, NULL);
        if (q < n_up) {
            rte_pktmbuf_free_bulk(&up[q], n_up - q);
            rxq->n_lost += n_up - q;
            pmd->stats.n_lost += n_up - q;
        }
        pmd->stats.n_upcall_queued += q;
        if (q) {
            pmd_wake_main(pmd->eng);
        }
    }

    rxq->n_packets += n;
    rxq->n_hit += n - n_miss;
    rxq->n_missed += n_miss;
    pmd->stats.n_packets += n;
    pmd->stats.n_emc_hit += n_emc;
    pmd->stats.n_table_hit += n_tbl;
    pmd->stats.n_missed += n_miss;
}

/* Frames the main thread asks this PMD to transmit (EXECUTE). */
static void
pmd_drain_exec(struct dpdk_pmd *pmd)
{
    struct rte_mbuf *pkts[DPDK_BURST];
    unsigned int n;

    n = rte_ring_sc_dequeue_burst(pmd->exec_ring, (void **) pkts, DPDK_BURST,
                                  NULL);
    for (unsigned int i = 0; i < n; i++) {
        struct dpdk_mbuf_meta *meta = dpdk_meta(pkts[i]);
        struct dpdk_dp *dp = NULL;
        struct dpdk_port *port = NULL;

        if (meta->dp_index < DPDK_MAX_DPS) {
            dp = atomic_load_explicit(&pmd->eng->dps[meta->dp_index],
                                      memory_order_acquire);
        }
        if (dp) {
            port = view_port(atomic_load_explicit(&dp->ports,
                                                  memory_order_acquire),
                             meta->port_no);
        }
        if (port) {
            pmd_tx_port(pmd, port, pkts[i]);
        } else {
            pmd->stats.n_tx_dropped++;
            rte_pktmbuf_free(pkts[i]);
        }
    }
}

/* ---- The loop ------------------------------------------------------------- */

static void
pmd_update_clock(struct dpdk_pmd *pmd, uint64_t base_tsc, uint64_t base_ns,
                 uint64_t mult)
{
    uint64_t tsc = rte_rdtsc();
    uint64_t ns = base_ns
                  + (uint64_t) (((unsigned __int128) (tsc - base_tsc) * mult)
                                >> 32);

    pmd->now_tsc = tsc;
    pmd->now_ns = ns;
    pmd->now_ms = ns / 1000000;
}

static void
pmd_clear_stats(struct dpdk_pmd *pmd)
{
    struct dpdk_pmd_stats *st = &pmd->stats;

    __atomic_store_n(&st->n_packets, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_emc_hit, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_table_hit, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_missed, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_lost, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_upcall_queued, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->busy_cycles, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->idle_cycles, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_iterations, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&st->n_tx_dropped, 0, __ATOMIC_RELAXED);
}

static void *
pmd_main(void *pmd_)
{
    struct dpdk_pmd *pmd = pmd_;
    struct dpdk_engine *eng = pmd->eng;
    struct dpdk_pmd_cfg *cur = NULL;
    struct rte_mbuf *pkts[DPDK_BURST];
    uint64_t base_tsc, base_ns, mult, flush_tsc, last_flush;
    uint32_t idle_iters = 0, sleep_us = 0;
    char name[16];

    snprintf(name, sizeof name, "pmd-c%02u", pmd->core);
    pthread_setname_np(pthread_self(), name);
    if (rte_thread_register()) {
        /* Without an lcore id the mempool has no per-thread cache: slower
         * but correct. */
        VSW_WARN("%s: no EAL lcore id (%s)", name, rte_strerror(rte_errno));
    }

    base_tsc = rte_rdtsc();
    base_ns = vsw_time_nsec();
    mult = (uint64_t) (((unsigned __int128) 1000000000ull << 32)
                       / eng->tsc_hz);
    flush_tsc = eng->tsc_hz / 1000000 * eng->tx_flush_us;
    last_flush = base_tsc;

    vsw_qsbr_online(&eng->qsbr, (int) pmd->index);
    for (;;) {
        struct dpdk_pmd_cfg *cfg = atomic_load_explicit(&pmd->cfg,
                                                        memory_order_acquire);
        uint64_t start, end;
        bool busy = false;

        if (cfg != cur) {
            pmd_flush_all(pmd);
            cur = cfg;
            if (!cur || cur->exit) {
                break;
            }
        }
        uint32_t clr = atomic_load_explicit(&pmd->clear_req,
                                            memory_order_relaxed);
        if (clr != pmd->clear_seen) {
            pmd->clear_seen = clr;
            pmd_clear_stats(pmd);
            atomic_store_explicit(&pmd->clear_done, clr,
                                  memory_order_release);
        }

        pmd_update_clock(pmd, base_tsc, base_ns, mult);
        start = pmd->now_tsc;
        /* One TSC read per busy queue: a queue is charged from the end of
         * the previous busy one (idle polls in between are cheap). */
        uint64_t prev = start;
        for (uint32_t i = 0; i < cur->n_rxqs; i++) {
            struct dpdk_rxq *rxq = cur->rxqs[i];
            uint16_t n = rte_eth_rx_burst(rxq->port->eth_port, rxq->qid,
                                          pkts, DPDK_BURST);

            if (n) {
                uint64_t t;

                pmd_process_burst(pmd, rxq, pkts, n);
                t = rte_rdtsc();
                rxq->busy_cycles += t - prev;
                prev = t;
                busy = true;
            }
        }
        pmd_drain_exec(pmd);

        end = busy ? prev : rte_rdtsc();
        if (pmd->n_dirty && (!flush_tsc || end - last_flush >= flush_tsc)) {
            pmd_flush_all(pmd);
            last_flush = end;
            end = rte_rdtsc();
        }
        if (busy) {
            pmd->stats.busy_cycles += end - start;
        } else {
            pmd->stats.idle_cycles += end - start;
        }
        pmd->stats.n_iterations++;
        if (!pmd->n_dirty) {
            /* Holding no mbuf for any port and no pointer into shared
             * state: a quiescent state. */
            vsw_qsbr_quiescent(&eng->qsbr, (int) pmd->index);
        }
        if (busy) {
            idle_iters = 0;
            sleep_us = 0;
        } else if (dpdk_pmd_sleep_max_us
                   && ++idle_iters >= PMD_IDLE_BEFORE_SLEEP
                   && !pmd->n_dirty) {
            /* Idle for a while: give the core back in growing naps
             * (--pmd-sleep-max), as Open vSwitch's pmd-maxsleep does. */
            struct timespec ts;

            sleep_us = VSW_MIN(sleep_us + 10, dpdk_pmd_sleep_max_us);
            ts.tv_sec = 0;
            ts.tv_nsec = (long) sleep_us * 1000;
            nanosleep(&ts, NULL);
        }
    }
    pmd_flush_all(pmd);
    vsw_qsbr_offline(&eng->qsbr, (int) pmd->index);
    rte_thread_unregister();
    return NULL;
}

static struct dpdk_pmd_cfg empty_cfg = { .exit = false, .n_rxqs = 0 };
static struct dpdk_pmd_cfg exit_cfg = { .exit = true, .n_rxqs = 0 };

int
dpdk_pmd_start(struct dpdk_engine *eng, unsigned int index, unsigned int core,
               struct vsw_error *err)
{
    struct dpdk_pmd *pmd;
    char name[RTE_RING_NAMESIZE];
    cpu_set_t set;
    void *p;
    int error;

    if (posix_memalign(&p, 64, sizeof *pmd)) {
        vsw_fatal("out of memory allocating a PMD");
    }
    pmd = p;
    memset(pmd, 0, sizeof *pmd);
    pmd->eng = eng;
    pmd->index = index;
    pmd->core = core;
    atomic_init(&pmd->cfg, &empty_cfg);
    atomic_init(&pmd->clear_req, 0);
    atomic_init(&pmd->clear_done, 0);
    vsw_emc_init(&pmd->emc, eng->emc_inv_prob, 0x9e3779b9u ^ (core + 1));

    snprintf(name, sizeof name, "vsw_miss_%u", index);
    pmd->miss_ring = rte_ring_create(name, DPDK_RING_SIZE, SOCKET_ID_ANY,
                                     RING_F_SP_ENQ | RING_F_SC_DEQ);
    snprintf(name, sizeof name, "vsw_exec_%u", index);
    pmd->exec_ring = rte_ring_create(name, DPDK_RING_SIZE, SOCKET_ID_ANY,
                                     RING_F_SP_ENQ | RING_F_SC_DEQ);
    if (!pmd->miss_ring || !pmd->exec_ring) {
        error = vsw_error_set(err, ENOMEM, "cannot create the rings of the "
                              "PMD on core %u: %s", core,
                              rte_strerror(rte_errno));
        goto fail;
    }

    error = pthread_create(&pmd->thread, NULL, pmd_main, pmd);
    if (error) {
        vsw_error_set(err, error, "cannot start the PMD thread for core %u: "
                      "%s", core, strerror(error));
        goto fail;
    }
    CPU_ZERO(&set);
    CPU_SET(core, &set);
    error = pthread_setaffinity_np(pmd->thread, sizeof set, &set);
    if (error) {
        VSW_WARN("cannot pin the PMD thread to core %u: %s (it runs "
                 "unpinned)", core, strerror(error));
    }
    pmd->started = true;
    eng->pmds[index] = pmd;
    return 0;

fail:
    rte_ring_free(pmd->miss_ring);
    rte_ring_free(pmd->exec_ring);
    free(pmd);
    return error;
}

void
dpdk_pmd_stop(struct dpdk_pmd *pmd)
{
    struct rte_mbuf *m;

    if (!pmd) {
        return;
    }
    if (pmd->started) {
        atomic_store_explicit(&pmd->cfg, &exit_cfg, memory_order_release);
        pthread_join(pmd->thread, NULL);
    }
    while (!rte_ring_dequeue(pmd->miss_ring, (void **) &m)) {
        rte_pktmbuf_free(m);
    }
    while (!rte_ring_dequeue(pmd->exec_ring, (void **) &m)) {
        rte_pktmbuf_free(m);
    }
    rte_ring_free(pmd->miss_ring);
    rte_ring_free(pmd->exec_ring);
    free(pmd->cfg_main);
    free(pmd);
}

bool
dpdk_pmd_exec_enqueue(struct dpdk_engine *eng, struct rte_mbuf *m)
{
    return !rte_ring_sp_enqueue(eng->pmds[0]->exec_ring, m);
}
