/* The client side of the datapath channel: what vswitchd, dpctl and tests
 * use to drive a datapathd.
 *
 * Each struct dpif is one connection to $rundir/dp-<engine>.sock.  Requests
 * are synchronous (send, wait for the reply or NLMSG_ERROR, with a timeout).
 * MISS messages that arrive while a request waits are queued and handed out
 * by dpif_recv_upcalls(), so a client that registered for upcalls never
 * loses one to a transaction.  dpif_operate() sends many FLOW NEW / EXECUTE
 * requests in as few datagrams as possible and collects the answers: the
 * upcall handler's batch path.
 *
 * Errors: 0 or a positive errno; ERR gets the datapath's sentence (the
 * NLMSG_ERROR text) or a local one ("datapathd is not running (no
 * /run/vswitch/dp-xdp.sock)"). */
#ifndef VSW_DATAPATH_DPIF_H
#define VSW_DATAPATH_DPIF_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "datapath/dp-msg.h"
#include "datapath/dp-engine.h"
#include "utilities/error.h"

struct dpif;

#define DPIF_DEFAULT_TIMEOUT_MS 5000

int dpif_open(const char *rundir, const char *engine, struct dpif **,
              struct vsw_error *);
void dpif_close(struct dpif *);
int dpif_fd(const struct dpif *);               /* for the caller's poll loop */
const char *dpif_engine(const struct dpif *);
void dpif_set_timeout(struct dpif *, int timeout_ms);

/* Datapaths.  dp_new creates or adopts NAME and returns its index. */
int dpif_dp_new(struct dpif *, const char *name, uint32_t *dp_index,
                struct vsw_error *);
int dpif_dp_del(struct dpif *, uint32_t dp_index, struct vsw_error *);
/* By index, or by NAME when dp_index is 0. */
int dpif_dp_get(struct dpif *, uint32_t dp_index, const char *name,
                struct vsw_msg_dp *out, struct vsw_error *);
int dpif_dp_dump(struct dpif *, int (*cb)(void *, uint32_t dp_index,
                                          const struct vsw_msg_dp *),
                 void *aux, struct vsw_error *);
/* REQ's fields for the attributes set in ATTRS (VSW_DP_ATTR_* bits). */
int dpif_dp_set(struct dpif *, uint32_t dp_index, const struct vsw_msg_dp *req,
                uint64_t attrs, struct vsw_error *);
/* Makes this connection the receiver of DP_INDEX's MISS messages. */
int dpif_upcall_register(struct dpif *, uint32_t dp_index, struct vsw_error *);

/* Ports.  port_add reads name/type/options/port_no and fills the reply. */
int dpif_port_add(struct dpif *, uint32_t dp_index, struct vsw_msg_port *port,
                  struct vsw_error *);
int dpif_port_del(struct dpif *, uint32_t dp_index, uint32_t port_no,
                  struct vsw_error *);
/* Applies PORT's fields for the attributes set in ATTRS (VSW_PORT_ATTR_*
 * bits, e.g. UPCALL_RATE, OPTIONS) to port PORT->port_no. */
int dpif_port_set(struct dpif *, uint32_t dp_index,
                  const struct vsw_msg_port *port, uint64_t attrs,
                  struct vsw_error *);
/* By port_no, or by NAME when port_no is 0. */
int dpif_port_get(struct dpif *, uint32_t dp_index, uint32_t port_no,
                  const char *name, struct vsw_msg_port *out,
                  struct vsw_error *);
int dpif_port_dump(struct dpif *, uint32_t dp_index,
                   int (*cb)(void *, const struct vsw_msg_port *), void *aux,
                   struct vsw_error *);

/* Flows. */
int dpif_flow_put(struct dpif *, uint32_t dp_index,
                  const struct vsw_flow_key *key,
                  const struct vsw_flow_key *mask,
                  const struct vsw_actions *, unsigned int dp_flow_flags,
                  struct vsw_error *);
int dpif_flow_del(struct dpif *, uint32_t dp_index,
                  const struct vsw_flow_key *key, struct vsw_msg_flow *final,
                  struct vsw_error *);
int dpif_flow_get(struct dpif *, uint32_t dp_index,
                  const struct vsw_flow_key *key, struct vsw_msg_flow *out,
                  struct vsw_error *);
/* CB sees each flow's pmd as UINT32_MAX when the datapath has no PMD
 * threads (every engine but dpdk). */
int dpif_flow_dump(struct dpif *, uint32_t dp_index,
                   int (*cb)(void *, const struct vsw_msg_flow *), void *aux,
                   struct vsw_error *);
int dpif_flow_flush(struct dpif *, uint32_t dp_index, struct vsw_error *);

/* Packets. */
int dpif_execute(struct dpif *, uint32_t dp_index, uint32_t in_port,
                 const uint8_t *pkt, uint32_t len, const struct vsw_actions *,
                 struct vsw_error *);
int dpif_inject(struct dpif *, uint32_t dp_index, uint32_t in_port,
                const uint8_t *pkt, uint32_t len, struct vsw_error *);
int dpif_captured_dump(struct dpif *, uint32_t dp_index,
                       int (*cb)(void *, uint32_t port, const uint8_t *pkt,
                                 uint32_t len),
                       void *aux, struct vsw_error *);

/* Batched operations: FLOW NEW (put) and EXECUTE, answered in order. */
enum dpif_op_type { DPIF_OP_FLOW_PUT, DPIF_OP_EXECUTE, DPIF_OP_FLOW_DEL };
struct dpif_op {
    enum dpif_op_type type;
    uint32_t dp_index;
    const struct vsw_flow_key *key;     /* FLOW_PUT, FLOW_DEL */
    const struct vsw_flow_key *mask;    /* FLOW_PUT, may be NULL */
    const struct vsw_actions *actions;  /* FLOW_PUT, EXECUTE */
    unsigned int flags;                 /* FLOW_PUT: DP_FLOW_* */
    uint32_t in_port;                   /* EXECUTE */
    const uint8_t *packet;              /* EXECUTE */
    uint32_t len;                       /* EXECUTE */
    int error;                          /* out: 0 or positive errno */
    struct vsw_error err;               /* out */
};
int dpif_operate(struct dpif *, struct dpif_op *ops, size_t n);

/* Hands up to MAX queued or waiting MISS messages to CB without blocking.
 * Returns the number handed out (>= 0) or -errno (EPIPE: datapathd gone). */
int dpif_recv_upcalls(struct dpif *, int (*cb)(void *, const struct vsw_msg *),
                      void *aux, size_t max);

/* Added with the implementation:
 *
 * Callbacks: a dump callback (dp/port/flow/captured dumps) runs while its
 * transaction is still reading, so it must not call dpif functions on the
 * same dpif (they fail with EBUSY); collect and act after the dump.  A
 * dpif_recv_upcalls() callback may call any dpif function (EXECUTE, flow
 * puts): the miss it is given has already left the queue.  A nonzero
 * callback result stops the callbacks; a dump still reads to its end and
 * returns that result.
 *
 * Requests: every non-dump request carries NLM_F_ACK and is finished by its
 * NLMSG_ERROR/ACK (an object answer before it is kept: DATAPATH NEW's
 * dp_index, PORT NEW's port, FLOW GET/DEL's flow).  dpif_flow_put() sends
 * FLOW NEW (NLM_F_EXCL for DP_FLOW_CREATE), or FLOW SET for DP_FLOW_MODIFY;
 * DP_FLOW_CLEAR_STATS adds VSW_FLOW_ATTR_CLEAR.  dpif_operate() returns 0
 * once every op has its answer (per-op results in ops[]), or the transport
 * error (ETIMEDOUT, EPIPE) that also fills every unanswered op.
 *
 * Event loops: misses that arrive during any dpif call are already off the
 * socket, so dpif_fd() does not poll readable for them.  Before waiting on
 * dpif_fd(), call dpif_recv_upcalls() until it returns less than MAX (or
 * check dpif_upcalls_queued() == 0). */
#define DPIF_UPCALL_QUEUE_MAX 4096
/* Misses dropped because the queue held DPIF_UPCALL_QUEUE_MAX already. */
uint64_t dpif_upcall_overflows(const struct dpif *);
/* Misses waiting in the queue now. */
size_t dpif_upcalls_queued(const struct dpif *);

#endif
