/* Tuple-space search classifier.  See classifier.h for the design.
 *
 * Layout: table -> array of subtables sorted by max_priority (descending)
 * -> hmap of "heads" by hash of the masked key -> circular list of the
 * rules sharing that masked key, sorted by (priority desc, seq asc).  The
 * head is therefore the best rule of its subtable for a packet that hits
 * that masked key, and a lookup does one hash probe per subtable. */
#include <config.h>
#include "vswitchd/classifier.h"

#include <stdlib.h>
#include <string.h>
#include "utilities/hash.h"
#include "utilities/util.h"

struct vsw_cls_subtable {
    struct vsw_flow_key mask;       /* shared by all rules inside */
    struct hmap heads;              /* struct vsw_cls_rule (heads only) */
    size_t n_rules;                 /* including non-heads */
    uint16_t max_priority;          /* highest priority inside */
};

static void
key_and(struct vsw_flow_key *dst, const struct vsw_flow_key *a,
        const struct vsw_flow_key *mask)
{
    const uint8_t *pa = (const uint8_t *) a;
    const uint8_t *pm = (const uint8_t *) mask;
    uint8_t *pd = (uint8_t *) dst;

    for (size_t i = 0; i < sizeof *dst; i++) {
        pd[i] = pa[i] & pm[i];
    }
}

static void
key_or(struct vsw_flow_key *dst, const struct vsw_flow_key *src)
{
    const uint8_t *ps = (const uint8_t *) src;
    uint8_t *pd = (uint8_t *) dst;

    for (size_t i = 0; i < sizeof *dst; i++) {
        pd[i] |= ps[i];
    }
}

static uint32_t
key_hash(const struct vsw_flow_key *k)
{
    return hash_bytes(k, sizeof *k, 0);
}

static uint32_t
id_hash(int64_t id)
{
    return hash_bytes(&id, sizeof id, 0x5eed);
}

/* Whether A sorts before B in tie order: higher priority, then earlier. */
static bool
rule_before(const struct vsw_cls_rule *a, const struct vsw_cls_rule *b)
{
    return a->priority != b->priority ? a->priority > b->priority
                                      : a->seq__ < b->seq__;
}

void
vsw_cls_init(struct vsw_classifier *cls)
{
    memset(cls, 0, sizeof *cls);
    hmap_init(&cls->by_id);
    cls->next_seq = 1;
}

static void
subtable_destroy(struct vsw_cls_subtable *st, bool free_rules)
{
    if (free_rules) {
        struct vsw_cls_rule *head;

        HMAP_FOR_EACH_SAFE (head, node__, &st->heads) {
            while (!vsw_list_is_empty(&head->same__)) {
                struct vsw_cls_rule *r = CONTAINER_OF(head->same__.next,
                                                      struct vsw_cls_rule,
                                                      same__);
                vsw_list_remove(&r->same__);
                free(r);
            }
            hmap_remove(&st->heads, &head->node__);
            free(head);
        }
    }
    hmap_destroy(&st->heads);
    free(st);
}

void
vsw_cls_clear(struct vsw_classifier *cls)
{
    for (size_t t = 0; t < ARRAY_SIZE(cls->tables); t++) {
        struct vsw_cls_table *table = cls->tables[t];

        if (!table) {
            continue;
        }
        for (size_t i = 0; i < table->n_subtables; i++) {
            subtable_destroy(table->subtables[i], true);
        }
        free(table->subtables);
        free(table);
        cls->tables[t] = NULL;
    }
    hmap_destroy(&cls->by_id);
    hmap_init(&cls->by_id);
    cls->n_rules = 0;
    cls->generation++;
}

void
vsw_cls_destroy(struct vsw_classifier *cls)
{
    vsw_cls_clear(cls);
    hmap_destroy(&cls->by_id);
}

/* Restores the descending max_priority order after subtable I changed. */
static void
table_resort(struct vsw_cls_table *table, size_t i)
{
    struct vsw_cls_subtable **v = table->subtables;

    while (i > 0 && v[i - 1]->max_priority < v[i]->max_priority) {
        struct vsw_cls_subtable *tmp = v[i - 1];
        v[i - 1] = v[i];
        v[i] = tmp;
        i--;
    }
    while (i + 1 < table->n_subtables
           && v[i + 1]->max_priority > v[i]->max_priority) {
        struct vsw_cls_subtable *tmp = v[i + 1];
        v[i + 1] = v[i];
        v[i] = tmp;
        i++;
    }
}

static size_t
table_find_subtable(const struct vsw_cls_table *table,
                    const struct vsw_flow_key *mask)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        if (!memcmp(&table->subtables[i]->mask, mask, sizeof *mask)) {
            return i;
        }
    }
    return SIZE_MAX;
}

static size_t
subtable_index(const struct vsw_cls_table *table,
               const struct vsw_cls_subtable *st)
{
    for (size_t i = 0; i < table->n_subtables; i++) {
        if (table->subtables[i] == st) {
            return i;
        }
    }
    abort();
}

static struct vsw_cls_rule *
subtable_find_head(const struct vsw_cls_subtable *st,
                   const struct vsw_flow_key *masked, uint32_t hash)
{
    struct vsw_cls_rule *head;

    HMAP_FOR_EACH_WITH_HASH (head, node__, hash, &st->heads) {
        if (!memcmp(&head->match.key, masked, sizeof *masked)) {
            return head;
        }
    }
    return NULL;
}

static bool
same_match(const struct vsw_match *a, const struct vsw_match *b)
{
    return (!memcmp(&a->key, &b->key, sizeof a->key)
            && !memcmp(&a->mask, &b->mask, sizeof a->mask)
            && !strncmp(a->in_port_name, b->in_port_name,
                        sizeof a->in_port_name));
}

struct vsw_cls_rule *
vsw_cls_find_exact(const struct vsw_classifier *cls, uint8_t table_id,
                   uint16_t priority, const struct vsw_match *match_)
{
    const struct vsw_cls_table *table;
    struct vsw_cls_rule *head, *r;
    struct vsw_match match = *match_;
    size_t i;

    if (!(table = cls->tables[table_id])) {
        return NULL;
    }
    key_and(&match.key, &match.key, &match.mask);
    i = table_find_subtable(table, &match.mask);
    if (i == SIZE_MAX) {
        return NULL;
    }
    head = subtable_find_head(table->subtables[i], &match.key,
                              key_hash(&match.key));
    if (!head) {
        return NULL;
    }
    r = head;
    do {
        if (r->priority == priority && same_match(&r->match, &match)) {
            return r;
        }
        r = CONTAINER_OF(r->same__.next, struct vsw_cls_rule, same__);
    } while (r != head);
    return NULL;
}

/* Links RULE (seq__ already set) into TABLE. */
static void
table_link(struct vsw_cls_table *table, struct vsw_cls_rule *rule)
{
    struct vsw_cls_subtable *st;
    struct vsw_cls_rule *head;
    uint32_t hash;
    size_t i;

    i = table_find_subtable(table, &rule->match.mask);
    if (i == SIZE_MAX) {
        if (table->n_subtables == table->allocated) {
            table->allocated = table->allocated ? table->allocated * 2 : 4;
            table->subtables = xrealloc(table->subtables,
                                        table->allocated
                                        * sizeof *table->subtables);
        }
        st = xzalloc(sizeof *st);
        st->mask = rule->match.mask;
        hmap_init(&st->heads);
        st->max_priority = rule->priority;
        i = table->n_subtables++;
        table->subtables[i] = st;
    }
    st = table->subtables[i];
    rule->subtable__ = st;

    hash = key_hash(&rule->match.key);
    head = subtable_find_head(st, &rule->match.key, hash);
    if (!head) {
        vsw_list_init(&rule->same__);
        hmap_insert(&st->heads, &rule->node__, hash);
    } else if (rule_before(rule, head)) {
        /* New head: it goes in front of the old one in the circle. */
        vsw_list_insert(&head->same__, &rule->same__);
        hmap_remove(&st->heads, &head->node__);
        hmap_insert(&st->heads, &rule->node__, hash);
    } else {
        struct vsw_cls_rule *pos = CONTAINER_OF(head->same__.next,
                                                struct vsw_cls_rule, same__);
        while (pos != head && !rule_before(rule, pos)) {
            pos = CONTAINER_OF(pos->same__.next, struct vsw_cls_rule, same__);
        }
        vsw_list_insert(&pos->same__, &rule->same__);
    }

    st->n_rules++;
    table->n_rules++;
    if (st->n_rules == 1 || rule->priority > st->max_priority) {
        st->max_priority = rule->priority;
    }
    table_resort(table, i);
}

static void
table_unlink(struct vsw_cls_table *table, struct vsw_cls_rule *rule)
{
    struct vsw_cls_subtable *st = rule->subtable__;
    uint32_t hash = key_hash(&rule->match.key);
    struct vsw_cls_rule *head = subtable_find_head(st, &rule->match.key, hash);
    size_t i = subtable_index(table, st);

    if (head == rule) {
        hmap_remove(&st->heads, &rule->node__);
        if (!vsw_list_is_empty(&rule->same__)) {
            struct vsw_cls_rule *next = CONTAINER_OF(rule->same__.next,
                                                     struct vsw_cls_rule,
                                                     same__);
            hmap_insert(&st->heads, &next->node__, hash);
        }
    }
    vsw_list_remove(&rule->same__);
    rule->subtable__ = NULL;
    st->n_rules--;
    table->n_rules--;

    if (!st->n_rules) {
        memmove(&table->subtables[i], &table->subtables[i + 1],
                (table->n_subtables - i - 1) * sizeof *table->subtables);
        table->n_subtables--;
        subtable_destroy(st, false);
        return;
    }
    if (rule->priority == st->max_priority) {
        /* Recompute: the heads hold the best of each key. */
        struct vsw_cls_rule *h;
        uint16_t max = 0;

        HMAP_FOR_EACH (h, node__, &st->heads) {
            if (h->priority > max) {
                max = h->priority;
            }
        }
        st->max_priority = max;
        table_resort(table, i);
    }
}

struct vsw_cls_rule *
vsw_cls_insert(struct vsw_classifier *cls, struct vsw_cls_rule *rule)
{
    struct vsw_cls_table *table;
    struct vsw_cls_rule *old;

    key_and(&rule->match.key, &rule->match.key, &rule->match.mask);
    old = vsw_cls_find_exact(cls, rule->table_id, rule->priority,
                             &rule->match);
    if (old) {
        rule->seq__ = old->seq__;
        vsw_cls_remove(cls, old);
    } else {
        rule->seq__ = cls->next_seq++;
    }

    table = cls->tables[rule->table_id];
    if (!table) {
        table = cls->tables[rule->table_id] = xzalloc(sizeof *table);
    }
    table_link(table, rule);
    hmap_insert(&cls->by_id, &rule->id_node__, id_hash(rule->id));
    cls->n_rules++;
    cls->generation++;
    return old;
}

void
vsw_cls_remove(struct vsw_classifier *cls, struct vsw_cls_rule *rule)
{
    struct vsw_cls_table *table = cls->tables[rule->table_id];

    table_unlink(table, rule);
    if (!table->n_rules) {
        free(table->subtables);
        free(table);
        cls->tables[rule->table_id] = NULL;
    }
    hmap_remove(&cls->by_id, &rule->id_node__);
    cls->n_rules--;
    cls->generation++;
}

struct vsw_cls_rule *
vsw_cls_lookup(const struct vsw_classifier *cls, uint8_t table_id,
               const struct vsw_flow_key *flow, struct vsw_flow_key *wc)
{
    const struct vsw_cls_table *table;
    struct vsw_cls_rule *best = NULL;

    if (!(table = cls->tables[table_id])) {
        return NULL;
    }
    for (size_t i = 0; i < table->n_subtables; i++) {
        const struct vsw_cls_subtable *st = table->subtables[i];
        struct vsw_flow_key masked;
        struct vsw_cls_rule *r;

        /* Equal priority must still be consulted: an earlier-inserted rule
         * there would win the tie. */
        if (best && st->max_priority < best->priority) {
            break;
        }
        if (wc) {
            key_or(wc, &st->mask);
        }
        key_and(&masked, flow, &st->mask);
        r = subtable_find_head(st, &masked, key_hash(&masked));
        if (r && (!best || rule_before(r, best))) {
            best = r;
        }
    }
    return best;
}

struct vsw_cls_rule *
vsw_cls_find_by_id(const struct vsw_classifier *cls, int64_t id)
{
    struct vsw_cls_rule *r;

    HMAP_FOR_EACH_WITH_HASH (r, id_node__, id_hash(id), &cls->by_id) {
        if (r->id == id) {
            return r;
        }
    }
    return NULL;
}

void
vsw_cls_for_each(const struct vsw_classifier *cls,
                 void (*cb)(struct vsw_cls_rule *, void *aux), void *aux)
{
    struct vsw_cls_rule *r;

    HMAP_FOR_EACH (r, id_node__, &cls->by_id) {
        cb(r, aux);
    }
}

static int
compare_dump_order(const void *a_, const void *b_)
{
    const struct vsw_cls_rule *a = *(struct vsw_cls_rule *const *) a_;
    const struct vsw_cls_rule *b = *(struct vsw_cls_rule *const *) b_;

    if (a->table_id != b->table_id) {
        return a->table_id < b->table_id ? -1 : 1;
    }
    return rule_before(a, b) ? -1 : rule_before(b, a) ? 1 : 0;
}

struct vsw_cls_rule **
vsw_cls_collect(const struct vsw_classifier *cls, int table_id, size_t *n)
{
    struct vsw_cls_rule **v, *r;
    size_t k = 0;

    *n = 0;
    if (!cls->n_rules) {
        return NULL;
    }
    v = xmalloc(cls->n_rules * sizeof *v);
    HMAP_FOR_EACH (r, id_node__, &cls->by_id) {
        if (table_id < 0 || r->table_id == table_id) {
            v[k++] = r;
        }
    }
    if (!k) {
        free(v);
        return NULL;
    }
    qsort(v, k, sizeof *v, compare_dump_order);
    *n = k;
    return v;
}

bool
vsw_cls_rule_matches(const struct vsw_cls_rule *rule,
                     const struct vsw_flow_key *flow)
{
    struct vsw_flow_key masked;

    key_and(&masked, flow, &rule->match.mask);
    return !memcmp(&masked, &rule->match.key, sizeof masked);
}
