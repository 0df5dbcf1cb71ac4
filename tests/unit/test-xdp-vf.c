/* Unit tests of the XDP engine's SR-IOV VF port type (datapath/xdp/xdp-vf.c)
 * without SR-IOV hardware: option parsing, the sysfs walk that finds a
 * VF's netdev (on a fake sysfs tree, and on the real one for the error
 * paths), and the RTM_SETLINK request that carries the vf-* settings (RTM_NEWLINK/SETLINK),
 * decoded attribute by attribute. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <cmocka.h>

#include "datapath/xdp/xdp-vf.h"

/* ---- Options ------------------------------------------------------------ */

static int
opt(struct xdp_vf_config *cfg, const char *key, const char *value,
    struct vsw_error *err)
{
    bool known;
    int error = xdp_vf_option(cfg, key, value, &known, err);

    assert_true(known);
    return error;
}

static void
test_options(void **state)
{
    struct xdp_vf_config cfg = { 0 };
    struct vsw_error err = { 0 };
    static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
    bool known;

    (void) state;
    assert_int_equal(opt(&cfg, "pf", "enp3s0f0", &err), 0);
    assert_int_equal(opt(&cfg, "vf-index", "7", &err), 0);
    assert_int_equal(opt(&cfg, "vf-mac", "02:11:22:33:44:55", &err), 0);
    assert_int_equal(opt(&cfg, "vf-vlan", "100", &err), 0);
    assert_int_equal(opt(&cfg, "vf-trust", "true", &err), 0);
    assert_int_equal(opt(&cfg, "vf-spoofchk", "off", &err), 0);
    assert_string_equal(cfg.pf, "enp3s0f0");
    assert_true(cfg.has_index);
    assert_int_equal(cfg.index, 7);
    assert_true(cfg.has_mac);
    assert_memory_equal(cfg.mac, mac, 6);
    assert_int_equal(cfg.vlan, 100);
    assert_true(cfg.has_trust && cfg.trust);
    assert_true(cfg.has_spoofchk && !cfg.spoofchk);
    assert_int_equal(xdp_vf_check(&cfg, &err), 0);

    assert_int_equal(xdp_vf_option(&cfg, "xdp-mode", "generic", &known, &err),
                     0);
    assert_false(known);
}

static void
test_bad_options(void **state)
{
    static const struct {
        const char *key, *value, *msg;
    } cases[] = {
        { "vf-index", "-1", "options:vf-index=-1 is not a VF number (0-65535)" },
        { "vf-index", "x", "options:vf-index=x is not a VF number (0-65535)" },
        { "vf-mac", "01:00:5e:00:00:01",
          "options:vf-mac=01:00:5e:00:00:01 is not a unicast Ethernet address" },
        { "vf-mac", "zz", "options:vf-mac=zz is not a unicast Ethernet address" },
        { "vf-vlan", "4095",
          "options:vf-vlan=4095 is not a VLAN id (0-4094, 0 = untagged)" },
        { "vf-trust", "maybe", "options:vf-trust=maybe must be true or false" },
        { "vf-spoofchk", "", "options:vf-spoofchk= must be true or false" },
        { "pf", "a-name-that-is-too-long",
          "options:pf=a-name-that-is-too-long is not a network device name" },
    };

    (void) state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct xdp_vf_config cfg = { 0 };
        struct vsw_error err = { 0 };

        assert_int_equal(opt(&cfg, cases[i].key, cases[i].value, &err),
                         EINVAL);
        assert_string_equal(err.msg, cases[i].msg);
    }
}

static void
test_missing_options(void **state)
{
    struct xdp_vf_config cfg = { 0 };
    struct vsw_error err = { 0 };

    (void) state;
    assert_int_equal(xdp_vf_check(&cfg, &err), EINVAL);
    assert_string_equal(err.msg, "a vf port needs options:pf (the physical "
                        "function's network device)");
    assert_int_equal(opt(&cfg, "pf", "eth0", &err), 0);
    assert_int_equal(xdp_vf_check(&cfg, &err), EINVAL);
    assert_string_equal(err.msg, "a vf port needs options:vf-index (which "
                        "virtual function of eth0)");
}

/* ---- Finding the VF netdev ---------------------------------------------- */

static char root[64];

static void
mk(const char *rel)
{
    char path[256];

    snprintf(path, sizeof path, "%s/%s", root, rel);
    assert_int_equal(mkdir(path, 0755), 0);
}

static void
put(const char *rel, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", root, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int
setup_sysfs(void **state)
{
    (void) state;
    snprintf(root, sizeof root, "/tmp/test-xdp-vf.XXXXXX");
    assert_non_null(mkdtemp(root));
    mk("pf0");                          /* PF with 2 VFs, VF 1 has a netdev */
    mk("pf0/device");
    put("pf0/device/sriov_numvfs", "2\n");
    mk("pf0/device/virtfn0");           /* VF 0: bound to vfio-pci */
    mk("pf0/device/virtfn1");
    mk("pf0/device/virtfn1/net");
    mk("pf0/device/virtfn1/net/pf0v1");
    mk("nosriov");                      /* a NIC without SR-IOV */
    mk("nosriov/device");
    mk("novfs");                        /* SR-IOV, none enabled */
    mk("novfs/device");
    put("novfs/device/sriov_numvfs", "0\n");
    return 0;
}

static int
teardown_sysfs(void **state)
{
    char cmd[128];

    (void) state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_find_netdev(void **state)
{
    struct vsw_error err = { 0 };
    char name[IFNAMSIZ], expect[512];

    (void) state;
    assert_int_equal(xdp_vf_find_netdev(root, "pf0", 1, name, sizeof name,
                                        &err), 0);
    assert_string_equal(name, "pf0v1");

    assert_int_equal(xdp_vf_find_netdev(root, "eth9", 0, name, sizeof name,
                                        &err), ENODEV);
    assert_string_equal(err.msg, "no such PF 'eth9'");

    assert_int_equal(xdp_vf_find_netdev(root, "nosriov", 0, name, sizeof name,
                                        &err), EOPNOTSUPP);
    snprintf(expect, sizeof expect, "nosriov has no SR-IOV virtual functions "
             "(no %s/nosriov/device/sriov_numvfs)", root);
    assert_string_equal(err.msg, expect);

    assert_int_equal(xdp_vf_find_netdev(root, "novfs", 0, name, sizeof name,
                                        &err), ENODEV);
    snprintf(expect, sizeof expect, "novfs has SR-IOV but no virtual "
             "functions enabled (echo N > %s/novfs/device/sriov_numvfs)",
             root);
    assert_string_equal(err.msg, expect);

    assert_int_equal(xdp_vf_find_netdev(root, "pf0", 5, name, sizeof name,
                                        &err), ENODEV);
    snprintf(expect, sizeof expect, "pf0 has 2 virtual functions, so there "
             "is no vf-index 5 (enable more with echo N > "
             "%s/pf0/device/sriov_numvfs)", root);
    assert_string_equal(err.msg, expect);

    assert_int_equal(xdp_vf_find_netdev(root, "pf0", 0, name, sizeof name,
                                        &err), ENODEV);
    snprintf(expect, sizeof expect, "VF 0 of pf0 has no network device (no "
             "%s/pf0/device/virtfn0/net: is it bound to vfio-pci or another "
             "non-network driver?)", root);
    assert_string_equal(err.msg, expect);
}

/* The real sysfs of this machine: no PF of that name, and lo (which has no
 * PCI device at all) has no SR-IOV. */
static void
test_find_netdev_real_sysfs(void **state)
{
    struct vsw_error err = { 0 };
    char name[IFNAMSIZ];

    (void) state;
    assert_int_equal(xdp_vf_find_netdev(XDP_VF_SYSFS, "vswnopf9", 0, name,
                                        sizeof name, &err), ENODEV);
    assert_string_equal(err.msg, "no such PF 'vswnopf9'");
    assert_int_equal(xdp_vf_find_netdev(XDP_VF_SYSFS, "lo", 0, name,
                                        sizeof name, &err), EOPNOTSUPP);
    assert_string_equal(err.msg, "lo has no SR-IOV virtual functions (no "
                        "/sys/class/net/lo/device/sriov_numvfs)");
}

/* ---- The request -------------------------------------------------------- */

/* Decodes MSG's single IFLA_VF_INFO into TB. */
static void
vf_info(struct nl_msg *msg, int pf_ifindex, struct nlattr **tb)
{
    struct nlmsghdr *nlh = nlmsg_hdr(msg);
    struct nlattr *top[IFLA_MAX + 1], *info;
    struct ifinfomsg *ifi = nlmsg_data(nlh);
    int rem, n = 0;

    /* libnl sends changes as RTM_NEWLINK on an existing ifindex (no
     * NLM_F_CREATE), which the kernel treats like RTM_SETLINK. */
    assert_true(nlh->nlmsg_type == RTM_NEWLINK
                || nlh->nlmsg_type == RTM_SETLINK);
    assert_false(nlh->nlmsg_flags & NLM_F_CREATE);
    assert_int_equal(ifi->ifi_index, pf_ifindex);
    assert_int_equal(nlmsg_parse(nlh, sizeof *ifi, top, IFLA_MAX, NULL), 0);
    assert_non_null(top[IFLA_VFINFO_LIST]);
    nla_for_each_nested(info, top[IFLA_VFINFO_LIST], rem) {
        assert_int_equal(nla_type(info), IFLA_VF_INFO);
        assert_int_equal(nla_parse_nested(tb, IFLA_VF_MAX, info, NULL), 0);
        n++;
    }
    assert_int_equal(n, 1);
}

static void
test_request(void **state)
{
    struct xdp_vf_config cfg = { .pf = "pf0", .has_index = true, .index = 3,
                                 .has_mac = true,
                                 .mac = { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee },
                                 .has_vlan = true, .vlan = 42,
                                 .has_trust = true, .trust = true,
                                 .has_spoofchk = true, .spoofchk = false };
    struct nlattr *tb[IFLA_VF_MAX + 1];
    struct vsw_error err = { 0 };
    struct nl_msg *msg;

    (void) state;
    assert_int_equal(xdp_vf_build_request(17, &cfg, &msg, &err), 0);
    assert_non_null(msg);
    vf_info(msg, 17, tb);

    assert_non_null(tb[IFLA_VF_MAC]);
    const struct ifla_vf_mac *m = nla_data(tb[IFLA_VF_MAC]);
    assert_int_equal(m->vf, 3);
    assert_memory_equal(m->mac, cfg.mac, 6);

    assert_true(tb[IFLA_VF_VLAN] || tb[IFLA_VF_VLAN_LIST]);
    if (tb[IFLA_VF_VLAN]) {
        const struct ifla_vf_vlan *v = nla_data(tb[IFLA_VF_VLAN]);
        assert_int_equal(v->vf, 3);
        assert_int_equal(v->vlan, 42);
        assert_int_equal(v->qos, 0);
    } else {
        struct nlattr *vi = nla_data(tb[IFLA_VF_VLAN_LIST]);
        const struct ifla_vf_vlan_info *v = nla_data(vi);
        assert_int_equal(v->vf, 3);
        assert_int_equal(v->vlan, 42);
    }

    assert_non_null(tb[IFLA_VF_TRUST]);
    const struct ifla_vf_trust *t = nla_data(tb[IFLA_VF_TRUST]);
    assert_int_equal(t->vf, 3);
    assert_int_equal(t->setting, 1);

    assert_non_null(tb[IFLA_VF_SPOOFCHK]);
    const struct ifla_vf_spoofchk *s = nla_data(tb[IFLA_VF_SPOOFCHK]);
    assert_int_equal(s->vf, 3);
    assert_int_equal(s->setting, 0);
    nlmsg_free(msg);
}

/* Only what was asked for is in the request. */
static void
test_request_partial(void **state)
{
    struct xdp_vf_config cfg = { .pf = "pf0", .has_index = true, .index = 0,
                                 .has_spoofchk = true, .spoofchk = true };
    struct nlattr *tb[IFLA_VF_MAX + 1];
    struct vsw_error err = { 0 };
    struct nl_msg *msg;

    (void) state;
    assert_int_equal(xdp_vf_build_request(5, &cfg, &msg, &err), 0);
    vf_info(msg, 5, tb);
    assert_null(tb[IFLA_VF_MAC]);
    assert_null(tb[IFLA_VF_VLAN]);
    assert_null(tb[IFLA_VF_VLAN_LIST]);
    assert_null(tb[IFLA_VF_TRUST]);
    assert_non_null(tb[IFLA_VF_SPOOFCHK]);
    assert_int_equal(((const struct ifla_vf_spoofchk *)
                      nla_data(tb[IFLA_VF_SPOOFCHK]))->setting, 1);
    nlmsg_free(msg);
}

static void
test_request_nothing_to_set(void **state)
{
    struct xdp_vf_config cfg = { .pf = "pf0", .has_index = true, .index = 1 };
    struct vsw_error err = { 0 };
    struct nl_msg *msg = (struct nl_msg *) &cfg;

    (void) state;
    assert_int_equal(xdp_vf_build_request(5, &cfg, &msg, &err), 0);
    assert_null(msg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_missing_options),
        cmocka_unit_test_setup_teardown(test_find_netdev, setup_sysfs,
                                        teardown_sysfs),
        cmocka_unit_test(test_find_netdev_real_sysfs),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_request_partial),
        cmocka_unit_test(test_request_nothing_to_set),
    };

    return cmocka_run_group_tests_name("xdp-vf", tests, NULL, NULL);
}
