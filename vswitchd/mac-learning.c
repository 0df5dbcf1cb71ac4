/* MAC learning table: (VLAN, MAC) -> port with LRU aging and a size limit.
 * See mac-learning.h. */
#include <config.h>
#include "vswitchd/mac-learning.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "utilities/hash.h"
#include "utilities/util.h"
#include "vswitch/flow-key.h"

static unsigned int
normalize_aging(unsigned int aging_s)
{
    if (!aging_s) {
        return VSW_MAC_DEFAULT_AGING_S;
    }
    /* Open vSwitch clamps the same way; a table that forgot entries within
     * a second would flood constantly. */
    return (aging_s < VSW_MAC_MIN_AGING_S ? VSW_MAC_MIN_AGING_S
            : aging_s > VSW_MAC_MAX_AGING_S ? VSW_MAC_MAX_AGING_S
            : aging_s);
}

static uint32_t
mac_hash(uint16_t vlan, const uint8_t mac[6])
{
    uint8_t buf[8];

    memcpy(buf, mac, 6);
    memcpy(buf + 6, &vlan, 2);
    return hash_bytes(buf, sizeof buf, 0);
}

void
vsw_mac_table_init(struct vsw_mac_table *ml, unsigned int aging_s, size_t max)
{
    memset(ml, 0, sizeof *ml);
    hmap_init(&ml->by_key);
    vsw_list_init(&ml->lru);
    ml->aging_ms = (uint64_t) normalize_aging(aging_s) * 1000;
    ml->max_entries = max ? max : VSW_MAC_DEFAULT_MAX;
}

static void
mac_entry_free(struct vsw_mac_table *ml, struct vsw_mac_entry *e)
{
    hmap_remove(&ml->by_key, &e->node);
    vsw_list_remove(&e->lru);
    free(e);
}

void
vsw_mac_table_destroy(struct vsw_mac_table *ml)
{
    struct vsw_mac_entry *e, *next;

    VSW_LIST_FOR_EACH_SAFE (e, next, lru, &ml->lru) {
        mac_entry_free(ml, e);
    }
    hmap_destroy(&ml->by_key);
}

void
vsw_mac_set_aging(struct vsw_mac_table *ml, unsigned int aging_s)
{
    ml->aging_ms = (uint64_t) normalize_aging(aging_s) * 1000;
}

static void
evict_oldest(struct vsw_mac_table *ml)
{
    struct vsw_mac_entry *e = CONTAINER_OF(ml->lru.next, struct vsw_mac_entry,
                                           lru);
    mac_entry_free(ml, e);
    ml->n_evicted++;
    ml->generation++;
}

size_t
vsw_mac_set_max(struct vsw_mac_table *ml, size_t max)
{
    size_t n = 0;

    ml->max_entries = max ? max : VSW_MAC_DEFAULT_MAX;
    while (hmap_count(&ml->by_key) > ml->max_entries) {
        evict_oldest(ml);
        n++;
    }
    return n;
}

bool
vsw_mac_may_learn(const uint8_t src[6])
{
    /* Open vSwitch learns any unicast source, 00:00:00:00:00:00 included. */
    return !(src[0] & 1);
}

static struct vsw_mac_entry *
mac_find(const struct vsw_mac_table *ml, uint16_t vlan, const uint8_t mac[6])
{
    struct vsw_mac_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, mac_hash(vlan, mac), &ml->by_key) {
        if (e->vlan == vlan && !memcmp(e->mac, mac, 6)) {
            return e;
        }
    }
    return NULL;
}

enum vsw_mac_learn_result
vsw_mac_learn(struct vsw_mac_table *ml, uint16_t vlan, const uint8_t mac[6],
              uint32_t port, uint64_t now_ms, uint32_t *old_port)
{
    enum vsw_mac_learn_result result = VSW_MAC_UNCHANGED;
    struct vsw_mac_entry *e;

    if (!vsw_mac_may_learn(mac)) {
        return VSW_MAC_UNCHANGED;
    }
    vlan &= VSW_VLAN_VID_MASK;

    e = mac_find(ml, vlan, mac);
    if (!e) {
        if (hmap_count(&ml->by_key) >= ml->max_entries) {
            evict_oldest(ml);
        }
        e = xzalloc(sizeof *e);
        e->vlan = vlan;
        memcpy(e->mac, mac, 6);
        e->port = port;
        hmap_insert(&ml->by_key, &e->node, mac_hash(vlan, mac));
        vsw_list_push_back(&ml->lru, &e->lru);
        ml->n_learned++;
        ml->generation++;
        result = VSW_MAC_NEW;
    } else {
        if (e->port != port) {
            if (old_port) {
                *old_port = e->port;
            }
            e->port = port;
            ml->n_moved++;
            ml->generation++;
            result = VSW_MAC_MOVED;
        }
        /* Refresh: most recently seen goes to the back. */
        vsw_list_remove(&e->lru);
        vsw_list_push_back(&ml->lru, &e->lru);
    }
    /* A caller with a stale clock must not make an entry look younger than
     * it is relative to the others: the LRU order must stay time order. */
    if (now_ms > e->used_ms) {
        e->used_ms = now_ms;
    }
    return result;
}

const struct vsw_mac_entry *
vsw_mac_lookup(const struct vsw_mac_table *ml, uint16_t vlan,
               const uint8_t mac[6])
{
    if (mac[0] & 1) {
        return NULL;
    }
    return mac_find(ml, vlan & VSW_VLAN_VID_MASK, mac);
}

size_t
vsw_mac_expire(struct vsw_mac_table *ml, uint64_t now_ms,
               void (*cb)(const struct vsw_mac_entry *, void *aux), void *aux)
{
    size_t n = 0;

    while (!vsw_list_is_empty(&ml->lru)) {
        struct vsw_mac_entry *e = CONTAINER_OF(ml->lru.next,
                                               struct vsw_mac_entry, lru);

        if (e->used_ms + ml->aging_ms > now_ms) {
            break;
        }
        if (cb) {
            cb(e, aux);
        }
        mac_entry_free(ml, e);
        ml->n_expired++;
        n++;
    }
    if (n) {
        ml->generation++;
    }
    return n;
}

uint64_t
vsw_mac_next_expiry(const struct vsw_mac_table *ml)
{
    const struct vsw_mac_entry *e;

    if (vsw_list_is_empty(&ml->lru)) {
        return UINT64_MAX;
    }
    e = CONTAINER_OF(ml->lru.next, struct vsw_mac_entry, lru);
    return e->used_ms + ml->aging_ms;
}

/* Removes the entries for which FILTER is true. */
static size_t
mac_flush_if(struct vsw_mac_table *ml,
             bool (*filter)(const struct vsw_mac_entry *, uint32_t arg),
             uint32_t arg)
{
    struct vsw_mac_entry *e, *next;
    size_t n = 0;

    VSW_LIST_FOR_EACH_SAFE (e, next, lru, &ml->lru) {
        if (!filter || filter(e, arg)) {
            mac_entry_free(ml, e);
            n++;
        }
    }
    if (n) {
        ml->generation++;
    }
    return n;
}

static bool
entry_on_port(const struct vsw_mac_entry *e, uint32_t port)
{
    return e->port == port;
}

static bool
entry_in_vlan(const struct vsw_mac_entry *e, uint32_t vlan)
{
    return e->vlan == vlan;
}

size_t
vsw_mac_flush(struct vsw_mac_table *ml)
{
    return mac_flush_if(ml, NULL, 0);
}

size_t
vsw_mac_flush_port(struct vsw_mac_table *ml, uint32_t port)
{
    return mac_flush_if(ml, entry_on_port, port);
}

size_t
vsw_mac_flush_vlan(struct vsw_mac_table *ml, uint16_t vlan)
{
    return mac_flush_if(ml, entry_in_vlan, vlan & VSW_VLAN_VID_MASK);
}

unsigned int
vsw_mac_entry_age(const struct vsw_mac_entry *e, uint64_t now_ms)
{
    return now_ms > e->used_ms ? (unsigned int) ((now_ms - e->used_ms) / 1000)
                               : 0;
}

static void
put_port(struct ds *out, uint32_t port, vsw_mac_port_name_func *port_name,
         void *aux, bool json)
{
    const char *name = port_name ? port_name(port, aux) : NULL;

    if (json) {
        if (name) {
            ds_put_json_string(out, name);
        } else {
            ds_put_format(out, "%"PRIu32, port);
        }
    } else if (name) {
        ds_put_format(out, "%5s", name);
    } else {
        ds_put_format(out, "%5"PRIu32, port);
    }
}

void
vsw_mac_format(const struct vsw_mac_table *ml, uint64_t now_ms,
               vsw_mac_port_name_func *port_name, void *aux, struct ds *out)
{
    const struct vsw_mac_entry *e;

    ds_put_cstr(out, " port  VLAN  MAC                Age\n");
    VSW_MAC_FOR_EACH (e, ml) {
        char mac[18];

        put_port(out, e->port, port_name, aux, false);
        ds_put_format(out, "  %4u  %s  %3u\n", e->vlan,
                      vsw_format_mac(e->mac, mac),
                      vsw_mac_entry_age(e, now_ms));
    }
}

void
vsw_mac_format_json(const struct vsw_mac_table *ml, uint64_t now_ms,
                    vsw_mac_port_name_func *port_name, void *aux,
                    struct ds *out)
{
    const struct vsw_mac_entry *e;
    bool first = true;

    ds_put_char(out, '[');
    VSW_MAC_FOR_EACH (e, ml) {
        char mac[18];

        if (!first) {
            ds_put_char(out, ',');
        }
        first = false;
        ds_put_cstr(out, "{\"port\":");
        put_port(out, e->port, port_name, aux, true);
        ds_put_format(out, ",\"vlan\":%u,\"mac\":\"%s\",\"age\":%u}",
                      e->vlan, vsw_format_mac(e->mac, mac),
                      vsw_mac_entry_age(e, now_ms));
    }
    ds_put_char(out, ']');
}
