/* Flow keys in C: packet -> key, key <-> text (dpctl dump style).
 *
 * Text grammar (also what dump-flows prints), fields in this order:
 *   in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),
 *   vlan(vid=10,pcp=0),eth_type(0x0800),
 *   ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),
 *   udp(src=5000,dst=6000)
 * and likewise ipv6(src=..,dst=..,proto=..,tclass=..,hlimit=..,frag=..),
 * tcp(src=,dst=), tcp_flags(0x002), icmp(type=,code=), icmpv6(type=,code=),
 * arp(sip=,tip=,op=).  frag is no|first|later.  With a mask, a field that is
 * not fully masked prints as value/mask and a wholly wildcarded field is
 * left out; on input, a field that is absent is wildcarded.
 *
 * A key whose parse was cut short (VSW_KEY_F_TRUNC) ends in ",truncated".
 * Masks from vsw_flow_key_parse() and vsw_flow_mask_exact() match `parsed`
 * exactly, so the set of headers present is part of every match; a header
 * whose fields are all wildcarded but whose presence is matched prints
 * empty, e.g. "eth()" or "tcp()".  flow-text.c has the details. */
#ifndef VSW_DATAPATH_FLOW_H
#define VSW_DATAPATH_FLOW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vswitch/flow-key.h"
#include "utilities/ds.h"
#include "utilities/error.h"

/* Parses the frame PKT of LEN bytes that arrived on IN_PORT into KEY
 * (zeroed first).  Never reads outside [pkt, pkt + len).  Always fills as
 * much as was parseable; key->parsed says how much. */
void vsw_flow_extract(const void *pkt, size_t len, uint32_t in_port,
                      struct vsw_flow_key *key);

/* Appends KEY as text.  MASK may be NULL (exact: every field the key's
 * parsed layers define is printed). */
void vsw_flow_key_format(const struct vsw_flow_key *key,
                         const struct vsw_flow_key *mask, struct ds *out);

/* Parses TEXT into KEY and MASK (MASK may be NULL to demand no masks).
 * Fields not mentioned are zero in both.  Fills key->parsed from the headers
 * given.  Returns 0, or EINVAL with ERR naming the offending token. */
int vsw_flow_key_parse(const char *text, struct vsw_flow_key *key,
                       struct vsw_flow_key *mask, struct vsw_error *err);

/* The mask that makes KEY exact: every field its headers define, all ones
 * (tcp_flags excluded). */
void vsw_flow_mask_exact(const struct vsw_flow_key *key,
                         struct vsw_flow_key *mask);

/* Actions <-> text: "2", "flood", "push_vlan(vid=10,pcp=0)", "pop_vlan",
 * "set(eth(src=..,dst=..))", "set(ipv4(src=..,dst=..,tos=..,ttl=..))",
 * "set(ipv6(...))", "set(udp(src=..,dst=..))" (also tcp), "dec_ttl",
 * "userspace(42)", joined by ','; an empty list prints as "drop".
 * VSW_ACTION_SET_L4 does not record TCP vs UDP, so it prints as
 * "set(l4(src=..,dst=..))"; l4, tcp and udp all parse to it. */
void vsw_actions_format(const struct vsw_actions *, struct ds *out);
int vsw_actions_parse(const char *text, struct vsw_actions *,
                      struct vsw_error *err);

/* Builds into BUF (SIZE bytes) a valid frame that vsw_flow_extract() turns
 * back into KEY (packet-compose.c): Ethernet, the VLAN tag if vlan_tci has
 * VSW_VLAN_CFI, then the headers key->parsed names (0 means every header the
 * key's eth_type and nw_proto imply), with correct IP/L4 checksums and a
 * zero payload that brings the frame to 60 bytes.  *LEN gets the frame
 * length.  Returns 0, ENOBUFS if SIZE is too small, or EINVAL for a key no
 * frame can produce (nw_frag out of range, an ICMP type or code above 255). */
int vsw_packet_compose(const struct vsw_flow_key *key, uint8_t *buf,
                       size_t size, size_t *len);

/* Whether A and B are equal byte for byte, tcp_flags aside (it varies per
 * packet of one flow). */
bool vsw_flow_key_equal(const struct vsw_flow_key *a,
                        const struct vsw_flow_key *b);

#endif
