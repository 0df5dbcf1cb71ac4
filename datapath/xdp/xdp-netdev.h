/* Network devices as the XDP engine needs them: lookups and creation
 * through libnl-route, ethtool bits (GRO), XDP attach/detach, and the veth
 * peer diagnosis (PLATFORM.md: a frame redirected into veth X is only
 * delivered if X's peer has GRO on or a native XDP program; and a peer with
 * tx checksum offload sends frames whose checksums the XDP path never
 * completes).
 *
 * Everything here works in the caller's network namespace (datapathd is
 * often started with `nsenter --net=...`, where /sys/class/net still shows
 * the root namespace: so no sysfs here). */
#ifndef VSW_DATAPATH_XDP_NETDEV_H
#define VSW_DATAPATH_XDP_NETDEV_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "utilities/error.h"

struct nl_sock;

struct xdp_netdev {
    char name[IFNAMSIZ];
    uint32_t ifindex;
    uint8_t mac[6];
    uint32_t mtu;
    bool up;                    /* administratively up */
    bool carrier;               /* IFF_LOWER_UP */
    char kind[16];              /* rtnetlink link kind ("veth", "tun"...) */
    uint32_t link_ifindex;      /* IFLA_LINK: a veth's peer; 0 if none */
    int32_t link_netnsid;       /* the peer's netns id, -1 = ours */
};

/* Looks a netdev up by NAME (or by IFINDEX when NAME is NULL).  ENODEV with
 * "no network device 'x'" when there is none. */
int xdp_netdev_get(struct nl_sock *, const char *name, uint32_t ifindex,
                   struct xdp_netdev *, struct vsw_error *);

/* ethtool: the driver name; GRO get/set. */
int xdp_netdev_driver(const char *name, char *driver, size_t size);
int xdp_netdev_get_gro(const char *name, bool *on);
int xdp_netdev_set_gro(const char *name, bool on);
int xdp_netdev_set_tx_csum(const char *name, bool on);

/* Creates the veth pair NAME <-> PEER in our namespace and sets both up. */
int xdp_netdev_create_veth(struct nl_sock *, const char *name,
                           const char *peer, struct vsw_error *);
int xdp_netdev_delete(struct nl_sock *, const char *name);

/* XDP program ids attached to IFINDEX in native and generic mode (0 =
 * none). */
int xdp_netdev_query(uint32_t ifindex, uint32_t *drv_id, uint32_t *skb_id);

/* Attaches PROG_FD to the netdev.  MODE_OPT is "native", "generic" or NULL
 * / "auto" (native, else generic).  *MODE gets VSW_XDP_MODE_*; NOTE (may be
 * NULL) gets why native was not used. */
int xdp_netdev_attach(const struct xdp_netdev *, int prog_fd,
                      const char *mode_opt, uint32_t *mode, char *note,
                      size_t note_size, struct vsw_error *);

/* Detaches PROG_FD from IFINDEX in MODE, if it is still the one there. */
int xdp_netdev_detach(uint32_t ifindex, uint32_t mode, int prog_fd);

/* For a veth DEV, what its peer must fix, as a sentence for the port's
 * `warning` (empty when the peer is ready): frames redirected into DEV are
 * only delivered if the peer has NAPI (GRO on or a native XDP program),
 * and frames the peer sends with tx checksum offload on arrive with
 * unfinished checksums. */
void xdp_netdev_veth_warning(const struct xdp_netdev *dev, char *warning,
                             size_t size);

#endif
