/* See hmap.h. */
#include <config.h>
#include "utilities/hmap.h"

#include <stdlib.h>

void
hmap_init(struct hmap *m)
{
    m->buckets = NULL;
    m->mask = 0;
    m->n = 0;
}

void
hmap_destroy(struct hmap *m)
{
    free(m->buckets);
    hmap_init(m);
}

static void
hmap_resize(struct hmap *m, size_t n_buckets)
{
    struct hmap_node **buckets = xcalloc(n_buckets, sizeof *buckets);

    for (size_t i = 0; m->buckets && i <= m->mask; i++) {
        struct hmap_node *node, *next;

        for (node = m->buckets[i]; node; node = next) {
            struct hmap_node **b = &buckets[node->hash & (n_buckets - 1)];
            next = node->next;
            node->next = *b;
            *b = node;
        }
    }
    free(m->buckets);
    m->buckets = buckets;
    m->mask = n_buckets - 1;
}

void
hmap_insert(struct hmap *m, struct hmap_node *node, uint32_t hash)
{
    struct hmap_node **b;

    if (!m->buckets || m->n >= (m->mask + 1) * 2) {
        hmap_resize(m, m->buckets ? (m->mask + 1) * 2 : 16);
    }
    node->hash = hash;
    b = &m->buckets[hash & m->mask];
    node->next = *b;
    *b = node;
    m->n++;
}

void
hmap_remove(struct hmap *m, struct hmap_node *node)
{
    struct hmap_node **p = &m->buckets[node->hash & m->mask];

    while (*p != node) {
        p = &(*p)->next;
    }
    *p = node->next;
    m->n--;
}

struct hmap_node *
hmap_first_with_hash(const struct hmap *m, uint32_t hash)
{
    struct hmap_node *node;

    if (!m->buckets) {
        return NULL;
    }
    for (node = m->buckets[hash & m->mask]; node; node = node->next) {
        if (node->hash == hash) {
            return node;
        }
    }
    return NULL;
}

struct hmap_node *
hmap_next_with_hash(const struct hmap_node *node)
{
    uint32_t hash = node->hash;

    for (node = node->next; node; node = node->next) {
        if (node->hash == hash) {
            return (struct hmap_node *) node;
        }
    }
    return NULL;
}

static struct hmap_node *
hmap_first_from(const struct hmap *m, size_t i)
{
    for (; m->buckets && i <= m->mask; i++) {
        if (m->buckets[i]) {
            return m->buckets[i];
        }
    }
    return NULL;
}

struct hmap_node *
hmap_first(const struct hmap *m)
{
    return hmap_first_from(m, 0);
}

struct hmap_node *
hmap_next(const struct hmap *m, const struct hmap_node *node)
{
    return node->next ? node->next : hmap_first_from(m, (node->hash & m->mask) + 1);
}
