/* Intrusive circular doubly linked list. */
#ifndef VSW_LIST_H
#define VSW_LIST_H 1

#include <stdbool.h>
#include <stddef.h>
#include "utilities/util.h"

struct vsw_list {
    struct vsw_list *prev;
    struct vsw_list *next;
};

#define VSW_LIST_INITIALIZER(L) { L, L }

static inline void vsw_list_init(struct vsw_list *l) { l->prev = l->next = l; }
static inline bool vsw_list_is_empty(const struct vsw_list *l) { return l->next == l; }

static inline void
vsw_list_insert(struct vsw_list *before, struct vsw_list *elem)
{
    elem->prev = before->prev;
    elem->next = before;
    before->prev->next = elem;
    before->prev = elem;
}

static inline void vsw_list_push_back(struct vsw_list *l, struct vsw_list *e) { vsw_list_insert(l, e); }
static inline void vsw_list_push_front(struct vsw_list *l, struct vsw_list *e) { vsw_list_insert(l->next, e); }

static inline void
vsw_list_remove(struct vsw_list *elem)
{
    elem->prev->next = elem->next;
    elem->next->prev = elem->prev;
    elem->prev = elem->next = elem;
}

static inline size_t
vsw_list_size(const struct vsw_list *l)
{
    size_t n = 0;
    for (const struct vsw_list *e = l->next; e != l; e = e->next) {
        n++;
    }
    return n;
}

#define VSW_LIST_FOR_EACH(ITER, MEMBER, LIST)                               \
    for (ITER = CONTAINER_OF((LIST)->next, __typeof__(*ITER), MEMBER);      \
         &(ITER)->MEMBER != (LIST);                                         \
         ITER = CONTAINER_OF((ITER)->MEMBER.next, __typeof__(*ITER), MEMBER))

/* Safe against removal of ITER. */
#define VSW_LIST_FOR_EACH_SAFE(ITER, NEXT, MEMBER, LIST)                    \
    for (ITER = CONTAINER_OF((LIST)->next, __typeof__(*ITER), MEMBER);      \
         &(ITER)->MEMBER != (LIST)                                          \
         && ((NEXT = CONTAINER_OF((ITER)->MEMBER.next,                      \
                                  __typeof__(*ITER), MEMBER)), 1);          \
         ITER = NEXT)

#endif
