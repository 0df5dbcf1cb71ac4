/* Channel messages <-> C structs (see dp-msg.h and dp-proto.h).
 *
 * Encoding builds each message with libnl-3 (genlmsg_put, nla_put_*,
 * nested attributes) in a scratch nl_msg and appends its bytes to the
 * datagram only when it is complete, so a full datagram is left untouched.
 *
 * Decoding is strict on purpose: libnl's nla_parse() skips unknown
 * attributes, keeps the last of two duplicates and ignores trailing bytes,
 * all of which would let two peers of different versions disagree silently.
 * vsw_attrs_parse__() (flow-attrs.c) refuses all of that first and only then
 * hands the attributes to nla_parse() with a policy to index them; this file
 * adds the per-command rules (required attributes, value ranges). */
#include <config.h>
#include "datapath/dp-msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#define BIT(N) (1ULL << (N))
#define MEMBER_SIZE(TYPE, MEMBER) sizeof(((TYPE *) 0)->MEMBER)
#define FIXED(T) \
    { .type = NLA_UNSPEC, .minlen = sizeof(T), .maxlen = sizeof(T) }
/* A string that fits MEMBER of TYPE; EMPTY_OK allows "". */
#define STRING(TYPE, MEMBER, EMPTY_OK) \
    { .type = NLA_STRING, .minlen = (EMPTY_OK) ? 1 : 2, \
      .maxlen = MEMBER_SIZE(TYPE, MEMBER) }

/* Largest packet payload an attribute can carry (nla_len is 16 bits). */
#define PACKET_MAX (65535 - NLA_HDRLEN)

/* Length of our family header: genlmsghdr + struct vsw_dp_header. */
#define FAMILY_HDRLEN \
    (NLMSG_HDRLEN + GENL_HDRLEN + sizeof(struct vsw_dp_header))

static bool
is_dump(const struct vsw_msg *m)
{
    return (m->nl_flags & NLM_F_DUMP) == NLM_F_DUMP;
}

static bool
is_request(const struct vsw_msg *m)
{
    return m->nl_flags & NLM_F_REQUEST;
}

static uint64_t
get_u64(const struct nlattr *nla)
{
    uint64_t v;

    memcpy(&v, nla_data(nla), sizeof v);
    return v;
}

static void
get_string(char *dst, const struct nlattr *nla)
{
    /* The walker checked the length against the buffer size and the NUL. */
    memcpy(dst, nla_data(nla), nla_len(nla));
}

/* Checks that every attribute of the 0-terminated list is present. */
static int
require(const struct vsw_msg *m, const char *const *names, const char *ctx,
        struct vsw_error *err, ...)
{
    va_list args;
    int attr, error = 0;

    va_start(args, err);
    while ((attr = va_arg(args, int)) != 0) {
        if (!vsw_msg_has(m, attr)) {
            error = vsw_error_set(err, EINVAL, "%s: missing %s attribute",
                                  ctx, names[attr]);
            break;
        }
    }
    va_end(args);
    return error;
}

/* ---- DATAPATH ----------------------------------------------------------- */

static const char *const dp_cmds[__VSW_DP_CMD_MAX] = {
    [VSW_DP_CMD_NEW] = "NEW", [VSW_DP_CMD_DEL] = "DEL",
    [VSW_DP_CMD_GET] = "GET", [VSW_DP_CMD_SET] = "SET",
};

static const char *const dp_names[VSW_DP_ATTR_MAX + 1] = {
    [VSW_DP_ATTR_NAME] = "NAME",
    [VSW_DP_ATTR_VERSION] = "VERSION",
    [VSW_DP_ATTR_ENGINE] = "ENGINE",
    [VSW_DP_ATTR_STATS] = "STATS",
    [VSW_DP_ATTR_FEATURES] = "FEATURES",
    [VSW_DP_ATTR_FLOW_LIMIT] = "FLOW_LIMIT",
    [VSW_DP_ATTR_UPCALL_RATE] = "UPCALL_RATE",
    [VSW_DP_ATTR_UPCALL_REGISTER] = "UPCALL_REGISTER",
    [VSW_DP_ATTR_N_PORTS] = "N_PORTS",
    [VSW_DP_ATTR_PMDS] = "PMDS",
    [VSW_DP_ATTR_RXQS] = "RXQS",
    [VSW_DP_ATTR_PMD_CMD] = "PMD_CMD",
};

static const struct nla_policy dp_policy[VSW_DP_ATTR_MAX + 1] = {
    [VSW_DP_ATTR_NAME] = STRING(struct vsw_msg_dp, name, false),
    [VSW_DP_ATTR_VERSION] = { .type = NLA_U32 },
    [VSW_DP_ATTR_ENGINE] = STRING(struct vsw_msg_dp, engine, false),
    [VSW_DP_ATTR_STATS] = FIXED(struct vsw_dp_stats),
    [VSW_DP_ATTR_FEATURES] = { .type = NLA_U32 },
    [VSW_DP_ATTR_FLOW_LIMIT] = { .type = NLA_U32 },
    [VSW_DP_ATTR_UPCALL_RATE] = { .type = NLA_U32 },
    [VSW_DP_ATTR_UPCALL_REGISTER] = { .type = NLA_FLAG },
    [VSW_DP_ATTR_N_PORTS] = { .type = NLA_U32 },
    [VSW_DP_ATTR_PMDS] = { .type = NLA_UNSPEC, .maxlen = VSW_DP_MAX_PMDS
                           * sizeof(struct vsw_dp_pmd) },
    [VSW_DP_ATTR_RXQS] = { .type = NLA_UNSPEC, .maxlen = VSW_DP_MAX_RXQS
                           * sizeof(struct vsw_dp_rxq) },
    [VSW_DP_ATTR_PMD_CMD] = { .type = NLA_U32 },
};

static const struct vsw_attr_table dp_table = {
    .names = dp_names, .policy = dp_policy, .max = VSW_DP_ATTR_MAX,
    .reserved_first = VSW_DP_ATTR_RESERVED_FIRST,
    .reserved_last = VSW_DP_ATTR_RESERVED_LAST,
};

static int
dp_decode(struct nlattr **tb, struct vsw_msg *m, const char *ctx,
          struct vsw_error *err)
{
    struct vsw_msg_dp *dp = &m->u.dp;

    if (tb[VSW_DP_ATTR_NAME]) {
        get_string(dp->name, tb[VSW_DP_ATTR_NAME]);
    }
    if (tb[VSW_DP_ATTR_VERSION]) {
        dp->version = nla_get_u32(tb[VSW_DP_ATTR_VERSION]);
    }
    if (tb[VSW_DP_ATTR_ENGINE]) {
        get_string(dp->engine, tb[VSW_DP_ATTR_ENGINE]);
    }
    if (tb[VSW_DP_ATTR_STATS]) {
        memcpy(&dp->stats, nla_data(tb[VSW_DP_ATTR_STATS]), sizeof dp->stats);
    }
    if (tb[VSW_DP_ATTR_FEATURES]) {
        dp->features = nla_get_u32(tb[VSW_DP_ATTR_FEATURES]);
    }
    if (tb[VSW_DP_ATTR_FLOW_LIMIT]) {
        dp->flow_limit = nla_get_u32(tb[VSW_DP_ATTR_FLOW_LIMIT]);
    }
    if (tb[VSW_DP_ATTR_UPCALL_RATE]) {
        dp->upcall_rate = nla_get_u32(tb[VSW_DP_ATTR_UPCALL_RATE]);
    }
    if (tb[VSW_DP_ATTR_N_PORTS]) {
        dp->n_ports = nla_get_u32(tb[VSW_DP_ATTR_N_PORTS]);
    }
    if (tb[VSW_DP_ATTR_PMDS]) {
        int len = nla_len(tb[VSW_DP_ATTR_PMDS]);

        if (len % (int) sizeof dp->pmds[0]) {
            return vsw_error_set(err, EINVAL, "%s: PMDS is %d bytes, not a "
                                 "multiple of %zu", ctx, len,
                                 sizeof dp->pmds[0]);
        }
        dp->n_pmds = (uint32_t) (len / (int) sizeof dp->pmds[0]);
        memcpy(dp->pmds, nla_data(tb[VSW_DP_ATTR_PMDS]), (size_t) len);
    }
    if (tb[VSW_DP_ATTR_RXQS]) {
        int len = nla_len(tb[VSW_DP_ATTR_RXQS]);

        if (len % (int) sizeof dp->rxqs[0]) {
            return vsw_error_set(err, EINVAL, "%s: RXQS is %d bytes, not a "
                                 "multiple of %zu", ctx, len,
                                 sizeof dp->rxqs[0]);
        }
        dp->n_rxqs = (uint32_t) (len / (int) sizeof dp->rxqs[0]);
        memcpy(dp->rxqs, nla_data(tb[VSW_DP_ATTR_RXQS]), (size_t) len);
        for (uint32_t i = 0; i < dp->n_rxqs; i++) {
            dp->rxqs[i].port[sizeof dp->rxqs[i].port - 1] = '\0';
        }
    }
    if (tb[VSW_DP_ATTR_PMD_CMD]) {
        dp->pmd_cmd = nla_get_u32(tb[VSW_DP_ATTR_PMD_CMD]);
        if (dp->pmd_cmd != VSW_DP_PMD_CMD_CLEAR_STATS
            && dp->pmd_cmd != VSW_DP_PMD_CMD_REBALANCE) {
            return vsw_error_set(err, EINVAL, "%s: unknown PMD_CMD %u", ctx,
                                 dp->pmd_cmd);
        }
    }

    if (!is_request(m)) {
        return 0;
    }
    switch (m->cmd) {
    case VSW_DP_CMD_NEW:
        return require(m, dp_names, ctx, err, VSW_DP_ATTR_NAME,
                       VSW_DP_ATTR_VERSION, 0);
    case VSW_DP_CMD_GET:
        if (is_dump(m)) {
            return 0;
        }
        /* fall through */
    case VSW_DP_CMD_DEL:
    case VSW_DP_CMD_SET:
        if (!m->dp_index && !vsw_msg_has(m, VSW_DP_ATTR_NAME)) {
            return vsw_error_set(err, EINVAL, "%s: needs a dp_index or a NAME "
                                 "attribute", ctx);
        }
        return 0;
    default:
        return 0;
    }
}

static int
dp_encode(struct nl_msg *nm, const struct vsw_msg *m)
{
    const struct vsw_msg_dp *dp = &m->u.dp;
    int error = 0;

    if (vsw_msg_has(m, VSW_DP_ATTR_NAME)) {
        error = vsw_put_string__(nm, &dp_table, VSW_DP_ATTR_NAME, dp->name,
                                 sizeof dp->name);
    }
    if (!error && vsw_msg_has(m, VSW_DP_ATTR_ENGINE)) {
        error = vsw_put_string__(nm, &dp_table, VSW_DP_ATTR_ENGINE,
                                 dp->engine, sizeof dp->engine);
    }
    if (error) {
        return error;
    }
    if ((vsw_msg_has(m, VSW_DP_ATTR_VERSION)
         && nla_put_u32(nm, VSW_DP_ATTR_VERSION, dp->version))
        || (vsw_msg_has(m, VSW_DP_ATTR_STATS)
            && nla_put(nm, VSW_DP_ATTR_STATS, sizeof dp->stats, &dp->stats))
        || (vsw_msg_has(m, VSW_DP_ATTR_FEATURES)
            && nla_put_u32(nm, VSW_DP_ATTR_FEATURES, dp->features))
        || (vsw_msg_has(m, VSW_DP_ATTR_FLOW_LIMIT)
            && nla_put_u32(nm, VSW_DP_ATTR_FLOW_LIMIT, dp->flow_limit))
        || (vsw_msg_has(m, VSW_DP_ATTR_UPCALL_RATE)
            && nla_put_u32(nm, VSW_DP_ATTR_UPCALL_RATE, dp->upcall_rate))
        || (vsw_msg_has(m, VSW_DP_ATTR_UPCALL_REGISTER)
            && nla_put_flag(nm, VSW_DP_ATTR_UPCALL_REGISTER))
        || (vsw_msg_has(m, VSW_DP_ATTR_N_PORTS)
            && nla_put_u32(nm, VSW_DP_ATTR_N_PORTS, dp->n_ports))
        || (vsw_msg_has(m, VSW_DP_ATTR_PMDS)
            && nla_put(nm, VSW_DP_ATTR_PMDS,
                       (int) (VSW_MIN(dp->n_pmds, VSW_DP_MAX_PMDS)
                              * sizeof dp->pmds[0]), dp->pmds))
        || (vsw_msg_has(m, VSW_DP_ATTR_RXQS)
            && nla_put(nm, VSW_DP_ATTR_RXQS,
                       (int) (VSW_MIN(dp->n_rxqs, VSW_DP_MAX_RXQS)
                              * sizeof dp->rxqs[0]), dp->rxqs))
        || (vsw_msg_has(m, VSW_DP_ATTR_PMD_CMD)
            && nla_put_u32(nm, VSW_DP_ATTR_PMD_CMD, dp->pmd_cmd))) {
        return ENOBUFS;
    }
    return 0;
}

/* ---- PORT --------------------------------------------------------------- */

static const char *const port_cmds[__VSW_PORT_CMD_MAX] = {
    [VSW_PORT_CMD_NEW] = "NEW", [VSW_PORT_CMD_DEL] = "DEL",
    [VSW_PORT_CMD_GET] = "GET", [VSW_PORT_CMD_SET] = "SET",
};

static const char *const port_names[VSW_PORT_ATTR_MAX + 1] = {
    [VSW_PORT_ATTR_PORT_NO] = "PORT_NO",
    [VSW_PORT_ATTR_NAME] = "NAME",
    [VSW_PORT_ATTR_TYPE] = "TYPE",
    [VSW_PORT_ATTR_OPTIONS] = "OPTIONS",
    [VSW_PORT_ATTR_STATS] = "STATS",
    [VSW_PORT_ATTR_IFINDEX] = "IFINDEX",
    [VSW_PORT_ATTR_MAC] = "MAC",
    [VSW_PORT_ATTR_MTU] = "MTU",
    [VSW_PORT_ATTR_LINK_UP] = "LINK_UP",
    [VSW_PORT_ATTR_MODE] = "MODE",
    [VSW_PORT_ATTR_WARNING] = "WARNING",
    [VSW_PORT_ATTR_UPCALL_RATE] = "UPCALL_RATE",
};

static const struct nla_policy port_policy[VSW_PORT_ATTR_MAX + 1] = {
    [VSW_PORT_ATTR_PORT_NO] = { .type = NLA_U32 },
    [VSW_PORT_ATTR_NAME] = STRING(struct vsw_msg_port, name, false),
    [VSW_PORT_ATTR_TYPE] = STRING(struct vsw_msg_port, type, false),
    [VSW_PORT_ATTR_OPTIONS] = { .type = NLA_NESTED },
    [VSW_PORT_ATTR_STATS] = FIXED(struct vsw_port_stats),
    [VSW_PORT_ATTR_IFINDEX] = { .type = NLA_U32 },
    [VSW_PORT_ATTR_MAC] = { .type = NLA_UNSPEC, .minlen = 6, .maxlen = 6 },
    [VSW_PORT_ATTR_MTU] = { .type = NLA_U32 },
    [VSW_PORT_ATTR_LINK_UP] = { .type = NLA_U8 },
    [VSW_PORT_ATTR_MODE] = STRING(struct vsw_msg_port, mode, false),
    [VSW_PORT_ATTR_WARNING] = STRING(struct vsw_msg_port, warning, true),
    [VSW_PORT_ATTR_UPCALL_RATE] = { .type = NLA_U32 },
};

static const struct vsw_attr_table port_table = {
    .names = port_names, .policy = port_policy, .max = VSW_PORT_ATTR_MAX,
    .reserved_first = VSW_PORT_ATTR_RESERVED_FIRST,
    .reserved_last = VSW_PORT_ATTR_RESERVED_LAST,
};

/* OPTIONS holds a list of OPTION nests, each with KEY and VALUE. */
static const char *const options_names[VSW_PORT_OPTION_MAX + 1] = {
    [VSW_PORT_OPTION] = "OPTION",
};
static const struct nla_policy options_policy[VSW_PORT_OPTION_MAX + 1] = {
    [VSW_PORT_OPTION] = { .type = NLA_NESTED },
};
static const struct vsw_attr_table options_table = {
    .names = options_names, .policy = options_policy,
    .max = VSW_PORT_OPTION_MAX, .list = true,
};

static const char *const option_names[VSW_PORT_OPTION_MAX + 1] = {
    [VSW_PORT_OPTION_KEY] = "KEY",
    [VSW_PORT_OPTION_VALUE] = "VALUE",
};
static const struct nla_policy option_policy[VSW_PORT_OPTION_MAX + 1] = {
    [VSW_PORT_OPTION_KEY] = STRING(struct vsw_kv, key, false),
    [VSW_PORT_OPTION_VALUE] = STRING(struct vsw_kv, value, true),
};
static const struct vsw_attr_table option_table = {
    .names = option_names, .policy = option_policy,
    .max = VSW_PORT_OPTION_MAX,
};

static int
options_decode(const struct nlattr *nested, struct vsw_msg_port *port,
               const char *ctx, struct vsw_error *err)
{
    const struct nlattr *nla;
    char octx[64];
    uint64_t present;
    int error, rem;

    snprintf(octx, sizeof octx, "%s: OPTIONS", ctx);
    error = vsw_attrs_parse__(&options_table, nla_data(nested),
                              nla_len(nested), NULL, &present, octx, err);
    if (error) {
        return error;
    }
    nla_for_each_nested (nla, nested, rem) {
        struct nlattr *tb[VSW_PORT_OPTION_MAX + 1];
        struct vsw_kv *kv;

        if (port->n_options >= VSW_MAX_PORT_OPTIONS) {
            return vsw_error_set(err, EINVAL, "%s: more than %d options",
                                 octx, VSW_MAX_PORT_OPTIONS);
        }
        error = vsw_attrs_parse__(&option_table, nla_data(nla), nla_len(nla),
                                  tb, &present, octx, err);
        if (error) {
            return error;
        }
        if (!tb[VSW_PORT_OPTION_KEY] || !tb[VSW_PORT_OPTION_VALUE]) {
            return vsw_error_set(err, EINVAL, "%s: option %u lacks its %s",
                                 octx, port->n_options + 1,
                                 tb[VSW_PORT_OPTION_KEY] ? "VALUE" : "KEY");
        }
        kv = &port->options[port->n_options];
        get_string(kv->key, tb[VSW_PORT_OPTION_KEY]);
        get_string(kv->value, tb[VSW_PORT_OPTION_VALUE]);
        for (uint32_t i = 0; i < port->n_options; i++) {
            if (!strcmp(port->options[i].key, kv->key)) {
                return vsw_error_set(err, EINVAL, "%s: duplicate option "
                                     "\"%s\"", octx, kv->key);
            }
        }
        port->n_options++;
    }
    return 0;
}

static int
options_encode(struct nl_msg *nm, const struct vsw_msg_port *port)
{
    struct nlattr *list;

    if (port->n_options > VSW_MAX_PORT_OPTIONS) {
        return EINVAL;
    }
    list = nla_nest_start(nm, VSW_PORT_ATTR_OPTIONS);
    if (!list) {
        return ENOBUFS;
    }
    for (uint32_t i = 0; i < port->n_options; i++) {
        const struct vsw_kv *kv = &port->options[i];
        struct nlattr *opt;
        int error;

        for (uint32_t j = 0; j < i; j++) {
            if (!strncmp(port->options[j].key, kv->key, sizeof kv->key)) {
                return EINVAL;
            }
        }
        opt = nla_nest_start(nm, VSW_PORT_OPTION);
        if (!opt) {
            return ENOBUFS;
        }
        error = vsw_put_string__(nm, &option_table, VSW_PORT_OPTION_KEY,
                                 kv->key, sizeof kv->key);
        if (!error) {
            error = vsw_put_string__(nm, &option_table, VSW_PORT_OPTION_VALUE,
                                     kv->value, sizeof kv->value);
        }
        if (error) {
            return error;
        }
        if (nla_nest_end_keep_empty(nm, opt)) {
            return ENOBUFS;
        }
    }
    return nla_nest_end_keep_empty(nm, list) ? ENOBUFS : 0;
}

static int
port_decode(struct nlattr **tb, struct vsw_msg *m, const char *ctx,
            struct vsw_error *err)
{
    struct vsw_msg_port *port = &m->u.port;

    if (tb[VSW_PORT_ATTR_PORT_NO]) {
        port->port_no = nla_get_u32(tb[VSW_PORT_ATTR_PORT_NO]);
    }
    if (tb[VSW_PORT_ATTR_NAME]) {
        get_string(port->name, tb[VSW_PORT_ATTR_NAME]);
    }
    if (tb[VSW_PORT_ATTR_TYPE]) {
        get_string(port->type, tb[VSW_PORT_ATTR_TYPE]);
    }
    if (tb[VSW_PORT_ATTR_OPTIONS]) {
        int error = options_decode(tb[VSW_PORT_ATTR_OPTIONS], port, ctx, err);

        if (error) {
            return error;
        }
    }
    if (tb[VSW_PORT_ATTR_STATS]) {
        memcpy(&port->stats, nla_data(tb[VSW_PORT_ATTR_STATS]),
               sizeof port->stats);
    }
    if (tb[VSW_PORT_ATTR_IFINDEX]) {
        port->ifindex = nla_get_u32(tb[VSW_PORT_ATTR_IFINDEX]);
    }
    if (tb[VSW_PORT_ATTR_MAC]) {
        memcpy(port->mac, nla_data(tb[VSW_PORT_ATTR_MAC]), 6);
    }
    if (tb[VSW_PORT_ATTR_MTU]) {
        port->mtu = nla_get_u32(tb[VSW_PORT_ATTR_MTU]);
    }
    if (tb[VSW_PORT_ATTR_LINK_UP]) {
        port->link_up = nla_get_u8(tb[VSW_PORT_ATTR_LINK_UP]);
        if (port->link_up > 1) {
            return vsw_error_set(err, EINVAL, "%s: LINK_UP is %u, expected 0 "
                                 "or 1", ctx, port->link_up);
        }
    }
    if (tb[VSW_PORT_ATTR_MODE]) {
        get_string(port->mode, tb[VSW_PORT_ATTR_MODE]);
    }
    if (tb[VSW_PORT_ATTR_WARNING]) {
        get_string(port->warning, tb[VSW_PORT_ATTR_WARNING]);
    }
    if (tb[VSW_PORT_ATTR_UPCALL_RATE]) {
        port->upcall_rate = nla_get_u32(tb[VSW_PORT_ATTR_UPCALL_RATE]);
    }

    if (!is_request(m)) {
        return 0;
    }
    switch (m->cmd) {
    case VSW_PORT_CMD_NEW:
        return require(m, port_names, ctx, err, VSW_PORT_ATTR_NAME,
                       VSW_PORT_ATTR_TYPE, 0);
    case VSW_PORT_CMD_GET:
        if (is_dump(m)) {
            return 0;
        }
        /* fall through */
    case VSW_PORT_CMD_DEL:
    case VSW_PORT_CMD_SET:
        if (!vsw_msg_has(m, VSW_PORT_ATTR_PORT_NO)
            && !vsw_msg_has(m, VSW_PORT_ATTR_NAME)) {
            return vsw_error_set(err, EINVAL, "%s: needs a PORT_NO or a NAME "
                                 "attribute", ctx);
        }
        return 0;
    default:
        return 0;
    }
}

static int
port_encode(struct nl_msg *nm, const struct vsw_msg *m)
{
    const struct vsw_msg_port *port = &m->u.port;
    int error = 0;

    if (vsw_msg_has(m, VSW_PORT_ATTR_PORT_NO)
        && nla_put_u32(nm, VSW_PORT_ATTR_PORT_NO, port->port_no)) {
        return ENOBUFS;
    }
    if (vsw_msg_has(m, VSW_PORT_ATTR_NAME)) {
        error = vsw_put_string__(nm, &port_table, VSW_PORT_ATTR_NAME,
                                 port->name, sizeof port->name);
    }
    if (!error && vsw_msg_has(m, VSW_PORT_ATTR_TYPE)) {
        error = vsw_put_string__(nm, &port_table, VSW_PORT_ATTR_TYPE,
                                 port->type, sizeof port->type);
    }
    if (!error && vsw_msg_has(m, VSW_PORT_ATTR_OPTIONS)) {
        error = options_encode(nm, port);
    }
    if (!error && vsw_msg_has(m, VSW_PORT_ATTR_MODE)) {
        error = vsw_put_string__(nm, &port_table, VSW_PORT_ATTR_MODE,
                                 port->mode, sizeof port->mode);
    }
    if (!error && vsw_msg_has(m, VSW_PORT_ATTR_WARNING)) {
        error = vsw_put_string__(nm, &port_table, VSW_PORT_ATTR_WARNING,
                                 port->warning, sizeof port->warning);
    }
    if (error) {
        return error;
    }
    if (vsw_msg_has(m, VSW_PORT_ATTR_LINK_UP) && port->link_up > 1) {
        return EINVAL;
    }
    if ((vsw_msg_has(m, VSW_PORT_ATTR_STATS)
         && nla_put(nm, VSW_PORT_ATTR_STATS, sizeof port->stats, &port->stats))
        || (vsw_msg_has(m, VSW_PORT_ATTR_IFINDEX)
            && nla_put_u32(nm, VSW_PORT_ATTR_IFINDEX, port->ifindex))
        || (vsw_msg_has(m, VSW_PORT_ATTR_MAC)
            && nla_put(nm, VSW_PORT_ATTR_MAC, 6, port->mac))
        || (vsw_msg_has(m, VSW_PORT_ATTR_MTU)
            && nla_put_u32(nm, VSW_PORT_ATTR_MTU, port->mtu))
        || (vsw_msg_has(m, VSW_PORT_ATTR_LINK_UP)
            && nla_put_u8(nm, VSW_PORT_ATTR_LINK_UP, port->link_up))
        || (vsw_msg_has(m, VSW_PORT_ATTR_UPCALL_RATE)
            && nla_put_u32(nm, VSW_PORT_ATTR_UPCALL_RATE,
                           port->upcall_rate))) {
        return ENOBUFS;
    }
    return 0;
}

/* ---- FLOW --------------------------------------------------------------- */

static const char *const flow_cmds[__VSW_FLOW_CMD_MAX] = {
    [VSW_FLOW_CMD_NEW] = "NEW", [VSW_FLOW_CMD_DEL] = "DEL",
    [VSW_FLOW_CMD_GET] = "GET", [VSW_FLOW_CMD_SET] = "SET",
    [VSW_FLOW_CMD_FLUSH] = "FLUSH",
};

static const char *const flow_names[VSW_FLOW_ATTR_MAX + 1] = {
    [VSW_FLOW_ATTR_KEY] = "KEY",
    [VSW_FLOW_ATTR_MASK] = "MASK",
    [VSW_FLOW_ATTR_ACTIONS] = "ACTIONS",
    [VSW_FLOW_ATTR_STATS] = "STATS",
    [VSW_FLOW_ATTR_USED] = "USED",
    [VSW_FLOW_ATTR_TCP_FLAGS] = "TCP_FLAGS",
    [VSW_FLOW_ATTR_CLEAR] = "CLEAR",
    [VSW_FLOW_ATTR_PMD] = "PMD",
};

static const struct nla_policy flow_policy[VSW_FLOW_ATTR_MAX + 1] = {
    [VSW_FLOW_ATTR_KEY] = { .type = NLA_NESTED },
    [VSW_FLOW_ATTR_MASK] = { .type = NLA_NESTED },
    [VSW_FLOW_ATTR_ACTIONS] = { .type = NLA_NESTED },
    [VSW_FLOW_ATTR_STATS] = FIXED(struct vsw_flow_attr_stats),
    [VSW_FLOW_ATTR_USED] = { .type = NLA_U64 },
    [VSW_FLOW_ATTR_TCP_FLAGS] = { .type = NLA_U16 },
    [VSW_FLOW_ATTR_CLEAR] = { .type = NLA_FLAG },
    [VSW_FLOW_ATTR_PMD] = { .type = NLA_U32 },
};

static const struct vsw_attr_table flow_table = {
    .names = flow_names, .policy = flow_policy, .max = VSW_FLOW_ATTR_MAX,
    .reserved_first = VSW_FLOW_ATTR_RESERVED_FIRST,
    .reserved_last = VSW_FLOW_ATTR_RESERVED_LAST,
};

static int
flow_decode(struct nlattr **tb, struct vsw_msg *m, const char *ctx,
            struct vsw_error *err)
{
    struct vsw_msg_flow *flow = &m->u.flow;
    char nctx[64];
    int error;

    if (tb[VSW_FLOW_ATTR_KEY]) {
        snprintf(nctx, sizeof nctx, "%s: KEY", ctx);
        error = vsw_key_from_attrs__(tb[VSW_FLOW_ATTR_KEY], NULL, &flow->key,
                                     nctx, err);
        if (error) {
            return error;
        }
    }
    if (tb[VSW_FLOW_ATTR_MASK]) {
        if (!tb[VSW_FLOW_ATTR_KEY]) {
            return vsw_error_set(err, EINVAL, "%s: MASK attribute without "
                                 "KEY", ctx);
        }
        snprintf(nctx, sizeof nctx, "%s: MASK", ctx);
        error = vsw_key_from_attrs__(tb[VSW_FLOW_ATTR_MASK], &flow->key,
                                     &flow->mask, nctx, err);
        if (error) {
            return error;
        }
    }
    if (tb[VSW_FLOW_ATTR_ACTIONS]) {
        snprintf(nctx, sizeof nctx, "%s: ACTIONS", ctx);
        error = vsw_actions_from_attrs__(tb[VSW_FLOW_ATTR_ACTIONS],
                                         &flow->actions, nctx, err);
        if (error) {
            return error;
        }
    }
    if (tb[VSW_FLOW_ATTR_STATS]) {
        memcpy(&flow->stats, nla_data(tb[VSW_FLOW_ATTR_STATS]),
               sizeof flow->stats);
    }
    if (tb[VSW_FLOW_ATTR_USED]) {
        flow->used_ms = get_u64(tb[VSW_FLOW_ATTR_USED]);
    }
    if (tb[VSW_FLOW_ATTR_TCP_FLAGS]) {
        flow->tcp_flags = nla_get_u16(tb[VSW_FLOW_ATTR_TCP_FLAGS]);
    }
    if (tb[VSW_FLOW_ATTR_PMD]) {
        flow->pmd = nla_get_u32(tb[VSW_FLOW_ATTR_PMD]);
    }

    if (!is_request(m)) {
        return 0;
    }
    switch (m->cmd) {
    case VSW_FLOW_CMD_NEW:
        return require(m, flow_names, ctx, err, VSW_FLOW_ATTR_KEY,
                       VSW_FLOW_ATTR_ACTIONS, 0);
    case VSW_FLOW_CMD_GET:
        if (is_dump(m)) {
            return 0;
        }
        /* fall through */
    case VSW_FLOW_CMD_DEL:
        return require(m, flow_names, ctx, err, VSW_FLOW_ATTR_KEY, 0);
    case VSW_FLOW_CMD_SET:
        error = require(m, flow_names, ctx, err, VSW_FLOW_ATTR_KEY, 0);
        if (!error && !vsw_msg_has(m, VSW_FLOW_ATTR_ACTIONS)
            && !vsw_msg_has(m, VSW_FLOW_ATTR_CLEAR)) {
            error = vsw_error_set(err, EINVAL, "%s: needs ACTIONS or CLEAR",
                                  ctx);
        }
        return error;
    default:
        return 0;
    }
}

static int
flow_encode(struct nl_msg *nm, const struct vsw_msg *m)
{
    const struct vsw_msg_flow *flow = &m->u.flow;
    int error = 0;

    if (vsw_msg_has(m, VSW_FLOW_ATTR_MASK)
        && !vsw_msg_has(m, VSW_FLOW_ATTR_KEY)) {
        return EINVAL;
    }
    if (vsw_msg_has(m, VSW_FLOW_ATTR_KEY)) {
        error = vsw_key_to_attrs(nm, VSW_FLOW_ATTR_KEY, &flow->key, NULL);
    }
    if (!error && vsw_msg_has(m, VSW_FLOW_ATTR_MASK)) {
        error = vsw_key_to_attrs(nm, VSW_FLOW_ATTR_MASK, &flow->key,
                                 &flow->mask);
    }
    if (!error && vsw_msg_has(m, VSW_FLOW_ATTR_ACTIONS)) {
        error = vsw_actions_to_attrs(nm, VSW_FLOW_ATTR_ACTIONS,
                                     &flow->actions);
    }
    if (error) {
        return error;
    }
    if ((vsw_msg_has(m, VSW_FLOW_ATTR_STATS)
         && nla_put(nm, VSW_FLOW_ATTR_STATS, sizeof flow->stats, &flow->stats))
        || (vsw_msg_has(m, VSW_FLOW_ATTR_USED)
            && nla_put(nm, VSW_FLOW_ATTR_USED, 8, &flow->used_ms))
        || (vsw_msg_has(m, VSW_FLOW_ATTR_TCP_FLAGS)
            && nla_put_u16(nm, VSW_FLOW_ATTR_TCP_FLAGS, flow->tcp_flags))
        || (vsw_msg_has(m, VSW_FLOW_ATTR_CLEAR)
            && nla_put_flag(nm, VSW_FLOW_ATTR_CLEAR))
        || (vsw_msg_has(m, VSW_FLOW_ATTR_PMD)
            && nla_put_u32(nm, VSW_FLOW_ATTR_PMD, flow->pmd))) {
        return ENOBUFS;
    }
    return 0;
}

/* ---- PACKET ------------------------------------------------------------- */

static const char *const packet_cmds[__VSW_PACKET_CMD_MAX] = {
    [VSW_PACKET_CMD_MISS] = "MISS", [VSW_PACKET_CMD_EXECUTE] = "EXECUTE",
    [VSW_PACKET_CMD_INJECT] = "INJECT", [VSW_PACKET_CMD_CAPTURED] = "CAPTURED",
};

static const char *const packet_names[VSW_PACKET_ATTR_MAX + 1] = {
    [VSW_PACKET_ATTR_PACKET] = "PACKET",
    [VSW_PACKET_ATTR_KEY] = "KEY",
    [VSW_PACKET_ATTR_ACTIONS] = "ACTIONS",
    [VSW_PACKET_ATTR_IN_PORT] = "IN_PORT",
    [VSW_PACKET_ATTR_REASON] = "REASON",
    [VSW_PACKET_ATTR_USERDATA] = "USERDATA",
    [VSW_PACKET_ATTR_ORIG_LEN] = "ORIG_LEN",
};

static const struct nla_policy packet_policy[VSW_PACKET_ATTR_MAX + 1] = {
    [VSW_PACKET_ATTR_PACKET] = { .type = NLA_UNSPEC, .maxlen = PACKET_MAX },
    [VSW_PACKET_ATTR_KEY] = { .type = NLA_NESTED },
    [VSW_PACKET_ATTR_ACTIONS] = { .type = NLA_NESTED },
    [VSW_PACKET_ATTR_IN_PORT] = { .type = NLA_U32 },
    [VSW_PACKET_ATTR_REASON] = { .type = NLA_U32 },
    [VSW_PACKET_ATTR_USERDATA] = { .type = NLA_U32 },
    [VSW_PACKET_ATTR_ORIG_LEN] = { .type = NLA_U32 },
};

static const struct vsw_attr_table packet_table = {
    .names = packet_names, .policy = packet_policy,
    .max = VSW_PACKET_ATTR_MAX,
    .reserved_first = VSW_PACKET_ATTR_RESERVED_FIRST,
    .reserved_last = VSW_PACKET_ATTR_RESERVED_LAST,
};

static bool
valid_reason(uint32_t reason)
{
    return (reason == VSW_MISS_REASON_NO_MATCH
            || reason == VSW_MISS_REASON_ACTION);
}

static int
packet_decode(struct nlattr **tb, struct vsw_msg *m, const char *ctx,
              struct vsw_error *err)
{
    struct vsw_msg_packet *pkt = &m->u.packet;
    char nctx[64];
    int error = 0;

    if (tb[VSW_PACKET_ATTR_PACKET]) {
        pkt->data = nla_data(tb[VSW_PACKET_ATTR_PACKET]);
        pkt->len = nla_len(tb[VSW_PACKET_ATTR_PACKET]);
    }
    if (tb[VSW_PACKET_ATTR_KEY]) {
        snprintf(nctx, sizeof nctx, "%s: KEY", ctx);
        error = vsw_key_from_attrs__(tb[VSW_PACKET_ATTR_KEY], NULL, &pkt->key,
                                     nctx, err);
        if (error) {
            return error;
        }
    }
    if (tb[VSW_PACKET_ATTR_ACTIONS]) {
        snprintf(nctx, sizeof nctx, "%s: ACTIONS", ctx);
        error = vsw_actions_from_attrs__(tb[VSW_PACKET_ATTR_ACTIONS],
                                         &pkt->actions, nctx, err);
        if (error) {
            return error;
        }
    }
    if (tb[VSW_PACKET_ATTR_IN_PORT]) {
        pkt->in_port = nla_get_u32(tb[VSW_PACKET_ATTR_IN_PORT]);
    }
    if (tb[VSW_PACKET_ATTR_REASON]) {
        pkt->reason = nla_get_u32(tb[VSW_PACKET_ATTR_REASON]);
        if (!valid_reason(pkt->reason)) {
            return vsw_error_set(err, EINVAL, "%s: REASON %u is not a "
                                 "VSW_MISS_REASON_*", ctx, pkt->reason);
        }
    }
    if (tb[VSW_PACKET_ATTR_USERDATA]) {
        pkt->userdata = nla_get_u32(tb[VSW_PACKET_ATTR_USERDATA]);
    }
    if (tb[VSW_PACKET_ATTR_ORIG_LEN]) {
        pkt->orig_len = nla_get_u32(tb[VSW_PACKET_ATTR_ORIG_LEN]);
    }

    switch (m->cmd) {
    case VSW_PACKET_CMD_MISS:
        /* Sent by the datapath, never as a request: always complete. */
        return require(m, packet_names, ctx, err, VSW_PACKET_ATTR_PACKET,
                       VSW_PACKET_ATTR_KEY, VSW_PACKET_ATTR_IN_PORT,
                       VSW_PACKET_ATTR_REASON, 0);
    case VSW_PACKET_CMD_EXECUTE:
        if (!is_request(m)) {
            return 0;
        }
        return require(m, packet_names, ctx, err, VSW_PACKET_ATTR_PACKET,
                       VSW_PACKET_ATTR_IN_PORT, VSW_PACKET_ATTR_ACTIONS, 0);
    case VSW_PACKET_CMD_INJECT:
        if (!is_request(m)) {
            return 0;
        }
        return require(m, packet_names, ctx, err, VSW_PACKET_ATTR_PACKET,
                       VSW_PACKET_ATTR_IN_PORT, 0);
    case VSW_PACKET_CMD_CAPTURED:
        /* The request is a dump; each answer carries a frame. */
        if (is_request(m)) {
            return 0;
        }
        return require(m, packet_names, ctx, err, VSW_PACKET_ATTR_PACKET,
                       VSW_PACKET_ATTR_IN_PORT, 0);
    default:
        return 0;
    }
}

static int
packet_encode(struct nl_msg *nm, const struct vsw_msg *m)
{
    const struct vsw_msg_packet *pkt = &m->u.packet;
    int error = 0;

    if (vsw_msg_has(m, VSW_PACKET_ATTR_PACKET)) {
        if (pkt->len > PACKET_MAX || (pkt->len && !pkt->data)) {
            return EINVAL;
        }
        if (nla_put(nm, VSW_PACKET_ATTR_PACKET, pkt->len, pkt->data)) {
            return ENOBUFS;
        }
    }
    if (vsw_msg_has(m, VSW_PACKET_ATTR_KEY)) {
        error = vsw_key_to_attrs(nm, VSW_PACKET_ATTR_KEY, &pkt->key, NULL);
    }
    if (!error && vsw_msg_has(m, VSW_PACKET_ATTR_ACTIONS)) {
        error = vsw_actions_to_attrs(nm, VSW_PACKET_ATTR_ACTIONS,
                                     &pkt->actions);
    }
    if (error) {
        return error;
    }
    if (vsw_msg_has(m, VSW_PACKET_ATTR_REASON) && !valid_reason(pkt->reason)) {
        return EINVAL;
    }
    if ((vsw_msg_has(m, VSW_PACKET_ATTR_IN_PORT)
         && nla_put_u32(nm, VSW_PACKET_ATTR_IN_PORT, pkt->in_port))
        || (vsw_msg_has(m, VSW_PACKET_ATTR_REASON)
            && nla_put_u32(nm, VSW_PACKET_ATTR_REASON, pkt->reason))
        || (vsw_msg_has(m, VSW_PACKET_ATTR_USERDATA)
            && nla_put_u32(nm, VSW_PACKET_ATTR_USERDATA, pkt->userdata))
        || (vsw_msg_has(m, VSW_PACKET_ATTR_ORIG_LEN)
            && nla_put_u32(nm, VSW_PACKET_ATTR_ORIG_LEN, pkt->orig_len))) {
        return ENOBUFS;
    }
    return 0;
}

/* ---- Families ----------------------------------------------------------- */

struct family {
    uint16_t type;
    const char *name;
    const char *const *cmds;            /* indexed by command */
    int n_cmds;                         /* __*_CMD_MAX */
    const struct vsw_attr_table *attrs;
    int (*decode)(struct nlattr **tb, struct vsw_msg *, const char *ctx,
                  struct vsw_error *);
    int (*encode)(struct nl_msg *, const struct vsw_msg *);
    size_t size_hint;                   /* bytes that always suffice, beyond
                                         * a packet's payload */
};

static const struct family families[] = {
    { VSW_FAMILY_DATAPATH, "DATAPATH", dp_cmds, __VSW_DP_CMD_MAX, &dp_table,
      dp_decode, dp_encode, 1024 },
    { VSW_FAMILY_PORT, "PORT", port_cmds, __VSW_PORT_CMD_MAX, &port_table,
      port_decode, port_encode, 8192 },
    { VSW_FAMILY_FLOW, "FLOW", flow_cmds, __VSW_FLOW_CMD_MAX, &flow_table,
      flow_decode, flow_encode, 4096 },
    { VSW_FAMILY_PACKET, "PACKET", packet_cmds, __VSW_PACKET_CMD_MAX,
      &packet_table, packet_decode, packet_encode, 4096 },
};

static const struct family *
family_lookup(uint16_t type)
{
    for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
        if (families[i].type == type) {
            return &families[i];
        }
    }
    return NULL;
}

const char *
vsw_family_name(uint16_t type)
{
    const struct family *f = family_lookup(type);

    return (f ? f->name
            : type == NLMSG_ERROR ? "ERROR"
            : type == NLMSG_DONE ? "DONE"
            : "UNKNOWN");
}

const char *
vsw_cmd_name(uint16_t type, uint8_t cmd)
{
    const struct family *f = family_lookup(type);

    return f && cmd < f->n_cmds && f->cmds[cmd] ? f->cmds[cmd] : "UNKNOWN";
}

/* ---- Datagrams ---------------------------------------------------------- */

void
vsw_msg_init(struct vsw_msg *msg, uint16_t family, uint8_t cmd,
             uint16_t nl_flags, uint32_t seq, uint32_t dp_index)
{
    memset(msg, 0, sizeof *msg);
    msg->type = family;
    msg->cmd = cmd;
    msg->nl_flags = nl_flags;
    msg->seq = seq;
    msg->dp_index = dp_index;
}

void
vsw_dgram_init(struct vsw_dgram *dg)
{
    dg->cap = VSW_DP_MAX_DATAGRAM;
    dg->data = xmalloc(dg->cap);
    dg->len = 0;
}

void
vsw_dgram_clear(struct vsw_dgram *dg)
{
    dg->len = 0;
}

void
vsw_dgram_destroy(struct vsw_dgram *dg)
{
    free(dg->data);
    dg->data = NULL;
    dg->len = dg->cap = 0;
}

/* Runs BUILD on a scratch message no bigger than the room left in DG and
 * appends the result.  HINT is a size that always suffices, so that small
 * messages do not allocate a whole datagram. */
static int
dgram_append(struct vsw_dgram *dg, size_t hint,
             int (*build)(struct nl_msg *, const void *aux), const void *aux)
{
    size_t room = dg->cap > dg->len ? dg->cap - dg->len : 0;
    size_t size = VSW_MIN(room, hint);

    for (;;) {
        struct nlmsghdr *nlh;
        struct nl_msg *nm;
        int error;

        if (room < NLMSG_HDRLEN) {
            return ENOBUFS;
        }
        nm = nlmsg_alloc_size(size);
        if (!nm) {
            vsw_fatal("out of memory building a channel message");
        }
        error = build(nm, aux);
        if (!error) {
            nlh = nlmsg_hdr(nm);
            if (NLMSG_ALIGN(nlh->nlmsg_len) > room) {
                error = ENOBUFS;
            } else {
                memset(dg->data + dg->len, 0, NLMSG_ALIGN(nlh->nlmsg_len));
                memcpy(dg->data + dg->len, nlh, nlh->nlmsg_len);
                dg->len += NLMSG_ALIGN(nlh->nlmsg_len);
            }
        }
        nlmsg_free(nm);
        if (error == ENOBUFS && size < room) {
            size = room;        /* the hint was short: try the whole room */
            continue;
        }
        return error;
    }
}

struct error_args {
    uint32_t seq;
    uint16_t flags;
    uint16_t orig_type;
    int error;
    const char *text;
};

static int
build_error(struct nl_msg *nm, const void *aux_)
{
    const struct error_args *a = aux_;
    char text[VSW_ERROR_MAX];
    struct nlmsghdr *nlh;
    struct nlmsgerr e;

    vsw_strlcpy(text, a->text ? a->text : "", sizeof text);
    nlh = nlmsg_put(nm, 0, a->seq, NLMSG_ERROR, sizeof e,
                    a->flags | NLM_F_CAPPED | (text[0] ? NLM_F_ACK_TLVS : 0));
    if (!nlh) {
        return ENOBUFS;
    }
    memset(&e, 0, sizeof e);
    e.error = -a->error;
    e.msg.nlmsg_len = NLMSG_HDRLEN;
    e.msg.nlmsg_type = a->orig_type;
    e.msg.nlmsg_flags = NLM_F_REQUEST;
    e.msg.nlmsg_seq = a->seq;
    memcpy(nlmsg_data(nlh), &e, sizeof e);
    if (text[0] && nla_put_string(nm, NLMSGERR_ATTR_MSG, text)) {
        return ENOBUFS;
    }
    return 0;
}

int
vsw_msg_encode_error(struct vsw_dgram *dg, uint16_t req_type,
                     uint32_t req_seq, int error, const char *text)
{
    struct error_args a = {
        .seq = req_seq, .orig_type = req_type, .error = error, .text = text,
    };

    if (error < 0 || error > 4095) {
        return EINVAL;
    }
    return dgram_append(dg, 512, build_error, &a);
}

struct done_args {
    uint32_t seq;
    uint16_t flags;
    int error;
};

static int
build_done(struct nl_msg *nm, const void *aux_)
{
    const struct done_args *a = aux_;
    struct nlmsghdr *nlh;
    int32_t v = -a->error;

    nlh = nlmsg_put(nm, 0, a->seq, NLMSG_DONE, sizeof v, a->flags);
    if (!nlh) {
        return ENOBUFS;
    }
    memcpy(nlmsg_data(nlh), &v, sizeof v);
    return 0;
}

int
vsw_msg_encode_done(struct vsw_dgram *dg, uint32_t seq)
{
    struct done_args a = { .seq = seq, .flags = NLM_F_MULTI };

    return dgram_append(dg, 64, build_done, &a);
}

static int
build_family(struct nl_msg *nm, const void *aux_)
{
    const struct vsw_msg *m = aux_;
    const struct family *f = family_lookup(m->type);
    struct vsw_dp_header hdr = { .dp_index = m->dp_index };
    void *user;

    user = genlmsg_put(nm, 0, m->seq, m->type, sizeof hdr, m->nl_flags, m->cmd,
                       VSW_DP_PROTO_VERSION);
    if (!user) {
        return ENOBUFS;
    }
    memcpy(user, &hdr, sizeof hdr);
    return f->encode(nm, m);
}

int
vsw_msg_encode(const struct vsw_msg *msg, struct vsw_dgram *dg)
{
    const struct family *f;

    if (msg->type == NLMSG_ERROR) {
        struct error_args a = {
            .seq = msg->seq, .flags = msg->nl_flags,
            .orig_type = msg->u.error.orig_type, .error = msg->u.error.error,
            .text = msg->u.error.text,
        };

        if (a.error < 0 || a.error > 4095
            || !memchr(a.text, '\0', sizeof msg->u.error.text)) {
            return EINVAL;
        }
        return dgram_append(dg, 512, build_error, &a);
    } else if (msg->type == NLMSG_DONE) {
        struct done_args a = {
            .seq = msg->seq, .flags = msg->nl_flags,
            .error = msg->u.error.error,
        };

        if (a.error < 0 || a.error > 4095) {
            return EINVAL;
        }
        return dgram_append(dg, 64, build_done, &a);
    }

    f = family_lookup(msg->type);
    if (!f || msg->cmd == 0 || msg->cmd >= f->n_cmds) {
        return EINVAL;
    }
    for (int t = 0; t < 64; t++) {
        if (vsw_msg_has(msg, t)
            && (t > f->attrs->max || !f->attrs->names[t])) {
            return EINVAL;
        }
    }
    return dgram_append(dg, f->size_hint + (msg->type == VSW_FAMILY_PACKET
                                            ? msg->u.packet.len : 0),
                        build_family, msg);
}

/* ---- Decoding ----------------------------------------------------------- */

static const char *const error_names[NLMSGERR_ATTR_MAX + 1] = {
    [NLMSGERR_ATTR_MSG] = "MSG",
};
static const struct nla_policy error_policy[NLMSGERR_ATTR_MAX + 1] = {
    [NLMSGERR_ATTR_MSG] = STRING(struct vsw_msg_error, text, true),
};
static const struct vsw_attr_table error_table = {
    .names = error_names, .policy = error_policy, .max = NLMSGERR_ATTR_MAX,
};

static int
decode_error(const struct nlmsghdr *nlh, struct vsw_msg *m,
             struct vsw_error *err)
{
    size_t payload = nlh->nlmsg_len - NLMSG_HDRLEN;
    const uint8_t *data = NLMSG_DATA(nlh);
    struct nlmsgerr e;

    if (payload < sizeof e) {
        return vsw_error_set(err, EPROTO, "ERROR: payload of %zu bytes is "
                             "shorter than struct nlmsgerr", payload);
    }
    memcpy(&e, data, sizeof e);
    if (e.error > 0 || e.error < -4095) {
        return vsw_error_set(err, EPROTO, "ERROR: error code %d is not a "
                             "negative errno", e.error);
    }
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
        return vsw_error_set(err, EPROTO, "ERROR: request payload not capped "
                             "(NLM_F_CAPPED unset)");
    }
    m->u.error.error = -e.error;
    m->u.error.orig_type = e.msg.nlmsg_type;
    if (payload > sizeof e) {
        struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
        uint64_t present;
        int error;

        if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
            return vsw_error_set(err, EPROTO, "ERROR: %zu trailing bytes "
                                 "without NLM_F_ACK_TLVS", payload - sizeof e);
        }
        error = vsw_attrs_parse__(&error_table,
                                  (const struct nlattr *) (data + sizeof e),
                                  payload - sizeof e, tb, &present, "ERROR",
                                  err);
        if (error) {
            return error;
        }
        if (tb[NLMSGERR_ATTR_MSG]) {
            get_string(m->u.error.text, tb[NLMSGERR_ATTR_MSG]);
        }
    }
    if (m->u.error.text[0] && !(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) {
        return vsw_error_set(err, EPROTO, "ERROR: text without "
                             "NLM_F_ACK_TLVS");
    }
    return 0;
}

static int
decode_done(const struct nlmsghdr *nlh, struct vsw_msg *m,
            struct vsw_error *err)
{
    int32_t v;

    if (nlh->nlmsg_len != NLMSG_HDRLEN + sizeof v) {
        return vsw_error_set(err, EPROTO, "DONE: message has length %u, "
                             "expected %zu", nlh->nlmsg_len,
                             NLMSG_HDRLEN + sizeof v);
    }
    memcpy(&v, NLMSG_DATA(nlh), sizeof v);
    if (v > 0 || v < -4095) {
        return vsw_error_set(err, EPROTO, "DONE: error code %d is not a "
                             "negative errno", v);
    }
    m->u.error.error = -v;
    return 0;
}

static int
decode_family(const struct family *f, const struct nlmsghdr *nlh,
              struct vsw_msg *m, struct vsw_error *err)
{
    struct nlattr *tb[64];
    struct genlmsghdr genl;
    struct vsw_dp_header hdr;
    uint64_t present;
    char ctx[32];
    int error;

    if (nlh->nlmsg_len < FAMILY_HDRLEN) {
        return vsw_error_set(err, EPROTO, "%s: message of %u bytes is shorter "
                             "than its headers (%zu)", f->name,
                             nlh->nlmsg_len, FAMILY_HDRLEN);
    }
    memcpy(&genl, NLMSG_DATA(nlh), sizeof genl);
    memcpy(&hdr, (const uint8_t *) NLMSG_DATA(nlh) + GENL_HDRLEN, sizeof hdr);
    if (genl.cmd == 0 || genl.cmd >= f->n_cmds) {
        return vsw_error_set(err, EOPNOTSUPP, "%s: unknown command %u",
                             f->name, genl.cmd);
    }
    snprintf(ctx, sizeof ctx, "%s %s", f->name, f->cmds[genl.cmd]);
    if (genl.version != VSW_DP_PROTO_VERSION) {
        return vsw_error_set(err, EPROTO, "%s: protocol version %u, expected "
                             "%u", ctx, genl.version, VSW_DP_PROTO_VERSION);
    }
    if (genl.reserved) {
        return vsw_error_set(err, EPROTO, "%s: reserved genetlink header "
                             "field is %u, expected 0", ctx, genl.reserved);
    }
    m->cmd = genl.cmd;
    m->dp_index = hdr.dp_index;

    error = vsw_attrs_parse__(f->attrs,
                              (const struct nlattr *) ((const uint8_t *) nlh
                                                       + FAMILY_HDRLEN),
                              nlh->nlmsg_len - FAMILY_HDRLEN, tb, &present,
                              ctx, err);
    if (error) {
        return error;
    }
    m->attrs = present;
    return f->decode(tb, m, ctx, err);
}

int
vsw_msg_decode(const struct nlmsghdr *nlh, struct vsw_msg *msg,
               struct vsw_error *err)
{
    const struct family *f;
    int error;

    memset(msg, 0, sizeof *msg);
    vsw_error_clear(err);
    if (nlh->nlmsg_len < NLMSG_HDRLEN) {
        return vsw_error_set(err, EPROTO, "message length %u is shorter than "
                             "a netlink header", nlh->nlmsg_len);
    }
    if (nlh->nlmsg_len % NLMSG_ALIGNTO) {
        return vsw_error_set(err, EPROTO, "message length %u is not a "
                             "multiple of %d", nlh->nlmsg_len, NLMSG_ALIGNTO);
    }
    msg->type = nlh->nlmsg_type;
    msg->nl_flags = nlh->nlmsg_flags;
    msg->seq = nlh->nlmsg_seq;

    if (nlh->nlmsg_type == NLMSG_ERROR) {
        error = decode_error(nlh, msg, err);
    } else if (nlh->nlmsg_type == NLMSG_DONE) {
        error = decode_done(nlh, msg, err);
    } else if ((f = family_lookup(nlh->nlmsg_type)) != NULL) {
        error = decode_family(f, nlh, msg, err);
    } else {
        error = vsw_error_set(err, EPROTO, "unknown message type 0x%x",
                              nlh->nlmsg_type);
    }
    if (error) {
        /* Leave no half-decoded message behind. */
        uint16_t type = msg->type;
        uint32_t seq = msg->seq;

        memset(msg, 0, sizeof *msg);
        msg->type = type;
        msg->seq = seq;
    }
    return error;
}

int
vsw_dgram_for_each(const struct vsw_dgram *dg, vsw_msg_cb *cb,
                   vsw_msg_bad_cb *bad, void *aux, struct vsw_error *err)
{
    struct vsw_msg *msg = xmalloc(sizeof *msg);
    size_t off = 0;
    int retval = 0;

    vsw_error_clear(err);
    while (off < dg->len) {
        const struct nlmsghdr *nlh = (const void *) (dg->data + off);
        size_t rem = dg->len - off;
        struct vsw_error e;

        if (rem < NLMSG_HDRLEN) {
            retval = vsw_error_set(err, EPROTO, "datagram: %zu trailing bytes "
                                   "after the last message", rem);
            break;
        }
        if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > rem) {
            retval = vsw_error_set(err, EPROTO, "datagram: message at offset "
                                   "%zu has length %u, which does not fit "
                                   "the %zu bytes left", off, nlh->nlmsg_len,
                                   rem);
            break;
        }
        if (nlh->nlmsg_len % NLMSG_ALIGNTO) {
            retval = vsw_error_set(err, EPROTO, "datagram: message at offset "
                                   "%zu has length %u, not a multiple of %d",
                                   off, nlh->nlmsg_len, NLMSG_ALIGNTO);
            break;
        }
        if (!vsw_msg_decode(nlh, msg, &e)) {
            retval = cb(msg, aux);
            if (retval) {
                break;
            }
        } else if (bad) {
            bad(nlh, &e, aux);
        }
        off += nlh->nlmsg_len;
    }
    free(msg);
    return retval;
}
