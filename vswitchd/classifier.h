/* Rule tables: OpenFlow-style classification by priority over masked
 * matches, the lookup that decides which rule an upcalled packet hits.
 *
 * Design
 * ------
 * A classifier holds tables 0..VSW_RULE_MAX_TABLE (254).  Each table is a
 * tuple-space search: rules are grouped into one "subtable" per distinct
 * mask (struct vsw_match.mask); inside a subtable the rules are found by a
 * hash of the packet's key ANDed with that mask, so a lookup costs one hash
 * probe per subtable whatever the number of rules.
 *
 * Order: the highest priority matching rule wins; between equal
 * priorities the rule inserted first wins (the order is deterministic, not
 * a property of hashing).  Subtables are kept sorted by the highest
 * priority they hold, so a lookup stops as soon as no remaining subtable
 * can beat the best match found so far.
 *
 * Wildcards: a lookup ORs the mask of every subtable it had to probe into
 * a caller-supplied "wc" mask.  A packet that agrees with the looked-up
 * one on every 1-bit of wc gets the same answer from this table, so the
 * translator can install a megaflow that wide and no wider.  Subtables
 * skipped because of priority do not contribute (their answer could not
 * have mattered).
 *
 * Keys: rules match on the classification key, whose in_port is the
 * OpenFlow port number (ofport), not the datapath port number.  Rules
 * whose match names a port (vsw_match.in_port_name) must be resolved to a
 * number before insertion (xbridge_resolve_rule() in xlate.h).
 *
 * Ownership: vsw_cls_insert() takes the rule; vsw_cls_remove() gives it
 * back; vsw_cls_destroy() frees the rules still inside with free().
 * Rules are allocated by the caller (xzalloc) and filled in before insert;
 * after insert only the counters may change.
 *
 * Not thread-safe: vswitchd's main loop owns it. */
#ifndef VSW_VSWITCHD_CLASSIFIER_H
#define VSW_VSWITCHD_CLASSIFIER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "db/rule.h"
#include "utilities/hmap.h"
#include "utilities/list.h"
#include "vswitch/flow-key.h"

#define VSW_CLS_N_TABLES (VSW_RULE_MAX_TABLE + 1)   /* tables 0..254 */

struct vsw_cls_subtable;

struct vsw_cls_rule {
    /* Filled by the caller before vsw_cls_insert(); read-only afterwards. */
    uint8_t table_id;               /* 0..VSW_RULE_MAX_TABLE */
    uint16_t priority;              /* higher wins */
    struct vsw_match match;         /* key/mask; in_port numeric (ofport) */
    struct vsw_ofactions actions;   /* ofport numbers or names (xlate
                                     * resolves names at translation) */
    uint64_t cookie;
    int64_t id;                     /* stable identifier (DB rowid); unique
                                     * within a classifier */
    uint16_t idle_timeout;          /* seconds, 0 = none (informational) */
    uint16_t hard_timeout;
    int64_t created_ms;             /* wall clock ms when added/modified */

    /* Credited by the daemon from datapath flow statistics. */
    uint64_t n_packets;
    uint64_t n_bytes;
    uint64_t used_ms;               /* monotonic ms of the last credit */

    /* Private to the classifier. */
    uint64_t seq__;                 /* insertion order: ties go to lower */
    struct vsw_cls_subtable *subtable__;
    struct hmap_node node__;        /* in subtable: head of a same-key list */
    struct vsw_list same__;         /* rules with the same masked key, in
                                     * (priority desc, seq asc) order */
    struct hmap_node id_node__;     /* in classifier->by_id */
};

/* One table: the subtables ordered by max_priority (highest first). */
struct vsw_cls_table {
    struct vsw_cls_subtable **subtables;
    size_t n_subtables;
    size_t allocated;
    size_t n_rules;
};

struct vsw_classifier {
    struct vsw_cls_table *tables[256];  /* NULL = empty; indexed by any
                                         * uint8_t so that a stray 255
                                         * cannot overflow (OpenFlow uses
                                         * 255 for "current table", so no
                                         * resubmit reaches it) */
    struct hmap by_id;              /* all rules, by id */
    size_t n_rules;
    uint64_t next_seq;
    uint64_t generation;            /* bumped by every insert/remove */
};

void vsw_cls_init(struct vsw_classifier *);
/* Frees every rule still inside and the classifier's own memory. */
void vsw_cls_destroy(struct vsw_classifier *);
/* Frees every rule (the classifier stays usable). */
void vsw_cls_clear(struct vsw_classifier *);

/* Inserts RULE (ownership passes to the classifier).  The match's key is
 * normalised (key &= mask) first.  If the same table already holds a rule
 * with the same priority and an identical match, that rule is removed and
 * returned (OpenFlow add-flow replaces it; the caller frees it or copies
 * its counters); otherwise returns NULL.  A replacing rule takes the
 * replaced rule's place in tie order. */
struct vsw_cls_rule *vsw_cls_insert(struct vsw_classifier *,
                                    struct vsw_cls_rule *);

/* Removes RULE, which must be in the classifier, and gives it back. */
void vsw_cls_remove(struct vsw_classifier *, struct vsw_cls_rule *);

/* The highest-priority rule of TABLE_ID matching FLOW (whose in_port is an
 * ofport), ties going to the earliest inserted, or NULL on a table miss.
 * If WC is nonnull, ORs into it the masks of the subtables consulted (see
 * the top of this file).  No allocation. */
struct vsw_cls_rule *vsw_cls_lookup(const struct vsw_classifier *,
                                    uint8_t table_id,
                                    const struct vsw_flow_key *flow,
                                    struct vsw_flow_key *wc);

/* The rule with ID, or NULL. */
struct vsw_cls_rule *vsw_cls_find_by_id(const struct vsw_classifier *,
                                        int64_t id);

/* The rule of TABLE_ID with exactly this PRIORITY and MATCH, or NULL. */
struct vsw_cls_rule *vsw_cls_find_exact(const struct vsw_classifier *,
                                        uint8_t table_id, uint16_t priority,
                                        const struct vsw_match *);

static inline size_t
vsw_cls_count(const struct vsw_classifier *cls)
{
    return cls->n_rules;
}

/* Returns a malloc'd array of the rules of TABLE_ID (every table when
 * TABLE_ID < 0) in dump order: table ascending, then priority descending,
 * then insertion order; stores its length in *N.  The caller frees the
 * array (not the rules).  Returns NULL when *N is 0. */
struct vsw_cls_rule **vsw_cls_collect(const struct vsw_classifier *,
                                      int table_id, size_t *n);

/* Calls CB for every rule, in no particular order.  CB must not insert or
 * remove rules. */
void vsw_cls_for_each(const struct vsw_classifier *,
                      void (*cb)(struct vsw_cls_rule *, void *aux),
                      void *aux);

/* Whether FLOW matches RULE's match (for tests and checks). */
bool vsw_cls_rule_matches(const struct vsw_cls_rule *,
                          const struct vsw_flow_key *flow);

#endif
