/* The C implementation of the datapath action list (flow-key.h's struct
 * vsw_actions), shared by EXECUTE in every engine and by the DPDK fast
 * path.  The XDP program implements the same semantics in BPF; the
 * golden-packet tests hold both to the same bytes. */
#ifndef VSW_DATAPATH_ACTIONS_H
#define VSW_DATAPATH_ACTIONS_H 1

#include <stdint.h>
#include "vswitch/flow-key.h"

/* A frame with room in front of it, so PUSH_VLAN can grow it in place. */
struct vsw_packet {
    uint8_t *data;              /* first byte of the frame */
    uint32_t len;
    uint32_t headroom;          /* writable bytes before data */
};

/* Where outputs go.  OUTPUT and FLOOD see the frame as modified so far and
 * must copy it if they keep it. */
struct vsw_actions_sink {
    void (*output)(void *aux, uint32_t port, const uint8_t *pkt, uint32_t len);
    /* Every port of GROUP except IN_PORT. */
    void (*flood)(void *aux, uint32_t group, uint32_t in_port,
                  const uint8_t *pkt, uint32_t len);
    void (*userspace)(void *aux, uint32_t userdata, const uint8_t *pkt,
                      uint32_t len);
    void *aux;
};

/* Applies ACTIONS in order.  Returns the number of outputs made (OUTPUT +
 * FLOOD + USERSPACE), so 0 means the packet was dropped.  Malformed frames
 * are never read past their end: a SET on a header the frame lacks is
 * skipped.  DEC_TTL at TTL <= 1 stops the list. */
int vsw_actions_execute(struct vsw_packet *, uint32_t in_port,
                        const struct vsw_actions *,
                        const struct vsw_actions_sink *);

#endif
