/* See xdp-dp.h: loading, pinning and re-opening one datapath's program
 * instance and maps. */
#include <config.h>
#include "datapath/xdp/xdp-dp.h"
#include "datapath/xdp/xdp-netdev.h"

#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/xdp/vsw-xdp.skel.h"
#include "utilities/log.h"
#include "utilities/util.h"

VSW_LOG_MODULE(xdp_dp);

/* Pin file names and the sizes a pinned map must have to be ours. */
static const struct {
    const char *name;
    uint32_t type;
    uint32_t key_size;
    uint32_t value_size;
} xdp_maps[XM_N] = {
    /* The value size depends on the CPU count: checked apart. */
    [XM_FLOWS] = { "flows", BPF_MAP_TYPE_HASH, sizeof(struct vsw_flow_key),
                   0 },
    [XM_SLOW_ACTS] = { "slow_acts", BPF_MAP_TYPE_HASH,
                       sizeof(struct vsw_flow_key),
                       sizeof(struct vsw_actions) },
    [XM_PORTS] = { "ports", BPF_MAP_TYPE_HASH, sizeof(uint32_t),
                   sizeof(struct vsw_xdp_port) },
    [XM_PORT_SLOTS] = { "port_slots", BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
                        sizeof(struct vsw_xdp_port_slot) },
    [XM_PORT_META] = { "port_meta", BPF_MAP_TYPE_HASH, sizeof(uint32_t),
                       sizeof(struct vsw_xdp_port_meta) },
    [XM_TX_PORTS] = { "tx_ports", BPF_MAP_TYPE_DEVMAP, sizeof(uint32_t),
                      sizeof(struct bpf_devmap_val) },
    [XM_FLOOD_PORTS] = { "flood_ports", BPF_MAP_TYPE_DEVMAP_HASH,
                         sizeof(uint32_t), sizeof(struct bpf_devmap_val) },
    [XM_PORT_STATS] = { "port_stats", BPF_MAP_TYPE_PERCPU_ARRAY,
                        sizeof(uint32_t), sizeof(struct vsw_xdp_counters) },
    [XM_UPCALL_BKT] = { "upcall_bkt", BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
                        sizeof(struct vsw_xdp_bucket) },
    [XM_PENDING] = { "pending", BPF_MAP_TYPE_LRU_HASH,
                     sizeof(struct vsw_flow_key),
                     sizeof(struct vsw_xdp_pending) },
    [XM_UPCALLS] = { "upcalls", BPF_MAP_TYPE_RINGBUF, 0, 0 },
    [XM_CONFIG] = { "config", BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
                    sizeof(struct vsw_xdp_config) },
    [XM_USTATS] = { "ustats", BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
                    sizeof(struct vsw_xdp_ustats) },
};

const char *
xdp_dp_map_name(enum xdp_map_id id)
{
    return xdp_maps[id].name;
}

static struct xdp_dp *
xdp_dp_alloc(const char *root, const char *name)
{
    struct xdp_dp *dp = xzalloc(sizeof *dp);

    vsw_strlcpy(dp->name, name, sizeof dp->name);
    snprintf(dp->dir, sizeof dp->dir, "%s/%s", root, name);
    for (int i = 0; i < XM_N; i++) {
        dp->map_fd[i] = -1;
    }
    dp->prog_fd = dp->tx_prog_fd = -1;
    return dp;
}

void
xdp_dp_close(struct xdp_dp *dp)
{
    if (!dp) {
        return;
    }
    for (int i = 0; i < XM_N; i++) {
        if (dp->map_fd[i] >= 0) {
            close(dp->map_fd[i]);
        }
    }
    if (dp->prog_fd >= 0) {
        close(dp->prog_fd);
    }
    if (dp->tx_prog_fd >= 0) {
        close(dp->tx_prog_fd);
    }
    free(dp);
}

int
xdp_dp_prepare_root(const char *root, struct vsw_error *err)
{
    char parent[PATH_MAX];
    struct statfs sfs;
    char *slash;

    vsw_strlcpy(parent, root, sizeof parent);
    slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
    }
    if (statfs(parent, &sfs) || sfs.f_type != BPF_FS_MAGIC) {
        return vsw_error_set(err, ENOENT,
                             "no BPF filesystem at %s (mount it with "
                             "'mount -t bpf bpf %s'); the xdp engine pins "
                             "its maps there", parent, parent);
    }
    if (mkdir(root, 0700) && errno != EEXIST) {
        int e = errno;
        return vsw_error_set(err, e, "cannot create %s: %s", root,
                             strerror(e));
    }
    return 0;
}

static int
xdp_dp_get_prog_id(int fd, uint32_t *id)
{
    struct bpf_prog_info info;
    uint32_t len = sizeof info;

    memset(&info, 0, sizeof info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
        return errno;
    }
    *id = info.id;
    return 0;
}

int
xdp_dp_write_config(struct xdp_dp *dp, const struct vsw_xdp_config *cfg)
{
    uint32_t zero = 0;

    return bpf_map_update_elem(dp->map_fd[XM_CONFIG], &zero, cfg, BPF_ANY)
           ? errno : 0;
}

int
xdp_dp_read_ustats(struct xdp_dp *dp, struct vsw_xdp_ustats *u)
{
    uint32_t zero = 0;

    return bpf_map_lookup_elem(dp->map_fd[XM_USTATS], &zero, u) ? errno : 0;
}

int
xdp_dp_write_ustats(struct xdp_dp *dp, const struct vsw_xdp_ustats *u)
{
    uint32_t zero = 0;

    return bpf_map_update_elem(dp->map_fd[XM_USTATS], &zero, u, BPF_ANY)
           ? errno : 0;
}

int
xdp_dp_unpin(const char *root, const char *name)
{
    char dir[PATH_MAX], path[PATH_MAX + 256];
    struct dirent *de;
    DIR *d;
    int error = 0;

    snprintf(dir, sizeof dir, "%s/%s", root, name);
    d = opendir(dir);
    if (!d) {
        return errno == ENOENT ? 0 : errno;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (unlink(path) && errno != ENOENT) {
            error = errno;
        }
    }
    closedir(d);
    if (rmdir(dir) && errno != ENOENT) {
        error = errno;
    }
    return error;
}

int
xdp_dp_discard(const char *root, const char *name)
{
    struct if_nameindex *ifs, *i;
    char path[PATH_MAX];
    uint32_t prog_id = 0;
    int n_detached = 0;
    int fd;

    snprintf(path, sizeof path, "%s/%s/%s", root, name,
             VSW_XDP_PIN_PROG_MAIN);
    fd = bpf_obj_get(path);
    if (fd >= 0) {
        xdp_dp_get_prog_id(fd, &prog_id);
        close(fd);
    }
    ifs = prog_id ? if_nameindex() : NULL;
    for (i = ifs; i && i->if_index; i++) {
        uint32_t drv, skb;

        if (xdp_netdev_query(i->if_index, &drv, &skb)) {
            continue;
        }
        if (drv == prog_id
            && !bpf_xdp_detach((int) i->if_index, XDP_FLAGS_DRV_MODE, NULL)) {
            n_detached++;
        }
        if (skb == prog_id
            && !bpf_xdp_detach((int) i->if_index, XDP_FLAGS_SKB_MODE, NULL)) {
            n_detached++;
        }
    }
    if (ifs) {
        if_freenameindex(ifs);
    }
    xdp_dp_unpin(root, name);
    return n_detached;
}

int
xdp_dp_size_skeleton(struct vsw_xdp *skel, int n_cpus)
{
    skel->rodata->vsw_n_cpus = (uint32_t) n_cpus;
    return -bpf_map__set_value_size(skel->maps.flows,
                                    VSW_XDP_FLOW_VALUE_SIZE(n_cpus));
}

/* Opens every pin of DP->dir into DP.  Checks types and sizes so that maps
 * of another layout are refused rather than misread. */
static int
xdp_dp_open_pins(struct xdp_dp *dp, int n_cpus, struct vsw_error *err)
{
    char path[PATH_MAX];

    for (int i = 0; i < XM_N; i++) {
        struct bpf_map_info info;
        uint32_t len = sizeof info;

        snprintf(path, sizeof path, "%s/%s", dp->dir, xdp_maps[i].name);
        dp->map_fd[i] = bpf_obj_get(path);
        if (dp->map_fd[i] < 0) {
            int e = errno;

            /* A map this version has and the pinning one had not. */
            return vsw_error_set(err, e == ENOENT ? EPROTO : e,
                                 "cannot open pinned map %s: %s", path,
                                 strerror(e));
        }
        memset(&info, 0, sizeof info);
        if (bpf_obj_get_info_by_fd(dp->map_fd[i], &info, &len)) {
            int e = errno;
            return vsw_error_set(err, e, "cannot inspect pinned map %s: %s",
                                 path, strerror(e));
        }
        if (i == XM_FLOWS
            && info.value_size != VSW_XDP_FLOW_VALUE_SIZE(n_cpus)) {
            return vsw_error_set(err, EPROTO,
                                 "pinned map %s has another value size than "
                                 "this datapathd expects (another vswitch "
                                 "version, or another number of CPUs than "
                                 "this machine's %d)", path, n_cpus);
        }
        if (info.type != xdp_maps[i].type
            || (xdp_maps[i].key_size
                && (info.key_size != xdp_maps[i].key_size
                    || (xdp_maps[i].value_size
                        && info.value_size != xdp_maps[i].value_size)))) {
            return vsw_error_set(err, EPROTO,
                                 "pinned map %s has another layout than this "
                                 "datapathd expects (left by another vswitch "
                                 "version?)", path);
        }
    }

    snprintf(path, sizeof path, "%s/%s", dp->dir, VSW_XDP_PIN_PROG_MAIN);
    dp->prog_fd = bpf_obj_get(path);
    snprintf(path, sizeof path, "%s/%s", dp->dir, VSW_XDP_PIN_PROG_TX);
    dp->tx_prog_fd = bpf_obj_get(path);
    if (dp->prog_fd < 0 || dp->tx_prog_fd < 0) {
        int e = errno;
        return vsw_error_set(err, e, "cannot open the pinned programs in %s: "
                             "%s", dp->dir, strerror(e));
    }
    if (xdp_dp_get_prog_id(dp->prog_fd, &dp->prog_id)
        || xdp_dp_get_prog_id(dp->tx_prog_fd, &dp->tx_prog_id)) {
        return vsw_error_set(err, EIO, "cannot read the program ids in %s",
                             dp->dir);
    }
    return 0;
}

int
xdp_dp_open(const char *root, const char *name, int n_cpus,
            struct xdp_dp **dpp, struct vsw_xdp_config *cfg,
            struct vsw_error *err)
{
    struct xdp_dp *dp = xdp_dp_alloc(root, name);
    uint32_t zero = 0;
    int error;

    *dpp = NULL;
    error = xdp_dp_open_pins(dp, n_cpus, err);
    if (error) {
        goto fail;
    }
    if (bpf_map_lookup_elem(dp->map_fd[XM_CONFIG], &zero, cfg)) {
        error = vsw_error_set(err, errno, "cannot read %s/config", dp->dir);
        goto fail;
    }
    if (cfg->layout_version != VSW_XDP_LAYOUT_VERSION) {
        error = vsw_error_set(err, EPROTO,
                              "datapath %s was pinned with map layout %u, "
                              "this datapathd uses %u", name,
                              cfg->layout_version, VSW_XDP_LAYOUT_VERSION);
        goto fail;
    }
    *dpp = dp;
    return 0;

fail:
    xdp_dp_close(dp);
    return error;
}

int
xdp_dp_create(const char *root, const char *name,
              const struct vsw_xdp_config *cfg, int n_cpus,
              struct xdp_dp **dpp, struct vsw_error *err)
{
    struct xdp_dp *dp = xdp_dp_alloc(root, name);
    struct vsw_xdp_ustats ustats;
    struct vsw_xdp *skel = NULL;
    struct bpf_map *map;
    char path[PATH_MAX];
    int error;

    *dpp = NULL;
    if (mkdir(dp->dir, 0700)) {
        error = errno;
        vsw_error_set(err, error, error == EEXIST
                      ? "%s exists already (a datapath of that name is "
                        "pinned, perhaps by a datapathd in another network "
                        "namespace)"
                      : "cannot create %s", dp->dir);
        xdp_dp_close(dp);
        return error;
    }

    skel = vsw_xdp__open();
    if (!skel) {
        error = errno;
        vsw_error_set(err, error, "cannot open the XDP object: %s",
                      strerror(error));
        goto fail;
    }
    error = xdp_dp_size_skeleton(skel, n_cpus);
    if (error) {
        vsw_error_set(err, error, "cannot size the flows map: %s",
                      strerror(error));
        goto fail;
    }
    bpf_object__for_each_map (map, skel->obj) {
        if (bpf_map__type(map) == BPF_MAP_TYPE_ARRAY
            && strchr(bpf_map__name(map), '.')) {
            continue;           /* .rodata: part of the program */
        }
        snprintf(path, sizeof path, "%s/%s", dp->dir, bpf_map__name(map));
        bpf_map__set_pin_path(map, path);
    }
    error = -vsw_xdp__load(skel);
    if (error) {
        vsw_error_set(err, error, "cannot load the XDP program: %s (the "
                      "verifier's log is in datapathd's log)",
                      strerror(error));
        goto fail;
    }
    snprintf(path, sizeof path, "%s/%s", dp->dir, VSW_XDP_PIN_PROG_MAIN);
    error = -bpf_program__pin(skel->progs.vsw_xdp_main, path);
    if (!error) {
        snprintf(path, sizeof path, "%s/%s", dp->dir, VSW_XDP_PIN_PROG_TX);
        error = -bpf_program__pin(skel->progs.vsw_xdp_tx, path);
    }
    if (error) {
        vsw_error_set(err, error, "cannot pin %s: %s", path,
                      strerror(error));
        goto fail;
    }
    vsw_xdp__destroy(skel);
    skel = NULL;

    /* From here on, the same path as an adopted datapath. */
    error = xdp_dp_open_pins(dp, n_cpus, err);
    if (error) {
        goto fail;
    }
    memset(&ustats, 0, sizeof ustats);
    error = xdp_dp_write_config(dp, cfg);
    if (!error) {
        error = xdp_dp_write_ustats(dp, &ustats);
    }
    if (error) {
        vsw_error_set(err, error, "cannot initialise the maps of %s: %s",
                      dp->dir, strerror(error));
        goto fail;
    }
    *dpp = dp;
    return 0;

fail:
    vsw_xdp__destroy(skel);
    xdp_dp_close(dp);
    xdp_dp_unpin(root, name);
    return error;
}
