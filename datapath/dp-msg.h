/* Datapath channel messages as C structs, encoded and decoded with libnl-3
 * following include/vswitch/dp-proto.h.
 *
 * A datagram (struct vsw_dgram) holds one or more messages.  Decoding is
 * strict: wrong attribute lengths, duplicates, unknown or reserved
 * attributes, missing required attributes and trailing bytes are errors with
 * a reason sentence.  A decoded message's packet pointer refers into the
 * datagram it came from and is valid only while that buffer is. */
#ifndef VSW_DATAPATH_DP_MSG_H
#define VSW_DATAPATH_DP_MSG_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include "vswitch/dp-proto.h"
#include "utilities/error.h"

#define VSW_NAME_MAX 16          /* IFNAMSIZ: 15 chars + NUL */
#define VSW_PORT_TYPE_MAX 32
#define VSW_MAX_PORT_OPTIONS 16
#define VSW_OPTION_KEY_MAX 64
#define VSW_OPTION_VALUE_MAX 256

struct vsw_kv {
    char key[VSW_OPTION_KEY_MAX];
    char value[VSW_OPTION_VALUE_MAX];
};

struct vsw_msg_dp {
    char name[VSW_NAME_MAX];
    uint32_t version;
    char engine[VSW_NAME_MAX];
    struct vsw_dp_stats stats;
    uint32_t features;
    uint32_t flow_limit;
    uint32_t upcall_rate;
    uint32_t n_ports;
    uint32_t n_pmds;                    /* VSW_DP_ATTR_PMDS */
    struct vsw_dp_pmd pmds[VSW_DP_MAX_PMDS];
    uint32_t n_rxqs;                    /* VSW_DP_ATTR_RXQS */
    struct vsw_dp_rxq rxqs[VSW_DP_MAX_RXQS];
    uint32_t pmd_cmd;                   /* VSW_DP_ATTR_PMD_CMD */
};

struct vsw_msg_port {
    uint32_t port_no;
    char name[VSW_NAME_MAX];
    char type[VSW_PORT_TYPE_MAX];
    uint32_t n_options;
    struct vsw_kv options[VSW_MAX_PORT_OPTIONS];
    struct vsw_port_stats stats;
    uint32_t ifindex;
    uint8_t mac[6];
    uint32_t mtu;
    uint8_t link_up;
    char mode[VSW_NAME_MAX];
    char warning[VSW_ERROR_MAX];
    uint32_t upcall_rate;
};

struct vsw_msg_flow {
    struct vsw_flow_key key;
    struct vsw_flow_key mask;           /* valid if MASK attr present */
    struct vsw_actions actions;
    struct vsw_flow_attr_stats stats;
    uint64_t used_ms;
    uint16_t tcp_flags;
    uint32_t pmd;
};

struct vsw_msg_packet {
    const uint8_t *data;                /* into the datagram; or caller's buffer
                                         * when encoding */
    uint32_t len;
    struct vsw_flow_key key;
    struct vsw_actions actions;
    uint32_t in_port;
    uint32_t reason;
    uint32_t userdata;
    uint32_t orig_len;
};

/* NLMSG_ERROR (error != 0) or an ACK (error == 0). */
struct vsw_msg_error {
    int error;                          /* positive errno; 0 = ACK */
    char text[VSW_ERROR_MAX];           /* extended-ack text, may be empty */
    uint16_t orig_type;                 /* the request's nlmsg_type */
};

struct vsw_msg {
    uint16_t type;      /* nlmsg_type: VSW_FAMILY_*, NLMSG_ERROR or NLMSG_DONE */
    uint8_t cmd;        /* genl command (families only) */
    uint16_t nl_flags;  /* NLM_F_* */
    uint32_t seq;
    uint32_t dp_index;  /* struct vsw_dp_header */
    uint64_t attrs;     /* bit N set: attribute N of the family was present */
    union {
        struct vsw_msg_dp dp;
        struct vsw_msg_port port;
        struct vsw_msg_flow flow;
        struct vsw_msg_packet packet;
        struct vsw_msg_error error;
    } u;
};

static inline bool vsw_msg_has(const struct vsw_msg *m, int attr)
{ return (m->attrs >> attr) & 1; }
static inline void vsw_msg_set(struct vsw_msg *m, int attr)
{ m->attrs |= 1ULL << attr; }

/* Zeroes MSG and sets its family message header. */
void vsw_msg_init(struct vsw_msg *msg, uint16_t family, uint8_t cmd,
                  uint16_t nl_flags, uint32_t seq, uint32_t dp_index);

/* A datagram under construction or received. */
struct vsw_dgram {
    uint8_t *data;
    size_t len;
    size_t cap;         /* VSW_DP_MAX_DATAGRAM unless set otherwise */
};

void vsw_dgram_init(struct vsw_dgram *);     /* allocates cap bytes */
void vsw_dgram_clear(struct vsw_dgram *);    /* len = 0 */
void vsw_dgram_destroy(struct vsw_dgram *);

/* Appends MSG, encoded, to DG.  Only attributes whose bit is set in
 * msg->attrs are written.  Returns 0, ENOBUFS when DG has no room (DG is
 * unchanged), or EINVAL for a message that cannot be encoded. */
int vsw_msg_encode(const struct vsw_msg *msg, struct vsw_dgram *dg);

/* Appends NLMSG_ERROR answering REQ (its type and seq) with ERROR (positive
 * errno, 0 for an ACK) and TEXT (may be NULL). */
int vsw_msg_encode_error(struct vsw_dgram *dg, uint16_t req_type,
                         uint32_t req_seq, int error, const char *text);
/* Appends NLMSG_DONE for a dump with SEQ. */
int vsw_msg_encode_done(struct vsw_dgram *dg, uint32_t seq);

/* Decodes the single netlink message at NLH (nlh->nlmsg_len already checked
 * to fit the datagram).  Returns 0 or EINVAL/EPROTO/EMSGSIZE... with ERR
 * saying why. */
int vsw_msg_decode(const struct nlmsghdr *nlh, struct vsw_msg *msg,
                   struct vsw_error *err);

/* Calls CB for each message of the datagram in order.  Stops at the first
 * framing error (returned, with ERR) or the first nonzero CB result
 * (returned).  A message that fails vsw_msg_decode() is passed to BAD (may be
 * NULL) with its header and the error, and iteration continues. */
typedef int vsw_msg_cb(const struct vsw_msg *, void *aux);
typedef void vsw_msg_bad_cb(const struct nlmsghdr *, const struct vsw_error *,
                            void *aux);
int vsw_dgram_for_each(const struct vsw_dgram *dg, vsw_msg_cb *cb,
                       vsw_msg_bad_cb *bad, void *aux, struct vsw_error *err);

/* Flow key / actions <-> nested attributes (flow-attrs.c). */
struct nl_msg;
struct nlattr;
int vsw_key_to_attrs(struct nl_msg *, int attr, const struct vsw_flow_key *key,
                     const struct vsw_flow_key *mask_or_null);
int vsw_key_from_attrs(const struct nlattr *nested, struct vsw_flow_key *key,
                       struct vsw_error *err);
int vsw_actions_to_attrs(struct nl_msg *, int attr, const struct vsw_actions *);
int vsw_actions_from_attrs(const struct nlattr *nested, struct vsw_actions *,
                           struct vsw_error *err);

const char *vsw_family_name(uint16_t type);
/* "NEW", "DEL", ... for a family's command; "UNKNOWN" otherwise. */
const char *vsw_cmd_name(uint16_t type, uint8_t cmd);

/* Decodes a MASK nest.  The headers it may carry are those of KEY (the
 * already decoded VSW_FLOW_ATTR_KEY), see vsw_key_to_attrs(). */
int vsw_mask_from_attrs(const struct nlattr *nested,
                        const struct vsw_flow_key *key,
                        struct vsw_flow_key *mask, struct vsw_error *err);

/* vsw_key_to_attrs(): KEY decides which header attributes are written (its
 * parsed bits, eth_type and nw_proto).  With MASK_OR_NULL null, KEY's own
 * values are written and KEY must be canonical (no bytes outside its
 * headers, padding zero) or EINVAL; otherwise MASK_OR_NULL's values are
 * written for the same headers (bits outside them are dropped), which is how
 * VSW_FLOW_ATTR_MASK is encoded. */

/* Internal to dp-msg.c and flow-attrs.c: strict attribute walking.
 * NAMES[t] NULL means type T is not allowed in this nest; POLICY gives the
 * libnl type and lengths (exact for fixed-size payloads, [minlen, maxlen]
 * for strings including the NUL; strings with minlen 1 may be empty).  LIST
 * nests (actions, options) may repeat a type. */
struct nla_policy;
struct vsw_attr_table {
    const char *const *names;
    const struct nla_policy *policy;
    int max;
    int reserved_first, reserved_last;      /* 0, 0: none */
    bool list;
};
int vsw_attrs_parse__(const struct vsw_attr_table *, const struct nlattr *head,
                      int len, struct nlattr **tb, uint64_t *present,
                      const char *ctx, struct vsw_error *err);
int vsw_put_string__(struct nl_msg *, const struct vsw_attr_table *, int type,
                     const char *s, size_t size);
/* vsw_key_from_attrs() (REF null) or vsw_mask_from_attrs() (REF the key) and
 * vsw_actions_from_attrs() naming CTX ("FLOW NEW: KEY") in their errors. */
int vsw_key_from_attrs__(const struct nlattr *, const struct vsw_flow_key *ref,
                         struct vsw_flow_key *, const char *ctx,
                         struct vsw_error *);
int vsw_actions_from_attrs__(const struct nlattr *, struct vsw_actions *,
                             const char *ctx, struct vsw_error *);

#endif
