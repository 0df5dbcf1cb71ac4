/* Upcall handling and flow records: see upcall.h. */
#include <config.h>
#include "vswitchd/upcall.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

#include "datapath/dpif.h"
#include "utilities/hash.h"
#include "utilities/log.h"
#include "utilities/util.h"
#include "vswitchd/bridge.h"

VSW_LOG_MODULE(upcall);

/* ---- ukeys ---------------------------------------------------------- */

void
ukey_normalize_key(struct vsw_flow_key *key)
{
    /* TCP flags vary per packet: exact-match engines ignore them. */
    key->tcp_flags = 0;
    key->pad0 = 0;
}

uint32_t
ukey_hash(const struct vsw_flow_key *key)
{
    return hash_bytes(key, sizeof *key, 0);
}

struct ukey *
ukey_find(const struct br_bridge *br, const struct vsw_flow_key *key)
{
    struct ukey *ukey;

    HMAP_FOR_EACH_WITH_HASH (ukey, node, ukey_hash(key), &br->ukeys) {
        if (!memcmp(&ukey->key, key, sizeof *key)) {
            return ukey;
        }
    }
    return NULL;
}

void
ukey_set_actions(struct ukey *ukey, const struct vsw_actions *actions)
{
    uint32_t n = VSW_MIN(actions->n_actions, VSW_MAX_ACTIONS);

    free(ukey->actions);
    ukey->actions = n ? xmemdup(actions->acts, n * sizeof *actions->acts)
                      : NULL;
    ukey->n_actions = n;
}

void
ukey_get_actions(const struct ukey *ukey, struct vsw_actions *actions)
{
    memset(actions, 0, sizeof *actions);
    actions->n_actions = ukey->n_actions;
    if (ukey->n_actions) {
        memcpy(actions->acts, ukey->actions,
               ukey->n_actions * sizeof *actions->acts);
    }
}

bool
ukey_actions_equal(const struct ukey *ukey, const struct vsw_actions *actions)
{
    return ukey->n_actions == actions->n_actions
           && (!ukey->n_actions
               || !memcmp(ukey->actions, actions->acts,
                          ukey->n_actions * sizeof *actions->acts));
}

void
ukey_set_xlate(struct ukey *ukey, const struct xlate_out *xout)
{
    size_t n_learned = 0;

    ukey_set_actions(ukey, &xout->actions);

    free(ukey->rule_ids);
    ukey->rule_ids = xout->n_rules
                     ? xmemdup(xout->rule_ids,
                               xout->n_rules * sizeof *xout->rule_ids)
                     : NULL;
    ukey->n_rules = xout->n_rules;

    free(ukey->learned);
    ukey->learned = NULL;
    for (size_t i = 0; i < xout->n_macs; i++) {
        n_learned += xout->macs[i].learn;
    }
    if (n_learned) {
        ukey->learned = xcalloc(n_learned, sizeof *ukey->learned);
        n_learned = 0;
        for (size_t i = 0; i < xout->n_macs; i++) {
            const struct xlate_mac_ref *ref = &xout->macs[i];

            if (ref->learn) {
                struct ukey_mac *m = &ukey->learned[n_learned++];
                m->vlan = ref->vlan;
                memcpy(m->mac, ref->mac, 6);
                m->port = ref->port;
            }
        }
    }
    ukey->n_learned = n_learned;
    ukey->used_normal = xout->used_normal || xout->macs_overflow;
    ukey->needs_xlate = false;
}

struct ukey *
ukey_create(struct br_bridge *br, const struct vsw_flow_key *key,
            const struct xlate_out *xout, uint64_t now_ms)
{
    struct ukey *ukey = xzalloc(sizeof *ukey);

    ukey->key = *key;
    ukey_normalize_key(&ukey->key);
    ukey->created_ms = now_ms;
    ukey->used_ms = now_ms;
    if (xout) {
        ukey_set_xlate(ukey, xout);
    } else {
        ukey->needs_xlate = true;
    }
    hmap_insert(&br->ukeys, &ukey->node, ukey_hash(&ukey->key));
    return ukey;
}

static void
ukey_free(struct ukey *ukey)
{
    free(ukey->actions);
    free(ukey->rule_ids);
    free(ukey->learned);
    free(ukey);
}

void
ukey_destroy(struct br_bridge *br, struct ukey *ukey)
{
    hmap_remove(&br->ukeys, &ukey->node);
    ukey_free(ukey);
}

void
ukey_destroy_all(struct br_bridge *br)
{
    struct ukey *ukey;

    HMAP_FOR_EACH_SAFE (ukey, node, &br->ukeys) {
        hmap_remove(&br->ukeys, &ukey->node);
        ukey_free(ukey);
    }
}

/* ---- statistics ----------------------------------------------------- */

void
upcall_credit_rules(struct br_bridge *br, const int64_t *rule_ids,
                    size_t n_rules, uint64_t n_packets, uint64_t n_bytes,
                    uint64_t now_ms)
{
    if (!n_packets && !n_bytes) {
        return;
    }
    for (size_t i = 0; i < n_rules; i++) {
        struct vsw_cls_rule *rule = vsw_cls_find_by_id(&br->xbr.cls,
                                                       rule_ids[i]);
        if (rule) {
            rule->n_packets += n_packets;
            rule->n_bytes += n_bytes;
            rule->used_ms = now_ms;
            br->stats_dirty = true;
        }
    }
}

void
upcall_count_install(struct br_bridge *br, uint64_t now_ms)
{
    uint64_t sec = now_ms / 1000;

    if (sec != br->rate_sec) {
        br->rate_last = sec == br->rate_sec + 1 ? br->rate_this : 0;
        br->rate_sec = sec;
        br->rate_this = 0;
    }
    br->rate_this++;
    br->n_installed++;
    if (br->rate_this > br->rate_peak) {
        br->rate_peak = br->rate_this;
    }
}

uint64_t
upcall_setup_rate(struct br_bridge *br, uint64_t now_ms)
{
    uint64_t sec = now_ms / 1000;

    if (sec == br->rate_sec) {
        return br->rate_last;
    } else if (sec == br->rate_sec + 1) {
        return br->rate_this;
    }
    return 0;
}

/* ---- the handler ---------------------------------------------------- */

/* One miss of a batch. */
struct upcall {
    struct br_bridge *br;
    uint32_t in_port;
    uint32_t reason;
    struct vsw_flow_key key;
    uint8_t *buf;                   /* the packet (owned, reused) */
    size_t cap;
    uint32_t len;
    uint32_t orig_len;
    struct vsw_actions actions;     /* what to execute and install */
    struct ukey *ukey;              /* created for this miss (install) */
    bool install;
    bool execute;
    size_t put_op;                  /* index in ops when install */
};

struct upcall_batch {
    struct br_engine *engine;
    struct upcall up[UPCALL_BATCH];
    size_t n;
    uint64_t n_unknown_dp;
};

static struct upcall_batch batch;

static int
upcall_recv_cb(void *batch_, const struct vsw_msg *msg)
{
    struct upcall_batch *b = batch_;
    const struct vsw_msg_packet *p = &msg->u.packet;
    struct br_bridge *br;
    struct upcall *up;

    if (msg->type != VSW_FAMILY_PACKET || msg->cmd != VSW_PACKET_CMD_MISS
        || b->n >= UPCALL_BATCH) {
        return 0;
    }
    br = bridge_find_by_dp(b->engine, msg->dp_index);
    if (!br) {
        b->n_unknown_dp++;
        return 0;
    }
    up = &b->up[b->n++];
    up->br = br;
    up->in_port = p->in_port;
    up->reason = vsw_msg_has(msg, VSW_PACKET_ATTR_REASON)
                 ? p->reason : VSW_MISS_REASON_NO_MATCH;
    up->key = p->key;
    if (!vsw_msg_has(msg, VSW_PACKET_ATTR_IN_PORT)) {
        up->in_port = p->key.in_port;
    }
    up->key.in_port = up->in_port;
    ukey_normalize_key(&up->key);
    if (p->len > up->cap) {
        free(up->buf);
        up->cap = VSW_MAX(p->len, 2048);
        up->buf = xmalloc(up->cap);
    }
    if (p->len) {
        memcpy(up->buf, p->data, p->len);
    }
    up->len = p->len;
    up->orig_len = vsw_msg_has(msg, VSW_PACKET_ATTR_ORIG_LEN) && p->orig_len
                   ? p->orig_len : p->len;
    up->ukey = NULL;
    up->install = false;
    up->execute = false;
    return 0;
}

/* Decides what to do with UP: fills its actions and install/execute. */
static void
upcall_process(struct upcall *up, uint64_t now_ms)
{
    static struct xlate_out xout;
    struct br_bridge *br = up->br;
    struct xlate_in xin;
    struct ukey *ukey;

    br->n_upcalls++;
    memset(&up->actions, 0, sizeof up->actions);
    if (up->reason == VSW_MISS_REASON_ACTION) {
        /* A "controller" action: there is no controller to send it to. */
        return;
    }

    ukey = ukey_find(br, &up->key);
    if (ukey && now_ms - ukey->created_ms < UPCALL_DUPLICATE_MS
        && !ukey->needs_xlate) {
        br->n_duplicates++;
        ukey_get_actions(ukey, &up->actions);
        up->execute = up->len == up->orig_len;
        upcall_credit_rules(br, ukey->rule_ids, ukey->n_rules, 1,
                            up->orig_len, now_ms);
        return;
    }

    memset(&xin, 0, sizeof xin);
    xin.key = up->key;
    xin.packet = up->buf;
    xin.packet_len = up->len;
    xin.may_learn = true;
    xin.now_ms = now_ms;
    xlate(&br->xbr, &xin, &xout);
    up->actions = xout.actions;
    /* A frame the datapath cut short cannot be sent whole: install the
     * flow so that the next packets are forwarded, drop this one. */
    up->execute = up->len == up->orig_len;
    upcall_credit_rules(br, xout.rule_ids, xout.n_rules, 1, up->orig_len,
                        now_ms);

    if (ukey) {
        /* The datapath lost the flow (flushed, evicted, restarted): put it
         * back with a fresh translation. */
        ukey_set_xlate(ukey, &xout);
        ukey->created_ms = now_ms;
        ukey->used_ms = now_ms;
        ukey->n_packets = ukey->n_bytes = 0;
        up->ukey = ukey;
        up->install = true;
        return;
    }
    if (hmap_count(&br->ukeys) >= br->flow_limit) {
        br->n_flow_limit_hit++;
        return;
    }
    up->ukey = ukey_create(br, &up->key, &xout, now_ms);
    up->install = true;
}

bool
upcall_handle(struct br_engine *engine)
{
    static struct dpif_op ops[UPCALL_BATCH * 2];

    for (int round = 0; round < UPCALL_MAX_BATCHES; round++) {
        uint64_t now_ms;
        size_t n_ops = 0;
        int n, error;

        if (!engine->upcall_dpif) {
            return false;
        }
        batch.engine = engine;
        batch.n = 0;
        n = dpif_recv_upcalls(engine->upcall_dpif, upcall_recv_cb, &batch,
                              UPCALL_BATCH);
        if (n < 0) {
            bridge_engine_failed(engine, -n);
            return false;
        }
        if (!batch.n) {
            return n > 0 && n >= UPCALL_BATCH;
        }

        now_ms = vsw_time_msec();
        for (size_t i = 0; i < batch.n; i++) {
            struct upcall *up = &batch.up[i];

            upcall_process(up, now_ms);
            if (up->install) {
                struct dpif_op *op = &ops[n_ops];

                memset(op, 0, sizeof *op);
                up->put_op = n_ops++;
                op->type = DPIF_OP_FLOW_PUT;
                op->dp_index = up->br->dp_index;
                op->key = &up->key;
                op->actions = &up->actions;
            }
            if (up->execute && up->actions.n_actions) {
                struct dpif_op *op = &ops[n_ops++];

                memset(op, 0, sizeof *op);
                op->type = DPIF_OP_EXECUTE;
                op->dp_index = up->br->dp_index;
                op->actions = &up->actions;
                op->in_port = up->in_port;
                op->packet = up->buf;
                op->len = up->len;
            }
        }

        error = n_ops ? dpif_operate(engine->dpif, ops, n_ops) : 0;
        for (size_t i = 0; i < batch.n; i++) {
            struct upcall *up = &batch.up[i];

            if (!up->install) {
                continue;
            }
            if (error || ops[up->put_op].error) {
                static struct vsw_ratelimit rl = VSW_RATELIMIT_INIT(10, 10);

                up->br->n_install_fail++;
                if (!error) {
                    VSW_WARN_RL(&rl, "%s: installing a flow failed: %s",
                                up->br->name,
                                ops[up->put_op].err.msg[0]
                                ? ops[up->put_op].err.msg
                                : strerror(ops[up->put_op].error));
                }
                /* Forget it, so that the next miss tries again. */
                if (up->ukey) {
                    ukey_destroy(up->br, up->ukey);
                    up->ukey = NULL;
                }
            } else {
                upcall_count_install(up->br, now_ms);
            }
        }
        if (!error) {
            for (size_t i = 0; i < n_ops; i++) {
                if (ops[i].type == DPIF_OP_EXECUTE && ops[i].error) {
                    struct br_bridge *br = bridge_find_by_dp(engine,
                                                             ops[i].dp_index);
                    if (br) {
                        br->n_exec_fail++;
                    }
                }
            }
        } else if (bridge_engine_failed(engine, error)) {
            return false;
        }
        if (batch.n < UPCALL_BATCH) {
            return false;
        }
    }
    return true;
}

void
upcall_kick(struct br_engine *engine)
{
    /* A zero timeout, not event_active(): libevent runs events activated
     * from a callback in the same pass, which would starve the control
     * socket during a miss flood; expired timers wait for the next poll,
     * so every ready descriptor gets its turn first. */
    if (engine->kick_ev && !evtimer_pending(engine->kick_ev, NULL)) {
        static const struct timeval zero = { 0, 0 };

        evtimer_add(engine->kick_ev, &zero);
    }
}

void
upcall_engine_cb(int fd VSW_UNUSED, short what VSW_UNUSED, void *engine_)
{
    struct br_engine *engine = engine_;

    if (upcall_handle(engine)) {
        upcall_kick(engine);    /* more may be waiting */
    }
}

int
upcall_reinstall(struct br_bridge *br)
{
    enum { CHUNK = 64 };
    struct dpif_op ops[CHUNK];
    struct vsw_actions *acts;
    struct ukey *ukey;
    size_t n = 0;
    int error = 0;

    if (!bridge_dp_ready(br) || hmap_is_empty(&br->ukeys)) {
        return 0;
    }
    acts = xcalloc(CHUNK, sizeof *acts);
    HMAP_FOR_EACH (ukey, node, &br->ukeys) {
        if (ukey->needs_xlate) {
            continue;
        }
        memset(&ops[n], 0, sizeof ops[n]);
        ukey_get_actions(ukey, &acts[n]);
        ops[n].type = DPIF_OP_FLOW_PUT;
        ops[n].dp_index = br->dp_index;
        ops[n].key = &ukey->key;
        ops[n].actions = &acts[n];
        if (++n == CHUNK) {
            error = dpif_operate(br->engine->dpif, ops, n);
            if (error) {
                break;
            }
            n = 0;
        }
    }
    if (!error && n) {
        error = dpif_operate(br->engine->dpif, ops, n);
    }
    free(acts);
    /* Counters: a datapath that kept the flow kept its counters; one that
     * lost it starts again from zero, which the revalidator recognises as
     * a counter that went backwards. */
    if (error) {
        VSW_WARN("%s: reinstalling flows failed: %s", br->name,
                 strerror(error));
        bridge_engine_failed(br->engine, error);
    }
    return error;
}
