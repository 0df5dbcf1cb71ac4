/* See xdp-vf.h. */
#include <config.h>
#include "datapath/xdp/xdp-vf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_ether.h>
#include <netlink/netlink.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>

#include "utilities/util.h"

static int
parse_bool(const char *s, bool *b)
{
    if (!strcmp(s, "true") || !strcmp(s, "on") || !strcmp(s, "1")) {
        *b = true;
    } else if (!strcmp(s, "false") || !strcmp(s, "off") || !strcmp(s, "0")) {
        *b = false;
    } else {
        return EINVAL;
    }
    return 0;
}

int
xdp_vf_option(struct xdp_vf_config *cfg, const char *key, const char *value,
              bool *known, struct vsw_error *err)
{
    unsigned long long n;

    *known = true;
    if (!strcmp(key, "pf")) {
        if (!value[0] || !vsw_strlcpy(cfg->pf, value, sizeof cfg->pf)) {
            return vsw_error_set(err, EINVAL, "options:pf=%s is not a "
                                 "network device name", value);
        }
    } else if (!strcmp(key, "vf-index")) {
        if (!vsw_parse_uint(value, 0, 65535, &n)) {
            return vsw_error_set(err, EINVAL, "options:vf-index=%s is not a "
                                 "VF number (0-65535)", value);
        }
        cfg->has_index = true;
        cfg->index = (uint32_t) n;
    } else if (!strcmp(key, "vf-mac")) {
        if (!vsw_parse_mac(value, cfg->mac) || (cfg->mac[0] & 1)) {
            return vsw_error_set(err, EINVAL, "options:vf-mac=%s is not a "
                                 "unicast Ethernet address", value);
        }
        cfg->has_mac = true;
    } else if (!strcmp(key, "vf-vlan")) {
        if (!vsw_parse_uint(value, 0, 4094, &n)) {
            return vsw_error_set(err, EINVAL, "options:vf-vlan=%s is not a "
                                 "VLAN id (0-4094, 0 = untagged)", value);
        }
        cfg->has_vlan = true;
        cfg->vlan = (uint16_t) n;
    } else if (!strcmp(key, "vf-trust")) {
        if (parse_bool(value, &cfg->trust)) {
            return vsw_error_set(err, EINVAL, "options:vf-trust=%s must be "
                                 "true or false", value);
        }
        cfg->has_trust = true;
    } else if (!strcmp(key, "vf-spoofchk")) {
        if (parse_bool(value, &cfg->spoofchk)) {
            return vsw_error_set(err, EINVAL, "options:vf-spoofchk=%s must "
                                 "be true or false", value);
        }
        cfg->has_spoofchk = true;
    } else {
        *known = false;
    }
    return 0;
}

int
xdp_vf_check(const struct xdp_vf_config *cfg, struct vsw_error *err)
{
    if (!cfg->pf[0]) {
        return vsw_error_set(err, EINVAL, "a vf port needs options:pf (the "
                             "physical function's network device)");
    }
    if (!cfg->has_index) {
        return vsw_error_set(err, EINVAL, "a vf port needs options:vf-index "
                             "(which virtual function of %s)", cfg->pf);
    }
    return 0;
}

int
xdp_vf_find_netdev(const char *sysfs, const char *pf, uint32_t index,
                   char *name, size_t size, struct vsw_error *err)
{
    char path[PATH_MAX];
    unsigned int numvfs;
    struct dirent *de;
    struct stat st;
    FILE *f;
    DIR *d;

    snprintf(path, sizeof path, "%s/%s", sysfs, pf);
    if (stat(path, &st)) {
        return vsw_error_set(err, ENODEV, "no such PF '%s'", pf);
    }
    snprintf(path, sizeof path, "%s/%s/device/sriov_numvfs", sysfs, pf);
    f = fopen(path, "r");
    if (!f) {
        return vsw_error_set(err, EOPNOTSUPP, "%s has no SR-IOV virtual "
                             "functions (no %s)", pf, path);
    }
    if (fscanf(f, "%u", &numvfs) != 1) {
        numvfs = 0;
    }
    fclose(f);
    if (index >= numvfs) {
        if (!numvfs) {
            return vsw_error_set(err, ENODEV, "%s has SR-IOV but no virtual "
                                 "functions enabled (echo N > %s)", pf, path);
        }
        return vsw_error_set(err, ENODEV, "%s has %u virtual function%s, so "
                             "there is no vf-index %u (enable more with "
                             "echo N > %s)", pf, numvfs,
                             numvfs == 1 ? "" : "s", index, path);
    }
    snprintf(path, sizeof path, "%s/%s/device/virtfn%u/net", sysfs, pf,
             index);
    d = opendir(path);
    if (d) {
        while ((de = readdir(d))) {
            if (de->d_name[0] != '.') {
                vsw_strlcpy(name, de->d_name, size);
                closedir(d);
                return 0;
            }
        }
        closedir(d);
    }
    return vsw_error_set(err, ENODEV, "VF %u of %s has no network device "
                         "(no %s: is it bound to vfio-pci or another "
                         "non-network driver?)", index, pf, path);
}

int
xdp_vf_build_request(int pf_ifindex, const struct xdp_vf_config *cfg,
                     struct nl_msg **msgp, struct vsw_error *err)
{
    struct rtnl_link *orig, *change;
    struct rtnl_link_vf *vf;
    int e;

    *msgp = NULL;
    if (!cfg->has_mac && !cfg->has_vlan && !cfg->has_trust
        && !cfg->has_spoofchk) {
        return 0;
    }

    vf = rtnl_link_vf_alloc();
    if (!vf) {
        vsw_fatal("out of memory");
    }
    rtnl_link_vf_set_index(vf, cfg->index);
    if (cfg->has_mac) {
        struct nl_addr *addr = nl_addr_build(AF_LLC, cfg->mac, 6);

        rtnl_link_vf_set_addr(vf, addr);
        nl_addr_put(addr);
    }
    if (cfg->has_vlan) {
        nl_vf_vlans_t *vlans;

        if (rtnl_link_vf_vlan_alloc(&vlans, 1) < 0) {
            vsw_fatal("out of memory");
        }
        vlans->vlans[0].vf_vlan = cfg->vlan;
        vlans->vlans[0].vf_vlan_qos = 0;
        vlans->vlans[0].vf_vlan_proto = ETH_P_8021Q;
        rtnl_link_vf_set_vlans(vf, vlans);
        rtnl_link_vf_vlan_put(vlans);
    }
    if (cfg->has_trust) {
        rtnl_link_vf_set_trust(vf, cfg->trust);
    }
    if (cfg->has_spoofchk) {
        rtnl_link_vf_set_spoofchk(vf, cfg->spoofchk);
    }

    orig = rtnl_link_alloc();
    change = rtnl_link_alloc();
    rtnl_link_set_ifindex(orig, pf_ifindex);
    e = rtnl_link_vf_add(change, vf);
    if (e >= 0) {
        e = rtnl_link_build_change_request(orig, change, 0, msgp);
    }
    rtnl_link_vf_put(vf);
    rtnl_link_put(orig);
    rtnl_link_put(change);
    if (e < 0) {
        *msgp = NULL;
        return vsw_error_set(err, EINVAL, "cannot build the VF settings "
                             "request for %s: %s", cfg->pf, nl_geterror(e));
    }
    return 0;
}

int
xdp_vf_apply(struct nl_sock *nl, int pf_ifindex,
             const struct xdp_vf_config *cfg, struct vsw_error *err)
{
    struct nl_msg *msg;
    int error, e;

    error = xdp_vf_build_request(pf_ifindex, cfg, &msg, err);
    if (error || !msg) {
        return error;
    }
    e = nl_send_auto_complete(nl, msg);
    if (e >= 0) {
        e = nl_wait_for_ack(nl);
    }
    nlmsg_free(msg);
    if (e < 0) {
        return vsw_error_set(err, EIO, "%s refused the settings of VF %u: "
                             "%s", cfg->pf, cfg->index, nl_geterror(e));
    }
    return 0;
}
