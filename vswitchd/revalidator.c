/* The revalidator: see revalidator.h. */
#include <config.h>
#include "vswitchd/revalidator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath/dpif.h"
#include "utilities/log.h"
#include "utilities/util.h"
#include "vswitchd/bridge.h"
#include "vswitchd/upcall.h"

VSW_LOG_MODULE(revalidator);

/* What one dumped flow told us.  Only what the pass needs is kept, so a
 * dump of the default flow limit costs a few tens of megabytes at most. */
struct reval_entry {
    struct ukey *ukey;
    uint64_t n_packets;
    uint64_t n_bytes;
    uint64_t used_ms;
    bool adopted;                   /* the ukey was created by this dump */
    bool differs;                   /* datapath actions != ukey's */
};

struct reval_dump {
    struct br_bridge *br;
    struct reval_entry *entries;
    size_t n, cap;
    uint64_t now_ms;
};

uint64_t
revalidator_evict_target(uint64_t limit)
{
    uint64_t headroom = VSW_MAX(limit / 10, 1);

    return limit > headroom ? limit - headroom : 0;
}

static int
reval_dump_cb(void *dump_, const struct vsw_msg_flow *flow)
{
    struct reval_dump *dump = dump_;
    struct br_bridge *br = dump->br;
    struct vsw_flow_key key = flow->key;
    struct reval_entry *e;
    struct ukey *ukey;
    bool adopted = false;

    ukey_normalize_key(&key);
    ukey = ukey_find(br, &key);
    if (!ukey) {
        /* A flow vswitchd did not install in this life: adopt it with the
         * datapath's actions until it is translated. */
        ukey = ukey_create(br, &key, NULL, dump->now_ms);
        ukey_set_actions(ukey, &flow->actions);
        ukey->n_packets = flow->stats.n_packets;
        ukey->n_bytes = flow->stats.n_bytes;
        if (flow->used_ms) {
            ukey->used_ms = flow->used_ms;
        }
        adopted = true;
    } else if (ukey->dump_seq == br->reval_seq) {
        return 0;               /* seen twice in one dump (PMD copies) */
    }
    ukey->dump_seq = br->reval_seq;

    if (dump->n >= dump->cap) {
        dump->cap = dump->cap ? dump->cap * 2 : 256;
        dump->entries = xrealloc(dump->entries,
                                 dump->cap * sizeof *dump->entries);
    }
    e = &dump->entries[dump->n++];
    e->ukey = ukey;
    e->n_packets = flow->stats.n_packets;
    e->n_bytes = flow->stats.n_bytes;
    e->used_ms = flow->used_ms;
    e->adopted = adopted;
    e->differs = !adopted && !ukey_actions_equal(ukey, &flow->actions);
    return 0;
}

/* Pending datapath changes of one pass, sent in batches. */
struct reval_ops {
    struct br_bridge *br;
    struct dpif_op ops[64];
    struct vsw_actions acts[64];
    struct vsw_flow_key keys[64];
    size_t n;
    int error;
};

static void
reval_ops_flush(struct reval_ops *r)
{
    if (r->n && !r->error) {
        r->error = dpif_operate(r->br->engine->dpif, r->ops, r->n);
    }
    r->n = 0;
}

static void
reval_ops_add(struct reval_ops *r, enum dpif_op_type type,
              const struct vsw_flow_key *key, const struct vsw_actions *acts)
{
    struct dpif_op *op;

    if (r->error) {
        return;
    }
    op = &r->ops[r->n];
    memset(op, 0, sizeof *op);
    r->keys[r->n] = *key;
    op->type = type;
    op->dp_index = r->br->dp_index;
    op->key = &r->keys[r->n];
    if (acts) {
        r->acts[r->n] = *acts;
        op->actions = &r->acts[r->n];
    }
    if (++r->n == ARRAY_SIZE(r->ops)) {
        reval_ops_flush(r);
    }
}

static void
reval_delete(struct reval_ops *r, struct ukey *ukey)
{
    reval_ops_add(r, DPIF_OP_FLOW_DEL, &ukey->key, NULL);
    ukey_destroy(r->br, ukey);
}

static int
compare_used(const void *a_, const void *b_)
{
    const struct ukey *a = *(struct ukey *const *) a_;
    const struct ukey *b = *(struct ukey *const *) b_;

    return a->used_ms < b->used_ms ? -1 : a->used_ms > b->used_ms;
}

int
revalidator_run(struct br_bridge *br)
{
    static struct xlate_out xout;
    struct reval_dump dump;
    struct reval_ops *ops;
    struct vsw_error err;
    uint64_t dump_start;
    bool full, mac_changed;
    struct ukey *ukey;
    int error;

    if (!bridge_dp_ready(br)) {
        return 0;
    }

    /* MAC aging first, so flows to expired MACs are fixed in this pass. */
    vsw_mac_expire(&br->xbr.ml, vsw_time_msec(), NULL, NULL);

    memset(&dump, 0, sizeof dump);
    dump.br = br;
    dump.now_ms = dump_start = vsw_time_msec();
    br->reval_seq++;
    vsw_error_clear(&err);
    error = dpif_flow_dump(br->engine->dpif, br->dp_index, reval_dump_cb,
                           &dump, &err);
    if (error) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(10, 10);

        VSW_WARN_RL(&rl, "%s: dumping flows failed: %s", br->name,
                    err.msg[0] ? err.msg : strerror(error));
        /* Adopted records of a partial dump are kept: the next pass
         * revalidates them. */
        for (size_t i = 0; i < dump.n; i++) {
            if (dump.entries[i].adopted) {
                dump.entries[i].ukey->needs_xlate = true;
            }
        }
        free(dump.entries);
        bridge_engine_failed(br->engine, error);
        return error;
    }

    uint64_t now = vsw_time_msec();
    full = br->need_revalidate || br->adopt_flows;
    br->need_revalidate = false;
    br->adopt_flows = false;

    /* Adoption, part one: the sources of adopted flows that still carry
     * traffic go back into the MAC table, so that re-translating them
     * finds the same destinations as before the restart. */
    for (size_t i = 0; i < dump.n; i++) {
        struct reval_entry *e = &dump.entries[i];
        struct xlate_in xin;

        if (!e->adopted) {
            continue;
        }
        br->n_adopted++;
        if (e->used_ms && now - e->used_ms > br->max_idle_ms) {
            continue;
        }
        memset(&xin, 0, sizeof xin);
        xin.key = e->ukey->key;
        xin.may_learn = true;
        xin.now_ms = now;
        xlate(&br->xbr, &xin, &xout);
    }

    /* Statistics and MAC refresh before deciding anything, so that MACs
     * still in use keep their entries. */
    for (size_t i = 0; i < dump.n; i++) {
        struct reval_entry *e = &dump.entries[i];
        uint64_t d_packets, d_bytes;

        ukey = e->ukey;
        if (e->adopted) {
            d_packets = d_bytes = 0;        /* counted before our time */
        } else if (e->n_packets >= ukey->n_packets) {
            d_packets = e->n_packets - ukey->n_packets;
            d_bytes = e->n_bytes >= ukey->n_bytes
                      ? e->n_bytes - ukey->n_bytes : e->n_bytes;
        } else {
            /* The datapath's counters restarted (flow replaced). */
            d_packets = e->n_packets;
            d_bytes = e->n_bytes;
        }
        ukey->n_packets = e->n_packets;
        ukey->n_bytes = e->n_bytes;
        if (e->used_ms > ukey->used_ms) {
            ukey->used_ms = e->used_ms;
        }
        if (d_packets) {
            upcall_credit_rules(br, ukey->rule_ids, ukey->n_rules,
                                d_packets, d_bytes, now);
            for (size_t j = 0; j < ukey->n_learned; j++) {
                const struct ukey_mac *m = &ukey->learned[j];
                const struct vsw_mac_entry *me;

                if (!xbridge_port_by_ofport(&br->xbr, m->port)) {
                    continue;
                }
                /* Refresh the entry while the flow is used; but move it
                 * back to this flow's port only if the flow saw the MAC
                 * after the entry last changed: these packets may predate
                 * a move that an upcall already learned. */
                me = vsw_mac_lookup(&br->xbr.ml, m->vlan, m->mac);
                if (!me || me->port == m->port
                    || (e->used_ms && me->used_ms < e->used_ms)) {
                    uint64_t seen = e->used_ms && e->used_ms <= now
                                    ? e->used_ms : now;

                    if (!me || me->port != m->port || me->used_ms < seen) {
                        vsw_mac_learn(&br->xbr.ml, m->vlan, m->mac, m->port,
                                      seen, NULL);
                    }
                }
            }
        }
    }

    mac_changed = br->xbr.ml.generation != br->reval_ml_gen;

    ops = xzalloc(sizeof *ops);
    ops->br = br;
    for (size_t i = 0; i < dump.n; i++) {
        struct reval_entry *e = &dump.entries[i];
        struct xlate_in xin;

        ukey = e->ukey;
        if (now - ukey->used_ms > br->max_idle_ms) {
            br->n_idle_deleted++;
            reval_delete(ops, ukey);
            continue;
        }
        if (!(full || ukey->needs_xlate || e->differs
              || (mac_changed && ukey->used_normal))) {
            continue;
        }
        memset(&xin, 0, sizeof xin);
        xin.key = ukey->key;
        xin.may_learn = false;
        xin.now_ms = now;
        xlate(&br->xbr, &xin, &xout);
        if (xout.error != XLATE_OK) {
            br->n_reval_deleted++;
            reval_delete(ops, ukey);
            continue;
        }
        if (!ukey_actions_equal(ukey, &xout.actions) || e->differs) {
            reval_ops_add(ops, DPIF_OP_FLOW_PUT, &ukey->key, &xout.actions);
            br->n_modified++;
        }
        ukey_set_xlate(ukey, &xout);
    }

    /* Records of flows the datapath no longer has. */
    HMAP_FOR_EACH_SAFE (ukey, node, &br->ukeys) {
        if (ukey->dump_seq != br->reval_seq && ukey->created_ms < dump_start
            && !ops->error) {
            ukey_destroy(br, ukey);
        }
    }

    /* The flow limit: evict the idlest. */
    if (hmap_count(&br->ukeys) >= br->flow_limit && !ops->error) {
        size_t n = hmap_count(&br->ukeys), i = 0;
        uint64_t target = revalidator_evict_target(br->flow_limit);
        struct ukey **sorted = xmalloc(n * sizeof *sorted);

        HMAP_FOR_EACH (ukey, node, &br->ukeys) {
            sorted[i++] = ukey;
        }
        qsort(sorted, n, sizeof *sorted, compare_used);
        for (i = 0; i < n && n - i > target; i++) {
            br->n_evicted++;
            reval_delete(ops, sorted[i]);
        }
        free(sorted);
    }

    reval_ops_flush(ops);
    error = ops->error;
    free(ops);
    if (vsw_time_msec() - dump_start > 500) {
        static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(2, 2);

        VSW_INFO_RL(&rl, "%s: revalidating %zu flows took %llu ms",
                    br->name, dump.n,
                    (unsigned long long) (vsw_time_msec() - dump_start));
    }
    free(dump.entries);
    br->reval_ml_gen = br->xbr.ml.generation;
    if (error) {
        bridge_engine_failed(br->engine, error);
    }
    return error;
}

void
revalidator_run_all(void)
{
    size_t n;
    struct br_bridge **brs = bridge_sorted(&n);

    for (size_t i = 0; i < n; i++) {
        revalidator_run(brs[i]);
    }
    free(brs);
    bridge_kick_upcalls();
}
