/* Port type "vf": an SR-IOV virtual function as an XDP port.
 *
 *   options:pf=IFACE options:vf-index=N          which VF (required)
 *   options:vf-mac=aa:bb:cc:dd:ee:ff             set on the PF for VF N
 *   options:vf-vlan=VID                          port VLAN (0 = none)
 *   options:vf-trust=true|false                  trusted VF
 *   options:vf-spoofchk=true|false               MAC spoof checking
 *
 * The VF's netdev is found through sysfs (SYSFS/PF/device/virtfnN/net/),
 * the vf-* settings go to the PF as one link change (RTM_NEWLINK on its
 * ifindex, as libnl sends it) carrying
 * IFLA_VFINFO_LIST, built with libnl-route's VF API; then the VF netdev is
 * attached like a "system" port.  docs/sr-iov.md has the operator's view.
 * Message construction and the sysfs walk are separate functions so that
 * tests/unit/test-xdp-vf.c can check them without SR-IOV hardware. */
#ifndef VSW_DATAPATH_XDP_VF_H
#define VSW_DATAPATH_XDP_VF_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "utilities/error.h"

struct nl_msg;
struct nl_sock;

#define XDP_VF_SYSFS "/sys/class/net"

struct xdp_vf_config {
    char pf[IFNAMSIZ];
    bool has_index;
    uint32_t index;
    bool has_mac;
    uint8_t mac[6];
    bool has_vlan;
    uint16_t vlan;
    bool has_trust;
    bool trust;
    bool has_spoofchk;
    bool spoofchk;
};

/* Applies one port option to CFG.  *KNOWN says whether KEY is a VF option
 * at all; a VF option with a bad value is EINVAL with a sentence. */
int xdp_vf_option(struct xdp_vf_config *, const char *key, const char *value,
                  bool *known, struct vsw_error *);

/* EINVAL unless pf and vf-index were given. */
int xdp_vf_check(const struct xdp_vf_config *, struct vsw_error *);

/* Finds the netdev name of VF INDEX of PF under SYSFS. */
int xdp_vf_find_netdev(const char *sysfs, const char *pf, uint32_t index,
                       char *name, size_t size, struct vsw_error *);

/* Builds the link change request for the PF (PF_IFINDEX) that applies
 * CFG's vf-* settings.  *MSG is NULL (and 0 returned) when there is
 * nothing to set. */
int xdp_vf_build_request(int pf_ifindex, const struct xdp_vf_config *,
                         struct nl_msg **msg, struct vsw_error *);

/* Builds and sends that request on NL and waits for the kernel's answer. */
int xdp_vf_apply(struct nl_sock *nl, int pf_ifindex,
                 const struct xdp_vf_config *, struct vsw_error *);

#endif
