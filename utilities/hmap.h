/* Intrusive hash map with chaining.  The caller computes hashes and
 * compares keys; the map only buckets nodes.  Not thread-safe. */
#ifndef VSW_HMAP_H
#define VSW_HMAP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "utilities/util.h"

struct hmap_node {
    uint32_t hash;
    struct hmap_node *next;     /* in the same bucket */
};

struct hmap {
    struct hmap_node **buckets;
    size_t mask;                /* n_buckets - 1 */
    size_t n;
};

#define HMAP_INITIALIZER { NULL, 0, 0 }

void hmap_init(struct hmap *);
void hmap_destroy(struct hmap *);       /* frees buckets, not nodes */
void hmap_insert(struct hmap *, struct hmap_node *, uint32_t hash);
void hmap_remove(struct hmap *, struct hmap_node *);
static inline size_t hmap_count(const struct hmap *m) { return m->n; }
static inline bool hmap_is_empty(const struct hmap *m) { return !m->n; }

/* First node with HASH, or NULL; continue with hmap_next_with_hash(). */
struct hmap_node *hmap_first_with_hash(const struct hmap *, uint32_t hash);
struct hmap_node *hmap_next_with_hash(const struct hmap_node *);
/* Iteration in bucket order.  The loop macros below name their cursor
 * after NODE (which must be a plain identifier), so loops over different
 * iterators nest without shadowing each other. */
struct hmap_node *hmap_first(const struct hmap *);
struct hmap_node *hmap_next(const struct hmap *, const struct hmap_node *);

#define HMAP_FOR_EACH_WITH_HASH(NODE, MEMBER, HASH, HMAP)                 \
    for (struct hmap_node *NODE##_hmap_cur__                              \
             = hmap_first_with_hash(HMAP, HASH);                          \
         NODE##_hmap_cur__                                                \
         && ((NODE = CONTAINER_OF(NODE##_hmap_cur__, __typeof__(*NODE),  \
                                  MEMBER)), 1);                           \
         NODE##_hmap_cur__ = hmap_next_with_hash(NODE##_hmap_cur__))

#define HMAP_FOR_EACH(NODE, MEMBER, HMAP)                                 \
    for (struct hmap_node *NODE##_hmap_cur__ = hmap_first(HMAP);         \
         NODE##_hmap_cur__                                                \
         && ((NODE = CONTAINER_OF(NODE##_hmap_cur__, __typeof__(*NODE),  \
                                  MEMBER)), 1);                           \
         NODE##_hmap_cur__ = hmap_next(HMAP, NODE##_hmap_cur__))

/* Safe against removal of NODE. */
#define HMAP_FOR_EACH_SAFE(NODE, MEMBER, HMAP)                            \
    for (struct hmap_node *NODE##_hmap_cur__ = hmap_first(HMAP),         \
                          *NODE##_hmap_next__;                            \
         NODE##_hmap_cur__                                                \
         && ((NODE##_hmap_next__ = hmap_next(HMAP, NODE##_hmap_cur__)), 1) \
         && ((NODE = CONTAINER_OF(NODE##_hmap_cur__, __typeof__(*NODE),  \
                                  MEMBER)), 1);                           \
         NODE##_hmap_cur__ = NODE##_hmap_next__)

#endif
