/* OpenFlow-style rules in ovs-ofctl syntax: what `vsctl add-flow` checks
 * and stores, and what vswitchd classifies with.
 *
 *   table=0,priority=100,in_port=p1,ip,nw_dst=10.0.0.0/24,actions=output:p2
 *
 * Matches become a key/mask pair over struct vsw_flow_key (flow-key.h), so
 * the classifier works on the same bytes as the datapath.  Port names stay
 * names here (in_port=p1, output:p2): only vswitchd knows the ofport
 * numbers, and it resolves them when it loads the rules.  Numbers given as
 * numbers are kept as numbers.
 *
 * Rules live in the database as canonical text (vsw_rule_format_match /
 * vsw_ofactions_format), so a stored rule always parses again. */
#ifndef VSW_DB_RULE_H
#define VSW_DB_RULE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "vswitch/flow-key.h"
#include "utilities/ds.h"
#include "utilities/error.h"

#define VSW_RULE_PORT_NAME_MAX 16
#define VSW_RULE_DEFAULT_PRIORITY 32768
#define VSW_RULE_MAX_TABLE 254
#define VSW_OFACTIONS_MAX 32

/* OFPP_* style reserved port numbers usable in in_port= / output:. */
#define VSW_OFPP_NONE 0          /* "no port given" */
#define VSW_OFPP_LOCAL 0xfffe    /* "LOCAL": the bridge's internal port */
#define VSW_OFPP_IN_PORT 0xfff8  /* "in_port": output to the input port */

struct vsw_match {
    struct vsw_flow_key key;    /* key.in_port: port number, or 0 when
                                 * in_port_name is set */
    struct vsw_flow_key mask;   /* 1-bits matter; mask.in_port is all
                                 * ones whenever in_port= is given, by
                                 * name or by number */
    char in_port_name[VSW_RULE_PORT_NAME_MAX];  /* "" if none or numeric */
};

enum vsw_ofaction_type {
    VSW_OFA_OUTPUT,         /* port / port_name */
    VSW_OFA_NORMAL,
    VSW_OFA_FLOOD,
    VSW_OFA_ALL,            /* every port but the input (same as flood here) */
    VSW_OFA_IN_PORT,        /* output to the input port */
    VSW_OFA_MOD_VLAN_VID,   /* vid */
    VSW_OFA_MOD_VLAN_PCP,   /* pcp */
    VSW_OFA_STRIP_VLAN,
    VSW_OFA_MOD_DL_SRC,     /* mac */
    VSW_OFA_MOD_DL_DST,     /* mac */
    VSW_OFA_MOD_NW_SRC,     /* ipv4 (network order) */
    VSW_OFA_MOD_NW_DST,     /* ipv4 */
    VSW_OFA_MOD_NW_TOS,     /* tos (DSCP bits) */
    VSW_OFA_MOD_TP_SRC,     /* tp_port (host order) */
    VSW_OFA_MOD_TP_DST,     /* tp_port */
    VSW_OFA_DEC_TTL,
    VSW_OFA_RESUBMIT,       /* resubmit(port,table): port 0 = in_port kept,
                             * table 255 = current table */
    VSW_OFA_GOTO_TABLE,     /* table; must be last, larger than current */
    VSW_OFA_CONTROLLER,     /* send to vswitchd (userspace) */
};

struct vsw_ofaction {
    enum vsw_ofaction_type type;
    union {
        struct {
            uint32_t port;                          /* 0 when by name */
            char name[VSW_RULE_PORT_NAME_MAX];
        } output;
        uint16_t vid;
        uint8_t pcp;
        uint8_t mac[6];
        uint32_t ipv4;          /* network order */
        uint8_t tos;
        uint16_t tp_port;
        struct {
            uint32_t port;      /* 0: keep in_port */
            char name[VSW_RULE_PORT_NAME_MAX];
            uint8_t table;      /* 255: current */
        } resubmit;
        uint8_t table;
    } u;
};

/* An empty list means drop (`actions=drop`). */
struct vsw_ofactions {
    uint32_t n;
    struct vsw_ofaction acts[VSW_OFACTIONS_MAX];
};

struct vsw_rule_spec {
    uint8_t table;
    bool has_table;             /* table= given (for matching commands) */
    uint16_t priority;
    bool has_priority;
    struct vsw_match match;
    bool has_actions;
    struct vsw_ofactions actions;
    uint64_t cookie;
    uint64_t cookie_mask;       /* cookie=V/M for matching commands */
    uint16_t idle_timeout;      /* seconds, 0 = none */
    uint16_t hard_timeout;
};

enum vsw_rule_parse_mode {
    VSW_RULE_PARSE_ADD,         /* actions= required */
    VSW_RULE_PARSE_MODIFY,      /* actions= required; match selects rules */
    VSW_RULE_PARSE_MATCH,       /* no actions= (del-flows, dump-flows) */
};

/* Parses TEXT.  Returns 0, or EINVAL with ERR naming the offending token,
 * e.g. "unknown field 'nw_dsst'" or "nw_dst: '10.0.0.300' is not an IPv4
 * address or prefix". */
int vsw_rule_parse(const char *text, enum vsw_rule_parse_mode,
                   struct vsw_rule_spec *, struct vsw_error *);

/* Canonical text of the match part ("in_port=p1,udp,nw_dst=10.0.0.0/24"),
 * "" for match-everything; of the actions ("output:p2,mod_vlan_vid:10",
 * "drop" for none). */
void vsw_match_format(const struct vsw_match *, struct ds *);
void vsw_ofactions_format(const struct vsw_ofactions *, struct ds *);

/* Whether two matches are identical (same fields, same masks). */
bool vsw_match_equal(const struct vsw_match *, const struct vsw_match *);
/* Whether every packet matching INNER also matches OUTER (non-strict
 * del-flows / mod-flows selection). */
bool vsw_match_covers(const struct vsw_match *outer,
                      const struct vsw_match *inner);

/* Whether NAME is acceptable as a port, bridge or interface name: 1 to
 * VSW_RULE_PORT_NAME_MAX - 1 (IFNAMSIZ - 1) characters from [A-Za-z0-9._-]. */
bool vsw_rule_port_name_ok(const char *name);

#endif
